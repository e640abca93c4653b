"""Issue 14.5: an XLIFF upload took targets of 480,000 characters (a 9.6 MB file) and
could be re-uploaded without end while the lawyer had the form. The same limits now hold
at every door (JSON, XLIFF, page): each target at most 20,000 characters, at most ten
versions per job; a refusal is a clear 4xx that changes nothing and loses nothing."""

import pytest
from sqlalchemy import func, select
from translate.storage import xliff as toolkit

from service.core.text import LONG_TEXT_MAX
from service.models import Role
from service.models.translation import TranslationVersion
from service.translation import service as translation
from service.translation.exceptions import IncompleteTranslation
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in

HTML = {"accept": "text/html"}


def job_of(db, factory):
    case = factory.case_in(CaseState.IN_TRANSLATION)
    job = translation.translation_of(db, case)
    keys = [item.key for item in translation.source_items(db, job)]
    return case, job, keys


def filled(data: bytes, long_key: str | None = None, length: int = 0) -> bytes:
    store = toolkit.xlifffile.parsestring(data)
    for unit in store.getunits():
        key = unit.xmlelement.get("id")
        unit.target = "x" * length if key == long_key else f"Vertaald [{key}]"
    return bytes(store)


def versions(db, job) -> int:
    query = select(func.count()).where(TranslationVersion.translation_id == job.id)
    return db.scalar(query)


@pytest.mark.parametrize("length", [LONG_TEXT_MAX + 1, 480_000])
def test_an_xliff_target_longer_than_an_answer_may_be_is_refused(client, db, factory, length):
    case, job, keys = job_of(db, factory)
    translator = factory.person(Role.TRANSLATOR)
    data = filled(translation.xliff_of(db, job), keys[0], length)
    url = f"{API}/translations/{job.id}/xliff"

    refused = client.put(url, headers=translator.headers, files={"file": ("j.xlf", data)})

    problem = assert_problem(refused, 422, "translation_file_refused")
    assert problem["problems"] == [
        f"unit '{keys[0]}': the translation is {length} characters long, "
        f"at most {LONG_TEXT_MAX} are allowed"
    ]
    assert job.delivered_at is None
    assert case.state == CaseState.IN_TRANSLATION
    assert versions(db, job) == 0


def test_the_service_refuses_a_long_target_whichever_door_it_came_by(db, factory):
    _, job, keys = job_of(db, factory)
    translator = factory.person(Role.TRANSLATOR)
    answers = {key: "Vertaald" for key in keys} | {keys[-1]: "x" * (LONG_TEXT_MAX + 1)}
    for channel in ("api", "xliff", "page"):
        with pytest.raises(IncompleteTranslation, match=f"at most {LONG_TEXT_MAX}"):
            translation.deliver(db, job, translator.actor, answers, channel=channel)
    assert versions(db, job) == 0


def test_the_page_shows_the_limit_beside_the_field_and_keeps_what_was_typed(client, db, factory):
    _, job, keys = job_of(db, factory)
    translator = factory.person(Role.TRANSLATOR)
    sign_in(client, translator.user.username)
    form = client.get(f"/agency/jobs/{job.id}/translate", headers=HTML)
    data = {f"nl-{key}": f"Vertaald [{key}]" for key in keys}
    data[f"nl-{keys[0]}"] = "y" * (LONG_TEXT_MAX + 1)

    refused = client.post(
        f"/agency/jobs/{job.id}/translate",
        data={"csrf_token": csrf_of(form.text), **data},
        headers=HTML,
    )

    assert refused.status_code == 422
    assert f'id="nl-{keys[0]}-error"' in refused.text
    assert f"Ten hoogste {LONG_TEXT_MAX} tekens" in refused.text
    assert all(f"Vertaald [{key}]" in refused.text for key in keys[1:])  # nothing lost
    assert "y" * (LONG_TEXT_MAX + 1) in refused.text
    assert versions(db, job) == 0


def test_a_job_takes_at_most_ten_versions_by_any_door(client, db, factory):
    case, job, keys = job_of(db, factory)
    translator = factory.person(Role.TRANSLATOR)
    for number in range(1, translation.MAX_VERSIONS + 1):
        body = {"answers_nl": {key: f"Versie {number}" for key in keys}}
        ok(client.put(f"{API}/translations/{job.id}", headers=translator.headers, json=body))
    assert case.state == CaseState.WITH_LAWYER
    assert versions(db, job) == translation.MAX_VERSIONS

    body = {"answers_nl": {key: "Nog een versie" for key in keys}}
    by_json = client.put(f"{API}/translations/{job.id}", headers=translator.headers, json=body)
    assert_problem(by_json, 409, "too_many_translation_versions")
    data = filled(translation.xliff_of(db, job))
    by_file = client.put(
        f"{API}/translations/{job.id}/xliff",
        headers=translator.headers,
        files={"file": ("j.xlf", data)},
    )
    assert_problem(by_file, 409, "too_many_translation_versions")
    sign_in(client, translator.user.username)
    form = client.get(f"/agency/jobs/{job.id}/translate", headers=HTML)
    typed = {f"nl-{key}": f"Getypt [{key}]" for key in keys}
    by_page = client.post(
        f"/agency/jobs/{job.id}/translate",
        data={"csrf_token": csrf_of(form.text), **typed},
        headers=HTML,
    )
    assert by_page.status_code == 409
    assert "het meeste dat mag" in by_page.text
    assert all(f"Getypt [{key}]" in by_page.text for key in keys)  # nothing lost
    assert versions(db, job) == translation.MAX_VERSIONS
    assert all(text == f"Versie {translation.MAX_VERSIONS}" for text in job.answers_nl.values())
