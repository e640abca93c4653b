"""Closed cases are anonymised after the retention period by a scheduled job that fans
out per case and is idempotent; the report figures (counts, durations) survive."""

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.audit.queries import measure
from service.cases import queries as case_queries
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.models import (
    AnswerSet,
    Attachment,
    Case,
    CaseEventRow,
    Correction,
    CorrectionItem,
    Decision,
    IdempotentAnswer,
    Signal,
    Translation,
)
from service.models.questionnaires import VoiceRecording
from service.questionnaires.service import answer_set_of
from service.retention import service, tasks
from service.translation.service import translation_of
from service.workflow import CaseState
from tests.factories import Factory


def figures(db: Session, case: Case) -> tuple[object, ...]:
    measured = measure(case_queries.timeline(db, case.id))
    per_state = dict(db.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    return (
        case.state,
        case.track,
        case.nationality,
        case.policy_version,
        case.decided_at,
        measured.throughput_days,
        measured.decision_handling_minutes,
        [(s.state, s.entered_at, s.left_at) for s in measured.stages],
        per_state,
    )


def decided_case(factory: Factory) -> Case:
    case = factory.case(
        applicant_name="Hamid Rahimi", vulnerability_notes="needs an interpreter break"
    )
    factory.driver().drive(case, CaseState.DECIDED_ON_FORM)
    return case


def later() -> time_machine.travel:
    return time_machine.travel(utcnow() + timedelta(days=get_settings().retention_days + 1))


def test_a_closed_case_is_anonymised_after_the_retention_period_with_its_figures_kept(
    db: Session, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True) -> Iterator[Session]:
        yield db  # the jobs run inside the test's transaction

    monkeypatch.setattr(tasks, "unit_of_work", test_unit_of_work)
    case = decided_case(factory)
    open_case = factory.case_in(CaseState.SUBMITTED)
    assert service.due_cases(db) == []  # not yet
    with time_machine.travel(utcnow() + timedelta(days=1)):
        before = figures(db, case)
    with later():
        assert service.due_cases(db) == [case.id]  # the open case stays
        assert tasks.anonymise_due_cases.call_local() == 1
        db.expire_all()
        assert figures(db, case) == before

    anonymised = db.get_one(Case, case.id)
    assert anonymised.anonymised_at is not None
    assert (anonymised.applicant_name, anonymised.date_of_birth) == ("", None)
    assert anonymised.vulnerability_notes == ""
    assert anonymised.v_number.startswith("X")
    assert db.scalars(select(AnswerSet).where(AnswerSet.case_id == case.id)).one().answers == {}
    translated = db.scalars(select(Translation).where(Translation.case_id == case.id)).one()
    assert translated.answers_nl is None
    assert db.scalars(select(Decision).where(Decision.case_id == case.id)).one().reason == ""
    events = db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id))
    assert {event.reason for event in events} == {""}
    assert db.get_one(Case, open_case.id).anonymised_at is None


def test_anonymising_is_idempotent_and_skips_open_cases(db: Session, factory: Factory) -> None:
    case = decided_case(factory)
    open_case = factory.case_in(CaseState.SUBMITTED)
    with later():
        assert service.anonymise(db, case.id) is True
        assert service.anonymise(db, case.id) is False
        assert service.anonymise(db, open_case.id) is False
        assert service.due_cases(db) == []


def test_signals_and_corrections_are_emptied(db: Session, factory: Factory) -> None:
    case = factory.case_in(CaseState.WITHDRAWN)
    db.add(Signal(case_id=case.id, kind="nv", source="AIVD", reason="contact"))
    correction = Correction(case_id=case.id)
    db.add(correction)
    db.flush()
    item = CorrectionItem(
        correction_id=correction.id, kind="addition", text="x", author_id=case.lawyer_id
    )
    attachment = Attachment(
        correction_id=correction.id,
        filename="brief-van-de-zus.pdf",
        media_type="application/pdf",
        size=8,
        sha256="0" * 64,
        content=b"%PDF-1.4",
        author_id=case.lawyer_id,
    )
    db.add_all([item, attachment])
    db.flush()
    with later():
        assert service.anonymise(db, case.id)
    db.expire_all()
    signal = db.scalars(select(Signal).where(Signal.case_id == case.id)).one()
    assert (signal.kind, signal.source, signal.reason) == ("nv", "", "")
    assert db.get_one(CorrectionItem, item.id).text == ""
    emptied = db.get_one(Attachment, attachment.id)
    assert (emptied.filename, emptied.content) == ("", b"")


def test_answers_kept_for_idempotent_retries_expire(db: Session) -> None:
    def answer(key: str, age: timedelta) -> IdempotentAnswer:
        row = IdempotentAnswer(
            actor="someone", key=key, request_hash="0" * 64, status=201, body="{}"
        )
        row.created_at = utcnow() - age
        db.add(row)
        return row

    window = timedelta(hours=get_settings().idempotency_hours)
    answer("old", window + timedelta(minutes=1))
    answer("fresh", window - timedelta(minutes=1))
    db.flush()
    assert service.forget_idempotent_answers(db) == 1
    assert set(db.scalars(select(IdempotentAnswer.key))) == {"fresh"}


def test_spoken_answers_and_transcriptions_are_forgotten(db: Session, factory: Factory) -> None:
    case = decided_case(factory)
    answer_set = answer_set_of(db, case)
    assert answer_set is not None
    db.add(
        VoiceRecording(
            answer_set_id=answer_set.id,
            question_id="reasons_account",
            upload_sha256="0" * 64,
            sha256="1" * 64,
            duration_ms=3000,
            reported_ms=3000,
            size=4,
            content=b"OggS",
        )
    )
    job = translation_of(db, case)
    assert job is not None
    job.transcriptions = {"reasons_account.voice": "words"}
    db.flush()
    with later():
        assert service.anonymise(db, case.id)
    db.expire_all()
    assert db.scalars(select(VoiceRecording)).all() == []
    assert translation_of(db, case).transcriptions is None  # type: ignore[union-attr]
