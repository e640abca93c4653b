"""The kiosk (applicant) and the form definitions; staff read submitted answers."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Response, UploadFile
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.audio import OGG_MEDIA_TYPE
from service.core.routing import UnitOfWorkRoute, WritingReadRoute
from service.questionnaires import access, service, voice
from service.questionnaires.exceptions import FormNotFound, FormNotStarted
from service.questionnaires.forms import DEFAULT_FORM, available_forms, load_form
from service.questionnaires.schemas import (
    AnswerSetOut,
    AnswersIn,
    KioskView,
    RecordingOut,
    SavedAnswersOut,
)

router = APIRouter(tags=["questionnaires"], route_class=UnitOfWorkRoute)
FormId = Annotated[str, Query(max_length=60)]


@router.get("/forms")
def list_forms(_: access.FormReader) -> list[dict[str, Any]]:
    return [{"id": f, "version": v} for f, v in available_forms()]


@router.get("/forms/{form_id}")
def get_form(
    form_id: Annotated[str, Path(max_length=60)],
    _: access.FormReader,
    language: Annotated[str, Query(max_length=10)] = "nl",
) -> dict[str, Any]:
    """The latest version of a form in one language (`dir` tells rtl or ltr)."""
    form = load_form(form_id)
    if language not in form.languages:
        raise FormNotFound(
            f"Form '{form_id}' has no '{language}' text; languages: {', '.join(form.languages)}."
        )
    return form.localised(language)


def kiosk_form(db: Session, actor: access.Applicant) -> KioskView:
    """What the kiosk shows: the form in the applicant's language and what they saved.
    A form whose time is up is handed in as saved when read, as the kiosk pages do
    (`case_state` then says `submitted`)."""
    kiosk = service.kiosk_form(db, service.applicant_case_id(actor))
    case, answer_set = kiosk.case, kiosk.answer_set
    form = service.form_of(answer_set) if answer_set else service.form_for(case)
    language = answer_set.language if answer_set else service.form_language(form, case)
    return KioskView(
        case_state=case.state,
        form=form.localised(language),
        answer_set=AnswerSetOut.model_validate(answer_set) if answer_set else None,
        recordings=[
            RecordingOut.model_validate(r) for r in voice.recordings_of(db, answer_set).values()
        ],
    )


# Reading the form may hand it in (its time is up): the read begins as a writer.
router.add_api_route(
    "/kiosk/form", kiosk_form, methods=["GET"], route_class_override=WritingReadRoute
)


@router.post("/kiosk/start")
def kiosk_start(case: access.ApplicantCase, db: Session, actor: access.Applicant) -> AnswerSetOut:
    """Start the form; the time limit (4 hours) runs from now."""
    return AnswerSetOut.model_validate(service.start(db, case, actor))


@router.put("/kiosk/answers")
def kiosk_save(body: AnswersIn, db: Session, actor: access.Applicant) -> SavedAnswersOut:
    """Save answers to any questions as the applicant goes (the kiosk's autosave).

    The kiosk pages' rule: every valid answer is saved even when others are not, so
    nothing typed is lost for one mistake. The answers refused are left out (their old
    value stays) and listed in `problems` with the reason, and the response is still 200.
    A form whose time is up answers 409 `form_closed`, having handed in what was saved."""
    case_id = service.applicant_case_id(actor)
    return _saved(service.save_section(db, case_id, None, body.answers, body.typed_by))


@router.put("/kiosk/sections/{section_id}")
def kiosk_save_section(
    section_id: Annotated[str, Path(max_length=60)],
    body: AnswersIn,
    db: Session,
    actor: access.Applicant,
) -> SavedAnswersOut:
    """Save one section's answers, as the kiosk's section page does (the same rule):
    every valid answer is saved; the refused ones are listed in `problems` (their old
    value stays) and the section's required answers still blank in `missing`, with a 200,
    so nothing typed is lost for one mistake. Answers to another section's questions are
    refused as a whole (422 `invalid_answers`); an unknown section is 404. A form whose
    time is up answers 409 `form_closed`, having handed in what was saved."""
    case_id = service.applicant_case_id(actor)
    return _saved(service.save_section(db, case_id, section_id, body.answers, body.typed_by))


@router.post("/kiosk/submit")
def kiosk_submit(case: access.ApplicantCase, db: Session, actor: access.Applicant) -> AnswerSetOut:
    """Hand in the form; every required question must have an answer."""
    return AnswerSetOut.model_validate(service.submit(db, case, actor))


QuestionPath = Annotated[str, Path(max_length=60)]
Seconds = Annotated[float, Form(ge=0, le=3600, description="The kiosk's measure of its length")]
Sha256 = Annotated[str, Form(min_length=64, max_length=64, description="SHA-256 of the file")]


@router.put("/kiosk/questions/{question_id}/recording")
def kiosk_save_recording(
    question_id: QuestionPath,
    file: UploadFile,
    seconds: Seconds,
    sha256: Sha256,
    db: Session,
    actor: access.Applicant,
) -> RecordingOut:
    """A spoken answer to one question (WebM or Ogg with Opus, as the browser records
    it), with its measured length and SHA-256. Decoded in full: a file cut short (shorter
    than measured), not audio, over 2 MB or longer than the question allows is refused
    (422 `recording_refused`). Kept as Ogg Opus without re-encoding; the same upload
    twice changes nothing; recording again replaces the answer."""
    data = voice.read_recording(file)
    case_id = service.applicant_case_id(actor)
    return RecordingOut.model_validate(
        voice.save_recording(db, case_id, question_id, data, seconds, sha256)
    )


@router.get(
    "/kiosk/questions/{question_id}/recording",
    response_class=Response,
    responses={200: {"content": {OGG_MEDIA_TYPE: {}}, "description": "Ogg Opus"}},
)
def kiosk_recording(question_id: QuestionPath, db: Session, actor: access.Applicant) -> Response:
    """The applicant's own spoken answer, to listen back."""
    recording = voice.kiosk_recording(db, service.applicant_case_id(actor), question_id)
    return Response(recording.content, media_type=OGG_MEDIA_TYPE)


@router.delete("/kiosk/questions/{question_id}/recording", status_code=204)
def kiosk_delete_recording(question_id: QuestionPath, db: Session, actor: access.Applicant) -> None:
    """Take a spoken answer back (while the form is open)."""
    voice.delete_recording(db, service.applicant_case_id(actor), question_id)


def _saved(saved: service.SectionSaved) -> SavedAnswersOut:
    report = {"problems": saved.problems, "missing": saved.missing}
    return SavedAnswersOut.model_validate({**saved.answer_set, **report})


@router.get("/cases/{case_id}/answers", dependencies=[audited("answers.read")])
def case_answers(
    case: access.AnswersAccount, db: Session, actor: access.AnswerReader
) -> AnswerSetOut:
    """The applicant's original answers (never changed by corrections)."""
    answer_set = service.answer_set_of(db, case)
    if answer_set is None:
        raise FormNotStarted("This case has no answers yet.")
    return AnswerSetOut.model_validate(answer_set)


@router.get(
    "/cases/{case_id}/recordings/{question_id}",
    response_class=Response,
    responses={200: {"content": {OGG_MEDIA_TYPE: {}}, "description": "Ogg Opus"}},
    dependencies=[audited("answers.recording")],
)
def case_recording(
    case: access.AnswersAccount, question_id: QuestionPath, db: Session, _: access.AnswerReader
) -> Response:
    """The applicant's spoken answer to a question (the original, never changed)."""
    recording = voice.case_recording(db, case, question_id)
    return Response(recording.content, media_type=OGG_MEDIA_TYPE)


__all__ = ["DEFAULT_FORM", "router"]
