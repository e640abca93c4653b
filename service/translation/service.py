"""Agencies translate the submitted form into Dutch within an agreed term."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import procedure
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.models.cases import Case
from service.models.questionnaires import AnswerSet
from service.models.terms import TermStep
from service.models.translation import Agency, Translation
from service.questionnaires.exceptions import FormNotStarted
from service.questionnaires.forms import load_form
from service.questionnaires.service import answer_set_of
from service.terms import service as terms
from service.terms.policy import local_date
from service.translation.exceptions import (
    AgencyNotFound,
    IncompleteTranslation,
    TranslationClosed,
)
from service.translation.schemas import SourceAnswer
from service.workflow import LEFT_TRACK, CaseEvent


def agency_named(db: Session, name: str) -> Agency:
    """An active agency by its exact name; a typo is refused, never stored."""
    agency = db.scalar(select(Agency).where(Agency.name == name.strip(), Agency.active.is_(True)))
    if agency is None:
        known = db.scalars(select(Agency.name).where(Agency.active.is_(True)).order_by(Agency.name))
        raise AgencyNotFound(f"No agency named '{name}'. Agencies: {', '.join(known) or 'none'}.")
    return agency


def create_agency(db: Session, name: str) -> Agency:
    agency = Agency(name=name.strip())
    db.add(agency)
    db.flush()
    return agency


def request(
    db: Session, case: Case, actor: Actor, agency_name: str, due_days: int | None = None
) -> Translation:
    agency = agency_named(db, agency_name)
    answer_set = answer_set_of(db, case)
    if answer_set is None:
        raise FormNotStarted("The case has no submitted form to translate.")
    now = utcnow()
    term = terms.start(db, case, TermStep.TRANSLATION, due_days)
    procedure.advance(
        db,
        case,
        CaseEvent.SEND_TO_TRANSLATION,
        actor,
        f"sent to {agency.name}, due {local_date(term.due_at):%Y-%m-%d}",
    )
    translation = Translation(
        case_id=case.id,
        agency_id=agency.id,
        source_language=answer_set.language,
        requested_at=now,
        due_at=term.due_at,
    )
    db.add(translation)
    db.flush()
    return translation


def reassign(db: Session, job: Translation, agency_name: str) -> Agency:
    """Give an open job to another agency (a late or mistaken assignment); the term runs on."""
    if job.delivered_at is not None:
        raise TranslationClosed("This translation has been delivered already.")
    if job.cancelled_at is not None:
        raise TranslationClosed("This translation was called off: the case left the track.")
    agency = agency_named(db, agency_name)
    job.agency_id = agency.id
    db.flush()
    return agency


def source_answers(db: Session, job: Translation) -> list[SourceAnswer]:
    """The questions and the applicant's answers, in their language, for the translator."""
    answer_set = db.scalar(select(AnswerSet).where(AnswerSet.case_id == job.case_id))
    if answer_set is None:
        return []
    form = load_form(answer_set.form_id, answer_set.form_version)
    return [
        SourceAnswer(
            question_id=q.id,
            question=q.label.get(answer_set.language, ""),
            question_nl=q.label.get("nl", ""),
            answer=answer_set.answers[q.id],
        )
        for q in form.questions
        if q.id in answer_set.answers
    ]


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
    agency = db.get_one(Agency, translation.agency_id)
    procedure.advance(
        db, case, CaseEvent.DELIVER_TRANSLATION, actor, f"translated by {agency.name}"
    )
    translation.answers_nl = answers_nl
    translation.delivered_at = utcnow()
    translation.translator_id = actor.user_id
    term = terms.start(db, case, TermStep.CORRECTIONS)
    procedure.advance(
        db,
        case,
        CaseEvent.SEND_TO_LAWYER,
        SYSTEM,
        f"translated form sent to the lawyer; corrections by {local_date(term.due_at):%Y-%m-%d}",
    )
    return case


@procedure.on_enter(*LEFT_TRACK)
def _call_off_translation(db: Session, move: procedure.Move) -> None:
    """A case that leaves the written track is not translated further."""
    for job in db.scalars(
        select(Translation).where(
            Translation.case_id == move.case_id,
            Translation.delivered_at.is_(None),
            Translation.cancelled_at.is_(None),
        )
    ):
        job.cancelled_at = utcnow()


def translation_of(db: Session, case: Case) -> Translation | None:
    return db.scalar(select(Translation).where(Translation.case_id == case.id))


def agencies(db: Session) -> Sequence[Agency]:
    return db.scalars(select(Agency).order_by(Agency.name)).all()
