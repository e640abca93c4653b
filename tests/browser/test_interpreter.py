"""An interpreter records a Tigrinya prompt in Chromium with its fake microphone (a WAV
spoken by espeak-ng), by keyboard: the recording is saved as Ogg Opus with its origin,
plays back, and the page passes axe."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from service.auth.schemas import UserIn
from service.auth.second_factor import enrol_known_secret
from service.auth.service import create_user
from service.core import audio
from service.core.db import make_engine
from service.models import Role
from service.questionnaires.prompts import espeak_command
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LOCALE, Account, assert_accessible
from tests.browser.conftest import sign_in as browser_sign_in
from tests.helpers import TOTP_SECRET
from tests.live import App, drop_database, fresh_database, start_app
from tests.voice import make_voice_forms

PASSWORD = "Browser-tests-only-7q!Kx2"


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, Account, Path]]:
    """The app on its own database, its forms directory the small draft with placeholders."""
    tmp = tmp_path_factory.mktemp("voice-server")
    forms = make_voice_forms(tmp / "forms")
    database_url = fresh_database(tmp, "voice")
    engine = make_engine(database_url)
    with Session(engine) as db:
        data = UserIn(
            username="interpreter.browser",
            display_name="Browser Tolk",
            email="interpreter.browser@hearing.test",
            role=Role.INTERPRETER,
            password=PASSWORD,
        )
        enrol_known_secret(db, create_user(db, data), TOTP_SECRET)
        db.commit()
    engine.dispose()
    app = start_app(database_url, tmp, HEARING_FORMS_DIR=str(forms))
    try:
        yield app, Account("interpreter", data.username, PASSWORD, data.display_name), forms
    finally:
        app.process.stop()
        drop_database(database_url)


def _spoken_wav(path: Path) -> Path:
    """What the fake microphone hears: espeak-ng speaking Tigrinya, a few seconds."""
    found = espeak_command("ti")
    if found is None:
        pytest.skip("no espeak-ng voice for Tigrinya (espeakng-loader)")
    command, env = found
    command = [c for c in command if c not in ("--stdout", "--stdin")]
    text = "ስለምንታይ ሃዲምኩም? ብህድኣት ንገሩ።"
    spoken = [*command, "-w", str(path), text]
    subprocess.run(spoken, check=True, env={**env, "PATH": "/usr/bin"})  # noqa: S603 - espeak-ng
    return path


def test_an_interpreter_records_a_prompt_with_the_microphone(
    browser: Browser, voice_server: tuple[App, Account, Path], tmp_path: Path
) -> None:
    app, account, forms = voice_server
    wav = _spoken_wav(tmp_path / "spoken.wav")
    fake = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *fake]
    )
    try:
        context = chromium.new_context(base_url=app.url, locale=LOCALE, permissions=["microphone"])
        page = context.new_page()
        browser_sign_in(page, account)
        page.goto("/interpreter")
        assert_accessible(page)
        page.get_by_role(
            "link", name=re.compile(r"^Beluisteren en opnemen\W+voice-test@1, Tigrinya$")
        ).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Tigrinya")
        item = page.locator("li#account")
        record = item.get_by_role("button", name="Opnemen")
        record.focus()
        page.keyboard.press("Enter")
        stop = item.get_by_role("button", name="Stoppen")
        expect(stop).to_be_visible()
        page.wait_for_timeout(2500)
        stop.focus()
        page.keyboard.press("Enter")
        expect(item.get_by_role("status")).to_have_text("De opname is bewaard.", timeout=15000)
        expect(item.get_by_role("button", name="Opnieuw opnemen")).to_be_visible()
        assert_accessible(page)

        manifest = yaml.safe_load((forms / "media/voice-test/1/prompts.yaml").read_text())
        record_of = manifest["ti"]["account"]
        assert record_of["origin"] == "recorded"
        assert record_of["recorded_by"] == "interpreter.browser"
        stored = (forms / "media/voice-test/1/ti/account.ogg").read_bytes()
        assert record_of["sha256"] == audio.sha256(stored)
        info = audio.probe(stored)
        assert (info.container, info.codec) == ("ogg", "opus")
        assert 1.5 < info.duration < 4

        page.reload()
        expect(item).to_contain_text("Opgenomen door interpreter.browser op")
        playable = page.evaluate(
            """async () => {
                const player = document.querySelector('li#account audio');
                player.load();
                await new Promise(r => player.addEventListener('loadedmetadata', r, {once: true}));
                return player.duration;
            }"""
        )
        assert playable > 1
        context.close()
    finally:
        chromium.close()
