"""Planners follow translation jobs (agency, due date, delivered or late) but never read
the applicant's account in Dutch (``answers_nl``): service/fields.py and
docs/security.md say so, and every door (API list, job, case, reassign; the planner's
pages) follows the table."""

from sqlalchemy import select

from service.fields import roles_seeing
from service.models import Role, Translation
from service.workflow import CaseState
from tests.helpers import API, ok, sign_in

DUTCH = "DUTCH-SECRET-PLANNER-61"
HTML = {"accept": "text/html"}


def test_the_table_keeps_the_dutch_account_from_planners():
    assert Role.PLANNER not in roles_seeing("translation", "answers_nl")


def test_planners_see_the_job_but_not_the_dutch_account(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    job = db.scalars(select(Translation).where(Translation.case_id == case.id)).one()
    job.answers_nl = dict.fromkeys(job.answers_nl or {}, DUTCH)
    open_case = factory.case_in(CaseState.IN_TRANSLATION)
    open_job = db.scalars(select(Translation).where(Translation.case_id == open_case.id)).one()
    open_job.answers_nl = {"identity_full_name": DUTCH}  # a draft on an open job, too
    db.flush()
    planner = factory.person(Role.PLANNER)

    listed = ok(client.get(f"{API}/translations?open_only=false", headers=planner.headers))
    assert {str(job.id), str(open_job.id)} <= {j["id"] for j in listed}
    one = ok(client.get(f"{API}/translations/{job.id}", headers=planner.headers))
    assert one["delivered_at"] is not None  # the job itself: who, when, due
    reassigned = client.post(
        f"{API}/translations/{open_job.id}/reassign",
        json={"agency": factory.agency("Ander Bureau").name},
        headers=planner.headers,
    )
    by_case = client.get(f"{API}/cases/{case.id}/translation", headers=planner.headers)
    assert by_case.status_code == 403
    for response in (listed, one, ok(reassigned)):
        assert DUTCH not in str(response)

    sign_in(client, planner.user.username)
    for page in ("/planner", "/planner/translations"):
        shown = client.get(page, headers=HTML)
        assert shown.status_code == 200
        assert DUTCH not in shown.text

    # Who may read it still does (the walk above could have found it).
    officer = factory.person(Role.OFFICER)
    assert DUTCH in client.get(f"{API}/cases/{case.id}/translation", headers=officer.headers).text
    admin = factory.person(Role.ADMIN)
    assert DUTCH in client.get(f"{API}/translations/{job.id}", headers=admin.headers).text
