"""Signing in and out in the browser, the public start page, the language switch.

After sign-in everyone lands on their role's own start page (``START_PAGES``), which
each domain's ``pages.py`` serves.
"""

import secrets
import uuid
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import oidc, queries, second_factor, service
from service.auth.access import AccountHolderPage, AdminPage
from service.auth.exceptions import (
    BadCredentials,
    BadSecondFactor,
    OidcIdentityTaken,
    OidcRefused,
    WeakPassword,
)
from service.auth.schemas import UserIn
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import SYSTEM_ROLE, Actor
from service.core.errors import TooManyRequests
from service.core.i18n import LANGUAGE_COOKIE, N_, STAFF_LANGUAGES, gettext_for, language_of
from service.core.settings import get_settings
from service.core.templating import templates
from service.core.web import (
    client_address,
    cookie_name,
    page_router,
    render,
    safe_next,
    see_other,
    session_cookie,
    set_cookie,
)
from service.models.auth import Role, User
from service.models.cases import CoordinatorMotive
from service.models.sessions import Location
from service.models.translation import Agency

router = page_router()

START_PAGES: dict[str, str] = {
    Role.PLANNER: "/planner",
    Role.HOST: "/host",
    Role.LAWYER: "/lawyer",
    Role.TRANSLATOR: "/agency",
    Role.OFFICER: "/officer",
    Role.COORDINATOR: "/coordinator",
    Role.UNIT_1F: "/unit1f",
    Role.ADMIN: "/admin",
    Role.INTERPRETER: "/interpreter",
    Role.PARTNER: "/partner",
    Role.FORM_OWNER: "/form-owner",
}
ROLE_NAMES: dict[str, str] = {
    Role.PLANNER: N_("Planner"),
    Role.HOST: N_("Host"),
    Role.LAWYER: N_("Lawyer"),
    Role.TRANSLATOR: N_("Translator"),
    Role.OFFICER: N_("Decision officer"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.UNIT_1F: N_("Unit 1F"),
    Role.ADMIN: N_("Administrator"),
    Role.INTERPRETER: N_("Interpreter"),
    Role.PARTNER: N_("Chain partner"),
    Role.FORM_OWNER: N_("Form owner"),
    Role.APPLICANT: N_("Applicant"),
    SYSTEM_ROLE: N_("The service"),
}
SIGNED_OUT = N_("You are signed out.")
PASSWORD_SET = N_("Your new password is set. Sign in with it.")
PASSWORD_RULE = N_(
    "At least 12 characters, hard to guess: a sentence of four or more unrelated words "
    "is easy to remember. Passwords known from data breaches are refused."
)


def start_page_of(actor: Actor | None) -> str:
    return START_PAGES.get(actor.role, "/") if actor else "/"


def role_name(role: str, gettext: Callable[[str], str]) -> str:
    return gettext(ROLE_NAMES.get(role, role))


def actor_label(actor: Actor, gettext: Callable[[str], str]) -> str:
    return role_name(actor.role, gettext)


templates.env.globals["start_page_of"] = start_page_of
templates.env.globals["actor_label"] = actor_label
templates.env.globals["role_name"] = role_name
templates.env.globals["password_rule"] = PASSWORD_RULE


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """What this service is and where to begin; nothing about any case."""
    return render(request, "home.html")


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    next_page: Annotated[str, Query(alias="next", max_length=500)] = "",
    signed_out: bool = False,
    password_set: bool = False,
) -> HTMLResponse:
    notice = SIGNED_OUT if signed_out else PASSWORD_SET if password_set else None
    context: dict[str, object] = {
        "errors": {},
        "username": "",
        "next": safe_next(next_page, ""),
        "notice": notice,
        "oidc": oidc.configured(),
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
    """Check the password; on success go on to the second factor (or its enrolment).

    The browser gets a short session that opens only those two pages."""
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
            errors["password"] = gettext(TOO_MANY)
            status = 429
        else:
            started = service.start_session(
                db, user, request.headers.get("user-agent", ""), second_factor_passed=False
            )
            step = SECOND_FACTOR_PAGE if user.second_factor else ENROL_PAGE
            response = see_other(_with_next(step, safe_next(next_page, "")))
            set_cookie(response, session_cookie(), started.secret)
            return response
    context = {
        "errors": errors,
        "username": username,
        "next": safe_next(next_page, ""),
        "notice": None,
        "oidc": oidc.configured(),
    }
    return render(request, "auth/sign_in.html", context, status_code=status)


SECOND_FACTOR_PAGE = "/sign-in/code"
ENROL_PAGE = "/sign-in/enrol"
TOO_MANY = N_("Too many attempts. Wait a few minutes, then try again.")


def _with_next(path: str, next_page: str) -> str:
    return f"{path}?{urlencode({'next': next_page})}" if next_page else path


def _halfway(
    request: Request, db: Session, next_page: str, *, enrolling: bool
) -> tuple[str, User] | Response:
    """The browser's half-finished sign-in (password right, code still to come), or where
    to send the browser instead: back to the start when there is none (expired, never
    begun), to the other step when this one is not its."""
    secret = request.cookies.get(session_cookie())
    user = service.pending_user(db, secret) if secret else None
    if not secret or user is None:
        return see_other("/sign-in")
    if user.second_factor == enrolling:
        other = SECOND_FACTOR_PAGE if enrolling else ENROL_PAGE
        return see_other(_with_next(other, safe_next(next_page, "")))
    return secret, user


@router.get(SECOND_FACTOR_PAGE, response_class=HTMLResponse)
def enter_code_form(
    request: Request,
    db: Session,
    next_page: Annotated[str, Query(alias="next", max_length=500)] = "",
) -> Response:
    found = _halfway(request, db, next_page, enrolling=False)
    if isinstance(found, Response):
        return found
    context = {"errors": {}, "next": safe_next(next_page, "")}
    return render(request, "auth/second_factor.html", context)


@router.post(SECOND_FACTOR_PAGE, response_class=HTMLResponse)
def enter_code(
    request: Request,
    db: Session,
    code: Annotated[str, Form(max_length=40)] = "",
    next_page: Annotated[str, Form(alias="next", max_length=500)] = "",
) -> Response:
    """Check the authenticator code (or a recovery code); then the session is signed in
    under a new secret (a cookie planted before sign-in never becomes a signed-in one)."""
    found = _halfway(request, db, next_page, enrolling=False)
    if isinstance(found, Response):
        return found
    secret, user = found
    error, status = _code_error(db, user, code, request)
    if error is None:
        started = service.complete_sign_in(db, secret, user, request.headers.get("user-agent", ""))
        response = see_other(safe_next(next_page, START_PAGES.get(user.role, "/")))
        set_cookie(response, session_cookie(), started.secret)
        return response
    context = {"errors": {"code": error}, "next": safe_next(next_page, "")}
    return render(request, "auth/second_factor.html", context, status_code=status)


def _code_error(db: Session, user: User, code: str, request: Request) -> tuple[str | None, int]:
    """None if the code is accepted; else the message for the field and the status."""
    gettext = gettext_for(language_of(request))
    if not code.strip():
        return gettext("Enter the code from your authenticator app."), 422
    try:
        second_factor.check(db, user, code, client_address(request))
    except BadSecondFactor:
        return gettext(
            "The code is not right, or was used before. Check the time on your phone and "
            "wait for a new code."
        ), 422
    except TooManyRequests:
        return gettext(TOO_MANY), 429
    return None, 200


@router.get(ENROL_PAGE, response_class=HTMLResponse)
def enrol_form(
    request: Request,
    db: Session,
    next_page: Annotated[str, Query(alias="next", max_length=500)] = "",
) -> Response:
    """First sign-in (or after a reset): set up the authenticator app with a QR code."""
    found = _halfway(request, db, next_page, enrolling=True)
    if isinstance(found, Response):
        return found
    return _enrol_page(request, db, found[1], next_page, {})


def _enrol_page(
    request: Request,
    db: Session,
    user: User,
    next_page: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    secret = second_factor.secret_for_enrolment(db, user)
    uri = second_factor.provisioning_uri(user, secret)
    context = {
        "errors": errors,
        "next": safe_next(next_page, ""),
        "qr_code": second_factor.qr_code(uri),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "auth/enrol.html", context, status_code=status_code)


@router.post(ENROL_PAGE, response_class=HTMLResponse)
def enrol(
    request: Request,
    db: Session,
    code: Annotated[str, Form(max_length=40)] = "",
    next_page: Annotated[str, Form(alias="next", max_length=500)] = "",
) -> Response:
    """Confirm the app with its first code; show the recovery codes, once."""
    found = _halfway(request, db, next_page, enrolling=True)
    if isinstance(found, Response):
        return found
    secret, user = found
    error, status = _code_error(db, user, code, request)
    if error is not None:
        return _enrol_page(request, db, user, next_page, {"code": error}, status)
    codes = second_factor.confirm_enrolment(db, user)
    started = service.complete_sign_in(db, secret, user, request.headers.get("user-agent", ""))
    context = {"codes": codes, "next": safe_next(next_page, START_PAGES.get(user.role, "/"))}
    response = render(request, "auth/recovery_codes.html", context)  # never cached: no-store
    set_cookie(response, session_cookie(), started.secret)
    return response


@router.post("/sign-out")
def sign_out(request: Request, db: Session) -> Response:
    """End the session on the server (the cookie alone would not be enough). A session
    from the identity provider ends there too, else the next click signs straight back
    in on a shared desk: a page sends the browser on (a redirect from this form post
    would break the CSP's ``form-action 'self'``)."""
    secret = request.cookies.get(session_cookie())
    id_token = service.end_session(db, secret) if secret else None
    signed_out = "/sign-in?signed_out=true"
    at_provider = id_token and oidc.end_session_url(id_token, _absolute(request, signed_out))
    if at_provider:
        response: Response = render(request, "auth/signing_out.html", {"to": at_provider})
    else:
        response = see_other(signed_out)
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


# --- the organisation's identity provider (OpenID Connect) -------------------------------

OIDC_STATE_COOKIE = "oidc_state"
OIDC_CALLBACK = "/sign-in/oidc/callback"


# What a failed sign-in at the provider says, per ``OidcRefused.reason``: never the
# provider's or a library's own words, always a way to try again.
OIDC_FAILURES: dict[str, tuple[str, str]] = {
    "cancelled": (
        N_("Signing in was cancelled"),
        N_("You stopped signing in at your organisation's account. You can try again."),
    ),
    "expired": (
        N_("Signing in took too long"),
        N_(
            "Signing in at your organisation's account expired or was started in another "
            "window. Start again."
        ),
    ),
    "unreachable": (
        N_("Your organisation's sign-in service cannot be reached"),
        N_("Try again in a few minutes. If it keeps happening, tell your administrator."),
    ),
    "provider": (
        N_("Your organisation's sign-in service did not sign you in"),
        N_("It reported a problem. Try again; if it keeps happening, tell your administrator."),
    ),
    "invalid": (
        N_("Your sign-in could not be verified"),
        N_(
            "The answer of your organisation's sign-in service did not pass this service's "
            "checks. Try again; if it keeps happening, tell your administrator."
        ),
    ),
    "second_factor": (
        N_("Sign in with a second factor"),
        N_(
            "This service needs a second factor, such as a code from an app or a security "
            "key. Sign in again at your organisation's account and use one."
        ),
    ),
    "no_role": (
        N_("Your account gives no access to this service"),
        N_("Your organisation's account has no role in this service. Ask your administrator."),
    ),
    "role_mismatch": (
        N_("Your role does not match"),
        N_(
            "The role your organisation gives you differs from the role of your account in "
            "this service. Ask your administrator to correct it."
        ),
    ),
    "not_linked": (
        N_("Your account is not linked yet"),
        N_(
            "An administrator of this service links your organisation's account to your "
            "account here. Give them the identifier below."
        ),
    ),
    "deactivated": (
        N_("This account is deactivated"),
        N_("Ask your administrator if you need access again."),
    ),
}


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def _callback_uri(request: Request) -> str:
    return _absolute(request, OIDC_CALLBACK)


def _oidc_failed(request: Request, refused: OidcRefused) -> HTMLResponse:
    title, advice = OIDC_FAILURES.get(refused.reason, OIDC_FAILURES["invalid"])
    context = {"title": title, "advice": advice, "subject": refused.subject}
    response = render(request, "auth/oidc_failed.html", context, status_code=refused.status)
    response.delete_cookie(cookie_name(OIDC_STATE_COOKIE), path="/")
    return response


@router.get("/sign-in/oidc")
def oidc_start(request: Request) -> Response:
    """Off to the identity provider; the random state waits in a short-lived cookie."""
    if not oidc.configured():
        return see_other("/sign-in")
    try:
        url, state = oidc.authorization_url(_callback_uri(request))
    except OidcRefused as refused:
        return _oidc_failed(request, refused)
    response = see_other(url)
    # Lax, not Strict: the provider's redirect back is a cross-site navigation.
    response.set_cookie(
        cookie_name(OIDC_STATE_COOKIE),
        state,
        max_age=600,
        path="/",  # a __Host- cookie must have Path=/
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response


@router.get(OIDC_CALLBACK, response_class=HTMLResponse)
def oidc_callback(
    request: Request,
    db: Session,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
    iss: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Back from the identity provider: its error (a clear page, and try again), or a
    code: check the ID token, find the account bound to it, start a full session (the
    provider did the second factor) that keeps the ID token for signing out there."""
    if not oidc.configured():
        return see_other("/sign-in")
    kept = request.cookies.get(cookie_name(OIDC_STATE_COOKIE), "")
    answer = {"code": code, "state": state, "error": error}
    if iss is not None:
        answer["iss"] = iss
    try:
        identity = oidc.identity_from_callback(answer, kept, _callback_uri(request))
        user = oidc.account_for(db, identity)
    except OidcRefused as refused:
        return _oidc_failed(request, refused)
    started = service.start_session(
        db,
        user,
        request.headers.get("user-agent", ""),
        second_factor_passed=True,
        oidc_id_token=identity.id_token,
        oidc_sid=identity.sid,
    )
    # A page, not a redirect: a Strict cookie set in a cross-site navigation's chain
    # would not go along with the redirect; the next click is a same-site one.
    start = START_PAGES.get(user.role, "/")
    response = render(request, "auth/signed_in.html", {"start": start})
    set_cookie(response, session_cookie(), started.secret)
    response.delete_cookie(cookie_name(OIDC_STATE_COOKIE), path="/")
    return response


# --- passwords ----------------------------------------------------------------------------


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, actor: AccountHolderPage) -> HTMLResponse:
    return render(request, "auth/password.html", {"errors": {}, "done": False}, actor=actor)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    db: Session,
    actor: AccountHolderPage,
    current_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """A new password, given the current one; the user's other sessions and tokens end."""
    gettext = gettext_for(language_of(request))
    assert actor.user_id is not None
    user = service.get_user(db, actor.user_id)
    errors: dict[str, str] = {}
    status = 422
    if not current_password:
        errors["current_password"] = gettext("Enter your current password.")
    if not new_password:
        errors["new_password"] = gettext("Enter a new password.")
    if not errors:
        try:
            service.change_password(
                db,
                user,
                current_password,
                new_password,
                client_address(request),
                keep_session=request.cookies.get(session_cookie()),
            )
        except BadCredentials:
            errors["current_password"] = gettext("Your current password is not right.")
        except TooManyRequests:
            errors["current_password"] = gettext(TOO_MANY)
            status = 429
        except WeakPassword as weak:
            errors["new_password"] = gettext(weak.detail)
        else:
            return render(request, "auth/password.html", {"errors": {}, "done": True}, actor=actor)
    context = {"errors": errors, "done": False}
    return render(request, "auth/password.html", context, actor=actor, status_code=status)


@router.get(service.RESET_PATH + "{token}", response_class=HTMLResponse)
def reset_form(
    request: Request, db: Session, token: Annotated[str, Path(max_length=100)]
) -> Response:
    """The page an administrator's one-time link opens (no sign-in: the link is the key)."""
    user = service.user_of_reset_link(db, token)
    context = {"errors": {}, "username": user.username, "token": token}
    # The token is in the address: every page is sent with Referrer-Policy: no-referrer.
    return render(request, "auth/reset_password.html", context)


@router.post(service.RESET_PATH + "{token}", response_class=HTMLResponse)
def reset_password(
    request: Request,
    db: Session,
    token: Annotated[str, Path(max_length=100)],
    new_password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Set the new password; the link is spent and every session of the user ends."""
    gettext = gettext_for(language_of(request))
    user = service.user_of_reset_link(db, token)
    error = gettext("Enter a new password.")
    if new_password:
        try:
            service.use_reset_link(db, token, new_password)
        except WeakPassword as weak:
            error = gettext(weak.detail)
        else:
            return see_other("/sign-in?password_set=true")
    context = {"errors": {"new_password": error}, "username": user.username, "token": token}
    return render(request, "auth/reset_password.html", context, status_code=422)


# --- account administration ---------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse)
def admin_start(request: Request, db: Session, actor: AdminPage) -> HTMLResponse:
    """The accounts: who may sign in, in which role, with or without a second factor."""
    users = db.scalars(select(User).order_by(User.role, User.username)).all()
    return render(request, "admin/start.html", {"users": users}, actor=actor)


MOTIVE_NAMES = {
    CoordinatorMotive.LGBTI: N_("LGBTI"),
    CoordinatorMotive.CONVERSION: N_("Conversion"),
}


def _account_choices(db: Session, gettext: Callable[[str], str]) -> dict[str, object]:
    """The options of the new-account form's lists, as (value, text) pairs."""
    agencies = db.scalars(select(Agency.name).order_by(Agency.name)).all()
    locations = db.scalars(select(Location.name).order_by(Location.name)).all()
    return {
        "roles": [("", gettext("Choose a role"))]
        + [(role.value, role_name(role, gettext)) for role in Role if role is not Role.APPLICANT],
        "agencies": [("", "—")] + [(name, name) for name in agencies],
        "locations": [("", "—")] + [(name, name) for name in locations],
        "specialisms": [("", "—")]
        + [(motive.value, gettext(label)) for motive, label in MOTIVE_NAMES.items()],
    }


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user_form(request: Request, db: Session, actor: AdminPage) -> HTMLResponse:
    gettext = gettext_for(language_of(request))
    context = {"errors": {}, "values": {}, **_account_choices(db, gettext)}
    return render(request, "admin/new_user.html", context, actor=actor)


@router.post("/admin/users/new", response_class=HTMLResponse)
def create_user(
    request: Request,
    db: Session,
    actor: AdminPage,
    username: Annotated[str, Form(max_length=120)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    organisation: Annotated[str, Form(max_length=200)] = "",
    agency: Annotated[str, Form(max_length=200)] = "",
    location: Annotated[str, Form(max_length=200)] = "",
    specialism: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A new account without a password: the administrator hands over a one-time link
    with which the new user sets one (and then enrols the second factor)."""
    gettext = gettext_for(language_of(request))
    values = {
        "username": username.strip().lower(),
        "display_name": display_name.strip(),
        "email": email.strip() or None,
        "role": role,
        "organisation": organisation.strip() or None,
        "agency": agency or None,
        "location": location or None,
        "specialism": specialism or None,
        # Never used: replaced through the link before anyone can sign in with it.
        "password": secrets.token_urlsafe(32),
    }
    outcome = attempt(db, lambda: service.create_user(db, parse_form(UserIn, values, say=SAY)))
    if isinstance(outcome, Refusal):
        errors = outcome.errors(language_of(request), "username")
        ordered = {field: errors[field] for field in FORM_ORDER if field in errors}
        context = {"errors": ordered, "values": values, **_account_choices(db, gettext)}
        return render(
            request, "admin/new_user.html", context, actor=actor, status_code=outcome.status
        )
    link = service.issue_reset_link(db, outcome, actor)
    return _show_link(request, outcome, link, actor, created=True)


# The new-account form's fields, top to bottom: the error summary follows this order.
FORM_ORDER: tuple[str, ...] = (
    "display_name",
    "username",
    "email",
    "role",
    "organisation",
    "agency",
    "location",
    "specialism",
)


SAY = {
    "username": N_("Enter a username of 3 to 120 characters: small letters, digits, dots, dashes."),
    "display_name": N_("Enter the person's name."),
    "email": N_("Enter an e-mail address like name@example.org, or leave it empty."),
    "role": N_("Choose a role."),
    "organisation": N_("Enter the organisation's name, or leave it empty."),
    "specialism": N_("Choose the motive this coordinator is consulted on."),
}


def _show_link(
    request: Request, user: User, link: service.ResetLink, actor: Actor, *, created: bool
) -> HTMLResponse:
    """The one-time link, shown this once (not cached, not stored in plain text)."""
    context = {
        "user": user,
        "link": str(request.base_url).rstrip("/") + link.path,
        "expires_at": link.expires_at,
        "created": created,
    }
    return render(request, "admin/reset_link.html", context, actor=actor)  # no-store


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request,
    db: Session,
    user_id: uuid.UUID,
    actor: AdminPage,
) -> HTMLResponse:
    """One account: its state, its live sessions and tokens, and what an admin can do."""
    user = service.get_user(db, user_id)
    context = {
        "user": user,
        "sessions": queries.live_sessions(db, user.id),
        "recovery_codes_left": second_factor.unused_recovery_codes(db, user),
        "notice": request.query_params.get("done"),
        "oidc": oidc.configured(),
    }
    return render(request, "admin/user.html", context, actor=actor)


ADMIN_NOTICES = {
    "deactivated": N_("The account is deactivated; its sessions and tokens have ended."),
    "reactivated": N_("The account is active again."),
    "second-factor-reset": N_(
        "The second factor is reset; at the next sign-in the user sets up a new one."
    ),
    "session-ended": N_("The session has ended."),
    "oidc-linked": N_("The account is linked to the organisation's account."),
    "oidc-unlinked": N_("The link is removed; the account's sessions have ended."),
    "oidc-taken": N_("That identifier is linked to another account already."),
}
templates.env.globals["ADMIN_NOTICES"] = ADMIN_NOTICES


def _back_to(user_id: uuid.UUID, done: str) -> Response:
    return see_other(f"/admin/users/{user_id}?done={done}")


@router.post("/admin/users/{user_id}/deactivate")
def deactivate(db: Session, user_id: uuid.UUID, actor: AdminPage) -> Response:
    """Deactivating ends every session and token of the account at once."""
    service.set_active(db, service.get_user(db, user_id), False)
    return _back_to(user_id, "deactivated")


@router.post("/admin/users/{user_id}/reactivate")
def reactivate(db: Session, user_id: uuid.UUID, actor: AdminPage) -> Response:
    service.set_active(db, service.get_user(db, user_id), True)
    return _back_to(user_id, "reactivated")


@router.post("/admin/users/{user_id}/second-factor/reset")
def reset_second_factor(db: Session, user_id: uuid.UUID, actor: AdminPage) -> Response:
    service.reset_second_factor(db, service.get_user(db, user_id))
    return _back_to(user_id, "second-factor-reset")


@router.post("/admin/users/{user_id}/password-reset", response_class=HTMLResponse)
def issue_reset_link(
    request: Request,
    db: Session,
    user_id: uuid.UUID,
    actor: AdminPage,
) -> HTMLResponse:
    """A one-time link to set a new password, shown once to hand over."""
    user = service.get_user(db, user_id)
    return _show_link(
        request, user, service.issue_reset_link(db, user, actor), actor, created=False
    )


@router.post("/admin/users/{user_id}/oidc-link")
def link_identity(
    db: Session,
    user_id: uuid.UUID,
    actor: AdminPage,
    subject: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """Link the account to the person's identity at the organisation's provider (the
    identifier the failed sign-in showed them): an existing account is never bound by
    a matching username."""
    if not subject.strip():
        return _back_to(user_id, "")
    try:
        oidc.link(db, service.get_user(db, user_id), subject.strip())
    except OidcIdentityTaken:  # shown again, with what was typed
        typed = urlencode({"subject": subject.strip()})
        return see_other(f"/admin/users/{user_id}?done=oidc-taken&{typed}#oidc")
    return _back_to(user_id, "oidc-linked")


@router.post("/admin/users/{user_id}/oidc-unlink")
def unlink_identity(db: Session, user_id: uuid.UUID, actor: AdminPage) -> Response:
    oidc.unlink(db, service.get_user(db, user_id))
    return _back_to(user_id, "oidc-unlinked")


@router.post("/admin/users/{user_id}/sessions/{session_id}/end")
def end_session(
    db: Session,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    actor: AdminPage,
) -> Response:
    service.end_session_by_id(db, session_id)
    return _back_to(user_id, "session-ended")
