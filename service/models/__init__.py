"""All ORM models, imported here so Alembic sees one metadata."""

from service.models.audit import AuditEntry
from service.models.auth import ApiToken, Role, User
from service.models.base import Base
from service.models.cases import (
    Case,
    CaseEventRow,
    CoordinatorMotive,
    Literacy,
    Signal,
    SignalKind,
)
from service.models.corrections import Correction
from service.models.decisions import Consultation, Decision
from service.models.eligibility import Screening, ScreeningOutcome
from service.models.idempotency import IdempotentAnswer
from service.models.invitations import Invitation, InvitationStatus
from service.models.questionnaires import AnswerSet
from service.models.sessions import Booking, HearingSession, KioskCode, Location
from service.models.terms import Term, TermStep
from service.models.translation import Translation

__all__ = [
    "AnswerSet",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Booking",
    "Case",
    "CaseEventRow",
    "Consultation",
    "CoordinatorMotive",
    "Correction",
    "Decision",
    "HearingSession",
    "IdempotentAnswer",
    "Invitation",
    "InvitationStatus",
    "KioskCode",
    "Literacy",
    "Location",
    "Role",
    "Screening",
    "ScreeningOutcome",
    "Signal",
    "SignalKind",
    "Term",
    "TermStep",
    "Translation",
    "User",
]
