"""What a new user of the API tries first works: the examples in the interactive docs run
against the demo data as they stand, and a lawyer can tell which client an invitation is
about. (The check-in window: tests/sessions/test_check_in.py.)"""

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from service.cli import main
from service.dev.demo import load_demo_data
from service.main import app
from service.models import Role
from service.workflow import CaseState
from tests.helpers import API, ok

DEMO_CASES = 60


def example_body(path: str, method: str) -> dict[str, Any]:
    """The first example of the operation's JSON body, as /docs offers it."""
    schema = app.openapi()
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    examples: list[dict[str, Any]] = body["examples"]
    return examples[0]


@pytest.fixture
def demo(db: Session) -> dict[str, Any]:
    return load_demo_data(cases=DEMO_CASES, session=db)


def test_sign_in_example_works_on_the_demo_data(client, demo):
    login = example_body(f"{API}/auth/token", "post")
    assert login["username"] in {member["username"] for member in demo["logins"]}
    # The example's code is a placeholder: the README sends newcomers to `hearing demo-code`.
    printed = CliRunner().invoke(main, ["demo-code", login["username"]])
    assert printed.exit_code == 0, printed.output
    login["code"] = printed.stdout.strip()

    token = ok(client.post(f"{API}/auth/token", json=login))
    me = ok(client.get(f"{API}/me", headers={"Authorization": f"Bearer {token['access_token']}"}))
    assert me["role"] == token["role"]


def test_answers_example_works_at_a_demo_kiosk(client, demo):
    assert demo["kiosk_codes"], "the demo data leaves applicants checked in at a kiosk"
    code = next(iter(demo["kiosk_codes"].values()))
    token = ok(client.post(f"{API}/kiosk/login", json={"code": code}))
    kiosk = {"Authorization": f"Bearer {token['access_token']}"}
    ok(client.post(f"{API}/kiosk/start", headers=kiosk))

    answers = example_body(f"{API}/kiosk/answers", "put")
    saved = ok(client.put(f"{API}/kiosk/answers", headers=kiosk, json=answers))
    assert saved["answers"] == answers["answers"]


def test_lawyer_sees_which_client_each_invitation_is_about(client, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.INVITED, applicant_name="Dawit Haile")

    (invitation,) = ok(client.get(f"{API}/invitations", headers=lawyer.headers))
    assert invitation["case_id"] == str(case.id)
    assert invitation["v_number"] == case.v_number
    assert invitation["applicant_name"] == "Dawit Haile"
    assert invitation["status"] == "open"
