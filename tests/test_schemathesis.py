"""Schemathesis against the published OpenAPI schema, for three roles and no credential:
no 5xx, every response matches its schema, and without a token every route but the
public ones answers 401. Few examples per operation keep it quick (it runs in CI)."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from service.main import OPENAPI_URL, app
from service.models import Role
from tests.factories import Factory

schema = schemathesis.openapi.from_asgi(OPENAPI_URL, app)
CHECKS = (not_a_server_error, response_schema_conformance, content_type_conformance)
ROLES = (Role.PLANNER, Role.OFFICER, Role.LAWYER)
FEW = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@FEW
def test_every_operation_keeps_its_schema_for_each_role(
    case: Any, role: Role, db: Any, factory: Factory
) -> None:
    headers = factory.person(role).headers
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FEW
def test_without_a_token_every_non_public_operation_answers_401(case: Any, db: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    roles = case.operation.definition.raw.get("x-roles", [])
    declared = case.method.upper() == case.operation.method.upper()  # not a probe for 405
    if declared and "public" not in roles:
        assert response.status_code == 401, (case.method, case.path, response.text)
