"""The translation hand-off: XLIFF made and read by translate-toolkit, checked uploads,
history of versions, capacity, the planners' watch list and reassignment."""

from datetime import timedelta

import pytest
from translate.storage import xliff as toolkit

from service.core.clock import utcnow
from service.models import Role
from service.models.cases import Case
from service.models.translation import Translation
from service.translation import queries
from service.translation import service as translation
from service.translation.exceptions import AgencyFull, TranslationFileRefused
from service.workflow import CaseState
from tests.factories import Factory
from tests.helpers import API, assert_problem, ok
from tests.scripts import DUTCH, write_answers


def arabic_job(db, factory: Factory) -> tuple[Case, Translation]:
    case = factory.case_in(CaseState.SUBMITTED)
    write_answers(db, case, "ar")
    job = translation.request(db, case, factory.person(Role.PLANNER).actor, factory.agency().name)
    return case, job


def translated(data: bytes, text: str = DUTCH) -> bytes:
    """What an agency's tool does: fill in every target with the real library."""
    store = toolkit.xlifffile.parsestring(data)
    for unit in store.getunits():
        unit.target = f"{text} [{unit.xmlelement.get('id')}]"
    return bytes(store)


def test_xliff_round_trip_through_translate_toolkit(db, factory):
    case, job = arabic_job(db, factory)
    data = translation.xliff_of(db, job)
    store = toolkit.xlifffile.parsestring(data)
    assert b'version="1.2"' in data
    assert b"urn:oasis:names:tc:xliff:document:1.2" in data
    items = translation.source_items(db, job)
    units = store.getunits()
    # One unit per answer, the answer in the applicant's script, the question as context.
    assert [u.xmlelement.get("id") for u in units] == [i.key for i in items]
    assert units[0].source == items[0].text
    assert "حلب" in units[0].source
    contexts = units[0].getcontextgroups("question")[0]
    assert ("x-question", items[0].question) in contexts
    assert items[0].question_nl in units[0].getnotes("developer")
    date_unit = next(u for u, i in zip(units, items, strict=True) if i.kind == "date")
    assert "a date as the applicant knows it" in date_unit.getnotes("developer")
    choice_unit = next(u for u, i in zip(units, items, strict=True) if i.kind == "choice")
    assert "choice" in choice_unit.getnotes("developer")

    translation.upload_xliff(db, job, factory.person(Role.TRANSLATOR).actor, translated(data))
    assert case.state == CaseState.WITH_LAWYER
    assert job.answers_nl == {i.key: f"{DUTCH} [{i.key}]" for i in items}
    [version] = queries.versions(db, job)
    assert (version.number, version.channel, version.answers_nl) == (1, "xliff", job.answers_nl)


def test_a_tampered_or_stale_file_is_refused_with_its_problems(db, factory):
    case, job = arabic_job(db, factory)
    data = translated(translation.xliff_of(db, job))
    store = toolkit.xlifffile.parsestring(data)
    units = store.getunits()
    units[0].source = "تم تغييره"  # tampered source text
    units[1].target = ""  # left untranslated
    first_id = units[2].xmlelement.get("id")
    store.removeunit(units[2])  # a unit missing
    extra = store.UnitClass("extra")
    store.addunit(extra)
    extra.setid("not_a_question")
    extra.target = "x"

    translator = factory.person(Role.TRANSLATOR).actor
    with pytest.raises(TranslationFileRefused) as refused:
        translation.upload_xliff(db, job, translator, bytes(store))
    problems = "\n".join(refused.value.problems)
    assert f"unit '{units[0].xmlelement.get('id')}': the source text differs" in problems
    assert f"unit '{units[1].xmlelement.get('id')}': not translated" in problems
    assert f"unit '{first_id}': missing from the file" in problems
    assert "unit 'not_a_question': not a unit of this job" in problems
    assert case.state == CaseState.IN_TRANSLATION
    assert job.answers_nl is None
    assert queries.versions(db, job) == []

    # A file made for another job (stale: the job was reissued) names the wrong job.
    _, other = arabic_job(db, factory)
    with pytest.raises(TranslationFileRefused) as stale:
        translation.upload_xliff(db, job, translator, translated(translation.xliff_of(db, other)))
    assert any("not for this job" in p for p in stale.value.problems)

    # Not UTF-8.
    latin1 = translation.xliff_of(db, job).replace(b'encoding="UTF-8"', b'encoding="latin-1"')
    with pytest.raises(TranslationFileRefused) as encoding:
        translation.upload_xliff(db, job, translator, "é".encode("latin-1") + latin1)
    assert "UTF-8" in encoding.value.problems[0]


def test_upload_through_the_api_lists_problems_and_a_reupload_keeps_history(client, db, factory):
    case, job = arabic_job(db, factory)
    translator = factory.person(Role.TRANSLATOR)
    download = client.get(f"{API}/translations/{job.id}/xliff", headers=translator.headers)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/xliff+xml")
    url = f"{API}/translations/{job.id}/xliff"

    refused = client.put(
        url, headers=translator.headers, files={"file": ("j.xlf", download.content)}
    )
    problem = assert_problem(refused, 422, "translation_file_refused")
    assert len(problem["problems"]) == len(translation.source_items(db, job))
    assert all("not translated" in p for p in problem["problems"])
    garbage = client.put(url, headers=translator.headers, files={"file": ("j.xlf", b"<nope")})
    assert_problem(garbage, 422, "translation_file_refused")

    first = translated(download.content, "Eerste versie")
    ok(client.put(url, headers=translator.headers, files={"file": ("j.xlf", first)}))
    assert case.state == CaseState.WITH_LAWYER
    # A corrected file while the lawyer has the form replaces it; the first is kept.
    second = translated(download.content, "Tweede versie")
    ok(client.put(url, headers=translator.headers, files={"file": ("j.xlf", second)}))
    versions = ok(client.get(f"{API}/translations/{job.id}/versions", headers=translator.headers))
    assert [v["number"] for v in versions] == [1, 2]
    assert all(text.startswith("Tweede versie") for text in job.answers_nl.values())
    first_version = queries.versions(db, job)[0]
    assert all(text.startswith("Eerste versie") for text in first_version.answers_nl.values())


def test_the_agency_sees_only_its_own_jobs_and_only_what_to_translate(client, db, factory):
    _, ours = arabic_job(db, factory)
    other_agency = factory.agency("Taalhuis Zuid")
    case = factory.case_in(CaseState.SUBMITTED)
    theirs = translation.request(db, case, factory.person(Role.PLANNER).actor, other_agency.name)
    translator = factory.person(Role.TRANSLATOR)

    listed = ok(client.get(f"{API}/translations", headers=translator.headers))
    assert [j["id"] for j in listed] == [str(ours.id)]
    for path in (f"/translations/{theirs.id}", f"/translations/{theirs.id}/xliff"):
        assert_problem(
            client.get(API + path, headers=translator.headers), 404, "translation_not_found"
        )
    data = translated(translation.xliff_of(db, theirs))
    upload = client.put(
        f"{API}/translations/{theirs.id}/xliff",
        headers=translator.headers,
        files={"file": ("x", data)},
    )
    assert_problem(upload, 404, "translation_not_found")
    # The XLIFF holds the answers and questions, nothing else of the case.
    xliff = translation.xliff_of(db, ours).decode()
    assert "Amal Haddad" not in xliff
    assert ours.case_id.hex not in xliff


def test_capacity_per_week_is_kept(db, factory):
    small = factory.agency("Klein Bureau")
    small.capacity_per_week = 1
    planner = factory.person(Role.PLANNER).actor
    translation.request(db, factory.case_in(CaseState.SUBMITTED), planner, small.name)
    with pytest.raises(AgencyFull):
        translation.request(db, factory.case_in(CaseState.SUBMITTED), planner, small.name)


def test_planners_see_late_and_at_risk_jobs_and_reassign_them(client, db, factory):
    planner = factory.person(Role.PLANNER)
    late_case, late = arabic_job(db, factory)
    _, risky = arabic_job(db, factory)
    _, fine = arabic_job(db, factory)
    late.due_at = utcnow() - timedelta(hours=2)
    risky.due_at = utcnow() + timedelta(hours=20)
    db.flush()

    watched = ok(client.get(f"{API}/translations/attention", headers=planner.headers))
    flags = {j["id"]: (j["overdue"], j["at_risk"]) for j in watched}
    assert flags == {str(late.id): (True, False), str(risky.id): (False, True)}
    assert str(fine.id) not in flags

    other = factory.agency("Taalhuis Oost")
    moved = ok(
        client.post(
            f"{API}/translations/{late.id}/reassign",
            headers=planner.headers,
            json={"agency": other.name},
        )
    )
    assert moved["agency"] == other.name
    # The first agency no longer sees it.
    translator = factory.person(Role.TRANSLATOR)
    assert str(late.id) not in [
        j["id"] for j in ok(client.get(f"{API}/translations", headers=translator.headers))
    ]
    assert late_case.state == CaseState.IN_TRANSLATION
