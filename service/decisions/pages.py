"""The decision officer's queue and the coordinator's consultations."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.cases.schemas import CaseOut
from service.core.actor import Actor
from service.core.web import page_router, render
from service.decisions import access, service

router = page_router()


@router.get("/officer", response_class=HTMLResponse)
def officer_start(
    request: Request, db: Session, actor: Annotated[Actor, Depends(signed_in(*access.OFFICERS))]
) -> HTMLResponse:
    """Complete files ready for decision, longest waiting first."""
    queue = [CaseOut.present(c, actor) for c in service.queue(db, 100)]
    return render(request, "officer/start.html", {"queue": queue}, actor=actor)


@router.get("/coordinator", response_class=HTMLResponse)
def coordinator_start(
    request: Request,
    db: Session,
    actor: Annotated[Actor, Depends(signed_in(*access.COORDINATORS))],
) -> HTMLResponse:
    """Files that raise the coordinator's motive and wait for a decision."""
    waiting = [CaseOut.present(c, actor) for c in service.awaiting_consultation(db, actor)]
    return render(request, "coordinator/start.html", {"waiting": waiting}, actor=actor)
