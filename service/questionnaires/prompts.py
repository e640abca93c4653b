"""Spoken prompts: every question, choice and help text of a form version, per language,
as Ogg Opus at ``forms/media/<form>/<version>/<lang>/<id>.ogg``.

Each prompt has an origin, kept in the version's manifest
(``forms/media/<form>/<version>/prompts.yaml``): ``recorded`` by an interpreter (who,
when) or a ``generated`` placeholder (espeak-ng, offline, by ``hearing forms prompts
--generate``), with the SHA-256 of its audio and of the text it speaks. Publishing a
version pins the manifest's hash beside the content hash in ``forms/published.yaml``:
a published version's audio never changes, like its text. Placeholders are not kept in
git but made again where missing; the encoding is reproducible (``audio.encode_ogg_opus``),
so a placeholder made again with the same espeak-ng is the pinned one, and the check
names one that is not. (Versions published before placeholders' audio was pinned keep
only their text hash.) A placeholder is never fit for use: the eligibility policy admits
a low-literacy applicant only in a language whose prompts are all recorded.
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from service.core import audio
from service.core.clock import utcnow
from service.core.errors import Conflict, DomainError, NotFound
from service.core.i18n import N_
from service.questionnaires.forms import FormDefinition, Question, Texts, forms_dir

MEDIA_DIR = "media"
MANIFEST = "prompts.yaml"
# The languages that get spoken prompts: espeak-ng has a voice for each (Tigrinya from
# libespeak-ng 1.52, see ``espeak_command``). A form's other languages have none yet.
PROMPT_LANGUAGES = ("nl", "en", "ar", "fa", "tr", "ti")
ESPEAK_VOICES = {"nl": "nl", "en": "en", "ar": "ar", "fa": "fa", "tr": "tr", "ti": "ti"}
# A prompt lasts at least this long, and at most the bound from its text's length.
MIN_SECONDS = 0.3
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,3}$")
FORM_ID = re.compile(r"^[a-z][a-z0-9-]*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class Origin(StrEnum):
    RECORDED = "recorded"
    GENERATED = "generated"


class PromptRecord(BaseModel):
    """Where one prompt comes from; a recording's hash, a placeholder's text hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    origin: Origin
    sha256: str | None = None  # of the audio (None: a placeholder made before it was kept)
    text_sha256: str  # of the text the prompt speaks
    recorded_by: str | None = None  # username of the interpreter
    recorded_at: datetime | None = None
    duration: float | None = None  # seconds, decoded


Manifest = dict[str, dict[str, PromptRecord]]  # {language: {item id: record}}


@dataclass(frozen=True)
class PromptItem:
    """One text of a form that is spoken: a question, a choice or a help text."""

    id: str  # "full_name", "full_name.help", "marital_status.option.married",
    # "family_members.name" (a question inside a group)
    kind: str  # "question", "help", "option"
    texts: Texts

    def text(self, language: str) -> str:
        return self.texts.get(language, "")


@dataclass(frozen=True)
class LanguageStatus:
    language: str
    recorded: int
    generated: int
    missing: int

    @property
    def total(self) -> int:
        return self.recorded + self.generated + self.missing

    @property
    def all_recorded(self) -> bool:
        return self.total > 0 and self.recorded == self.total


def prompt_items(form: FormDefinition) -> list[PromptItem]:
    """Every spoken text of the form, in form order."""

    def of(question: Question, prefix: str) -> Iterator[PromptItem]:
        base = f"{prefix}{question.id}"
        yield PromptItem(base, "question", question.label)
        if question.help:
            yield PromptItem(f"{base}.help", "help", question.help)
        for option in question.options:
            yield PromptItem(f"{base}.option.{option.value}", "option", option.label)
        for sub in question.questions:
            if sub.id in {"help", "option"}:
                raise ValueError(f"question {base}: a sub-question may not be named {sub.id}")
            yield from of(sub, f"{base}.")

    return [item for question in form.questions for item in of(question, "")]


def prompt_languages(form: FormDefinition) -> list[str]:
    return [language for language in form.languages if language in PROMPT_LANGUAGES]


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def max_seconds(text: str) -> float:
    """The longest a prompt of ``text`` may sensibly last: slow, careful speech with
    pauses (an interpreter reads about 12 characters a second; this allows 4)."""
    return 3.0 + 0.25 * len(text)


# --- where the files are ------------------------------------------------------------------


def version_dir(form_id: str, version: int) -> Path:
    return forms_dir() / MEDIA_DIR / form_id / str(version)


def prompt_path(form_id: str, version: int, language: str, item_id: str) -> Path:
    if not (FORM_ID.match(form_id) and LANGUAGE.match(language) and ITEM_ID.match(item_id)):
        raise NotFound(N_("No such prompt."))
    return version_dir(form_id, version) / language / f"{item_id}.ogg"


def prompt_file(form_id: str, version: int, language: str, item_id: str) -> Path | None:
    """The prompt's Ogg Opus file, or None where there is none (yet)."""
    try:
        path = prompt_path(form_id, version, language, item_id)
    except NotFound:
        return None
    return path if path.is_file() else None


def intact_prompt_file(form_id: str, version: int, language: str, item_id: str) -> Path | None:
    """The prompt's file while its audio is the one its record holds (for a published
    version, the pinned one), None otherwise: an applicant never hears a prompt that
    changed behind the record's back (``hearing forms check`` names it)."""
    path = prompt_file(form_id, version, language, item_id)
    record = prompt_record(form_id, version, language, item_id)
    if path is None or record is None or not _intact(record, path):
        return None
    return path


def _intact(record: PromptRecord, path: Path) -> bool:
    return record.sha256 is None or record.sha256 == audio.sha256(path.read_bytes())


def prompt_record(form_id: str, version: int, language: str, item_id: str) -> PromptRecord | None:
    """The prompt's origin: recorded (who, when) or generated; None where unknown."""
    return load_manifest(form_id, version).get(language, {}).get(item_id)


# --- the manifest ---------------------------------------------------------------------------


def load_manifest(form_id: str, version: int) -> Manifest:
    path = version_dir(form_id, version) / MANIFEST
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    # A copy per call: the lock's caller changes it; the records themselves are frozen.
    # Each write is a new file (``_atomic_write``): its inode, time and size tell.
    read = _read_manifest(str(path), (stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return {language: dict(items) for language, items in read.items()}


@lru_cache(maxsize=32)
def _read_manifest(path: str, _version: tuple[int, int, int]) -> Manifest:
    """The manifest as it is on disk (read again when it changes: the kiosk asks for
    every prompt of a page, the file holds hundreds)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {
        str(language): {str(k): PromptRecord.model_validate(v) for k, v in items.items()}
        for language, items in raw.items()
    }


def manifest_hash(manifest: Manifest) -> str:
    """SHA-256 of the manifest, canonical JSON: what publishing pins."""
    content = {
        language: {k: r.model_dump(mode="json", exclude_none=True) for k, r in items.items()}
        for language, items in manifest.items()
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _write_manifest(form_id: str, version: int, manifest: Manifest) -> None:
    directory = version_dir(form_id, version)
    directory.mkdir(parents=True, exist_ok=True)
    content = {
        language: {
            k: r.model_dump(mode="json", exclude_none=True) for k, r in sorted(items.items())
        }
        for language, items in sorted(manifest.items())
    }
    header = (
        f"# Spoken prompts of {form_id}@{version}: origin per prompt and language\n"
        "# (written by `hearing forms prompts` and the interpreter's recording page).\n"
    )
    _atomic_write(
        directory / MANIFEST,
        (header + yaml.safe_dump(content, sort_keys=False, allow_unicode=True)).encode(),
    )
    _read_manifest.cache_clear()  # this process need not trust the file's times


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(name, path)


@contextmanager
def _manifest_lock(form_id: str, version: int) -> Iterator[Manifest]:
    """The manifest, read and written under a file lock (several app processes)."""
    directory = version_dir(form_id, version)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = load_manifest(form_id, version)
        yield manifest
        _write_manifest(form_id, version, manifest)


# --- status ---------------------------------------------------------------------------------


def prompt_status(form: FormDefinition) -> list[LanguageStatus]:
    """Per language with prompts: how many are recorded, placeholders, or missing."""
    manifest = load_manifest(form.id, form.version)
    items = prompt_items(form)
    found = []
    for language in prompt_languages(form):
        records = manifest.get(language, {})
        counts = {Origin.RECORDED: 0, Origin.GENERATED: 0}
        missing = 0
        for item in items:
            record = records.get(item.id)
            if record is None or prompt_file(form.id, form.version, language, item.id) is None:
                missing += 1
            else:
                counts[record.origin] += 1
        found.append(
            LanguageStatus(language, counts[Origin.RECORDED], counts[Origin.GENERATED], missing)
        )
    return found


def recorded_languages(form: FormDefinition) -> frozenset[str]:
    """The languages in which every prompt of ``form`` is recorded by an interpreter."""
    return frozenset(s.language for s in prompt_status(form) if s.all_recorded)


# --- checking -------------------------------------------------------------------------------


def prompt_problems(form: FormDefinition, pinned: str | None) -> list[str]:
    """Every prompt present, an Ogg Opus stream of a sane length for its text, a
    recording unchanged since it was recorded, and (published) the manifest as pinned."""
    manifest = load_manifest(form.id, form.version)
    problems: list[str] = []
    if pinned is not None and manifest_hash(manifest) != pinned:
        problems.append(f"{form.key}: the published prompts changed; record a new version")
    for language in prompt_languages(form):
        records = manifest.get(language, {})
        for item in prompt_items(form):
            where = f"{form.key} prompt {language}/{item.id}"
            problems += [f"{where}: {p}" for p in _problems(form, language, item, records)]
    return problems


def _problems(
    form: FormDefinition, language: str, item: PromptItem, records: dict[str, PromptRecord]
) -> list[str]:
    path = prompt_file(form.id, form.version, language, item.id)
    record = records.get(item.id)
    if path is None or record is None:
        return ["missing" if path is None else "no origin recorded"]
    data = path.read_bytes()
    try:
        info = audio.probe(data)
    except audio.InvalidAudio as exc:
        return [f"not a whole Ogg Opus stream ({exc.detail})"]
    problems = []
    if info.container != "ogg":
        problems.append(f"not in an Ogg container ({info.container})")
    text = item.text(language)
    if not MIN_SECONDS <= info.duration <= max_seconds(text):
        problems.append(
            f"lasts {info.duration:.1f} s, not between {MIN_SECONDS} and "
            f"{max_seconds(text):.0f} s for its {len(text)} characters"
        )
    if record.text_sha256 != text_sha256(text):
        problems.append("speaks an earlier text")
    if record.origin is Origin.RECORDED and record.sha256 != audio.sha256(data):
        problems.append("the recording changed since it was recorded")
    elif record.sha256 is not None and record.sha256 != audio.sha256(data):
        problems.append("the placeholder's audio changed since it was made")
    return problems


# --- a new version's recordings --------------------------------------------------------------


class RecordingState(StrEnum):
    MISSING = "missing"  # never recorded by an interpreter
    STALE = "stale"  # recorded for an earlier text: the text changed since


def _current(
    form: FormDefinition, language: str, item_id: str, record: PromptRecord | None, text: str
) -> bool:
    return (
        record is not None
        and record.text_sha256 == text_sha256(text)
        and prompt_file(form.id, form.version, language, item_id) is not None
    )


def recording_states(
    form: FormDefinition, base: FormDefinition, languages: frozenset[str]
) -> dict[str, dict[str, RecordingState]]:
    """Per language of ``languages``: the prompts of ``form`` (a draft) that lack an
    interpreter's recording of their current text. A recording keeps the hash of the
    text it speaks, so one made for an earlier text is stale. The draft's own
    recordings count, and those of ``base`` (the version it was drafted from) whose text
    is unchanged: :func:`carry_over` takes them into the new version."""
    own, inherited = load_manifest(form.id, form.version), load_manifest(base.id, base.version)
    states: dict[str, dict[str, RecordingState]] = {}
    for language in sorted(languages):
        wanted: dict[str, RecordingState] = {}
        for item in prompt_items(form):
            text = item.text(language)
            found = [
                (where, record)
                for where, records in ((form, own), (base, inherited))
                if (record := records.get(language, {}).get(item.id)) is not None
                and record.origin is Origin.RECORDED
            ]
            if any(_current(where, language, item.id, r, text) for where, r in found):
                continue
            wanted[item.id] = RecordingState.STALE if found else RecordingState.MISSING
        states[language] = wanted
    return states


def carry_over(base: FormDefinition, form: FormDefinition) -> int:
    """Copy into ``form``'s folder the prompts of ``base`` (recordings and placeholders)
    whose text did not change and that ``form`` has none of: a new version keeps what
    the interpreters recorded, and its placeholders need not be spoken again."""
    inherited = load_manifest(base.id, base.version)
    copied = 0
    with _manifest_lock(form.id, form.version) as manifest:
        for language in prompt_languages(form):
            records = manifest.setdefault(language, {})
            for item in prompt_items(form):
                record = inherited.get(language, {}).get(item.id)
                source = prompt_file(base.id, base.version, language, item.id)
                if (
                    item.id in records
                    or source is None
                    or not _current(base, language, item.id, record, item.text(language))
                ):
                    continue
                assert record is not None
                _atomic_write(
                    prompt_path(form.id, form.version, language, item.id), source.read_bytes()
                )
                records[item.id] = record
                copied += 1
    return copied


# --- generating placeholders ----------------------------------------------------------------


def espeak_command(language: str) -> tuple[list[str], dict[str, str]] | None:
    """How to run espeak-ng for ``language`` as a separate process, or None without a
    voice. The PyPI package espeakng-loader ships libespeak-ng 1.52 with its data, which
    Debian's program then loads: 1.52 speaks Tigrinya, and it says the same text the
    same way every time (1.51 varies some Arabic texts from run to run, so a published
    placeholder made again would not match its pinned hash). Without it, Debian's 1.51
    speaks every language but Tigrinya."""
    program = shutil.which("espeak-ng")
    if program is None:
        return None
    voice = ESPEAK_VOICES.get(language)
    if voice is None:
        return None
    command = [program, "-v", voice, "--stdout", "--stdin"]
    library = _espeak_152()
    if library is None:
        return None if language == "ti" else (command, {})
    env = {"LD_LIBRARY_PATH": str(library)}
    return [program, f"--path={library}", *command[1:]], env


@lru_cache
def _espeak_152() -> Path | None:
    try:
        import espeakng_loader  # type: ignore[import-untyped]
    except ImportError:
        return None
    return Path(espeakng_loader.get_library_path()).parent


def speak(text: str, language: str) -> bytes | None:
    """A placeholder for ``text``: espeak-ng's WAV encoded as Ogg Opus (None: no voice)."""
    found = espeak_command(language)
    if found is None:
        return None
    command, env = found
    wav = subprocess.run(  # noqa: S603 - our espeak-ng, the text on stdin
        command,
        input=text.encode(),
        capture_output=True,
        check=True,
        env={**os.environ, **env},
        timeout=60,
    ).stdout
    return audio.encode_ogg_opus(wav)


@dataclass
class Generated:
    written: int = 0
    kept: int = 0
    no_voice: tuple[str, ...] = ()


def generate_placeholders(form: FormDefinition, *, published: bool) -> Generated:
    """Write a placeholder for every prompt that has neither a recording nor a current
    placeholder; a recording is never replaced. A published version only gets its
    missing files back and keeps its records (pinned: the check compares the audio)."""
    result = Generated()
    no_voice = []
    with _manifest_lock(form.id, form.version) as manifest:
        for language in prompt_languages(form):
            if espeak_command(language) is None:
                no_voice.append(language)
                continue
            records = manifest.setdefault(language, {})
            for item in prompt_items(form):
                text = item.text(language)
                record = records.get(item.id)
                path = prompt_path(form.id, form.version, language, item.id)
                current = record is not None and record.text_sha256 == text_sha256(text)
                if current and path.is_file():
                    result.kept += 1
                    continue
                if record is not None and record.origin is Origin.RECORDED:
                    result.kept += 1  # a missing recording is reported by the check
                    continue
                if published and record is None:
                    continue  # pinned without it: the check reports it
                data = speak(text, language)
                if data is None:  # pragma: no cover - the voice vanished mid-run
                    continue
                _atomic_write(path, data)
                if not published:
                    records[item.id] = PromptRecord(
                        origin=Origin.GENERATED,
                        sha256=audio.sha256(data),
                        text_sha256=text_sha256(text),
                    )
                result.written += 1
    result.no_voice = tuple(no_voice)
    return result


# --- recording ------------------------------------------------------------------------------


class PromptFrozen(Conflict):
    code = "prompt_frozen"


class PromptsNotWritable(DomainError):
    status = 503
    code = "prompts_not_writable"


def record_prompt(
    form: FormDefinition,
    *,
    published: bool,
    language: str,
    item_id: str,
    data: bytes,
    measured_seconds: float | None,
    claimed_sha256: str,
    recorded_by: str,
) -> PromptRecord:
    """Store an interpreter's recording of one prompt of a draft version: checked whole
    (the hash the browser sent, every packet decoded, not shorter than the browser's
    timer), of a sane length for its text, remuxed to Ogg Opus as it was recorded."""
    if published:
        raise PromptFrozen(N_("This version is published: its prompts can no longer change."))
    item = next((i for i in prompt_items(form) if i.id == item_id), None)
    if item is None or language not in prompt_languages(form):
        raise NotFound(N_("No such prompt."))
    audio.check_sha256(data, claimed_sha256)
    info = audio.probe(data, expected_seconds=measured_seconds)
    text = item.text(language)
    if info.duration < MIN_SECONDS:
        raise audio.InvalidAudio(N_("The recording is too short. Record it again."), field="audio")
    if info.duration > max_seconds(text):
        raise audio.InvalidAudio(
            N_("The recording is too long for this text. Record it again."), field="audio"
        )
    ogg = audio.remux_to_ogg(data)
    record = PromptRecord(
        origin=Origin.RECORDED,
        sha256=audio.sha256(ogg),
        text_sha256=text_sha256(text),
        recorded_by=recorded_by,
        recorded_at=utcnow().replace(microsecond=0),
        duration=round(audio.probe(ogg).duration, 2),
    )
    try:
        with _manifest_lock(form.id, form.version) as manifest:
            _atomic_write(prompt_path(form.id, form.version, language, item_id), ogg)
            manifest.setdefault(language, {})[item_id] = record
    except OSError as exc:  # a read-only forms directory (see docs/operations.md)
        raise PromptsNotWritable(
            N_("Recordings cannot be stored on this server. Ask the administrator.")
        ) from exc
    return record


__all__ = [
    "PROMPT_LANGUAGES",
    "LanguageStatus",
    "Origin",
    "PromptItem",
    "PromptRecord",
    "RecordingState",
    "carry_over",
    "generate_placeholders",
    "intact_prompt_file",
    "load_manifest",
    "manifest_hash",
    "prompt_file",
    "prompt_items",
    "prompt_problems",
    "prompt_record",
    "prompt_status",
    "record_prompt",
    "recorded_languages",
    "recording_states",
]
