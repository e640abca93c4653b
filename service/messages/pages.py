"""Each party's own messages, the planner's failed ones, and (outside production) the
development mailbox that shows what the local SMTP sink received."""

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.core.actions import Refusal, attempt
from service.core.actor import Actor
from service.core.i18n import N_, language_of
from service.core.settings import get_settings
from service.core.web import page_router, render, see_other
from service.messages import access, devmail, queries, service
from service.messages.devmail import NAME_PATTERN
from service.messages.schemas import MessageOut
from service.models.messages import MessageStatus

router = page_router()
dev_router = page_router()

STATUS_LABELS: dict[MessageStatus, str] = {
    MessageStatus.QUEUED: N_("Waiting to be sent"),
    MessageStatus.SENT: N_("Sent"),
    MessageStatus.FAILED: N_("Not delivered"),
}


@router.get("/messages", response_class=HTMLResponse)
def my_messages(request: Request, db: Session, actor: access.RecipientPage) -> HTMLResponse:
    mine = queries.sent_to(db, actor.user_id) if actor.user_id else []
    context = {"messages": [MessageOut.present(m) for m in mine], "STATUS_LABELS": STATUS_LABELS}
    return render(request, "messages/mine.html", context, actor=actor)


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def my_message(
    message: access.OwnMessagePage, request: Request, actor: access.RecipientPage
) -> HTMLResponse:
    """One of the actor's own messages, as it was written to them."""
    context = {
        "message": MessageOut.present(message),
        "body": message.body_text,
        "language": message.language,
        "STATUS_LABELS": STATUS_LABELS,
    }
    return render(request, "messages/message.html", context, actor=actor)


def _failed_page(
    request: Request, db: Session, actor: Actor, refusal: Refusal | None = None
) -> HTMLResponse:
    context = {
        "messages": [MessageOut.present(m) for m in queries.failed(db)],
        "retried": request.query_params.get("retried") == "true",
        "refusal": refusal,
        "errors": refusal.errors(language_of(request), "messages") if refusal else {},
    }
    status = refusal.status if refusal else 200
    return render(request, "messages/failed.html", context, actor=actor, status_code=status)


@router.get("/planner/messages", response_class=HTMLResponse)
def failed_messages(request: Request, db: Session, actor: access.PlannerPage) -> HTMLResponse:
    return _failed_page(request, db, actor)


@router.post("/planner/messages/{message_id}/retry", response_class=HTMLResponse)
def retry_message(
    message: access.AnyMessagePage, request: Request, db: Session, actor: access.PlannerPage
) -> Response:
    """The API's retry; refused (sent meanwhile, no address), the list says why."""
    retried = attempt(db, lambda: service.try_again(db, message))
    if isinstance(retried, Refusal):
        return _failed_page(request, db, actor, retried)
    return see_other("/planner/messages?retried=true")


# Every signed-in role may look: in development the demo accounts share one mailbox.
@dev_router.get("/dev/mail", response_class=HTMLResponse)
def dev_mailbox(request: Request, actor: access.AnyonePage) -> HTMLResponse:
    directory = get_settings().mail_sink_dir
    context = {"mails": devmail.received(directory), "directory": directory}
    return render(request, "messages/dev_mailbox.html", context, actor=actor)


@dev_router.get("/dev/mail/{name}", response_class=HTMLResponse)
def dev_mail(
    request: Request, name: Annotated[str, Path(pattern=NAME_PATTERN)], actor: access.AnyonePage
) -> HTMLResponse:
    mail = devmail.one(get_settings().mail_sink_dir, name)
    return render(request, "messages/dev_mail.html", {"mail": mail}, actor=actor)
