"""The start page: what this service is, where to begin, and the cases by state."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from service.core.db import DbSession
from service.core.settings import get_settings
from service.core.templating import templates
from service.models.cases import Case
from service.workflow import CaseState

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: DbSession) -> HTMLResponse:
    found = dict(db.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    counts = [(state.value, found[state]) for state in CaseState if state in found]
    context = {"counts": counts, "dev": get_settings().env == "dev"}
    return templates.TemplateResponse(request, "home.html", context)
