"""The pages' door: one way to render a page, cookies, and CSRF protection.

Every page is rendered by ``render``: it gives the template the request's language
(``lang`` and ``dir``), ``_`` for translations, the CSRF token for forms and the
signed-in actor for the navigation. Every form post on a page router is checked by
``csrf_protect`` (synchronizer token): the token is an HMAC of the browser's session
cookie (or, before sign-in, of a random ``csrf`` cookie), so a site that cannot read
our cookies cannot forge it.
"""

import hashlib
import hmac
import secrets
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from service.core.actor import Actor
from service.core.errors import Forbidden
from service.core.formatting import (
    country_in,
    duration,
    in_language,
    language_in,
    local_date,
    local_moment,
)
from service.core.i18n import (
    N_,
    STAFF_LANGUAGES,
    direction,
    gettext_for,
    language_name,
    language_of,
)
from service.core.routing import PageRoute
from service.core.settings import get_settings
from service.core.templating import templates

CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cookie_name(name: str) -> str:
    """``__Host-`` pins a cookie to this host over HTTPS (production only)."""
    return f"__Host-{name}" if get_settings().secure_cookies else name


def session_cookie() -> str:
    return cookie_name("session")


def csrf_cookie() -> str:
    return cookie_name("csrf")


def set_cookie(
    response: Response,
    name: str,
    value: str,
    *,
    http_only: bool = True,
    max_age: int | None = None,
) -> None:
    """Strict, host-only cookies; Secure outside dev and tests (plain http there).
    Without ``max_age`` the cookie ends with the browser."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=http_only,
        samesite="strict",
        secure=get_settings().secure_cookies,
    )


# --- CSRF -----------------------------------------------------------------------------


def _token(binding: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for this browser's forms (made before sign-in if need be)."""
    session = request.cookies.get(session_cookie())
    if session:
        return _token(f"session:{session}")
    anonymous = request.cookies.get(csrf_cookie()) or getattr(request.state, "new_csrf", None)
    if anonymous is None:
        anonymous = secrets.token_urlsafe(32)
        request.state.new_csrf = anonymous  # set on the response by ``render``
    return _token(f"anonymous:{anonymous}")


class CsrfRejected(Forbidden):
    code = "csrf_rejected"


async def csrf_protect(request: Request) -> None:
    """Every non-safe request to a page must carry this browser's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, ""))
    bindings = []
    if session := request.cookies.get(session_cookie()):
        bindings.append(f"session:{session}")
    if anonymous := request.cookies.get(csrf_cookie()):
        bindings.append(f"anonymous:{anonymous}")
    if not sent or not any(hmac.compare_digest(sent, _token(b)) for b in bindings):
        raise CsrfRejected(
            "This form has expired or did not come from this service. "
            "Go back, reload the page and try again."
        )


def page_router() -> APIRouter:
    """A router for pages: one hop per request, CSRF-checked posts, not in the API docs."""
    return APIRouter(
        include_in_schema=False,
        route_class=PageRoute,
        dependencies=[Depends(csrf_protect)],
    )


# --- rendering ------------------------------------------------------------------------


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page in the request's language, with what every page needs."""
    language = language_of(request)
    page = {
        "lang": language,
        "dir": direction(language),
        "_": gettext_for(language),
        "date": partial(local_date, language=language),
        "moment": partial(local_moment, language=language),
        "language_name": partial(language_in, language=language),
        "country": partial(country_in, language=language),
        "duration": partial(duration, language=language),
        "sentence": partial(in_language, language=language),
        "languages": [(code, language_name(code)) for code in STAFF_LANGUAGES],
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "actor": actor,
        "dev": get_settings().dev,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, page, status_code=status_code)
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf:
        set_cookie(response, csrf_cookie(), new_csrf)
    return response


def client_address(request: Request) -> str:
    """The caller's address (uvicorn resolves X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: an open redirect would help phishing."""
    if not target:
        return default
    parts = urlsplit(target)
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    if parts.scheme or parts.netloc or not local:
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    """After a form post: the browser loads ``url`` with GET (no resubmission)."""
    return RedirectResponse(url, status_code=303)


# What an error means for the person in front of the page, per status (translated).
ERROR_TEXTS: dict[int, tuple[str, str]] = {
    400: (N_("The request could not be handled"), N_("Go back and try again.")),
    401: (N_("Sign in to continue"), N_("Sign in, then open this page again.")),
    403: (N_("You may not do this"), N_("Your role does not give access to this page or action.")),
    404: (N_("Page not found"), N_("The page or file does not exist, or you may not see it.")),
    405: (N_("The request could not be handled"), N_("Go back and try again.")),
    409: (
        N_("This step is not possible now"),
        N_("The file is not in the right stage for this, or someone else just changed it."),
    ),
    413: (N_("Too large"), N_("The file or form is larger than the service accepts.")),
    422: (N_("Something is not filled in correctly"), N_("Go back and correct it.")),
    429: (N_("Too many attempts"), N_("Wait a few minutes, then try again.")),
    500: (
        N_("Something went wrong on our side"),
        N_("Your work up to the last step was kept. Try again in a few minutes."),
    ),
    503: (N_("The service is busy"), N_("Try again in a moment.")),
}


# Errors whose own words say more than the status's.
CODE_TEXTS: dict[str, tuple[str, str]] = {
    "database_unavailable": (
        N_("The service is temporarily unavailable"),
        N_(
            "Try again in a minute. What you saved before is kept; "
            "a step you sent just now was not."
        ),
    ),
    "csrf_rejected": (
        N_("This form could not be sent"),
        N_(
            "The form has expired or did not come from this service. "
            "Go back, reload the page and try again."
        ),
    ),
}


def render_error(
    request: Request, status: int, code: str, detail: str, retry_after: int | None = None
) -> HTMLResponse:
    title, advice = ERROR_TEXTS.get(status, ERROR_TEXTS[500 if status >= 500 else 400])
    if code in CODE_TEXTS:
        title, advice = CODE_TEXTS[code]
        detail = ""
    if detail == HTTPStatus(status).phrase:  # says nothing the title does not
        detail = ""
    # The API keeps the service's English; the page reads it in its own language.
    detail = in_language(detail, language_of(request))
    context = {"status": status, "title": title, "advice": advice, "detail": detail, "code": code}
    response = render(request, "error.html", context, status_code=status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
