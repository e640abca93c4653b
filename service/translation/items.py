"""The one adapter from a form's answers to the items everyone works with.

XLIFF units, the side-by-side pages, the corrections and the PDF dossier all read the
answers through ``answer_items``: one item per answer with a stable key, the question
in the applicant's language and in Dutch, and the answer as display text in the
applicant's own script. When the questionnaires domain offers its own flattening of
richer forms (``FormDefinition.answer_items``, issue 8), only this module changes.
"""

from dataclasses import dataclass
from typing import Any

from service.models.questionnaires import AnswerSet
from service.questionnaires.forms import FormDefinition, Question, QuestionType, load_form

STAFF_LANGUAGE = "nl"


@dataclass(frozen=True)
class AnswerItem:
    key: str  # stable per answer: the XLIFF unit id, the corrections' answer key
    question: str  # in the applicant's language
    question_nl: str
    text: str  # the answer as the applicant gave it, in their script
    value: Any  # the answer as stored (a choice's value, true/false)
    kind: str  # the question type: text, long_text, choice, date, yes_no
    note: str  # what a translator must know (format of a date, the choice's value)


def form_of(answer_set: AnswerSet) -> FormDefinition:
    return load_form(answer_set.form_id, answer_set.form_version)


def answer_items(answer_set: AnswerSet) -> list[AnswerItem]:
    """Every answered question of the form, in the form's order."""
    form = form_of(answer_set)
    language = answer_set.language
    return [
        _item(question, answer_set.answers[question.id], language)
        for question in form.questions
        if _answered(answer_set.answers.get(question.id))
    ]


def _answered(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _item(question: Question, value: Any, language: str) -> AnswerItem:
    text, note = _display(question, value, language)
    return AnswerItem(
        key=question.id,
        question=question.label.get(language, ""),
        question_nl=question.label.get(STAFF_LANGUAGE, ""),
        text=text,
        value=value,
        kind=question.type.value,
        note=note,
    )


def _display(question: Question, value: Any, language: str) -> tuple[str, str]:
    match question.type:
        case QuestionType.CHOICE:
            option = next((o for o in question.options if o.value == value), None)
            if option is None:
                return str(value), f"choice: {value}"
            return (
                option.label.get(language, str(value)),
                f"choice '{value}', in Dutch: {option.label.get(STAFF_LANGUAGE, value)}",
            )
        case QuestionType.YES_NO:
            return _yes_no(bool(value), language), "yes/no answer"
        case QuestionType.DATE:
            return str(value), "a date (YYYY-MM-DD): keep the format"
        case _:
            return str(value), ""


# The form has no yes/no labels of its own; these are the kiosk's words.
_YES_NO: dict[str, tuple[str, str]] = {
    "nl": ("Ja", "Nee"),
    "en": ("Yes", "No"),
    "ar": ("نعم", "لا"),
    "fa": ("بله", "خیر"),
    "prs": ("بلی", "نخیر"),
    "ps": ("هو", "نه"),
    "ti": ("እወ", "ኣይፋል"),
    "tr": ("Evet", "Hayır"),  # noqa: RUF001 (Turkish dotless i)
    "ku": ("Erê", "Na"),
    "fr": ("Oui", "Non"),
    "so": ("Haa", "Maya"),
}


def _yes_no(value: bool, language: str) -> str:
    yes, no = _YES_NO.get(language, _YES_NO["en"])
    return yes if value else no
