"""Spoken answers at the kiosk (low-literacy mode), through the API and the page's door:
decoded in full, kept as Ogg Opus, sealed at rest, idempotent, and found again after the
kiosk is closed and the applicant resumes on another one."""

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service.core.audio import probe
from service.core.settings import get_settings
from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import Role
from service.models.cases import CaseEventRow
from service.models.questionnaires import VoiceRecording
from service.questionnaires import service as questionnaires
from service.questionnaires import voice
from service.questionnaires.kiosk_texts import kiosk_gettext
from service.workflow import CaseState
from tests.factories import Factory
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in
from tests.questionnaires.audio import spoken_wav, webm_opus
from tests.questionnaires.test_kiosk_pages import HTML, POLICY, post, sign_in_at_kiosk

QUESTION = "reasons_account"
URL = f"/api/v1/kiosk/questions/{QUESTION}/recording"


@pytest.fixture(autouse=True)
def spoken_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy whose form version allows spoken answers to its open questions
    (written-hearing@3); the tests' default policy names the first version, typed only."""
    monkeypatch.setattr(get_settings(), "eligibility_policy", "ind-2026")


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    wav = tmp_path_factory.mktemp("voice") / "answer.wav"
    spoken_wav("I left my village in two thousand and fifteen because of the war.", wav)
    return webm_opus(wav)


def upload(
    client: TestClient, headers: dict[str, str], data: bytes, seconds: float, sha: str = ""
) -> Any:
    fields = {"seconds": str(seconds), "sha256": sha or hashlib.sha256(data).hexdigest()}
    files = {"file": ("answer.webm", data, "audio/webm")}
    return client.put(URL, headers=headers, data=fields, files=files)


def test_a_spoken_answer_is_kept_as_ogg_opus_sealed_and_idempotent(
    client: TestClient, db: Session, factory: Factory, speech: bytes
) -> None:
    case = factory.case_in(CaseState.IN_PROGRESS)
    headers = factory.applicant_headers(case)
    seconds = probe(speech).duration
    first = ok(upload(client, headers, speech, seconds))
    assert first["upload_sha256"] == hashlib.sha256(speech).hexdigest()
    assert abs(first["duration_ms"] / 1000 - seconds) < 0.05
    again = ok(upload(client, headers, speech, seconds))
    assert again == first  # the same upload twice: nothing changes
    kiosk = ok(client.get(f"{API}/kiosk/form", headers=headers))
    assert kiosk["recordings"] == [first]
    assert len(db.scalars(select(VoiceRecording)).all()) == 1

    played = client.get(URL, headers=headers)
    assert played.status_code == 200
    assert played.headers["content-type"] == "audio/ogg"
    assert played.content[:4] == b"OggS"
    assert hashlib.sha256(played.content).hexdigest() == first["sha256"]
    assert abs(probe(played.content).duration - seconds) < 0.05
    stored = db.execute(text("SELECT content FROM voice_recordings")).scalar_one()
    assert "OggS" not in stored  # sealed at rest

    assert client.delete(URL, headers=headers).status_code == 204
    assert client.get(URL, headers=headers).status_code == 404


def test_cut_short_not_audio_forged_and_too_large_uploads_are_refused(
    client: TestClient, factory: Factory, speech: bytes
) -> None:
    case = factory.case_in(CaseState.IN_PROGRESS)
    headers = factory.applicant_headers(case)
    seconds = probe(speech).duration
    half = speech[: len(speech) // 2]
    refused = assert_problem(upload(client, headers, half, seconds), 422, "recording_refused")
    assert "did not arrive whole" in refused["detail"]
    header_only = speech[:200]
    refused = assert_problem(upload(client, headers, header_only, 1), 422, "recording_refused")
    assert "not a recording" in refused["detail"]
    text_file = b"This is a letter, not a recording.\n" * 40
    refused = assert_problem(upload(client, headers, text_file, 3), 422, "recording_refused")
    assert "not a recording" in refused["detail"]
    forged = upload(client, headers, speech, seconds, sha="0" * 64)
    assert_problem(forged, 422, "recording_refused")
    big = speech * 60
    assert_problem(upload(client, headers, big, seconds), 422, "recording_refused")
    assert client.get(URL, headers=headers).status_code == 404  # nothing kept


def page_upload(client: TestClient, html: str, data: bytes, seconds: float) -> Any:
    fields = {
        "seconds": str(seconds),
        "sha256": hashlib.sha256(data).hexdigest(),
        "csrf_token": csrf_of(html),
    }
    files = {"file": ("answer.webm", data, "audio/webm")}
    return client.post(f"/kiosk/questions/{QUESTION}/recording", data=fields, files=files)


def test_checked_in_in_low_literacy_mode_a_recording_survives_a_closed_kiosk(
    client: TestClient, db: Session, factory: Factory, speech: bytes
) -> None:
    """The host switches the seat to low-literacy mode at check-in (an event says so);
    the kiosk shows the record control, refuses a cut-off recording in Arabic, keeps a
    whole one; the kiosk is closed, and on another kiosk the recording is there."""
    case = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(POLICY))
    factory.driver().drive(case, CaseState.SCHEDULED)
    booking = factory.booking(case)
    host = factory.person(Role.HOST)
    body = factory.identity(case) | {"applicant_consent_confirmed": True, "low_literacy": True}
    checked_in = client.post(
        f"{API}/bookings/{booking.id}/check-in", headers=host.headers, json=body
    )
    code = ok(checked_in)["kiosk_code"]
    events = db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id)).all()
    assert any("low-literacy mode" in str(e.reason) for e in events if e.event == "check_in")

    consent = sign_in_at_kiosk(client, code)
    post(client, "/kiosk/consent", consent.text, {"lang": "ar", "choice": "yes"})
    section = client.get("/kiosk/sections/reasons", headers=HTML)
    assert 'data-upload="/kiosk/questions/reasons_account/recording"' in section.text
    assert 'data-max-seconds="600"' in section.text  # the form version's limit
    assert 'data-recorded="0"' in section.text

    seconds = probe(speech).duration
    cut = page_upload(client, section.text, speech[: len(speech) // 2], seconds)
    assert cut.status_code == 422
    arabic = kiosk_gettext("ar")("The recording did not arrive whole. Please record again.")
    assert cut.json() == {"saved": False, "error": arabic}
    assert arabic != "The recording did not arrive whole. Please record again."
    saved = page_upload(client, section.text, speech, seconds)
    assert saved.status_code == 200
    assert saved.json()["saved"] is True

    client.cookies.clear()  # the kiosk is closed; the host gives a new code elsewhere
    other = TestClient(client.app)
    new = ok(client.post(f"{API}/bookings/{booking.id}/kiosk-code", headers=host.headers))
    sign_in_at_kiosk(other, new["kiosk_code"])
    resumed = other.get("/kiosk/sections/reasons", headers=HTML)
    assert 'data-recorded="1"' in resumed.text
    played = other.get(f"/kiosk/questions/{QUESTION}/recording.ogg")
    assert played.status_code == 200
    assert played.content[:4] == b"OggS"
    assert hashlib.sha256(played.content).hexdigest() == saved.json()["sha256"]
    review = other.get("/kiosk/review", headers=HTML).text
    assert kiosk_gettext("ar")("Your spoken answer is saved.") in review
    # A required question answered by speaking counts as answered at hand-in.
    answer_set = questionnaires.answer_set_of(db, case)
    assert answer_set is not None
    assert questionnaires.with_spoken(db, answer_set)[QUESTION] == questionnaires.SPOKEN


def test_only_a_question_whose_answer_modes_allow_voice_takes_a_spoken_answer(
    client: TestClient, db: Session, factory: Factory, speech: bytes
) -> None:
    """The form version's ``answer_modes`` decide, through both doors: the place of birth
    is typed only (refused, the kiosk shows no record control), the account of reasons
    may be spoken (kept)."""
    form = questionnaires.policy_form()
    assert not form.question("place_of_birth").allows_voice
    assert form.question(QUESTION).allows_voice
    case = factory.case_in(CaseState.IN_PROGRESS)
    headers = factory.applicant_headers(case)
    seconds = probe(speech).duration
    typed_only = f"{API}/kiosk/questions/place_of_birth/recording"
    fields = {"seconds": str(seconds), "sha256": hashlib.sha256(speech).hexdigest()}
    files = {"file": ("answer.webm", speech, "audio/webm")}
    refused = client.put(typed_only, headers=headers, data=fields, files=files)
    assert_problem(refused, 422, "recording_refused")
    assert ok(upload(client, headers, speech, seconds))["question_id"] == QUESTION

    booking = factory.booking(case)
    booking.low_literacy = True
    code = ok(
        client.post(
            f"{API}/bookings/{booking.id}/kiosk-code", headers=factory.person(Role.HOST).headers
        )
    )
    sign_in_at_kiosk(client, code["kiosk_code"])
    identity = client.get("/kiosk/sections/identity", headers=HTML)
    assert "/kiosk/questions/place_of_birth/recording" not in identity.text
    page_refused = client.post(
        "/kiosk/questions/place_of_birth/recording",
        data=fields | {"csrf_token": csrf_of(identity.text)},
        files=files,
    )
    assert page_refused.status_code == 422
    assert page_refused.json()["saved"] is False
    reasons = client.get("/kiosk/sections/reasons", headers=HTML)
    assert f'data-upload="/kiosk/questions/{QUESTION}/recording"' in reasons.text
    assert page_upload(client, reasons.text, speech, seconds).json()["saved"] is True
    assert set(voice.recordings_of(db, questionnaires.answer_set_of(db, case))) == {QUESTION}


def test_the_host_switches_low_literacy_mode_on_the_check_in_page(
    client: TestClient, db: Session, factory: Factory
) -> None:
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED)
    plain = factory.case_in(CaseState.SCHEDULED)
    db.commit()
    sign_in(client, host.user.username)
    for each, ticked in ((case, {"low_literacy": "yes"}), (plain, {})):
        desk = f"/host/bookings/{factory.booking(each).id}/check-in"
        form = client.get(desk, headers=HTML)
        assert 'name="low_literacy"' in form.text
        data = {"csrf_token": csrf_of(form.text), "consent": "yes", **ticked}
        checked = client.post(desk, data=data | factory.identity(each), headers=HTML)
        assert checked.status_code == 200, checked.text
    assert factory.booking(case).low_literacy is True
    assert factory.booking(plain).low_literacy is False
    assert voice.low_literacy(db, case.id) is True
    events = db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id)).all()
    assert any("low-literacy mode" in str(e.reason) for e in events if e.event == "check_in")
