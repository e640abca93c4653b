"""Who may see and do what with a case, and which of its fields each role sees.

The field rules come from the one table in ``service/fields.py`` (published as
``docs/access.md``); the presenters in ``cases/schemas.py`` are the only place that
applies them, for the JSON API and the pages alike.
"""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from service.auth.access import (
    STAFF,
    PermissionDependency,
    allow,
    signed_in,
    through,
)
from service.cases.exceptions import CaseNotFound
from service.core.actor import Actor
from service.core.errors import Forbidden
from service.core.formatting import in_english
from service.core.i18n import N_
from service.fields import NEUTRAL_EXCLUSION, TABLE, When, roles_seeing
from service.models.auth import Role
from service.models.cases import Case

# Roles that read case files. Translators read only their translation jobs, hosts only
# their location's seat lists (see the translation and sessions domains).
READERS = (*STAFF, Role.LAWYER)
# The planner registers, imports and keeps cases; the administrator stands in.
INTAKE = (Role.PLANNER, Role.ADMIN)
# Signals come from registration, screening, the form's answers or security partners.
SIGNALLERS = STAFF
WITHDRAWERS = (Role.APPLICANT, Role.LAWYER, Role.PLANNER, Role.ADMIN)

# Fields only some roles see (service/fields.py). NV/1F signals (their source, reason,
# and that there is one at all) stay inside the IND; notes and motives go to the lawyer.
SEES_SIGNALS = roles_seeing("case", "signals (source, reason, and that there is one)")
SEES_NOTES = roles_seeing("case", "vulnerability_notes")
SEES_MOTIVES = roles_seeing("case", "coordinator_motives")
# What the others read instead of an exclusion's reason (any exclusion: none may tell
# of a signal by reading differently).
REDACTED_EXCLUSION = NEUTRAL_EXCLUSION


def sees_signals(actor: Actor) -> bool:
    return actor.role in SEES_SIGNALS


def sees_notes(actor: Actor) -> bool:
    return actor.role in SEES_NOTES


def sees_motives(actor: Actor) -> bool:
    return actor.role in SEES_MOTIVES


def visible_cases(actor: Actor) -> Select[Case]:
    """The cases ``actor`` may see: a lawyer their clients', an applicant their own."""
    query = select(Case)
    if actor.is_(Role.LAWYER):
        return query.where(Case.lawyer_id == actor.user_id)
    if actor.is_(Role.APPLICANT):
        return query.where(Case.id == actor.case_id)
    if actor.is_(*STAFF):
        return query
    return query.where(false())  # any other role sees no case file


def readable_case(db: Session, case_id: uuid.UUID, actor: Actor) -> Case:
    """A case the actor may see; others get 404, so existence does not leak."""
    case = db.scalars(visible_cases(actor).where(Case.id == case_id)).first()
    if case is None:
        raise CaseNotFound(in_english(N_("No case %(case)s that you may see."), case=case_id))
    return case


def readable_account(db: Session, case_id: uuid.UUID, actor: Actor, resource: str) -> Case:
    """A case whose applicant's account (answers, translation, corrections, advice) the
    actor may read: a coordinator only where the case raises their motive."""
    case = readable_case(db, case_id, actor)
    rule = next(r for r in TABLE if r.resource == resource)
    if rule.roles.get(Role(actor.role)) is When.THEIR_MOTIVE and (
        actor.specialism not in case.coordinator_motives
    ):
        raise CaseNotFound(
            in_english(N_("No case %(case)s with your motive that you may see."), case=case_id)
        )
    return case


def case_by_v_number(db: Session, v_number: str, actor: Actor) -> Case:
    case = db.scalars(visible_cases(actor).where(Case.v_number == v_number)).first()
    if case is None:
        raise CaseNotFound(
            in_english(
                N_("No case with V-number %(v_number)s that you may see."), v_number=v_number
            )
        )
    return case


def require_own_client(case: Case, actor: Actor) -> None:
    """A lawyer acts only for their own clients (staff act for any case)."""
    if actor.is_(Role.LAWYER) and case.lawyer_id != actor.user_id:
        raise Forbidden(N_("Only the applicant's own lawyer may do this."))


# --- the doors' declarations: the endpoint receives the caller or the case, checked ----


def case_through(door: PermissionDependency) -> Callable[..., Any]:
    """A dependency giving the case of the path's ``case_id`` that the caller may see."""
    return through(door, "case_id", readable_case)


def account_through(door: PermissionDependency, resource: str) -> Callable[..., Any]:
    """A dependency giving the case of the path's ``case_id`` whose account (the
    ``resource`` of the field table) the caller may read."""
    return through(
        door, "case_id", lambda db, case_id, actor: readable_account(db, case_id, actor, resource)
    )


Reader = Annotated[Actor, Depends(allow(*READERS))]
ReaderPage = Annotated[Actor, Depends(signed_in(*READERS))]
Staff = Annotated[Actor, Depends(allow(*STAFF))]
Intake = Annotated[Actor, Depends(allow(*INTAKE))]
# The planner's pages (case list, case page, import).
Planner = Annotated[Actor, Depends(signed_in(*INTAKE))]
Signaller = Annotated[Actor, Depends(allow(*SIGNALLERS))]
Withdrawer = Annotated[Actor, Depends(allow(*WITHDRAWERS))]
ReadableCase = Annotated[Case, Depends(case_through(allow(*READERS)))]
ReadableCasePage = Annotated[Case, Depends(case_through(signed_in(*READERS)))]
StaffCase = Annotated[Case, Depends(case_through(allow(*STAFF)))]
CaseToSignal = Annotated[Case, Depends(case_through(allow(*SIGNALLERS)))]
CaseToWithdraw = Annotated[Case, Depends(case_through(allow(*WITHDRAWERS)))]
# A case on the planner's pages.
PlannersCase = Annotated[Case, Depends(case_through(signed_in(*INTAKE)))]
