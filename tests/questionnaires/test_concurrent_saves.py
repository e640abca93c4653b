"""Two saves of one applicant's form at once (the page's autosave and its form post)
must not lose either answer: each save reads and merges the stored answers, so the
second waits for the first (a row lock on PostgreSQL; SQLite's writers take the write
lock up front, BEGIN IMMEDIATE, in the service's unit of work)."""

import threading
import time
from typing import Any

import pytest
from sqlalchemy.orm import Session

from service.models.questionnaires import AnswerSet
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import FormDefinition, QuestionType
from service.workflow import CaseState
from tests.live import drop_database, engine_for, fresh_database, seeded


def test_a_save_waits_for_the_one_that_read_before_it(tmp_path):
    database_url = fresh_database(tmp_path, "saves")
    if not database_url.startswith("postgres"):
        drop_database(database_url)
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE (the unit of work)")
    try:
        with engine_for(database_url) as engine:
            with seeded(engine) as factory:
                case_id = factory.case_in(CaseState.IN_PROGRESS).id
            one, other = [
                q.id
                for q in questionnaires.policy_form().questions
                if q.type is QuestionType.TEXT and q.show_if is None
            ][:2]
            first_has_read = threading.Event()
            errors: list[BaseException] = []

            def slow_merge(
                form: FormDefinition, language: str, saved: dict[str, Any]
            ) -> tuple[dict[str, Any], dict[str, str]]:
                first_has_read.set()
                time.sleep(0.5)  # the other save comes in now
                return {one: "Amal Haddad"}, {}

            def first() -> None:
                try:
                    with Session(engine) as db, db.begin():
                        questionnaires.save_with(db, case_id, slow_merge)
                except BaseException as exc:  # reported below
                    errors.append(exc)

            thread = threading.Thread(target=first)
            thread.start()
            assert first_has_read.wait(10)
            with Session(engine) as db, db.begin():
                questionnaires.save(db, case_id, {other: "Aleppo"})
            thread.join(10)
            assert not errors
            with Session(engine) as db:
                answers = db.query(AnswerSet).filter_by(case_id=case_id).one().answers
            assert answers[one] == "Amal Haddad"
            assert answers[other] == "Aleppo"
    finally:
        drop_database(database_url)
