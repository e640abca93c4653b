"""Screening against the eligibility policy (toetsingskader)."""

from collections.abc import Sequence

from fastapi import APIRouter
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.routing import UnitOfWorkRoute
from service.core.settings import get_settings
from service.eligibility import service
from service.eligibility.access import ScreenableCase, Screener, Staff, StaffCase
from service.eligibility.policy import available_versions, load_policy
from service.eligibility.schemas import BulkScreeningOut, PolicyOut, ScreeningOut

router = APIRouter(tags=["eligibility"], route_class=UnitOfWorkRoute)


@router.get("/eligibility/policies")
def list_policies(_: Staff) -> Sequence[PolicyOut]:
    """The policy versions shipped with the service, and which one is active."""
    active = get_settings().eligibility_policy
    out = []
    for version in available_versions():
        p = load_policy(version)
        out.append(
            PolicyOut(
                version=p.version,
                title=p.title,
                active=p.version == active,
                kansrijk_nationalities=sorted(p.kansrijk_nationalities),
                form_languages=sorted(p.form_languages),
                literacy_must_be_known_for=sorted(p.literacy.must_be_known_for),
                exclude_low_literacy=p.literacy.exclude_low,
                admit_low_literacy_by_voice=p.literacy.admit_low_by_voice,
                assisted_filling=p.assisted_filling,
                excluding_signals=sorted(s.value for s in p.exclusions.signals),
            )
        )
    return out


@router.post("/cases/{case_id}/screening", dependencies=[audited("case.screen")])
def screen_case(case: ScreenableCase, db: Session, actor: Screener) -> ScreeningOut:
    """Screen (or re-screen) a case. Excluded or withdrawn cases re-enter only this way."""
    return ScreeningOut.model_validate(service.screen_case(db, case, actor))


@router.get("/cases/{case_id}/screenings")
def list_screenings(case: StaffCase, db: Session) -> Sequence[ScreeningOut]:
    return [ScreeningOut.model_validate(s) for s in service.screenings_of(db, case.id)]


@router.post("/screenings/run")
def screen_all_imported(db: Session, actor: Screener) -> BulkScreeningOut:
    """Screen every case still waiting in `imported`."""
    counts = service.screen_imported(db, actor)
    return BulkScreeningOut(policy_version=service.active_policy().version, screened=counts)
