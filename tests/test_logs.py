"""Nothing sensitive in the logs: a whole flow against a live app process (kiosk answers,
hand-in, officer and lawyer reading them, bad input, a V-number lookup), then its log is
searched for what was written. Every line is a JSON object with the request id."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.dev.driver import complete_answers
from service.models import Role
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import FormDefinition, QuestionType
from service.workflow import CaseState
from tests.live import drop_database, engine_for, fresh_database, seeded, start_app

API = "/api/v1"
ACCOUNT = "Ik werd gearresteerd omdat ik bekeerd ben; geheim-8d1f"
NAME = "Farida Karimi-7c2e"


@pytest.fixture
def app_log(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, object]]]:
    database_url = fresh_database(tmp_path, "logs")
    try:
        with engine_for(database_url) as engine:
            with seeded(engine) as factory:
                case = factory.case_in(CaseState.IN_PROGRESS, applicant_name=NAME)
                people = {
                    "kiosk": factory.applicant_headers(case),
                    "officer": factory.person(Role.OFFICER).headers,
                    "lawyer": factory.person(Role.LAWYER).headers,
                    "case_id": str(case.id),
                    "v_number": case.v_number,
                    "form": questionnaires.form_for(case),
                }
            app = start_app(database_url, tmp_path)
            try:
                yield app.url, tmp_path / "app.log", people
            finally:
                app.process.stop()
    finally:
        drop_database(database_url)


def settled(log: Path, last: str) -> str:
    """The log once the last request's line is in (the app writes it after answering)."""
    deadline = time.monotonic() + 10
    written = log.read_text(encoding="utf-8")
    while last not in written and time.monotonic() < deadline:
        time.sleep(0.05)
        written = log.read_text(encoding="utf-8")
    return written


def test_a_full_flow_leaves_no_answer_name_or_v_number_in_the_logs(app_log) -> None:
    url, log, people = app_log
    form = people["form"]
    assert isinstance(form, FormDefinition)
    text_question = next(q.id for q in form.questions if q.type is QuestionType.TEXT)
    answers = {**complete_answers(form), text_question: ACCOUNT}
    case_id, v_number = people["case_id"], people["v_number"]
    request_ids = []
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
        kiosk = people["kiosk"]
        saved = client.put(f"{API}/kiosk/answers", json={"answers": answers}, headers=kiosk)
        assert saved.status_code == 200, saved.text
        request_ids.append(saved.headers["x-request-id"])
        bad = client.put(f"{API}/kiosk/answers", json={"answers": {ACCOUNT: 1}}, headers=kiosk)
        assert bad.status_code == 422
        assert client.post(f"{API}/kiosk/submit", headers=kiosk).status_code == 200
        for reader in ("officer", "lawyer"):
            read = client.get(f"{API}/cases/{case_id}/answers", headers=people[reader])
            assert read.status_code == 200
            assert ACCOUNT in read.text
        found = client.get(f"{API}/cases/by-v-number/{v_number}", headers=people["officer"])
        assert NAME in found.text
        refused = client.get(f"{API}/cases/{case_id}/answers?purpose={ACCOUNT}")
        assert refused.status_code == 401

    written = settled(log, '"status": 401')
    for secret in (ACCOUNT, "geheim-8d1f", NAME, v_number):
        assert secret not in written, f"{secret!r} is in the app's log"
    lines = [json.loads(line) for line in written.splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "service.access"]
    assert {"/api/v1/cases/{case_id}/answers", "/api/v1/kiosk/answers"} <= {
        line["route"] for line in access
    }
    assert request_ids[0] in {line["request_id"] for line in access}
    reads = [line for line in access if line["route"] == "/api/v1/cases/{case_id}/answers"]
    assert {line["role"] for line in reads} == {"officer", "lawyer", None}


def test_the_audit_sealers_routine_lines_stay_out_of_the_log():
    """The sealer runs every few seconds; Huey's INFO lines about it would drown the
    worker's log (the serve command's output). Its warnings, and other jobs, still show."""
    import logging

    import service.audit.tasks  # noqa: F401 - registers the routine job
    from service.core.logs import RoutineJobFilter

    def record(level: int, message: str, name: str = "huey") -> logging.LogRecord:
        return logging.LogRecord(name, level, __file__, 1, message, None, None)

    keep = RoutineJobFilter().filter
    assert not keep(record(logging.INFO, "Executing service.audit.tasks.seal_audit_trail: 1"))
    assert not keep(record(logging.INFO, "Added task 1 to schedule, eta 2026-12-06 16:14:14"))
    assert keep(record(logging.WARNING, "service.audit.tasks.seal_audit_trail failed"))
    assert keep(record(logging.INFO, "Executing service.dossier.tasks.render_dossier: 2"))
    assert keep(record(logging.INFO, "seal_audit_trail", name="service.audit"))
