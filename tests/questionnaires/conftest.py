"""Spoken prompts: a small draft form with its placeholders, generated once per run."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from service.core.settings import get_settings
from service.questionnaires.check import generate_prompts
from service.questionnaires.forms import load_form

LANGUAGES = ["nl", "en", "ti"]


def _texts(nl: str, en: str, ti: str) -> dict[str, str]:
    return {"nl": nl, "en": en, "ti": ti}


SMALL_FORM = {
    "id": "voice-test",
    "version": 1,
    "languages": LANGUAGES,
    "title": _texts("Proef", "Trial", "ፈተነ"),
    "intro": _texts("Een proef.", "A trial.", "ፈተነ።"),
    "sections": [
        {
            "id": "reasons",
            "title": _texts("Redenen", "Reasons", "ምኽንያታት"),
            "questions": [
                {
                    "id": "account",
                    "type": "long_text",
                    "answer_modes": ["text", "voice"],
                    "max_duration_seconds": 300,
                    "label": _texts(
                        "Waarom bent u gevlucht?", "Why did you flee?", "ስለምንታይ ሃዲምኩም?"
                    ),
                    "help": _texts("Vertel het rustig.", "Take your time.", "ብህድኣት ንገሩ።"),
                },
                {
                    "id": "fear",
                    "type": "yes_no",
                    "label": _texts(
                        "Bent u bang om terug te gaan?",
                        "Are you afraid to go back?",
                        "ንምምላስ ትፈርሁ ዶ?",
                    ),
                },
            ],
        }
    ],
}


def _use_forms(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    monkeypatch.setattr(get_settings(), "forms_dir", directory)
    load_form.cache_clear()


@pytest.fixture(scope="session")
def generated_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A forms directory with one small draft and its placeholders (made once)."""
    directory = tmp_path_factory.mktemp("voice-forms")
    (directory / "voice-test").mkdir()
    (directory / "voice-test" / "v1.yaml").write_text(
        yaml.safe_dump(SMALL_FORM, allow_unicode=True), encoding="utf-8"
    )
    settings = get_settings()
    before = settings.forms_dir
    settings.forms_dir = directory
    load_form.cache_clear()
    try:
        generate_prompts()
    finally:
        settings.forms_dir = before
        load_form.cache_clear()
    return directory


@pytest.fixture
def voice_forms(
    generated_forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    directory = tmp_path / "forms"
    shutil.copytree(generated_forms, directory)
    _use_forms(monkeypatch, directory)
    yield directory
    load_form.cache_clear()
