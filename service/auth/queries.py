"""Reads for the account administration: live browser sessions and tokens."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.models.auth import ApiToken, User, WebSession


@dataclass(frozen=True)
class LiveSession:
    id: uuid.UUID
    kind: str  # "browser" or "token"
    user_id: uuid.UUID
    username: str
    started_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None
    user_agent: str


def live_sessions(db: Session, user_id: uuid.UUID | None = None) -> list[LiveSession]:
    """Signed-in browsers (second factor passed) and unrevoked staff tokens, newest first."""
    now = utcnow()
    browsers = (
        select(WebSession, User.username)
        .join(User, User.id == WebSession.user_id)
        .where(
            WebSession.ended_at.is_(None),
            WebSession.expires_at > now,
            WebSession.second_factor_at.is_not(None),
        )
    )
    tokens = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    )
    if user_id is not None:
        browsers = browsers.where(WebSession.user_id == user_id)
        tokens = tokens.where(ApiToken.user_id == user_id)
    found = [
        LiveSession(
            s.id,
            "browser",
            s.user_id,
            name,
            s.created_at,
            s.expires_at,
            s.last_seen_at,
            s.user_agent,
        )
        for s, name in db.execute(browsers).all()
    ] + [
        LiveSession(
            t.id, "token", t.user_id or uuid.UUID(int=0), name, t.created_at, t.expires_at, None, ""
        )
        for t, name in db.execute(tokens).all()
    ]
    return sorted(found, key=lambda live: live.started_at, reverse=True)
