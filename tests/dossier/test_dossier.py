"""The PDF dossier: WeasyPrint renders the cover and every answer in the applicant's
script with its translation and the lawyer's corrections; rendering is cached by content
hash and runs in the background; every download is audited."""

import io
import multiprocessing
import os
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core import db as db_module
from service.core.actor import Actor
from service.corrections import service as corrections
from service.corrections.schemas import CorrectionItemIn, CorrectionsIn, Typed
from service.dossier import rendering, tasks
from service.dossier import service as dossier
from service.models import Role
from service.models.cases import Case
from service.models.corrections import ItemKind
from service.models.dossier import Dossier
from service.translation import service as translation
from service.workflow import CaseState
from tests.factories import Factory
from tests.helpers import API, assert_problem, ok
from tests.scripts import DUTCH, SENTENCES, write_answers

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def translated_case(db, factory: Factory, language: str, nationality: str) -> Case:
    """A case in ``language`` with the lawyer, translated, with a correction and addition."""
    case = factory.case_in(CaseState.SUBMITTED, languages=[language], nationality=nationality)
    write_answers(db, case, language)
    job = translation.request(db, case, factory.person(Role.PLANNER).actor, factory.agency().name)
    dutch = {item.key: f"{DUTCH} ({item.key})" for item in translation.source_items(db, job)}
    translation.deliver(db, job, factory.person(Role.TRANSLATOR).actor, dutch)
    lawyer = Actor(role=Role.LAWYER, user_id=case.lawyer_id)
    first = next(iter(dutch))
    typed = CorrectionsIn(
        items=[
            CorrectionItemIn(kind=ItemKind.TRANSLATION, answer_key=first, text="Lees: Aleppo."),
            CorrectionItemIn(kind=ItemKind.ADDITION, text="Verklaring van de zus bijgevoegd."),
        ]
    )
    corrections.save(db, lawyer, case, Typed(None, typed))
    return case


def pdf_text(pdf: bytes) -> str:
    """The text of every page; Arabic presentation forms folded back (NFKC)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFKC", text)


def words(sentence: str) -> list[str]:
    return [w.strip("،.።፣") for w in sentence.split() if len(w.strip("،.።፣")) > 2]


def test_the_dossier_shows_arabic_and_tigrinya_answers_and_the_dutch(db, factory):
    for language, nationality in (("ar", "SY"), ("ti", "ER")):
        case = translated_case(db, factory, language, nationality)
        document = dossier.content(db, case, "staff")
        pdf = dossier.render_pdf(document)
        text = pdf_text(pdf)
        assert case.v_number in text
        assert "vreesde" in text  # the Dutch translation
        assert "Lees: Aleppo." in text  # the lawyer's correction
        assert "Verklaring van de zus" in text  # and addition
        found = [w for w in words(SENTENCES[language]) if w in text]
        assert len(found) >= len(words(SENTENCES[language])) // 2, (language, found, text[:2000])
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) >= 3
        assert "Pagina 1 van" in text  # page numbers
        assert text.count(case.v_number) >= len(reader.pages)  # the footer names the case
        # Fonts are embedded (every font has its program in the file).
        for page in reader.pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                descriptor = font.get_object()
                descendants = descriptor.get("/DescendantFonts")
                if descendants:
                    descriptor = descendants[0].get_object()
                file = descriptor["/FontDescriptor"].get_object()
                assert any(k in file for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        # PDF/A-3b: WeasyPrint writes the identification in the XMP metadata.
        metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
        assert b'pdfaid:part="3"' in metadata
        assert b'pdfaid:conformance="B"' in metadata
        assert "/OutputIntents" in reader.trailer["/Root"]
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"dossier-{language}.pdf").write_bytes(pdf)
        answers_page = pypdfium2.PdfDocument(pdf)[2]  # the first page of answers
        answers_page.render(scale=1.5).to_pil().save(ARTIFACTS / f"dossier-{language}-answers.png")


def test_rendering_is_queued_cached_by_hash_and_downloads_are_audited(client, db, factory):
    case = translated_case(db, factory, "ar", "SY")
    # Reaching the lawyer queued the rendering of both copies (run after commit).
    assert len(db.info["queued_jobs"]) >= 2
    lawyer = factory.person(Role.LAWYER)
    status = ok(client.get(f"{API}/cases/{case.id}/dossier", headers=lawyer.headers))
    assert status["status"] == "being_prepared"
    assert status["audience"] == "lawyer"  # a lawyer always gets the lawyer's copy
    assert_problem(
        client.get(f"{API}/cases/{case.id}/dossier/pdf", headers=lawyer.headers),
        409,
        "dossier_being_prepared",
    )

    # The background job (run here in-line) renders once per content hash.
    assert dossier.render(db, case.id, "lawyer") is True
    assert dossier.render(db, case.id, "lawyer") is False
    status = ok(client.get(f"{API}/cases/{case.id}/dossier", headers=lawyer.headers))
    assert status["status"] == "ready"
    download = client.get(f"{API}/cases/{case.id}/dossier/pdf", headers=lawyer.headers)
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    assert "IND-medewerkers" not in pdf_text(download.content)
    [audited] = dossier.downloads(db, case)
    assert (audited.actor_id, audited.actor_role) == (lawyer.user.id, "lawyer")

    # A change of the content (a new addition) makes a new hash: being prepared again.
    addition = CorrectionsIn(
        items=[CorrectionItemIn(kind=ItemKind.ADDITION, text="Nog een verklaring.")]
    )
    corrections.save(
        db, Actor(role=Role.LAWYER, user_id=case.lawyer_id), case, Typed(None, addition)
    )
    status = ok(client.get(f"{API}/cases/{case.id}/dossier", headers=lawyer.headers))
    assert status["status"] == "being_prepared"

    # Staff get the complete copy, with the staff-only part.
    officer = factory.person(Role.OFFICER)
    assert dossier.render(db, case.id, "staff") is True
    staff = client.get(f"{API}/cases/{case.id}/dossier/pdf", headers=officer.headers)
    text = pdf_text(staff.content)
    assert "Alleen voor IND-medewerkers" in text or "For IND staff only" in text, text[:300]
    assert db.query(Dossier).filter_by(case_id=case.id).count() == 2


def test_another_lawyer_gets_no_dossier(client, db, factory):
    case = translated_case(db, factory, "ar", "SY")
    other = factory.person(Role.LAWYER, "other")
    assert_problem(
        client.get(f"{API}/cases/{case.id}/dossier", headers=other.headers), 404, "case_not_found"
    )


def test_dossiers_are_rendered_in_children_that_are_recycled_and_replaced_ahead(
    db, factory, monkeypatch
):
    """WeasyPrint's memory grows per render: ``render_pdf`` renders in a child process
    that is replaced after ``RENDERS_PER_CHILD`` dossiers, so the worker stays bounded.
    The child that takes over is started ``SPARE_AHEAD`` dossiers before it is needed (its
    WeasyPrint and fonts loaded beside the old child's last renders): the dossier after
    the switch starts no new process. Two dossiers a child, one ahead: four dossiers, three
    children (each child's start costs about two renders, so no more than that)."""
    case = translated_case(db, factory, "ar", "SY")
    document = dossier.content(db, case, "lawyer")
    rendering.shut_down_renderer()  # start from a fresh child with the smaller limits
    monkeypatch.setattr(rendering, "RENDERS_PER_CHILD", 2)
    monkeypatch.setattr(rendering, "SPARE_AHEAD", 1)
    before = {child.pid for child in multiprocessing.active_children()}
    alive: list[set[int]] = []
    try:
        for _ in range(4):
            if rendering._children.warm is not None:
                # The old child renders on until its replacement is warm (the test below):
                # here the replacement takes over on time.
                rendering._children.warm.result()
            pdf = dossier.render_pdf(document)
            assert pdf.startswith(b"%PDF")
            alive.append({c.pid for c in multiprocessing.active_children()} - before)
        assert case.v_number in pdf_text(pdf)  # rendered whole by the replacement too
    finally:
        rendering.shut_down_renderer()
    assert os.getpid() not in set().union(*alive)
    assert len(alive[0]) == 1  # the first child alone
    spare = alive[1] - alive[0]
    assert len(spare) == 1  # started with the first child's last dossier
    assert spare <= alive[2]
    assert not alive[2] - alive[1]  # the third dossier: no new process, the spare took it
    # ... and the spare is replaced in turn: its own spare starts with its last dossier.
    assert len(alive[3] - alive[1]) == 1
    assert len(set().union(*alive)) == 3


def test_the_job_holds_no_transaction_while_the_pdf_renders(db, factory, monkeypatch):
    """A render takes seconds: on SQLite a transaction held through it kept every other
    writer of the service waiting on the one write lock (the serve log showed a render job
    fail with "database is locked" while others rendered). The job reads, renders with no
    unit of work open, then stores; the same content is not rendered twice."""
    case = translated_case(db, factory, "ar", "SY")
    open_units: list[bool] = []

    @contextmanager
    def watched(write: bool = True) -> Iterator[Session]:
        with db_module.request_unit_of_work(write) as session:
            open_units.append(write)
            try:
                yield session
            finally:
                open_units.pop()

    held_while_rendering: list[list[bool]] = []

    def render_pdf(document: dict) -> bytes:
        held_while_rendering.append(list(open_units))
        return b"%PDF-1.7 " + document["case"]["v_number"].encode()

    monkeypatch.setattr(tasks, "unit_of_work", watched)
    monkeypatch.setattr(tasks, "render_pdf", render_pdf)
    assert tasks.render_dossier.call_local(case.id, "lawyer") is True
    assert held_while_rendering == [[]]
    assert tasks.render_dossier.call_local(case.id, "lawyer") is False  # cached by content
    assert held_while_rendering == [[]]
    [stored] = db.scalars(select(Dossier).where(Dossier.case_id == case.id)).all()
    assert stored.pdf == b"%PDF-1.7 " + case.v_number.encode()


def _warm_up_when_let(let: Any) -> None:
    """A replacement child's warm-up that lasts until the test lets it finish."""
    let.wait()


def test_a_retiring_child_renders_on_while_its_replacement_warms_up(monkeypatch):
    """On a busy machine the replacement's warm-up (at a low priority) can outlast
    the old child's last dossiers: the old child renders on, up to ``OVERTIME`` dossiers
    more, instead of the next dossier waiting for the warm-up; after that the replacement
    takes over, so a child's growth stays bounded."""
    rendering.shut_down_renderer()
    monkeypatch.setattr(rendering, "RENDERS_PER_CHILD", 2)
    monkeypatch.setattr(rendering, "SPARE_AHEAD", 1)
    monkeypatch.setattr(rendering, "OVERTIME", 1)
    spawn = multiprocessing.get_context("spawn")
    let = spawn.Event()
    first_child, made = rendering._child, []

    def child() -> ProcessPoolExecutor:
        made.append(child)
        if len(made) == 1:
            return first_child()
        return ProcessPoolExecutor(
            max_workers=1, mp_context=spawn, initializer=_warm_up_when_let, initargs=(let,)
        )

    monkeypatch.setattr(rendering, "_child", child)

    def next_renderer() -> int:
        """The process that takes the next dossier (counted as one)."""
        return rendering._renderer_pool().submit(os.getpid).result(timeout=60)

    try:
        old = [next_renderer() for _ in range(3)]  # its two, and one more: the spare is warming
        let.set()
        replacement = next_renderer()
    finally:
        let.set()
        rendering.shut_down_renderer()
    assert len(set(old)) == 1
    assert replacement not in old
