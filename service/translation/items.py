"""The one adapter from a form's answers to the items everyone works with.

XLIFF units, the side-by-side pages, the corrections and the PDF dossier all read the
answers through ``answer_items``: one item per answer with a stable key, the question
in the applicant's language and in Dutch, and the answer as display text in the
applicant's own script. When the questionnaires domain offers its own flattening of
richer forms (``FormDefinition.answer_items``, issue 8), only this module changes.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.formatting import in_english
from service.core.i18n import N_
from service.models.questionnaires import AnswerSet, VoiceRecording
from service.questionnaires.forms import AnswerItem as FormItem
from service.questionnaires.forms import FormDefinition, QuestionType, load_form

STAFF_LANGUAGE = "nl"


@dataclass(frozen=True)
class AnswerItem:
    key: str  # stable per answer: the XLIFF unit id, the corrections' answer key
    question: str  # in the applicant's language
    question_nl: str
    text: str  # the answer as the applicant gave it, in their script
    value: Any  # the answer as stored (a choice's value, true/false)
    kind: str  # the question type: text, long_text, date, number, yes_no, choice, ...
    note: str  # what a translator must know (format of a date, the choice's value)
    known_nl: str = ""  # the Dutch where the form knows it (yes/no, a choice): a prefill
    # A spoken answer: the SHA-256 of its Ogg Opus recording and its length.
    recording_sha256: str = ""
    recording_ms: int = 0
    # Assisted filling: the role of the helper who typed the answer ("host",
    # "interpreter"); blank: the applicant gave it themself.
    typed_by: str = ""

    @property
    def spoken(self) -> bool:
        return self.kind == VOICE


# A spoken answer is an item of its own, keyed "<question>.voice", beside any typed
# answer to the question; its text names the recording in the agency's package.
VOICE = "voice"
VOICE_SUFFIX = ".voice"


def recording_path(key: str) -> str:
    """Where a spoken answer's recording lies in the agency's package."""
    return f"recordings/{key}.ogg"


def question_of(key: str) -> str:
    return key.split(".")[0]


def form_of(answer_set: AnswerSet) -> FormDefinition:
    return load_form(answer_set.form_id, answer_set.form_version)


def answer_items(answer_set: AnswerSet) -> list[AnswerItem]:
    """Every given answer of the form, in the form's order: the questionnaires domain
    flattens it (groups, follow-up questions); this adds the Dutch question and a note."""
    form = form_of(answer_set)
    own = form.answer_items(answer_set.answers, answer_set.language)
    dutch = {item.key: item for item in form.answer_items(answer_set.answers, STAFF_LANGUAGE)}
    typists = answer_set.typists or {}
    items = [
        _item(item, dutch[item.key], typists.get(question_of(item.key), {}).get("role", ""))
        for item in own
    ] + _spoken(form, answer_set)
    order = {q.id: i for i, q in enumerate(form.questions)}
    # In the form's order; a question's spoken answer after its typed one.
    return sorted(items, key=lambda i: (order.get(question_of(i.key), len(order)), i.spoken))


def recordings_of(answer_set: AnswerSet) -> list[VoiceRecording]:
    db = Session.object_session(answer_set)
    if db is None:
        return []
    return list(
        db.scalars(
            select(VoiceRecording)
            .where(VoiceRecording.answer_set_id == answer_set.id)
            .order_by(VoiceRecording.question_id)
        )
    )


def _spoken(form: FormDefinition, answer_set: AnswerSet) -> list[AnswerItem]:
    items = []
    for recording in recordings_of(answer_set):
        question = form.question(recording.question_id)
        if question is None:
            continue
        key = recording.question_id + VOICE_SUFFIX
        items.append(
            AnswerItem(
                key=key,
                question=question.label.get(answer_set.language, question.id),
                question_nl=question.label.get(STAFF_LANGUAGE, question.id),
                text=f"[audio: {recording_path(key)}]",
                value=None,
                kind=VOICE,
                note=in_english(
                    N_(
                        "spoken answer: listen to %(file)s; write down what is said in the "
                        "applicant's language (the transcription) and translate it into Dutch"
                    ),
                    file=recording_path(key),
                ),
                recording_sha256=recording.sha256,
                recording_ms=recording.duration_ms,
            )
        )
    return items


# Answers the form defines itself: their Dutch is the form's Dutch label.
KNOWN_IN_DUTCH = frozenset({QuestionType.YES_NO, QuestionType.CHOICE, QuestionType.MULTI_CHOICE})


def _question(item: FormItem) -> str:
    return f"{item.group_label}: {item.label}" if item.group_label else item.label


def _item(item: FormItem, dutch: FormItem, typed_by: str) -> AnswerItem:
    return AnswerItem(
        key=item.key,
        question=_question(item),
        question_nl=_question(dutch),
        text=item.text,
        value=item.value,
        kind=item.kind.value,
        note=_note(item, dutch),
        known_nl=dutch.text if item.kind in KNOWN_IN_DUTCH else "",
        typed_by=typed_by,
    )


def _note(item: FormItem, dutch: FormItem) -> str:
    """What a translator must know about an answer that is not free text: in English in
    the XLIFF file, in the page's language on the agency's pages (``in_language``)."""
    match item.kind:
        case QuestionType.CHOICE | QuestionType.MULTI_CHOICE:
            return in_english(
                N_("choice %(value)s, in Dutch: %(dutch)s"),
                value=repr(item.value),
                dutch=dutch.text,
            )
        case QuestionType.YES_NO:
            return in_english(N_("yes/no answer, in Dutch: %(dutch)s"), dutch=dutch.text)
        case QuestionType.DATE:
            return N_(
                "a date as the applicant knows it (perhaps partial or approximate): keep it so"
            )
        case QuestionType.NUMBER:
            return N_("a number")
        case _:
            return ""
