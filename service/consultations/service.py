"""Consultations before a decision: the LGBTI or conversion coordinator (mandatory when
the motive is raised) and the hard-cases team (knopendoorhakteam, when the officer asks).

The officer requests, the matching adviser answers on their own page, and the decision
stays blocked while a required or requested consultation has no answer."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.consultations.exceptions import (
    AlreadyAnswered,
    AlreadyRequested,
    ConsultationNotFound,
    MotiveNotRaised,
    NotYourSpecialism,
)
from service.consultations.schemas import AdviceIn, ConsultationRequestIn
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import in_english
from service.core.i18n import N_
from service.decisions.queries import profile_of
from service.models.auth import Role
from service.models.cases import Case
from service.models.decisions import Consultation, ConsultationTopic
from service.workflow import TERMINAL_STATES, CaseState, WorkflowError

T = ConsultationTopic
BEFORE_DECISION = (CaseState.READY_FOR_DECISION, CaseState.CLAIMED, CaseState.IN_REVIEW)


def _check_open(case: Case) -> None:
    if case.state in TERMINAL_STATES:
        why = N_("The case is %(state)s; consultations are closed.")
        raise WorkflowError(in_english(why, state=case.state))


def _check_topic_fits(case: Case, topic: ConsultationTopic) -> None:
    if topic is not T.HARD_CASES and topic.value not in case.coordinator_motives:
        raise MotiveNotRaised(
            in_english(N_("The file does not raise the motive '%(motive)s'."), motive=topic.value),
            field="topic",
        )


def may_answer(db: Session, actor: Actor, topic: ConsultationTopic) -> bool:
    """Coordinators answer on their own motive; the hard-cases team's officers on KDT."""
    if topic is T.HARD_CASES:
        profile = profile_of(db, actor.user_id) if actor.is_(Role.OFFICER) else None
        return profile is not None and profile.hard_cases_team
    return actor.is_(Role.COORDINATOR) and actor.specialism == topic.value


def _require_adviser(db: Session, actor: Actor, topic: ConsultationTopic) -> None:
    if not may_answer(db, actor, topic):
        if topic is T.HARD_CASES:
            why = N_("Only the hard-cases team answers a consultation on '%(topic)s'.")
        else:
            why = N_("Only the %(motive)s coordinator answers a consultation on '%(topic)s'.")
        raise NotYourSpecialism(in_english(why, motive=topic.value, topic=topic.value))


def request(db: Session, case: Case, officer: Actor, body: ConsultationRequestIn) -> Consultation:
    """The officer asks for advice; one open request per topic."""
    topic = body.topic
    _check_open(case)
    _check_topic_fits(case, topic)
    if open_request(db, case.id, topic) is not None:
        raise AlreadyRequested(
            N_("A consultation on this topic already waits for an answer."), field="topic"
        )
    consultation = Consultation(
        case_id=case.id,
        motive=topic.value,
        requested_by_id=officer.user_id,
        requested_at=utcnow(),
        question=body.question,
    )
    db.add(consultation)
    db.flush()
    return consultation


def open_request(db: Session, case_id: uuid.UUID, topic: ConsultationTopic) -> Consultation | None:
    return db.scalar(
        select(Consultation).where(
            Consultation.case_id == case_id,
            Consultation.motive == topic.value,
            Consultation.advice.is_(None),
        )
    )


def answer(db: Session, consultation: Consultation, adviser: Actor, advice: str) -> Consultation:
    """The matching adviser records the advice on a request."""
    _require_adviser(db, adviser, T(consultation.motive))
    if consultation.advice is not None:
        raise AlreadyAnswered(N_("This consultation has been answered already."))
    _check_open(db.get_one(Case, consultation.case_id))
    consultation.coordinator_id = adviser.user_id
    consultation.advice = advice
    consultation.recorded_at = utcnow()
    db.flush()
    return consultation


def record_consultation(
    db: Session, case: Case, coordinator: Actor, motive: str, advice: str
) -> Consultation:
    """A coordinator's advice on a case raising their motive: answers the open request,
    or is recorded unasked."""
    topic = T(motive)
    _require_adviser(db, coordinator, topic)
    _check_topic_fits(case, topic)
    _check_open(case)
    waiting = open_request(db, case.id, topic)
    if waiting is not None:
        return answer(db, waiting, coordinator, advice)
    consultation = Consultation(case_id=case.id, motive=topic.value)
    db.add(consultation)
    return answer(db, consultation, coordinator, advice)


def advise(db: Session, case: Case, adviser: Actor, body: AdviceIn) -> Consultation:
    """The adviser's page: answer the request it names on this file, or (a coordinator)
    advise unasked on their own motive."""
    if body.consultation_id is None:
        if adviser.specialism is None:
            raise NotYourSpecialism("Only a coordinator advises unasked, on their own motive.")
        return record_consultation(db, case, adviser, adviser.specialism, body.advice)
    consultation = consultation_by_id(db, body.consultation_id)
    if consultation.case_id != case.id:
        raise ConsultationNotFound("That consultation belongs to another file.")
    return answer(db, consultation, adviser, body.advice)


def consultation_by_id(db: Session, consultation_id: uuid.UUID) -> Consultation:
    found = db.get(Consultation, consultation_id)
    if found is None:
        why = N_("No consultation %(consultation)s.")
        raise ConsultationNotFound(in_english(why, consultation=consultation_id))
    return found


def consultations_of(db: Session, case_id: uuid.UUID) -> Sequence[Consultation]:
    return db.scalars(
        select(Consultation)
        .where(Consultation.case_id == case_id)
        .order_by(Consultation.requested_at, Consultation.recorded_at)
    ).all()


def waiting_for(
    db: Session, adviser: Actor, limit: int = 200
) -> list[tuple[Case, Consultation | None]]:
    """Open requests the adviser may answer, and (coordinators) files before decision that
    raise their motive without any advice yet."""
    topics = [t for t in T if may_answer(db, adviser, t)]
    if not topics:
        return []
    requests = db.execute(
        select(Case, Consultation)
        .join(Consultation, Consultation.case_id == Case.id)
        .where(Consultation.motive.in_([t.value for t in topics]), Consultation.advice.is_(None))
        .where(Case.state.in_(BEFORE_DECISION))
        .order_by(Consultation.requested_at)
        .limit(limit)
    ).all()
    waiting: list[tuple[Case, Consultation | None]] = [(c, r) for c, r in requests]
    asked = {c.id for c, _ in waiting}
    motives = {t.value for t in topics} - {T.HARD_CASES.value}
    if motives:
        advised = set(
            db.scalars(select(Consultation.case_id).where(Consultation.motive.in_(motives))).all()
        )
        unasked = db.scalars(
            select(Case).where(Case.state.in_(BEFORE_DECISION)).order_by(Case.ready_at)
        ).all()
        waiting += [
            (c, None)
            for c in unasked
            if motives & set(c.coordinator_motives) and c.id not in advised | asked
        ]
    return waiting[:limit]
