"""The lawyer's side-by-side page: each question, the client's own answer and the Dutch
translation, with corrections per answer, additions and attachments.

Every button sends the one form, so whatever is typed or chosen goes with the action
pressed. Each action is the API's own service function, run by ``core.actions.attempt``:
a refusal (a colleague's change since the page was loaded, a file of the wrong type, ...)
undoes all of it and shows the page again with what was typed and the message beside
the field.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.actions import CHANGED_MEANWHILE, Refusal, attempt
from service.core.actor import Actor
from service.core.i18n import gettext_for, language_of
from service.core.settings import get_settings
from service.core.web import page_router, render, see_other
from service.corrections import access, queries, service
from service.corrections.api import attachment_download, read_attachment
from service.corrections.schemas import CorrectionsIn, Typed
from service.models.auth import Role
from service.models.cases import Case
from service.models.corrections import Correction

router = page_router()
Version = Annotated[int, Form(ge=0, le=10**9)]
Chosen = Annotated[UploadFile | None, File()]
# The form's own anchor: where a refusal about no field in particular is shown.
FORM = "corrections"


@dataclass(frozen=True)
class Screen:
    """What the lawyer's one form holds, whichever button was pressed: the file's version
    it was loaded at, what was typed, and a chosen file."""

    version: int
    values: dict[str, str]
    file: UploadFile | None

    def typed(self) -> Typed:
        """As the actions' input (the API's models); refused beside the field it names."""
        return Typed(self.version, CorrectionsIn.from_page(self.values), read_attachment(self.file))


async def correction_fields(request: Request) -> dict[str, str]:
    """The page's per-answer fields (``kind-<key>``, ``text-<key>``) and the addition."""
    form = await request.form()
    return {
        key: value
        for key, value in form.multi_items()
        if isinstance(value, str) and key.startswith(("kind-", "text-", "addition"))
    }


def on_screen(
    version: Version,
    values: Annotated[dict[str, str], Depends(correction_fields)],
    file: Chosen = None,
) -> Screen:
    return Screen(version, values, file)


OnScreen = Annotated[Screen, Depends(on_screen)]
# The lawyer's actions (service.save, attach, submit, none_to_add) share one signature.
Action = Callable[[Session, Actor, Case, Typed], Correction]


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    case: Case,
    values: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    found = queries.layers(db, case)
    file = found.file
    context = {
        "case": case,
        "layers": found,
        "editable": file is not None and file.outcome is None and actor.is_(Role.LAWYER),
        "version": file.version if file else 0,
        "values": values or {},
        "refusal": refusal,
        "errors": _errors(request, refusal) if refusal else {},
        "saved": request.query_params.get("saved") == "1",
    }
    status = refusal.status if refusal else 200
    return render(request, "lawyer/translation.html", context, actor=actor, status_code=status)


def _errors(request: Request, refusal: Refusal) -> dict[str, str]:
    """The refusal in the page's language. Two have words of their own on the page: a
    colleague's change, and a case full of attachments (with the limits in figures)."""
    gettext = gettext_for(language_of(request))
    if refusal.code == "corrections_changed":
        return {FORM: gettext(CHANGED_MEANWHILE)}
    if refusal.code == "attachment_limit_reached":
        settings = get_settings()
        text = gettext(
            "A case holds at most %(count)d attachments of %(mb)d MB together. Combine "
            "documents into one PDF, or send the corrections as they are."
        )
        limits = {
            "count": settings.attachments_per_case,
            "mb": settings.attachments_max_total_bytes // 2**20,
        }
        return {"file": text % limits}
    return refusal.errors(language_of(request), FORM)


def _act(
    request: Request, db: Session, actor: Actor, case: Case, screen: Screen, action: Action
) -> Response:
    """Run the action on what the screen holds; refused, the page again as it was typed."""
    outcome = attempt(db, lambda: action(db, actor, case, screen.typed()))
    if isinstance(outcome, Refusal):
        return _page(request, db, actor, case, screen.values, outcome)
    if outcome.outcome is not None:  # sent or waived: the file has moved on
        return see_other(f"/lawyer/cases/{case.id}")
    return see_other(f"/lawyer/cases/{case.id}/translation?saved=1#{FORM}")


@router.get(
    "/lawyer/cases/{case_id}/translation",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.page")],
)
def side_by_side(
    case: access.ClientCasePage, request: Request, db: Session, actor: access.LawyerPage
) -> HTMLResponse:
    return _page(request, db, actor, case)


@router.post(
    "/lawyer/cases/{case_id}/corrections",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.add")],
)
def save_corrections(
    case: access.ClientCasePage,
    request: Request,
    db: Session,
    actor: access.LawyerPage,
    screen: OnScreen,
) -> Response:
    """Save what the screen holds: the typed corrections and additions, and a chosen file."""
    return _act(request, db, actor, case, screen, service.save)


@router.post(
    "/lawyer/cases/{case_id}/attachments",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.attach")],
)
def attach(
    case: access.ClientCasePage,
    request: Request,
    db: Session,
    actor: access.LawyerPage,
    screen: OnScreen,
) -> Response:
    return _act(request, db, actor, case, screen, service.attach)


@router.post(
    "/lawyer/cases/{case_id}/send",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.send")],
)
def send(
    case: access.ClientCasePage,
    request: Request,
    db: Session,
    actor: access.LawyerPage,
    screen: OnScreen,
) -> Response:
    """Send to the IND, with whatever is typed on the screen (never left behind)."""
    return _act(request, db, actor, case, screen, service.submit)


@router.post(
    "/lawyer/cases/{case_id}/no-corrections",
    response_class=HTMLResponse,
    dependencies=[audited("corrections.waive")],
)
def no_corrections(
    case: access.ClientCasePage,
    request: Request,
    db: Session,
    actor: access.LawyerPage,
    screen: OnScreen,
) -> Response:
    return _act(request, db, actor, case, screen, service.none_to_add)


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    dependencies=[audited("corrections.attachment_read")],
)
def download_attachment(
    case: access.CorrectionsCasePage, attachment_id: uuid.UUID, db: Session
) -> Response:
    return attachment_download(db, case, attachment_id)
