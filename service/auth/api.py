"""Sign-in for the JSON API (bearer tokens), kiosk codes, and account administration."""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import service
from service.auth.access import PUBLIC, allow, bearer
from service.auth.schemas import KioskLoginIn, LoginIn, MeOut, TokenOut, UserIn, UserOut
from service.core.actor import Actor
from service.core.routing import UnitOfWorkRoute
from service.core.web import client_address, cookie_name
from service.models.auth import Role, User

router = APIRouter(tags=["auth"], route_class=UnitOfWorkRoute)
ADMINS = (Role.ADMIN,)


@router.post("/auth/token", openapi_extra={"x-roles": [PUBLIC]})
def sign_in(body: LoginIn, request: Request, db: Session) -> TokenOut:
    """Exchange a staff or lawyer username and password for a bearer token.

    Repeated failures lock the account and the client out for a while (429 with
    `Retry-After`)."""
    return service.login(db, body.username, body.password, client_address(request))


@router.post("/auth/sign-out", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    db: Session,
    _: Annotated[Actor, Depends(allow(*Role))],
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
def who_am_i(actor: Annotated[Actor, Depends(allow(*Role))]) -> MeOut:
    return MeOut(
        role=actor.role,
        user_id=actor.user_id,
        case_id=actor.case_id,
        organisation=actor.organisation,
    )


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, db: Session, _: Annotated[Actor, Depends(allow(*ADMINS))]) -> UserOut:
    return UserOut.model_validate(service.create_user(db, body))


@router.get("/users")
def list_users(
    db: Session,
    _: Annotated[Actor, Depends(allow(Role.ADMIN, Role.PLANNER))],
    role: Role | None = None,
) -> Sequence[UserOut]:
    query = select(User).order_by(User.username)
    if role:
        query = query.where(User.role == role)
    return [UserOut.model_validate(u) for u in db.scalars(query)]


@router.post("/users/{user_id}/deactivate")
def deactivate_user(
    user_id: uuid.UUID, db: Session, _: Annotated[Actor, Depends(allow(*ADMINS))]
) -> UserOut:
    """The account can no longer sign in; its tokens and browser sessions end at once."""
    user = service.get_user(db, user_id)
    service.set_active(db, user, False)
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/reactivate")
def reactivate_user(
    user_id: uuid.UUID, db: Session, _: Annotated[Actor, Depends(allow(*ADMINS))]
) -> UserOut:
    user = service.get_user(db, user_id)
    service.set_active(db, user, True)
    return UserOut.model_validate(user)
