"""The roster for the transport partner and the hosts: exactly who to bring, as a page,
a CSV file a spreadsheet opens safely, and a printable PDF. Planners and the hosts of
the session's own location only."""

import csv
import io
import re
import uuid

import pytest
from pypdf import PdfReader

from service.core.spreadsheet import safe_cell
from service.models import Role
from service.models.sessions import Location
from service.sessions import service as sessions
from service.workflow import CaseState
from tests.helpers import sign_in

HTML = {"accept": "text/html"}
NAMES = ("Amal Haddad", "Yonas Tesfay", '=HYPERLINK("http://evil.example","click")')


def booked_session(db, factory):
    planner = factory.person(Role.PLANNER)
    session = factory.session("ar", seats=5, interpreters=(("ar", "female"), ("ti", "male")))
    cases = [
        factory.case_in(CaseState.CONSENTED, applicant_name=NAMES[0]),
        factory.case_in(
            CaseState.CONSENTED, applicant_name=NAMES[1], languages=["ti"], nationality="ER"
        ),
        factory.case_in(CaseState.CONSENTED, applicant_name=NAMES[2]),
    ]
    for seat, case in zip((4, 1, 2), cases, strict=True):
        sessions.book(db, session, case, planner.actor, seat=seat)
    cancelled = factory.case_in(CaseState.CONSENTED, applicant_name="Not Coming")
    sessions.cancel_booking(
        db, sessions.book(db, session, cancelled, planner.actor), planner.actor, "ill"
    )
    return session, cases


def test_the_csv_lists_who_to_bring_in_seat_order_and_defuses_formulas(client, db, factory):
    session, cases = booked_session(db, factory)
    sign_in(client, factory.person(Role.PLANNER).user.username)

    response = client.get(f"/sessions/{session.id}/roster.csv", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["seat", "v_number", "name", "date_of_birth", "language"]
    assert rows[1:] == [
        ["1", cases[1].v_number, "Yonas Tesfay", "1991-04-17", "ti"],
        ["2", cases[2].v_number, "'" + NAMES[2], "1991-04-17", "ar"],
        ["4", cases[0].v_number, "Amal Haddad", "1991-04-17", "ar"],
    ]
    assert "Not Coming" not in response.text


def test_the_pdf_holds_the_same_people(client, db, factory):
    session, cases = booked_session(db, factory)
    sign_in(client, factory.person(Role.PLANNER).user.username)

    response = client.get(f"/sessions/{session.id}/roster.pdf", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for case in cases:
        assert case.v_number in text
    assert "Amal Haddad" in text
    assert "Yonas Tesfay" in text
    assert "Not Coming" not in text
    assert (
        text.index(cases[1].v_number)
        < text.index(cases[2].v_number)
        < text.index(cases[0].v_number)
    )


def test_the_roster_page_for_the_locations_host(client, db, factory):
    session, cases = booked_session(db, factory)
    sign_in(client, factory.person(Role.HOST).user.username)
    page = client.get(f"/sessions/{session.id}/roster", headers=HTML)
    assert page.status_code == 200
    for case in cases:
        assert case.v_number in page.text


def test_hosts_of_another_location_and_other_roles_are_refused(client, db, factory):
    session, cases = booked_session(db, factory)
    elsewhere = Location(name=f"Elders {uuid.uuid4().hex[:6]}", address="Elders")
    db.add(elsewhere)
    db.flush()
    stranger = factory.person(Role.HOST, "elsewhere", location=elsewhere.name)
    sign_in(client, stranger.user.username)
    for suffix in ("", ".csv", ".pdf"):
        refused = client.get(f"/sessions/{session.id}/roster{suffix}", headers=HTML)
        assert refused.status_code == 404, suffix
        assert cases[0].v_number not in refused.text
    client.cookies.clear()
    sign_in(client, factory.person(Role.LAWYER).user.username)
    assert client.get(f"/sessions/{session.id}/roster.csv", headers=HTML).status_code == 403


# Issue 14.5: a name ";=3+3" or " =1+1" came out unquoted, and Dutch Excel splits on ";".
EVALUATED = (";=3+3", " =1+1", "Ali;-2+3", "\t@SUM(A1)", "\uff1d1+1", "Sara, +31 6 1234")
FORMULA = ("=", "+", "-", "@", "\uff1d")


def naive_cells(line: str) -> list[str]:
    """The cells a spreadsheet sees that splits on ';' or ',' and ignores the quotes."""
    return [part.strip().strip('"').strip() for part in re.split("[;,]", line)]


def test_every_roster_field_is_quoted_and_no_cell_is_evaluated_on_either_separator(
    client, db, factory
):
    planner = factory.person(Role.PLANNER)
    session = factory.session("ar", seats=len(EVALUATED))
    for seat, name in enumerate(EVALUATED, start=1):
        case = factory.case_in(CaseState.CONSENTED, applicant_name=name)
        sessions.book(db, session, case, planner.actor, seat=seat)
    sign_in(client, planner.user.username)

    response = client.get(f"/sessions/{session.id}/roster.csv", headers=HTML)

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = text.split("\r\n")[:-1]
    assert len(lines) == 1 + len(EVALUATED)
    for line in lines:  # every field quoted: a separator stays inside its cell
        assert re.fullmatch(r'"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*', line), line
        for cell in naive_cells(line):
            assert not cell.startswith(FORMULA), (cell, line)
    rows = list(csv.reader(io.StringIO(text)))
    names = [row[2] for row in rows[1:]]
    assert names == [
        ";'=3+3",
        "' =1+1",
        "Ali;'-2+3",
        "'\t@SUM(A1)",
        "'\uff1d1+1",
        "Sara,' +31 6 1234",
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Amal Haddad", "Amal Haddad"),
        ("Haddad, Amal", "Haddad, Amal"),
        ("=1+1", "'=1+1"),
        ("  -1", "'  -1"),
        ("\r=1", "'\r=1"),
        ("a;@b", "a;'@b"),
        (None, ""),
        (4, "4"),
    ],
)
def test_the_shared_cell_rule(value, shown):
    assert safe_cell(value) == shown
