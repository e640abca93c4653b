"""The translation's actions through both doors: sending a form to an agency, moving a
job to another agency, delivering the Dutch typed or as an XLIFF file. The same input
through the API and through the page stores the same, and a refused input is refused
with the same status (and, where the page names it, the same code), what was typed kept."""

import html
import re
from typing import Any

import pytest
import translate.storage.xliff as toolkit
from sqlalchemy import func, select

from service.models import Role
from service.models.cases import Case
from service.models.translation import Translation, TranslationVersion
from service.translation import service as translation
from service.translation.service import create_agency
from service.workflow import CaseState
from tests.helpers import API, csrf_of, sign_in

HTML = {"accept": "text/html"}


def refusal_code(page: Any) -> str:
    found = re.search(r'data-refusal="([a-z_]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def page_post(client: Any, form_page: str, url: str, data: dict[str, Any], **files: Any) -> Any:
    token = csrf_of(client.get(form_page, headers=HTML).text)
    return client.post(
        url,
        data={"csrf_token": token, **data},
        files=files or None,
        headers=HTML,
        follow_redirects=False,
    )


# --- the planner sends a form, and moves a job -------------------------------------------


def job(db: Any, case: Case) -> tuple[Any, ...] | None:
    db.expire_all()
    found = translation.translation_of(db, case)
    if found is None:
        return None
    return case.state, found.agency_id, found.due_at.date(), found.delivered_at is None


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"agency": "", "due_days": "5"}, 201),
        ({"agency": "Vol Bureau", "due_days": ""}, 409),
        ({"agency": "", "due_days": "99"}, 422),
    ],
    ids=["sent", "to an agency without room", "with a term too long"],
)
def test_sending_a_form_agrees(client, db, factory, form, status):
    by_api, by_page = (factory.case_in(CaseState.SUBMITTED) for _ in range(2))
    create_agency(db, "Vol Bureau", capacity_per_week=0)
    form = {**form, "agency": form["agency"] or factory.agency().name}
    planner = factory.person(Role.PLANNER)
    body = {"agency": form["agency"], "due_days": int(form["due_days"] or 0) or None}
    api = client.post(f"{API}/cases/{by_api.id}/translation", json=body, headers=planner.headers)
    sign_in(client, planner.user.username)
    case_page = f"/planner/cases/{by_page.id}"
    page = page_post(client, case_page, f"{case_page}/translation", form)

    assert api.status_code == status, api.text
    assert page.status_code == (303 if status == 201 else status)
    assert job(db, by_api) == job(db, by_page)
    if status != 201:
        assert 'id="agency-error"' in page.text or 'id="due_days-error"' in page.text


@pytest.mark.parametrize("to_itself", [False, True], ids=["moved", "to the agency it is with"])
def test_moving_a_job_agrees(client, db, factory, to_itself):
    by_api, by_page = (factory.case_in(CaseState.IN_TRANSLATION) for _ in range(2))
    other = factory.agency("Taalhuis Noord-Oost")
    agency = factory.agency().name if to_itself else other.name
    planner = factory.person(Role.PLANNER)
    url = f"{API}/translations/{translation.translation_of(db, by_api).id}/reassign"
    api = client.post(url, json={"agency": agency}, headers=planner.headers)
    sign_in(client, planner.user.username)
    moved = f"/planner/translations/{translation.translation_of(db, by_page).id}/reassign"
    page = page_post(client, "/planner/translations", moved, {"agency": agency})

    assert (api.status_code, page.status_code) == ((409, 409) if to_itself else (200, 303))
    assert job(db, by_api) == job(db, by_page)


# --- the agency delivers -------------------------------------------------------------------


def delivered(db: Any, case: Case) -> dict[str, Any]:
    db.expire_all()
    found = translation.translation_of(db, case)
    count = select(func.count()).where(TranslationVersion.translation_id == found.id)
    return {"state": case.state, "dutch": found.answers_nl, "versions": db.scalar(count)}


def two_jobs(db: Any, factory: Any) -> tuple[Case, Case, Translation, Translation, list[str]]:
    by_api, by_page = (factory.case_in(CaseState.IN_TRANSLATION) for _ in range(2))
    jobs = translation.translation_of(db, by_api), translation.translation_of(db, by_page)
    keys = [item.key for item in translation.source_items(db, jobs[0])]
    return by_api, by_page, *jobs, keys


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda keys: {}, 200, None),
        (lambda keys: {keys[0]: " "}, 422, "incomplete_translation"),
        (lambda keys: {keys[0]: "x" * 100_001}, 422, "validation_error"),
    ],
    ids=["delivered", "an answer left blank", "a text longer than any answer"],
)
def test_delivering_typed_dutch_agrees(client, db, factory, change, status, code):
    by_api, by_page, api_job, page_job, keys = two_jobs(db, factory)
    dutch = {key: f"Vertaald [{key}]" for key in keys} | change(keys)
    before = delivered(db, by_page)
    translator = factory.person(Role.TRANSLATOR)
    api = client.put(
        f"{API}/translations/{api_job.id}", json={"answers_nl": dutch}, headers=translator.headers
    )
    sign_in(client, translator.user.username)
    form = f"/agency/jobs/{page_job.id}/translate"
    page = page_post(client, form, form, {f"nl-{key}": text for key, text in dutch.items()})

    assert api.status_code == status, api.text
    if code is None:
        assert page.status_code == 303
        assert delivered(db, by_api) == delivered(db, by_page)
        return
    assert (api.json()["code"], refusal_code(page)) == (code, code)
    assert page.status_code == status
    assert f'id="nl-{keys[0]}-error"' in page.text  # beside the answer
    assert f"Vertaald [{keys[-1]}]" in page.text  # what was typed is kept
    assert delivered(db, by_page) == before


def xliff_file(db: Any, job: Translation, broken: bool) -> bytes:
    store = toolkit.xlifffile.parsestring(translation.xliff_of(db, job))
    for number, unit in enumerate(store.getunits()):
        unit.target = "" if broken and number == 0 else f"Vertaald [{unit.xmlelement.get('id')}]"
    return bytes(store)


@pytest.mark.parametrize("broken", [False, True], ids=["delivered", "a unit not translated"])
def test_uploading_xliff_agrees(client, db, factory, broken):
    by_api, by_page, api_job, page_job, _ = two_jobs(db, factory)
    before = delivered(db, by_page)
    translator = factory.person(Role.TRANSLATOR)
    api = client.put(
        f"{API}/translations/{api_job.id}/xliff",
        files={"file": ("job.xlf", xliff_file(db, api_job, broken))},
        headers=translator.headers,
    )
    sign_in(client, translator.user.username)
    job_page = f"/agency/jobs/{page_job.id}"
    file = ("job.xlf", xliff_file(db, page_job, broken), "application/xliff+xml")
    page = page_post(client, job_page, f"{job_page}/xliff", {}, file=file)

    if not broken:
        assert (api.status_code, page.status_code) == (200, 303), api.text
        assert delivered(db, by_api) == delivered(db, by_page)
        return
    assert (api.json()["code"], refusal_code(page)) == ("translation_file_refused",) * 2
    assert page.status_code == api.status_code == 422
    shown = html.unescape(page.text)
    assert all(problem in shown for problem in api.json()["problems"])  # each one listed
    assert delivered(db, by_page) == before
