"""The agency translates the submitted form into Dutch within an agreed term."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.service import advance, due
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.models.auth import Role
from service.models.cases import Case
from service.models.translation import Translation
from service.questionnaires.exceptions import FormNotStarted
from service.questionnaires.service import answer_set_of
from service.translation.exceptions import IncompleteTranslation, TranslationNotFound
from service.workflow import CaseEvent


def request(
    db: Session, case: Case, actor: Actor, agency: str, due_days: int | None = None
) -> Translation:
    answer_set = answer_set_of(db, case)
    if answer_set is None:
        raise FormNotStarted("The case has no submitted form to translate.")
    now = utcnow()
    due_at = due(due_days or get_settings().translation_days, now)
    advance(
        db, case, CaseEvent.SEND_TO_TRANSLATION, actor, f"sent to {agency}, due {due_at:%Y-%m-%d}"
    )
    translation = Translation(
        case_id=case.id,
        agency=agency,
        source_language=answer_set.language,
        requested_at=now,
        due_at=due_at,
    )
    db.add(translation)
    db.flush()
    return translation


def assigned_to(db: Session, actor: Actor, open_only: bool) -> Sequence[Translation]:
    query = select(Translation).order_by(Translation.due_at)
    if actor.is_(Role.TRANSLATOR):
        query = query.where(Translation.agency == actor.organisation)
    if open_only:
        query = query.where(Translation.delivered_at.is_(None))
    return db.scalars(query.limit(500)).all()


def get_translation(db: Session, translation_id: uuid.UUID, actor: Actor) -> Translation:
    translation = db.get(Translation, translation_id)
    if translation is None or (
        actor.is_(Role.TRANSLATOR) and translation.agency != actor.organisation
    ):
        raise TranslationNotFound(f"No translation {translation_id} assigned to you.")
    return translation


def deliver(
    db: Session, translation: Translation, actor: Actor, answers_nl: dict[str, Any]
) -> Case:
    """Store the Dutch text; the case then goes straight to the lawyer for corrections."""
    case = db.get_one(Case, translation.case_id)
    answer_set = answer_set_of(db, case)
    answered = set(answer_set.answers) if answer_set else set()
    missing = sorted(answered - set(answers_nl))
    extra = sorted(set(answers_nl) - answered)
    if missing or extra:
        raise IncompleteTranslation(
            "Translate exactly the answered questions. "
            + (f"Missing: {', '.join(missing)}. " if missing else "")
            + (f"Not answered, so not to translate: {', '.join(extra)}." if extra else "")
        )
    advance(db, case, CaseEvent.DELIVER_TRANSLATION, actor, f"translated by {translation.agency}")
    translation.answers_nl = answers_nl
    translation.delivered_at = utcnow()
    translation.translator_id = actor.user_id
    case.corrections_due_at = due(get_settings().corrections_days)
    advance(
        db,
        case,
        CaseEvent.SEND_TO_LAWYER,
        SYSTEM,
        f"translated form sent to the lawyer; corrections by {case.corrections_due_at:%Y-%m-%d}",
    )
    return case


def translation_of(db: Session, case: Case) -> Translation | None:
    return db.scalar(select(Translation).where(Translation.case_id == case.id))
