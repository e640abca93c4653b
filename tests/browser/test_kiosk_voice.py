"""Low-literacy mode in a real browser, with Chromium's fake microphone playing speech
that espeak-ng made for the test: a Tigrinya applicant hears a question's prompt, records
a spoken answer (keyboard only), the kiosk is closed, and on another kiosk the recording
is there and plays. The section page passes axe with the controls shown."""

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.audio import probe, remux_to_ogg
from service.core.db import make_engine
from service.core.settings import get_settings
from service.models.questionnaires import AnswerSet, VoiceRecording
from service.questionnaires.kiosk_texts import kiosk_gettext
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, assert_accessible, snap
from tests.browser.test_kiosk import (
    enter_code,
    host_token,
    identity_on_document,
    reissue_code,
    seed_scheduled_case,
)
from tests.questionnaires.audio import spoken_wav, webm_opus

QUESTION = "reasons_account"
LANGUAGE = "ti"


@pytest.fixture
def prompt(tmp_path: Path) -> Iterator[Path]:
    """A placeholder prompt for the question in Tigrinya (espeak-ng's Amharic voice reads
    the Ge'ez script), where the kiosk looks for it, its hash in the version's record (the
    kiosk plays only the audio its record holds); both put back afterwards."""
    wav = spoken_wav("ስለምንታይ ዓድኹም ገዲፍኩም?", tmp_path / "prompt.wav", voice="am")
    folder = get_settings().forms_dir / "media" / "written-hearing" / "3" / LANGUAGE
    path = folder / f"{QUESTION}.ogg"
    kept = path.read_bytes() if path.exists() else None  # a placeholder made by serve
    help_text = folder / f"{QUESTION}.help.ogg"  # the test expects it not there
    help_kept = help_text.read_bytes() if help_text.exists() else None
    help_text.unlink(missing_ok=True)
    manifest = folder.parent / "prompts.yaml"
    record = manifest.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    data = remux_to_ogg(webm_opus(wav))
    path.write_bytes(data)
    changed = yaml.safe_load(record)
    changed[LANGUAGE][QUESTION]["sha256"] = hashlib.sha256(data).hexdigest()
    manifest.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    try:
        yield path
    finally:
        manifest.write_text(record, encoding="utf-8")
        if help_kept is not None:
            help_text.write_bytes(help_kept)
        if kept is not None:
            path.write_bytes(kept)
        else:
            _remove(path)


def _remove(path: Path) -> None:
    """The test's prompt, and the folders it made for it."""
    folder = path.parent
    path.unlink()
    for parent in (folder, folder.parent, folder.parent.parent, folder.parent.parent.parent):
        if parent.exists() and not any(parent.iterdir()):
            parent.rmdir()


@pytest.fixture
def microphone(browser: Browser, tmp_path: Path) -> Iterator[Browser]:
    """Chromium whose microphone 'hears' a spoken sentence (looped)."""
    wav = spoken_wav(
        "I left my village because of the war. My brother was taken by soldiers.",
        tmp_path / "answer.wav",
    )
    fake = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *fake]
    )
    try:
        yield launched
    finally:
        launched.close()


def check_in_low_literacy(page: Page, server: LiveServer, booking_id: str) -> str:
    """The host checks the applicant in with the seat in low-literacy mode (API)."""
    response = page.request.post(
        f"/api/v1/bookings/{booking_id}/check-in",
        data={
            "applicant_consent_confirmed": True,
            "low_literacy": True,
            **identity_on_document(server, booking_id),
        },
        headers={"Authorization": f"Bearer {host_token(page, server)}"},
    )
    assert response.ok, response.text()
    return str(response.json()["kiosk_code"])


def recordings_of(server: LiveServer, case_id: str) -> list[VoiceRecording]:
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            found = db.scalars(
                select(VoiceRecording)
                .join(AnswerSet, AnswerSet.id == VoiceRecording.answer_set_id)
                .where(AnswerSet.case_id == uuid.UUID(case_id))
                .order_by(VoiceRecording.question_id)
            ).all()
            for recording in found:
                db.expunge(recording)
            return list(found)
    finally:
        engine.dispose()


def press(page: Page, selector: str) -> None:
    """Reach a control with the keyboard and press it (as a switch would)."""
    control = page.locator(selector)
    control.focus()
    expect(control).to_be_focused()
    page.keyboard.press("Enter")


def test_tigrinya_applicant_hears_records_and_finds_the_answer_on_another_kiosk(
    microphone: Browser, live_server: LiveServer, page: Page, prompt: Path
) -> None:
    k_ = kiosk_gettext(LANGUAGE)
    case_id, booking_id = seed_scheduled_case(live_server, "ሰላም ተስፋይ", LANGUAGE)
    code = check_in_low_literacy(page, live_server, booking_id)

    kiosk = microphone.new_context(base_url=live_server.url, locale=LANGUAGE)
    kiosk.grant_permissions(["microphone"])
    applicant = kiosk.new_page()
    enter_code(applicant, code, LANGUAGE)
    applicant.locator("button[name=choice][value=yes]").click()
    applicant.wait_for_load_state()
    applicant.goto("/kiosk/sections/reasons")

    # Hear the question: a big button, it plays only when pressed, and can be stopped.
    listen = applicant.locator(f"button[data-listen='/kiosk/prompts/{QUESTION}.ogg']")
    expect(listen).to_be_visible()
    assert listen.evaluate("b => b.offsetHeight") >= 44
    with applicant.expect_response(f"**/kiosk/prompts/{QUESTION}.ogg") as heard:
        press(applicant, f"button[data-listen='/kiosk/prompts/{QUESTION}.ogg']")
    assert heard.value.status in (200, 206)  # a media element asks for ranges
    expect(listen).to_have_attribute("aria-pressed", "true")
    expect(listen).to_have_attribute("aria-pressed", "false", timeout=15_000)  # played out
    # A prompt not recorded has no listen button (the help text of this question).
    assert (
        applicant.locator(f"button[data-listen='/kiosk/prompts/{QUESTION}.help.ogg']").count() == 0
    )

    # Record by keyboard: the timer runs, Stop takes the focus, the answer is saved.
    box = applicant.locator(f"[data-upload='/kiosk/questions/{QUESTION}/recording']")
    expect(box).to_be_visible()
    press(applicant, f"{box_selector()} [data-voice-record]")
    stop = applicant.locator(f"{box_selector()} [data-voice-stop]")
    expect(stop).to_be_focused()
    expect(box.locator("[data-voice-status]")).to_have_text(
        k_("Recording… press Stop when you are done.")
    )
    expect(box.locator("[data-voice-elapsed]")).to_have_text("0:03", timeout=10_000)
    snap(applicant, "ti-recording")
    applicant.keyboard.press("Enter")  # Stop has the focus
    expect(box.locator("[data-voice-status]")).to_have_text(
        "✔ " + k_("Your spoken answer is saved."), timeout=15_000
    )
    play = box.locator("[data-voice-play]")
    expect(play).to_be_focused()
    for control in ("[data-voice-play]", "[data-voice-again]", "[data-voice-delete]"):
        expect(box.locator(control)).to_be_visible()
    expect(box.locator("[data-voice-record]")).to_be_hidden()
    snap(applicant, "ti-recorded")
    [saved] = recordings_of(live_server, case_id)
    assert 2.5 <= saved.duration_ms / 1000 <= 8, saved.duration_ms
    assert abs(saved.duration_ms - saved.reported_ms) < 1000
    assert_accessible(applicant)

    # The next question's limit (2 s here) stops the recording by itself; then Delete.
    second = applicant.locator(box_selector("reasons_trigger"))
    second.evaluate("box => box.setAttribute('data-max-seconds', '2')")
    press(applicant, f"{box_selector('reasons_trigger')} [data-voice-record]")
    expect(second.locator("[data-voice-status]")).to_have_text(
        "✔ " + k_("Your spoken answer is saved."), timeout=15_000
    )
    assert len(recordings_of(live_server, case_id)) == 2
    press(applicant, f"{box_selector('reasons_trigger')} [data-voice-delete]")
    expect(second.locator("[data-voice-status]")).to_have_text(k_("Your spoken answer is deleted."))
    expect(second.locator("[data-voice-record]")).to_be_focused()
    assert [r.question_id for r in recordings_of(live_server, case_id)] == [QUESTION]
    kiosk.close()  # the kiosk is closed

    # Another kiosk: the applicant resumes where they were, the recording is there.
    other = microphone.new_context(base_url=live_server.url, locale=LANGUAGE)
    applicant = other.new_page()
    enter_code(applicant, reissue_code(live_server, case_id), LANGUAGE)
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/sections/reasons")
    box = applicant.locator(box_selector())
    expect(box).to_have_attribute("data-recorded", "1")
    expect(box.locator("[data-voice-status]")).to_have_text(
        "✔ " + k_("Your spoken answer is saved.")
    )
    with applicant.expect_response(f"**/kiosk/questions/{QUESTION}/recording.ogg*") as fetched:
        press(applicant, f"{box_selector()} [data-voice-play]")
    assert fetched.value.status == 200
    assert fetched.value.headers["content-type"] == "audio/ogg"
    body = fetched.value.body()
    assert abs(probe(body).duration - saved.duration_ms / 1000) < 0.05
    expect(box.locator("[data-voice-play]")).to_have_attribute("aria-pressed", "true")
    snap(applicant, "ti-resumed")
    other.close()


def box_selector(question: str = QUESTION) -> str:
    return f"[data-upload='/kiosk/questions/{question}/recording']"
