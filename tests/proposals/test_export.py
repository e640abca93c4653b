"""A version published in the service goes to forms/ (``hearing forms export``), where
the kiosk reads its versions: the file's hash is the frozen one, pinned in
published.yaml, and the versions cases were answered in stay as they were."""

import shutil
from typing import Any

import pytest

from service.core.settings import get_settings
from service.models import Role
from service.proposals import service
from service.questionnaires.check import check_forms
from service.questionnaires.forms import load_form, published_hashes, published_registry
from service.questionnaires.prompts import load_manifest, prompt_problems
from tests.proposals.test_proposals import _complete_draft


@pytest.fixture
def forms_copy(tmp_path, monkeypatch):
    target = tmp_path / "forms"
    shutil.copytree(get_settings().forms_dir, target)
    monkeypatch.setattr(get_settings(), "forms_dir", target)
    load_form.cache_clear()
    yield target
    load_form.cache_clear()


# Placeholders in one of the form's languages, not all six: espeak-ng and the Opus
# encoder take about 0.1 s a prompt, and the rule is the same for every language.
SPOKEN = ["nl"]


def _only(content: Any, languages: list[str]) -> Any:
    """The form's content with its texts in ``languages`` only."""
    if isinstance(content, list):
        return [_only(item, languages) for item in content]
    if not isinstance(content, dict):
        return content
    if "nl" in content and all(isinstance(v, str) for v in content.values()):
        return {k: v for k, v in content.items() if k in languages}  # one text, per language
    return {k: _only(v, languages) for k, v in content.items()}


def test_export_writes_the_frozen_version_and_pins_its_hash(db, factory, forms_copy):
    before = published_hashes()
    owner = factory.person(Role.FORM_OWNER).actor
    draft = _complete_draft(db, factory)
    draft.content = _only(draft.content, SPOKEN) | {"languages": SPOKEN, "rtl_languages": []}
    db.flush()
    assert service.export_published(db, "written-hearing") == []  # a draft stays here
    service.publish(db, owner, draft)
    assert service.export_published(db, "written-hearing") == ["written-hearing@4"]
    assert load_form("written-hearing").version == 4
    assert load_form("written-hearing", 4).content_hash == draft.content_hash
    pinned = published_registry()
    assert pinned["written-hearing@4"]["content"] == draft.content_hash
    # Its spoken prompts were generated (placeholders) and their record pinned with it.
    prompts = pinned["written-hearing@4"]["prompts"]
    assert prompts
    assert set(load_manifest("written-hearing", 4)) == set(SPOKEN)
    assert not prompt_problems(load_form("written-hearing", 4), prompts)
    # Earlier versions (and the answer sets pinned to them) are untouched.
    assert {k: v for k, v in published_hashes().items() if k in before} == before
    assert not check_forms(prompts=False).problems  # the shipped prompts are set-up's
    assert service.export_published(db, "written-hearing") == []  # once
