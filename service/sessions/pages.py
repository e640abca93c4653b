"""The host's pages: the sessions at their location and who sits where."""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.core.actor import Actor
from service.core.web import page_router, render
from service.sessions import access, queries
from service.sessions.schemas import BookingOut

router = page_router()


@router.get("/host", response_class=HTMLResponse)
def host_start(
    request: Request, db: Session, actor: Annotated[Actor, Depends(signed_in(*access.ON_SITE))]
) -> HTMLResponse:
    """Today's and coming sessions (a host: at their own location)."""
    context = {"sessions": queries.coming_sessions(db, actor)}
    return render(request, "host/start.html", context, actor=actor)


@router.get("/host/sessions/{session_id}", response_class=HTMLResponse)
def seat_list(
    session_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Annotated[Actor, Depends(signed_in(*access.ON_SITE))],
) -> HTMLResponse:
    """Who sits where: the host checks each applicant's name and date of birth."""
    session = access.readable_session(db, session_id, actor)
    seats = [BookingOut.present(b, case) for b, case in queries.seat_list(db, session.id)]
    context = {"session": session, "seats": seats}
    return render(request, "host/seats.html", context, actor=actor)
