"""Issue 15.2, the browser walk's defects on the host's, the agency's and the lawyer's
pages: what a host typed and ticked survives a refusal and the seat list does not give
away the answers to the identity check; translation jobs are named by what the agency
knows them by and the form's own Dutch is filled in; a lawyer opens each of their
messages and reads an invitation's reply deadline."""

import html
import re
from datetime import datetime

from sqlalchemy import select

from service.core.formatting import local_date, local_moment
from service.models import Role
from service.models.invitations import Invitation
from service.models.messages import Message
from service.models.sessions import HearingSession, Location
from service.sessions import service as sessions
from service.sessions.schemas import RoomIn
from service.translation import service as translation
from service.workflow import CaseState
from tests.helpers import csrf_of, sign_in

HTML = {"accept": "text/html"}


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags, entities read."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- the host ---------------------------------------------------------------------------


def test_a_refused_check_in_keeps_what_the_host_ticked_and_typed(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED, applicant_name="Hawa Abdi Warsame")
    booking = factory.booking(case)
    sign_in(client, host.user.username)
    form = client.get(f"/host/bookings/{booking.id}/check-in", headers=HTML)
    assert 'name="consent" value="yes" checked' not in form.text  # never ticked beforehand

    refused = client.post(
        f"/host/bookings/{booking.id}/check-in",
        data={
            "csrf_token": csrf_of(form.text),
            "applicant_name": "Hawa Warsame",  # not what the booking says
            "date_of_birth": "1991-04-17",
            "v_number": case.v_number,
            "consent": "yes",
        },
        headers=HTML,
    )

    assert refused.status_code == 409  # as the API: identity_mismatch
    assert 'id="applicant_name-error"' in refused.text
    assert re.search(r'<input[^>]*name="consent" value="yes" checked', refused.text)
    assert 'value="Hawa Warsame"' in refused.text
    assert 'value="1991-04-17"' in refused.text
    assert f'value="{case.v_number}"' in refused.text


def test_the_seat_list_names_seats_not_the_answers_to_the_identity_check(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case_in(
        CaseState.SCHEDULED, applicant_name="Hawa Abdi Warsame", date_of_birth="1988-09-30"
    )
    booking = factory.booking(case)
    hearing = db.get_one(HearingSession, booking.session_id)
    location = db.get_one(Location, hearing.location_id)
    room = sessions.create_room(db, location, RoomIn(name="Zaal Noord", seats=4))
    hearing.room_id = room.id
    db.flush()
    sign_in(client, host.user.username)

    page = client.get(f"/host/sessions/{hearing.id}", headers=HTML)

    assert page.status_code == 200
    shown = text_of(page.text)
    for answer in ("Hawa", "Warsame", "1988", "30 sep", case.v_number):
        assert answer not in shown, answer
    # What identifies the seat: its number, the booking's reference, language, status.
    assert f"Plaats {booking.seat}" in shown
    assert booking.reference in shown
    assert "Arabisch" in shown
    assert "Nog niet" in shown  # not checked in yet
    assert f"Aanmelden plaats {booking.seat}" in shown
    # The API's seat list names the seat by the same reference.
    api = client.get(f"/api/v1/sessions/{hearing.id}", headers=host.headers)
    assert api.json()["bookings"][0]["reference"] == booking.reference
    # Where: the location and the room.
    assert location.name in shown
    assert "Zaal Noord" in shown
    check_in = text_of(client.get(f"/host/bookings/{booking.id}/check-in", headers=HTML).text)
    assert "Zaal Noord" in check_in
    assert booking.reference in check_in
    assert "Hawa" not in check_in
    start = text_of(client.get("/host", headers=HTML).text)
    assert "Zaal Noord" in start


# --- the agency --------------------------------------------------------------------------


def test_jobs_are_named_by_v_number_language_and_due_date(client, db, factory):
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = translation.translation_of(db, case)
    translator = factory.person(Role.TRANSLATOR)
    sign_in(client, translator.user.username)

    start = client.get("/agency", headers=HTML)
    job_page = client.get(f"/agency/jobs/{job.id}", headers=HTML)
    form = client.get(f"/agency/jobs/{job.id}/translate", headers=HTML)

    due = local_date(job.due_at, "nl")
    for page in (start, job_page, form):
        assert page.status_code == 200
        shown = text_of(page.text)
        assert case.v_number in shown
        assert "Arabisch" in shown
        assert due in shown
        assert str(job.id)[:8] not in shown  # no hash for a name (only in links)
    assert local_moment(job.due_at, "nl") in text_of(job_page.text)
    # Another agency sees neither the job nor its case's number.
    client.cookies.clear()
    outsider = factory.person(Role.TRANSLATOR, "outsider", agency="Taalhuis West")
    sign_in(client, outsider.user.username)
    assert case.v_number not in client.get("/agency", headers=HTML).text


def label_of(page: str, key: str) -> str:
    found = re.search(rf'<label[^>]*for="nl-{re.escape(key)}"[^>]*>(.*?)</label>', page, re.S)
    assert found, key
    return text_of(found.group(1)).strip()


def field_value(page: str, key: str) -> str:
    field = rf'<textarea[^>]*name="nl-{re.escape(key)}"[^>]*>(.*?)</textarea>'
    found = re.search(field, page, re.S)
    assert found, key
    return html.unescape(found.group(1))


def test_each_field_names_its_question_and_known_dutch_is_filled_in(client, db, factory):
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = translation.translation_of(db, case)
    items = translation.source_items(db, job)
    sign_in(client, factory.person(Role.TRANSLATOR).user.username)

    form = client.get(f"/agency/jobs/{job.id}/translate", headers=HTML)

    labels = [label_of(form.text, item.key) for item in items]
    assert len(set(labels)) == len(items)  # no two fields labelled alike
    for item, label in zip(items, labels, strict=True):
        assert label == f"Nederlandse vertaling van: {item.question_nl}"
    yes_no = next(i for i in items if i.kind == "yes_no")
    choice = next(i for i in items if i.kind == "choice")
    free = next(i for i in items if i.kind == "long_text")
    assert field_value(form.text, yes_no.key) == "Ja"
    assert field_value(form.text, choice.key) == "Niet getrouwd en geen partner"
    assert field_value(form.text, free.key) == ""
    # Typing only the free text delivers: the prefilled Dutch goes with it.
    typed = {
        f"nl-{item.key}": f"NL {item.key}"
        for item in items
        if item.kind not in ("yes_no", "choice", "multi_choice")
    }
    prefilled = {
        f"nl-{item.key}": field_value(form.text, item.key)
        for item in items
        if item.kind in ("yes_no", "choice", "multi_choice")
    }
    done = client.post(
        f"/agency/jobs/{job.id}/translate",
        data={"csrf_token": csrf_of(form.text), **typed, **prefilled},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert job.answers_nl is not None
    assert job.answers_nl[yes_no.key] == "Ja"


# --- the lawyer --------------------------------------------------------------------------


def test_a_lawyer_opens_each_of_their_own_messages_and_no_one_elses(client, db, factory):
    case = factory.case_in(CaseState.INVITED)
    lawyer = factory.person(Role.LAWYER)
    assert case.lawyer_id == lawyer.user.id
    message = db.scalars(
        select(Message).where(Message.case_id == case.id, Message.recipient_id == lawyer.user.id)
    ).first()
    assert message is not None
    sign_in(client, lawyer.user.username)

    listed = client.get("/messages", headers=HTML)
    assert f'href="/messages/{message.id}"' in listed.text
    opened = client.get(f"/messages/{message.id}", headers=HTML)

    assert opened.status_code == 200
    shown = text_of(opened.text)
    assert message.subject in shown
    first_line = next(line for line in message.body_text.splitlines() if line.strip())
    assert first_line.strip() in shown
    assert "Terug naar mijn berichten" in shown

    client.cookies.clear()
    other = factory.person(Role.LAWYER, "other")
    sign_in(client, other.user.username)
    assert client.get(f"/messages/{message.id}", headers=HTML).status_code == 404
    assert message.subject not in client.get("/messages", headers=HTML).text


def test_the_invitation_page_shows_its_reply_deadline(client, db, factory):
    case = factory.case_in(CaseState.INVITED)
    invitation = db.scalars(select(Invitation).where(Invitation.case_id == case.id)).one()
    # Late in the evening in UTC is the next day in Amsterdam: the page shows the local day.
    invitation.reply_due_at = datetime.fromisoformat("2027-01-19T23:30:00+00:00")
    db.flush()
    sign_in(client, factory.person(Role.LAWYER).user.username)

    page = client.get(f"/lawyer/invitations/{invitation.id}", headers=HTML)

    assert page.status_code == 200
    assert "Antwoord uiterlijk 20 jan 2027." in text_of(page.text)
    refused = client.post(
        f"/lawyer/invitations/{invitation.id}",
        data={"csrf_token": csrf_of(page.text), "note": "Graag in het Sorani"},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert "Antwoord uiterlijk 20 jan 2027." in text_of(refused.text)
