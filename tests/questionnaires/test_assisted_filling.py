"""Assisted filling (issue 19): where the case's policy allows it and the applicant
consents, the host or the session's interpreter types the answers at the kiosk. Every
answer records who typed it; the lawyer's and the officer's pages and the PDF say so;
the report counts it apart."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.dossier import service as dossier
from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import Role
from service.models.cases import Case, CaseEventRow
from service.models.sessions import Helper
from service.questionnaires import service as questionnaires
from service.questionnaires.kiosk_texts import kiosk_gettext
from service.questionnaires.schemas import TypedBy
from service.reports import queries as reports
from service.reports.schemas import Period
from service.sessions import service as sessions
from service.sessions.schemas import AssistIn
from service.terms.policy import local_date
from service.workflow import CaseState
from tests.dossier.test_dossier import pdf_text
from tests.factories import Factory
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in
from tests.questionnaires.test_kiosk_pages import post, sign_in_at_kiosk

ASSISTED, WITHOUT = "ind-2026-assisted", "ind-2026-spoken"
NL = {"accept": "text/html", "accept-language": "nl"}


def scheduled(db: Session, factory: Factory, policy: str) -> Case:
    """A kansrijk Arabic-speaking case screened under ``policy``, with a seat today."""
    case = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(policy))
    factory.driver().drive(case, CaseState.SCHEDULED)
    return case


def check_in(client: TestClient, factory: Factory, case: Case, assisted: Any) -> Any:
    body = factory.identity(case) | {"applicant_consent_confirmed": True}
    if assisted is not None:
        body["assisted_filling"] = assisted
    host = factory.person(Role.HOST)
    booking = factory.booking(case)
    return client.post(f"{API}/bookings/{booking.id}/check-in", headers=host.headers, json=body)


def test_only_where_the_policy_allows_it_and_only_with_the_applicants_consent(
    client: TestClient, db: Session, factory: Factory
) -> None:
    consenting = {"helper": "interpreter", "applicant_consent": True}
    not_allowed = scheduled(db, factory, WITHOUT)
    refused = check_in(client, factory, not_allowed, consenting)
    assert (
        "ind-2026-spoken" in assert_problem(refused, 409, "assisted_filling_not_allowed")["detail"]
    )
    assert factory.booking(not_allowed).checked_in_at is None  # nothing changed

    allowed = scheduled(db, factory, ASSISTED)
    no_consent = check_in(client, factory, allowed, consenting | {"applicant_consent": False})
    assert_problem(no_consent, 422, "assist_consent_missing")
    assert factory.booking(allowed).assisted_by is None

    ok(check_in(client, factory, allowed, consenting))
    booking = factory.booking(allowed)
    assert booking.assisted_by == "interpreter"
    assert booking.assisted_by_interpreter_id is not None
    assert booking.assist_consent_by_id == factory.person(Role.HOST).user.id
    assert booking.assist_consent_at is not None
    events = db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == allowed.id)).all()
    assert any("assisted filling by the interpreter" in str(e.reason) for e in events)

    policies = ok(
        client.get(f"{API}/eligibility/policies", headers=factory.person(Role.PLANNER).headers)
    )
    flags = {p["version"]: p["assisted_filling"] for p in policies}
    assert (flags[ASSISTED], flags[WITHOUT]) == (True, False)


def test_every_answer_records_who_typed_it(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = scheduled(db, factory, ASSISTED)
    code = ok(check_in(client, factory, case, {"helper": "host", "applicant_consent": True}))
    assert code["booking"]["assisted_by"] == "host"
    factory.driver().drive(case, CaseState.IN_PROGRESS)
    headers = factory.applicant_headers(case)
    url = f"{API}/kiosk/answers"

    helped = client.put(
        url, headers=headers, json={"answers": {"full_name": "Amal"}, "typed_by": "helper"}
    )
    assert ok(helped)["typed_by"] == {"full_name": "host"}
    host_id = str(factory.person(Role.HOST).user.id)
    typists = questionnaires.answer_set_of(db, case).typists  # type: ignore[union-attr]
    assert typists == {"full_name": {"role": "host", "id": host_id}}

    # The applicant types another answer: the helper's stays theirs. The same answer sent
    # again (a whole section's post) changes nothing; a changed one becomes the applicant's.
    own = {"answers": {"full_name": "Amal", "place_of_birth": "Aleppo"}}
    assert ok(client.put(url, headers=headers, json=own))["typed_by"] == {"full_name": "host"}
    changed = {"answers": {"full_name": "Amal Haddad"}}
    assert ok(client.put(url, headers=headers, json=changed))["typed_by"] == {}


def test_nobody_types_for_an_applicant_without_assisted_filling(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case_in(CaseState.IN_PROGRESS)
    headers = factory.applicant_headers(case)
    body = {"answers": {"full_name": "Amal"}, "typed_by": "helper"}
    assert_problem(
        client.put(f"{API}/kiosk/answers", headers=headers, json=body), 409, "not_assisted"
    )
    assert questionnaires.answer_set_of(db, case).answers == {}  # type: ignore[union-attr]


def kiosk_section(client: TestClient, code: str) -> Any:
    consent = sign_in_at_kiosk(client, code)
    return post(
        client,
        "/kiosk/consent",
        consent.text,
        {"lang": "ar", "choice": "yes"},
        follow_redirects=True,
    )


def test_the_kiosk_page_asks_who_is_typing_and_refuses_in_the_applicants_language(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = scheduled(db, factory, ASSISTED)
    assisted = {"helper": "interpreter", "applicant_consent": True}
    section = kiosk_section(client, ok(check_in(client, factory, case, assisted))["kiosk_code"])
    ar = kiosk_gettext("ar")
    assert ar("The interpreter types for me") in section.text
    assert 'name="typed_by" value="helper" checked' in section.text
    fields = {"full_name": "أمل حداد", "typed_by": "helper", "action": "next"}
    post(client, "/kiosk/sections/identity", section.text, fields)
    typists = questionnaires.answer_set_of(db, case).typists  # type: ignore[union-attr]
    assert typists["full_name"]["role"] == "interpreter"
    autosave = {
        "place_of_birth": "حلب",
        "typed_by": "applicant",
        "csrf_token": csrf_of(section.text),
    }
    assert client.post("/kiosk/autosave/identity", data=autosave).json()["saved"] is True
    typists = questionnaires.answer_set_of(db, case).typists  # type: ignore[union-attr]
    assert set(typists) == {"full_name"}

    # Without assisted filling the kiosk shows no choice; a forged one is refused in Arabic.
    other = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, other, factory.person(Role.PLANNER).actor, load_policy(ASSISTED))
    driver = factory.driver()
    driver.drive(other, CaseState.CHECKED_IN)
    client.cookies.clear()
    plain = kiosk_section(client, driver.kiosk_codes[other.v_number])
    assert 'name="typed_by"' not in plain.text
    refused = post(client, "/kiosk/sections/identity", plain.text, fields)
    assert refused.status_code == 409
    assert ar("Nobody may type for you here. Ask the host.") in refused.text
    assert (
        ar("Nobody may type for you here. Ask the host.")
        != "Nobody may type for you here. Ask the host."
    )
    assert questionnaires.answer_set_of(db, other).answers == {}  # type: ignore[union-attr]


def test_the_host_switches_assisted_filling_on_for_a_checked_in_seat(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(ASSISTED))
    factory.driver().drive(case, CaseState.IN_PROGRESS)
    booking = factory.booking(case)
    host = factory.person(Role.HOST)
    db.commit()
    sign_in(client, host.user.username)
    seats = client.get(f"/host/sessions/{booking.session_id}", headers=NL)
    url = f"/host/bookings/{booking.id}/assisted-filling"
    assert f'href="{url}"' in seats.text
    form = client.get(url, headers=NL)
    assert form.status_code == 200
    assert "Invullen met hulp" in form.text

    refused = post(client, url, form.text, {"assisted": "host"})
    assert refused.status_code == 422
    assert "Vraag het eerst aan de aanvrager" in refused.text
    assert factory.booking(case).assisted_by is None
    unchosen = post(client, url, form.text, {"assist_consent": "yes"})
    assert unchosen.status_code == 422
    assert "Kies wie de antwoorden voor de aanvrager typt." in unchosen.text

    chosen = {"assisted": "host", "assist_consent": "yes"}
    done = post(client, url, form.text, chosen, follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    assert factory.booking(case).assisted_by == "host"
    assert (
        "Invullen met hulp staat aan"
        in client.get(f"/host/sessions/{booking.session_id}", headers=NL).text
    )


def test_the_host_switches_it_on_at_check_in_on_the_page(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = scheduled(db, factory, ASSISTED)
    booking = factory.booking(case)
    host = factory.person(Role.HOST)
    db.commit()
    sign_in(client, host.user.username)
    url = f"/host/bookings/{booking.id}/check-in"
    form = client.get(url, headers=NL)
    assert 'name="assisted" value="interpreter"' in form.text
    typed = factory.identity(case) | {"consent": "yes", "assisted": "interpreter"}
    refused = post(client, url, form.text, typed)
    assert refused.status_code == 422
    assert 'id="assist_consent-error"' in refused.text
    assert "Vraag het eerst aan de aanvrager" in refused.text
    db.expire_all()
    assert factory.booking(case).checked_in_at is None  # refused as a whole

    checked_in = post(client, url, refused.text, typed | {"assist_consent": "yes"})
    assert checked_in.status_code == 200
    db.expire_all()
    assert factory.booking(case).assisted_by == "interpreter"
    assert factory.booking(case).checked_in_at is not None


def test_the_lawyer_the_officer_the_pdf_and_the_report_see_the_help(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(ASSISTED))
    driver = factory.driver()
    driver.drive(case, CaseState.CHECKED_IN)
    assisted = AssistIn(helper=Helper.HOST, applicant_consent=True)
    sessions.assist(db, factory.booking(case), factory.person(Role.HOST).actor, assisted)
    driver.drive(case, CaseState.IN_PROGRESS)
    helped = {"full_name": factory.full_answers(case)["full_name"]}  # what the driver saves too
    questionnaires.save_section(db, case.id, None, helped, TypedBy.HELPER)
    driver.drive(case, CaseState.WITH_LAWYER)
    typed_by_host = "Getypt door de gastvrouw/gastheer namens de aanvrager"

    lawyer = factory.person(Role.LAWYER)
    db.commit()
    sign_in(client, lawyer.user.username)
    page = client.get(f"/lawyer/cases/{case.id}/translation", headers=NL).text
    assert 'data-assisted="host"' in page
    assert page.count(typed_by_host) == 1  # beside the one answer the host typed
    answers = ok(client.get(f"{API}/cases/{case.id}/answers", headers=lawyer.headers))
    assert answers["typed_by"] == {"full_name": "host"}  # the role, no staff name or id

    text = pdf_text(dossier.render_pdf(dossier.content(db, case, "lawyer")))
    assert "Ingevuld met hulp" in text
    assert typed_by_host in text.replace("\n", " ")

    driver.drive(case, CaseState.READY_FOR_DECISION)
    officer = factory.officer()
    db.commit()
    client.cookies.clear()
    sign_in(client, officer.user.username)
    start = client.get("/officer", headers=NL)
    taken = client.post("/officer/take-next", data={"csrf_token": csrf_of(start.text)}, headers=NL)
    bench = taken.text
    assert 'data-assisted="host"' in bench
    assert bench.count(typed_by_host) == 1

    today = local_date(utcnow())
    total = reports.by_nationality(db, Period(start=today, end=today))[-1]
    assert (total.assisted_filling, total.low_literacy) == (1, 0)
