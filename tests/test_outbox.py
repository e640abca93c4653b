"""The job outbox (issue 14, part 4): work a request queues is a row in the request's own
transaction; a hand-over to a queue that cannot be reached leaves the row (for the sweep)
and does not turn a committed change into an error. The whole path with a real Redis
that is stopped and started again, and a real worker, is in ``tests/test_outage.py``."""

from huey import RedisHuey
from sqlalchemy import select

from service.core.jobs import decode_args, encode_args, enqueue, run_job, task_name
from service.dossier.access import LAWYER_COPY, STAFF_COPY
from service.dossier.tasks import render_dossier
from service.models import Role
from service.models.jobs import OutboxJob
from service.models.translation import Translation
from service.workflow import CaseState
from tests.helpers import API, ok

# Nothing listens on port 1: every command fails as with a stopped Redis.
STOPPED_REDIS = "redis://127.0.0.1:1/0"


def outbox(db) -> list[tuple[str, list]]:
    db.flush()
    rows = db.scalars(select(OutboxJob).order_by(OutboxJob.created_at)).all()
    return [(row.task, decode_args(row.args)) for row in rows]


def test_queued_work_is_an_outbox_row_that_commits_and_rolls_back_with_the_change(db, factory):
    case = factory.case()
    before = outbox(db)
    attempt = db.begin_nested()
    enqueue(db, render_dossier, case.id, STAFF_COPY)
    assert outbox(db) == [*before, (task_name(render_dossier), [case.id, STAFF_COPY])]
    attempt.rollback()  # the request failed: its job goes with it
    assert outbox(db) == before


def test_job_arguments_are_ids_and_plain_values(db, factory):
    case = factory.case()
    assert decode_args(encode_args([case.id, "staff", 3, None])) == [case.id, "staff", 3, None]


def test_redis_down_after_commit_keeps_the_answer_and_the_job(client, db, factory, monkeypatch):
    """PUT /translations/{id} commits (the case moves to the lawyer); handing the dossier
    render to a stopped Redis fails. The client gets the committed answer, not a 500, and
    the render stays in the outbox, so a retry neither adds a version nor loses the job."""
    monkeypatch.setattr(run_job, "huey", RedisHuey("hearing", url=STOPPED_REDIS))
    translator = factory.person(Role.TRANSLATOR)
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = db.scalars(select(Translation).where(Translation.case_id == case.id)).one()
    body = {"answers_nl": dict.fromkeys(factory.full_answers(), "vertaald")}
    before = outbox(db)

    answer = ok(client.put(f"{API}/translations/{job.id}", headers=translator.headers, json=body))

    db.refresh(case)
    assert case.state == CaseState.WITH_LAWYER
    assert answer["delivered_at"]
    assert answer["answers_nl"] == body["answers_nl"]
    renders = [(task_name(render_dossier), [case.id, copy]) for copy in (STAFF_COPY, LAWYER_COPY)]
    assert outbox(db) == before + renders
    # What runs after the commit: the hand-over to the queue, which cannot reach Redis.
    for hand_over in db.info["queued_jobs"]:
        hand_over()  # logs, does not raise
    assert outbox(db) == before + renders
