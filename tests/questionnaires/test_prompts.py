"""Spoken prompts: placeholders generated offline with espeak-ng (Tigrinya through
libespeak-ng 1.52), the forms check on missing, damaged and wrong-length prompts, an
interpreter's recording of a draft, and publishing that freezes them."""

import io
from pathlib import Path

import av
import pytest
import yaml

from service.core import audio
from service.questionnaires.check import check_forms, generate_prompts, publish
from service.questionnaires.forms import FormDefinition, load_form
from service.questionnaires.prompts import (
    Origin,
    PromptFrozen,
    PromptsNotWritable,
    intact_prompt_file,
    prompt_file,
    prompt_items,
    prompt_record,
    prompt_status,
    record_prompt,
    recorded_languages,
)
from tests.voice import SMALL_FORM


def _form() -> FormDefinition:
    return load_form("voice-test", 1)


def _as_webm(ogg: bytes) -> bytes:
    """What Chromium's MediaRecorder sends: the same Opus packets in WebM."""
    out = io.BytesIO()
    with av.open(io.BytesIO(ogg)) as source, av.open(out, "w", format="webm") as target:
        stream = target.add_stream_from_template(source.streams.audio[0])
        for packet in source.demux(source.streams.audio[0]):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    return out.getvalue()


def test_placeholders_exist_for_every_prompt_in_every_language(voice_forms):
    form = _form()
    ids = [item.id for item in prompt_items(form)]
    assert ids == ["account", "account.help", "fear"]
    for status in prompt_status(form):
        assert (status.generated, status.recorded, status.missing) == (3, 0, 0), status
    path = prompt_file("voice-test", 1, "ti", "account")
    assert path == voice_forms / "media" / "voice-test" / "1" / "ti" / "account.ogg"
    info = audio.probe(path.read_bytes())
    assert (info.container, info.codec) == ("ogg", "opus")
    assert 0.3 < info.duration < 10
    assert prompt_record("voice-test", 1, "ti", "account").origin is Origin.GENERATED
    assert prompt_file("voice-test", 1, "nl", "no_such_question") is None
    assert prompt_file("voice-test", 1, "../nl", "account") is None
    assert _problems() == []
    assert recorded_languages(form) == frozenset()


def _problems() -> list[str]:
    """The check's problems with the small form (this directory has no policy forms)."""
    return [p for p in check_forms().problems if "voice-test@1" in p]


def _problems_after(change) -> list[str]:
    change(prompt_file("voice-test", 1, "nl", "account"))
    return _problems()


def test_the_check_fails_on_a_missing_prompt(voice_forms):
    problems = _problems_after(Path.unlink)
    assert problems == ["voice-test@1 prompt nl/account: missing"]


def test_the_check_fails_on_a_corrupt_prompt(voice_forms):
    problems = _problems_after(lambda p: p.write_bytes(p.read_bytes()[:-40]))
    assert len(problems) == 1
    assert "not a whole Ogg Opus stream" in problems[0]
    problems = _problems_after(lambda p: p.write_bytes(b"RIFF not audio at all" * 50))
    assert len(problems) == 1
    assert "not a whole Ogg Opus stream" in problems[0]


def test_the_check_fails_on_a_prompt_too_long_or_too_short_for_its_text(voice_forms):
    ogg = audio.encode_ogg_opus(_wav_of_seconds(35))
    changed = "voice-test@1 prompt nl/account: the placeholder's audio changed since it was made"
    problems = _problems_after(lambda p: p.write_bytes(ogg))
    assert len(problems) == 2
    assert "lasts 35.0 s, not between 0.3 and" in problems[0]
    assert problems[1] == changed
    short = audio.encode_ogg_opus(_wav_of_seconds(0.1))
    problems = _problems_after(lambda p: p.write_bytes(short))
    assert len(problems) == 2
    assert "lasts 0.1 s" in problems[0]


def _wav_of_seconds(seconds: float) -> bytes:
    """A tone of ``seconds`` as WAV."""
    import math
    import struct
    import wave

    rate = 16000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(rate * seconds))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(frames)
    return out.getvalue()


def _record(form, data: bytes, *, item="account", seconds=None, sha=None, published=False):
    return record_prompt(
        form,
        published=published,
        language="ti",
        item_id=item,
        data=data,
        measured_seconds=seconds,
        claimed_sha256=sha or audio.sha256(data),
        recorded_by="interpreter.tesfay",
    )


def test_an_interpreters_recording_is_remuxed_and_stored_with_its_origin(voice_forms):
    form = _form()
    spoken = prompt_file("voice-test", 1, "ti", "account").read_bytes()
    webm = _as_webm(spoken)
    record = _record(form, webm, seconds=audio.probe(spoken).duration)
    stored = prompt_file("voice-test", 1, "ti", "account").read_bytes()
    assert stored[:4] == b"OggS"
    assert record.sha256 == audio.sha256(stored)
    # Not re-encoded: the same Opus packets as were uploaded.
    assert _packets(stored) == _packets(webm)
    again = prompt_record("voice-test", 1, "ti", "account")
    assert again.origin is Origin.RECORDED
    assert again.recorded_by == "interpreter.tesfay"
    assert again.recorded_at is not None
    assert {s.language: s.recorded for s in prompt_status(form)} == {"nl": 0, "en": 0, "ti": 1}
    for item in ("account.help", "fear"):
        _record(form, _as_webm(prompt_file("voice-test", 1, "ti", item).read_bytes()), item=item)
    assert recorded_languages(form) == {"ti"}
    assert _problems() == []


def _packets(data: bytes) -> list[bytes]:
    with av.open(io.BytesIO(data)) as container:
        return [bytes(p) for p in container.demux(audio=0) if p.size]


def test_non_audio_truncated_and_wrong_length_recordings_are_refused(voice_forms):
    form = _form()
    webm = _as_webm(prompt_file("voice-test", 1, "ti", "account").read_bytes())
    seconds = audio.probe(webm).duration
    with pytest.raises(audio.InvalidAudio, match="not a sound recording"):
        _record(form, b"<html>not a recording</html>" * 40)
    with pytest.raises(audio.InvalidAudio, match="did not arrive complete"):
        _record(form, webm[: len(webm) // 2], sha=audio.sha256(webm))
    cut = webm[: len(webm) * 6 // 10]  # the browser hashed what it sent
    with pytest.raises(audio.InvalidAudio, match="incomplete or damaged"):
        _record(form, cut, seconds=seconds)
    too_long = _as_webm(audio.encode_ogg_opus(_wav_of_seconds(20)))
    with pytest.raises(audio.InvalidAudio, match="too long for this text"):
        _record(form, too_long, item="fear")
    assert prompt_record("voice-test", 1, "ti", "account").origin is Origin.GENERATED


def test_a_version_with_a_missing_prompt_is_not_published(voice_forms):
    from click.testing import CliRunner

    from service.cli import main

    prompt_file("voice-test", 1, "en", "fear").unlink()
    refused = CliRunner().invoke(main, ["forms", "publish", "voice-test"])
    assert refused.exit_code == 1
    assert "prompt en/fear: missing" in refused.output
    assert not (voice_forms / "published.yaml").exists()


def test_publishing_freezes_the_prompts(voice_forms):
    form = _form()
    spoken = prompt_file("voice-test", 1, "ti", "fear").read_bytes()
    _record(form, _as_webm(spoken), item="fear")
    assert publish("voice-test") == ["voice-test@1"]
    pinned = yaml.safe_load((voice_forms / "published.yaml").read_text())["voice-test@1"]
    assert set(pinned) == {"content", "prompts"}
    assert _problems() == []
    with pytest.raises(PromptFrozen):
        _record(form, _as_webm(spoken), item="fear", published=True)
    # Another recording slipped in on disk: the recording's hash no longer matches.
    path = prompt_file("voice-test", 1, "ti", "fear")
    path.write_bytes(audio.remux_to_ogg(_as_webm(audio.encode_ogg_opus(_wav_of_seconds(2)))))
    problems = _problems()
    assert problems == ["voice-test@1 prompt ti/fear: the recording changed since it was recorded"]
    # Or its record was edited: the published prompts' hash no longer matches.
    manifest = voice_forms / "media" / "voice-test" / "1" / "prompts.yaml"
    manifest.write_text(manifest.read_text().replace("interpreter.tesfay", "someone.else"))
    assert "voice-test@1: the published prompts changed; record a new version" in _problems()
    # Generating placeholders again leaves a published version's recordings alone.
    generate_prompts()
    assert prompt_record("voice-test", 1, "ti", "fear").origin is Origin.RECORDED


def test_a_published_placeholders_audio_is_pinned(voice_forms):
    """Every prompt's SHA-256 and origin is in the published record, placeholders too:
    one byte changed is named by the check; a placeholder made again is the same one."""
    record = prompt_record("voice-test", 1, "nl", "account")
    path = prompt_file("voice-test", 1, "nl", "account")
    pinned_bytes = path.read_bytes()
    assert record.origin is Origin.GENERATED
    assert record.sha256 == audio.sha256(pinned_bytes)
    assert publish("voice-test") == ["voice-test@1"]
    changed = bytearray(pinned_bytes)
    changed[len(changed) // 2] ^= 1
    path.write_bytes(bytes(changed))
    [problem] = _problems()
    assert problem.startswith("voice-test@1 prompt nl/account: ")
    assert intact_prompt_file("voice-test", 1, "nl", "account") is None  # the kiosk won't play it
    assert intact_prompt_file("voice-test", 1, "nl", "fear") is not None
    # Other whole audio of a sane length: the hash names it.
    path.write_bytes(audio.encode_ogg_opus(_wav_of_seconds(1)))
    assert _problems() == [
        "voice-test@1 prompt nl/account: the placeholder's audio changed since it was made"
    ]
    # Lost and made again (the encoding is reproducible): the pinned audio, same record.
    path.unlink()
    generate_prompts()
    assert path.read_bytes() == pinned_bytes
    assert prompt_record("voice-test", 1, "nl", "account") == record
    assert _problems() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "yes_no", "answer_modes": ["voice"], "max_duration_seconds": 60}, "no voice"),
        ({"answer_modes": ["text", "voice"]}, "max_duration_seconds goes with"),
        ({"max_duration_seconds": 60}, "max_duration_seconds goes with"),
        ({"answer_modes": []}, "answer_modes lists"),
        ({"answer_modes": ["text", "text"]}, "answer_modes lists"),
        ({"answer_modes": ["voice"], "max_duration_seconds": 5}, "greater than or equal"),
        ({"answer_modes": ["sign"]}, "answer_modes"),
    ],
)
def test_answer_modes_and_their_limit_are_validated(change, message):
    plain = SMALL_FORM["sections"][0]["questions"][0]
    plain = {k: v for k, v in plain.items() if k not in {"answer_modes", "max_duration_seconds"}}
    question = {**plain, **change}
    section = {**SMALL_FORM["sections"][0], "questions": [question]}
    with pytest.raises(ValueError, match=message):
        FormDefinition.model_validate({**SMALL_FORM, "sections": [section]})


def test_answer_modes_reach_the_kiosk_and_the_content_hash():
    form = FormDefinition.model_validate(SMALL_FORM)
    question = form.localised("ti")["sections"][0]["questions"][0]
    assert question["answer_modes"] == ["text", "voice"]
    assert question["max_duration_seconds"] == 300
    assert form.questions[0].allows_voice
    assert not form.questions[1].allows_voice
    first = SMALL_FORM["sections"][0]
    shorter = {**first, "questions": [{**first["questions"][0], "max_duration_seconds": 120}]}
    changed = FormDefinition.model_validate({**SMALL_FORM, "sections": [shorter]})
    assert changed.content_hash != form.content_hash


def test_a_read_only_forms_directory_refuses_a_recording_clearly(voice_forms, monkeypatch):
    from service.questionnaires import prompts

    def read_only(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(prompts, "_atomic_write", read_only)
    webm = _as_webm(prompt_file("voice-test", 1, "ti", "fear").read_bytes())
    with pytest.raises(PromptsNotWritable) as refused:
        _record(_form(), webm, item="fear")
    assert refused.value.status == 503
    assert prompt_record("voice-test", 1, "ti", "fear").origin is Origin.GENERATED
