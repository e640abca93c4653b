"""Form definitions from ``forms/<id>/v<N>.yaml`` and validation of answers against them."""

from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.core.settings import get_settings
from service.questionnaires.exceptions import FormNotFound, InvalidAnswers

Texts = dict[str, str]
DEFAULT_FORM = "written-hearing"


class QuestionType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    DATE = "date"
    YES_NO = "yes_no"


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str
    label: Texts


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    type: QuestionType
    required: bool = False
    max_length: Annotated[int, Field(ge=1, le=20000)] = 5000
    label: Texts
    help: Texts | None = None
    options: list[Option] = []


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: Texts
    questions: list[Question]


class FormDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: int
    time_limit_minutes: int = 240
    languages: list[str]
    rtl_languages: list[str] = []
    title: Texts
    intro: Texts
    sections: list[Section]

    @model_validator(mode="after")
    def _complete(self) -> "FormDefinition":
        ids = [q.id for q in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        wanted = set(self.languages)
        for q in self.questions:
            texts = [q.label, *([q.help] if q.help else []), *(o.label for o in q.options)]
            if any(set(t) != wanted for t in texts):
                raise ValueError(f"question {q.id}: texts must exist in {sorted(wanted)}")
            if (q.type is QuestionType.CHOICE) != bool(q.options):
                raise ValueError(f"question {q.id}: options go with type 'choice' only")
        return self

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def localised(self, language: str) -> dict[str, Any]:
        """The form in one language, as the kiosk shows it."""

        def t(texts: Texts | None) -> str | None:
            return None if texts is None else texts.get(language)

        return {
            "id": self.id,
            "version": self.version,
            "language": language,
            "direction": "rtl" if language in self.rtl_languages else "ltr",
            "time_limit_minutes": self.time_limit_minutes,
            "title": t(self.title),
            "intro": t(self.intro),
            "sections": [
                {
                    "id": s.id,
                    "title": t(s.title),
                    "questions": [
                        {
                            "id": q.id,
                            "type": q.type.value,
                            "required": q.required,
                            "max_length": q.max_length,
                            "label": t(q.label),
                            "help": t(q.help),
                            "options": [{"value": o.value, "label": t(o.label)} for o in q.options],
                        }
                        for q in s.questions
                    ],
                }
                for s in self.sections
            ],
        }


def forms_dir() -> Path:
    return get_settings().forms_dir


def available_forms() -> list[tuple[str, int]]:
    found = []
    for path in sorted(forms_dir().glob("*/v*.yaml")):
        found.append((path.parent.name, int(path.stem.removeprefix("v"))))
    return found


@lru_cache
def load_form(form_id: str = DEFAULT_FORM, version: int | None = None) -> FormDefinition:
    versions = sorted(v for f, v in available_forms() if f == form_id)
    if not versions or (version is not None and version not in versions):
        raise FormNotFound(f"No form '{form_id}' version {version or 'any'}.")
    path = forms_dir() / form_id / f"v{version or versions[-1]}.yaml"
    return FormDefinition.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def validate_answers(form: FormDefinition, answers: dict[str, Any], *, complete: bool) -> None:
    """Raise with every problem at once; ``complete`` also demands required answers."""
    problems: list[str] = []
    for question_id, value in answers.items():
        question = form.question(question_id)
        if question is None:
            problems.append(f"{question_id}: not a question of this form")
            continue
        problem = _check_value(question, value)
        if problem:
            problems.append(f"{question_id}: {problem}")
    if complete:
        problems += [
            f"{q.id}: an answer is required"
            for q in form.questions
            if q.required and _blank(answers.get(q.id))
        ]
    if problems:
        raise InvalidAnswers("; ".join(problems))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_value(question: Question, value: Any) -> str | None:
    if value is None:
        return None
    match question.type:
        case QuestionType.TEXT | QuestionType.LONG_TEXT:
            if not isinstance(value, str):
                return "expected text"
            if len(value) > question.max_length:
                return f"at most {question.max_length} characters"
        case QuestionType.CHOICE:
            if not isinstance(value, str) or value not in {o.value for o in question.options}:
                return "not one of the options"
        case QuestionType.YES_NO:
            if not isinstance(value, bool):
                return "expected true or false"
        case QuestionType.DATE:
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                return "expected a date as YYYY-MM-DD"
    return None
