"""Who is calling, and the one declaration each route makes of who may call it.

``allow(*roles)`` is the permission of a JSON route (bearer token); ``signed_in(*roles)``
that of a page (browser session cookie). Both are read without I/O; the caller is
signed in and the role checked inside the request's unit of work
(``service/core/routing.py``), in one query.
"""

import inspect
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from service.auth import service
from service.auth.exceptions import NotAuthenticated, NotSignedIn, RoleNotAllowed
from service.core.actor import Actor
from service.core.context import note_actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.routing import InUnitOfWork
from service.core.web import session_cookie
from service.models.auth import Role

bearer = HTTPBearer(auto_error=False, description="Token from /api/v1/auth/token or kiosk login")
PUBLIC = "public"
ACTOR = "actor"  # the signed-in actor, kept on the unit of work's session

STAFF = (Role.PLANNER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN)
T = TypeVar("T")


@dataclass(frozen=True)
class Permission(InUnitOfWork):
    """The roles a route admits and the credential the caller presented."""

    roles: frozenset[str]
    secret: str | None
    browser: bool = False

    def resolve(self, db: Session) -> Actor:
        actor: Actor | None = db.info.get(ACTOR)
        if actor is None:
            actor = self._sign_in(db)
            db.info[ACTOR] = actor
            note_actor(actor)  # for the audit trail and the logs, also if refused below
        if actor.role not in self.roles:
            allowed = ", ".join(sorted(self.roles))
            raise RoleNotAllowed(
                in_english(
                    N_("Role '%(role)s' may not do this (allowed: %(allowed)s)."),
                    role=actor.role,
                    allowed=allowed,
                )
            )
        return actor

    def _sign_in(self, db: Session) -> Actor:
        if self.browser:
            actor = service.actor_for_session(db, self.secret) if self.secret else None
            if actor is None:
                raise NotSignedIn(N_("Sign in to continue."))
            return actor
        if self.secret is None:
            raise NotAuthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
        actor = service.actor_for_token(db, self.secret)
        if actor is None:
            raise NotAuthenticated("The token is unknown, revoked or expired; sign in again.")
        return actor


PermissionDependency = Callable[..., Coroutine[Any, Any, Permission]]


@dataclass(frozen=True)
class Loaded(InUnitOfWork, Generic[T]):
    """An object an endpoint receives already loaded through its domain's access rules:
    inside the unit of work, once the caller is signed in with one of the route's roles.
    Each domain's ``access.py`` declares these as ``Annotated[...]`` aliases (Polar's
    ``auth.py`` model), so a route states what it acts on and never loads it itself."""

    permission: Permission
    load: Callable[[Session, Actor], T]

    def resolve(self, db: Session) -> T:
        return self.load(db, self.permission.resolve(db))


def through(
    door: PermissionDependency, path_id: str, load: Callable[[Session, uuid.UUID, Actor], T]
) -> Callable[..., Any]:
    """A dependency giving the object of the path's ``path_id`` that the caller may see,
    loaded by ``load(db, id, actor)`` once the caller is signed in with one of the
    door's roles: each domain's ``access.py`` declares its aliases with it."""

    async def dependency(**given: Any) -> Loaded[T]:
        object_id: uuid.UUID = given[path_id]
        return Loaded(given["permission"], lambda db, actor: load(db, object_id, actor))

    # FastAPI reads the path parameter's name from the signature: it is the caller's.
    keyword = inspect.Parameter.KEYWORD_ONLY
    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(path_id, keyword, annotation=uuid.UUID),
            inspect.Parameter(
                "permission", keyword, annotation=Annotated[Permission, Depends(door)]
            ),
        ]
    )
    return gated(dependency, door)


def gated(loader: Callable[..., Any], door: PermissionDependency) -> Callable[..., Any]:
    """Give a loader its door's gate, so a caller without the role is refused (401/403)
    before the route's input is validated, as with a plain permission."""
    loader.gate = door.gate  # type: ignore[attr-defined]
    loader.allowed_roles = door.allowed_roles  # type: ignore[attr-defined]
    return loader


class BearerPermission(HTTPBearer):
    """A JSON route's permission: the bearer scheme itself (so the OpenAPI schema shows
    the same ``HTTPBearer`` security as ``bearer``), whose value is the ``Permission``.
    One dependency where a permission over ``Depends(bearer)`` made two: FastAPI solves
    each dependency of every request anew (the request floor, docs/request-model.md)."""

    def __init__(self, roles: frozenset[str]) -> None:
        super().__init__(auto_error=False, scheme_name=bearer.scheme_name)
        self.model = bearer.model
        self.allowed_roles = roles

    def gate(self, request: Request) -> Permission:
        """The credential as ``HTTPBearer`` reads it (None: no bearer token sent)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        secret = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        return Permission(self.allowed_roles, secret)

    async def __call__(self, request: Request) -> Permission:  # type: ignore[override]
        permission = self.gate(request)
        if permission.secret is None:  # known without the database: refuse at once
            raise NotAuthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
        return permission


def allow(*roles: Role) -> PermissionDependency:
    """A JSON route may be called by these roles only (bearer token)."""
    return BearerPermission(frozenset(roles))


def signed_in(*roles: Role) -> PermissionDependency:
    """A page may be seen by these roles only (browser session cookie)."""

    allowed = frozenset(roles)

    def gate(request: Request) -> Permission:
        secret = request.cookies.get(session_cookie())
        return Permission(allowed, secret, browser=True)

    async def permission(request: Request) -> Permission:
        found = gate(request)
        if found.secret is None:
            raise NotSignedIn(N_("Sign in to continue."))
        return found

    permission.allowed_roles = allowed  # type: ignore[attr-defined]
    permission.gate = gate  # type: ignore[attr-defined]
    return permission


# --- the doors' declarations --------------------------------------------------------------

ADMINS = (Role.ADMIN,)
# Everyone with an account: applicants sign in with a kiosk code instead.
ACCOUNT_HOLDERS = tuple(role for role in Role if role is not Role.APPLICANT)
Admin = Annotated[Actor, Depends(allow(*ADMINS))]
AdminPage = Annotated[Actor, Depends(signed_in(*ADMINS))]
AccountHolder = Annotated[Actor, Depends(allow(*ACCOUNT_HOLDERS))]
AccountHolderPage = Annotated[Actor, Depends(signed_in(*ACCOUNT_HOLDERS))]
Anyone = Annotated[Actor, Depends(allow(*Role))]
# The planner looks up lawyers and hosts when inviting and planning.
ACCOUNT_READERS = (Role.ADMIN, Role.PLANNER)
AccountReader = Annotated[Actor, Depends(allow(*ACCOUNT_READERS))]
