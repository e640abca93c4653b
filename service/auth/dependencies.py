"""Who is calling, and the one declaration each route makes of who may call it."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.auth.exceptions import NotAuthenticated, RoleNotAllowed
from service.auth.service import actor_for_token
from service.core.actor import Actor
from service.core.db import DbSession
from service.models.auth import Role

bearer = HTTPBearer(auto_error=False, description="Token from /api/v1/auth/token or kiosk login")


def current_actor(
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None:
        raise NotAuthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
    actor = actor_for_token(db, credentials.credentials)
    if actor is None:
        raise NotAuthenticated("The token is unknown, revoked or expired; sign in again.")
    return actor


def allow(*roles: Role) -> Callable[[Actor], Actor]:
    """Dependency factory: the route may be called by these roles only."""

    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in roles:
            allowed = ", ".join(sorted(r.value for r in roles))
            raise RoleNotAllowed(f"Role '{actor.role}' may not do this (allowed: {allowed}).")
        return actor

    check.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return check


STAFF = (Role.PLANNER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN)
