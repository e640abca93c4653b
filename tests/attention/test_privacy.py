"""Attention points and unit 1F's lists stay inside the IND: no lawyer, agency, host or
applicant reads a point, an indicator, a list, or that a case was looked at for 1F, on
any GET route or page (walked from the schema and the routers, as the signal privacy
walk does), nor in the PDF dossier. Those who may see them do."""

import re
from typing import Any

import pytest
from sqlalchemy import select

from service.attention import service as attention
from service.attention.schemas import DismissIn, IndicatorIn
from service.dossier import service as dossier
from service.dossier.access import LAWYER_COPY, STAFF_COPY
from service.models import Role
from service.models.attention import AttentionPoint
from tests.attention.conftest import PRISON_AR, PRISON_NL, publish_list, translated
from tests.cases.test_signal_privacy import Signalled, readable, related, walk, walk_pages
from tests.helpers import API, ok

LIST = "LIST-SECRET-4be1"
WHY = "WHY-SECRET-77d0"
DISMISSED = "DISMISS-SECRET-0c9a"
# Any word for a point, its list, its handling or the unit that keeps the lists.
TELLS_OF_A_POINT = re.compile(
    rf"{LIST}|{WHY}|{DISMISSED}|attention|aandacht|unit.1f|eenheid 1f|indicator",
    re.IGNORECASE,
)


def rows() -> list[IndicatorIn]:
    return [IndicatorIn(kind="place", language="ar", text=PRISON_AR, text_nl=PRISON_NL, reason=WHY)]


@pytest.fixture
def pointed(client, db, factory) -> list[Signalled]:
    """Cases with points: one open, one dismissed (an event on the case)."""
    unit = factory.person(Role.UNIT_1F)
    made = publish_list(db, unit.actor, LIST, rows())
    found = []
    for handled in (False, True):
        case, _ = translated(factory, f"في {PRISON_AR}", f"in {PRISON_NL}")
        points = db.scalars(select(AttentionPoint).where(AttentionPoint.case_id == case.id)).all()
        assert points
        if handled:
            attention.dismiss(db, unit.actor, points[0], DismissIn(reason=DISMISSED))
        for copy in (LAWYER_COPY, STAFF_COPY):  # the PDFs the walks download
            assert dossier.render(db, case.id, copy)
        item = related(db, case, "")
        item.point_ids = [p.id for p in points]
        item.list_ids = [made.id]
        found.append(item)
    db.commit()
    # Staff read the points (so the walks below cannot pass by reaching none).
    for item in found:
        path = f"{API}/cases/{item.case.id}/attention-points"
        # A read of the points is in the case's access log (staff see it, below).
        assert WHY not in ok(client.get(path, headers=factory.person(Role.OFFICER).headers))[0]
    return found


def assert_not_told(role: str, walked: Any) -> None:
    leaks = []
    for url, response in walked.responses.items():
        assert response.status_code < 500, (role, url, response.text)
        if response.status_code == 403 and "role_not_allowed" in response.text:
            continue  # the door refused: it names the roles it admits, and nothing else
        text = readable(response)
        match = TELLS_OF_A_POINT.search(text)
        if match:
            leaks.append(f"GET {url}: ...{text[max(0, match.start() - 60) : match.end() + 60]}...")
    assert not leaks, f"a {role} is told of an attention point:\n" + "\n".join(leaks)


@pytest.mark.parametrize("role", [Role.LAWYER, Role.TRANSLATOR, Role.HOST])
def test_no_api_route_tells_an_outsider_of_a_point(client, factory, pointed, role):
    walked = walk(client, factory.person(role).headers, pointed)
    assert_not_told(str(role), walked)
    for item in pointed:
        path = f"{API}/cases/{item.case.id}/attention-points"
        assert walked.status(path) == 403
    if role is Role.LAWYER:
        # The lawyer reads the timeline and the access log, without the points' part.
        for item in pointed:
            assert walked.status(f"{API}/cases/{item.case.id}/timeline") == 200
            log = [u for u in walked.responses if f"{item.case.id}/access-log" in u]
            assert log
            assert {walked.status(u) for u in log} == {200}


def test_the_applicant_is_never_told_of_a_point(client, factory, pointed):
    for item in pointed:
        walked = walk(client, factory.applicant_headers(item.case), [item])
        assert_not_told("applicant", walked)


@pytest.mark.parametrize("role", [Role.LAWYER, Role.TRANSLATOR, Role.HOST])
def test_no_page_tells_an_outsider_of_a_point(client, factory, pointed, role):
    walked = walk_pages(client, factory.person(role).user.username, pointed)
    assert_not_told(str(role), walked)
    for item in pointed:
        assert walked.status(f"/attention/points/{item.point_ids[0]}") in (403, 404)


def test_the_lawyers_dossier_tells_nothing_of_a_point(client, factory, pointed):
    lawyer = factory.person(Role.LAWYER)
    for item in pointed:
        pdf = client.get(f"{API}/cases/{item.case.id}/dossier/pdf", headers=lawyer.headers)
        assert pdf.status_code == 200
        text = readable(pdf)
        assert PRISON_NL in text, "the dossier holds the translated answer"
        assert not TELLS_OF_A_POINT.search(text)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.UNIT_1F, Role.ADMIN])
def test_those_who_may_see_the_points_do(client, factory, pointed, role):
    headers = factory.person(role).headers
    for item in pointed:
        seen = ok(client.get(f"{API}/cases/{item.case.id}/attention-points", headers=headers))
        assert {p["list_name"] for p in seen} == {LIST}
        timeline = client.get(f"{API}/cases/{item.case.id}/timeline", headers=headers)
        if role is not Role.UNIT_1F:
            events = [e["event"] for e in ok(timeline)]
            assert ("attention_point_dismissed" in events) is (DISMISSED in str(seen))
