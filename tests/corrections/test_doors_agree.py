"""The lawyer's actions through both doors: the same input through the API and through
the side-by-side page stores the same corrections file, and a refused input is refused
with the same code (the page: with a 4xx status and what was typed still in the form)."""

import io
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image

from service.core.actor import Actor
from service.corrections import service as corrections
from service.corrections.schemas import CorrectionItemIn, CorrectionsIn, Typed
from service.models import Role
from service.models.cases import Case
from service.models.corrections import ItemKind
from service.translation import service as translation
from service.workflow import CaseState
from tests.helpers import API, csrf_of, if_match, sign_in

HTML = {"accept": "text/html"}
KEY = "<first answer>"  # stands for the case's first answer key


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Input:
    """What the lawyer typed and chose: items as (kind, answer key, text), a file."""

    items: tuple[tuple[str, str | None, str], ...] = ()
    file: tuple[str, bytes] | None = None
    stale: bool = False  # based on a version a colleague has moved on from
    saved_before: tuple[str, ...] = field(default=())  # additions saved earlier


# action -> (the API's path under /cases/{id}, the page's path under /lawyer/cases/{id})
DOORS = {
    "save": ("corrections/items", "corrections"),
    "attach": ("corrections/attachments", "attachments"),
    "submit": ("corrections", "send"),
    "send": ("corrections/send", "send"),
    "waive": ("no-corrections", "no-corrections"),
}


def _key(case_key: str, key: str | None) -> str | None:
    return case_key if key == KEY else key


def through_api(client: Any, lawyer: Any, case: Case, key: str, action: str, typed: Input) -> Any:
    headers = if_match(client, case.id, lawyer.headers)
    if typed.stale:
        headers["If-Match"] = '"corrections-v0"'
    body: dict[str, Any] = {}
    if typed.items:
        items = [{"kind": k, "answer_key": _key(key, a), "text": t} for k, a, t in typed.items]
        body["json"] = {"items": [{k: v for k, v in i.items() if v} for i in items]}
    if typed.file:
        body["files"] = {"file": typed.file}
    return client.post(f"{API}/cases/{case.id}/{DOORS[action][0]}", headers=headers, **body)


def through_page(client: Any, case: Case, key: str, action: str, typed: Input) -> Any:
    page = client.get(f"/lawyer/cases/{case.id}/translation", headers=HTML).text
    version = int(page.split('name="version" value="')[1].split('"')[0])
    data = {"csrf_token": csrf_of(page), "version": str(version - typed.stale)}
    for kind, answer_key, text in typed.items:
        if kind == "addition":
            data["addition"] = text
        else:
            data[f"kind-{_key(key, answer_key)}"] = kind
            data[f"text-{_key(key, answer_key)}"] = text
    files = {"file": (*typed.file, "application/octet-stream")} if typed.file else None
    url = f"/lawyer/cases/{case.id}/{DOORS[action][1]}"
    return client.post(url, data=data, files=files, headers=HTML, follow_redirects=False)


def stored(db: Any, case: Case) -> dict[str, Any]:
    """The corrections file as kept, without ids and times."""
    db.expire_all()
    file = corrections.corrections_of(db, case)
    assert file is not None
    return {
        "state": case.state,
        "version": file.version,
        "outcome": file.outcome,
        "items": [(i.kind, i.answer_key, i.text) for i in corrections.items_of(db, file)],
        "attachments": [
            (a.filename, a.media_type, a.sha256) for a in corrections.attachments_of(db, file)
        ],
    }


def two_cases(db: Any, factory: Any, typed: Input) -> tuple[Case, Case, str]:
    """One case per door, alike; the first answer's key (the same form in both)."""
    cases = factory.case_in(CaseState.WITH_LAWYER), factory.case_in(CaseState.WITH_LAWYER)
    for case in cases:
        if typed.saved_before:
            additions = [
                CorrectionItemIn(kind=ItemKind.ADDITION, text=t) for t in typed.saved_before
            ]
            lawyer = Actor(role=Role.LAWYER, user_id=case.lawyer_id)
            corrections.save(db, lawyer, case, Typed(None, CorrectionsIn(items=additions)))
    key = translation.source_items(db, translation.translation_of(db, cases[0]))[0].key
    return cases[0], cases[1], key


ACCEPTED = {
    "save": Input(
        items=(("translation", KEY, "Niet Griekenland maar Turkije."), ("addition", None, "Zus."))
    ),
    "attach": Input(file=("verklaring.png", png())),
    "submit": Input(items=(("content", KEY, "Mijn cliënt bedoelde 2016."),)),
    "send": Input(saved_before=("Eerder opgeslagen.",)),
    "waive": Input(),
}


@pytest.mark.parametrize("action", ACCEPTED)
def test_the_same_input_stores_the_same_through_both_doors(client, db, factory, action):
    typed = ACCEPTED[action]
    by_api, by_page, key = two_cases(db, factory, typed)
    lawyer = factory.person(Role.LAWYER)
    sign_in(client, lawyer.user.username)

    api = through_api(client, lawyer, by_api, key, action, typed)
    page = through_page(client, by_page, key, action, typed)

    assert api.status_code in (200, 201), api.text
    assert page.status_code == 303, page.text
    assert stored(db, by_api) == stored(db, by_page)


REFUSED = {
    "an answer not in the form": (
        "save",
        Input(items=(("translation", "no_such_question", "Tekst."),)),
        "invalid_correction",
    ),
    "a text longer than any correction": (
        "save",
        Input(items=(("addition", None, "x" * 20001),)),
        "validation_error",
    ),
    "a file that is not a PDF, JPEG or PNG": (
        "attach",
        Input(file=("brief.pdf", b"#!/bin/sh\necho not a pdf\n")),
        "attachment_refused",
    ),
    "a colleague's change since loading": (
        "save",
        Input(items=(("addition", None, "Tweede collega."),), stale=True),
        "corrections_changed",
    ),
    "sending an empty file": ("send", Input(), "invalid_correction"),
    "nothing to correct in a file that holds some": (
        "waive",
        Input(saved_before=("Al opgeslagen.",)),
        "corrections_closed",
    ),
}


@pytest.mark.parametrize("refused", REFUSED)
def test_a_refused_input_is_refused_alike_and_the_page_keeps_it(client, db, factory, refused):
    action, typed, code = REFUSED[refused]
    by_api, by_page, key = two_cases(db, factory, typed)
    lawyer = factory.person(Role.LAWYER)
    sign_in(client, lawyer.user.username)
    before = stored(db, by_page)

    api = through_api(client, lawyer, by_api, key, action, typed)
    page = through_page(client, by_page, key, action, typed)

    assert api.json()["code"] == code, api.text
    assert 400 <= page.status_code < 500
    assert page.status_code == api.status_code
    assert re.search(r'data-refusal="([a-z_]+)"', page.text).group(1) == code
    for _, answer_key, text in typed.items:
        if answer_key in (KEY, None):  # a field of the page
            assert text[:200] in page.text  # what was typed is still in the form
    assert stored(db, by_page) == before  # and nothing of it was kept


def test_a_file_sent_already_is_refused_alike_and_in_dutch(client, db, factory):
    typed = Input(items=(("addition", None, "Nog iets."),), saved_before=("Eerder.",))
    by_api, by_page, key = two_cases(db, factory, typed)
    lawyer = factory.person(Role.LAWYER)
    sign_in(client, lawyer.user.username)
    page_before = client.get(f"/lawyer/cases/{by_page.id}/translation", headers=HTML).text
    for case in (by_api, by_page):
        corrections.submit(db, lawyer.actor, case, Typed(None))

    api = through_api(client, lawyer, by_api, key, "save", typed)
    data = {"csrf_token": csrf_of(page_before), "version": "2", "addition": "Nog iets."}
    page = client.post(f"/lawyer/cases/{by_page.id}/corrections", data=data, headers=HTML)

    assert api.json()["code"] == "corrections_closed"
    assert page.status_code == api.status_code == 409
    assert 'data-refusal="corrections_closed"' in page.text
    assert "De correcties en aanvullingen zijn al verstuurd." in page.text
