"""Questionnaires as data: ``forms/<id>/v<N>.yaml`` read into a validated definition.

A definition has sections of questions (short and long text, partial dates, numbers,
yes/no, single and multiple choice, repeatable groups), each optionally shown only when
an earlier answer says so. Every text exists in every language of the form. A version,
once published, never changes: its content hash is pinned in ``forms/published.yaml`` and
in every answer set filled in with it.

Answers are plain JSON: ``{question_id: value}``, a repeatable group a list of
``{question_id: value}`` dicts. Dates are the applicant's own partial dates as text
("2015", "03-2019", "17-04-1991"); a leading ``~`` marks an estimate ("~2015").
"""

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.core.clock import utcnow
from service.core.settings import get_settings
from service.questionnaires.exceptions import FormNotFound, InvalidAnswers
from service.questionnaires.kiosk_texts import K_, kiosk_gettext

Texts = dict[str, str]
Answers = dict[str, Any]
DEFAULT_FORM = "written-hearing"
SOURCE_LANGUAGE = "nl"
PUBLISHED_REGISTRY = "published.yaml"
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]


class QuestionType(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    DATE = "date"  # partial or approximate, as the applicant knows it
    NUMBER = "number"  # a whole number
    YES_NO = "yes_no"
    CHOICE = "choice"  # one option
    MULTI_CHOICE = "multi_choice"  # any number of options
    GROUP = "group"  # repeatable: family members, journey stages, documents


TEXT_TYPES = frozenset({QuestionType.TEXT, QuestionType.LONG_TEXT})
CHOICE_TYPES = frozenset({QuestionType.CHOICE, QuestionType.MULTI_CHOICE})


class AnswerMode(StrEnum):
    TEXT = "text"  # typed (or chosen) on the screen
    VOICE = "voice"  # spoken and recorded; the agency transcribes and translates it


# A spoken answer is a recording the agency transcribes: it fits what is written in
# words, not a choice that is tapped or a group that is a list of items.
VOICE_TYPES = frozenset({*TEXT_TYPES, QuestionType.DATE, QuestionType.NUMBER})
# Answer-mode fields left at their defaults stay out of the content hash, so versions
# published before spoken answers existed keep their pinned hashes.
MODE_DEFAULTS: dict[str, Any] = {"answer_modes": ["text"], "max_duration_seconds": None}


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Identifier
    label: Texts


class Condition(BaseModel):
    """Show a question only when an earlier one was answered ``equals`` (or ``any_of``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: Identifier
    equals: bool | str | None = None
    any_of: list[str] = []

    @model_validator(mode="after")
    def _one_test(self) -> Self:
        if (self.equals is None) == (not self.any_of):
            raise ValueError("a condition has either 'equals' or 'any_of'")
        return self

    def holds(self, value: Any) -> bool:
        if self.equals is not None:
            return value == self.equals or (isinstance(value, list) and self.equals in value)
        if isinstance(value, list):
            return bool(set(value) & set(self.any_of))
        return value in self.any_of


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Identifier
    type: QuestionType
    required: bool = False
    label: Texts
    help: Texts | None = None
    options: list[Option] = []
    max_length: Annotated[int, Field(ge=1, le=20000)] = 5000
    minimum: int | None = None
    maximum: int | None = None
    show_if: Condition | None = None
    # A repeatable group: its own questions, asked once per item.
    questions: list["Question"] = []
    min_items: Annotated[int, Field(ge=0)] = 0
    max_items: Annotated[int, Field(ge=1, le=50)] = 20
    item_label: Texts | None = None  # "Family member", numbered on the page
    # How the applicant may answer; a spoken answer lasts at most max_duration_seconds.
    answer_modes: list[AnswerMode] = [AnswerMode.TEXT]
    max_duration_seconds: Annotated[int, Field(ge=10, le=1800)] | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        self._check_answer_modes()
        if (self.type in CHOICE_TYPES) != bool(self.options):
            raise ValueError(f"question {self.id}: options go with (multi_)choice only")
        if (self.type is QuestionType.GROUP) != bool(self.questions):
            raise ValueError(f"question {self.id}: sub-questions go with type 'group' only")
        if any(q.type is QuestionType.GROUP for q in self.questions):
            raise ValueError(f"question {self.id}: a group cannot hold another group")
        if self.min_items > self.max_items:
            raise ValueError(f"question {self.id}: min_items is above max_items")
        if len({o.value for o in self.options}) != len(self.options):
            raise ValueError(f"question {self.id}: option values must be unique")
        return self

    def _check_answer_modes(self) -> None:
        modes = self.answer_modes
        if not modes or len(set(modes)) != len(modes):
            raise ValueError(f"question {self.id}: answer_modes lists text, voice or both once")
        voice = AnswerMode.VOICE in modes
        if voice and self.type not in VOICE_TYPES:
            raise ValueError(f"question {self.id}: a {self.type.value} question has no voice mode")
        if voice != (self.max_duration_seconds is not None):
            raise ValueError(
                f"question {self.id}: max_duration_seconds goes with (and only with) voice"
            )

    @property
    def allows_voice(self) -> bool:
        return AnswerMode.VOICE in self.answer_modes

    def texts(self) -> Iterator[Texts]:
        yield self.label
        if self.help:
            yield self.help
        if self.item_label:
            yield self.item_label
        for option in self.options:
            yield option.label
        for question in self.questions:
            yield from question.texts()

    def option_label(self, value: str, language: str) -> str:
        found = next((o for o in self.options if o.value == value), None)
        return found.label.get(language, value) if found else value


Question.model_rebuild()


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Identifier
    title: Texts
    intro: Texts | None = None
    questions: list[Question]


class TranslationReview(BaseModel):
    """A sworn translator's sign-off of one language of a form version."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    reviewed: bool = False
    reviewer: str | None = None
    reviewed_on: date | None = None


class FormDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    version: Annotated[int, Field(ge=1)]
    purpose: str = ""  # for staff: what this form is for
    time_limit_minutes: Annotated[int, Field(ge=10, le=480)] = 240
    languages: list[str]
    rtl_languages: list[str] = []
    title: Texts
    intro: Texts
    sections: list[Section]
    # Not part of the content: a sign-off does not change a published version.
    review: dict[str, TranslationReview] = {}

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if SOURCE_LANGUAGE not in self.languages:
            raise ValueError(f"the source language '{SOURCE_LANGUAGE}' is missing")
        ids = [q.id for q in self.questions]
        ids += [f"{q.id}.{s.id}" for q in self.questions for s in q.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        missing = self.missing_texts()
        if missing:
            raise ValueError("texts missing: " + "; ".join(missing[:20]))
        self._check_conditions()
        return self

    def missing_texts(self) -> list[str]:
        """Where a text is absent or empty in one of the form's languages."""
        wanted = set(self.languages)
        found: list[str] = []
        named: list[tuple[str, Texts | None]] = [("title", self.title), ("intro", self.intro)]
        for section in self.sections:
            named += [(f"section {section.id}", section.title)]
            named += [(f"section {section.id} intro", section.intro)]
            for question in section.questions:
                named += [(f"question {question.id}", t) for t in question.texts()]
        for where, texts in named:
            if texts is None:
                continue
            absent = sorted(lang for lang in wanted if not (texts.get(lang) or "").strip())
            extra = sorted(set(texts) - wanted)
            if absent:
                found.append(f"{where}: no {', '.join(absent)}")
            if extra:
                found.append(f"{where}: languages not in the form: {', '.join(extra)}")
        return found

    def _check_conditions(self) -> None:
        seen: dict[str, Question] = {}
        for question in self.questions:
            self._check_condition(question, seen)
            inner = dict(seen)
            for sub in question.questions:
                self._check_condition(sub, inner)
                inner[sub.id] = sub
            seen[question.id] = question

    @staticmethod
    def _check_condition(question: Question, earlier: Mapping[str, Question]) -> None:
        condition = question.show_if
        if condition is None:
            return
        source = earlier.get(condition.question)
        if source is None:
            raise ValueError(f"question {question.id}: show_if names no earlier question")
        values = {o.value for o in source.options}
        if source.type is QuestionType.YES_NO and not isinstance(condition.equals, bool):
            raise ValueError(f"question {question.id}: a yes/no condition needs true or false")
        tested = [*condition.any_of, *([condition.equals] if condition.equals is not None else [])]
        if source.type in CHOICE_TYPES and not set(tested) <= values:
            raise ValueError(f"question {question.id}: show_if names an unknown option")

    # --- reading ----------------------------------------------------------------------

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def label_for(self, key: str, language: str) -> str:
        """The question an answer key points at, in ``language``; inside a group with
        the item it belongs to ("Document 2: What kind of document is it?")."""
        top, *rest = key.split(".")
        question = self.question(top)
        if question is None:
            return key
        if len(rest) == 2 and rest[0].isdigit():
            sub = next((q for q in question.questions if q.id == rest[1]), None)
            if sub is not None:
                item = (question.item_label or question.label).get(language, top)
                return f"{item} {int(rest[0]) + 1}: {sub.label.get(language, sub.id)}"
        return question.label.get(language, key)

    def direction(self, language: str) -> str:
        return "rtl" if language in self.rtl_languages else "ltr"

    @property
    def content_hash(self) -> str:
        """SHA-256 of the content (not the review sign-offs), canonical JSON."""
        content = _without_default_modes(self.model_dump(mode="json", exclude={"review"}))
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def unreviewed_languages(self) -> list[str]:
        return [
            language
            for language in self.languages
            if language != SOURCE_LANGUAGE
            and not self.review.get(language, TranslationReview()).reviewed
        ]

    def localised(self, language: str) -> dict[str, Any]:
        """The form in one language, as the kiosk shows it."""

        def t(texts: Texts | None) -> str | None:
            return None if texts is None else texts.get(language)

        def question(q: Question) -> dict[str, Any]:
            return {
                "id": q.id,
                "type": q.type.value,
                "required": q.required,
                "max_length": q.max_length,
                "label": t(q.label),
                "help": t(q.help),
                "options": [{"value": o.value, "label": t(o.label)} for o in q.options],
                "show_if": q.show_if.model_dump(exclude_defaults=True) if q.show_if else None,
                "questions": [question(sub) for sub in q.questions],
                "min_items": q.min_items,
                "max_items": q.max_items,
                "answer_modes": [m.value for m in q.answer_modes],
                "max_duration_seconds": q.max_duration_seconds,
            }

        return {
            "id": self.id,
            "version": self.version,
            "hash": self.content_hash,
            "language": language,
            "direction": self.direction(language),
            "time_limit_minutes": self.time_limit_minutes,
            "title": t(self.title),
            "intro": t(self.intro),
            "sections": [
                {
                    "id": s.id,
                    "title": t(s.title),
                    "intro": t(s.intro),
                    "questions": [question(q) for q in s.questions],
                }
                for s in self.sections
            ],
        }

    def visible(self, question: Question, answers: Answers, item: Answers | None = None) -> bool:
        """Whether the question is asked, given the answers so far (and its group item)."""
        condition = question.show_if
        if condition is None:
            return True
        scope = {**answers, **(item or {})}
        return condition.holds(scope.get(condition.question))

    def answer_items(self, answers: Answers, language: str) -> list["AnswerItem"]:
        """Every given answer, flattened in form order, for display and translation.

        The key is stable (``family_members.0.name``); the question label and the
        answer's display text are in ``language`` (choices as their labels, dates as
        written, an estimate marked as such). Answers to follow-up questions no longer
        asked (the earlier answer changed) are left out, as on the review page. Issues 9
        (XLIFF, PDF) and 10 (officer workbench) build on this; old answer sets render
        with their own pinned version.
        """
        gettext = kiosk_gettext(language)
        items: list[AnswerItem] = []
        for section in self.sections:
            for question in section.questions:
                value = answers.get(question.id)
                if _blank(value) or not self.visible(question, answers):
                    continue  # a follow-up whose earlier answer changed is not asked
                label = question.label.get(language, question.id)
                if question.type is QuestionType.GROUP:
                    item_label = (question.item_label or question.label).get(language, label)
                    for index, item in enumerate(value if isinstance(value, list) else []):
                        for sub in question.questions:
                            if _blank(item.get(sub.id)) or not self.visible(sub, answers, item):
                                continue
                            items.append(
                                AnswerItem(
                                    key=f"{question.id}.{index}.{sub.id}",
                                    section_id=section.id,
                                    question_id=sub.id,
                                    label=sub.label.get(language, sub.id),
                                    group_label=f"{item_label} {index + 1}",
                                    text=display_text(sub, item[sub.id], language, gettext),
                                    kind=sub.type,
                                    value=item[sub.id],
                                )
                            )
                    continue
                items.append(
                    AnswerItem(
                        key=question.id,
                        section_id=section.id,
                        question_id=question.id,
                        label=label,
                        group_label=None,
                        text=display_text(question, value, language, gettext),
                        kind=question.type,
                        value=value,
                    )
                )
        return items


def _without_default_modes(content: Any) -> Any:
    """The dumped definition without answer-mode fields left at their defaults."""
    if isinstance(content, list):
        return [_without_default_modes(item) for item in content]
    if not isinstance(content, dict):
        return content
    return {
        key: _without_default_modes(value)
        for key, value in content.items()
        if not (key in MODE_DEFAULTS and value == MODE_DEFAULTS[key])
    }


@dataclass(frozen=True)
class AnswerItem:
    """One answer, ready to show or translate."""

    key: str  # stable: "identity_full_name", "family_members.0.name"
    section_id: str
    question_id: str
    label: str  # the question, in the requested language
    group_label: str | None  # "Family member 2" for an answer inside a group
    text: str  # the answer as the reader sees it
    kind: QuestionType
    value: Any  # the stored value


def display_text(
    question: Question, value: Any, language: str, gettext: Callable[[str], str]
) -> str:
    match question.type:
        case QuestionType.YES_NO:
            return gettext(K_("Yes")) if value else gettext(K_("No"))
        case QuestionType.CHOICE:
            return question.option_label(str(value), language)
        case QuestionType.MULTI_CHOICE:
            return ", ".join(question.option_label(str(v), language) for v in value)
        case QuestionType.DATE:
            text = str(value)
            if text.startswith("~"):
                return gettext(K_("about %(date)s")) % {"date": text[1:]}
            return text
        case _:
            return str(value)


# --- loading and the published registry ---------------------------------------------------


def forms_dir() -> Path:
    return get_settings().forms_dir


def available_forms() -> list[tuple[str, int]]:
    found = []
    for path in sorted(forms_dir().glob("*/v*.yaml")):
        found.append((path.parent.name, int(path.stem.removeprefix("v"))))
    return sorted(found)


def form_path(form_id: str, version: int) -> Path:
    return forms_dir() / form_id / f"v{version}.yaml"


@lru_cache
def load_form(form_id: str = DEFAULT_FORM, version: int | None = None) -> FormDefinition:
    versions = sorted(v for f, v in available_forms() if f == form_id)
    if not versions or (version is not None and version not in versions):
        raise FormNotFound(f"No form '{form_id}' version {version or 'any'}.")
    path = form_path(form_id, version or versions[-1])
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return FormDefinition.model_validate(resolve_library(raw, _library()))


LIBRARY_FILE = "_library.yaml"


def _library() -> dict[str, Any]:
    path = forms_dir() / LIBRARY_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def resolve_library(raw: dict[str, Any], library: dict[str, Any]) -> dict[str, Any]:
    """Replace ``use: <id>`` entries with the library's section or question (overrides
    beside ``use`` win), so a form version is one self-contained definition."""

    def entry(kind: str, item: dict[str, Any]) -> dict[str, Any]:
        if "use" not in item:
            return item
        name = item["use"]
        shared = library.get(kind, {}).get(name)
        if shared is None:
            raise FormNotFound(f"The form library has no {kind[:-1]} '{name}'.")
        rest = {k: v for k, v in item.items() if k != "use"}
        return {"id": name, **shared, **rest}

    sections = []
    for section in raw.get("sections", []):
        resolved = entry("sections", section)
        resolved["questions"] = [entry("questions", q) for q in resolved.get("questions", [])]
        sections.append(resolved)
    return {**raw, "sections": sections}


def published_registry() -> dict[str, dict[str, str]]:
    """``{"written-hearing@2": {"content": sha256, "prompts": sha256}}``: what each
    published version must stay (its text, and the record of its spoken prompts). An
    entry written before prompts existed is the content hash alone."""
    path = forms_dir() / PUBLISHED_REGISTRY
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text()) or {}
    return {
        str(k): {"content": str(v)} if isinstance(v, str) else {a: str(b) for a, b in v.items()}
        for k, v in raw.items()
    }


def published_hashes() -> dict[str, str]:
    """``{"written-hearing@2": sha256}``: the content each published version must keep."""
    return {key: entry["content"] for key, entry in published_registry().items()}


# --- validating answers ---------------------------------------------------------------------

# 2015 · 03-2019 · 17-04-1991 · 1991-04-17 (ISO, as the first form version took it)
PARTIAL_DATE = re.compile(r"^~?(?:(\d{4})|(\d{1,2})-(\d{4})|(\d{1,2})-(\d{1,2})-(\d{4}))$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def answer_problems(
    form: FormDefinition,
    answers: Answers,
    *,
    complete: bool,
    language: str = "en",
    within: Collection[str] | None = None,
) -> dict[str, str]:
    """Every problem with ``answers``, by answer key, in ``language``.

    ``complete`` also demands the required answers of every question that is shown.
    Answers to questions hidden by their condition are ignored, not refused: the
    applicant may have changed the earlier answer. ``within``: only the problems of
    these questions (by id; e.g. one section's), the others not looked at (an autosave
    checks its section, not the whole form).
    """
    gettext = kiosk_gettext(language)
    problems: dict[str, str] = {}
    known = {q.id for q in form.questions}
    for question_id in answers:
        if question_id not in known and (within is None or question_id in within):
            problems[question_id] = gettext(K_("This is not a question of this form."))
    for question in form.questions:
        if within is not None and question.id not in within:
            continue
        value = answers.get(question.id)
        if not form.visible(question, answers):
            continue
        if question.type is QuestionType.GROUP:
            problems.update(_group_problems(form, question, value, answers, complete, gettext))
            continue
        problem = _value_problem(question, value, gettext)
        if problem is None and complete and question.required and _blank(value):
            problem = gettext(K_("Please answer this question."))
        if problem:
            problems[question.id] = problem
    return problems


def validate_answers(
    form: FormDefinition, answers: Answers, *, complete: bool, language: str = "en"
) -> None:
    """Raise with every problem at once (``InvalidAnswers``, 422)."""
    problems = answer_problems(form, answers, complete=complete, language=language)
    if problems:
        raise InvalidAnswers(problems)


def _group_problems(
    form: FormDefinition,
    group: Question,
    value: Any,
    answers: Answers,
    complete: bool,
    gettext: Callable[[str], str],
) -> dict[str, str]:
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return {group.id: gettext(K_("This answer has the wrong form."))}
    problems: dict[str, str] = {}
    if len(value) > group.max_items:
        problems[group.id] = gettext(K_("At most %(count)d items.")) % {"count": group.max_items}
    elif complete and len(value) < group.min_items:
        problems[group.id] = gettext(K_("Add at least %(count)d.")) % {"count": group.min_items}
    inner = {q.id: q for q in group.questions}
    for index, item in enumerate(value):
        for key in item:
            if key not in inner:
                problems[f"{group.id}.{index}.{key}"] = gettext(
                    K_("This is not a question of this form.")
                )
        for sub in group.questions:
            if not form.visible(sub, answers, item):
                continue
            sub_value = item.get(sub.id)
            problem = _value_problem(sub, sub_value, gettext)
            if problem is None and complete and sub.required and _blank(sub_value):
                problem = gettext(K_("Please answer this question."))
            if problem:
                problems[f"{group.id}.{index}.{sub.id}"] = problem
    return problems


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _value_problem(question: Question, value: Any, gettext: Callable[[str], str]) -> str | None:
    if value is None:
        return None
    match question.type:
        case QuestionType.TEXT | QuestionType.LONG_TEXT:
            if not isinstance(value, str):
                return gettext(K_("Write text here."))
            if len(value) > question.max_length:
                return gettext(K_("Use at most %(count)d characters.")) % {
                    "count": question.max_length
                }
        case QuestionType.CHOICE:
            if not isinstance(value, str) or value not in {o.value for o in question.options}:
                return gettext(K_("Choose one of the answers."))
        case QuestionType.MULTI_CHOICE:
            values = {o.value for o in question.options}
            if not isinstance(value, list) or not all(v in values for v in value):
                return gettext(K_("Choose from the answers shown."))
            if len(set(value)) != len(value):
                return gettext(K_("Choose each answer once."))
        case QuestionType.YES_NO:
            if not isinstance(value, bool):
                return gettext(K_("Choose yes or no."))
        case QuestionType.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int):
                return gettext(K_("Write a whole number, for example 3."))
            if question.minimum is not None and value < question.minimum:
                return gettext(K_("The number is too small."))
            if question.maximum is not None and value > question.maximum:
                return gettext(K_("The number is too large."))
        case QuestionType.DATE:
            if not isinstance(value, str) or not _is_partial_date(value):
                return gettext(K_("Write a date like 2015, 03-2019 or 17-04-1991."))
        case QuestionType.GROUP:  # pragma: no cover - groups are checked as groups
            return None
    return None


def _is_partial_date(text: str) -> bool:
    """A real (partial) date, not in the future; "~" in front marks an estimate."""
    iso = ISO_DATE.match(text)
    if iso:
        year, month, day = (int(p) for p in iso.groups())
    else:
        found = PARTIAL_DATE.match(text)
        if not found:
            return False
        year_only, month_of_year, year_of_month, d, m, y = found.groups()
        day = int(d) if d else 1
        month = int(m or month_of_year or 1)
        year = int(y or year_of_month or year_only)
    try:
        given = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= given <= utcnow().date()
