"""The written registration interview (aanmeldgehoor), over HTTP with the right role at
every step: the planner selects a newly registered applicant, the applicant answers at a
kiosk session, the agency translates, the registration officer reads the prepared file,
and the answers go with the case into the later written hearing (officer, PDF dossier)."""

import io
import uuid
from datetime import timedelta

import time_machine
from sqlalchemy import select

from service.core.clock import utcnow
from service.core.settings import get_settings
from service.dossier import service as dossier
from service.models import Role
from service.models.cases import Case
from service.models.registration import RegistrationFile
from service.questionnaires.service import policy_form
from service.retention import service as retention
from service.workflow import CaseState
from tests.conftest import unique_v_number
from tests.dossier.test_dossier import pdf_text
from tests.factories import AGENCY, complete_answers
from tests.helpers import API, assert_problem, csrf_of, if_match, ok, sign_in
from tests.test_end_to_end import at_the_kiosk


def register(client, planner, lawyer, nationality="SY", language="ar", literacy="known"):
    """A newly registered applicant: imported, not screened."""
    v_number = unique_v_number()
    csv = (
        "v_number,applicant_name,date_of_birth,nationality,languages,date_of_application,"
        "lawyer,literacy\n"
        f"V{v_number},Amal Haddad,1991-04-17,{nationality},{language},2026-11-30,"
        f"{lawyer.user.email},{literacy}\n"
    )
    report = ok(
        client.post(
            f"{API}/cases/import?screen=false",
            headers=planner.headers,
            files={"file": ("new.csv", io.BytesIO(csv.encode()), "text/csv")},
        )
    )
    assert report["created"] == 1, report
    return ok(client.get(f"{API}/cases/by-v-number/{v_number}", headers=planner.headers))


def translate(client, planner, translator, case_id, prefix) -> list[str]:
    """The agency translates every item it is sent; returns the items' keys."""
    ok(
        client.post(
            f"{API}/cases/{case_id}/translation", headers=planner.headers, json={"agency": AGENCY}
        ),
        201,
    )
    work = ok(client.get(f"{API}/translations", headers=translator.headers))
    job = next(t for t in work if t["case_id"] == case_id)
    source = ok(client.get(f"{API}/translations/{job['id']}", headers=translator.headers))
    keys = [s["question_id"] for s in source["source"]]
    ok(
        client.put(
            f"{API}/translations/{job['id']}",
            headers=translator.headers,
            json={"answers_nl": {k: f"{prefix} {k}" for k in keys}},
        )
    )
    return keys


def test_registration_interview_to_prepared_file_and_on_into_the_hearing(client, db, factory):
    planner = factory.person(Role.PLANNER)
    lawyer = factory.person(Role.LAWYER)
    translator = factory.person(Role.TRANSLATOR)
    officer = factory.person(Role.OFFICER)
    admin = factory.person(Role.ADMIN)
    case = register(client, planner, lawyer)
    case_id = case["id"]
    assert case["state"] == "imported"

    # The planner selects the newly registered applicant.
    selected = ok(
        client.post(f"{API}/cases/{case_id}/registration-interview", headers=planner.headers)
    )
    assert (selected["state"], selected["track"]) == ("consented", "registration")

    # The kiosk shows the registration interview's form.
    registration_answers = complete_answers(policy_form("registration"))
    view = at_the_kiosk(client, planner, admin, case_id, "ar", registration_answers)
    assert view["form"]["id"] == "registration-interview", view["form"]
    # Translated through the same hand-off, it becomes a prepared file (not the lawyer's).
    translated = translate(client, planner, translator, case_id, "AANMELDING")
    moved = ok(client.get(f"{API}/cases/{case_id}", headers=planner.headers))
    assert moved["state"] == "registration_prepared"

    # The registration officer reads the prepared file: original and Dutch.
    files = ok(client.get(f"{API}/registration-files", headers=officer.headers))
    assert case_id in [f["case_id"] for f in files]
    prepared = ok(client.get(f"{API}/cases/{case_id}/registration-file", headers=officer.headers))
    assert [a["key"] for a in prepared["answers"]] == translated
    first = prepared["answers"][0]
    assert first["answer_nl"] == f"AANMELDING {first['key']}"
    assert first["answer"]
    # ... and on the page, in Dutch.
    sign_in(client, officer.user.username)
    listing = client.get("/officer/registration-files")
    assert listing.status_code == 200
    assert case["v_number"] in listing.text
    page = client.get(f"/officer/registration-files/{case_id}")
    assert page.status_code == 200, page.text[:500]
    assert "Voorbereid dossier voor het aanmeldgehoor" in page.text
    assert f"AANMELDING {first['key']}" in page.text
    client.cookies.clear()
    sign_in(client, planner.user.username)
    planner_view = client.get(f"/planner/cases/{case_id}")
    assert planner_view.status_code == 200
    assert "Aanmeldgehoor voorbereid voor de medewerker" in planner_view.text
    client.cookies.clear()
    # Reported separately: counted and timed.
    counted = ok(client.get(f"{API}/registration-interviews/figures", headers=planner.headers))
    assert counted["prepared"] >= 1
    assert counted["mean_days_to_prepared"] is not None
    # No decision is taken on it: the decision queue does not hold it.
    queue = ok(client.get(f"{API}/decision-queue", headers=officer.headers))
    assert case_id not in [c["id"] for c in queue]

    # The case is screened for the written hearing and goes its way with its own form.
    screening = ok(client.post(f"{API}/cases/{case_id}/screening", headers=planner.headers))
    assert screening["outcome"] == "eligible_replacing", screening
    ok(client.post(f"{API}/cases/{case_id}/invitation", json={}, headers=planner.headers), 201)
    invitation = next(
        i
        for i in ok(client.get(f"{API}/invitations?status=open", headers=lawyer.headers))
        if i["case_id"] == case_id
    )
    ok(
        client.post(
            f"{API}/invitations/{invitation['id']}/reply",
            json={"consent": True, "note": "client agrees"},
            headers=lawyer.headers,
        )
    )
    hearing_answers = factory.full_answers()
    view = at_the_kiosk(client, planner, admin, case_id, "ar", hearing_answers)
    assert view["form"]["id"] == "written-hearing"
    hearing_items = translate(client, planner, translator, case_id, "GEHOOR")
    ok(
        client.post(
            f"{API}/cases/{case_id}/no-corrections",
            headers=if_match(client, case_id, lawyer.headers),
        )
    )
    ok(client.post(f"{API}/cases/{case_id}/claim", headers=officer.headers))

    # The officer's workbench shows the registration interview's answers beside the hearing's.
    sign_in(client, officer.user.username)
    workbench = client.get(f"/officer/cases/{case_id}")
    assert workbench.status_code == 200
    assert "Antwoorden van het aanmeldgehoor" in workbench.text
    assert f"AANMELDING {first['key']}" in workbench.text
    assert f"GEHOOR {hearing_items[0]}" in workbench.text

    # And the PDF dossier holds them as the registration interview's answers.
    db.expire_all()
    text = pdf_text(
        dossier.render_pdf(dossier.content(db, db.get_one(Case, uuid.UUID(case_id)), "staff"))
    )
    assert "Antwoorden van het aanmeldgehoor" in text
    assert f"AANMELDING {first['key']}" in text


def test_selection_refuses_ineligible_cases_in_dutch(client, factory):
    planner = factory.person(Role.PLANNER)
    lawyer = factory.person(Role.LAWYER)
    low = register(client, planner, lawyer, literacy="low")
    refused = assert_problem(
        client.post(f"{API}/cases/{low['id']}/registration-interview", headers=planner.headers),
        409,
        "not_eligible_for_registration",
    )
    assert "low literacy" in refused["detail"]
    # A case already screened for the hearing is not newly registered.
    screened = register(client, planner, lawyer)
    ok(client.post(f"{API}/cases/{screened['id']}/screening", headers=planner.headers))
    assert_problem(
        client.post(
            f"{API}/cases/{screened['id']}/registration-interview", headers=planner.headers
        ),
        409,
        "illegal_transition",
    )
    # The page says why, in Dutch, and keeps the case unselected.
    sign_in(client, planner.user.username)
    page = client.get("/planner/registration-interview")
    assert page.status_code == 200
    assert low["v_number"] in page.text
    answer = client.post(
        f"/planner/registration-interview/{low['id']}",
        data={"csrf_token": csrf_of(page.text)},
        headers={"accept": "text/html"},
    )
    assert answer.status_code == 409
    assert "Kan niet selecteren voor het aanmeldgehoor" in answer.text
    assert "beperkt geletterd" in answer.text
    state = ok(client.get(f"{API}/cases/{low['id']}", headers=planner.headers))["state"]
    assert state == "imported"


def test_figures_count_and_time_the_registration_interviews(client, factory):
    planner = factory.person(Role.PLANNER)
    lawyer = factory.person(Role.LAWYER)
    case = register(client, planner, lawyer)
    before = ok(client.get(f"{API}/registration-interviews/figures", headers=planner.headers))
    ok(client.post(f"{API}/cases/{case['id']}/registration-interview", headers=planner.headers))
    after = ok(client.get(f"{API}/registration-interviews/figures", headers=planner.headers))
    assert after["selected"] == before["selected"] + 1
    assert after["underway"] == before["underway"] + 1
    sign_in(client, planner.user.username)
    page = client.get("/planner/registration-interview")
    assert "Hoeveel, hoe lang" in page.text


def test_retention_empties_the_registration_answers(db, factory):
    """A closed case that took the registration interview loses its answers there too."""
    case = factory.case_in(CaseState.EXCLUDED)
    db.add(
        RegistrationFile(
            case_id=case.id,
            form_id="registration-interview",
            form_version=1,
            language="ar",
            answers={"full_name": "أمل حداد"},
            answers_nl={"full_name": "Amal Haddad"},
        )
    )
    db.flush()
    with time_machine.travel(utcnow() + timedelta(days=get_settings().retention_days + 1)):
        assert retention.anonymise(db, case.id) is True
    db.expire_all()
    kept = db.scalars(select(RegistrationFile).where(RegistrationFile.case_id == case.id)).one()
    assert (kept.answers, kept.answers_nl) == ({}, {})
