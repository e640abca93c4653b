"""Sign-in for the JSON API (bearer tokens), kiosk codes, and account administration."""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import oidc, queries, service
from service.auth.access import PUBLIC, AccountHolder, AccountReader, Admin, Anyone, bearer
from service.auth.exceptions import OidcRefused
from service.auth.schemas import (
    KioskLoginIn,
    LoginIn,
    MeOut,
    OidcLinkIn,
    PasswordChangeIn,
    ResetLinkOut,
    SessionOut,
    TokenOut,
    UserIn,
    UserOut,
)
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.core.web import client_address, cookie_name
from service.models.auth import Role, User

router = APIRouter(tags=["auth"], route_class=UnitOfWorkRoute)


@router.post("/auth/token", openapi_extra={"x-roles": [PUBLIC]})
def sign_in(body: LoginIn, request: Request, db: Session) -> TokenOut:
    """Exchange a username, password and second-factor code for a bearer token.

    The code is the authenticator app's current six digits (or a recovery code); an
    account enrols its second factor on the web pages at its first sign-in. Repeated
    failures lock the account and the client out for a while (429 with `Retry-After`)."""
    return service.login(db, body.username, body.password, body.code, client_address(request))


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: PasswordChangeIn,
    request: Request,
    db: Session,
    actor: AccountHolder,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Change your own password (the current one is asked again); every other token and
    browser session of yours ends, this token keeps working."""
    assert credentials is not None
    assert actor.user_id is not None
    user = service.get_user(db, actor.user_id)
    service.change_password(
        db,
        user,
        body.current_password,
        body.new_password,
        client_address(request),
        keep_token=credentials.credentials,
    )


@router.post("/auth/sign-out", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    db: Session,
    _: Anyone,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Revoke the bearer token of this request; it stops working at once."""
    assert credentials is not None  # allow() has signed the caller in with it
    service.revoke_token(db, credentials.credentials)


@router.post("/kiosk/login", openapi_extra={"x-roles": [PUBLIC]})
def kiosk_sign_in(body: KioskLoginIn, request: Request, db: Session) -> TokenOut:
    """Exchange the one-time code the host gave the applicant for a kiosk token."""
    device = request.cookies.get(cookie_name(service.KIOSK_DEVICE_COOKIE))
    return service.redeem_kiosk_code(db, body.code, client_address(request), device)


@router.get("/me")
def who_am_i(actor: Anyone) -> MeOut:
    return MeOut(
        role=actor.role,
        user_id=actor.user_id,
        case_id=actor.case_id,
        organisation=actor.organisation,
    )


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, db: Session, _: Admin) -> UserOut:
    return UserOut.model_validate(service.create_user(db, body))


@router.get("/users")
def list_users(
    db: Session,
    _: AccountReader,
    request: Request,
    response: Response,
    role: Role | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[UserOut]:
    """Accounts by username, a page at a time; ``Link: rel="next"`` when more follow."""
    query = select(User).order_by(User.username)
    if role:
        query = query.where(User.role == role)
    found = db.scalars(query.limit(limit + 1).offset(offset)).all()
    return [UserOut.model_validate(u) for u in page_of(found, limit, offset, request, response)]


@router.post("/users/{user_id}/deactivate")
def deactivate_user(user_id: uuid.UUID, db: Session, _: Admin) -> UserOut:
    """The account can no longer sign in; its tokens and browser sessions end at once."""
    user = service.get_user(db, user_id)
    service.set_active(db, user, False)
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/reactivate")
def reactivate_user(user_id: uuid.UUID, db: Session, _: Admin) -> UserOut:
    user = service.get_user(db, user_id)
    service.set_active(db, user, True)
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/second-factor/reset")
def reset_second_factor(user_id: uuid.UUID, db: Session, _: Admin) -> UserOut:
    """Forget the account's second factor (a lost phone); its sessions and tokens end and
    the next sign-in enrols a new one."""
    user = service.get_user(db, user_id)
    service.reset_second_factor(db, user)
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/password-reset", status_code=status.HTTP_201_CREATED)
def reset_password(user_id: uuid.UUID, db: Session, actor: Admin) -> ResetLinkOut:
    """A one-time link for the user to set a new password; shown only in this answer."""
    link = service.issue_reset_link(db, service.get_user(db, user_id), actor)
    return ResetLinkOut(path=link.path, expires_at=link.expires_at)


@router.get("/auth/sessions")
def list_sessions(
    db: Session,
    _: Admin,
    user_id: uuid.UUID | None = None,
) -> Sequence[SessionOut]:
    """Signed-in browsers and live bearer tokens, newest first."""
    return [SessionOut.model_validate(s) for s in queries.live_sessions(db, user_id)]


@router.post("/auth/sessions/{session_id}/end", status_code=status.HTTP_204_NO_CONTENT)
def end_session(session_id: uuid.UUID, db: Session, _: Admin) -> None:
    """End one browser session or revoke one token at once."""
    service.end_session_by_id(db, session_id)


@router.post("/users/{user_id}/oidc-link")
def link_identity(user_id: uuid.UUID, body: OidcLinkIn, db: Session, _: Admin) -> UserOut:
    """Link the account to a subject at the configured identity provider: the only way
    an existing account gets signed in through it (never a matching username)."""
    user = service.get_user(db, user_id)
    oidc.link(db, user, body.subject.strip())
    return UserOut.model_validate(user)


@router.delete("/users/{user_id}/oidc-link")
def unlink_identity(user_id: uuid.UUID, db: Session, _: Admin) -> UserOut:
    """Remove the link; the account's sessions and tokens end."""
    user = service.get_user(db, user_id)
    oidc.unlink(db, user)
    return UserOut.model_validate(user)


@router.post("/auth/oidc/backchannel-logout", openapi_extra={"x-roles": [PUBLIC]})
def back_channel_logout(
    db: Session, logout_token: Annotated[str, Form(max_length=10_000)] = ""
) -> JSONResponse:
    """OIDC Back-Channel Logout 1.0: the identity provider ends the browser sessions it
    started here (the logout token is signed by the provider and checked)."""
    try:
        oidc.back_channel_logout(db, logout_token)
    except OidcRefused as refused:
        body = {"error": "invalid_request", "error_description": refused.detail}
        return JSONResponse(body, status_code=400)
    return JSONResponse({})  # not cached: every API answer is no-store
