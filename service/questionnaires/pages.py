"""The kiosk: the applicant's pages, in their language, working without JavaScript.

code → language → own consent → sections (back and forward, saved on every post and by
autosave) → review → submit. Every page checks the time: past the deadline the form is
handed in as saved. Submitting, declining or time-up ends the kiosk sign-in, and the
pages are never cached (``no-store``), so Back shows nothing of the applicant.

The planner's form page (``/planner/forms``) lists the form versions and what a sworn
translator has not yet signed off, per language.
"""

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from service.audit.access import about_case, audited
from service.auth import service as auth
from service.auth.exceptions import KioskCodeInvalid
from service.core.actions import Refusal, attempt
from service.core.actor import Actor
from service.core.audio import OGG_MEDIA_TYPE
from service.core.errors import TooManyRequests
from service.core.formatting import LOCAL_TIME
from service.core.i18n import direction, language_name
from service.core.web import (
    client_address,
    cookie_name,
    page_router,
    render,
    see_other,
    set_cookie,
)
from service.models.cases import Case
from service.models.questionnaires import AnswerSet
from service.questionnaires import access, service, voice
from service.questionnaires.access import ApplicantPage, FormManagerPage
from service.questionnaires.check import check_forms
from service.questionnaires.exceptions import NotAssisted
from service.questionnaires.forms import (
    Answers,
    FormDefinition,
    Question,
    QuestionType,
    Section,
)
from service.questionnaires.kiosk_texts import (
    K_,
    KIOSK_LANGUAGES,
    kiosk_gettext,
    kiosk_reviews,
)
from service.questionnaires.prompts import prompt_status
from service.questionnaires.schemas import TypedBy
from service.questionnaires.service import FormStatus
from service.workflow import CaseState

router = page_router()
# The kiosks' autosave alone: the busiest route, matched before every other (main.py).
autosave_router = page_router()
Language = Annotated[str, Query(max_length=10)]
OUTCOMES = ("submitted", "declined", "time", "closed")


class PostedFields:
    """The posted fields, read on the event loop (the endpoint's thread does no I/O)."""

    def __init__(self, form_data: FormData) -> None:
        self.items = [(k, v) for k, v in form_data.multi_items() if isinstance(v, str)]

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.items if k == name), None)

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.items if k == name]

    def names(self) -> set[str]:
        return {k for k, _ in self.items}


async def posted_fields(request: Request) -> PostedFields:
    return PostedFields(await request.form())


Posted = Annotated[PostedFields, Depends(posted_fields)]
SectionId = Annotated[str, Path(max_length=60)]


# --- rendering ----------------------------------------------------------------------------


def kiosk_language(language: str | None) -> str:
    return language if language in KIOSK_LANGUAGES else "nl"


def render_kiosk(
    request: Request,
    template: str,
    language: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A kiosk page in the applicant's language (its own catalogue, ``k_``)."""
    deadline = (context or {}).get("deadline")
    page = {
        "lang": language,
        "dir": direction(language),
        "deadline_clock": deadline.astimezone(LOCAL_TIME).strftime("%H:%M") if deadline else "",
        "k_": kiosk_gettext(language),
        "kiosk_languages": [(code, language_name(code)) for code in KIOSK_LANGUAGES],
        **(context or {}),
    }
    return render(request, template, page, status_code=status_code)


def end_kiosk(request: Request, db: Session, response: Response) -> Response:
    """Sign the applicant out for good: the token is revoked, the cookie removed."""
    token = request.cookies.get(access.kiosk_cookie())
    if token:
        auth.revoke_token(db, token)
    response.delete_cookie(access.kiosk_cookie(), path="/")
    return response


def done(request: Request, db: Session, outcome: str, language: str) -> Response:
    return end_kiosk(request, db, see_other(f"/kiosk/done?outcome={outcome}&lang={language}"))


# --- signing in with the code -------------------------------------------------------------


@router.get("/kiosk", response_class=HTMLResponse)
def code_page(request: Request, db: Session, lang: Language = "nl") -> Response:
    """Choose a language, then enter the code the host gave you. Whoever was signed in
    at this kiosk is signed out first: the page is where the next person begins."""
    language = kiosk_language(lang)
    response = render_kiosk(request, "kiosk/code.html", language, {"errors": {}})
    return end_kiosk(request, db, response)


@router.post("/kiosk", response_class=HTMLResponse)
def redeem_code(
    request: Request,
    db: Session,
    code: Annotated[str, Form(max_length=20)] = "",
    lang: Annotated[str, Form(max_length=10)] = "nl",
) -> Response:
    """Exchange the one-time code for a kiosk sign-in (a cookie), then carry on."""
    language = kiosk_language(lang)
    k_ = kiosk_gettext(language)
    error = None
    status = 422
    if not code.strip():
        error = k_("Type the code from the host.")
    else:
        try:
            device = request.cookies.get(cookie_name(auth.KIOSK_DEVICE_COOKIE))
            token = auth.redeem_kiosk_code(db, code, client_address(request), device)
        except KioskCodeInvalid:
            error = k_("This code does not work. Ask the host for a new code.")
        except TooManyRequests:
            error = k_("Too many tries. Ask the host for help.")
            status = 429
        else:
            response = see_other(f"/kiosk/continue?lang={language}")
            set_cookie(response, access.kiosk_cookie(), token.access_token)
            return response
    context = {"errors": {"code": error}}
    return render_kiosk(request, "kiosk/code.html", language, context, status_code=status)


@router.get("/kiosk/continue")
def resume(request: Request, db: Session, actor: ApplicantPage, lang: Language = "nl") -> Response:
    """Where this applicant stands: consent first, else exactly where they left off."""
    kiosk = service.kiosk_form(db, service.applicant_case_id(actor))
    if kiosk.answer_set is None:
        if kiosk.case.state is not CaseState.CHECKED_IN:
            return done(request, db, "closed", kiosk_language(lang))
        return see_other(f"/kiosk/consent?lang={kiosk_language(lang)}")
    if kiosk.status is not FormStatus.OPEN:
        return closed(request, db, kiosk)
    answer_set = kiosk.answer_set
    form = service.form_of(answer_set)
    position = answer_set.position or form.sections[0].id
    return see_other(f"/kiosk/sections/{position}")


# --- consent -------------------------------------------------------------------------------


@router.get("/kiosk/consent", response_class=HTMLResponse)
def consent_page(
    request: Request, db: Session, actor: ApplicantPage, lang: Language = "nl"
) -> Response:
    """Before the first question: does the applicant themself agree to the written hearing?"""
    before = before_consent(db, actor, lang)
    if isinstance(before, Response):
        return before
    _case, form, language = before
    context = {"form": form, "languages": _languages(form), "errors": {}}
    return render_kiosk(request, "kiosk/consent.html", language, context)


@router.post("/kiosk/consent", response_class=HTMLResponse)
def give_consent(
    request: Request,
    db: Session,
    actor: ApplicantPage,
    lang: Annotated[str, Form(max_length=10)] = "nl",
    choice: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Yes starts the form in the chosen language; no ends the written track."""
    before = before_consent(db, actor, lang)
    if isinstance(before, Response):
        return before
    case, form, language = before
    if choice == "yes":
        started = service.start(db, case, actor, language)
        return see_other(f"/kiosk/sections/{started.position or form.sections[0].id}")
    if choice == "no":
        service.decline(db, case, actor)
        return done(request, db, "declined", language)
    k_ = kiosk_gettext(language)
    context = {
        "form": form,
        "languages": _languages(form),
        "errors": {"choice": k_("Choose yes or no.")},
    }
    return render_kiosk(request, "kiosk/consent.html", language, context, status_code=422)


# --- sections -----------------------------------------------------------------------------


Return = Annotated[str, Query(alias="return", max_length=10)]


@router.get(
    "/kiosk/sections/{section_id}",
    response_class=HTMLResponse,
    dependencies=[audited("kiosk.section")],
)
def section_page(
    section_id: SectionId,
    request: Request,
    db: Session,
    actor: ApplicantPage,
    add: Annotated[str, Query(max_length=60)] = "",
    return_to: Return = "",
) -> Response:
    """One section's questions with what was saved; ``add`` shows one more group item;
    ``return=review``: opened from the review, saving goes straight back there."""
    opened = open_form(request, db, actor)
    if isinstance(opened, Response):
        return opened
    _case, answer_set = opened
    form = service.form_of(answer_set)
    section = service.section_of(form, section_id)
    answer_set.position = section.id  # a new kiosk resumes here
    return _render_section(
        request, form, answer_set, section, {}, {}, extra_item=add, to_review=_to_review(return_to)
    )


@router.post(
    "/kiosk/sections/{section_id}",
    response_class=HTMLResponse,
    dependencies=[audited("kiosk.save")],
)
def save_section(
    section_id: SectionId,
    request: Request,
    db: Session,
    actor: ApplicantPage,
    fields: Posted,
    return_to: Return = "",
) -> Response:
    """Save this section (a plain form post), then go where the applicant asked:
    back, forward, review, or add or remove an item of a repeatable group. Going on with
    required answers still blank shows them beside their fields once (saved as they
    are); going on again carries on: they can be answered before handing in."""
    opened = open_form(request, db, actor)
    if isinstance(opened, Response):
        return opened
    case, answer_set = opened
    form = service.form_of(answer_set)
    section = service.section_of(form, section_id)
    to_review = _to_review(return_to)
    shown_before = {q.id for q in section.questions if form.visible(q, answer_set.answers)}
    answers, raw = parse_section(section, fields)
    again = partial(_render_section, request, form, answer_set, section, raw, to_review=to_review)
    try:
        saved = service.save_section(db, case.id, section.id, answers, typed_by(fields))
    except NotAssisted as refused:  # nothing was saved: the answers are shown as sent
        k_ = kiosk_gettext(kiosk_language(answer_set.language))
        return again({TYPED_BY: k_(refused.detail)}, status_code=refused.status)
    db.refresh(answer_set)
    if saved.problems:
        errors = {**saved.missing, **saved.problems}
        return again(errors, status_code=422, missing=list(saved.missing))
    action = fields.get("action") or "next"
    moved = _within(
        db,
        case.id,
        form,
        section,
        shown_before,
        answer_set.answers,
        action,
        to_review,
        typed_by(fields),
    )
    if moved is not None:
        return moved
    if saved.missing and not set(saved.missing) <= set(fields.getlist("missing_shown")):
        # Told once, beside the fields; the same blanks do not stop the applicant again.
        return again(saved.missing, missing=list(saved.missing))
    index = form.sections.index(section)
    if to_review or action == "review" or index + 1 == len(form.sections):
        return see_other("/kiosk/review")
    return see_other(f"/kiosk/sections/{form.sections[index + 1].id}")


def _within(
    db: Session,
    case_id: uuid.UUID,
    form: FormDefinition,
    section: Section,
    shown_before: set[str],
    answers: Answers,
    action: str,
    to_review: bool,
    typist: TypedBy = TypedBy.APPLICANT,
) -> Response | None:
    """Where adding or removing a group's item, going back, or a follow-up question that
    an answer revealed takes the applicant; None: on to the next part."""
    here = f"/kiosk/sections/{section.id}"
    back_to = "?return=review" if to_review else ""  # this page again, still on the way back
    kind, _, target = action.partition(":")
    if kind == "add":
        also = "&return=review" if to_review else ""
        return see_other(f"{here}?add={target}{also}#{target}")
    if kind == "remove":
        group_id, _, item = target.partition(":")
        if item.isdigit():
            service.remove_item(db, case_id, group_id, int(item), typist)
        return see_other(f"{here}{back_to}")
    revealed = [
        q.id for q in section.questions if q.id not in shown_before and form.visible(q, answers)
    ]
    if revealed:  # an answer opened a follow-up question on this page
        return see_other(f"{here}{back_to}#q-{revealed[0]}")
    if kind == "back":
        index = form.sections.index(section)
        return see_other(f"/kiosk/sections/{form.sections[max(index - 1, 0)].id}")
    return None


def _to_review(return_to: str) -> bool:
    return return_to == "review"


@autosave_router.post("/kiosk/autosave/{section_id}")
def autosave(section_id: SectionId, db: Session, actor: ApplicantPage, fields: Posted) -> Response:
    """What the page's script sends as the applicant types: saved at once (the same
    fields as the section's form post); answers not valid yet are reported, not kept.
    A closed form answers 409 (the script then goes to the page that says why)."""
    case_id = service.applicant_case_id(actor)
    # The fields are read by the questions of the form the sign-in found (the API's save
    # then reads the form with the case's state and writes, as for the API: no read of
    # its own). Whatever is refused, the kiosk's order decides what is said first: a
    # closed form (409), then a part of the form that does not exist (404).
    form = access.signed_in_form(db, actor)
    section = next((s for s in form.sections if s.id == section_id), None) if form else None
    if section is None:
        section = service.section_of(service.form_of(first_open(db, case_id)), section_id)
    answers, _raw = parse_section(section, fields)
    try:
        saved = service.save_section(db, case_id, section.id, answers, typed_by(fields))
    except NotAssisted as refused:  # not 409: the script would leave the page
        error = kiosk_gettext(kiosk_language(first_open(db, case_id).language))(refused.detail)
        return JSONResponse({"saved": False, "error": error}, status_code=422)
    return JSONResponse({"saved": True, "problems": saved.problems})


def first_open(db: Session, case_id: uuid.UUID) -> AnswerSet:
    """The open form, or the refusal that says why (a form whose time is up is handed in)."""
    return service.kiosk_form(db, case_id).open()


# The section form's choice of who is typing (assisted filling).
TYPED_BY = "typed_by"


def typed_by(fields: PostedFields) -> TypedBy:
    """Who typed what the section form sends (the applicant unless the helper is chosen)."""
    chosen = fields.get(TYPED_BY)
    return TypedBy(chosen) if chosen in set(TypedBy) else TypedBy.APPLICANT


# --- spoken answers and recorded prompts (low-literacy mode) --------------------------------


@router.post("/kiosk/questions/{question_id}/recording", dependencies=[audited("kiosk.record")])
def save_recording(
    question_id: SectionId,
    db: Session,
    actor: ApplicantPage,
    file: UploadFile | None = None,
    seconds: Annotated[float, Form(ge=0, le=3600)] = 0,
    sha256: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """What the record control sends when the applicant stops: the API's action, its
    answer for the page's script; a refusal in the applicant's language."""
    kiosk = service.kiosk_form(db, service.applicant_case_id(actor))
    language = kiosk_language(kiosk.answer_set.language if kiosk.answer_set else None)

    def save() -> Any:
        data = voice.read_recording(file)
        return voice.save_recording(db, kiosk.case.id, question_id, data, seconds, sha256)

    saved = attempt(db, save)
    if isinstance(saved, Refusal):
        error = kiosk_gettext(language)(saved.message)
        return JSONResponse({"saved": False, "error": error}, status_code=saved.status)
    return JSONResponse({"saved": True, "duration_ms": saved.duration_ms, "sha256": saved.sha256})


@router.get("/kiosk/questions/{question_id}/recording.ogg")
def recording_audio(question_id: SectionId, db: Session, actor: ApplicantPage) -> Response:
    """The applicant's own spoken answer, to listen back."""
    recording = voice.kiosk_recording(db, service.applicant_case_id(actor), question_id)
    return Response(recording.content, media_type=OGG_MEDIA_TYPE)


@router.post("/kiosk/questions/{question_id}/recording/delete")
def delete_recording(
    question_id: SectionId,
    db: Session,
    actor: ApplicantPage,
    section: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """Delete the spoken answer; the script stays on the page, a plain post goes back."""
    voice.delete_recording(db, service.applicant_case_id(actor), question_id)
    if section:
        return see_other(f"/kiosk/sections/{section}#q-{question_id}")
    return JSONResponse({"deleted": True})


@router.get("/kiosk/prompts/{prompt_id}.ogg")
def prompt_audio(prompt_id: SectionId, db: Session, actor: ApplicantPage) -> Response:
    """A question's, choice's or help text's recorded prompt in the applicant's language."""
    _case, answer_set = service.case_with_answers(db, service.applicant_case_id(actor))
    found = None
    if answer_set is not None:
        found = voice.prompt_file(service.form_of(answer_set), answer_set.language, prompt_id)
    if found is None:
        raise voice.RecordingNotFound("There is no recording for this question.")
    return FileResponse(found, media_type=OGG_MEDIA_TYPE)


@router.get(
    "/cases/{case_id}/recordings/{question_id}.ogg", dependencies=[audited("answers.recording")]
)
def case_recording(
    case: access.AnswersAccountPage,
    question_id: Annotated[str, Path(max_length=120)],
    db: Session,
    _: access.AnswerReaderPage,
) -> Response:
    """The applicant's spoken answer, for the lawyer's and the officer's pages."""
    recording = voice.case_recording(db, case, question_id)
    return Response(recording.content, media_type=OGG_MEDIA_TYPE)


# --- review and submit --------------------------------------------------------------------


@router.get("/kiosk/review", response_class=HTMLResponse, dependencies=[audited("kiosk.review")])
def review_page(request: Request, db: Session, actor: ApplicantPage) -> Response:
    """Every answer on one page, with a way back to each part; then hand it in."""
    opened = open_form(request, db, actor)
    if isinstance(opened, Response):
        return opened
    _case, answer_set = opened
    answer_set.position = None
    return _render_review(request, answer_set, {})


@router.post("/kiosk/submit", response_class=HTMLResponse, dependencies=[audited("kiosk.submit")])
def submit(request: Request, db: Session, actor: ApplicantPage) -> Response:
    """Hand the form in: nothing can be changed afterwards, and the kiosk signs out."""
    opened = open_form(request, db, actor)
    if isinstance(opened, Response):
        return opened
    case, answer_set = opened
    handed_in = attempt(db, lambda: service.submit(db, case, actor))
    if isinstance(handed_in, Refusal):  # required answers blank: the review says which
        return _render_review(request, answer_set, handed_in.fields, status_code=handed_in.status)
    return done(request, db, "submitted", kiosk_language(answer_set.language))


def _render_review(
    request: Request, answer_set: AnswerSet, problems: dict[str, str], *, status_code: int = 200
) -> HTMLResponse:
    form = service.form_of(answer_set)
    language = kiosk_language(answer_set.language)
    items = form.answer_items(answer_set.answers, answer_set.language)
    titles = {s.id: s.title.get(answer_set.language, s.id) for s in form.sections}
    missing = [
        (key, message, _section_of(form, key), form.label_for(key, answer_set.language))
        for key, message in problems.items()
    ]
    context = {
        "form": form,
        "items": items,
        "titles": titles,
        "missing": missing,
        "deadline": answer_set.deadline_at,
        "spoken": voice.recordings_of(_session_of(answer_set), answer_set),
    }
    return render_kiosk(request, "kiosk/review.html", language, context, status_code=status_code)


def _section_of(form: FormDefinition, key: str) -> str:
    top = key.split(".")[0]
    return next((s.id for s in form.sections if any(q.id == top for q in s.questions)), "")


@router.get("/kiosk/done", response_class=HTMLResponse)
def done_page(
    request: Request,
    outcome: Annotated[str, Query(max_length=20)] = "closed",
    lang: Language = "nl",
) -> HTMLResponse:
    """The end: what happens next. Shows nothing about the applicant (the next person
    at this kiosk may press Back)."""
    language = kiosk_language(lang)
    context = {"outcome": outcome if outcome in OUTCOMES else "closed"}
    return render_kiosk(request, "kiosk/done.html", language, context)


@router.get("/kiosk/time-up")
def time_up(request: Request, db: Session, lang: Language = "nl") -> Response:
    """Where the countdown goes at zero. Still signed in: carry on (the form's own check
    hands it in when its time is up). The sign-in ran out with the session window: hand
    in what was saved, unless the sweep already did, and say so. Otherwise the code page.
    A sign-in that has ended opens nothing here: this shows nothing of the applicant."""
    token = request.cookies.get(access.kiosk_cookie())
    if token and auth.actor_for_token(db, token) is not None:
        return see_other(f"/kiosk/continue?lang={kiosk_language(lang)}")
    case_id = auth.kiosk_token_case(db, token) if token else None
    kiosk = service.kiosk_form(db, case_id) if case_id is not None else None
    if kiosk is not None and kiosk.answer_set is not None and kiosk.answer_set.auto_submitted:
        return done(request, db, "time", kiosk_language(kiosk.answer_set.language))
    return end_kiosk(request, db, see_other(f"/kiosk?lang={kiosk_language(lang)}"))


def _languages(form: FormDefinition) -> list[tuple[str, str]]:
    return [(c, language_name(c)) for c in KIOSK_LANGUAGES if c in form.languages]


def before_consent(
    db: Session, actor: Actor, lang: str
) -> tuple[Case, FormDefinition, str] | Response:
    """The case, its form and the chosen language, while consent is still to be given."""
    case, answer_set = service.case_with_answers(db, service.applicant_case_id(actor))
    if answer_set is not None:
        return see_other("/kiosk/continue")
    form = service.form_for(case)
    return case, form, lang if lang in form.languages else "nl"


def open_form(request: Request, db: Session, actor: Actor) -> tuple[Case, AnswerSet] | Response:
    """The applicant's open form, or where to go instead (consent first, or the end).
    The service decides whether it is open (and hands in a form whose time is up)."""
    kiosk = service.kiosk_form(db, service.applicant_case_id(actor))
    about_case(kiosk.case.id)  # the request's audit entry, if any, names the applicant's case
    if kiosk.answer_set is None:
        return see_other("/kiosk/continue")
    if kiosk.status is not FormStatus.OPEN:
        return closed(request, db, kiosk)
    return kiosk.case, kiosk.answer_set


def closed(request: Request, db: Session, kiosk: service.KioskForm) -> Response:
    """The end page for a form that takes no more answers: its time was up (and it was
    handed in as saved), or it was handed in or left the kiosk before."""
    assert kiosk.answer_set is not None
    outcome = "time" if kiosk.status is FormStatus.TIME_UP else "closed"
    return done(request, db, outcome, kiosk_language(kiosk.answer_set.language))


def _render_section(
    request: Request,
    form: FormDefinition,
    answer_set: AnswerSet,
    section: Section,
    raw: dict[str, str],
    errors: dict[str, str],
    *,
    extra_item: str = "",
    status_code: int = 200,
    to_review: bool = False,
    missing: list[str] | None = None,
) -> HTMLResponse:
    """``missing``: which of the errors are required answers still blank (what was given
    is saved; the applicant may go on and answer them later)."""
    index = form.sections.index(section)
    answers = answer_set.answers
    language = kiosk_language(answer_set.language)
    context = {
        "form": form,
        "section": section,
        "index": index,
        "count": len(form.sections),
        "previous": form.sections[index - 1].id if index > 0 else None,
        "next": form.sections[index + 1].id if index + 1 < len(form.sections) else None,
        "questions": [q for q in section.questions if form.visible(q, answers)],
        "answers": answers,
        "raw": raw,
        "errors": errors,
        "error_labels": {key: form.label_for(key, answer_set.language) for key in errors}
        | {TYPED_BY: kiosk_gettext(language)(K_("Who is typing?"))},
        "extra_item": extra_item,
        "to_review": to_review,
        "missing": missing or [],
        "deadline": answer_set.deadline_at,
        "visible": form.visible,
        "field_value": field_value,
        "group_items": group_items,
        # Assisted filling: the helper's role; the form asks who is typing.
        "helper": service.helper_role(_session_of(answer_set), answer_set.case_id),
    }
    context |= _voice_context(form, answer_set)
    return render_kiosk(request, "kiosk/section.html", language, context, status_code=status_code)


def _voice_context(form: FormDefinition, answer_set: AnswerSet) -> dict[str, Any]:
    """Low-literacy mode: which prompts can be heard, which questions can be answered by
    speaking (and their limit), and the recordings already made (also on another kiosk)."""
    db = _session_of(answer_set)
    spoken_mode = voice.low_literacy(db, answer_set.case_id)
    return {
        "spoken_mode": spoken_mode,
        "prompt": lambda prompt_id: _prompt_url(form, answer_set.language, prompt_id),
        "voice_limit": lambda q: voice.max_seconds(q) if voice.speakable(q) else None,
        "recordings": voice.recordings_of(db, answer_set) if spoken_mode else {},
    }


def _session_of(answer_set: AnswerSet) -> Session:
    db = Session.object_session(answer_set)
    assert db is not None
    return db


def _prompt_url(form: FormDefinition, language: str, prompt_id: str) -> str | None:
    found = voice.prompt_file(form, language, prompt_id)
    return None if found is None else f"/kiosk/prompts/{prompt_id}.ogg"


def field_value(question: Question, value: Any) -> str:
    """A stored answer as the input shows it (a date without its estimate mark)."""
    if value is None:
        return ""
    if question.type is QuestionType.DATE:
        return str(value).removeprefix("~")
    return str(value)


def group_items(question: Question, answers: Answers, extra_item: str) -> list[Answers]:
    items = list(answers.get(question.id) or [])
    if extra_item == question.id or len(items) < max(question.min_items, 1):
        items.append({})
    return items[: question.max_items]


def parse_section(section: Section, fields: Any) -> tuple[Answers, dict[str, str]]:
    """The posted fields as answers (strings turned into their types) and the raw text."""
    answers: Answers = {}
    raw: dict[str, str] = {}
    for question in section.questions:
        if question.type is QuestionType.GROUP:
            answers[question.id] = _parse_group(question, fields, raw)
            continue
        if not _posted(question, question.id, fields):
            continue
        answers[question.id] = _parse_value(question, question.id, fields, raw)
    return answers, raw


def _posted(question: Question, name: str, fields: Any) -> bool:
    # Radios and checkboxes send nothing when none is chosen: a marker field says the
    # question was on the page (so clearing a choice clears the answer).
    return f"{name}.shown" in fields.names() or name in fields.names()


def _parse_group(group: Question, fields: Any, raw: dict[str, str]) -> list[Answers] | None:
    indexes = sorted(
        {
            int(name.split(".")[1])
            for name in fields.names()
            if name.startswith(f"{group.id}.") and name.split(".")[1].isdigit()
        }
    )
    items = []
    for index in indexes:
        item = {}
        for sub in group.questions:
            name = f"{group.id}.{index}.{sub.id}"
            if _posted(sub, name, fields):
                value = _parse_value(sub, name, fields, raw)
                if value is not None:
                    item[sub.id] = value
        if item:
            items.append(item)
    return items or None


def _parse_value(question: Question, name: str, fields: Any, raw: dict[str, str]) -> Any:
    text = (fields.get(name) or "").strip()
    match question.type:
        case QuestionType.MULTI_CHOICE:
            return fields.getlist(name) or None
        case QuestionType.YES_NO:
            return {"yes": True, "no": False}.get(text)
        case QuestionType.NUMBER:
            if not text:
                return None
            if text.isdigit():
                return int(text)
            raw[name] = text
            return text  # refused by validation, shown again as typed
        case QuestionType.DATE:
            if not text:
                return None
            raw[name] = text
            return f"~{text}" if fields.get(f"{name}.approx") else text
        case QuestionType.CHOICE:
            return text or None
        case _:
            value = fields.get(name) or ""
            raw[name] = value
            return value if value.strip() else None


# --- the planner's overview of the forms ----------------------------------------------------


@router.get("/planner/forms", response_class=HTMLResponse)
def forms_overview(request: Request, actor: FormManagerPage) -> HTMLResponse:
    """Every form version, its hash, which translations await a sworn translator, and
    per language which spoken prompts are recorded and which are placeholders (decoding
    every prompt is ``hearing forms check``'s work, not this page's)."""
    report = check_forms(prompts=False)
    context = {
        "forms": report.forms,
        "drafts": report.drafts,
        "problems": report.problems,
        "kiosk_reviews": kiosk_reviews(),
        "prompts": {form.key: prompt_status(form) for form in report.forms},
    }
    return render(request, "planner/forms.html", context, actor=actor)


__all__ = ["OUTCOMES", "autosave_router", "router"]
