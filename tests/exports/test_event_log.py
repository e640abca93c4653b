"""The event log for analysts: XES that a process-mining tool (pm4py) reads with every
case and event and the procedure's main path, a CSV of the same events, and no personal
data in either."""

import itertools
from pathlib import Path

import pm4py
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.exports.queries import pseudonym
from service.exports.service import CSV_HEADER, events_csv, events_xes
from service.models import Case, FinalDecision, HearingHandoff, User
from service.models.auth import Role
from service.models.cases import CaseEventRow
from service.simulate.taskforce import replay
from service.workflow import CaseState
from tests.helpers import API, sign_in

# The procedure's main path (kansrijk, decided on the form), as recorded events.
MAIN_PATH = (
    "import",
    "screen_eligible",
    "invite",
    "consent",
    "schedule",
    "check_in",
    "start_form",
    "submit",
    "send_to_translation",
    "deliver_translation",
    "send_to_lawyer",
    "receive_corrections",
    "route_to_decision",
    "claim",
    "decide_on_form",
    "final_decision",
)


def test_the_replay_s_log_opens_in_pm4py_whole_and_without_personal_data(
    db: Session, tmp_path: Path
):
    replay(db, seed=3, scale=0.02)
    xes = events_xes(db)
    path = tmp_path / "events.xes"
    path.write_bytes(xes)
    log = pm4py.read_xes(str(path))

    cases = db.scalar(select(func.count()).select_from(Case))
    events = (
        db.scalar(select(func.count()).select_from(CaseEventRow))
        + db.scalar(select(func.count()).select_from(FinalDecision))
        + db.scalar(
            select(func.count())
            .select_from(HearingHandoff)
            .where(HearingHandoff.actual_recorded_at.is_not(None))
        )
    )
    assert log["case:concept:name"].nunique() == cases
    assert len(log) == events
    assert set(log["org:resource"]) <= {str(role) for role in Role} | {"system"}
    assert set(log["lifecycle:transition"]) == {"complete"}
    assert str(log["time:timestamp"].dt.tz) == "UTC"
    assert {"case:nationality", "case:track", "case:outcome"} <= set(log.columns)
    decided = log[log["concept:name"] == "final_decision"]
    assert set(decided["case:outcome"]) <= {
        "grant",
        "unfounded",
        "manifestly_unfounded",
        "inadmissible",
    }

    dfg, starts, _ends = pm4py.discover_dfg(log)
    assert set(starts) == {"import"}
    for step, following in itertools.pairwise(MAIN_PATH):
        assert dfg.get((step, following), 0) > 0, (step, following)

    csv = events_csv(db)
    assert csv.splitlines()[0] == ",".join(f'"{c}"' for c in CSV_HEADER)
    assert len(csv.splitlines()) == events + 1

    # No names, no V-numbers, no case or user ids, no usernames: only pseudonyms.
    text = xes.decode() + csv
    for case in db.scalars(select(Case)):
        assert case.v_number not in text
        assert case.applicant_name not in text
        assert str(case.id) not in text
        assert pseudonym(case.id) in text
    for user in db.scalars(select(User)):
        assert user.username not in text
        assert str(user.id) not in text
    assert events_xes(db) == xes  # stable: the same data gives the same file


def test_planners_download_it_through_the_api_and_the_page(client, factory):
    case = factory.case_in(CaseState.INVITED)
    planner, lawyer = factory.person(Role.PLANNER), factory.person(Role.LAWYER)

    response = client.get(f"{API}/exports/events.xes", headers=planner.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert pseudonym(case.id).encode() in response.content
    assert case.v_number.encode() not in response.content
    assert client.get(f"{API}/exports/events.csv", headers=planner.headers).status_code == 200
    assert client.get(f"{API}/exports/events.xes", headers=lawyer.headers).status_code == 403

    sign_in(client, planner.user.username)
    page = client.get("/planner/exports", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/planner/exports/events.csv"' in page.text
    download = client.get("/planner/exports/events.csv")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="events.csv"'
    assert pseudonym(case.id) in download.text
    start = client.get("/planner", headers={"accept": "text/html"})
    assert 'href="/planner/exports"' in start.text
