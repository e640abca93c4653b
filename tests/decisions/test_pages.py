"""The officer's and adviser's pages: the same rules as the API, through forms."""

from sqlalchemy import select

from service.models import Role
from service.models.decisions import Consultation
from service.workflow import CaseState
from tests.helpers import csrf_of, sign_in

S = CaseState
HTML = {"accept": "text/html", "accept-language": "en"}


def page(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, response.text
    return response


def post(client, path, data, form_page):
    token = csrf_of(client.get(form_page, headers=HTML).text)
    return client.post(
        path, data={"csrf_token": token, **data}, headers=HTML, follow_redirects=False
    )


def test_take_next_opens_the_workbench_with_every_layer(client, db, factory):
    officer = factory.officer()
    case = factory.case_in(S.READY_FOR_DECISION)
    db.commit()
    sign_in(client, officer.user.username)
    assert case.v_number in page(client, "/officer").text
    taken = post(client, "/officer/take-next", {}, "/officer")
    assert taken.status_code == 303
    assert taken.headers["location"].startswith("/officer/cases/")
    bench = page(client, taken.headers["location"]).text
    for marker in ("Applicant&#39;s answer", "Translation", "[NL]", "Record the decision"):
        assert marker in bench
    assert 'src="/static/js/workbench.js"' in bench
    # The PDF dossier's page opens for the officer in the same browser session.
    assert f'href="/dossier/{case.id}"' in bench
    assert page(client, f"/dossier/{case.id}").status_code == 200


def test_kansarm_cannot_be_decided_on_the_form_through_the_page(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.PHYSICAL_HEARING_REQUIRED, nationality="IR", languages=["fa"])
    db.commit()
    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{case.id}"
    assert "Record the decision" not in page(client, bench).text
    refused = post(
        client,
        f"{bench}/decision",
        {"outcome": "decided_on_form", "kind": "grant", "reason": "complete"},
        bench,
    )
    assert refused.status_code == 409
    assert "already decided" in refused.text
    db.refresh(case)
    assert case.state is S.PHYSICAL_HEARING_REQUIRED


def test_decision_form_errors_are_shown_beside_the_fields(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{case.id}"
    answer = post(
        client,
        f"{bench}/decision",
        {"outcome": "physical_hearing_required", "reason": "travel route"},
        bench,
    )
    assert answer.status_code == 422
    assert 'id="error-summary"' in answer.text
    assert 'href="#reason_codes"' in answer.text


def test_consultation_requested_answered_and_the_decision_taken_on_pages(client, db, factory):
    officer = factory.person(Role.OFFICER)
    coordinator = factory.person(Role.COORDINATOR, "conversion")
    case = factory.case_in(S.CLAIMED, coordinator_motives=["conversion"])
    db.commit()
    bench = f"/officer/cases/{case.id}"
    sign_in(client, officer.user.username)
    body = {"outcome": "decided_on_form", "kind": "grant", "reason": "Consistent account."}
    blocked = post(client, f"{bench}/decision", body, bench)
    assert blocked.status_code == 409
    assert "conversion" in blocked.text
    asked = post(
        client,
        f"{bench}/consultations",
        {"topic": "conversion", "question": "Church letter?"},
        bench,
    )
    assert asked.status_code == 303

    client.cookies.clear()
    sign_in(client, coordinator.user.username)
    assert case.v_number in page(client, "/coordinator").text
    advice_page = f"/advice/cases/{case.id}"
    assert "Church letter?" in page(client, advice_page).text
    request = db.scalar(select(Consultation).where(Consultation.case_id == case.id))
    sent = post(
        client,
        advice_page,
        {"consultation_id": str(request.id), "advice": "The letter is specific: weigh it."},
        advice_page,
    )
    assert sent.status_code == 303

    client.cookies.clear()
    sign_in(client, officer.user.username)
    assert post(client, f"{bench}/decision", body, bench).status_code == 303
    db.refresh(case)
    assert case.state is S.DECIDED_ON_FORM


def test_signal_raised_on_the_page_pulls_the_case_out(client, db, factory):
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(S.CLAIMED)
    db.commit()
    sign_in(client, officer.user.username)
    bench = f"/officer/cases/{case.id}"
    sent = post(
        client, f"{bench}/signal", {"signal_kind": "nv", "signal_reason": "Answer 9."}, bench
    )
    assert sent.status_code == 303
    db.refresh(case)
    assert case.state is S.EXCLUDED


def test_senior_reviews_on_the_page_and_the_team_lead_sees_the_team(client, db, factory):
    novice = factory.officer("novice", team="T", started_on=__import__("datetime").date.today())
    senior = factory.officer("senior", team="T", senior=True, team_lead=True)
    case = factory.case_in(S.READY_FOR_DECISION)
    db.commit()
    sign_in(client, novice.user.username)
    assert post(client, f"/officer/cases/{case.id}/release", {}, "/officer").status_code in (
        303,
        409,
    )
    taken = post(client, "/officer/take-next", {}, "/officer")
    bench = taken.headers["location"]
    body = {"outcome": "decided_on_form", "kind": "grant", "reason": "Consistent account."}
    assert post(client, f"{bench}/decision", body, bench).status_code == 303
    client.cookies.clear()
    sign_in(client, senior.user.username)
    assert "Officer in their first months" in page(client, "/officer/reviews").text
    assert post(client, f"{bench}/review", {"verdict": "sent_back"}, bench).status_code == 422
    back = post(client, f"{bench}/review", {"verdict": "sent_back", "remarks": "Weigh it."}, bench)
    assert back.status_code == 303
    team = page(client, "/officer/team").text
    assert novice.user.display_name in team


def test_a_coordinator_reads_the_advice_page_only_for_their_own_motive(client, db, factory):
    lgbti = factory.person(Role.COORDINATOR, "lgbti")
    case = factory.case_in(S.CLAIMED, coordinator_motives=["conversion"])
    db.commit()
    sign_in(client, lgbti.user.username)
    refused = client.get(f"/advice/cases/{case.id}", follow_redirects=False)
    assert refused.status_code == 404
    assert case.applicant_name not in refused.text


def test_the_workbench_reads_as_an_officer_needs_it(client, db, factory):
    """Answers beside the decision panel; answers in their own language and direction, not
    italic; the nationality by name; the handling time in words; Dutch dates."""
    officer = factory.officer()
    case = factory.case_in(S.READY_FOR_DECISION)
    case.nationality = "SY"
    db.commit()
    sign_in(client, officer.user.username)
    post(client, "/officer/take-next", {}, "/officer")
    dutch = {"accept": "text/html", "accept-language": "nl"}
    bench = client.get(f"/officer/cases/{case.id}", headers=dutch).text
    assert "<dd>Syrië</dd>" in bench
    answers, panel = bench.split('class="app-workbench__answers"')[1].split(
        'class="app-workbench__panel"'
    )
    assert "Antwoord van de aanvrager" in answers
    assert 'dir="auto"' in answers
    assert 'action="/officer/cases/' in panel
    assert "/decision" in panel
    assert 'class="app-when app-when--form"' in panel
    assert 'class="app-when app-when--hearing"' in panel
    assert "minuten;" not in bench
    assert "0." not in bench.split("Uw actieve tijd")[1][:60]
    css = client.get("/static/css/app.css").text
    assert ".app-question { font-style: italic" not in css.replace("\n", " ")
    assert ".app-decision:has(" in css
