"""The actions on the form's questions: a partner proposes, the form owner accepts the
proposal into the form's draft version or rejects it, and publishes the draft, which
freezes it. Each step of a proposal is an event (who, role, when, note)."""

import json
import re
import unicodedata
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.errors import Forbidden
from service.core.i18n import N_
from service.core.settings import get_settings
from service.eligibility.service import active_policy
from service.models.cases import Case
from service.models.proposals import (
    CHOICE_PROPOSALS,
    DraftStatus,
    DraftTranslation,
    FormDraft,
    Proposal,
    ProposalEvent,
    ProposalKind,
    ProposalStatus,
    ProposedType,
)
from service.proposals import queries
from service.proposals.exceptions import (
    DraftFrozen,
    DraftIncomplete,
    NoSuchForm,
    ProposalDecided,
    QuestionExists,
    TranslationRefused,
    TypeRefused,
    UnknownQuestion,
    WordingMissing,
)
from service.proposals.schemas import (
    DecisionIn,
    FormPreviewOut,
    PreviewSection,
    ProposalIn,
    QuestionChange,
    SourceTextIn,
    VersionDiffOut,
)
from service.proposals.texts import source_hash, texts_at, texts_of
from service.questionnaires.check import NotPublishable
from service.questionnaires.check import publish as publish_files
from service.questionnaires.exceptions import FormNotFound
from service.questionnaires.forms import (
    DEFAULT_FORM,
    SOURCE_LANGUAGE,
    FormDefinition,
    available_forms,
    form_path,
    load_form,
)
from service.questionnaires.prompts import (
    RecordingState,
    carry_over,
    generate_placeholders,
    recorded_languages,
    recording_states,
)
from service.translation import xliff


class Action:
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PUBLISHED = "published"


# --- the form's versions: files, and drafts published in the database --------------------


def latest_published(db: Session, form_id: str) -> FormDefinition:
    """The newest published version: a file in forms/ or a draft published here."""
    try:
        newest_file: FormDefinition | None = load_form(form_id)
    except FormNotFound:
        newest_file = None
    published = db.scalar(
        select(FormDraft)
        .where(FormDraft.form_id == form_id, FormDraft.status == DraftStatus.PUBLISHED)
        .order_by(FormDraft.version.desc())
        .limit(1)
    )
    if published is not None and (newest_file is None or published.version > newest_file.version):
        return FormDefinition.model_validate(published.content)
    if newest_file is None:
        raise NoSuchForm(f"No form '{form_id}'.")
    return newest_file


def version_content(db: Session, form_id: str, version: int) -> dict[str, Any]:
    """One version of the form as JSON: a file in forms/, or a version made here (the
    open draft included, so the owner sees what publishing it would change)."""
    made = db.scalar(
        select(FormDraft).where(FormDraft.form_id == form_id, FormDraft.version == version)
    )
    if made is not None:
        return made.content
    try:
        return load_form(form_id, version).model_dump(mode="json", exclude={"review"})
    except FormNotFound as exc:
        raise NoSuchForm(f"No version {version} of form '{form_id}'.") from exc


def known_versions(db: Session, form_id: str) -> list[int]:
    files = {v for f, v in available_forms() if f == form_id}
    made = db.scalars(select(FormDraft.version).where(FormDraft.form_id == form_id))
    return sorted(files | set(made))


def compare(db: Session, form_id: str, old: int, new: int, language: str) -> VersionDiffOut:
    """What changed from version ``old`` to ``new``, question by question, with the
    wording in ``language`` and who proposed each change."""
    before, after = version_content(db, form_id, old), version_content(db, form_id, new)
    proposers = queries.proposers_between(db, form_id, min(old, new), max(old, new))

    def questions(content: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
        return {q["id"]: (s["id"], q) for s in content["sections"] for q in s["questions"]}

    was, now = questions(before), questions(after)
    changes: list[QuestionChange] = []
    for question_id in [*now, *(q for q in was if q not in now)]:
        old_q, new_q = was.get(question_id), now.get(question_id)
        if old_q is not None and new_q is not None and old_q[1] == new_q[1]:
            continue
        change = "added" if old_q is None else "removed" if new_q is None else "changed"
        section_id = (new_q or old_q or ("", {}))[0]
        changes.append(
            QuestionChange(
                question_id=question_id,
                section_id=section_id,
                change=change,
                before=old_q[1]["label"].get(language) if old_q else None,
                after=new_q[1]["label"].get(language) if new_q else None,
                proposed_by=proposers.get(question_id, []),
            )
        )
    return VersionDiffOut(
        form_id=form_id, old_version=old, new_version=new, language=language, changes=changes
    )


def open_draft(db: Session, form_id: str) -> FormDraft | None:
    return db.scalar(
        select(FormDraft).where(FormDraft.form_id == form_id, FormDraft.status == DraftStatus.DRAFT)
    )


def _draft_for(db: Session, actor: Actor, form_id: str) -> FormDraft:
    """The form's open draft, or a new one copied from the newest published version."""
    draft = open_draft(db, form_id)
    if draft is not None:
        return draft
    base = latest_published(db, form_id)
    content = base.model_dump(mode="json", exclude={"review"})
    content["version"] = base.version + 1
    draft = FormDraft(
        form_id=form_id,
        version=base.version + 1,
        base_version=base.version,
        status=DraftStatus.DRAFT,
        content=content,
        created_by_id=actor.user_id,
    )
    db.add(draft)
    db.flush()
    return draft


def _current_content(db: Session, form_id: str) -> dict[str, Any]:
    draft = open_draft(db, form_id)
    if draft is not None:
        return draft.content
    return latest_published(db, form_id).model_dump(mode="json")


def _find(content: dict[str, Any], question_id: str) -> tuple[dict[str, Any], int] | None:
    for section in content["sections"]:
        for index, question in enumerate(section["questions"]):
            if question["id"] == question_id:
                return section, index
    return None


def _section(content: dict[str, Any], section_id: str) -> dict[str, Any] | None:
    return next((s for s in content["sections"] if s["id"] == section_id), None)


def _check_applies(content: dict[str, Any], data: ProposalIn | Proposal) -> None:
    """Refuse a proposal the form (as it stands, draft included) cannot take."""
    found = _find(content, data.question_id)
    if data.kind == ProposalKind.ADD:
        if _section(content, data.section_id) is None:
            raise UnknownQuestion(N_("The form has no such section."), field="section_id")
        if found is not None:
            raise QuestionExists(
                N_("The form already has a question with this id."), field="question_id"
            )
    elif found is None:
        raise UnknownQuestion(N_("The form has no question with this id."), field="question_id")


# --- the actions ---------------------------------------------------------------------------


def _event(db: Session, actor: Actor, proposal: Proposal, action: str, note: str | None) -> None:
    assert actor.user_id is not None
    db.add(
        ProposalEvent(
            proposal_id=proposal.id,
            actor_id=actor.user_id,
            role=actor.role,
            action=action,
            note=note,
            at=utcnow(),
        )
    )


def _question_type(data: ProposalIn) -> tuple[ProposedType | None, list[str] | None]:
    """A new question's type (open text unless chosen) and a choice's options; a change
    or a removal keeps the question's own type, so it names none."""
    options = [option.strip() for option in data.options if option.strip()]
    if data.kind is not ProposalKind.ADD:
        if data.question_type is not None or options:
            raise TypeRefused(
                N_("Only a new question gets a type and options; leave them empty."),
                field="question_type",
            )
        return None, None
    chosen = data.question_type or ProposedType.LONG_TEXT
    if chosen not in CHOICE_PROPOSALS:
        if options:
            raise TypeRefused(
                N_("Only a choice question has options; choose a choice or leave them empty."),
                field="options",
            )
        return chosen, None
    if len(options) < 2:
        raise TypeRefused(N_("Give at least two options, one per line."), field="options")
    if len({option.casefold() for option in options}) != len(options):
        raise TypeRefused(N_("Give each option once."), field="options")
    return chosen, options


def propose(db: Session, actor: Actor, data: ProposalIn) -> Proposal:
    """A partner proposes a new question (of a type they choose), new wording, or a
    removal, with a reason."""
    if not actor.organisation:
        raise Forbidden("A partner's account names the partner organisation.")
    if data.kind is not ProposalKind.REMOVE and not (data.label or "").strip():
        raise WordingMissing(N_("Give the question's wording in Dutch."), field="label")
    question_type, options = _question_type(data)
    _check_applies(_current_content(db, data.form_id), data)
    assert actor.user_id is not None
    proposal = Proposal(
        form_id=data.form_id,
        kind=data.kind,
        section_id=data.section_id,
        question_id=data.question_id,
        label=None if data.kind is ProposalKind.REMOVE else data.label,
        question_type=question_type,
        options=options,
        reason=data.reason,
        proposer_id=actor.user_id,
        organisation=actor.organisation,
        status=ProposalStatus.PROPOSED,
    )
    db.add(proposal)
    db.flush()
    _event(db, actor, proposal, Action.PROPOSED, data.reason)
    return proposal


def _undecided(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.PROPOSED:
        raise ProposalDecided(N_("This proposal was already decided."))


def accept(db: Session, actor: Actor, proposal: Proposal) -> FormDraft:
    """Take the proposal into the form's draft version (made if there is none)."""
    _undecided(proposal)
    draft = _draft_for(db, actor, proposal.form_id)
    content = json.loads(json.dumps(draft.content))  # a new object: the JSON column sees it
    _check_applies(content, proposal)
    _apply(content, proposal)
    draft.content = content
    proposal.status = ProposalStatus.ACCEPTED
    proposal.draft_id = draft.id
    _event(db, actor, proposal, Action.ACCEPTED, f"v{draft.version}")
    db.flush()
    return draft


def _apply(content: dict[str, Any], proposal: Proposal) -> None:
    """The proposal's change to the form: the Dutch wording only; the other languages
    of a new or reworded question are missing until translated."""
    if proposal.kind == ProposalKind.ADD:
        section = _section(content, proposal.section_id)
        assert section is not None
        section["questions"].append(new_question(proposal))
        return
    found = _find(content, proposal.question_id)
    assert found is not None
    section, index = found
    if proposal.kind == ProposalKind.REMOVE:
        del section["questions"][index]
    else:
        section["questions"][index]["label"] = {SOURCE_LANGUAGE: proposal.label}


def new_question(proposal: Proposal) -> dict[str, Any]:
    """The proposed question as the form defines one: its type, its Dutch wording and,
    for a choice, its options (each a value made from its wording)."""
    question: dict[str, Any] = {
        "id": proposal.question_id,
        "type": proposal.question_type or ProposedType.LONG_TEXT.value,
        "label": {SOURCE_LANGUAGE: proposal.label},
    }
    values: list[str] = []
    for text in proposal.options or []:
        values.append(option_value(text, values))
    if values:
        question["options"] = [
            {"value": value, "label": {SOURCE_LANGUAGE: text}}
            for value, text in zip(values, proposal.options or [], strict=True)
        ]
    return question


def option_value(text: str, taken: list[str]) -> str:
    """An option's value (an identifier the answers store) from its Dutch wording:
    ``Met een auto of bus`` -> ``met_een_auto_of_bus``; unique among ``taken``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    value = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:50]
    if not value or not value[0].isalpha():
        value = f"option_{value}".rstrip("_")
    found, number = value, 2
    while found in taken:
        found, number = f"{value}_{number}", number + 1
    return found


def reject(db: Session, actor: Actor, proposal: Proposal, decision: DecisionIn) -> Proposal:
    _undecided(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.decision_reason = decision.reason
    _event(db, actor, proposal, Action.REJECTED, decision.reason)
    db.flush()
    return proposal


def missing_texts(draft: FormDraft) -> list[str]:
    """What stops the draft from being published (texts absent in a language, an
    invalid definition)."""
    try:
        FormDefinition.model_validate(draft.content)
    except ValidationError as exc:
        return [str(error["msg"]) for error in exc.errors()]
    return []


def publish(db: Session, actor: Actor, draft: FormDraft) -> FormDraft:
    """Freeze the draft as the form's next published version."""
    if draft.status != DraftStatus.DRAFT:
        raise DraftFrozen(N_("This version is published and can no longer change."))
    problems = missing_texts(draft) + [
        f"{language}: {key} is {state}"
        for language, wanted in text_states(db, draft).items()
        for key, state in wanted.items()
        if state == TextState.STALE
    ]
    if problems:
        raise DraftIncomplete(
            N_("This version cannot be published yet: texts are missing or invalid."),
            problems=problems,
        )
    spoken = [
        f"{language}: {item} is {state}"
        for language, wanted in prompt_states(db, draft).items()
        for item, state in wanted.items()
    ]
    if spoken:
        raise DraftIncomplete(
            N_(
                "This version cannot be published yet: spoken prompts of changed texts "
                "are missing or were recorded for an earlier text. An interpreter records them."
            ),
            problems=spoken,
        )
    definition = FormDefinition.model_validate(draft.content)
    draft.content_hash = definition.content_hash
    draft.status = DraftStatus.PUBLISHED
    draft.published_at = utcnow()
    draft.published_by_id = actor.user_id
    for proposal in db.scalars(select(Proposal).where(Proposal.draft_id == draft.id)):
        _event(db, actor, proposal, Action.PUBLISHED, f"v{draft.version}")
    db.flush()
    return draft


def prompt_states(db: Session, draft: FormDraft) -> dict[str, dict[str, RecordingState]]:
    """Low-literacy mode (the active policy admits low literacy by voice): per language
    in which every prompt of the version the draft came from is recorded, the draft's
    prompts whose recording is missing or made for an earlier text. Publishing waits
    for them, so the mode is not lost in a language by a new version."""
    if not active_policy().literacy.admit_low_by_voice:
        return {}
    try:
        form = FormDefinition.model_validate(draft.content)
    except ValidationError:
        return {}  # texts missing: publishing reports those first
    base = _version_form(db, draft.form_id, draft.base_version)
    states = recording_states(form, base, recorded_languages(base))
    return {language: wanted for language, wanted in states.items() if wanted}


def _version_form(db: Session, form_id: str, version: int) -> FormDefinition:
    return FormDefinition.model_validate(version_content(db, form_id, version))


# --- translating a draft's texts (XLIFF, as answers are) ------------------------------------


class TextState:
    CURRENT = "current"
    MISSING = "missing"
    STALE = "stale"


def text_states(db: Session, draft: FormDraft) -> dict[str, dict[str, str]]:
    """Language -> key -> missing or stale, for every text a language still needs. A
    text carried over from the published version is current until its source changes."""
    recorded = {
        (t.language, t.key): t.source_hash
        for t in db.scalars(select(DraftTranslation).where(DraftTranslation.draft_id == draft.id))
    }
    states: dict[str, dict[str, str]] = {}
    for language in draft.content["languages"]:
        if language == SOURCE_LANGUAGE:
            continue
        wanted: dict[str, str] = {}
        for key, texts in texts_of(draft.content):
            if not (texts.get(language) or "").strip():
                wanted[key] = TextState.MISSING
            elif recorded.get((language, key), source_hash(texts[SOURCE_LANGUAGE])) != (
                source_hash(texts[SOURCE_LANGUAGE])
            ):
                wanted[key] = TextState.STALE
        states[language] = wanted
    return states


def _editable(draft: FormDraft) -> None:
    if draft.status != DraftStatus.DRAFT:
        raise DraftFrozen(N_("This version is published and can no longer change."))


def edit_source(db: Session, actor: Actor, draft: FormDraft, edit: SourceTextIn) -> FormDraft:
    """The form owner rewords a Dutch text of the draft; its translations go stale."""
    _editable(draft)
    content = json.loads(json.dumps(draft.content))
    texts = texts_at(content, edit.key)
    if texts is None:
        raise UnknownQuestion(N_("The draft has no text with this key."), field="key")
    old = texts[SOURCE_LANGUAGE]
    # Translations carried over from the published version translated the old source.
    for language in texts:
        if language != SOURCE_LANGUAGE and _recorded(db, draft, language, edit.key) is None:
            db.add(
                DraftTranslation(
                    draft_id=draft.id,
                    language=language,
                    key=edit.key,
                    text=texts[language],
                    source_hash=source_hash(old),
                    translated_by_id=actor.user_id,
                )
            )
    texts[SOURCE_LANGUAGE] = edit.text
    draft.content = content
    db.flush()
    return draft


def _recorded(db: Session, draft: FormDraft, language: str, key: str) -> DraftTranslation | None:
    return db.scalar(
        select(DraftTranslation).where(
            DraftTranslation.draft_id == draft.id,
            DraftTranslation.language == language,
            DraftTranslation.key == key,
        )
    )


def translation_package(db: Session, draft: FormDraft, language: str) -> bytes:
    """The texts ``language`` still needs (missing or stale), as XLIFF 1.2 from Dutch."""
    _editable(draft)
    if language not in draft.content["languages"] or language == SOURCE_LANGUAGE:
        raise NoSuchForm(f"The form is not translated into '{language}'.")
    needed = text_states(db, draft)[language]
    sources = dict(texts_of(draft.content))
    return xliff.make_texts(
        f"form-{draft.form_id}-v{draft.version}-{language}",
        SOURCE_LANGUAGE,
        language,
        [(key, sources[key][SOURCE_LANGUAGE], state) for key, state in needed.items()],
    )


def receive_translation(
    db: Session, actor: Actor, draft: FormDraft, language: str, data: bytes
) -> int:
    """The agency's XLIFF for one language: each translated unit goes into the draft and
    records the hash of the source it translated (the source in the file: a source
    changed since the package was made leaves the translation stale)."""
    _editable(draft)
    if language not in draft.content["languages"] or language == SOURCE_LANGUAGE:
        raise NoSuchForm(f"The form is not translated into '{language}'.")
    try:
        read = xliff.read(data)
    except xliff.UnreadableFile as exc:
        raise TranslationRefused(str(exc), field="file") from exc
    assert actor.user_id is not None
    content = json.loads(json.dumps(draft.content))
    known = dict(texts_of(content))
    taken = 0
    for unit in read.units:
        if unit.key not in known or not unit.target.strip():
            continue
        known[unit.key][language] = unit.target
        record = _recorded(db, draft, language, unit.key) or DraftTranslation(
            draft_id=draft.id, language=language, key=unit.key
        )
        record.text, record.source_hash = unit.target, source_hash(unit.source)
        record.translated_by_id, record.translated_at = actor.user_id, utcnow()
        db.add(record)
        taken += 1
    if not taken:
        raise TranslationRefused(N_("The file holds no translation of this draft."), field="file")
    draft.content = content
    db.flush()
    return taken


# --- the lawyer's preview ------------------------------------------------------------------


def preview(db: Session, case: Case, language: str | None = None) -> FormPreviewOut:
    """The current form as the lawyer may read it before the session, in the client's
    language (the first of theirs the form has; Dutch otherwise, or ``language``): its
    topics, and its questions only where the policy (``form_preview``) says so."""
    form = latest_published(db, DEFAULT_FORM)
    if language not in form.languages:
        language = next((lang for lang in case.languages if lang in form.languages), None)
    chosen = language or SOURCE_LANGUAGE
    questions = get_settings().form_preview == "questions"

    def text(texts: dict[str, str] | None) -> str | None:
        return None if texts is None else texts.get(chosen) or texts.get(SOURCE_LANGUAGE)

    return FormPreviewOut(
        form_id=form.id,
        version=form.version,
        language=chosen,
        direction=form.direction(chosen),
        languages=form.languages,
        questions_shown=questions,
        title=text(form.title) or "",
        intro=text(form.intro) or "",
        sections=[
            PreviewSection(
                title=text(s.title) or s.id,
                intro=text(s.intro),
                questions=[text(q.label) or q.id for q in s.questions] if questions else [],
            )
            for s in form.sections
        ],
    )


# --- a published version into forms/, where the kiosk reads its versions --------------------


def export_published(db: Session, form_id: str) -> list[str]:
    """Write each version published here and not yet in ``forms/`` as its YAML file and
    pin its hash in ``forms/published.yaml`` (``hearing forms publish``). The file's
    hash must be the one frozen at publishing; a mismatch stops before pinning. A pinned
    version needs its spoken prompts: those of unchanged texts come from the version it
    was drafted from (recordings included), the missing ones get placeholders here
    (offline, as ``hearing forms prompts --generate``); a version still without them is
    not left in ``forms/`` unpinned."""
    written = []
    paths = []
    on_disk = {v for f, v in available_forms() if f == form_id}
    published = db.scalars(
        select(FormDraft)
        .where(FormDraft.form_id == form_id, FormDraft.status == DraftStatus.PUBLISHED)
        .order_by(FormDraft.version)
    )
    for draft in published:
        if draft.version in on_disk:
            continue
        path = form_path(form_id, draft.version)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"# Published in the service (v{draft.version}); never edit.\n"
        body = yaml.safe_dump(draft.content, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(header + body, encoding="utf-8")
        load_form.cache_clear()
        if load_form(form_id, draft.version).content_hash != draft.content_hash:
            path.unlink()
            raise DraftIncomplete(f"{path.name}: the file's hash is not the frozen one.")
        exported = load_form(form_id, draft.version)
        carry_over(_version_form(db, form_id, draft.base_version), exported)
        generate_placeholders(exported, published=False)
        written.append(f"{form_id}@{draft.version}")
        paths.append(path)
    if written:
        try:
            publish_files(form_id)
        except NotPublishable:
            for path in paths:
                path.unlink()
            load_form.cache_clear()
            raise
    return written
