"""The applicant's form at the kiosk: start, save as they go, submit (or auto-submit)."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from service import procedure
from service.auth.service import end_kiosk_sign_ins
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.crypto import open_value, seal_value
from service.core.errors import DomainError
from service.core.formatting import in_english
from service.core.i18n import N_
from service.eligibility.policy import FormPurpose, load_policy
from service.eligibility.service import active_policy
from service.models.cases import Case
from service.models.questionnaires import AnswerSet, VoiceRecording
from service.models.sessions import Booking, HearingSession
from service.questionnaires.exceptions import (
    FormClosed,
    FormNotFound,
    FormNotStarted,
    FormTimeUp,
    InvalidAnswers,
    LanguageNotOffered,
    NotAssisted,
)
from service.questionnaires.forms import (
    Answers,
    FormDefinition,
    Section,
    answer_problems,
    load_form,
    validate_answers,
)
from service.questionnaires.kiosk_texts import K_, KIOSK_LANGUAGES
from service.questionnaires.schemas import TypedBy
from service.workflow import AT_THE_KIOSK, TERMINAL_STATES, CaseEvent, CaseState, Reason


@procedure.on_enter(*(frozenset(CaseState) - AT_THE_KIOSK), after=AT_THE_KIOSK)
def _end_kiosk_sign_ins(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Whatever the door (API or page) and whoever moved the case: once it leaves the
    kiosk (handed in by the applicant or at the time limit, declined, withdrawn,
    excluded), no kiosk code or token of the case reads or writes it any more."""
    end_kiosk_sign_ins(db, *procedure.case_ids(moves))


def form_for(case: Case) -> FormDefinition:
    """The questionnaire this case fills in: its track, under the policy that screened it."""
    policy = load_policy(case.policy_version) if case.policy_version else active_policy()
    if case.track is None:  # not screened (yet): what the kansrijk track would get
        return policy_form()
    mapped = policy.forms.get(cast(FormPurpose, case.track))
    if mapped is None:  # a policy without a form mapping: the latest written hearing
        return load_form()
    form_id, _, version = mapped.partition("@")
    return load_form(form_id, int(version))


def policy_form(purpose: FormPurpose = "replacing") -> FormDefinition:
    """The form the active policy gives a purpose (the kansrijk track by default)."""
    mapped = active_policy().forms.get(purpose)
    if mapped is None:
        return load_form()
    form_id, _, version = mapped.partition("@")
    return load_form(form_id, int(version))


def form_language(form: FormDefinition, case: Case) -> str:
    """The applicant's first language that both the form and the policy offer."""
    offered = set(form.languages) & active_policy().form_languages
    for language in case.languages:
        if language in offered:
            return language
    why = N_("The form is not offered in the applicant's languages (%(languages)s).")
    raise LanguageNotOffered(in_english(why, languages=", ".join(case.languages)))


def answer_set_of(db: Session, case: Case) -> AnswerSet | None:
    return db.scalar(select(AnswerSet).where(AnswerSet.case_id == case.id))


def form_of(answer_set: AnswerSet) -> FormDefinition:
    """The exact version the answers were given in (old answer sets keep theirs)."""
    return load_form(answer_set.form_id, answer_set.form_version)


def case_with_answers(db: Session, case_id: uuid.UUID) -> tuple[Case, AnswerSet | None]:
    """The applicant's case and form in one statement (the kiosk saves often)."""
    row = db.execute(
        select(Case, AnswerSet)
        .outerjoin(AnswerSet, AnswerSet.case_id == Case.id)
        .where(Case.id == case_id)
    ).one()
    return row[0], row[1]


def start(db: Session, case: Case, actor: Actor, language: str | None = None) -> AnswerSet:
    """The applicant confirmed their own consent: the form starts in ``language`` (by
    default their first language the form offers). The time runs to the end of the
    session's window, and never longer than the form's time limit."""
    form = form_for(case)
    if language is None:
        language = form_language(form, case)
    elif language not in form.languages:
        refused = N_("The form is not offered in '%(language)s'.")
        raise LanguageNotOffered(in_english(refused, language=language))
    why = Reason.step(N_("form started in '%(language)s'"), language=language)
    procedure.advance(db, case, CaseEvent.START_FORM, actor, why)
    now = utcnow()
    deadline = now + timedelta(minutes=form.time_limit_minutes)
    window_end = _session_window_end(db, case)
    answer_set = AnswerSet(
        case_id=case.id,
        form_id=form.id,
        form_version=form.version,
        form_hash=form.content_hash,
        language=language,
        answers={},
        started_at=now,
        consented_at=now,
        deadline_at=min(deadline, window_end) if window_end and window_end > now else deadline,
    )
    db.add(answer_set)
    db.flush()
    return answer_set


def _session_window_end(db: Session, case: Case) -> datetime | None:
    row = db.execute(
        select(HearingSession.starts_at, HearingSession.duration_minutes)
        .join(Booking, Booking.session_id == HearingSession.id)
        .where(Booking.case_id == case.id, Booking.cancelled_at.is_(None))
    ).first()
    return None if row is None else row.starts_at + timedelta(minutes=row.duration_minutes)


def decline(db: Session, case: Case, actor: Actor) -> None:
    """The applicant does not consent at the kiosk: the written track ends for this case
    and a physical hearing follows (the regular procedure)."""
    procedure.advance(
        db,
        case,
        CaseEvent.WITHDRAW,
        actor,
        Reason.step(N_("the applicant declined the written hearing at the kiosk")),
    )


class FormStatus(StrEnum):
    """Where the applicant's form stands, as both doors (page and API) find it."""

    NOT_STARTED = "not_started"
    OPEN = "open"
    TIME_UP = "time_up"  # handed in as saved the moment a door finds it so
    HANDED_IN = "handed_in"
    LEFT = "left"  # the case left the written hearing (declined, withdrawn, excluded)


def form_status(state: CaseState, answer_set: Any) -> FormStatus:
    """``answer_set``: the answer set (or its row), None when the form was not started."""
    if state in TERMINAL_STATES:
        return FormStatus.LEFT
    if answer_set is None or state is not CaseState.IN_PROGRESS:
        if answer_set is not None and answer_set.submitted_at is not None:
            return FormStatus.HANDED_IN
        return FormStatus.NOT_STARTED
    if answer_set.deadline_at <= utcnow():
        return FormStatus.TIME_UP
    return FormStatus.OPEN


def not_open(status: FormStatus) -> DomainError:
    """Why a form that is not open takes no answers (the same refusal through both doors)."""
    match status:
        case FormStatus.LEFT:
            return FormClosed("Your case has left the written hearing; please speak to the host.")
        case FormStatus.HANDED_IN:
            return FormClosed("The form has been handed in; it can no longer be changed.")
        case FormStatus.TIME_UP:
            return FormTimeUp("The time for this form is over; what you saved has been handed in.")
    return FormNotStarted("Start the form first.")


@dataclass(frozen=True)
class KioskForm:
    """The applicant's case and form, and where the form stands."""

    case: Case
    answer_set: AnswerSet | None
    status: FormStatus

    def open(self) -> AnswerSet:
        """The answer set while it takes answers, else the refusal that says why."""
        if self.status is not FormStatus.OPEN:
            raise not_open(self.status)
        assert self.answer_set is not None
        return self.answer_set


def kiosk_form(db: Session, case_id: uuid.UUID) -> KioskForm:
    """The applicant's form as either door finds it. A form whose time is up is handed in
    here, as saved, whoever asks (page or API); the minute's sweep does the same for a
    form nobody asks about."""
    case, answer_set = case_with_answers(db, case_id)
    status = form_status(case.state, answer_set)
    if status is FormStatus.TIME_UP:
        auto_submit(db, case.id)
    return KioskForm(case, answer_set, status)


def applicant_case_id(actor: Actor) -> uuid.UUID:
    """The case of the applicant at the kiosk (their sign-in always carries it)."""
    assert actor.case_id is not None
    return actor.case_id


# The kiosks save every few seconds, 40 at a time per location: the save reads the
# form with the case's state in one prepared statement and writes with one UPDATE,
# without ORM objects (bench/bench_http.py measures it).
_FORM_TO_SAVE = (
    select(Case.state, *AnswerSet.__table__.columns)
    .join(Case, Case.id == AnswerSet.case_id)
    .where(AnswerSet.case_id == bindparam("case_id"))
    # A save merges into what it read: a second save of the same form (the autosave and
    # the page's post) waits for the first and then reads what it wrote, or one of them
    # would be lost. PostgreSQL locks the answer set's row (and re-reads it when the
    # lock is granted); SQLite's writers already take the write lock up front.
    .with_for_update(of=AnswerSet)
)
_CASE_STATE = select(Case.state).where(Case.id == bindparam("case_id"))
_ANSWER_SETS = cast(Table, AnswerSet.__table__)
_SAVE = (
    update(_ANSWER_SETS)
    .where(_ANSWER_SETS.c.id == bindparam("answer_set_id"))
    .values(
        answers=bindparam("answers"), saved_at=bindparam("saved_at"), typists=bindparam("typists")
    )
)


# Who typed an answer other than the applicant: {"role": "host" | "interpreter", "id": ...}.
Typist = dict[str, str]


def typist_for(db: Session, case_id: uuid.UUID, typed_by: TypedBy) -> Typist | None:
    """The helper who types for the applicant (None: the applicant themself), refused
    where the host did not switch assisted filling on with the applicant's consent."""
    if typed_by is TypedBy.APPLICANT:
        return None
    row = db.execute(
        select(
            Booking.assisted_by, Booking.assisted_by_user_id, Booking.assisted_by_interpreter_id
        ).where(
            Booking.case_id == case_id,
            Booking.cancelled_at.is_(None),
            Booking.assist_consent_at.is_not(None),
        )
    ).first()
    if row is None or row.assisted_by is None:
        raise NotAssisted(K_("Nobody may type for you here. Ask the host."))
    helper_id = row.assisted_by_user_id or row.assisted_by_interpreter_id
    return {"role": row.assisted_by, "id": str(helper_id)}


def helper_role(db: Session, case_id: uuid.UUID) -> str | None:
    """Who may type (or could, once the form is handed in) for the applicant (assisted
    filling): ``host``, ``interpreter``, or None where the host did not switch it on.
    A seat is given back when the case leaves the written track; the help stays known."""
    return db.scalar(
        select(Booking.assisted_by)
        .where(Booking.case_id == case_id, Booking.assisted_by.is_not(None))
        .order_by(Booking.assist_consent_at.desc())
        .limit(1)
    )


def typed(
    stored: Answers, after: Answers, typists: dict[str, Any], typist: Typist | None
) -> dict[str, Any]:
    """Who typed each answer once this save is kept: the answers it changed are the
    typist's (the applicant's are not listed); the others keep theirs."""
    changed = {k for k in set(stored) | set(after) if stored.get(k) != after.get(k)}
    kept = {k: v for k, v in typists.items() if k not in changed and k in after}
    if typist is not None:
        kept |= {k: typist for k in changed if k in after}
    return kept


def save(db: Session, case_id: uuid.UUID, answers: dict[str, Any]) -> dict[str, Any]:
    """Merge answers into the form (null clears one), all or none: refused (422) if any is
    not valid. For seeding and demos; the doors save through :func:`save_section`."""
    return save_with(db, case_id, lambda form, language, saved: (answers, {}), strict=True)[0]


# Given the form, the answer set's language and the saved answers: the answers to merge
# and the problems found (whose answers are left out of the merge).
Merge = Callable[[FormDefinition, str, dict[str, Any]], tuple[dict[str, Any], dict[str, str]]]


def merged(saved: Answers, answers: Answers) -> Answers:
    """``answers`` over ``saved``; a null clears an answer."""
    return {k: v for k, v in {**saved, **answers}.items() if v is not None}


def save_with(
    db: Session,
    case_id: uuid.UUID,
    merge: Merge,
    *,
    strict: bool = False,
    typist: Typist | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Save what ``merge`` makes of the form in one read and one write, without ORM
    objects; returns the saved answer set and the problems ``merge`` reported. The
    answers it changes are recorded as typed by ``typist`` (None: the applicant)."""
    connection = db.connection()  # plain Core: no ORM objects on this path
    row = connection.execute(_FORM_TO_SAVE, {"case_id": case_id}).first()
    if row is None:  # not started: say why (one more query, only on this error path)
        state = connection.execute(_CASE_STATE, {"case_id": case_id}).scalar_one()
        raise not_open(form_status(state, None))
    if (status := form_status(row.state, row)) is not FormStatus.OPEN:
        if status is FormStatus.TIME_UP:
            auto_submit(db, case_id)  # kept: the refusal below commits it (keep_changes)
        raise not_open(status)
    form = load_form(row.form_id, row.form_version)
    stored = open_value(AnswerSet.answers, row.id, row.answers)  # sealed at rest
    answers, problems = merge(form, row.language, stored)
    after = merged(stored, answers)
    if strict:
        validate_answers(form, after, complete=False, language=row.language)
    typists = typed(stored, after, row.typists or {}, typist)
    saved = {**row._mapping, "answers": after, "saved_at": utcnow(), "typists": typists}
    connection.execute(
        _SAVE,
        {
            "answer_set_id": row.id,
            "answers": seal_value(AnswerSet.answers, row.id, saved["answers"]),
            "saved_at": saved["saved_at"],
            "typists": typists,
        },
    )
    if (loaded := db.identity_map.get(db.identity_key(AnswerSet, row.id))) is not None:
        db.expire(loaded)  # an AnswerSet object already in this session reads afresh
    return saved, problems


@dataclass
class SectionSaved:
    """What saving answers did: ``answer_set`` as saved (its columns), ``problems`` the
    answers refused (not kept, the old value stays), ``missing`` the section's required
    answers still blank (saved anyway: the applicant may go on and answer them before
    handing in)."""

    answer_set: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def section_of(form: FormDefinition, section_id: str) -> Section:
    found = next((s for s in form.sections if s.id == section_id), None)
    if found is None:
        raise FormNotFound("This part of the form does not exist.")
    return found


def save_section(
    db: Session,
    case_id: uuid.UUID,
    section_id: str | None,
    answers: Answers,
    typed_by: TypedBy = TypedBy.APPLICANT,
) -> SectionSaved:
    """The one rule for saving the applicant's answers, whichever door sends them (the
    kiosk's section page and its autosave, the API): every valid answer is kept; an
    invalid one is left out (its old value stays) and reported by answer key, in the
    form's language. One answer's mistake never costs the others.

    Given a section (``section_id``), the answers must be its questions' and ``missing``
    lists its required answers still blank; without one, answers may be to any question.
    One read and one write (the kiosks autosave often); a helper's answers (assisted
    filling, ``typed_by``) one read more, and each records who typed it."""
    missing: dict[str, str] = {}
    typist = typist_for(db, case_id, typed_by)

    def merge(
        form: FormDefinition, language: str, saved: Answers
    ) -> tuple[Answers, dict[str, str]]:
        scope = set(answers) if section_id is None else _section_keys(form, section_id, answers)
        language = language if language in KIOSK_LANGUAGES else "nl"

        def problems_in_scope(answers: Answers, *, complete: bool) -> dict[str, str]:
            return answer_problems(
                form, answers, complete=complete, language=language, within=scope
            )

        problems = problems_in_scope(merged(saved, answers), complete=False)
        kept = keep_valid(answers, problems)
        if section_id is not None:
            blank = problems_in_scope(merged(saved, kept), complete=True)
            missing.update({k: v for k, v in blank.items() if k not in problems})
        return kept, problems

    saved, problems = save_with(db, case_id, merge, typist=typist)
    return SectionSaved(saved, problems, missing)


def _section_keys(form: FormDefinition, section_id: str, answers: Answers) -> set[str]:
    """The section's question ids; answers to other questions are the caller's mistake."""
    keys = {q.id for q in section_of(form, section_id).questions}
    if outside := sorted(set(answers) - keys):
        raise InvalidAnswers(dict.fromkeys(outside, f"Not a question of section '{section_id}'."))
    return keys


def remove_item(
    db: Session,
    case_id: uuid.UUID,
    group_id: str,
    index: int,
    typed_by: TypedBy = TypedBy.APPLICANT,
) -> None:
    """Take one item out of a repeatable group's answer (an index past the end: nothing)."""
    typist = typist_for(db, case_id, typed_by)

    def merge(
        form: FormDefinition, language: str, saved: Answers
    ) -> tuple[Answers, dict[str, str]]:
        items = saved.get(group_id)
        if not isinstance(items, list) or index >= len(items):
            return {}, {}
        items = items[:index] + items[index + 1 :]
        return {group_id: items or None}, {}

    save_with(db, case_id, merge, typist=typist)


def keep_valid(answers: Answers, problems: dict[str, str]) -> Answers:
    """What can be stored: answers without a problem (an invalid one keeps its old value)."""
    kept: Answers = {}
    for key, value in answers.items():
        if key in problems:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = [
                {s: v for s, v in item.items() if f"{key}.{i}.{s}" not in problems}
                for i, item in enumerate(value)
            ]
        kept[key] = value
    return kept


def submit(db: Session, case: Case, actor: Actor) -> AnswerSet:
    """Hand in the form; every required question shown must have an answer."""
    answer_set = kiosk_form(db, case.id).open()
    validate_answers(
        form_of(answer_set),
        with_spoken(db, answer_set),
        complete=True,
        language=answer_set.language,
    )
    why = Reason.step(N_("form handed in by the applicant"))
    procedure.advance(db, case, CaseEvent.SUBMIT, actor, why)
    answer_set.submitted_at = utcnow()
    db.flush()
    return answer_set


# What a spoken answer counts as when the form checks that required questions are
# answered: the recording is the answer (low-literacy mode).
SPOKEN = "[spoken answer]"


def with_spoken(db: Session, answer_set: AnswerSet) -> Answers:
    """The typed answers, with the questions answered by speaking counted as answered."""
    spoken = db.scalars(
        select(VoiceRecording.question_id).where(VoiceRecording.answer_set_id == answer_set.id)
    ).all()
    return {**dict.fromkeys(spoken, SPOKEN), **answer_set.answers}


def overdue_forms(db: Session) -> Sequence[uuid.UUID]:
    """Cases whose form time is up but not handed in (the sweep fans these out)."""
    return db.scalars(
        select(AnswerSet.case_id)
        .join(Case, Case.id == AnswerSet.case_id)
        .where(
            AnswerSet.submitted_at.is_(None),
            AnswerSet.deadline_at <= utcnow(),
            Case.state == CaseState.IN_PROGRESS,
        )
    ).all()


def auto_submit(db: Session, case_id: uuid.UUID) -> bool:
    """Hand in a form whose time is up, keeping whatever was saved. Idempotent."""
    case, answer_set = case_with_answers(db, case_id)
    now = utcnow()
    if answer_set is None or answer_set.submitted_at is not None or answer_set.deadline_at > now:
        return False
    if case.state is not CaseState.IN_PROGRESS:
        return False
    procedure.advance(
        db,
        case,
        CaseEvent.AUTO_SUBMIT,
        SYSTEM,
        Reason.step(N_("time limit reached; saved answers handed in")),
    )
    answer_set.submitted_at = now
    answer_set.auto_submitted = True
    db.flush()
    return True
