"""The replay over HTTP: ``hearing simulate taskforce --http URL`` or ``--processes N``.

Each step of a case is a request to the JSON API by the role that takes it (the
planner invites, books and sends for translation; the lawyer replies and corrects; the
host checks in; the applicant signs in at the kiosk with the host's code and answers;
the translator delivers; officers, coordinators and seniors decide), spread round-robin
over the app processes. The replay's simulated clock goes with every request
(``X-Simulated-Now``, read by ``core.middleware.SimulatedNow``): the app processes run
with ``HEARING_SIMULATED_CLOCK=true``, which the settings refuse in production.

What stays in the replay's own process, on the same database: the set-up (staff, the
backlog's import and screening: a batch, not a user's request), the planner's sessions
(``SeatPlanner``), the worker's periodic sweeps, and reading ids (a case's open
invitation, booking, translation) as a client reads them from the API's lists. Staff
tokens are issued directly (the demo staff sign in with a second factor a replay cannot
type); the applicant's comes from the kiosk login, as at the kiosk.

Every request is one step, so one app process or several give the same table as the
in-process replay for the same seed: the replay waits for each answer before the next
step, and commits its own writes (sweeps, sessions) before it asks.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.db import AFTER_COMMIT
from service.core.settings import PROJECT_ROOT
from service.corrections.schemas import CorrectionItemIn
from service.dev.driver import complete_answers, lawyer_of, reply_of
from service.invitations import service as invitations
from service.models import Case, HearingSession, Role, User
from service.models.decisions import FinalOutcome
from service.questionnaires import service as questionnaires
from service.sessions import service as sessions
from service.sessions.schemas import Identity
from service.simulate.steps import Steps
from service.translation import service as translation
from service.translation.exceptions import AgencyFull
from service.workflow import CaseState

S = CaseState
API = "/api/v1"
TOKEN_HOURS = 24 * 400  # a replay's staff token outlasts the simulated year


class StepRefused(RuntimeError):
    """An app process refused a step the in-process replay would have taken."""


@dataclass
class Doors:
    """The app processes, taken in turn, and who the replay is to them (tokens)."""

    db: Session
    urls: list[str]
    requests: int = 0
    tokens: dict[uuid.UUID, str] = field(default_factory=dict)
    clients: list[httpx.Client] = field(init=False)
    turn: Iterator[httpx.Client] = field(init=False)

    def __post_init__(self) -> None:
        self.clients = [httpx.Client(base_url=url, timeout=60) for url in self.urls]
        self.turn = itertools.cycle(self.clients)

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def token(self, actor: Actor) -> str:
        from service.auth.service import issue_token

        assert actor.user_id is not None
        if actor.user_id not in self.tokens:
            user = self.db.get_one(User, actor.user_id)
            self.tokens[actor.user_id] = issue_token(
                self.db, user=user, hours=TOKEN_HOURS
            ).access_token
        return self.tokens[actor.user_id]

    def call(
        self,
        method: str,
        path: str,
        actor: Actor | None = None,
        *,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request at the simulated 'now', after the replay's own writes are committed;
        the replay's objects are read afresh after it."""
        sent = {"x-simulated-now": utcnow().isoformat(), **(headers or {})}
        if actor is not None:
            token = self.token(actor)
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        # The jobs the replay's own writes queue stay in the outbox, as in this process.
        self.db.info.pop(AFTER_COMMIT, None)
        self.db.commit()
        response = next(self.turn).request(method, API + path, json=body, headers=sent)
        self.requests += 1
        if response.is_error:
            problem = response.json() if response.content else {}
            if problem.get("code") == AgencyFull.code:
                raise AgencyFull(problem.get("detail", "agency full"))
            raise StepRefused(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response


@dataclass
class HttpDriver(Steps):
    """``Driver``'s steps as requests to the JSON API (see the module's docstring)."""

    doors: Doors | None = None

    @property
    def api(self) -> Doors:
        assert self.doors is not None
        return self.doors

    @contextmanager
    def attempt(self) -> Iterator[None]:
        yield  # the app process's request is its own transaction

    def step(self, case: Case, state: CaseState) -> None:
        planner = self.cast.actor(Role.PLANNER, case)
        match state:
            case S.INVITED:
                self.api.call("POST", f"/cases/{case.id}/invitation", planner, body={})
            case S.CONSENTED | S.DECLINED:
                invitation = invitations.open_invitation(self.db, case.id)
                assert invitation is not None
                reply = reply_of(state is S.CONSENTED).model_dump(mode="json", exclude_unset=True)
                self.api.call(
                    "POST", f"/invitations/{invitation.id}/reply", lawyer_of(case), body=reply
                )
            case S.SCHEDULED:
                booking = {"case_id": str(case.id)}
                self.api.call(
                    "POST", f"/sessions/{self.seat(case).id}/bookings", planner, body=booking
                )
            case S.CHECKED_IN:
                self._check_in(case)
            case S.IN_PROGRESS:
                self.api.call("POST", "/kiosk/start", token=self._kiosk_token(case))
            case S.SUBMITTED:
                self._hand_in(case)
            case S.IN_TRANSLATION:
                body = {"agency": self.agency(case)}
                self.api.call("POST", f"/cases/{case.id}/translation", planner, body=body)
            case S.WITH_LAWYER:
                self._deliver(case)
            case S.READY_FOR_DECISION:
                self._respond(case)
            case S.CLAIMED:
                self.api.call(
                    "POST", f"/cases/{case.id}/claim", self.cast.actor(Role.OFFICER, case)
                )
            case S.DECIDED_ON_FORM | S.PHYSICAL_HEARING_REQUIRED:
                self._decide_over_http(case, state)
            case _:
                raise ValueError(f"the replay over HTTP cannot step into {state}")
        self.db.expire_all()  # what the app process changed

    def _check_in(self, case: Case) -> None:
        booking = sessions.active_booking_for(self.db, case.id)
        assert booking is not None
        hearing = self.db.get_one(HearingSession, booking.session_id)
        identity = Identity.on_file(case).model_dump(mode="json")
        body = {**identity, "applicant_consent_confirmed": True}
        host = self.cast.host(hearing.location_id)
        answer = self.api.call("POST", f"/bookings/{booking.id}/check-in", host, body=body)
        self.kiosk_codes[case.v_number] = answer.json()["kiosk_code"]

    def _kiosk_token(self, case: Case) -> str:
        code = self.kiosk_codes.pop(case.v_number)
        answer = self.api.call("POST", "/kiosk/login", body={"code": code})
        token: str = answer.json()["access_token"]
        self.kiosk_codes[f"token:{case.v_number}"] = token
        return token

    def _hand_in(self, case: Case) -> None:
        token = self.kiosk_codes.pop(f"token:{case.v_number}")
        answer_set = questionnaires.answer_set_of(self.db, case)
        assert answer_set is not None
        answers = complete_answers(questionnaires.form_of(answer_set))
        self.api.call("PUT", "/kiosk/answers", token=token, body={"answers": answers})
        self.api.call("POST", "/kiosk/submit", token=token)

    def _deliver(self, case: Case) -> None:
        job = translation.translation_of(self.db, case)
        assert job is not None
        items = translation.source_items(self.db, job)
        body = {
            "answers_nl": {item.key: f"[NL] {item.text}" for item in items},
            "transcriptions": {
                item.key: f"[{job.source_language}] {item.key}" for item in items if item.spoken
            },
        }
        translator = self.cast.translator(job.agency_id)
        self.api.call("PUT", f"/translations/{job.id}", translator, body=body)

    def _respond(self, case: Case) -> None:
        lawyer = lawyer_of(case)
        read = self.api.call("GET", f"/cases/{case.id}/corrections", lawyer)
        version = {"if-match": read.headers["etag"]}
        items: list[CorrectionItemIn] | None = self.corrections(case)
        if items is None:
            self.api.call("POST", f"/cases/{case.id}/no-corrections", lawyer, headers=version)
        else:
            body = {"items": [item.model_dump(mode="json", exclude_none=True) for item in items]}
            path = f"/cases/{case.id}/corrections"
            self.api.call("POST", path, lawyer, body=body, headers=version)

    def _decide_over_http(self, case: Case, state: CaseState) -> None:
        for motive in case.coordinator_motives:
            advice = {"motive": motive, "advice": "Open questions asked; no stereotypes."}
            coordinator = self.cast.coordinator(motive)
            self.api.call("POST", f"/cases/{case.id}/consultations", coordinator, body=advice)
        # Both asked, in the in-process driver's order: the replay's draws stay in step.
        kind, days = self.kind(case), self.estimated_days(case)
        if state is S.DECIDED_ON_FORM:
            body: dict[str, Any] = {
                "outcome": state.value,
                "kind": kind.value,
                "reason": "Account consistent and complete; decided on the form.",
            }
        else:
            body = {
                "outcome": state.value,
                "reason": "A nader gehoor is needed.",
                "reason_codes": ["insufficient_information"],
                "estimated_days": days,
            }
        officer = self.cast.actor(Role.OFFICER, case)
        answer = self.api.call("POST", f"/cases/{case.id}/decision", officer, body=body)
        if answer.json().get("status") == S.IN_REVIEW.value:  # four eyes
            verdict = {"verdict": "approved", "remarks": ""}
            senior = self.cast.senior(officer)
            self.api.call("POST", f"/cases/{case.id}/review", senior, body=verdict)

    def record_actual_days(self, case: Case, days: int) -> None:
        officer = self.cast.actor(Role.OFFICER, case)
        path = f"/cases/{case.id}/handoff/actual-days"
        self.api.call("PUT", path, officer, body={"days": days})

    def record_final_decision(self, case: Case, outcome: FinalOutcome) -> None:
        officer = self.cast.actor(Role.OFFICER, case)
        path = f"/cases/{case.id}/final-decision"
        self.api.call("PUT", path, officer, body={"outcome": outcome.value})
        self.db.expire_all()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def app_processes(count: int, database_url: str, workdir: str) -> Iterator[list[str]]:
    """``count`` app processes (uvicorn, one worker each) on ``database_url`` with the
    simulated clock on; their URLs, ready. Stopped (by their own ids) on leaving."""
    env = {
        **os.environ,
        "HEARING_DATABASE_URL": database_url,
        "HEARING_SIMULATED_CLOCK": "true",
        # Not "test": that runs the queued jobs at once inside the request (immediate Huey).
        "HEARING_ENV": "dev",
        # Jobs the steps queue wait in a queue of their own, as in the in-process replay.
        "HEARING_REDIS_URL": "",
        "HEARING_HUEY_SQLITE_PATH": os.path.join(workdir, "huey.db"),
    }
    started: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for _ in range(count):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "service.main:app", "--port", str(port)]
            command += ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)  # noqa: S603 - fixed
            started.append(process)
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, started, strict=True):
            wait_until_up(url, process)
        yield urls
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app process at {url} ended ({process.returncode})")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the app process at {url} did not answer in {seconds:.0f} s")
