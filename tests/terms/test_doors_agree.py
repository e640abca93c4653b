"""Extending a term through both doors: the same input through the API and through the
planner's page stores the same term and event, and a refused input is refused with the
same code (the page: with a 4xx status and what was typed still in the form)."""

import re
from typing import Any

import pytest
from sqlalchemy import select

from service.models import Role
from service.models.cases import Case, CaseEventRow
from service.terms import service as terms
from service.terms.policy import local_date
from service.workflow import CaseState
from tests.helpers import API, csrf_of, sign_in

HTML = {"accept": "text/html"}


def stored(db: Any, case: Case) -> dict[str, Any]:
    """The case's terms and its last event's reason, without ids and times."""
    db.expire_all()
    last = db.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
    ).all()[-1]
    return {
        "terms": [
            (t.step, t.extended_days, local_date(t.due_at), t.closed_at is None)
            for t in terms.terms_of(db, case.id)
        ],
        "last event": (last.event, last.reason),
    }


def through_both(client: Any, db: Any, factory: Any, form: dict[str, str]) -> tuple[Any, ...]:
    by_api, by_page = (factory.case_in(CaseState.WITH_LAWYER) for _ in range(2))
    planner = factory.person(Role.PLANNER)
    before = stored(db, by_page)
    body = {**form, "working_days": int(form["working_days"])}
    api = client.post(
        f"{API}/cases/{by_api.id}/terms/extensions", json=body, headers=planner.headers
    )
    sign_in(client, planner.user.username)
    url = f"/planner/cases/{by_page.id}/terms"
    token = csrf_of(client.get(url, headers=HTML).text)
    page = client.post(
        url, data={"csrf_token": token, **form}, headers=HTML, follow_redirects=False
    )
    return by_api, by_page, before, api, page


def test_the_same_extension_stores_the_same_through_both_doors(client, db, factory):
    form = {"step": "corrections", "working_days": "3", "reason": "Advocaat ziek."}
    by_api, by_page, _, api, page = through_both(client, db, factory, form)
    assert api.status_code == 200, api.text
    assert page.status_code == 303, page.text
    assert stored(db, by_api) == stored(db, by_page)


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"step": "translation", "working_days": "3", "reason": "Te laat."}, "no_open_term"),
        ({"step": "corrections", "working_days": "25", "reason": "Te lang."}, "validation_error"),
    ],
    ids=["a term that is not running", "more working days than an extension may give"],
)
def test_a_refused_extension_is_refused_alike_and_the_page_keeps_it(
    client, db, factory, form, code
):
    _, by_page, before, api, page = through_both(client, db, factory, form)
    assert api.json()["code"] == code, api.text
    assert page.status_code == api.status_code
    assert re.search(r'data-refusal="([a-z_]+)"', page.text).group(1) == code
    assert form["reason"] in page.text
    assert f'value="{form["working_days"]}"' in page.text
    assert stored(db, by_page) == before
