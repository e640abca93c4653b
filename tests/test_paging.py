"""Issue 14.5: lists that grow are read a page at a time. ``GET /translations`` returned
every job (9.6 MB) and the access log stopped at 500 entries with no way to the rest.
Each follows ``Link: rel="next"`` to the end, every entry exactly once."""

import re

from sqlalchemy import func, select

from service.audit import service as audit
from service.core.paging import MAX_LIMIT
from service.models import Role
from service.models.audit import AuditEntry
from service.translation import service as translation
from service.workflow import CaseState
from tests.helpers import API, assert_problem, ok, sign_in

NEXT = re.compile(r'<([^>]+)>; rel="next"')


def follow(client, url, headers):
    """Every page from ``url`` on, by the ``Link`` headers: a list of pages."""
    pages = []
    while url:
        response = client.get(url, headers=headers)
        pages.append(ok(response))
        found = NEXT.fullmatch(response.headers.get("link", ""))
        url = found.group(1) if found else None
    return pages


def test_translation_jobs_come_a_page_at_a_time(client, db, factory):
    planner = factory.person(Role.PLANNER)
    agency = factory.agency()
    agency.capacity_per_week = 50
    jobs = set()
    for _ in range(5):
        case = factory.case_in(CaseState.SUBMITTED)
        jobs.add(str(translation.request(db, case, planner.actor, agency.name).id))

    pages = follow(client, f"{API}/translations?open_only=false&limit=2", planner.headers)

    assert [len(page) for page in pages] == [2, 2, 1]
    listed = [job["id"] for page in pages for job in page]
    assert len(listed) == len(set(listed)) == 5
    assert set(listed) == jobs
    too_many = client.get(f"{API}/translations?limit={MAX_LIMIT + 1}", headers=planner.headers)
    assert_problem(too_many, 422, "validation_error")


def test_the_access_log_reaches_past_five_hundred_entries_and_repeats_none(client, db, factory):
    case = factory.case_in(CaseState.SUBMITTED)
    officer = factory.person(Role.OFFICER)
    for number in range(600):
        audit.append(db, officer.actor, "case.read", case_id=case.id, request_id=f"r{number}")
    count = select(func.count()).where(AuditEntry.case_id == case.id)
    before = db.scalar(count)
    assert before >= 600

    # Reading the log adds an entry at its head: paging by number still sees each once.
    pages = follow(client, f"{API}/cases/{case.id}/access-log", officer.headers)

    assert [len(page) for page in pages[:-1]] == [100] * (len(pages) - 1)
    ids = [entry["request_id"] for page in pages for entry in page]
    assert len(ids) == before
    assert len({i for i in ids if i.startswith("r")}) == 600
    assert db.scalar(count) == before + len(pages)  # each read recorded


def test_the_access_log_page_links_to_older_entries(client, db, factory):
    case = factory.case_in(CaseState.SUBMITTED)
    officer = factory.person(Role.OFFICER)
    for number in range(150):
        audit.append(db, officer.actor, "case.read", case_id=case.id, purpose=f"doel-{number}")
    sign_in(client, officer.user.username)

    first = client.get(f"/cases/{case.id}/access-log", headers={"accept": "text/html"})

    assert first.status_code == 200
    assert "doel-149" in first.text
    assert "doel-49" not in first.text
    older = re.search(r'rel="next" href="([^"]+)">Oudere regels', first.text)
    assert older, first.text
    second = client.get(older.group(1).replace("&amp;", "&"), headers={"accept": "text/html"})
    assert second.status_code == 200
    assert "doel-49" in second.text
    assert "doel-0<" in second.text
    assert "doel-149" not in second.text
    assert "Nieuwste regels" in second.text


# Lists whose length the domain bounds, so they need no paging: why each is short.
BOUNDED_LISTS = {
    "/api/v1/agencies": "the agencies under contract",
    "/api/v1/eligibility/policies": "the policy files shipped",
    "/api/v1/forms": "the questionnaires shipped",
    "/api/v1/locations": "the hearing locations",
    "/api/v1/locations/{location_id}/rooms": "one location's rooms",
    "/api/v1/cases/{case_id}/timeline": "one case's stages",
    "/api/v1/cases/{case_id}/screenings": "one case's screenings",
    "/api/v1/cases/{case_id}/terms": "one case's terms",
    "/api/v1/cases/{case_id}/consultations": "one case's motives (at most two) and hard cases",
    "/api/v1/translations/{translation_id}/versions": "at most MAX_VERSIONS (10)",
    "/api/v1/proposal": "one session's seats",
    "/api/v1/auth/sessions": "one account's live sessions and tokens",
    "/api/v1/decision-queue": "the officer's next cases (limit, at most 500)",
    "/api/v1/consultations/waiting": "an adviser's work queue, the oldest 200",
    "/api/v1/attention/lists": "unit 1F's indicator lists, a handful",
    "/api/v1/cases/{case_id}/attention-points": "one case's hits in its own answers",
    "/api/v1/reports/nationalities": "an aggregate, one row per nationality",
}


def test_every_list_that_can_grow_is_paged():
    """A GET answering with a list takes ``limit`` and ``offset`` (or ``before``), unless
    the domain bounds its length (``BOUNDED_LISTS``, with the reason)."""
    from service.main import app

    unpaged = []
    for path, operations in app.openapi()["paths"].items():
        get = operations.get("get")
        if get is None or path in BOUNDED_LISTS:
            continue
        content = get["responses"].get("200", {}).get("content", {})
        if content.get("application/json", {}).get("schema", {}).get("type") != "array":
            continue
        names = {p["name"] for p in get.get("parameters", [])}
        if not ("limit" in names and ({"offset", "before"} & names)):
            unpaged.append(path)
    assert unpaged == []


def test_other_growing_lists_follow_their_links_to_the_end(client, db, factory):
    admin, planner = factory.person(Role.ADMIN), factory.person(Role.PLANNER)
    for _ in range(3):
        factory.case_in(CaseState.SCREENED)
        factory.session("ar", seats=2)
    for url, headers, key in (
        (f"{API}/users?limit=2", admin.headers, "id"),
        (f"{API}/cases?limit=2", planner.headers, "id"),
        (f"{API}/sessions?limit=2", planner.headers, "id"),
    ):
        whole = ok(client.get(url.replace("limit=2", f"limit={MAX_LIMIT}"), headers=headers))
        assert len(whole) >= 3, url
        pages = follow(client, url, headers)
        assert all(len(page) == 2 for page in pages[:-1]), url
        assert [item[key] for page in pages for item in page] == [i[key] for i in whole], url
