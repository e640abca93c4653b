"""The public start page, and (soon) signing in and out in the browser."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.core.routing import UnitOfWorkRoute
from service.core.settings import get_settings
from service.core.templating import templates

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """What this service is and where to begin; nothing about any case."""
    context = {"dev": get_settings().env == "dev"}
    return templates.TemplateResponse(request, "home.html", context)
