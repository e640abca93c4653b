"""The import page: upload, progress from the run's row, the result per row (CSV), and
an import of the same file again changing nothing."""

import csv
import io

from sqlalchemy import func, select

from service.cases import import_runs
from service.models import Case, ImportRun, Role
from tests.helpers import csrf_of
from tests.pages.test_planner_cases import HTML, planner_browser

HEADER = "v_number,applicant_name,date_of_birth,nationality,languages,date_of_application,signals"


def backlog() -> bytes:
    lines = [
        HEADER,
        "V1000000001,Amal Haddad,1990-01-01,SY,ar,2019-05-01,",
        "1000000002,Samir Khalil,1985-02-02,SY,ar,2019-06-01,nv:AIVD",
        "12,Broken Row,1985-02-02,SY,ar,2019-06-01,",
        "1000000003,Selam Tesfay,1992-03-03,ER,ti,2020-01-01,",
    ]
    return ("\n".join(lines) + "\n").encode()


def upload(browser, content: bytes, name: str = "backlog.csv"):
    form = browser.get("/planner/import", headers=HTML)
    return browser.post(
        "/planner/import",
        data={"csrf_token": csrf_of(form.text), "screen": "true"},
        files={"file": (name, content, "text/csv")},
        headers=HTML,
        follow_redirects=False,
    )


def run_jobs(db, planner) -> None:
    """What the worker does: read every queued run chunk by chunk."""
    for run in db.scalars(select(ImportRun)):
        while import_runs.process_chunk(db, run.id, planner.actor):
            pass


def test_an_upload_shows_progress_then_the_result_per_row(factory, db):
    browser = planner_browser(factory)
    planner = factory.person(Role.PLANNER)
    sent = upload(browser, backlog())
    assert sent.status_code == 303
    progress = browser.get(sent.headers["location"], headers=HTML)
    assert '<meta http-equiv="refresh" content="2">' in progress.text
    assert 'max="4" value="0"' in progress.text
    assert len(db.info["queued_jobs"]) == 1  # the job runs after the commit

    run_jobs(db, planner)
    done = browser.get(sent.headers["location"], headers=HTML)
    assert 'http-equiv="refresh"' not in done.text
    assert "Broken Row" not in done.text  # no names in the result
    assert "V-nummer" in done.text or "v_number" in done.text
    table = browser.get(sent.headers["location"] + "/results.csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0] == ["row", "v_number", "result", "detail"]
    by_row = {r[0]: r for r in rows[1:]}
    assert by_row["1"][2] == "imported:screened"
    assert by_row["2"][2] == "imported:excluded"
    assert "NV" in by_row["2"][3]
    assert by_row["3"][2] == "refused"
    assert "v_number" in by_row["3"][3]
    run = db.scalar(select(ImportRun))
    assert run.content is None  # the file is not kept once read
    assert (run.created, run.failed) == (3, 1)

    again = upload(browser, backlog())
    run_jobs(db, planner)
    rows = list(
        csv.reader(io.StringIO(browser.get(again.headers["location"] + "/results.csv").text))
    )
    assert [r[2] for r in rows[1:]] == ["existing", "existing", "refused", "existing"]
    assert db.scalar(select(func.count()).select_from(Case)) == 3


def test_a_file_that_cannot_be_read_is_refused_beside_the_field(factory):
    browser = planner_browser(factory)
    refused = upload(browser, b"name;what\nx;y\n")
    assert refused.status_code == 422
    assert 'href="#file"' in refused.text
    empty = upload(browser, b"")
    assert empty.status_code == 422
