"""A small questionnaire with spoken prompts, for the tests of issue 19: nl, en and ti,
one question that may be answered by voice, its placeholders generated with espeak-ng."""

from pathlib import Path

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


def make_voice_forms(directory: Path) -> Path:
    """``directory`` as a forms directory holding the small form as a draft, with its
    placeholders (a few seconds of espeak-ng)."""
    (directory / "voice-test").mkdir(parents=True)
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
