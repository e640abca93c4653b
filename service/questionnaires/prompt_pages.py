"""The interpreter's pages: record each spoken prompt of a draft form version in the
browser, listen back, record again. Published versions are shown, not changed.

A version the form owner drafts in the service (service/proposals) is recorded here too,
in its own folder: publishing it waits for the recordings of its changed texts.

The page's script records with MediaRecorder (``audio/webm;codecs=opus``) and sends the
recording with the duration its timer measured and the SHA-256 it computed; without the
script, a file input sends a recording made elsewhere through the same action
(``prompts.record_prompt``), which checks it whole and remuxes it to Ogg Opus.
"""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core import audio
from service.core.errors import DomainError, NotFound
from service.core.formatting import in_language
from service.core.i18n import language_of
from service.core.web import page_router, render
from service.models.auth import User
from service.models.proposals import DraftStatus, FormDraft
from service.questionnaires import prompts
from service.questionnaires.access import InterpreterPage, PromptListenerPage
from service.questionnaires.forms import (
    FormDefinition,
    available_forms,
    load_form,
    published_registry,
)

router = page_router()
JSON = "application/json"


def _form(db: Session, form_id: str, version: int) -> tuple[FormDefinition, bool]:
    """A version in forms/ or one the form owner drafts in the service (its prompts are
    recorded before it is published), and whether it is published (frozen)."""
    if (form_id, version) in available_forms():
        return load_form(form_id, version), f"{form_id}@{version}" in published_registry()
    draft = db.scalar(
        select(FormDraft).where(FormDraft.form_id == form_id, FormDraft.version == version)
    )
    form = _draft_form(draft) if draft is not None else None
    if draft is None or form is None:
        raise NotFound("No such form version.")
    return form, draft.status != DraftStatus.DRAFT


def _draft_form(draft: FormDraft) -> FormDefinition | None:
    """The draft as a form, None while texts are missing (translate first, then record)."""
    try:
        return FormDefinition.model_validate(draft.content)
    except ValidationError:
        return None


def _open_drafts(db: Session) -> list[FormDefinition]:
    drafts = db.scalars(select(FormDraft).where(FormDraft.status == DraftStatus.DRAFT))
    return [form for draft in drafts if (form := _draft_form(draft)) is not None]


@router.get("/interpreter", response_class=HTMLResponse)
def start(request: Request, db: Session, actor: PromptListenerPage) -> HTMLResponse:
    """Every form version (the drafts in the service too) and, per language, how many
    prompts are recorded."""
    registry = published_registry()
    versions = []
    for form_id, version in available_forms():
        form = load_form(form_id, version)
        versions.append((form, form.key in registry, prompts.prompt_status(form)))
    for form in _open_drafts(db):
        versions.append((form, False, prompts.prompt_status(form)))
    versions.sort(key=lambda found: found[1])  # drafts first: they are the work
    return render(request, "interpreter/start.html", {"versions": versions}, actor=actor)


@router.get("/interpreter/forms/{form_id}/{version}/{language}", response_class=HTMLResponse)
def prompts_page(
    request: Request,
    db: Session,
    form_id: str,
    version: int,
    language: str,
    actor: PromptListenerPage,
) -> HTMLResponse:
    """Every prompt of one version in one language: its text, origin, and recorder."""
    form, published = _form(db, form_id, version)
    if language not in prompts.prompt_languages(form):
        raise NotFound("No such prompt.")
    manifest = prompts.load_manifest(form_id, version).get(language, {})
    rows = [
        (
            item,
            manifest.get(item.id),
            prompts.prompt_file(form_id, version, language, item.id) is not None,
            prompts.intact_prompt_file(form_id, version, language, item.id) is not None,
        )
        for item in prompts.prompt_items(form)
    ]
    context = {
        "form": form,
        "language": language,
        "rows": rows,
        "published": published,
        "may_record": actor.role == "interpreter",
        "done": request.query_params.get("recorded", ""),
    }
    return render(request, "interpreter/prompts.html", context, actor=actor)


@router.get("/interpreter/audio/{form_id}/{version}/{language}/{item_id}.ogg")
def prompt_audio(
    form_id: str, version: int, language: str, item_id: str, actor: PromptListenerPage
) -> FileResponse:
    """The prompt as it is now (Ogg Opus)."""
    path = prompts.prompt_file(form_id, version, language, item_id)
    if path is None:
        raise NotFound("No such prompt.")
    return FileResponse(path, media_type="audio/ogg")


@router.post(
    "/interpreter/forms/{form_id}/{version}/{language}/{item_id}",
    dependencies=[audited("forms.prompt.record")],
)
def record(
    request: Request,
    db: Session,
    form_id: str,
    version: int,
    language: str,
    item_id: str,
    actor: InterpreterPage,
    audio_file: Annotated[UploadFile, File(alias="audio")],
    seconds: Annotated[float | None, Form(ge=0, le=3600)] = None,
    sha256: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Store the interpreter's recording of one prompt; the script gets JSON, a plain
    form post comes back to the list. A refusal says why in the page's language."""
    form, published = _form(db, form_id, version)
    data = audio_file.file.read(audio.MAX_UPLOAD_BYTES + 1)
    interpreter = db.get(User, actor.user_id)
    assert interpreter is not None
    wants_json = JSON in request.headers.get("accept", "")
    try:
        record = prompts.record_prompt(
            form,
            published=published,
            language=language,
            item_id=item_id,
            data=data,
            measured_seconds=seconds,
            claimed_sha256=sha256 or audio.sha256(data),
            recorded_by=interpreter.username,
        )
    except DomainError as refusal:
        if not wants_json or refusal.status == 404:
            raise
        message = in_language(refusal.detail, language_of(request))
        return JSONResponse({"code": refusal.code, "detail": message}, status_code=refusal.status)
    if wants_json:
        return JSONResponse(
            {"recorded": True, "duration": record.duration, "sha256": record.sha256}
        )
    back = f"/interpreter/forms/{form_id}/{version}/{language}?recorded={item_id}#{item_id}"
    return RedirectResponse(back, status_code=303)


__all__ = ["router"]
