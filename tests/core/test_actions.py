"""The one way a page runs an action: the form parses into the API's input model, a
refusal undoes all of the action and comes back with messages per field."""

import ast
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.actions import FormInvalid, Refusal, attempt, parse_form
from service.core.errors import Conflict, Forbidden
from service.core.settings import PROJECT_ROOT
from service.models.auth import Role
from service.models.cases import Case
from tests.factories import Factory


class SeatIn(BaseModel):
    seat: int = Field(ge=1, le=40)
    note: str = Field(default="", max_length=5)


def test_a_form_parses_into_the_input_model():
    assert parse_form(SeatIn, {"seat": "3", "note": ""}) == SeatIn(seat=3)


def test_a_form_that_does_not_parse_says_what_is_wrong_per_field():
    with pytest.raises(FormInvalid) as refused:
        parse_form(SeatIn, {"seat": "0", "note": "too long"})
    assert refused.value.fields == {
        "seat": "This number is too small.",
        "note": "This is too long.",
    }
    with pytest.raises(FormInvalid) as missing:
        parse_form(SeatIn, {"seat": ""})
    assert missing.value.fields == {"seat": "Fill this in."}


def test_a_refused_action_leaves_nothing_it_wrote(db: Session, factory: Factory):
    case = factory.case()

    def write_then_refuse() -> None:
        case.nationality = "IR"
        db.flush()
        raise Conflict("This step is not possible now.", field="nationality")

    outcome = attempt(db, write_then_refuse)
    assert isinstance(outcome, Refusal)
    assert outcome.status == 409
    assert outcome.fields == {"nationality": "This step is not possible now."}
    db.expire_all()
    assert db.scalar(select(Case.nationality).where(Case.id == case.id)) != "IR"


def test_an_accepted_action_keeps_what_it_wrote(db: Session, factory: Factory):
    case = factory.case()

    def write() -> str:
        case.nationality = "IR"
        return "done"

    assert attempt(db, write) == "done"
    db.expire_all()
    assert db.scalar(select(Case.nationality).where(Case.id == case.id)) == "IR"


def test_a_refusal_that_is_not_the_users_to_fix_goes_to_the_error_page(db: Session):
    def forbidden() -> None:
        raise Forbidden(f"Role {Role.LAWYER} may not do this.")

    with pytest.raises(Forbidden):
        attempt(db, forbidden)


def test_pages_leave_refusals_and_rollbacks_to_the_one_adapter():
    """No page catches a domain error or rolls back itself: ``core.actions.attempt`` does,
    inside a savepoint, so a refusal never leaves half a change."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "service").glob("*/pages.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = ast.unparse(node.type)
                if any(name in caught for name in ("DomainError", "ValidationError", "Stale")):
                    offenders.append(f"{_rel(path)}:{node.lineno}: catches {caught}")
            if isinstance(node, ast.Attribute) and node.attr in {"rollback", "begin_nested"}:
                offenders.append(f"{_rel(path)}:{node.lineno}: calls {node.attr}")
    assert offenders == []


def _rel(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))
