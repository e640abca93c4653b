"""The agency's, the planners' and the lawyer's pages of issue 9, through HTTP: each sees
only their own; the side-by-side translation; the page's version check; attachments of
the wrong type refused with a message."""

from datetime import timedelta

from service.core.clock import utcnow
from service.models import Role
from service.translation import service as translation
from service.workflow import CaseState
from tests.helpers import csrf_of, sign_in

HTML = {"accept": "text/html"}


def test_the_agency_translates_in_the_browser_page(client, db, factory):
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = translation.translation_of(db, case)
    translator = factory.person(Role.TRANSLATOR)
    sign_in(client, translator.user.username)
    form = client.get(f"/agency/jobs/{job.id}/translate", headers=HTML)
    assert form.status_code == 200
    items = translation.source_items(db, job)
    fields = {f"nl-{item.key}": f"NL {item.key}" for item in items}
    incomplete = dict(fields, **{f"nl-{items[0].key}": ""})
    refused = client.post(
        f"/agency/jobs/{job.id}/translate",
        data={"csrf_token": csrf_of(form.text), **incomplete},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert items[0].key in refused.text  # named as empty
    done = client.post(
        f"/agency/jobs/{job.id}/translate",
        data={"csrf_token": csrf_of(form.text), **fields},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert case.state == CaseState.WITH_LAWYER
    assert job.answers_nl == {item.key: f"NL {item.key}" for item in items}


def test_another_agency_and_another_lawyer_see_nothing(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    job = translation.translation_of(db, case)
    outsider = factory.person(Role.TRANSLATOR, "outsider", agency="Taalhuis West")
    sign_in(client, outsider.user.username)
    for path in (f"/agency/jobs/{job.id}", f"/agency/jobs/{job.id}/xliff"):
        assert client.get(path, headers=HTML).status_code == 404
    assert str(job.id)[:8] not in client.get("/agency", headers=HTML).text

    client.cookies.clear()
    other = factory.person(Role.LAWYER, "other")
    sign_in(client, other.user.username)
    for path in (f"/lawyer/cases/{case.id}", f"/lawyer/cases/{case.id}/translation"):
        assert client.get(path, headers=HTML).status_code == 404
    assert case.v_number not in client.get("/lawyer", headers=HTML).text


def test_the_page_refuses_a_stale_version_and_keeps_what_was_typed(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    key = translation.source_items(db, translation.translation_of(db, case))[0].key
    sign_in(client, lawyer.user.username)
    page = client.get(f"/lawyer/cases/{case.id}/translation", headers=HTML)
    token = csrf_of(page.text)
    saved = client.post(
        f"/lawyer/cases/{case.id}/corrections",
        data={"csrf_token": token, "version": "1", "addition": "Eerste collega."},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    stale = client.post(
        f"/lawyer/cases/{case.id}/corrections",
        data={"csrf_token": token, "version": "1", f"text-{key}": "Tweede collega."},
        headers=HTML,
    )
    assert stale.status_code == 412
    assert "Iemand anders heeft dit dossier intussen gewijzigd" in stale.text
    assert "Tweede collega." in stale.text  # what was typed is shown again, not lost
    assert "Eerste collega." in stale.text  # and the colleague's addition is there


def test_an_attachment_of_the_wrong_type_is_refused_on_the_page(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    sign_in(client, lawyer.user.username)
    page = client.get(f"/lawyer/cases/{case.id}/translation", headers=HTML)
    refused = client.post(
        f"/lawyer/cases/{case.id}/attachments",
        data={"csrf_token": csrf_of(page.text), "version": "1"},
        files={"file": ("brief.pdf", b"#!/bin/sh\necho not a pdf\n", "application/pdf")},
        headers=HTML,
    )
    assert refused.status_code == 422
    # The refusal's English detail (as the API sends it) reads in Dutch on the page.
    assert "Voeg een PDF-, JPEG- of PNG-bestand toe; dit is geen herkend bestandstype" in (
        refused.text
    )


def test_planners_reassign_a_late_job_on_their_page(client, db, factory):
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = translation.translation_of(db, case)
    job.due_at = utcnow() - timedelta(hours=1)
    other = factory.agency("Taalhuis Noord-Oost")
    planner = factory.person(Role.PLANNER)
    sign_in(client, planner.user.username)
    page = client.get("/planner/translations", headers=HTML)
    assert page.status_code == 200
    assert str(job.id)[:8] in page.text
    moved = client.post(
        f"/planner/translations/{job.id}/reassign",
        data={"csrf_token": csrf_of(page.text), "agency": other.name},
        headers=HTML,
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert job.agency_id == other.id


def test_sending_includes_what_the_lawyer_typed_and_a_refusal_keeps_it(client, db, factory):
    """The walk found the send button in its own form: typed corrections were dropped."""
    from service.corrections.queries import layers

    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    key = translation.source_items(db, translation.translation_of(db, case))[0].key
    db.commit()
    sign_in(client, lawyer.user.username)
    dutch = {"accept": "text/html", "accept-language": "nl"}
    page = client.get(f"/lawyer/cases/{case.id}/translation", headers=dutch).text
    # Every button sits in the one form that holds the fields.
    form = page.split('id="corrections"')[1].split("</form>")[0]
    assert f'formaction="/lawyer/cases/{case.id}/send"' in form
    assert f'formaction="/lawyer/cases/{case.id}/no-corrections"' in form
    assert 'name="file"' in form
    token = csrf_of(page)
    typed = {"csrf_token": token, "version": "1", f"text-{key}": "Niet 2015 maar 2016."}

    # "Nothing to correct" with typed text: refused, the text shown again, nothing closed.
    waived = client.post(f"/lawyer/cases/{case.id}/no-corrections", data=typed, headers=dutch)
    assert waived.status_code == 422
    assert "Niet 2015 maar 2016." in waived.text
    assert "verstuur ze" in waived.text  # the reason in Dutch

    sent = client.post(
        f"/lawyer/cases/{case.id}/send", data=typed, headers=dutch, follow_redirects=False
    )
    assert sent.status_code == 303
    db.expire_all()
    assert case.state is not CaseState.WITH_LAWYER
    [item] = [i for i in layers(db, case).answers if i.key == key]
    assert [c.text for c in item.corrections] == ["Niet 2015 maar 2016."]


def test_a_refused_send_saves_nothing_and_shows_the_typed_text(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    db.commit()
    sign_in(client, lawyer.user.username)
    dutch = {"accept": "text/html", "accept-language": "nl"}
    token = csrf_of(client.get(f"/lawyer/cases/{case.id}/translation", headers=dutch).text)
    # An unknown answer key is refused after nothing else: the addition must not be saved
    # on its own either (one savepoint around the whole action).
    data = {
        "csrf_token": token,
        "version": "1",
        "text-no-such-question": "Tekst bij een onbekende vraag.",
        "addition": "Mijn aanvulling.",
    }
    refused = client.post(f"/lawyer/cases/{case.id}/send", data=data, headers=dutch)
    assert refused.status_code == 422
    assert "Mijn aanvulling." in refused.text
    db.expire_all()
    assert case.state is CaseState.WITH_LAWYER
    from service.corrections.queries import layers

    assert layers(db, case).additions == []
