"""The translation agency's pages (its jobs, XLIFF download and upload, translating in
the browser) and the planners' watch list of late jobs."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import signed_in
from service.cases.access import readable_case
from service.cases.pages import render_case
from service.core.actor import Actor
from service.core.errors import DomainError
from service.core.i18n import N_, gettext_for, language_of
from service.core.text import LONG_TEXT_MAX
from service.core.web import page_router, render, see_other
from service.models.cases import Case
from service.models.translation import Agency, Translation
from service.translation import access, queries, service
from service.translation.api import read_upload, xliff_response
from service.translation.exceptions import TooManyVersions
from service.translation.schemas import TranslationOut

router = page_router()
Translator = Annotated[Actor, Depends(signed_in(*access.TRANSLATORS))]
Planner = Annotated[Actor, Depends(signed_in(*access.PLANNERS))]
# The side-by-side page is for small jobs; larger ones go through XLIFF.
MAX_FORM_FIELDS = 200


@router.get("/agency", response_class=HTMLResponse)
def agency_start(request: Request, db: Session, actor: Translator) -> HTMLResponse:
    rows = queries.jobs(db, actor, True)
    jobs = [TranslationOut.present(job, agency, actor) for job, agency in rows]
    done = [
        TranslationOut.present(job, agency, actor)
        for job, agency in queries.delivered_recently(db, actor)
    ]
    context = {
        "jobs": jobs,
        "v_numbers": queries.case_numbers(db, [job for job, _ in rows]),
        "done": done,
        "delivered": request.query_params.get("delivered"),
    }
    return render(request, "agency/start.html", context, actor=actor)


def _job_page(
    request: Request,
    db: Session,
    actor: Actor,
    job: Translation,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "job": TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor),
        "v_number": queries.case_numbers(db, [job])[job.case_id],
        "count": len(service.source_items(db, job)),
        "versions": queries.versions(db, job),
        "problems": problems or [],
    }
    return render(request, "agency/job.html", context, actor=actor, status_code=status_code)


@router.get(
    "/agency/jobs/{translation_id}",
    response_class=HTMLResponse,
    dependencies=[audited("translation.page")],
)
def agency_job(
    translation_id: uuid.UUID, request: Request, db: Session, actor: Translator
) -> HTMLResponse:
    """One job: download it as XLIFF, upload the translated file, or translate here."""
    return _job_page(request, db, actor, access.readable_job(db, translation_id, actor))


@router.get(
    "/agency/jobs/{translation_id}/xliff", dependencies=[audited("translation.xliff_download")]
)
def agency_download(
    translation_id: uuid.UUID, request: Request, db: Session, actor: Translator
) -> Response:
    job = access.readable_job(db, translation_id, actor)
    return xliff_response(job.id, service.xliff_of(db, job))


@router.post(
    "/agency/jobs/{translation_id}/xliff",
    response_class=HTMLResponse,
    dependencies=[audited("translation.xliff_upload")],
)
def agency_upload(
    translation_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Translator,
    file: UploadFile | None = None,
) -> Response:
    job = access.readable_job(db, translation_id, actor)
    if file is None or not file.filename:
        gettext = gettext_for(language_of(request))
        problems = [gettext("Choose the translated XLIFF file to upload.")]
        return _job_page(request, db, actor, job, problems, 422)
    try:
        service.upload_xliff(db, job, actor, read_upload(file))
    except TooManyVersions:
        gettext = gettext_for(language_of(request))
        problem = gettext(
            "This translation has been delivered %(count)d times, the most it may be."
        ) % {"count": service.MAX_VERSIONS}
        return _job_page(request, db, actor, job, [problem], 409)
    except DomainError as refused:
        if refused.status != 422:
            raise
        return _job_page(request, db, actor, job, refused.problems or [refused.detail], 422)
    return see_other(f"/agency?delivered={job.id}")


def _translate_page(
    request: Request,
    db: Session,
    actor: Actor,
    job: Translation,
    values: dict[str, str],
    error: str | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    gettext = gettext_for(language_of(request))
    too_long = gettext("At most %(limit)d characters; this translation has %(count)d.")
    context = {
        "job": TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor),
        "v_number": queries.case_numbers(db, [job])[job.case_id],
        "items": service.source_items(db, job),
        "values": values,
        "error": error,
        # beside each field whose text is longer than any answer may be
        "field_errors": {
            key: too_long % {"limit": LONG_TEXT_MAX, "count": len(text)}
            for key, text in values.items()
            if len(text) > LONG_TEXT_MAX
        },
    }
    status = status_code if error else 200
    return render(request, "agency/translate.html", context, actor=actor, status_code=status)


@router.get(
    "/agency/jobs/{translation_id}/translate",
    response_class=HTMLResponse,
    dependencies=[audited("translation.page")],
)
def translate_form(
    translation_id: uuid.UUID, request: Request, db: Session, actor: Translator
) -> HTMLResponse:
    """Question, the applicant's answer and a field for the Dutch, side by side."""
    job = access.readable_job(db, translation_id, actor)
    # What the form already says in Dutch (yes/no, a choice) need not be typed again.
    known = {item.key: item.known_nl for item in service.source_items(db, job) if item.known_nl}
    return _translate_page(request, db, actor, job, known | dict(job.answers_nl or {}))


async def dutch_fields(request: Request) -> dict[str, str]:
    """The page's fields ``nl-<answer key>``: the Dutch text per answer."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    return {
        key.removeprefix("nl-"): value
        for key, value in form.multi_items()
        if key.startswith("nl-") and isinstance(value, str)
    }


@router.post(
    "/agency/jobs/{translation_id}/translate",
    response_class=HTMLResponse,
    dependencies=[audited("translation.deliver")],
)
def translate(
    translation_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Translator,
    values: Annotated[dict[str, str], Depends(dutch_fields)],
) -> Response:
    """Deliver the translation typed on the page (the same checks as an upload)."""
    job = access.readable_job(db, translation_id, actor)
    try:
        service.deliver(db, job, actor, values, channel="page")
    except TooManyVersions:
        gettext = gettext_for(language_of(request))
        error = gettext(
            "This translation has been delivered %(count)d times, the most it may be."
        ) % {"count": service.MAX_VERSIONS}
        return _translate_page(request, db, actor, job, values, error, 409)
    except DomainError as refused:
        if refused.status != 422:
            raise
        return _translate_page(request, db, actor, job, values, refused.detail)
    return see_other(f"/agency?delivered={job.id}")


# --- planners ---------------------------------------------------------------------------


# Why a form was not sent, by the refusal's code: beside the field it concerns.
SEND_REFUSALS: dict[str, tuple[str, str]] = {
    "unknown_agency": ("agency", N_("Choose one of the agencies.")),
    "agency_full": (
        "agency",
        N_("This agency has no room left this week; choose another agency."),
    ),
    "illegal_transition": ("case_id", N_("Not waiting for translation (sent already?).")),
    "form_not_started": ("case_id", N_("The case has no submitted form to translate.")),
    "translation_closed": ("agency", N_("The job is delivered, called off, or with it already.")),
}


def _send_errors(gettext: Any, agency: str, due_days: str) -> tuple[dict[str, str], int | None]:
    errors = {}
    if not agency:
        errors["agency"] = gettext("Choose an agency.")
    days = None
    if due_days.strip():
        days = int(due_days) if due_days.strip().isdigit() else 0
        if not 1 <= days <= 30:
            errors["due_days"] = gettext(
                "Enter the term in working days: 1 to 30, or leave it empty for the usual term."
            )
    return errors, days


def _translations_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    jobs = [
        TranslationOut.present(job, agency, actor)
        for job, agency in queries.needing_attention(db, actor)
    ]
    choices = queries.agency_choices(db)
    names = [c.name for c in choices]
    context = {
        "jobs": jobs,
        "choices": {job.id: [(n, n) for n in names if n != job.agency] for job in jobs},
        "agencies": choices,
        "waiting": queries.waiting_for_translation(db),
        "form": form or {"case_id": []},
        "errors": errors or {},
    }
    status = 422 if errors else 200
    return render(request, "planner/translations.html", context, actor=actor, status_code=status)


@router.get("/planner/translations", response_class=HTMLResponse)
def late_jobs(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    """Forms waiting to be sent (with each agency's room this week and the due date),
    and jobs overdue or due within a day, with another agency to give each one to."""
    return _translations_page(request, db, actor)


@router.post("/planner/translations/send", response_class=HTMLResponse)
def send_selection(
    request: Request,
    db: Session,
    actor: Planner,
    case_id: Annotated[list[uuid.UUID], Form(max_length=200)] = [],  # noqa: B006
    agency: Annotated[str, Form(max_length=200)] = "",
    due_days: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    """Send the ticked forms to one agency, each through ``service.request`` (the API's
    own) in its own savepoint: what was sent and why not is reported per case. Sending
    again sends nothing twice."""
    gettext = gettext_for(language_of(request))
    form = {"case_id": [str(c) for c in case_id], "agency": agency, "due_days": due_days}
    errors, days = _send_errors(gettext, agency, due_days)
    if not case_id:
        errors["case_id"] = gettext("Tick at least one form to send.")
    if errors:
        return _translations_page(request, db, actor, form, errors)
    results: list[tuple[Case, Translation | None, str]] = []
    for case in db.scalars(select(Case).where(Case.id.in_(case_id)).order_by(Case.v_number)):
        case = readable_case(db, case.id, actor)
        try:
            with db.begin_nested():
                job = service.request(db, case, actor, agency, days)
        except DomainError as refusal:
            if refusal.code == "agency_full" or refusal.code == "unknown_agency":
                field, message = SEND_REFUSALS[refusal.code]
                if not results:  # nothing sent: the form again, the choice beside the field
                    return _translations_page(request, db, actor, form, {field: gettext(message)})
            why = SEND_REFUSALS.get(refusal.code, ("", refusal.detail))[1]
            results.append((case, None, gettext(why)))
        else:
            results.append((case, job, ""))
    context = {"results": results, "agency": agency}
    return render(request, "planner/translation_result.html", context, actor=actor)


@router.post("/planner/cases/{case_id}/translation", response_class=HTMLResponse)
def send_case(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    agency: Annotated[str, Form(max_length=200)] = "",
    due_days: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """One case's form to an agency: ``POST /cases/{id}/translation``'s service."""
    gettext = gettext_for(language_of(request))
    case = readable_case(db, case_id, actor)
    form = {"agency": agency, "due_days": due_days}
    errors, days = _send_errors(gettext, agency, due_days)
    if not errors:
        try:
            with db.begin_nested():
                service.request(db, case, actor, agency, days)
        except DomainError as refusal:
            if refusal.code not in SEND_REFUSALS:
                raise
            field, message = SEND_REFUSALS[refusal.code]
            errors[field if field != "case_id" else "agency"] = gettext(message)
    if errors:
        return render_case(request, db, case, actor, form=form, errors=errors, status_code=422)
    return see_other(f"/planner/cases/{case.id}?done=translation")


@router.post("/planner/translations/{translation_id}/reassign", response_class=HTMLResponse)
def reassign(
    translation_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    agency: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The API's reassign; a full agency or a closed job is said on the list again."""
    job = access.readable_job(db, translation_id, actor)
    try:
        with db.begin_nested():
            service.reassign(db, job, agency)
    except DomainError as refusal:
        if refusal.code not in SEND_REFUSALS:
            raise
        gettext = gettext_for(language_of(request))
        message = gettext(SEND_REFUSALS[refusal.code][1])
        return _translations_page(request, db, actor, errors={f"agency-{job.id}": message})
    return see_other("/planner/translations")
