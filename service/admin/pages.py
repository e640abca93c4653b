"""The administrator's set-up pages: translation agencies with their weekly capacity, and
decision officers' profiles and teams (through the service of ``PUT
/officers/{id}/profile``)."""

import uuid
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.admin.service import AgencyIn, save_agency
from service.auth.access import signed_in
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_, language_of
from service.core.web import page_router, render, see_other
from service.decisions import service as decisions
from service.decisions.access import PROFILE_KEEPERS
from service.decisions.exceptions import NotAnOfficer
from service.decisions.schemas import OfficerProfileIn
from service.models.auth import Role, User
from service.models.decisions import OfficerProfile, Team
from service.models.translation import Agency

router = page_router()
Admin = Annotated[Actor, Depends(signed_in(Role.ADMIN))]
ProfileKeeper = Annotated[Actor, Depends(signed_in(*PROFILE_KEEPERS))]
AGENCY_SAY = {
    "name": N_("Enter the agency's name."),
    "capacity_per_week": N_(
        "Enter the forms it can translate per week: a whole number from 0 to 10000."
    ),
}
PROFILE_SAY = {
    "started_on": N_("Enter the start date as YYYY-MM-DD."),
    "nationalities": N_("Use short codes separated by commas, e.g. SY, ER."),
    "languages": N_("Use short codes separated by commas, e.g. SY, ER."),
    "team": N_("Use short codes separated by commas, e.g. SY, ER."),
}
FLAGS = (
    "lgbti_experience",
    "conversion_experience",
    "senior",
    "team_lead",
    "hard_cases_team",
    "external",
)


# --- agencies ---------------------------------------------------------------------------------


def _agencies(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {
        "agencies": db.scalars(select(Agency).order_by(Agency.name)).all(),
        "form": form or {"capacity_per_week": "20"},
        "errors": errors or {},
        "saved": request.query_params.get("saved") == "true",
    }
    status = 422 if errors else 200
    return render(request, "admin/agencies.html", context, actor=actor, status_code=status)


@router.get("/admin/agencies", response_class=HTMLResponse)
def agencies(request: Request, db: Session, actor: Admin) -> HTMLResponse:
    return _agencies(request, db, actor)


@router.post("/admin/agencies", response_class=HTMLResponse)
def add_agency(
    request: Request,
    db: Session,
    actor: Admin,
    name: Annotated[str, Form(max_length=200)] = "",
    capacity_per_week: Annotated[str, Form(max_length=10)] = "",
    agency_id: Annotated[str, Form(max_length=40)] = "",
    active: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Add an agency, or change one (``agency_id``): its name, capacity, whether used."""
    form = {"name": name, "capacity_per_week": capacity_per_week}

    def save() -> None:
        values = form | {"active": active == "true" or not agency_id}
        save_agency(db, parse_form(AgencyIn, values, say=AGENCY_SAY), _uuid_or_none(agency_id))

    outcome = attempt(db, save)
    if isinstance(outcome, Refusal):
        errors = outcome.errors(language_of(request), "name")
        return _agencies(request, db, actor, form, errors)
    return see_other("/admin/agencies?saved=true")


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


# --- officers ---------------------------------------------------------------------------------


@router.get("/admin/officers", response_class=HTMLResponse)
def officers(request: Request, db: Session, actor: ProfileKeeper) -> HTMLResponse:
    rows = db.execute(
        select(User, OfficerProfile, Team)
        .outerjoin(OfficerProfile, OfficerProfile.user_id == User.id)
        .outerjoin(Team, Team.id == OfficerProfile.team_id)
        .where(User.role == Role.OFFICER)
        .order_by(User.display_name)
    ).all()
    context = {"rows": rows, "saved": request.query_params.get("saved") == "true"}
    return render(request, "admin/officers.html", context, actor=actor)


def _profile_page(
    request: Request,
    db: Session,
    actor: Actor,
    user: User,
    form: dict[str, object],
    errors: dict[str, str],
) -> HTMLResponse:
    teams = db.scalars(select(Team.name).order_by(Team.name)).all()
    context = {"officer": user, "form": form, "errors": errors, "teams": teams, "FLAGS": FLAGS}
    status = 422 if errors else 200
    return render(request, "admin/officer.html", context, actor=actor, status_code=status)


def _officer(db: Session, user_id: uuid.UUID) -> User:
    user = db.get(User, user_id)
    if user is None or user.role != Role.OFFICER:
        raise NotAnOfficer(in_english(N_("No decision officer %(user)s."), user=user_id))
    return user


@router.get("/admin/officers/{user_id}", response_class=HTMLResponse)
def officer_profile(
    user_id: uuid.UUID, request: Request, db: Session, actor: ProfileKeeper
) -> HTMLResponse:
    user = _officer(db, user_id)
    profile = db.get(OfficerProfile, user.id)
    form: dict[str, object] = {}
    if profile is not None:
        team = db.get(Team, profile.team_id) if profile.team_id else None
        form = {
            "team": team.name if team else "",
            "nationalities": ", ".join(profile.nationalities),
            "languages": ", ".join(profile.languages),
            "started_on": profile.started_on.isoformat(),
            "flags": [f for f in FLAGS if getattr(profile, f)],
        }
    return _profile_page(request, db, actor, user, form, {})


def _codes(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


@router.post("/admin/officers/{user_id}", response_class=HTMLResponse)
def save_officer_profile(
    user_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: ProfileKeeper,
    team: Annotated[str, Form(max_length=200)] = "",
    nationalities: Annotated[str, Form(max_length=1000)] = "",
    languages: Annotated[str, Form(max_length=1000)] = "",
    started_on: Annotated[str, Form(max_length=20)] = "",
    flags: Annotated[list[str], Form(max_length=len(FLAGS))] = [],  # noqa: B006
) -> Response:
    """The form parses into ``OfficerProfileIn``, the API's input, and is saved by the
    same ``set_profile``."""
    user = _officer(db, user_id)
    form: dict[str, object] = {
        "team": team,
        "nationalities": nationalities,
        "languages": languages,
        "started_on": started_on,
        "flags": flags,
    }
    values = {
        "team": team.strip() or None,
        "nationalities": _codes(nationalities),
        "languages": _codes(languages),
        "started_on": started_on.strip(),
        **{f: f in flags for f in FLAGS},
    }
    outcome = attempt(
        db,
        lambda: decisions.set_profile(
            db, user, parse_form(OfficerProfileIn, values, say=PROFILE_SAY)
        ),
    )
    if isinstance(outcome, Refusal):
        errors = outcome.errors(language_of(request), "started_on")
        return _profile_page(request, db, actor, user, form, errors)
    return see_other("/admin/officers?saved=true")
