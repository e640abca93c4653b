"""The written registration interview (aanmeldgehoor): select, prepare the file, read it.

A case takes it as a **track** (``Track.REGISTRATION``) through the same procedure as the
hearing: the planner's selection (``select``) clears a newly registered case for planning,
the kiosk shows the form the policy names for ``registration``, the agency translates it,
and the delivery prepares the file for the registration officer instead of sending it to
the lawyer (``workflow.after_translation_event``). On that move the answers and their
Dutch are taken over into a ``RegistrationFile`` (``_take_over_answers``), so the case is
screened for the hearing afterwards like any new case and its hearing form has its own
answers; the registration interview's answers travel with it (``answers_of``)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service import procedure
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import in_english
from service.core.i18n import N_
from service.eligibility.policy import screen
from service.eligibility.service import active_policy, profile
from service.models.cases import Case
from service.models.eligibility import ScreeningOutcome
from service.models.questionnaires import AnswerSet
from service.models.registration import RegistrationFile
from service.models.sessions import Booking
from service.models.translation import Translation, TranslationVersion
from service.registration.exceptions import NotEligibleForRegistration, RegistrationFileNotFound
from service.translation.items import answer_items
from service.workflow import CaseEvent, CaseState, Reason, Track

PURPOSE = "registration"


def select_case(db: Session, case: Case, actor: Actor) -> Case:
    """Select a newly registered applicant for the written registration interview: the
    case is then planned in a kiosk session like any other (state ``consented``)."""
    policy = active_policy()
    changes = {"track": Track.REGISTRATION.value}
    # The workflow first: a case already on its way, or one with an NV/1F signal.
    procedure.check(db, case, CaseEvent.SELECT_FOR_REGISTRATION, changes=changes)
    if PURPOSE not in policy.forms:
        why = N_("Policy %(policy)s has no form for the registration interview.")
        raise NotEligibleForRegistration(in_english(why, policy=policy.version))
    verdict = screen(policy, profile(case, (s.kind for s in case.signals)))
    if verdict.outcome is ScreeningOutcome.EXCLUDED:
        why = N_("Cannot select for the registration interview: %(rule)s.")
        raise NotEligibleForRegistration(in_english(why, rule=verdict.reason))
    with db.no_autoflush:
        case.track = Track.REGISTRATION.value
        case.policy_version = policy.version
        procedure.advance(
            db,
            case,
            CaseEvent.SELECT_FOR_REGISTRATION,
            actor,
            Reason.step(N_("selected for the written registration interview")),
        )
    return case


@procedure.on_enter(CaseState.REGISTRATION_PREPARED)
def _take_over_answers(db: Session, moves: Sequence[procedure.Move]) -> None:
    """The translated registration interview becomes the registration officer's prepared
    file: its answers and their Dutch move into the file, its seat is given back, so the
    case can be screened and planned for the hearing with a form of its own."""
    ids = procedure.case_ids(moves)
    now = utcnow()
    for answer_set in db.scalars(select(AnswerSet).where(AnswerSet.case_id.in_(ids))):
        case = db.get_one(Case, answer_set.case_id)
        translation = db.scalar(select(Translation).where(Translation.case_id == case.id))
        db.add(
            RegistrationFile(
                case_id=case.id,
                form_id=answer_set.form_id,
                form_version=answer_set.form_version,
                form_hash=answer_set.form_hash,
                language=answer_set.language,
                answers=dict(answer_set.answers),
                answers_nl=dict(translation.answers_nl or {}) if translation else {},
                agency_id=translation.agency_id if translation else None,
                selected_at=case.consented_at,
                submitted_at=answer_set.submitted_at,
                translated_at=translation.delivered_at if translation else None,
                prepared_at=now,
            )
        )
    db.flush()
    jobs = select(Translation.id).where(Translation.case_id.in_(ids))
    db.execute(delete(TranslationVersion).where(TranslationVersion.translation_id.in_(jobs)))
    db.execute(delete(Translation).where(Translation.case_id.in_(ids)))
    db.execute(delete(AnswerSet).where(AnswerSet.case_id.in_(ids)))
    db.execute(
        update(Booking)
        .where(Booking.case_id.in_(ids), Booking.cancelled_at.is_(None))
        .values(cancelled_at=now, cancel_reason="registration interview done")
    )


def file_of(db: Session, case_id: uuid.UUID) -> RegistrationFile | None:
    return db.scalar(select(RegistrationFile).where(RegistrationFile.case_id == case_id))


def prepared_file(db: Session, case: Case) -> RegistrationFile:
    """The case's prepared file, or a 404 when it has none."""
    found = file_of(db, case.id)
    if found is None:
        why = N_("Case %(case)s has no prepared registration interview.")
        raise RegistrationFileNotFound(in_english(why, case=case.v_number))
    return found


@dataclass(frozen=True)
class RegistrationAnswer:
    key: str
    question_nl: str
    question: str
    answer: str
    answer_nl: str


def answers_of(registration: RegistrationFile) -> list[RegistrationAnswer]:
    """The registration interview's answers in the form's order: the question in Dutch
    and in the applicant's language, the answer as given and in Dutch."""
    given = AnswerSet(
        form_id=registration.form_id,
        form_version=registration.form_version,
        language=registration.language,
        answers=registration.answers,
    )
    dutch = registration.answers_nl or {}
    return [
        RegistrationAnswer(
            item.key, item.question_nl, item.question, item.text, str(dutch.get(item.key, ""))
        )
        for item in answer_items(given)
    ]
