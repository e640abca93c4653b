"""The ready queue: only files an officer may take, most urgent first; "take next";
leases that end; a team lead who reassigns."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from service.core.clock import utcnow
from service.decisions import queries
from service.decisions import service as decisions
from service.models import Case, CaseEventRow, Role
from service.models.terms import Term
from service.workflow import CaseState
from tests.conftest import IS_POSTGRES
from tests.helpers import API, assert_problem, ok

S = CaseState


def ready(factory, **overrides):
    return factory.case_in(S.READY_FOR_DECISION, **overrides)


def queue_ids(client, person) -> list[str]:
    return [
        c["id"] for c in ok(client.get(f"{API}/decision-queue?limit=500", headers=person.headers))
    ]


def test_queue_offers_only_files_within_the_officers_skills(client, db, factory):
    syrian = ready(factory, nationality="SY", languages=["ar"])
    turkish = ready(factory, nationality="TR", languages=["tr"])
    lgbti = ready(factory, nationality="SY", languages=["ar"], coordinator_motives=["lgbti"])
    narrow = factory.officer("narrow", nationalities=["SY"], languages=["ar"])
    broad = factory.officer("broad", lgbti_experience=True, conversion_experience=True)
    db.commit()

    offered = queue_ids(client, narrow)
    assert str(syrian.id) in offered
    assert str(turkish.id) not in offered  # another nationality
    assert str(lgbti.id) not in offered  # no LGBTI experience
    assert {str(syrian.id), str(turkish.id), str(lgbti.id)} <= set(queue_ids(client, broad))
    # Nor can the narrow officer claim it by its id.
    assert_problem(
        client.post(f"{API}/cases/{turkish.id}/claim", headers=narrow.headers),
        403,
        "outside_your_skills",
    )


@pytest.mark.skipif(not IS_POSTGRES, reason="take next reads the skills itself on PostgreSQL")
def test_the_skills_read_by_the_database_take_what_the_skills_read_first_take(db, factory):
    """Take next on PostgreSQL reads the holder's skills in its pick
    (``queries.takeable_by``): for every kind of profile, the same files as the
    conditions built from the skills read beforehand (``queries.takeable``)."""
    both = ["lgbti", "conversion"]
    cases = [
        ready(factory, nationality="SY", languages=["ar"]),
        ready(factory, nationality="TR", languages=["tr", "ku"]),
        ready(factory, nationality="SY", languages=["ti"], coordinator_motives=["lgbti"]),
        ready(factory, nationality="TR", languages=["fa"], coordinator_motives=["conversion"]),
        ready(factory, nationality="SY", languages=["ku"], coordinator_motives=both),
        ready(factory, nationality="TR", languages=["nl", "en"]),
    ]
    profiles = {
        "generalist": None,
        "empty": {},
        "narrow": {"nationalities": ["SY"], "languages": ["ar"]},
        "kurdish": {"languages": ["ku"], "lgbti_experience": True},
        "two": {"nationalities": ["TR", "IR"], "conversion_experience": True},
        "broad": {"lgbti_experience": True, "conversion_experience": True},
    }
    ids = [c.id for c in cases]
    for name, profile in profiles.items():
        person = factory.person(Role.OFFICER, name) if profile is None else None
        person = person or factory.officer(name, **profile)
        db.flush()
        skills = queries.skills_of(db, person.user.id)
        first = set(db.scalars(select(Case.id).where(Case.id.in_(ids), *queries.takeable(skills))))
        holder = queries.takeable_by(person.user.id)
        itself = set(db.scalars(select(Case.id).where(Case.id.in_(ids), holder)))
        assert itself == first, name
        assert first or name == "narrow", name  # the cases are of some use


def _plan(db, statement) -> str:
    """The database's plan of ``statement`` as it runs once prepared: for any values of its
    parameters (PostgreSQL's generic plan, which a statement prepared by the driver after
    a few runs may get)."""
    connection = db.connection()
    compiled = statement.compile(dialect=connection.dialect)
    if not IS_POSTGRES:
        unknown = (None,) * len(compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", unknown)
        return "\n".join(str(row[-1]) for row in rows)
    names = list(compiled.params)
    numbered = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m[1]) + 1}", compiled.string)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # as if the queue were long
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    connection.exec_driver_sql(f"PREPARE take_next AS {numbered}")
    try:
        nulls = ", ".join(["NULL"] * len(names))
        rows = connection.exec_driver_sql(f"EXPLAIN EXECUTE take_next({nulls})")
        return "\n".join(str(row[0]) for row in rows)
    finally:
        connection.exec_driver_sql("DEALLOCATE take_next")


def test_take_next_reads_the_first_files_of_the_queues_index_without_sorting_the_queue(db):
    """Every claim picks the first file it may take: from ``ix_cases_queue`` in its order,
    never by reading and sorting every ready file (on PostgreSQL with the skills read in
    the pick, on SQLite with the skills given)."""
    if IS_POSTGRES:
        statement = decisions._next_for_holder().statement
    else:
        statement = decisions._next_for(None).statement
    plan = _plan(db, statement)
    assert "ix_cases_queue" in plan, plan
    assert "Sort" not in plan, plan  # PostgreSQL
    assert "TEMP B-TREE" not in plan, plan  # SQLite


def test_queue_is_ordered_by_six_week_deadline_then_application_age(client, db, factory):
    late = ready(factory, date_of_application=date(2018, 1, 1))
    soon = ready(factory, date_of_application=date(2019, 6, 1))
    older_same_day = ready(factory, date_of_application=date(2017, 1, 1))
    soon.target_date = utcnow().date() + timedelta(days=3)
    older_same_day.target_date = soon.target_date
    late.target_date = utcnow().date() + timedelta(days=30)
    db.commit()
    officer = factory.officer()

    order = [
        i
        for i in queue_ids(client, officer)
        if i in {str(late.id), str(soon.id), str(older_same_day.id)}
    ]
    assert order == [str(older_same_day.id), str(soon.id), str(late.id)]
    taken = ok(client.post(f"{API}/decision-queue/take-next", headers=officer.headers))
    assert (taken["state"], taken["claimed_by_id"]) == ("claimed", str(officer.user.id))


def test_take_next_claims_one_and_answers_404_when_nothing_is_left(client, db, factory):
    only = factory.officer("only", nationalities=["YE"])
    case = ready(factory, nationality="YE", languages=["ar"])
    db.commit()
    taken = ok(client.post(f"{API}/decision-queue/take-next", headers=only.headers))
    assert taken["id"] == str(case.id)
    assert_problem(
        client.post(f"{API}/decision-queue/take-next", headers=only.headers), 404, "queue_empty"
    )


def test_kansarm_files_never_wait_in_the_queue(client, db, factory):
    kansarm = factory.case_in(S.PHYSICAL_HEARING_REQUIRED, nationality="IR", languages=["fa"])
    db.commit()
    assert str(kansarm.id) not in queue_ids(client, factory.officer())
    # It never entered the queue, so no decision term runs on it.
    running = select(Term).where(Term.case_id == kansarm.id, Term.closed_at.is_(None))
    assert db.scalars(running).all() == []
    handoff = ok(client.get(f"{API}/cases/{kansarm.id}/handoff", headers=factory.officer().headers))
    assert handoff["reason_codes"] == ["kansarm_policy"]


def test_a_claim_whose_lease_ended_returns_to_the_queue(client, db, factory):
    officer = factory.officer()
    case = ready(factory)
    db.commit()
    ok(client.post(f"{API}/cases/{case.id}/claim", headers=officer.headers))
    db.refresh(case)
    assert case.lease_expires_at > utcnow() + timedelta(minutes=25)
    assert case.id not in decisions.expired_claims(db)

    # A heartbeat renews the lease; without one it ends.
    case.lease_expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert case.id in decisions.expired_claims(db)
    assert decisions.expire_claim(db, case.id) is True
    assert decisions.expire_claim(db, case.id) is False  # idempotent
    assert (case.state, case.claimed_by_id, case.lease_expires_at) == (
        S.READY_FOR_DECISION,
        None,
        None,
    )
    last = db.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id.desc())
    ).first()
    assert (last.event, last.actor_role) == ("release", "system")
    assert str(case.id) in queue_ids(client, officer)


def test_a_lease_still_running_is_not_returned(db, factory):
    case = factory.case_in(S.CLAIMED)
    assert decisions.expire_claim(db, case.id) is False
    assert case.state is S.CLAIMED


def test_team_lead_reassigns_within_the_team_only(client, db, factory):
    lead = factory.officer("lead", team="Team Zevenaar", team_lead=True)
    colleague = factory.officer("colleague", team="Team Zevenaar")
    stranger = factory.officer("stranger", team="Team Den Bosch")
    holder = factory.person(Role.OFFICER)  # the factory's claimant
    case = factory.case_in(S.CLAIMED)
    db.commit()

    moved = ok(
        client.post(
            f"{API}/cases/{case.id}/reassign",
            headers=lead.headers,
            json={"officer_id": str(colleague.user.id)},
        )
    )
    assert moved["claimed_by_id"] == str(colleague.user.id)
    assert_problem(
        client.post(
            f"{API}/cases/{case.id}/reassign",
            headers=lead.headers,
            json={"officer_id": str(stranger.user.id)},
        ),
        422,
        "not_in_your_team",
    )
    assert_problem(
        client.post(
            f"{API}/cases/{case.id}/reassign",
            headers=colleague.headers,
            json={"officer_id": str(colleague.user.id)},
        ),
        403,
        "not_a_team_lead",
    )
    events = [
        e.event for e in db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id))
    ]
    assert events[-1] == "reassign"
    assert holder.user.id != colleague.user.id
