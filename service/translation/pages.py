"""The translation agency's pages (its jobs, XLIFF download and upload, translating in
the browser) and the planners' (sending forms to agencies, the watch list of late jobs).

Each action is the API's own service function; a page parses its form into the API's
input model and runs the action through ``core.actions.attempt``, so a refusal undoes
all of it and comes back with the message beside the field and what was typed kept.
"""

from typing import Annotated, Any

from fastapi import Depends, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.cases.pages import render_case
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.i18n import N_, gettext_for, language_of
from service.core.text import LONG_TEXT_MAX
from service.core.web import page_router, render, see_other
from service.models.translation import Agency, Translation
from service.translation import access, queries, service
from service.translation.api import (
    package_response,
    read_upload,
    recording_response,
    xliff_response,
)
from service.translation.schemas import (
    ReassignIn,
    TranslationIn,
    TranslationOut,
    TranslationRequestIn,
    TranslationSelectionIn,
)

router = page_router()
# The side-by-side page is for small jobs; larger ones go through XLIFF.
MAX_FORM_FIELDS = 200
TOO_MANY_VERSIONS = N_("This translation has been delivered %(count)d times, the most it may be.")


@router.get("/agency", response_class=HTMLResponse)
def agency_start(request: Request, db: Session, actor: access.TranslatorPage) -> HTMLResponse:
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


def _in_words(request: Request, refusal: Refusal, default_field: str) -> dict[str, str]:
    """The refusal in the page's language; a delivery refused for its number of versions
    says the limit in figures."""
    gettext = gettext_for(language_of(request))
    if refusal.code == "too_many_translation_versions":
        return {default_field: gettext(TOO_MANY_VERSIONS) % {"count": service.MAX_VERSIONS}}
    return refusal.errors(language_of(request), default_field)


def _job_page(
    request: Request, db: Session, actor: Actor, job: Translation, refusal: Refusal | None = None
) -> HTMLResponse:
    context = {
        "job": TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor),
        "v_number": queries.case_numbers(db, [job])[job.case_id],
        "count": len(items := service.source_items(db, job)),
        "spoken": sum(1 for item in items if item.spoken),
        "versions": queries.versions(db, job),
        "refusal": refusal,
        "errors": _in_words(request, refusal, "file") if refusal else {},
    }
    status = refusal.status if refusal else 200
    return render(request, "agency/job.html", context, actor=actor, status_code=status)


@router.get(
    "/agency/jobs/{translation_id}",
    response_class=HTMLResponse,
    dependencies=[audited("translation.page")],
)
def agency_job(
    job: access.AgencysJobPage, request: Request, db: Session, actor: access.TranslatorPage
) -> HTMLResponse:
    """One job: download it as XLIFF, upload the translated file, or translate here."""
    return _job_page(request, db, actor, job)


@router.get(
    "/agency/jobs/{translation_id}/xliff", dependencies=[audited("translation.xliff_download")]
)
def agency_download(job: access.AgencysJobPage, db: Session) -> Response:
    return xliff_response(job.id, service.xliff_of(db, job))


@router.get(
    "/agency/jobs/{translation_id}/package",
    dependencies=[audited("translation.package_download")],
)
def agency_package(job: access.AgencysJobPage, db: Session) -> Response:
    return package_response(job.id, service.package_of(db, job))


@router.get(
    "/agency/jobs/{translation_id}/recordings/{question_id}.ogg",
    dependencies=[audited("translation.recording")],
)
def agency_recording(
    job: access.AgencysJobPage, question_id: Annotated[str, Path(max_length=120)], db: Session
) -> Response:
    """A spoken answer, played beside its transcription and translation."""
    return recording_response(service.job_recording(db, job, question_id))


@router.post(
    "/agency/jobs/{translation_id}/xliff",
    response_class=HTMLResponse,
    dependencies=[audited("translation.xliff_upload")],
)
def agency_upload(
    job: access.AgencysJobPage,
    request: Request,
    db: Session,
    actor: access.TranslatorPage,
    file: UploadFile | None = None,
) -> Response:
    """The API's upload: the same checks, every problem listed on the job's page."""
    delivered = attempt(db, lambda: service.upload_xliff(db, job, actor, read_upload(file)))
    if isinstance(delivered, Refusal):
        return _job_page(request, db, actor, job, delivered)
    return see_other(f"/agency?delivered={job.id}")


def _translate_page(
    request: Request,
    db: Session,
    actor: Actor,
    job: Translation,
    values: dict[str, str],
    transcribed: dict[str, str],
    refusal: Refusal | None = None,
) -> HTMLResponse:
    """``values``: the Dutch by answer key; ``transcribed``: by field (``tr-<key>``)."""
    context = {
        "job": TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor),
        "v_number": queries.case_numbers(db, [job])[job.case_id],
        "items": service.source_items(db, job),
        "values": values,
        "transcribed": transcribed,
        "refusal": refusal,
        "errors": _translation_errors(request, values, refusal) if refusal else {},
    }
    status = refusal.status if refusal else 200
    return render(request, "agency/translate.html", context, actor=actor, status_code=status)


def _translation_errors(
    request: Request, values: dict[str, str], refusal: Refusal
) -> dict[str, str]:
    """Beside each answer what is wrong with its Dutch (a text too long: with figures)."""
    gettext = gettext_for(language_of(request))
    too_long = gettext("At most %(limit)d characters; this translation has %(count)d.")
    errors = _in_words(request, refusal, "translation")
    for key in refusal.fields:
        if len(values.get(key, "")) > LONG_TEXT_MAX:
            errors[key] = too_long % {"limit": LONG_TEXT_MAX, "count": len(values[key])}
    # An answer's field is named ``nl-<answer key>`` on the page.
    return {f"nl-{key}" if key in values else key: text for key, text in errors.items()}


@router.get(
    "/agency/jobs/{translation_id}/translate",
    response_class=HTMLResponse,
    dependencies=[audited("translation.page")],
)
def translate_form(
    job: access.AgencysJobPage, request: Request, db: Session, actor: access.TranslatorPage
) -> HTMLResponse:
    """Question, the applicant's answer and a field for the Dutch, side by side."""
    # What the form already says in Dutch (yes/no, a choice) need not be typed again.
    known = {item.key: item.known_nl for item in service.source_items(db, job) if item.known_nl}
    dutch = known | dict(job.answers_nl or {})
    transcribed = {f"tr-{k}": v for k, v in (job.transcriptions or {}).items()}
    return _translate_page(request, db, actor, job, dutch, transcribed)


async def dutch_fields(request: Request) -> dict[str, str]:
    """The page's fields ``nl-<answer key>`` (the Dutch text per answer) and
    ``tr-<answer key>`` (a spoken answer's transcription), by field name."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    return {
        key: value
        for key, value in form.multi_items()
        if key.startswith(("nl-", "tr-")) and isinstance(value, str)
    }


def _typed(fields: dict[str, str], prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in fields.items() if k.startswith(prefix)}


@router.post(
    "/agency/jobs/{translation_id}/translate",
    response_class=HTMLResponse,
    dependencies=[audited("translation.deliver")],
)
def translate(
    job: access.AgencysJobPage,
    request: Request,
    db: Session,
    actor: access.TranslatorPage,
    fields: Annotated[dict[str, str], Depends(dutch_fields)],
) -> Response:
    """The API's delivery, typed on the page (the same input model, the same checks)."""
    values, transcriptions = _typed(fields, "nl-"), _typed(fields, "tr-")

    def deliver() -> None:
        form = {"answers_nl": values, "transcriptions": transcriptions}
        typed = parse_form(TranslationIn, form)
        service.deliver(
            db, job, actor, typed.answers_nl, transcriptions=typed.transcriptions, channel="page"
        )

    delivered = attempt(db, deliver)
    if isinstance(delivered, Refusal):
        transcribed = {f"tr-{k}": v for k, v in transcriptions.items()}
        return _translate_page(request, db, actor, job, values, transcribed, delivered)
    return see_other(f"/agency?delivered={job.id}")


# --- planners ---------------------------------------------------------------------------


# The page's words beside a field: for its form's input, and for refusals of the send.
SEND_WORDS: dict[str, str] = {
    "agency": N_("Choose an agency."),
    "due_days": N_(
        "Enter the term in working days: 1 to 30, or leave it empty for the usual term."
    ),
    "case_id": N_("Tick at least one form to send."),
    "unknown_agency": N_("Choose one of the agencies."),
    "agency_full": N_("This agency has no room left this week; choose another agency."),
    "illegal_transition": N_("Not waiting for translation (sent already?)."),
    "form_not_started": N_("The case has no submitted form to translate."),
    "translation_closed": N_("The job is delivered, called off, or with it already."),
}


# A send refused for the agency chosen: no case can go there, so the choice is wrong.
AGENCY_REFUSALS = ("agency_full", "unknown_agency")


def _send_errors(request: Request, refusal: Refusal, field: str = "agency") -> dict[str, str]:
    """A refused send in the page's words: beside the form's fields when its input did not
    parse, else beside ``field``."""
    gettext = gettext_for(language_of(request))
    if refusal.code == "validation_error":
        return {name: gettext(SEND_WORDS.get(name, text)) for name, text in refusal.fields.items()}
    return {field: gettext(SEND_WORDS.get(refusal.code, refusal.message))}


def _translations_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 422,
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
    return render(
        request,
        "planner/translations.html",
        context,
        actor=actor,
        status_code=status if errors else 200,
    )


@router.get("/planner/translations", response_class=HTMLResponse)
def late_jobs(request: Request, db: Session, actor: access.PlannerPage) -> HTMLResponse:
    """Forms waiting to be sent (with each agency's room this week and the due date),
    and jobs overdue or due within a day, with another agency to give each one to."""
    return _translations_page(request, db, actor)


async def send_form(request: Request) -> dict[str, Any]:
    """The sending form as typed: the ticked forms, the agency and the term."""
    form = await request.form()
    ticked = [str(value) for value in form.getlist("case_id")]
    return {
        "case_id": ticked,
        "agency": form.get("agency") or "",
        "due_days": form.get("due_days") or "",
    }


@router.post("/planner/translations/send", response_class=HTMLResponse)
def send_selection(
    request: Request,
    db: Session,
    actor: access.PlannerPage,
    form: Annotated[dict[str, Any], Depends(send_form)],
) -> HTMLResponse:
    """Send the ticked forms to one agency (``service.send_selection``): what was sent
    and why not is reported per case. Sending again sends nothing twice."""
    typed = attempt(db, lambda: parse_form(TranslationSelectionIn, form))
    if isinstance(typed, Refusal):
        return _translations_page(request, db, actor, form, _send_errors(request, typed))
    sent = service.send_selection(db, actor, typed)
    refused = [outcome for _, outcome in sent if isinstance(outcome, Refusal)]
    if refused and len(refused) == len(sent) and refused[0].code in AGENCY_REFUSALS:
        # Nothing sent for the agency chosen: the form again, the choice beside the field.
        errors = _send_errors(request, refused[0])
        return _translations_page(request, db, actor, form, errors, refused[0].status)
    gettext = gettext_for(language_of(request))
    results = [
        (case, None, gettext(SEND_WORDS.get(job.code, job.message)))
        if isinstance(job, Refusal)
        else (case, job, "")
        for case, job in sent
    ]
    context = {"results": results, "agency": typed.agency}
    return render(request, "planner/translation_result.html", context, actor=actor)


async def request_form(request: Request) -> dict[str, str]:
    """The case page's sending form as typed (``TranslationRequestIn`` parses it)."""
    form = await request.form()
    return {name: str(form.get(name) or "") for name in TranslationRequestIn.model_fields}


@router.post("/planner/cases/{case_id}/translation", response_class=HTMLResponse)
def send_case(
    case: access.SendableCasePage,
    request: Request,
    db: Session,
    actor: access.PlannerPage,
    form: Annotated[dict[str, str], Depends(request_form)],
) -> Response:
    """One case's form to an agency: ``POST /cases/{id}/translation``'s service."""

    def send() -> Translation:
        typed = parse_form(TranslationRequestIn, form)
        return service.request(db, case, actor, typed.agency, typed.due_days)

    sent = attempt(db, send)
    if isinstance(sent, Refusal):
        errors = _send_errors(request, sent)
        return render_case(
            request, db, case, actor, form=form, errors=errors, status_code=sent.status
        )
    return see_other(f"/planner/cases/{case.id}?done=translation")


async def reassign_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {"agency": str(form.get("agency") or "")}


@router.post("/planner/translations/{translation_id}/reassign", response_class=HTMLResponse)
def reassign(
    job: access.PlannersJobPage,
    request: Request,
    db: Session,
    actor: access.PlannerPage,
    form: Annotated[dict[str, str], Depends(reassign_form)],
) -> Response:
    """The API's reassign; a full agency or a closed job is said on the list again."""
    moved = attempt(db, lambda: service.reassign(db, job, parse_form(ReassignIn, form).agency))
    if isinstance(moved, Refusal):
        errors = {f"agency-{job.id}": _send_errors(request, moved)["agency"]}
        return _translations_page(request, db, actor, errors=errors, status=moved.status)
    return see_other("/planner/translations")
