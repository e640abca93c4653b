"""The lawyer's corrections and additions: beside the originals, attributed, never
overwriting; concurrent edits caught (ETag / If-Match, the page's version); attachments
sniffed by content; the term's end moves the case on."""

import io
from datetime import timedelta

from PIL import Image

from service.core.clock import utcnow
from service.corrections import service as corrections
from service.models import Role
from service.models.cases import Case
from service.questionnaires.service import answer_set_of
from service.translation import service as translation
from service.workflow import CaseState
from tests.factories import Factory
from tests.helpers import API, assert_problem, if_match, ok, sign_in


def with_lawyer(factory: Factory, **overrides) -> Case:
    return factory.case_in(CaseState.WITH_LAWYER, **overrides)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_corrections_are_stored_beside_the_answers_and_the_translation(client, db, factory):
    case = with_lawyer(factory)
    lawyer = factory.person(Role.LAWYER)
    answers_before = dict(answer_set_of(db, case).answers)
    job = translation.translation_of(db, case)
    dutch_before = dict(job.answers_nl)
    key = next(iter(answers_before))

    body = {
        "items": [
            {
                "kind": "translation",
                "answer_key": key,
                "text": "Niet 'Griekenland' maar 'Turkije'.",
            },
            {"kind": "content", "answer_key": key, "text": "Mijn cliënt bedoelde 2016."},
            {"kind": "addition", "text": "Verklaring van de zus."},
        ]
    }
    added = ok(
        client.post(
            f"{API}/cases/{case.id}/corrections/items",
            headers=if_match(client, case.id, lawyer.headers),
            json=body,
        ),
        201,
    )
    assert [i["kind"] for i in added["items"]] == ["translation", "content", "addition"]
    assert all(i["author_id"] == str(lawyer.user.id) and i["created_at"] for i in added["items"])
    db.refresh(job)
    assert answer_set_of(db, case).answers == answers_before
    assert job.answers_nl == dutch_before

    sent = ok(
        client.post(
            f"{API}/cases/{case.id}/corrections/send",
            headers=if_match(client, case.id, lawyer.headers),
        )
    )
    assert sent["outcome"] == "sent"
    assert case.state == CaseState.READY_FOR_DECISION
    officer = factory.person(Role.OFFICER)
    seen = ok(client.get(f"{API}/cases/{case.id}/corrections", headers=officer.headers))
    assert len(seen["items"]) == 3


def test_two_people_editing_at_once_do_not_overwrite_each_other(client, db, factory):
    case = with_lawyer(factory)
    lawyer = factory.person(Role.LAWYER)
    loaded = if_match(client, case.id, lawyer.headers)  # both colleagues load version 1
    addition = {"items": [{"kind": "addition", "text": "Eerste."}]}
    url = f"{API}/cases/{case.id}/corrections/items"
    ok(client.post(url, headers=loaded, json=addition), 201)
    second = client.post(url, headers=loaded, json={"items": [{"kind": "addition", "text": "2"}]})
    problem = assert_problem(second, 412, "corrections_changed")
    assert "Someone else changed" in problem["detail"]
    missing = client.post(url, headers=lawyer.headers, json=addition)
    assert_problem(missing, 428, "if_match_required")
    current = ok(client.get(f"{API}/cases/{case.id}/corrections", headers=lawyer.headers))
    assert [i["text"] for i in current["items"]] == ["Eerste."]


def test_attachments_are_judged_by_content(client, db, factory):
    case = with_lawyer(factory)
    lawyer = factory.person(Role.LAWYER)
    url = f"{API}/cases/{case.id}/corrections/attachments"
    exe = b"MZ\x90\x00" + b"\x00" * 60
    for name, data in (
        ("brief.pdf", exe),
        ("foto.png", b"GIF89a" + b"\x00" * 20),
        ("leeg.pdf", b""),
    ):
        refused = client.post(
            url, headers=if_match(client, case.id, lawyer.headers), files={"file": (name, data)}
        )
        assert_problem(refused, 422, "attachment_refused")
    accepted = ok(
        client.post(
            url, headers=if_match(client, case.id, lawyer.headers), files={"file": ("x.bin", png())}
        ),
        201,
    )
    [attachment] = accepted["attachments"]
    assert attachment["media_type"] == "image/png"
    download = client.get(
        f"{API}/cases/{case.id}/corrections/attachments/{attachment['id']}", headers=lawyer.headers
    )
    assert download.content == png()


def test_term_expiry_moves_the_case_on_and_the_lawyer_sees_when(client, db, factory):
    case = with_lawyer(factory)
    lawyer = factory.person(Role.LAWYER)
    case.corrections_due_at = utcnow() - timedelta(minutes=1)
    db.flush()
    assert corrections.expire_term(db, case.id) is True
    assert case.state == CaseState.READY_FOR_DECISION
    file = corrections.corrections_of(db, case)
    assert file.outcome == "term_expired"
    sign_in(client, lawyer.user.username)
    page = client.get(f"/lawyer/cases/{case.id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    moved = corrections_moved_on_text(page.text)
    assert moved, page.text
    late = client.post(
        f"{API}/cases/{case.id}/corrections/items",
        headers={**lawyer.headers, "If-Match": f'"corrections-v{file.version}"'},
        json={"items": [{"kind": "addition", "text": "Te laat."}]},
    )
    assert_problem(late, 409, "corrections_term_expired")


def corrections_moved_on_text(html: str) -> bool:
    return "without a reply" in html or "zonder reactie" in html
