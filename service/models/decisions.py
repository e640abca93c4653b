"""Decision officers (skills, teams), consultations, the outcome, four eyes, the hand-off
to the physical hearing and the officer's handling time."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, Timestamped, UuidPk, enum_check
from service.workflow import DECIDED_STATES


class ConsultationTopic(StrEnum):
    """Who is asked: the LGBTI or conversion coordinator, or the hard-cases team (KDT)."""

    LGBTI = "lgbti"
    CONVERSION = "conversion"
    HARD_CASES = "hard_cases"


class DecisionKind(StrEnum):
    GRANT = "grant"  # inwilliging
    INTENDED_REJECTION = "intended_rejection"  # voornemen: follows the regular route


class HearingReason(StrEnum):
    INSUFFICIENT_INFORMATION = "insufficient_information"
    CONTRA_INDICATION = "contra_indication"
    CREDIBILITY = "credibility"
    SIGNAL = "signal"
    KANSARM_POLICY = "kansarm_policy"


class ReviewVerdict(StrEnum):
    APPROVED = "approved"
    SENT_BACK = "sent_back"


class ReviewGround(StrEnum):
    """Why a decision goes to a senior before it is final."""

    PROBATION = "probation"  # the officer is in their first months
    EXTERNAL = "external"  # an external drafter
    SAMPLE = "sample"  # the configured share of all decisions


class Team(UuidPk, Timestamped, Base):
    """Decision officers working together at one IND location."""

    __tablename__ = "decision_teams"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))


class OfficerProfile(Base):
    """What an officer may take: an empty list of nationalities or languages means any."""

    __tablename__ = "officer_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("decision_teams.id"), index=True)
    nationalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    lgbti_experience: Mapped[bool] = mapped_column(default=False)
    conversion_experience: Mapped[bool] = mapped_column(default=False)
    senior: Mapped[bool] = mapped_column(default=False)
    team_lead: Mapped[bool] = mapped_column(default=False)
    hard_cases_team: Mapped[bool] = mapped_column(default=False)
    external: Mapped[bool] = mapped_column(default=False)
    started_on: Mapped[date] = mapped_column(Date)


class Consultation(UuidPk, Base):
    """A request for advice and its answer; a coordinator may also advise unasked."""

    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint(enum_check("motive", ConsultationTopic), name="motive"),
        CheckConstraint(
            "(advice IS NULL) = (recorded_at IS NULL) "
            "AND (advice IS NULL) = (coordinator_id IS NULL)",
            name="answer_complete",
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    motive: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime | None]
    question: Mapped[str] = mapped_column(Encrypted(), default="")
    # Who answered, the advice and when: all three or none.
    coordinator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    advice: Mapped[str | None] = mapped_column(Encrypted())
    recorded_at: Mapped[datetime | None]


class Decision(UuidPk, Base):
    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(enum_check("outcome", DECIDED_STATES), name="outcome"),
        CheckConstraint(
            "(outcome = 'decided_on_form') = "
            f"(kind IS NOT NULL AND {enum_check('kind', DecisionKind)})",
            name="kind_iff_on_form",
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Encrypted())
    # How third-party statements were weighed (seed 001: it must be visible).
    third_party_weighing: Mapped[str] = mapped_column(Encrypted(), default="")
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionReview(UuidPk, Base):
    """Four eyes: a drafted decision on the form waits for a senior's verdict."""

    __tablename__ = "decision_reviews"
    __table_args__ = (
        CheckConstraint(enum_check("ground", ReviewGround), name="ground_known"),
        CheckConstraint(
            f"verdict IS NULL OR {enum_check('verdict', ReviewVerdict)}", name="verdict_known"
        ),
        CheckConstraint(
            "(verdict IS NULL) = (reviewed_at IS NULL) "
            "AND (verdict IS NULL) = (reviewer_id IS NULL)",
            name="verdict_complete",
        ),
        CheckConstraint("verdict <> 'sent_back' OR remarks <> ''", name="sent_back_has_remarks"),
        Index("ix_decision_reviews_open", "case_id", "reviewed_at"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    drafted_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    ground: Mapped[str] = mapped_column(String(20))
    # The drafted decision as sent (DecisionIn as JSON).
    proposal: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str | None] = mapped_column(String(20))
    remarks: Mapped[str] = mapped_column(Encrypted(), default="")
    reviewed_at: Mapped[datetime | None]


class HearingHandoff(UuidPk, Base):
    """What the planning of the physical hearing (nader gehoor) needs to know."""

    __tablename__ = "hearing_handoffs"
    __table_args__ = (
        CheckConstraint("estimated_days IS NULL OR estimated_days IN (1, 2)", name="estimate"),
        CheckConstraint("actual_days IS NULL OR actual_days BETWEEN 1 AND 10", name="actual"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    reason_codes: Mapped[list[str]] = mapped_column(JSON)
    motivation: Mapped[str] = mapped_column(Encrypted(), default="")
    # The officer's estimate (kansarm hand-offs have none: no officer has read the file).
    estimated_days: Mapped[int | None]
    actual_days: Mapped[int | None]
    actual_recorded_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    handed_over_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignalReferral(UuidPk, Base):
    """An NV/1F signal raised from the answers at the workbench, routed to unit 1F."""

    __tablename__ = "signal_referrals"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    signal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signals.id"), unique=True)
    referred_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    unit: Mapped[str] = mapped_column(String(20), default="1f")
    referred_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkInterval(UuidPk, Base):
    """A stretch of an officer's active work on a case (handling time, behandeltijd).

    Page events and heartbeats extend the open interval; after a gap longer than the idle
    limit a new one starts, so the idle gap is never counted."""

    __tablename__ = "work_intervals"
    __table_args__ = (
        Index("ix_work_intervals_case_officer", "case_id", "officer_id", "last_seen_at"),
        CheckConstraint("last_seen_at >= started_at", name="ordered"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    closed: Mapped[bool] = mapped_column(default=False)


class FinalOutcome(StrEnum):
    """How the asylum application ended, after the form or the nader gehoor (DOMAIN.md)."""

    GRANT = "grant"  # inwilliging
    UNFOUNDED = "unfounded"  # ongegrond
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"  # kennelijk ongegrond
    INADMISSIBLE = "inadmissible"  # niet ontvankelijk


class FinalDecision(UuidPk, Base):
    """The final outcome of a case that had a written hearing: recorded when the decision
    on the form was a grant, or when the regular procedure that followed (an intended
    rejection, the nader gehoor) ended. What the evaluation's grant rates count."""

    __tablename__ = "final_decisions"
    __table_args__ = (CheckConstraint(enum_check("outcome", FinalOutcome), name="outcome"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(30))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
