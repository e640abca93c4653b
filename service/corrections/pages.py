"""The lawyer's side-by-side page: each question, the client's own answer and the Dutch
translation, with corrections per answer, additions and attachments.

Every form carries the corrections file's version; a colleague's change since the page
was loaded is reported (and nothing is lost: the page shows what was typed again).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import signed_in
from service.cases.access import readable_account, readable_case
from service.core.actor import Actor
from service.core.errors import DomainError
from service.core.i18n import N_, gettext_for, language_of
from service.core.settings import get_settings
from service.core.web import page_router, render, see_other
from service.corrections import access, queries, service
from service.corrections.api import attachment_download, read_attachment
from service.corrections.exceptions import InvalidCorrection, TooManyAttachments
from service.corrections.schemas import CorrectionItemIn
from service.models.auth import Role
from service.models.cases import Case
from service.models.corrections import ItemKind

router = page_router()
Lawyer = Annotated[Actor, Depends(signed_in(Role.LAWYER))]
Reader = Annotated[Actor, Depends(signed_in(Role.LAWYER, *access.STAFF_READERS))]
Version = Annotated[int, Form(ge=0, le=10**9)]


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    case: Case,
    values: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    found = queries.layers(db, case)
    file = found.file
    context = {
        "case": case,
        "layers": found,
        "editable": file is not None and file.outcome is None and actor.is_(Role.LAWYER),
        "version": file.version if file else 0,
        "values": values or {},
        "error": error,
        "notice": notice,
        "kinds": [
            ("", ""),
            (ItemKind.TRANSLATION.value, "translation"),
            (ItemKind.CONTENT.value, "content"),
        ],
    }
    status = (412 if "changed" in (error or "") else 422) if error else 200
    return render(request, "lawyer/translation.html", context, actor=actor, status_code=status)


@router.get(
    "/lawyer/cases/{case_id}/translation",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.page")],
)
def side_by_side(case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer) -> HTMLResponse:
    case = readable_case(db, case_id, actor)
    notice = request.query_params.get("saved")
    gettext = gettext_for(language_of(request))
    return _page(request, db, actor, case, notice=gettext("Saved.") if notice else None)


async def correction_fields(request: Request) -> dict[str, str]:
    """The page's per-answer fields (``kind-<key>``, ``text-<key>``) and the addition."""
    form = await request.form()
    return {
        key: value
        for key, value in form.multi_items()
        if isinstance(value, str) and key.startswith(("kind-", "text-", "addition"))
    }


def _items_from(values: dict[str, str]) -> list[CorrectionItemIn]:
    items = []
    for key, text in values.items():
        if not key.startswith("text-") or not text.strip():
            continue
        answer_key = key.removeprefix("text-")
        kind = values.get(f"kind-{answer_key}") or ItemKind.TRANSLATION.value
        items.append(
            CorrectionItemIn(kind=ItemKind(kind), answer_key=answer_key, text=text.strip())
        )
    if values.get("addition", "").strip():
        items.append(CorrectionItemIn(kind=ItemKind.ADDITION, text=values["addition"].strip()))
    return items


def _refused(
    request: Request, db: Session, actor: Actor, case: Case, values: dict[str, str], exc: Exception
) -> HTMLResponse:
    if isinstance(exc, DomainError) and exc.status not in (412, 422, 409):
        raise exc
    gettext = gettext_for(language_of(request))
    detail = exc.detail if isinstance(exc, DomainError) else str(exc)
    if isinstance(exc, TooManyAttachments):
        settings = get_settings()
        detail = gettext(
            "A case holds at most %(count)d attachments of %(mb)d MB together. Combine "
            "documents into one PDF, or send the corrections as they are."
        ) % {
            "count": settings.attachments_per_case,
            "mb": settings.attachments_max_total_bytes // 2**20,
        }
    return _page(request, db, actor, case, values, error=gettext(detail))


def _act(
    request: Request,
    db: Session,
    actor: Actor,
    case: Case,
    values: dict[str, str],
    action: Callable[[], object],
    then: str,
) -> Response:
    """Run one action in a savepoint: a refusal undoes all of it (a send refused after the
    typed text was saved saves nothing) and shows the page again with what was typed."""
    savepoint = db.begin_nested()
    try:
        action()
    except (DomainError, ValueError) as exc:
        savepoint.rollback()
        return _refused(request, db, actor, case, values, exc)
    savepoint.commit()
    return see_other(then)


Chosen = Annotated[UploadFile | None, File()]


@dataclass(frozen=True)
class Screen:
    """What the lawyer's one form holds, whichever button was pressed: the file's version
    it was loaded at, what was typed, and a chosen file."""

    version: int
    values: dict[str, str]
    file: UploadFile | None

    def items(self) -> list[CorrectionItemIn]:
        return _items_from(self.values)

    def attachment(self) -> tuple[str, bytes] | None:
        if self.file is None or not self.file.filename:
            return None
        return self.file.filename, read_attachment(self.file)

    def holds_anything(self) -> bool:
        return bool(self.items()) or bool(self.file is not None and self.file.filename)


def on_screen(
    version: Version,
    values: Annotated[dict[str, str], Depends(correction_fields)],
    file: Chosen = None,
) -> Screen:
    return Screen(version, values, file)


OnScreen = Annotated[Screen, Depends(on_screen)]


def _back(case: Case, anchor: str = "") -> str:
    if not anchor:
        return f"/lawyer/cases/{case.id}"
    return f"/lawyer/cases/{case.id}/translation?saved=1#{anchor}"


@router.post(
    "/lawyer/cases/{case_id}/corrections",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.add")],
)
def save_corrections(
    case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer, screen: OnScreen
) -> Response:
    """Save what the screen holds: the typed corrections and additions, and a chosen file."""
    case = readable_case(db, case_id, actor)

    def save() -> None:
        if not service.save(db, case, actor, screen.items(), screen.version, screen.attachment()):
            raise InvalidCorrection(N_("Type a correction or an addition first."))

    return _act(request, db, actor, case, screen.values, save, _back(case, "corrections"))


@router.post(
    "/lawyer/cases/{case_id}/attachments",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.attach")],
)
def attach(
    case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer, screen: OnScreen
) -> Response:
    case = readable_case(db, case_id, actor)

    def attach_file() -> None:
        chosen = screen.attachment()
        if chosen is None:
            raise InvalidCorrection(N_("Choose a file to attach."))
        service.save(db, case, actor, screen.items(), screen.version, chosen)

    return _act(request, db, actor, case, screen.values, attach_file, _back(case, "additions"))


@router.post(
    "/lawyer/cases/{case_id}/send",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.send")],
)
def send(
    case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer, screen: OnScreen
) -> Response:
    """Send to the IND, with whatever is typed on the screen (never left behind)."""
    case = readable_case(db, case_id, actor)

    def send_all() -> None:
        service.submit(db, case, actor, screen.items(), screen.version, screen.attachment())

    return _act(request, db, actor, case, screen.values, send_all, _back(case))


@router.post(
    "/lawyer/cases/{case_id}/no-corrections",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.waive")],
)
def no_corrections(
    case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer, screen: OnScreen
) -> Response:
    case = readable_case(db, case_id, actor)

    def waive() -> None:
        if screen.holds_anything():
            # The screen holds typed text: declaring "nothing to correct" would drop it.
            raise InvalidCorrection(
                N_("You typed corrections or chose a file: send them, or clear the fields first.")
            )
        service.none_to_add(db, case, actor, screen.version)

    return _act(request, db, actor, case, screen.values, waive, _back(case))


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    dependencies=[audited("corrections.attachment_read")],
)
def download_attachment(
    case_id: uuid.UUID, attachment_id: uuid.UUID, db: Session, actor: Reader
) -> Response:
    case = readable_account(db, case_id, actor, "corrections")
    return attachment_download(db, case, attachment_id)
