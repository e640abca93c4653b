"""The interpreter's recording pages: what they list, a recording sent as the script
sends it (WebM, the timer's duration, the SHA-256) and as a plain form post, the Dutch
refusal of a non-audio or cut-off upload, published versions frozen, and the planner's
forms page showing per language what is recorded."""

import re

from fastapi.testclient import TestClient

from service.core import audio
from service.main import app
from service.models import Role
from service.questionnaires.check import publish
from service.questionnaires.prompts import Origin, prompt_file, prompt_record
from tests.helpers import csrf_of, sign_in
from tests.questionnaires.test_prompts import _as_webm

HTML = {"accept": "text/html"}
JSON = {"accept": "application/json"}
PAGE = "/interpreter/forms/voice-test/1/ti"


def browser_of(factory, role: Role) -> TestClient:
    person = factory.person(role)
    browser = TestClient(app, raise_server_exceptions=False)
    assert sign_in(browser, person.user.username).status_code == 303
    return browser


def _send(browser, item: str, data: bytes, headers=JSON, **fields):
    page = browser.get(PAGE, headers=HTML)
    return browser.post(
        f"{PAGE}/{item}",
        data={"csrf_token": csrf_of(page.text), **fields},
        files={"audio": ("prompt.webm", data, "audio/webm")},
        headers=headers,
        follow_redirects=False,
    )


def test_an_interpreter_records_a_prompt_and_hears_it_back(voice_forms, factory):
    browser = browser_of(factory, Role.INTERPRETER)
    start = browser.get("/interpreter", headers=HTML)
    assert start.status_code == 200
    assert "voice-test@1 · concept" in start.text
    assert f'href="{PAGE}"' in start.text
    page = browser.get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert "ስለምንታይ ሃዲምኩም?" in page.text
    assert page.text.count("Tijdelijke stem (gegenereerd, niet voor aanvragers)") == 3
    assert '<script src="/static/js/recorder.js" defer></script>' in page.text

    webm = _as_webm(prompt_file("voice-test", 1, "ti", "account").read_bytes())
    seconds = f"{audio.probe(webm).duration:.2f}"
    sent = _send(browser, "account", webm, seconds=seconds, sha256=audio.sha256(webm))
    assert sent.status_code == 200, sent.text
    assert sent.json()["recorded"] is True
    record = prompt_record("voice-test", 1, "ti", "account")
    assert record.origin is Origin.RECORDED
    assert record.recorded_by == factory.person(Role.INTERPRETER).user.username
    again = browser.get(PAGE, headers=HTML)
    assert re.search(r"Opgenomen door interpreter\.default\.\w+ op", again.text)
    listened = browser.get("/interpreter/audio/voice-test/1/ti/account.ogg")
    assert listened.status_code == 200
    assert listened.headers["content-type"] == "audio/ogg"
    assert listened.content == prompt_file("voice-test", 1, "ti", "account").read_bytes()

    # Without the script: the file field posts the same action and comes back.
    plain = _send(
        browser,
        "fear",
        _as_webm(prompt_file("voice-test", 1, "ti", "fear").read_bytes()),
        headers=HTML,
    )
    assert plain.status_code == 303
    assert plain.headers["location"].startswith(f"{PAGE}?recorded=fear")
    assert prompt_record("voice-test", 1, "ti", "fear").origin is Origin.RECORDED


def test_a_non_audio_or_cut_off_upload_is_refused_in_dutch(voice_forms, factory):
    browser = browser_of(factory, Role.INTERPRETER)
    junk = _send(browser, "account", b"<html>geen geluid</html>" * 30)
    assert junk.status_code == 422
    assert junk.json() == {"code": "invalid_audio", "detail": "Dit bestand is geen geluidsopname."}
    webm = _as_webm(prompt_file("voice-test", 1, "ti", "account").read_bytes())
    cut = _send(browser, "account", webm[: len(webm) // 2], sha256=audio.sha256(webm))
    assert cut.status_code == 422
    assert cut.json()["detail"] == "De opname is niet helemaal aangekomen. Stuur hem opnieuw."
    assert prompt_record("voice-test", 1, "ti", "account").origin is Origin.GENERATED


def test_a_published_version_is_listened_to_not_recorded(voice_forms, factory):
    publish("voice-test")
    browser = browser_of(factory, Role.INTERPRETER)
    page = browser.get(PAGE, headers=HTML)
    assert "Deze versie is gepubliceerd" in page.text
    assert "recorder.js" not in page.text
    webm = _as_webm(prompt_file("voice-test", 1, "ti", "account").read_bytes())
    refused = _send(browser, "account", webm)
    assert refused.status_code == 409
    assert refused.json()["code"] == "prompt_frozen"


def test_a_prompt_whose_audio_changed_is_flagged_and_not_played(voice_forms, factory):
    publish("voice-test")
    path = prompt_file("voice-test", 1, "ti", "fear")
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    page = browser_of(factory, Role.INTERPRETER).get(PAGE, headers=HTML).text
    assert page.count("Het geluidsbestand is veranderd") == 1
    assert 'id="fear-changed"' in page


def test_who_may_record_and_who_may_listen(voice_forms, factory):
    planner = browser_of(factory, Role.PLANNER)
    assert planner.get(PAGE, headers=HTML).status_code == 200
    webm = _as_webm(prompt_file("voice-test", 1, "ti", "account").read_bytes())
    assert _send(planner, "account", webm).status_code == 403
    officer = browser_of(factory, Role.OFFICER)
    assert officer.get(PAGE, headers=HTML).status_code == 403
    assert officer.get("/interpreter/audio/voice-test/1/ti/account.ogg").status_code == 403


def test_the_forms_page_shows_per_language_what_is_recorded(voice_forms, factory):
    planner = browser_of(factory, Role.PLANNER)
    page = planner.get("/planner/forms", headers=HTML)
    assert page.status_code == 200
    assert "Gesproken vragen" in page.text
    table = page.text[page.text.index("voice-test@1 · concept</caption>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'scope="row" dir="auto">([^<]+)</th>(.*?)</tr>', table, re.S)
    counts = {name: re.findall(r">(\d+)</td>", cells) for name, cells in rows}
    assert counts == {
        "Nederlands": ["0", "3", "0"],
        "Engels": ["0", "3", "0"],
        "Tigrinya": ["0", "3", "0"],
    }
