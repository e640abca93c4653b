"""A published indicator list and a case whose answers are translated with chosen words:
the Arabic answer, its Dutch translation, both real text through the real services."""

from typing import Any

import pytest
from sqlalchemy.orm import Session

from service.attention import service as attention
from service.attention.schemas import IndicatorIn, ListIn, PublishIn
from service.models import Role
from service.models.attention import IndicatorList
from service.models.cases import Case
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import QuestionType
from service.translation import service as translation
from service.workflow import CaseState

# Saydnaya prison: in Arabic script (with a hamza-less spelling variant the applicant may
# use), its Dutch name and a transliteration the agency may write.
PRISON_AR = "صيدنايا"
PRISON_NL = "Saydnaya"
PRISON_LATIN = "Sednaya"
ORGANISATION_AR = "جبهة النصرة"
ORGANISATION_NL = "al-Nusra Front"


def indicators() -> list[IndicatorIn]:
    return [
        IndicatorIn(
            kind="place",
            language="ar",
            text=PRISON_AR,
            text_nl=PRISON_NL,
            variants=[PRISON_LATIN, "Saidnaya"],
            reason="Militaire gevangenis; personeel kan onder artikel 1F vallen.",
        ),
        IndicatorIn(
            kind="organisation",
            language="ar",
            text=ORGANISATION_AR,
            text_nl=ORGANISATION_NL,
            variants=["Jabhat al-Nusra"],
            reason="Gewapende groep op de lijst.",
        ),
        IndicatorIn(
            kind="rank",
            language="fa",
            text="سرهنگ",
            text_nl="kolonel",
            reason="Een kolonel voert bevel: bevelsverantwoordelijkheid.",
        ),
        IndicatorIn(
            kind="period",
            language="nl",
            text="Beleg van Homs",
            valid_from="2011-05-06",
            valid_to="2014-05-09",
            reason="Beleg van Homs.",
        ),
    ]


def publish_list(
    db: Session, unit: Any, name: str = "Syrië", rows: list[IndicatorIn] | None = None
) -> IndicatorList:
    made = attention.create_list(db, unit, ListIn(name=name, keeper="Unit 1F"))
    for row in indicators() if rows is None else rows:
        attention.add_indicator(db, unit, made, row)
    attention.publish(db, unit, made, PublishIn(note="first"))
    return made


def free_text_key(db: Session, case: Case) -> str:
    answer_set = questionnaires.answer_set_of(db, case)
    assert answer_set is not None
    form = questionnaires.form_of(answer_set)
    return next(q.id for q in form.questions if q.type is QuestionType.LONG_TEXT)


def translated(factory: Any, original: str, dutch: str, **case: Any) -> tuple[Case, str]:
    """A case whose free-text answer is ``original`` and its translation ``dutch``,
    delivered by the agency (the moment the answers are matched)."""
    db = factory.db
    found = factory.case_in(CaseState.IN_TRANSLATION, **case)
    key = free_text_key(db, found)
    answer_set = questionnaires.answer_set_of(db, found)
    assert answer_set is not None
    answer_set.answers = {**answer_set.answers, key: original}
    db.flush()
    job = translation.translation_of(db, found)
    assert job is not None
    texts = {item.key: f"[NL] {item.text}" for item in translation.source_items(db, job)}
    texts[key] = dutch
    translation.deliver(db, job, factory.person(Role.TRANSLATOR).actor, texts)
    db.refresh(found)
    return found, key


@pytest.fixture
def unit(factory: Any) -> Any:
    return factory.person(Role.UNIT_1F)
