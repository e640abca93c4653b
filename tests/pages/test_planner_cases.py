"""The planner's case list, case page and invitations on pages: search by V-number and
name (over encrypted names), filters with counts, paging, the case page's actions, and
inviting one case or a selection with a preview, through the API's own service."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from service.main import app
from service.models import Case, Invitation, Role
from service.workflow import CaseState
from tests.helpers import csrf_of, sign_in

HTML = {"accept": "text/html"}


def planner_browser(factory) -> TestClient:
    planner = factory.person(Role.PLANNER)
    browser = TestClient(app, raise_server_exceptions=False)
    assert sign_in(browser, planner.user.username).status_code == 303
    return browser


def post(browser, page_path: str, action: str, data):
    page = browser.get(page_path, headers=HTML)
    return browser.post(
        action,
        data={"csrf_token": csrf_of(page.text), **data},
        headers=HTML,
        follow_redirects=False,
    )


def test_the_list_finds_cases_by_v_number_and_by_words_of_the_encrypted_name(client, factory):
    amal = factory.case(applicant_name="Amal Haddad")
    reza = factory.case(applicant_name="Réza Ahmadi", nationality="IR", languages=["fa"])
    browser = planner_browser(factory)

    by_number = browser.get(f"/planner/cases?q=V{amal.v_number}", headers=HTML)
    assert by_number.status_code == 200
    assert f'href="/planner/cases/{amal.id}"' in by_number.text
    assert f'href="/planner/cases/{reza.id}"' not in by_number.text
    # Case- and accent-insensitive, whole words, all words must match.
    by_name = browser.get("/planner/cases?q=reza+AHMADI", headers=HTML)
    assert f'href="/planner/cases/{reza.id}"' in by_name.text
    assert f'href="/planner/cases/{amal.id}"' not in by_name.text
    assert "Gevonden zaken: 1" in by_name.text
    nobody = browser.get("/planner/cases?q=amal+ahmadi", headers=HTML)
    assert "Geen zaak past bij deze filters." in nobody.text
    # The name itself is not in the database in the clear.
    raw = client.app  # noqa: F841 - the TestClient shares the test's database session
    stored = factory.db.execute(select(Case.__table__.c.applicant_name)).scalars().all()
    assert all("Haddad" not in str(value) for value in stored)


def test_filters_show_counts_and_narrow_the_list(factory):
    screened = [factory.case_in(CaseState.SCREENED) for _ in range(2)]
    imported = factory.case(nationality="ER", languages=["ti"])
    browser = planner_browser(factory)

    listing = browser.get("/planner/cases", headers=HTML)
    assert re.search(r'<option value="screened"[^>]*>[^<]*\(2\)</option>', listing.text)
    assert re.search(r'<option value="ER"[^>]*>Eritrea \(1\)</option>', listing.text)
    only_screened = browser.get("/planner/cases?state=screened", headers=HTML)
    assert all(f"/planner/cases/{c.id}" in only_screened.text for c in screened)
    assert f"/planner/cases/{imported.id}" not in only_screened.text
    by_language = browser.get("/planner/cases?language=ti", headers=HTML)
    assert f"/planner/cases/{imported.id}" in by_language.text
    assert all(f"/planner/cases/{c.id}" not in by_language.text for c in screened)
    not_screened = browser.get("/planner/cases?outcome=not_screened", headers=HTML)
    assert f"/planner/cases/{imported.id}" in not_screened.text
    # An unknown filter value is named, not a 422 or a 500.
    odd = browser.get("/planner/cases?state=nonsense&sort=sideways", headers=HTML)
    assert odd.status_code == 200
    assert 'href="#state"' in odd.text


def test_the_list_pages_on_the_server(factory):
    for _ in range(52):
        factory.case()
    browser = planner_browser(factory)
    first = browser.get("/planner/cases?sort=application", headers=HTML)
    assert first.text.count('name="case_id"') == 50
    assert "Pagina 1 van 2" in first.text
    assert 'rel="next" href="/planner/cases?sort=application&amp;page=2"' in first.text
    second = browser.get("/planner/cases?sort=application&page=2", headers=HTML)
    assert second.text.count('name="case_id"') == 2
    beyond = browser.get("/planner/cases?page=99", headers=HTML)
    assert "Pagina 2 van 2" in beyond.text


def test_the_case_page_shows_the_case_and_invites_its_lawyer(factory, db):
    case = factory.case_in(CaseState.SCREENED)
    browser = planner_browser(factory)

    page = browser.get(f"/planner/cases/{case.id}", headers=HTML)
    assert page.status_code == 200
    assert case.v_number in page.text
    assert "Amal Haddad" in page.text
    assert f'action="/planner/cases/{case.id}/invitation"' in page.text
    assert "Screenings" in page.text or "Toetsingen" in page.text

    refused = post(
        browser,
        f"/planner/cases/{case.id}",
        f"/planner/cases/{case.id}/invitation",
        {"reply_days": "999"},
    )
    assert refused.status_code == 422
    assert 'href="#reply_days"' in refused.text
    assert 'value="999"' in refused.text  # nothing typed is lost
    assert db.scalar(select(Invitation).where(Invitation.case_id == case.id)) is None

    sent = post(
        browser,
        f"/planner/cases/{case.id}",
        f"/planner/cases/{case.id}/invitation",
        {"reply_days": "5"},
    )
    assert sent.status_code == 303
    db.refresh(case)
    assert case.state is CaseState.INVITED
    after = browser.get(sent.headers["location"], headers=HTML)
    assert f'action="/planner/cases/{case.id}/invitation"' not in after.text
    assert "De uitnodiging is naar de advocaat gestuurd." in after.text


def test_a_selection_is_previewed_then_invited_once(factory, db):
    ready = [factory.case_in(CaseState.SCREENED) for _ in range(3)]
    no_lawyer = factory.case_in(CaseState.SCREENED, lawyer=None)
    imported = factory.case()
    browser = planner_browser(factory)
    ids = [str(c.id) for c in [*ready, no_lawyer, imported]]

    preview = post(browser, "/planner/cases", "/planner/invitations/preview", {"case_id": ids})
    assert preview.status_code == 200
    assert "3 van de 5 aangevinkte zaken" in preview.text
    assert "Geen advocaat geregistreerd" in preview.text or "geen advocaat" in preview.text
    assert db.scalar(select(Invitation).where(Invitation.case_id == ready[0].id)) is None
    sent_ids = re.findall(r'name="case_id" value="([^"]+)"', preview.text)
    assert sorted(sent_ids) == sorted(str(c.id) for c in ready)

    data = {"csrf_token": csrf_of(preview.text), "case_id": sent_ids, "reply_days": ""}
    result = browser.post("/planner/invitations/send", data=data, headers=HTML)
    assert result.status_code == 200
    assert "3 van 3 zaken uitgenodigd." in result.text
    again = browser.post("/planner/invitations/send", data=data, headers=HTML)
    assert "0 van 3 zaken uitgenodigd." in again.text
    assert "Al uitgenodigd" in again.text
    for case in ready:
        invitations = db.scalars(select(Invitation).where(Invitation.case_id == case.id)).all()
        assert len(invitations) == 1


def test_the_start_page_counts_what_needs_the_planner_and_links_to_the_list(factory):
    factory.case_in(CaseState.SCREENED)
    browser = planner_browser(factory)
    start = browser.get("/planner", headers=HTML)
    assert start.status_code == 200
    assert 'href="/planner/cases?state=screened"' in start.text
    assert 'href="/planner/import"' in start.text


def test_the_start_page_lists_only_the_translations_at_risk(factory, db):
    from datetime import timedelta

    from service.core.clock import utcnow
    from service.translation import service as translation

    late, on_time = (factory.case_in(CaseState.IN_TRANSLATION) for _ in range(2))
    translation.translation_of(db, late).due_at = utcnow() + timedelta(hours=2)
    translation.translation_of(db, on_time).due_at = utcnow() + timedelta(days=6)
    db.commit()
    start = planner_browser(factory).get("/planner", headers=HTML).text
    at_risk = start.split('id="translations"')[1].split("<tbody")[1].split("</tbody>")[0]
    assert at_risk.count('<tr class="utrecht-table__row">') == 1


def test_other_roles_do_not_get_the_planner_pages(factory):
    case = factory.case()
    lawyer = factory.person(Role.LAWYER)
    browser = TestClient(app, raise_server_exceptions=False)
    sign_in(browser, lawyer.user.username)
    assert browser.get("/planner/cases", headers=HTML).status_code == 403
    assert browser.get(f"/planner/cases/{case.id}", headers=HTML).status_code == 403


def test_a_selection_is_screened_with_the_outcome_per_case_and_the_policy_version(factory, db):
    from service.models.eligibility import Screening

    waiting = [factory.case(nationality="SY", languages=["ar"]) for _ in range(2)]
    past = factory.case_in(CaseState.SUBMITTED)  # the form is filled in: not again
    browser = planner_browser(factory)
    listing = browser.get("/planner/cases", headers=HTML).text
    assert 'formaction="/planner/screenings/selection"' in listing
    screenings_of_past = len(
        db.scalars(select(Screening).where(Screening.case_id == past.id)).all()
    )

    ticked = [str(c.id) for c in [*waiting, past]]
    done = post(browser, "/planner/cases", "/planner/screenings/selection", {"case_id": ticked})
    assert done.status_code == 200, done.text
    assert "2 van de 3 zaken getoetst." in done.text
    assert "Niet getoetst" in done.text  # the submitted case, in Dutch
    db.expire_all()
    for case in waiting:
        [screening] = db.scalars(select(Screening).where(Screening.case_id == case.id)).all()
        assert screening.policy_version in done.text
        assert case.state is not CaseState.IMPORTED
    assert len(db.scalars(select(Screening).where(Screening.case_id == past.id)).all()) == (
        screenings_of_past
    )
    assert db.get(Case, past.id).state is CaseState.SUBMITTED
