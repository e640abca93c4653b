"""All ORM models, imported here so Alembic sees one metadata."""

from service.models.attention import (
    AttentionPoint,
    Indicator,
    IndicatorKind,
    IndicatorList,
    IndicatorListVersion,
    PointStatus,
)
from service.models.audit import AuditEntry, AuditSeal
from service.models.auth import ApiToken, PasswordResetLink, RecoveryCode, Role, User
from service.models.base import Base
from service.models.cases import (
    Case,
    CaseEventRow,
    CaseNameKey,
    CoordinatorMotive,
    ImportResult,
    ImportRun,
    ImportStatus,
    Literacy,
    Signal,
    SignalKind,
)
from service.models.corrections import Attachment, Correction, CorrectionItem, ItemKind
from service.models.decisions import (
    Consultation,
    Decision,
    DecisionReview,
    FinalDecision,
    FinalOutcome,
    HearingHandoff,
    OfficerProfile,
    SignalReferral,
    Team,
    WorkInterval,
)
from service.models.dossier import Dossier
from service.models.eligibility import Screening, ScreeningOutcome
from service.models.idempotency import IdempotentAnswer
from service.models.invitations import DeclineReason, Invitation, InvitationStatus
from service.models.jobs import OutboxJob
from service.models.messages import Message, MessageKind, MessageStatus
from service.models.proposals import DraftTranslation, FormDraft, Proposal, ProposalEvent
from service.models.questionnaires import AnswerSet, VoiceRecording
from service.models.registration import RegistrationFile
from service.models.sessions import (
    Booking,
    Gender,
    HearingSession,
    Interpreter,
    KioskCode,
    Location,
    PlanningPreference,
    Room,
    Seat,
)
from service.models.terms import Term, TermStep
from service.models.translation import Agency, Translation, TranslationVersion

__all__ = [
    "Agency",
    "AnswerSet",
    "ApiToken",
    "Attachment",
    "AttentionPoint",
    "AuditEntry",
    "AuditSeal",
    "Base",
    "Booking",
    "Case",
    "CaseEventRow",
    "CaseNameKey",
    "Consultation",
    "CoordinatorMotive",
    "Correction",
    "CorrectionItem",
    "Decision",
    "DecisionReview",
    "DeclineReason",
    "Dossier",
    "DraftTranslation",
    "FinalDecision",
    "FinalOutcome",
    "FormDraft",
    "Gender",
    "HearingHandoff",
    "HearingSession",
    "IdempotentAnswer",
    "ImportResult",
    "ImportRun",
    "ImportStatus",
    "Indicator",
    "IndicatorKind",
    "IndicatorList",
    "IndicatorListVersion",
    "Interpreter",
    "Invitation",
    "InvitationStatus",
    "ItemKind",
    "KioskCode",
    "Literacy",
    "Location",
    "Message",
    "MessageKind",
    "MessageStatus",
    "OfficerProfile",
    "OutboxJob",
    "PasswordResetLink",
    "PlanningPreference",
    "PointStatus",
    "Proposal",
    "ProposalEvent",
    "RecoveryCode",
    "RegistrationFile",
    "Role",
    "Room",
    "Screening",
    "ScreeningOutcome",
    "Seat",
    "Signal",
    "SignalKind",
    "SignalReferral",
    "Team",
    "Term",
    "TermStep",
    "Translation",
    "TranslationVersion",
    "User",
    "VoiceRecording",
    "WorkInterval",
]
