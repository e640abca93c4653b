"""The lawyer's side-by-side page: each question, the client's own answer and the Dutch
translation, with corrections per answer, additions and attachments.

Every form carries the corrections file's version; a colleague's change since the page
was loaded is reported (and nothing is lost: the page shows what was typed again).
"""

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import signed_in
from service.cases.access import readable_account, readable_case
from service.core.actor import Actor
from service.core.errors import DomainError
from service.core.i18n import gettext_for, language_of
from service.core.settings import get_settings
from service.core.web import page_router, render, see_other
from service.corrections import access, queries, service
from service.corrections.api import attachment_download, read_attachment
from service.corrections.exceptions import TooManyAttachments
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
    # Every refusal comes before anything is written, so the page can be shown again.
    detail = exc.detail if isinstance(exc, DomainError) else str(exc)
    return _page(request, db, actor, case, values, error=detail)


@router.post(
    "/lawyer/cases/{case_id}/corrections",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.add")],
)
def save_corrections(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Lawyer,
    version: Version,
    values: Annotated[dict[str, str], Depends(correction_fields)],
) -> Response:
    case = readable_case(db, case_id, actor)
    gettext = gettext_for(language_of(request))
    try:
        items = _items_from(values)
        if not items:
            return _page(
                request, db, actor, case, values, gettext("Type a correction or an addition first.")
            )
        service.add_items(db, case, actor, items, version)
    except (DomainError, ValueError) as exc:
        return _refused(request, db, actor, case, values, exc)
    return see_other(f"/lawyer/cases/{case.id}/translation?saved=1#corrections")


@router.post(
    "/lawyer/cases/{case_id}/attachments",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.attach")],
)
def attach(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Lawyer,
    version: Version,
    file: UploadFile | None = None,
) -> Response:
    case = readable_case(db, case_id, actor)
    if file is None or not file.filename:
        gettext = gettext_for(language_of(request))
        return _page(request, db, actor, case, error=gettext("Choose a file to attach."))
    try:
        service.add_attachment(db, case, actor, file.filename, read_attachment(file), version)
    except TooManyAttachments:
        gettext = gettext_for(language_of(request))
        settings = get_settings()
        error = gettext(
            "A case holds at most %(count)d attachments of %(mb)d MB together. Combine "
            "documents into one PDF, or send the corrections as they are."
        ) % {
            "count": settings.attachments_per_case,
            "mb": settings.attachments_max_total_bytes // 2**20,
        }
        return _page(request, db, actor, case, error=error)
    except DomainError as exc:
        return _refused(request, db, actor, case, {}, exc)
    return see_other(f"/lawyer/cases/{case.id}/translation?saved=1#additions")


Finish = Callable[[Session, Case, Actor, int | None], object]


def _finish(
    case_id: uuid.UUID, request: Request, db: Session, actor: Actor, version: int, how: Finish
) -> Response:
    """End the lawyer's turn (send, or nothing to correct) and show the case."""
    case = readable_case(db, case_id, actor)
    try:
        how(db, case, actor, version)
    except DomainError as exc:
        return _refused(request, db, actor, case, {}, exc)
    return see_other(f"/lawyer/cases/{case.id}")


@router.post(
    "/lawyer/cases/{case_id}/send",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.send")],
)
def send(
    case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer, version: Version
) -> Response:
    return _finish(case_id, request, db, actor, version, service.send)


@router.post(
    "/lawyer/cases/{case_id}/no-corrections",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.waive")],
)
def no_corrections(
    case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer, version: Version
) -> Response:
    return _finish(case_id, request, db, actor, version, service.none_to_add)


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    dependencies=[audited("corrections.attachment_read")],
)
def download_attachment(
    case_id: uuid.UUID, attachment_id: uuid.UUID, db: Session, actor: Reader
) -> Response:
    case = readable_account(db, case_id, actor, "corrections")
    return attachment_download(db, case, attachment_id)
