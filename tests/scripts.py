"""Answers in the applicants' own scripts (Arabic, Tigrinya in Ge'ez), for the tests and
the benchmark: every text question gets a sentence, the others a valid value."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.dev.driver import complete_answers
from service.models.cases import Case
from service.models.questionnaires import AnswerSet
from service.questionnaires.forms import FormDefinition, Question, QuestionType, load_form

SENTENCES = {
    "ar": "غادرت مدينتي حلب في عام ٢٠١٥ لأنني خفت على حياتي وحياة أطفالي.",
    "ti": "ካብ ከተማይ ኣስመራ ብ2015 ወጺአ፣ ምኽንያቱ ብዛዕባ ህይወተይ ፈሪሐ።",
    "fa": "من در سال ۲۰۱۵ شهرم را ترک کردم چون از جانم می‌ترسیدم.",
}
DUTCH = "Ik verliet mijn stad in 2015 omdat ik voor mijn leven vreesde."


def answers_in(language: str, form: FormDefinition, number: bool = True) -> dict[str, Any]:
    """A complete answer set for ``form`` whose text answers (also inside repeatable
    groups) are in ``language``'s script."""
    answers = complete_answers(form)
    index = 0

    def in_script(questions: list[Question], values: dict[str, Any]) -> None:
        nonlocal index
        for question in questions:
            if question.type in (QuestionType.TEXT, QuestionType.LONG_TEXT):
                text = SENTENCES[language] + (f" ({index})" if number else "")
                values[question.id] = text[: question.max_length]
            elif question.type is QuestionType.GROUP:
                for item in values[question.id]:
                    in_script(question.questions, item)
            index += 1

    in_script(form.questions, answers)
    return answers


def write_answers(db: Session, case: Case, language: str) -> AnswerSet:
    """Replace a submitted case's answers with answers in ``language``'s script."""
    answer_set = db.scalar(select(AnswerSet).where(AnswerSet.case_id == case.id))
    assert answer_set is not None
    form = load_form(answer_set.form_id, answer_set.form_version)
    answer_set.answers = answers_in(language, form)
    answer_set.language = language
    db.flush()
    return answer_set
