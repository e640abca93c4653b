"""The partners' and the form owner's pages: propose a question, follow a proposal's
steps, review (accept into the draft, reject with a reason), publish a version."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.formatting import language_in
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render, see_other
from service.models.proposals import FormDraft, Proposal, ProposalKind, ProposedType
from service.proposals import access, queries, service
from service.proposals.schemas import DecisionIn, ProposalIn, SourceTextIn
from service.proposals.texts import texts_of
from service.questionnaires.forms import DEFAULT_FORM, SOURCE_LANGUAGE
from service.questionnaires.prompts import RecordingState
from service.translation import xliff
from service.translation.api import read_upload

router = page_router()

KIND_LABELS = {
    ProposalKind.ADD: N_("New question"),
    ProposalKind.CHANGE: N_("New wording"),
    ProposalKind.REMOVE: N_("Remove the question"),
}
TYPE_LABELS = {
    ProposedType.LONG_TEXT: N_("Open answer, several lines"),
    ProposedType.TEXT: N_("Open answer, one line"),
    ProposedType.DATE: N_("Date (the year is enough)"),
    ProposedType.NUMBER: N_("Number"),
    ProposedType.YES_NO: N_("Yes or no"),
    ProposedType.CHOICE: N_("Choice of one option"),
    ProposedType.MULTI_CHOICE: N_("Choice of several options"),
}
STATUS_LABELS = {
    "proposed": N_("Awaiting review"),
    "accepted": N_("Accepted into a draft"),
    "rejected": N_("Rejected"),
    "published": N_("Published"),
    "draft": N_("Draft"),
}
FIELD_WORDS = {
    "kind": N_("Choose what you propose."),
    "section_id": N_("Choose the section."),
    "question_id": N_("Enter the question's id: lower-case letters, digits and _."),
    "label": N_("Give the question's wording in Dutch."),
    "question_type": N_("Choose the kind of answer."),
    "options": N_("Give each option in at most 200 characters, at most 20 options."),
    "reason": N_("Give the reason (at least 3 characters)."),
}
REJECT_WORDS = {"reason": N_("Give the reason for rejecting (at least 3 characters).")}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(value) for name, value in form.items() if isinstance(value, str)}


Form = Annotated[dict[str, str], Depends(_form)]


def _common(request: Request) -> dict[str, Any]:
    return {"KIND_LABELS": KIND_LABELS, "STATUS_LABELS": STATUS_LABELS, "TYPE_LABELS": TYPE_LABELS}


def _errors(request: Request, refusal: Refusal | None, field: str) -> dict[str, str]:
    return refusal.errors(language_of(request), field) if refusal else {}


# --- the partner ---------------------------------------------------------------------------


@router.get("/partner", response_class=HTMLResponse)
def partner_start(request: Request, db: Session, actor: access.ProposerPage) -> HTMLResponse:
    return _partner_page(request, db, actor)


def _partner_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    gettext = gettext_for(language_of(request))
    definition = service.latest_published(db, DEFAULT_FORM)
    draft = service.open_draft(db, DEFAULT_FORM)
    sections = (draft.content["sections"] if draft else None) or [
        s.model_dump(mode="json") for s in definition.sections
    ]
    context = {
        **_common(request),
        "proposals": queries.visible_proposals(db, actor),
        "sections": sections,
        "source": SOURCE_LANGUAGE,
        "section_options": [("", gettext("Choose a section"))]
        + [(s["id"], s["title"].get(SOURCE_LANGUAGE, s["id"])) for s in sections],
        "kind_options": [(k.value, gettext(label)) for k, label in KIND_LABELS.items()],
        "type_options": [(t.value, gettext(label)) for t, label in TYPE_LABELS.items()],
        "form": form or {},
        "refusal": refusal,
        "errors": _errors(request, refusal, "question_id"),
        "proposed": request.query_params.get("proposed") == "true",
    }
    status = refusal.status if refusal else 200
    return render(request, "proposals/partner.html", context, actor=actor, status_code=status)


@router.post("/partner/proposals", response_class=HTMLResponse)
def propose(request: Request, db: Session, actor: access.ProposerPage, form: Form) -> Response:
    """The API's proposal, from the page's form."""

    def act() -> Proposal:
        # The options are typed one per line; a refused form shows them as typed.
        options = form.get("options", "").splitlines()
        values = {**form, "form_id": DEFAULT_FORM, "options": options}
        return service.propose(db, actor, parse_form(ProposalIn, values, say=FIELD_WORDS))

    done = attempt(db, act)
    if isinstance(done, Refusal):
        return _partner_page(request, db, actor, form, done)
    return see_other(f"/proposals/{done.id}?proposed=true")


# --- one proposal, for its proposer and the owner ------------------------------------------


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    proposal: access.ReadableProposalPage,
    request: Request,
    db: Session,
    actor: access.ReaderPage,
) -> HTMLResponse:
    return _proposal_page(request, db, actor, proposal)


def _proposal_page(
    request: Request,
    db: Session,
    actor: Actor,
    proposal: Proposal,
    form: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    context = {
        **_common(request),
        "proposal": queries.present(db, proposal),
        "reviewer": actor.role in access.OWNERS,
        "names": queries.names_of(db, queries.events_of(db, proposal)),
        "form": form or {},
        "refusal": refusal,
        "errors": _errors(request, refusal, "reason"),
        "proposed": request.query_params.get("proposed") == "true",
    }
    status = refusal.status if refusal else 200
    return render(request, "proposals/proposal.html", context, actor=actor, status_code=status)


@router.post("/form-owner/proposals/{proposal_id}/accept", response_class=HTMLResponse)
def accept(
    proposal: access.OwnersProposalPage, request: Request, db: Session, actor: access.OwnerPage
) -> Response:
    done = attempt(db, lambda: service.accept(db, actor, proposal))
    if isinstance(done, Refusal):
        return _proposal_page(request, db, actor, proposal, None, done)
    return see_other(f"/proposals/{proposal.id}")


@router.post("/form-owner/proposals/{proposal_id}/reject", response_class=HTMLResponse)
def reject(
    proposal: access.OwnersProposalPage,
    request: Request,
    db: Session,
    actor: access.OwnerPage,
    form: Form,
) -> Response:
    def act() -> Proposal:
        return service.reject(db, actor, proposal, parse_form(DecisionIn, form, say=REJECT_WORDS))

    done = attempt(db, act)
    if isinstance(done, Refusal):
        return _proposal_page(request, db, actor, proposal, form, done)
    return see_other(f"/proposals/{proposal.id}")


# --- what changed between two versions ------------------------------------------------------

CHANGE_LABELS = {
    "added": N_("Added"),
    "removed": N_("Removed"),
    "changed": N_("Changed"),
}


@router.get("/form-versions/compare", response_class=HTMLResponse)
def compare_page(request: Request, db: Session, actor: access.ReaderPage) -> HTMLResponse:
    """Two versions side by side, question by question, in a language the form has."""
    gettext = gettext_for(language_of(request))
    versions = service.known_versions(db, DEFAULT_FORM)
    latest = service.latest_published(db, DEFAULT_FORM)
    query = request.query_params

    def chosen(name: str, default: int) -> int:
        value = query.get(name, "")
        return int(value) if value.isdigit() and int(value) in versions else default

    new = chosen("new", versions[-1])
    old = chosen("old", versions[-2] if len(versions) > 1 else new)
    language = query.get("language", SOURCE_LANGUAGE)
    if language not in latest.languages:
        language = SOURCE_LANGUAGE
    version_options = [(str(v), gettext("version %(version)s") % {"version": v}) for v in versions]
    context = {
        "diff": service.compare(db, DEFAULT_FORM, old, new, language),
        "version_options": version_options,
        "language_pairs": [
            (lang, language_in(lang, language_of(request))) for lang in latest.languages
        ],
        "rtl": language in latest.rtl_languages,
        "CHANGE_LABELS": CHANGE_LABELS,
    }
    return render(request, "proposals/compare.html", context, actor=actor)


# --- the form owner ------------------------------------------------------------------------


@router.get("/form-owner", response_class=HTMLResponse)
def owner_start(request: Request, db: Session, actor: access.OwnerPage) -> HTMLResponse:
    return _owner_page(request, db, actor)


def _owner_page(
    request: Request,
    db: Session,
    actor: Actor,
    refused: tuple[uuid.UUID, Refusal] | None = None,
) -> HTMLResponse:
    versions = [(d, _readiness(db, d), _recordings(db, d)) for d in queries.drafts(db)]
    context = {
        **_common(request),
        "proposals": queries.visible_proposals(db, actor),
        "versions": versions,
        "refused": refused,
        "errors": refused[1].errors(language_of(request), "publish") if refused else {},
        "published": request.query_params.get("published") == "true",
    }
    status = refused[1].status if refused else 200
    return render(request, "proposals/owner.html", context, actor=actor, status_code=status)


def _readiness(db: Session, draft: FormDraft) -> list[tuple[str, int, int]]:
    """Per language of a draft: texts not translated, translations stale."""
    if draft.status != "draft":
        return []
    states = service.text_states(db, draft)
    counted = [
        (lang, list(wanted.values()).count("missing"), list(wanted.values()).count("stale"))
        for lang, wanted in states.items()
    ]
    return [row for row in counted if row[1] or row[2]]


def _recordings(db: Session, draft: FormDraft) -> list[tuple[str, int, int]]:
    """Per language in low-literacy mode: prompts not recorded, recorded for an earlier text."""
    if draft.status != "draft":
        return []
    counted = []
    for lang, wanted in service.prompt_states(db, draft).items():
        states = list(wanted.values())
        counted.append(
            (lang, states.count(RecordingState.MISSING), states.count(RecordingState.STALE))
        )
    return counted


@router.post("/form-owner/versions/{draft_id}/publish", response_class=HTMLResponse)
def publish(
    draft: access.OwnersDraftPage, request: Request, db: Session, actor: access.OwnerPage
) -> Response:
    done = attempt(db, lambda: service.publish(db, actor, draft))
    if isinstance(done, Refusal):
        return _owner_page(request, db, actor, (draft.id, done))
    return see_other("/form-owner?published=true")


# --- a draft's texts in translation -------------------------------------------------------

STATE_LABELS = {"missing": N_("Not translated"), "stale": N_("Stale: the Dutch text changed")}
TEXT_WORDS = {"key": N_("Choose the text."), "text": N_("Enter the new Dutch text.")}


@router.get("/agency/form-texts", response_class=HTMLResponse)
def drafts_to_translate(
    request: Request, db: Session, actor: access.TranslatorPage
) -> HTMLResponse:
    """The drafts of the form whose texts wait for translation."""
    open_drafts = [d for d in queries.drafts(db) if d.status == "draft"]
    rows = [(d, service.text_states(db, d)) for d in open_drafts]
    return render(request, "proposals/drafts_to_translate.html", {"rows": rows}, actor=actor)


@router.get("/form-versions/{draft_id}/translations", response_class=HTMLResponse)
def translations_page(
    draft: access.TranslatorsDraftPage, request: Request, db: Session, actor: access.TranslatorPage
) -> HTMLResponse:
    return _translations_page(request, db, actor, draft)


def _translations_page(
    request: Request,
    db: Session,
    actor: Actor,
    draft: FormDraft,
    refusal: Refusal | None = None,
    form: dict[str, str] | None = None,
    language: str = "",
) -> HTMLResponse:
    states = service.text_states(db, draft) if draft.status == "draft" else {}
    sources = dict(texts_of(draft.content))
    context = {
        "draft": draft,
        "states": states,
        "sources": {key: texts[SOURCE_LANGUAGE] for key, texts in sources.items()},
        "STATE_LABELS": STATE_LABELS,
        "owner": actor.role in access.OWNERS,
        "key_options": [(key, key) for key in sources],
        "form": form or {},
        "refusal": refusal,
        "refused_language": language,
        "errors": _errors(request, refusal, "file" if language else "text"),
        "done": request.query_params.get("done") == "true",
    }
    status = refusal.status if refusal else 200
    return render(request, "proposals/translations.html", context, actor=actor, status_code=status)


@router.get("/form-versions/{draft_id}/translations/{language}.xlf")
def download_package(draft: access.TranslatorsDraftPage, language: str, db: Session) -> Response:
    data = service.translation_package(db, draft, language)
    name = f"form-{draft.form_id}-v{draft.version}-{language}.xlf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=xliff.MEDIA_TYPE, headers=headers)


@router.post("/form-versions/{draft_id}/translations/{language}", response_class=HTMLResponse)
def upload_translation(
    draft: access.TranslatorsDraftPage,
    language: str,
    request: Request,
    db: Session,
    actor: access.TranslatorPage,
    file: UploadFile | None = None,
) -> Response:
    """The API's delivery of a translated XLIFF, from the page's upload."""

    def act() -> int:
        return service.receive_translation(db, actor, draft, language, read_upload(file) or b"")

    done = attempt(db, act)
    if isinstance(done, Refusal):
        return _translations_page(request, db, actor, draft, done, language=language)
    return see_other(f"/form-versions/{draft.id}/translations?done=true")


@router.post("/form-owner/versions/{draft_id}/texts", response_class=HTMLResponse)
def edit_text(
    draft: access.OwnersDraftPage,
    request: Request,
    db: Session,
    actor: access.OwnerPage,
    form: Form,
) -> Response:
    """The API's rewording of a Dutch text, from the page's form."""

    def act() -> FormDraft:
        return service.edit_source(db, actor, draft, parse_form(SourceTextIn, form, say=TEXT_WORDS))

    done = attempt(db, act)
    if isinstance(done, Refusal):
        return _translations_page(request, db, actor, draft, done, form)
    return see_other(f"/form-versions/{draft.id}/translations?done=true")


# --- the lawyer prepares the client -------------------------------------------------------


@router.get("/lawyer/cases/{case_id}/form-preview", response_class=HTMLResponse)
def form_preview(
    case: access.PreparersCasePage, request: Request, db: Session, actor: access.PreparerPage
) -> HTMLResponse:
    """The current form's topics in the client's language, before the session."""
    asked = request.query_params.get("language")
    shown = service.preview(db, case, asked)
    context = {
        "case": case,
        "preview": shown,
        "language_options": [
            (lang, language_in(lang, language_of(request))) for lang in shown.languages
        ],
    }
    return render(request, "proposals/form_preview.html", context, actor=actor)
