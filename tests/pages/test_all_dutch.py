"""Every page in Dutch is all Dutch: each role walks every GET page the app has, in ``nl``,
and no page shows an English text of the catalogue (a message id whose Dutch differs).

Regression (issue 15): timeline reasons ("imported from file"), actor names
("applicant"), the translator's notes ("yes/no answer, in Dutch: Ja") and the problem
details of error pages ("No case ... that you may see.") were shown in English.

The pages are read from the app's routers, so a page added later is walked too; a page
this test does not open is listed in SKIPPED with why. PDFs are read as their text.
"""

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.routing import APIRoute
from pypdf import PdfReader
from sqlalchemy import select

from service.core.formatting import in_english, in_language
from service.core.i18n import LOCALE_DIR, N_
from service.main import DEV_PAGES, FIRST_PAGES, PAGES
from service.models import Role
from service.models.attention import AttentionPoint
from service.models.cases import Case
from service.models.invitations import Invitation
from service.models.messages import Message
from service.models.sessions import Booking
from service.models.translation import Translation
from service.workflow import CaseState
from tests.attention.conftest import PRISON_AR, PRISON_NL, publish_list, translated
from tests.conftest import unique_v_number
from tests.factories import Factory
from tests.helpers import API, csrf_of, ok, sign_in

# Pages this test does not open, and why.
SKIPPED = {
    "/language/{code}": "switches the page language away from nl",
    "/sign-in/oidc": "redirects to the external OpenID provider",
    "/sign-in/oidc/callback": "answers the external OpenID provider",
    "/planner/imports/{run_id}/results.csv": "a data file (column keys), not a page",
    "/sessions/{session_id}/roster.csv": "a data file (column keys), not a page",
    "/planner/exports/events.csv": "a data file for analysts (event codes), not a page",
    "/planner/exports/events.xes": "a data file for analysts (event codes), not a page",
    "/agency/jobs/{translation_id}/xliff": "the translator's XLIFF file, not a page",
    "/cases/{case_id}/attachments/{attachment_id}": "the lawyer's own uploaded file",
    "/interpreter/audio/{form_id}/{version}/{language}/{item_id}.ogg": "a spoken prompt",
    "/agency/jobs/{translation_id}/package": "the translator's ZIP file, not a page",
    "/agency/jobs/{translation_id}/recordings/{question_id}.ogg": "a spoken answer (audio)",
    "/cases/{case_id}/recordings/{question_id}.ogg": "a spoken answer (audio)",
    "/form-versions/{draft_id}/translations/{language}.xlf": "the agency's XLIFF file",
}
# Kiosk pages are in the applicant's language; a Dutch kiosk session has its own test.
KIOSK = "/kiosk"
STAFF_ROLES = [r for r in Role if r is not Role.APPLICANT]

PAGE_ROUTES = [
    route.path
    for router in (*FIRST_PAGES, *PAGES, *DEV_PAGES)
    for route in router.routes
    if isinstance(route, APIRoute) and "GET" in route.methods
]


# --- the English texts ------------------------------------------------------------------


def _catalogue(path: Any) -> Any:
    with path.open("rb") as file:
        return read_po(file, locale="nl")


def english_texts(domain: str = "messages") -> list[str]:
    """The catalogue's English texts that read differently in Dutch, as a reader sees
    them: placeholders split off; too short or too common to tell (OK, PDF) left out."""
    dutch = _catalogue(LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{domain}.po")
    found: set[str] = set()
    for message in _catalogue(LOCALE_DIR / f"{domain}.pot"):
        if not message.id or isinstance(message.id, tuple):
            continue
        translated = dutch.get(message.id)
        if translated is None or not translated.string or translated.string == message.id:
            continue
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", message.id):
            part = " ".join(part.split()).strip(" .,:;·()")
            if len(part) >= 6 and (" " in part or len(part) >= 8):
                found.add(part)
    return sorted(found, key=len, reverse=True)


ENGLISH = english_texts()
# The kiosk's own catalogue (the applicant's languages) as well, for a Dutch kiosk session.
KIOSK_ENGLISH = english_texts("kiosk")


class VisibleText(HTMLParser):
    """What a reader sees of a page: its text, and the labels read aloud (aria-label,
    title, alt, placeholder, a button's value); not scripts, styles or hidden values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        found = dict(attrs)
        for name in ("aria-label", "title", "alt", "placeholder"):
            if found.get(name):
                self.parts.append(str(found[name]))
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.parts.append(str(found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/pdf"):
        text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    else:
        parser = VisibleText()
        parser.feed(response.text)
        text = "\n".join(parser.parts)
    return " ".join(text.split())


def english_in(text: str, texts: list[str] = ENGLISH) -> list[str]:
    found = []
    for english in texts:
        at = text.find(english)
        while at != -1:
            end = at + len(english)
            before, after = text[at - 1 : at] or " ", text[end : end + 2] or " "
            # A word of its own, not part of one ("Translator.Default.3f2a", a user name).
            if not (
                before.isalnum() or after[0].isalnum() or (after[:1] == "." and after[1:].isalnum())
            ):
                found.append(english)
                break
            at = text.find(english, at + 1)
    return found


# --- the cases ----------------------------------------------------------------------------


@dataclass
class World:
    """Cases in the states that show the most, and the ids their pages take."""

    ids: dict[str, list[str]]

    def urls(self, path: str) -> Iterator[str]:
        names = re.findall(r"\{(\w+)\}", path)
        filled = [path]
        for name in names:
            if name not in self.ids:
                pytest.fail(f"GET {path}: this test does not know how to fill {{{name}}}")
            filled = [f.replace(f"{{{name}}}", v) for f in filled for v in self.ids[name]]
        yield from filled


def imported_and_excluded(client: Any, factory: Factory) -> Case:
    """A case from an import file that screening excludes (literacy): 'imported from file'."""
    row = {
        "v_number": unique_v_number(),
        "applicant_name": "Yonas Tesfay",
        "date_of_birth": "1990-02-03",
        "nationality": "ER",
        "languages": ["ti"],
        "date_of_application": "2019-06-01",
        "lawyer": factory.person(Role.LAWYER).user.username,
        "literacy": "low",
    }
    planner = factory.person(Role.PLANNER)
    upload = {"file": ("backlog.json", json.dumps([row]).encode(), "application/json")}
    ok(client.post(f"{API}/cases/import", headers=planner.headers, files=upload))
    return factory.db.scalars(select(Case).where(Case.v_number == row["v_number"])).one()


def _proposal_in_a_draft(factory: Factory) -> tuple[uuid.UUID, uuid.UUID]:
    """A partner's new question accepted into a draft (texts to translate, publishing
    refused), for the proposal, owner's and agency's pages."""
    from service.proposals import service as proposals
    from service.proposals.schemas import ProposalIn

    data = ProposalIn(
        kind="add",
        section_id="journey",
        question_id="border_crossing",
        label="Hoe bent u de grens overgestoken?",
        reason="Helpt de reis te plaatsen.",
    )
    partner, owner = factory.person(Role.PARTNER).actor, factory.person(Role.FORM_OWNER).actor
    proposal = proposals.propose(factory.db, partner, data)
    draft = proposals.accept(factory.db, owner, proposal)
    return proposal.id, draft.id


@pytest.fixture
def world(client, db, factory) -> World:
    cases = [
        factory.case_in(CaseState.DECIDED_ON_FORM),
        factory.case_in(CaseState.WITH_LAWYER),
        factory.case_in(CaseState.IN_TRANSLATION),
        factory.case_in(CaseState.CLAIMED),
        imported_and_excluded(client, factory),
    ]
    # Unit 1F's published list, and a case with an attention point from it.
    made = publish_list(db, factory.person(Role.UNIT_1F).actor)
    cases.append(translated(factory, f"في {PRISON_AR}", f"In {PRISON_NL}.")[0])
    case_ids = [c.id for c in cases]
    proposal, draft = _proposal_in_a_draft(factory)

    def of(column: Any, where: Any) -> list[str]:
        return [str(v) for v in db.scalars(select(column).where(where.in_(case_ids)))]

    return World(
        {
            "case_id": [str(c) for c in case_ids],
            "session_id": sorted(set(of(Booking.session_id, Booking.case_id))),
            "booking_id": of(Booking.id, Booking.case_id)[:2],
            "location_id": [str(factory.location().id)],
            "translation_id": of(Translation.id, Translation.case_id),
            "invitation_id": of(Invitation.id, Invitation.case_id)[:2],
            "message_id": of(Message.id, Message.case_id)[:3],
            "attachment_id": [str(uuid.uuid4())],
            "user_id": [str(factory.person(Role.OFFICER).user.id)],
            "run_id": [str(uuid.uuid4())],
            "token": ["no-such-reset-link"],
            "section_id": ["identity"],
            "name": ["no-such-message.eml"],
            "code": ["nl"],
            "form_id": ["written-hearing"],
            "version": ["2"],
            "language": ["ti"],
            "list_id": [str(made.id)],
            "point_id": of(AttentionPoint.id, AttentionPoint.case_id),
            "proposal_id": [str(proposal)],
            "draft_id": [str(draft)],
        }
    )


def walk(client: Any, world: World) -> dict[str, list[str]]:
    """Every page's English texts, by URL (each page opened in Dutch)."""
    client.cookies.set("lang", "nl")
    found: dict[str, list[str]] = {}
    for path in PAGE_ROUTES:
        if path in SKIPPED or path.startswith(KIOSK):
            continue
        for url in world.urls(path):
            response = client.get(url, headers={"accept": "text/html", "accept-language": "nl"})
            assert response.status_code < 500, (url, response.text[:2000])
            if english := english_in(visible(response)):
                found[f"GET {url} ({response.status_code})"] = english
    return found


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {english}" for url, english in found.items())


def test_the_catalogue_gives_the_walk_english_to_look_for():
    assert len(ENGLISH) > 300
    assert len(KIOSK_ENGLISH) > 30
    assert "Steps so far" in ENGLISH
    assert english_in("Stap · Steps so far · Wanneer") == ["Steps so far"]
    assert english_in("Steps so farther") == []


def test_every_page_skipped_exists():
    assert set(SKIPPED) <= set(PAGE_ROUTES)


def test_every_page_is_dutch_for_every_role(client, factory, world):
    found: dict[str, list[str]] = {}
    for role in STAFF_ROLES:
        person = factory.officer() if role is Role.OFFICER else factory.person(role)
        client.cookies.clear()
        assert sign_in(client, person.user.username).status_code == 303
        found |= {f"{role}: {url}": english for url, english in walk(client, world).items()}
    if found:
        pytest.fail(f"English on Dutch pages:\n{report(found)}")


# --- the service's sentences, read back -------------------------------------------------


def test_a_reason_is_stored_in_english_and_shown_in_the_page_language_and_local_time():
    starts = datetime(2026, 12, 6, 14, 7, tzinfo=UTC)
    written = in_english(N_("seat %(seat)s at session %(starts_at)s"), seat=1, starts_at=starts)
    assert written == "seat 1 at session 2026-12-06 14:07"  # as the API and the log keep it
    assert in_language(written, "nl") == "plaats 1 in de sessie van 6 dec 2026 15:07"
    due = in_english(N_("invitation sent to lawyer, reply by %(due)s"), due=date(2027, 1, 19))
    assert (
        in_language(due, "nl")
        == "uitnodiging naar de advocaat gestuurd, antwoord uiterlijk 19 jan 2027"
    )
    # What a person typed inside a sentence, or as the whole reason, stays as typed.
    typed = in_english(N_("consent withdrawn: %(reason)s"), reason="imported from file")
    assert in_language(typed, "nl") == "instemming ingetrokken: imported from file"
    assert in_language("Ik trek mijn instemming in.", "nl") == "Ik trek mijn instemming in."
    assert in_language("", "nl") == ""


def test_the_api_keeps_the_english_the_page_shows_dutch(client, factory):
    case = factory.case_in(CaseState.SUBMITTED)
    planner = factory.person(Role.PLANNER)
    timeline = ok(client.get(f"{API}/cases/{case.id}/timeline", headers=planner.headers))
    assert "form handed in by the applicant" in [e["reason"] for e in timeline]
    assert sign_in(client, planner.user.username).status_code == 303
    page = visible(client.get(f"/planner/cases/{case.id}", headers={"accept": "text/html"}))
    assert "formulier ingeleverd door de aanvrager" in page
    missing = f"{API}/cases/{uuid.UUID(int=7)}"
    problem = client.get(missing, headers=planner.headers).json()
    assert problem["detail"] == f"No case {uuid.UUID(int=7)} that you may see."
    shown = visible(
        client.get(f"/planner/cases/{uuid.UUID(int=7)}", headers={"accept": "text/html"})
    )
    assert f"Geen zaak {uuid.UUID(int=7)} die u mag zien." in shown


# Forms sent as they come (nothing filled in), each refused: the page that answers is Dutch.
REFUSED_POSTS = [
    (Role.UNIT_1F, "/unit1f/lists", "/unit1f/lists"),
    (Role.UNIT_1F, "/unit1f/lists", "/unit1f/lists/{list}/indicators"),
    (Role.UNIT_1F, "/unit1f/lists", "/attention/points/{point}/dismissal"),
    (Role.UNIT_1F, "/unit1f/lists", "/attention/points/{point}/signal"),
    (Role.LAWYER, "/lawyer", "/lawyer/cases/{with_lawyer}/send"),
    (Role.LAWYER, "/lawyer", "/lawyer/cases/{with_lawyer}/corrections"),
    (Role.LAWYER, "/lawyer", "/lawyer/cases/{decided}/no-corrections"),
    (Role.PLANNER, "/planner", "/planner/cases/{decided}/invitation"),
    (Role.PLANNER, "/planner", "/planner/cases/{decided}/withdraw"),
    (Role.PLANNER, "/planner", "/planner/cases/{decided}/terms"),
    (Role.PLANNER, "/planner", "/planner/cases/{excluded}/translation"),
    (Role.OFFICER, "/officer", "/officer/cases/{claimed}/decision"),
    (Role.OFFICER, "/officer", "/officer/cases/{decided}/release"),
    (Role.HOST, "/host", "/host/bookings/{booking}/check-in"),
    (Role.HOST, "/host", "/host/bookings/{booking}/assisted-filling"),
    (Role.TRANSLATOR, "/agency", "/agency/jobs/{job}/translate"),
]


def test_pages_after_a_refused_form_are_dutch(client, factory, world):
    decided, with_lawyer, _, claimed, excluded, *_ = world.ids["case_id"]
    ids = {
        "decided": decided,
        "with_lawyer": with_lawyer,
        "claimed": claimed,
        "excluded": excluded,
        "booking": world.ids["booking_id"][0],
        "job": world.ids["translation_id"][0],
        "list": world.ids["list_id"][0],
        "point": world.ids["point_id"][0],
    }
    found: dict[str, list[str]] = {}
    statuses = set()
    signed_in = None
    for role, start, path in REFUSED_POSTS:  # by role: each signs in once
        if role is not signed_in:
            person = factory.officer() if role is Role.OFFICER else factory.person(role)
            client.cookies.clear()
            assert sign_in(client, person.user.username).status_code == 303
            signed_in = role
        token = csrf_of(client.get(start, headers={"accept": "text/html"}).text)
        url = path.format(**ids)
        response = client.post(url, data={"csrf_token": token}, headers={"accept": "text/html"})
        assert response.status_code < 500, (url, response.text[:2000])
        statuses.add(response.status_code)
        if english := english_in(visible(response)):
            found[f"{role}: POST {url} ({response.status_code})"] = english
    assert statuses & {409, 422}, statuses  # the forms were refused, not taken
    if found:
        pytest.fail(f"English on Dutch pages after a refusal:\n{report(found)}")


def test_the_emails_in_dutch_are_all_dutch(db, world):
    case_ids = [uuid.UUID(c) for c in world.ids["case_id"]]
    messages = db.scalars(select(Message).where(Message.case_id.in_(case_ids))).all()
    dutch = [m for m in messages if m.language == "nl"]
    assert dutch, [m.language for m in messages]
    found = {
        f"{m.kind} {m.subject}": english
        for m in dutch
        if (english := english_in(" ".join(f"{m.subject} {m.body_text}".split())))
    }
    assert not found, found


def test_a_kiosk_session_in_dutch_is_all_dutch(client, factory):
    driver = factory.driver()
    case = factory.case()
    driver.drive(case, CaseState.CHECKED_IN)
    html = {"accept": "text/html"}
    page = client.get("/kiosk?lang=nl", headers=html)
    data = {
        "code": driver.kiosk_codes[case.v_number],
        "lang": "nl",
        "csrf_token": csrf_of(page.text),
    }
    consent = client.post("/kiosk", data=data, headers=html)
    assert 'lang="nl"' in consent.text
    data = {"lang": "nl", "choice": "yes", "csrf_token": csrf_of(consent.text)}
    first = client.post("/kiosk/consent", data=data, headers=html)
    assert first.url.path.startswith("/kiosk/sections/")
    # A section sent empty: refused beside the fields, or kept for later.
    data = {"action": "next", "csrf_token": csrf_of(first.text)}
    refused = client.post(first.url.path, data=data, headers=html)
    pages = [page, consent, first, refused, client.get("/kiosk/review", headers=html)]
    assert {p.status_code for p in pages} <= {200, 422}
    found = [
        (str(p.url.path), english)
        for p in pages
        if (english := english_in(visible(p), ENGLISH + KIOSK_ENGLISH))
    ]
    assert not found, found
