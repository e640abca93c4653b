from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from service.auth import service
from service.auth.dependencies import allow, current_actor
from service.auth.schemas import KioskLoginIn, LoginIn, MeOut, TokenOut, UserIn, UserOut
from service.core.actor import Actor
from service.core.db import DbSession
from service.models.auth import Role, User

router = APIRouter(tags=["auth"])
PUBLIC = "public"


@router.post("/auth/token", openapi_extra={"x-roles": [PUBLIC]})
def sign_in(body: LoginIn, db: DbSession) -> TokenOut:
    """Exchange a staff or lawyer username and password for a bearer token."""
    return service.login(db, body.username, body.password)


@router.post("/kiosk/login", openapi_extra={"x-roles": [PUBLIC]})
def kiosk_sign_in(body: KioskLoginIn, db: DbSession) -> TokenOut:
    """Exchange the one-time code the host gave the applicant for a kiosk token."""
    return service.redeem_kiosk_code(db, body.code)


@router.get("/me")
def who_am_i(actor: Annotated[Actor, Depends(allow(*Role))]) -> MeOut:
    return MeOut(
        role=actor.role,
        user_id=actor.user_id,
        case_id=actor.case_id,
        organisation=actor.organisation,
    )


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserIn, db: DbSession, _: Annotated[Actor, Depends(allow(Role.ADMIN))]
) -> UserOut:
    return UserOut.model_validate(service.create_user(db, body))


@router.get("/users")
def list_users(
    db: DbSession,
    _: Annotated[Actor, Depends(allow(Role.ADMIN, Role.PLANNER))],
    role: Role | None = None,
) -> Sequence[UserOut]:
    query = select(User).order_by(User.username)
    if role:
        query = query.where(User.role == role)
    return [UserOut.model_validate(u) for u in db.scalars(query)]


__all__ = ["current_actor", "router"]
