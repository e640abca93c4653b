"""The nationality report over the backlog against the same aggregation in raw SQL.

Usage: .venv/bin/python bench/bench_reports.py [--db sqlite|postgres|both]
           [--postgres URL] [--cases N] [--rounds N] [--out FILE]

Each backend gets a fresh database built by the migrations, filled with the backlog
(15,348 cases, ``service.dev.demo.backlog_rows``, imported and screened by
``import_rows``), then given the later steps in bulk: most eligible cases invited, the
lawyer's reply (consent per nationality as in the Taskforce), forms handed in, decisions
on the form or physical hearings with their estimates and some actual days, and final
outcomes, spread over the last 300 days. (Written directly, not through the actions: this
measures reading.)

Measured, alternately, ``--rounds`` times each (medians compared):

- **service**: ``reports.queries.by_nationality(db, period)`` (the ORM's seven grouped
  statements, the rows merged into the table of pydantic rows the API returns);
- **raw SQL**: the same seven statements as text on one connection, rows fetched;
- **whole report**: ``reports.service.report`` (the table, the times, where the time goes,
  the charts' figures) against the aim of answering within a second;
- **report page's work**: the whole report and its four charts drawn afresh
  (``reports.service.pictures`` with the charts' cache emptied: a page whose figures all
  moved), what ``GET /reports`` does before its template.

Aim (issue 18): the nationality report at most 1.5x the raw SQL; the whole report under a
second at 15k. Results to stdout and, with ``--out``, to a JSON file that
``bench/run_all.py`` reads (``{"rows": [...]}``).
"""

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from isolation import isolate, use_database  # noqa: E402

isolate(
    "bench-reports-",
    HEARING_ENV="test",  # cheap password hashing, Huey in immediate mode
    HEARING_SECRET_KEY="bench-reports-not-secret",  # noqa: S106 - a throwaway database
)

from bench_case_list import fill  # noqa: E402
from bench_import import fresh_database, server_version  # noqa: E402
from run_all import postgres_reachable  # noqa: E402
from sqlalchemy import select, text, update  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.core.db import make_engine  # noqa: E402

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_RATIO = 1.5
TARGET_MS = 1000.0
OUTCOMES = ("grant", "unfounded", "manifestly_unfounded", "inadmissible")
CONSENT = {"SY": 0.49, "IR": 0.35, "TR": 0.56, "ER": 0.2, "YE": 0.73}  # DOMAIN.md, Tabel 4


def steps(url: str, seed: int = 1) -> None:
    """The later steps of the eligible cases, in bulk (see the module's docstring)."""
    from service.models import Role, User
    from service.models.cases import Case
    from service.models.decisions import Decision, FinalDecision, HearingHandoff
    from service.models.invitations import Invitation

    chance = random.Random(seed)
    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            lawyer = db.scalars(select(User.id).where(User.role == Role.LAWYER)).first()
            officer = db.scalars(select(User.id).where(User.role == Role.OFFICER)).first()
            assert lawyer is not None
            assert officer is not None
            cases = db.execute(
                select(Case.id, Case.nationality, Case.track).where(Case.track.is_not(None))
            ).all()
            for case_id, nationality, track in cases:
                if chance.random() > 0.8:
                    continue  # not invited yet
                invited = now - timedelta(days=chance.uniform(20, 300))
                replied = invited + timedelta(days=chance.uniform(1, 10))
                consent = chance.random() < CONSENT.get(nationality, 0.25)
                db.add(
                    Invitation(
                        case_id=case_id,
                        lawyer_id=lawyer,
                        sent_at=invited,
                        reply_due_at=invited + timedelta(days=14),
                        status="consented" if consent else "declined",
                        replied_at=replied,
                    )
                )
                milestones: dict[str, Any] = {"invited_at": invited}
                if consent and chance.random() < 0.9:
                    submitted = replied + timedelta(days=chance.uniform(5, 20))
                    decided = submitted + timedelta(days=chance.uniform(5, 40))
                    milestones |= {"consented_at": replied, "submitted_at": submitted}
                    if decided < now:
                        milestones["decided_at"] = decided
                        on_form = track == "replacing" and chance.random() < 0.8
                        db.add(
                            Decision(
                                case_id=case_id,
                                officer_id=officer,
                                outcome="decided_on_form"
                                if on_form
                                else "physical_hearing_required",
                                kind=("grant" if chance.random() < 0.9 else "intended_rejection")
                                if on_form
                                else None,
                                reason="",
                                claimed_at=decided - timedelta(hours=2),
                                decided_at=decided,
                            )
                        )
                        # The final outcome a few weeks later, most of them a grant.
                        outcome = chance.choices(OUTCOMES, weights=(88, 9, 2, 1))[0]
                        db.add(
                            FinalDecision(
                                case_id=case_id,
                                outcome=outcome,
                                recorded_by_id=officer,
                                decided_at=decided + timedelta(days=chance.uniform(0, 30)),
                            )
                        )
                        if not on_form:
                            db.add(
                                HearingHandoff(
                                    case_id=case_id,
                                    reason_codes=["insufficient_information"],
                                    estimated_days=chance.choice((1, 2)),
                                    actual_days=chance.choice((None, 1, 2)),
                                    handed_over_at=decided,
                                )
                            )
                db.execute(
                    update(Case)
                    .where(Case.id == case_id)
                    .values(**milestones)
                    .execution_options(synchronize_session=False)
                )
            db.commit()
    finally:
        engine.dispose()


RAW = (
    """SELECT nationality,
         SUM(CASE WHEN track IS NOT NULL AND screened_at >= :s AND screened_at < :u
             THEN 1 ELSE 0 END),
         SUM(CASE WHEN invited_at >= :s AND invited_at < :u THEN 1 ELSE 0 END),
         SUM(CASE WHEN submitted_at >= :s AND submitted_at < :u THEN 1 ELSE 0 END)
       FROM cases GROUP BY nationality""",
    """SELECT c.nationality,
         SUM(CASE WHEN i.status IN ('consented', 'declined', 'expired') THEN 1 ELSE 0 END),
         SUM(CASE WHEN i.status = 'consented' THEN 1 ELSE 0 END)
       FROM invitations i JOIN cases c ON c.id = i.case_id
       WHERE i.replied_at >= :s AND i.replied_at < :u GROUP BY c.nationality""",
    """SELECT c.nationality,
         SUM(CASE WHEN d.outcome = 'decided_on_form' THEN 1 ELSE 0 END),
         SUM(CASE WHEN d.outcome = 'decided_on_form' AND d.kind = 'grant' THEN 1 ELSE 0 END),
         SUM(CASE WHEN d.outcome = 'decided_on_form' AND d.kind = 'intended_rejection'
             THEN 1 ELSE 0 END)
       FROM decisions d JOIN cases c ON c.id = d.case_id
       WHERE d.decided_at >= :s AND d.decided_at < :u GROUP BY c.nationality""",
    """SELECT c.nationality, COUNT(*),
         SUM(CASE WHEN h.estimated_days = 1 THEN 1 ELSE 0 END),
         SUM(CASE WHEN h.estimated_days = 2 THEN 1 ELSE 0 END),
         SUM(CASE WHEN h.actual_days IS NOT NULL THEN 1 ELSE 0 END),
         SUM(CASE WHEN h.actual_days = 1 THEN 1 ELSE 0 END),
         SUM(CASE WHEN h.actual_days >= 2 THEN 1 ELSE 0 END)
       FROM hearing_handoffs h JOIN cases c ON c.id = h.case_id
       WHERE h.handed_over_at >= :s AND h.handed_over_at < :u GROUP BY c.nationality""",
    """SELECT c.nationality,
         SUM(CASE WHEN f.outcome = 'grant' THEN 1 ELSE 0 END),
         SUM(CASE WHEN f.outcome = 'unfounded' THEN 1 ELSE 0 END),
         SUM(CASE WHEN f.outcome = 'manifestly_unfounded' THEN 1 ELSE 0 END),
         SUM(CASE WHEN f.outcome = 'inadmissible' THEN 1 ELSE 0 END)
       FROM final_decisions f JOIN cases c ON c.id = f.case_id
       WHERE f.decided_at >= :s AND f.decided_at < :u GROUP BY c.nationality""",
    """SELECT c.nationality, COUNT(DISTINCT b.case_id)
       FROM bookings b JOIN cases c ON c.id = b.case_id
       WHERE b.low_literacy AND b.checked_in_at >= :s AND b.checked_in_at < :u
       GROUP BY c.nationality""",
    """SELECT c.nationality, COUNT(*)
       FROM voice_recordings v JOIN answer_sets a ON a.id = v.answer_set_id
       JOIN cases c ON c.id = a.case_id
       WHERE v.recorded_at >= :s AND v.recorded_at < :u GROUP BY c.nationality""",
    """SELECT c.nationality, COUNT(DISTINCT b.case_id)
       FROM bookings b JOIN cases c ON c.id = b.case_id
       WHERE b.assisted_by IS NOT NULL
         AND b.assist_consent_at >= :s AND b.assist_consent_at < :u
       GROUP BY c.nationality""",
)


def raw_nationalities(conn: Connection, bounds: dict[str, Any]) -> list[list[Any]]:
    return [conn.execute(text(statement), bounds).all() for statement in RAW]


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def measure(pairs: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Alternate the measured things ``rounds`` times (after two warm-up rounds)."""
    samples: dict[str, list[float]] = {name: [] for name in pairs}
    for round_no in range(rounds + 2):
        for name, work in pairs.items():
            ms = timed(work)
            if round_no >= 2:
                samples[name].append(ms)
    return {name: round(statistics.median(values), 2) for name, values in samples.items()}


def page_work(db: Session, period: Any) -> None:
    """The reports page's figures and its charts, none of them kept from before."""
    from service.reports import charts, service

    charts.clear()
    service.pictures(service.report(db, period), "nl")


def run(backend: str, postgres_url: str | None, cases: int, rounds: int) -> dict[str, Any]:
    from service.reports import queries, service
    from service.reports.schemas import Period

    with fresh_database(backend, postgres_url, "reports") as url:
        use_database(url)
        fill(url, cases)
        steps(url)
        engine = make_engine(url)
        try:
            today = date.today()
            period = Period(start=today - timedelta(days=400), end=today)
            start, until = period.bounds
            if backend == "sqlite":  # SQLite holds naive UTC
                start, until = start.replace(tzinfo=None), until.replace(tzinfo=None)
            bounds = {"s": start, "u": until}
            with Session(engine) as db, engine.connect() as conn:
                table = queries.by_nationality(db, period)
                raw = raw_nationalities(conn, bounds)
                # The same figures both ways (the total of the first statement's counts).
                assert table[-1].selected == sum(int(r[1]) for r in raw[0])
                assert table[-1].physical_hearing == sum(int(r[1]) for r in raw[3])
                assert table[-1].grant == sum(int(r[1]) for r in raw[4])
                medians = measure(
                    {
                        "service": lambda: queries.by_nationality(db, period),
                        "raw": lambda: raw_nationalities(conn, bounds),
                    },
                    rounds,
                )
                whole = measure(
                    {
                        "report": lambda: service.report(db, period),
                        "page": lambda: page_work(db, period),
                    },
                    max(3, rounds // 3),
                )
            version = server_version(url, backend)
        finally:
            engine.dispose()
    ratio = round(medians["service"] / medians["raw"], 2)
    return {
        "database": version,
        "cases": cases,
        "total": table[-1].model_dump(),
        "rows": [
            {
                "measure": f"nationality report ({cases:,} cases): service ms / raw SQL ms",
                "this": medians["service"],
                "baseline": medians["raw"],
                "ratio": ratio,
                "aim": f"≤ {TARGET_RATIO:g}x",
                "met": ratio <= TARGET_RATIO,
            },
            {
                "measure": f"whole report ({cases:,} cases): service ms / aim ms",
                "this": whole["report"],
                "baseline": TARGET_MS,
                "ratio": round(whole["report"] / TARGET_MS, 2),
                "aim": f"≤ {TARGET_MS:g} ms",
                "met": whole["report"] <= TARGET_MS,
            },
            {
                "measure": f"report page's work, charts drawn afresh ({cases:,} cases): "
                "service ms / aim ms",
                "this": whole["page"],
                "baseline": TARGET_MS,
                "ratio": round(whole["page"] / TARGET_MS, 2),
                "aim": f"≤ {TARGET_MS:g} ms",
                "met": whole["page"] <= TARGET_MS,
            },
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN)
    parser.add_argument("--cases", type=int, default=15_348)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in backends and not postgres_reachable(args.postgres):
        print(f"PostgreSQL at {args.postgres} is not reachable: skipped", file=sys.stderr)
        backends.remove("postgres")
    results = {b: run(b, args.postgres, args.cases, args.rounds) for b in backends}
    rows = []
    for backend, result in results.items():
        for found in result["rows"]:
            rows.append({**found, "measure": f"{found['measure']} [{result['database']}]"})
            print(
                f"| {backend} | {found['measure']} | {found['this']:,.1f} / "
                f"{found['baseline']:,.1f} | {found['ratio']:.2f}x | {found['aim']} | "
                f"{'met' if found['met'] else 'not met'} |"
            )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"rows": rows, "results": results, "rounds": args.rounds}
        args.out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
