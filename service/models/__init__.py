"""All ORM models, imported here so Alembic sees one metadata."""

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
from service.models.corrections import Attachment, Correction, CorrectionItem, ItemKind
from service.models.decisions import Consultation, Decision
from service.models.dossier import Dossier, DossierDownload
from service.models.eligibility import Screening, ScreeningOutcome
from service.models.invitations import Invitation, InvitationStatus
from service.models.questionnaires import AnswerSet
from service.models.sessions import Booking, HearingSession, KioskCode, Location
from service.models.terms import Term, TermStep
from service.models.translation import Agency, Translation, TranslationVersion

__all__ = [
    "Agency",
    "AnswerSet",
    "ApiToken",
    "Attachment",
    "Base",
    "Booking",
    "Case",
    "CaseEventRow",
    "Consultation",
    "CoordinatorMotive",
    "Correction",
    "CorrectionItem",
    "Decision",
    "Dossier",
    "DossierDownload",
    "HearingSession",
    "Invitation",
    "InvitationStatus",
    "ItemKind",
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
    "TranslationVersion",
    "User",
]
