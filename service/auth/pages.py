"""Signing in and out in the browser, the public start page, the language switch.

After sign-in everyone lands on their role's own start page (``START_PAGES``), which
each domain's ``pages.py`` serves.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import service
from service.auth.access import signed_in
from service.auth.exceptions import BadCredentials
from service.core.actor import Actor
from service.core.errors import TooManyRequests
from service.core.i18n import LANGUAGE_COOKIE, N_, STAFF_LANGUAGES, gettext_for, language_of
from service.core.templating import templates
from service.core.web import (
    client_address,
    page_router,
    render,
    safe_next,
    see_other,
    session_cookie,
    set_cookie,
)
from service.models.auth import Role, User

router = page_router()

START_PAGES: dict[str, str] = {
    Role.PLANNER: "/planner",
    Role.HOST: "/host",
    Role.LAWYER: "/lawyer",
    Role.TRANSLATOR: "/agency",
    Role.OFFICER: "/officer",
    Role.COORDINATOR: "/coordinator",
    Role.ADMIN: "/admin",
}
ROLE_NAMES: dict[str, str] = {
    Role.PLANNER: N_("Planner"),
    Role.HOST: N_("Host"),
    Role.LAWYER: N_("Lawyer"),
    Role.TRANSLATOR: N_("Translator"),
    Role.OFFICER: N_("Decision officer"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.ADMIN: N_("Administrator"),
    Role.APPLICANT: N_("Applicant"),
}
SIGNED_OUT = N_("You are signed out.")


def start_page_of(actor: Actor | None) -> str:
    return START_PAGES.get(actor.role, "/") if actor else "/"


def role_name(role: str, gettext: Callable[[str], str]) -> str:
    return gettext(ROLE_NAMES.get(role, role))


def actor_label(actor: Actor, gettext: Callable[[str], str]) -> str:
    return role_name(actor.role, gettext)


templates.env.globals["start_page_of"] = start_page_of
templates.env.globals["actor_label"] = actor_label
templates.env.globals["role_name"] = role_name


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """What this service is and where to begin; nothing about any case."""
    return render(request, "home.html")


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    next_page: Annotated[str, Query(alias="next", max_length=500)] = "",
    signed_out: bool = False,
) -> HTMLResponse:
    context: dict[str, object] = {
        "errors": {},
        "username": "",
        "next": safe_next(next_page, ""),
        "notice": SIGNED_OUT if signed_out else None,
    }
    return render(request, "auth/sign_in.html", context)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    db: Session,
    username: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next_page: Annotated[str, Form(alias="next", max_length=500)] = "",
) -> Response:
    """Check the password; on success start a browser session and go to the start page."""
    gettext = gettext_for(language_of(request))
    errors = {}
    status = 422
    if not username.strip():
        errors["username"] = gettext("Enter your username.")
    if not password:
        errors["password"] = gettext("Enter your password.")
    if not errors:
        try:
            # A refusal is counted towards the lockout (this unit of work still commits).
            user = service.authenticate(db, username, password, client_address(request))
        except BadCredentials:
            errors["password"] = gettext("The username or password is not right.")
        except TooManyRequests:
            errors["password"] = gettext("Too many attempts. Wait a few minutes, then try again.")
            status = 429
        else:
            started = service.start_session(db, user, request.headers.get("user-agent", ""))
            response = see_other(safe_next(next_page, START_PAGES.get(user.role, "/")))
            set_cookie(response, session_cookie(), started.secret)
            return response
    context = {
        "errors": errors,
        "username": username,
        "next": safe_next(next_page, ""),
        "notice": None,
    }
    return render(request, "auth/sign_in.html", context, status_code=status)


@router.post("/sign-out")
def sign_out(request: Request, db: Session) -> Response:
    """End the session on the server (the cookie alone would not be enough)."""
    secret = request.cookies.get(session_cookie())
    if secret:
        service.end_session(db, secret)
    response = see_other("/sign-in?signed_out=true")
    response.delete_cookie(session_cookie(), path="/")
    return response


@router.get("/language/{code}")
async def choose_language(
    code: Annotated[str, Path(max_length=10)],
    next_page: Annotated[str, Query(alias="next", max_length=500)] = "/",
) -> Response:
    """Remember the chosen language (a preference, not an action: a link is fine)."""
    response = see_other(safe_next(next_page, "/"))
    if code in STAFF_LANGUAGES:
        set_cookie(response, LANGUAGE_COOKIE, code)
    return response


@router.get("/admin", response_class=HTMLResponse)
def admin_start(
    request: Request, db: Session, actor: Annotated[Actor, Depends(signed_in(Role.ADMIN))]
) -> HTMLResponse:
    """The accounts: who may sign in, in which role."""
    users = db.scalars(select(User).order_by(User.role, User.username)).all()
    return render(request, "admin/start.html", {"users": users}, actor=actor)
