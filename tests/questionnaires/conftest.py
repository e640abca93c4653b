"""Spoken prompts: a small draft form with its placeholders, generated once per run."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.core.settings import get_settings
from service.questionnaires.forms import load_form
from tests.voice import make_voice_forms


def _use_forms(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    monkeypatch.setattr(get_settings(), "forms_dir", directory)
    load_form.cache_clear()


@pytest.fixture(scope="session")
def generated_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A forms directory with one small draft and its placeholders (made once)."""
    return make_voice_forms(tmp_path_factory.mktemp("voice-forms"))


@pytest.fixture
def voice_forms(
    generated_forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    directory = tmp_path / "forms"
    shutil.copytree(generated_forms, directory)
    _use_forms(monkeypatch, directory)
    yield directory
    load_form.cache_clear()
