"""The FastAPI application."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.admin.pages import router as admin_pages
from service.attention.api import router as attention_router
from service.attention.pages import router as attention_pages
from service.audit.api import router as audit_router
from service.audit.pages import router as audit_pages
from service.auth.access import PUBLIC
from service.auth.api import router as auth_router
from service.auth.pages import router as auth_pages
from service.cases.api import router as cases_router
from service.cases.pages import router as case_pages
from service.consultations.api import router as consultations_router
from service.consultations.pages import router as consultation_pages
from service.core.error_handlers import install_error_handlers
from service.core.errors import DATABASE_RETRY_SECONDS, PROBLEM_RESPONSES, DomainError
from service.core.middleware import RequestEnvelope, SimulatedNow
from service.core.routing import UnitOfWorkRoute, match_by_prefix
from service.core.settings import PROJECT_ROOT, get_settings
from service.core.templating import templates
from service.corrections.api import router as corrections_router
from service.corrections.pages import router as correction_pages
from service.decisions.api import router as decisions_router
from service.decisions.pages import router as decision_pages
from service.dossier.api import router as dossier_router
from service.dossier.pages import router as dossier_pages
from service.eligibility.api import router as eligibility_router
from service.eligibility.pages import router as eligibility_pages
from service.exports.api import router as exports_router
from service.exports.pages import router as export_pages
from service.forecast.api import router as forecast_router
from service.forecast.pages import router as forecast_pages
from service.invitations.api import router as invitations_router
from service.invitations.pages import router as invitation_pages
from service.messages.api import router as messages_router
from service.messages.pages import dev_router as dev_mail_pages
from service.messages.pages import router as message_pages
from service.proposals.api import router as proposals_router
from service.proposals.pages import router as proposal_pages
from service.questionnaires.api import router as questionnaires_router
from service.questionnaires.pages import autosave_router as kiosk_autosave
from service.questionnaires.pages import router as kiosk_pages
from service.questionnaires.prompt_pages import router as prompt_pages
from service.registration.api import router as registration_router
from service.registration.pages import router as registration_pages
from service.reports.api import router as reports_router
from service.reports.pages import router as report_pages
from service.sessions.api import router as sessions_router
from service.sessions.pages import router as session_pages
from service.terms.api import router as terms_router
from service.terms.pages import router as term_pages
from service.translation.api import router as translation_router
from service.translation.pages import router as translation_pages

API_PREFIX = "/api/v1"
OPENAPI_URL = "/openapi.json"
STATIC_DIR = PROJECT_ROOT / "service" / "static"
# Matched before everything else: 40 kiosks per location autosave as applicants type,
# and FastAPI's matching costs a few microseconds per route passed over.
FIRST_PAGES = (kiosk_autosave,)
PAGES = (
    auth_pages,
    case_pages,
    eligibility_pages,
    session_pages,
    invitation_pages,
    translation_pages,
    correction_pages,
    dossier_pages,
    decision_pages,
    consultation_pages,
    attention_pages,
    term_pages,
    message_pages,
    kiosk_pages,
    prompt_pages,
    audit_pages,
    export_pages,
    admin_pages,
    forecast_pages,
    report_pages,
    registration_pages,
    proposal_pages,
)
# Outside production only: the development mailbox.
DEV_PAGES = (dev_mail_pages,)
# Routes are matched in order, one by one: the busiest (the kiosks' autosave, sign-in
# checks, the kiosks' saves) come first. The docs show the tags in the procedure's order (TAGS).
ROUTERS = (
    auth_router,
    questionnaires_router,
    cases_router,
    eligibility_router,
    invitations_router,
    sessions_router,
    translation_router,
    corrections_router,
    dossier_router,
    decisions_router,
    consultations_router,
    attention_router,
    audit_router,
    terms_router,
    messages_router,
    forecast_router,
    reports_router,
    exports_router,
    registration_router,
    proposals_router,
)
TAGS = [
    {"name": "auth", "description": "Signing in (bearer tokens, kiosk codes) and accounts."},
    {"name": "cases", "description": "Intake, NV/1F signals, withdrawal, timeline, measurements."},
    {"name": "eligibility", "description": "Screening against the eligibility policy."},
    {"name": "invitations", "description": "The invitation via the lawyer, and the reply."},
    {"name": "sessions", "description": "Locations, group sessions, seats and check-in."},
    {"name": "questionnaires", "description": "The forms, and the applicant's kiosk."},
    {"name": "translation", "description": "Agencies and translation jobs."},
    {"name": "corrections", "description": "The lawyer's corrections and additions."},
    {"name": "dossier", "description": "The PDF dossier: status and audited download."},
    {"name": "decisions", "description": "The decision queue, consultations, the outcome."},
    {
        "name": "attention",
        "description": "Unit 1F's indicator lists and the attention points found in answers.",
    },
    {"name": "audit", "description": "Who looked at a case: the access log."},
    {"name": "terms", "description": "Terms in working days, extensions, overdue terms."},
    {"name": "messages", "description": "E-mail sent to each party; failed messages."},
    {"name": "forecast", "description": "The capacity forecast: when the stock is done."},
    {"name": "reports", "description": "Figures per nationality and period, time, time saved."},
    {"name": "exports", "description": "The event log for process mining (XES, CSV)."},
    {
        "name": "registration",
        "description": "The written registration interview (aanmeldgehoor): selection, "
        "prepared files, figures.",
    },
    {"name": "proposals", "description": "Partners' proposals for the form; its versions."},
    {"name": "ops", "description": "Health for load balancers."},
]

DESCRIPTION = """
Carries an asylum case through the IND's **written hearing** (schriftelijk horen):
screening → invitation via the lawyer → group session and kiosk form → translation →
lawyer's corrections → decision officer.

Sign in with `POST /api/v1/auth/token` (staff, lawyers) or `POST /api/v1/kiosk/login`
(applicants, with the host's one-time code) and send `Authorization: Bearer <token>`.
Each operation lists the roles allowed to call it (`x-roles`). Errors are
`application/problem+json` with a stable `code`.
"""


RECORDING_PAGES = ("/kiosk/sections/", "/interpreter/forms/")


def allowed_roles(route: APIRoute) -> list[str]:
    """The roles a route declares through its `allow(...)` dependency."""
    extra = route.openapi_extra or {}
    if "x-roles" in extra:
        return list(extra["x-roles"])
    for dependency in route.dependant.dependencies:
        roles = getattr(dependency.call, "allowed_roles", None)
        if roles is not None:
            return sorted(str(r) for r in roles)
    return []


def _document_roles(router: APIRouter) -> None:
    for route in router.routes:
        if isinstance(route, APIRoute):
            roles = allowed_roles(route)
            route.openapi_extra = {**(route.openapi_extra or {}), "x-roles": roles}
            who = "anyone (no sign-in)" if roles == [PUBLIC] else ", ".join(roles)
            route.description = f"{route.description or ''}\n\n**Roles:** {who}".strip()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # What was loaded at start-up (modules, mappers, schemas) lives as long as the
    # process: keep it out of the garbage collector's full sweeps, which otherwise
    # pause requests (the p95 in bench/bench_http.py).
    gc.freeze()
    yield


def create_app() -> FastAPI:
    production = get_settings().env == "production"
    app = FastAPI(
        lifespan=lifespan,
        title="Written hearing service",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        responses=PROBLEM_RESPONSES,
        # The interactive docs are for development; production publishes no schema.
        docs_url=None,
        redoc_url=None,
        openapi_url=None if production else OPENAPI_URL,
        # FastAPI's own OpenTelemetry asks the global providers on every request whether
        # to trace; the service ships no OpenTelemetry SDK, so nothing is ever recorded.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_error_handlers(app)
    for pages in FIRST_PAGES:
        app.include_router(pages)
    for router in ROUTERS:
        _document_roles(router)
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ops)
    for pages in PAGES:
        app.include_router(pages)
    if not production:
        app.include_router(docs)
        for pages in DEV_PAGES:
            app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    match_by_prefix(app)
    if get_settings().simulated_clock:  # a replay's app process (refused in production)
        app.add_middleware(SimulatedNow)
    # Outermost of the service's own: every response carries the request id.
    app.add_middleware(
        RequestEnvelope,
        upload_paths=(f"{API_PREFIX}/cases/import", "/planner/import"),
        # Translations, lawyers' attachments; the lawyer's page sends its typed corrections
        # and a chosen file together with whichever button is pressed.
        upload_suffixes=(
            "/xliff",
            "/attachments",
            "/corrections",
            "/send",
            "/no-corrections",
            "/recording",  # a spoken answer (it has its own, smaller cap)
            "/package",  # the agency's return with transcriptions
        ),
        microphone_paths=RECORDING_PAGES,
    )
    return app


docs = APIRouter(include_in_schema=False)


@docs.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from the service's own vendored copy: works on an offline network."""
    context = {"openapi_url": OPENAPI_URL}
    return templates.TemplateResponse(request, "docs.html", context)


ops = APIRouter(tags=["ops"], route_class=UnitOfWorkRoute)


@ops.get("/health", openapi_extra={"x-roles": [PUBLIC]})
def health(db: Session) -> dict[str, str]:
    """For load balancers: the process answers and reaches its database."""
    try:
        db.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise DomainError(
            "The database cannot be reached.",
            code="database_unavailable",
            status=503,
            retry_after=DATABASE_RETRY_SECONDS,
        ) from exc
    return {"status": "ok", "database": "ok"}


app = create_app()
