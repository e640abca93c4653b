"""Attention points: the answers are matched after translation (and after corrections)
against unit 1F's published lists; a hit is a point, never an exclusion; a person raises
a signal from it (the case leaves the track through the engine) or dismisses it."""

import pytest
from sqlalchemy import select

from service.attention import service as attention
from service.attention.exceptions import PointHandled, VersionPublished
from service.attention.schemas import DismissIn, IndicatorIn, PointSignalIn, PublishIn
from service.corrections import service as corrections
from service.corrections.schemas import CorrectionItemIn, CorrectionsIn, Typed
from service.dev.driver import lawyer_of
from service.models import Role
from service.models.attention import (
    AttentionPoint,
    FrozenVersion,
    Indicator,
    PointStatus,
)
from service.models.cases import CaseEventRow, Signal
from service.translation import service as translation
from service.workflow import CaseState
from tests.attention.conftest import (
    ORGANISATION_NL,
    PRISON_AR,
    PRISON_LATIN,
    PRISON_NL,
    publish_list,
    translated,
)

COLONELS = "سرهنگ\u200cها"  # noqa: RUF001 - Farsi "colonels", the plural after a ZWNJ


def points(db, case):
    db.expire_all()
    return db.scalars(
        select(AttentionPoint)
        .where(AttentionPoint.case_id == case.id)
        .order_by(AttentionPoint.text_kind)
    ).all()


def found(db, case):
    return sorted((p.text_kind, p.excerpt) for p in points(db, case))


def test_an_indicator_in_arabic_script_raises_a_point(db, factory, unit):
    publish_list(db, unit.actor)
    # With tashkeel and the alef maksura variant; "and" written onto the word.
    original = "كنتُ مسجوناً في وصَيدنايا سنة ٢٠١٠"
    case, key = translated(factory, original, "Ik zat vast in de gevangenis, in 2010.")
    hits = [p for p in points(db, case) if p.text_kind == "original"]
    assert [(p.answer_key, p.excerpt) for p in hits] == [(key, "صَيدنايا")]
    point = hits[0]
    assert original[point.span_start : point.span_end] == "صَيدنايا"
    indicator = db.get_one(Indicator, point.indicator_id)
    assert indicator.text == PRISON_AR
    assert point.version_id == indicator.version_id
    # Never an exclusion by itself.
    assert case.state is CaseState.WITH_LAWYER


def test_a_transliterated_latin_spelling_raises_a_point(db, factory, unit):
    publish_list(db, unit.actor)
    case, _ = translated(factory, "لا شيء", f"Mijn broer zat in {PRISON_LATIN.upper()}.")
    assert found(db, case) == [("translation", "SEDNAYA")]


def test_the_dutch_translation_of_an_indicator_raises_a_point(db, factory, unit):
    publish_list(db, unit.actor)
    case, _ = translated(factory, "لا شيء", f"Ik heb gevochten bij het {ORGANISATION_NL}.")
    assert found(db, case) == [("translation", ORGANISATION_NL)]


def test_word_boundaries_and_periods(db, factory, unit):
    publish_list(db, unit.actor)
    # "Saydnayaweg" is not the prison; a date inside the siege of Homs is a hit.
    case, _ = translated(
        factory,
        COLONELS,
        "Ik woonde aan de Saydnayaweg; ik vluchtte op 12-03-2013.",
    )
    kinds = sorted((p.text_kind, p.excerpt) for p in points(db, case))
    assert ("translation", "12-03-2013") in kinds
    assert not any("Saydnaya" in text for _, text in kinds)


def test_a_dismissed_point_stays_dismissed_on_rematching(db, factory, unit):
    publish_list(db, unit.actor)
    case, _ = translated(factory, f"في {PRISON_AR}", f"in {PRISON_NL}")
    before = points(db, case)
    assert len(before) == 2
    for point in before:
        attention.dismiss(db, unit.actor, point, DismissIn(reason="Home town, not detention."))
    # The same text again, and a new version of the list with the same indicators.
    assert attention.match_case(db, case.id) == []
    made = attention.lists(db)[0]
    attention.add_indicator(
        db,
        unit.actor,
        made,
        IndicatorIn(kind="term", language="nl", text="kolonel", reason="Rank."),
    )
    attention.publish(db, unit.actor, made, PublishIn())
    assert attention.match_case(db, case.id) == []
    after = points(db, case)
    assert [p.status for p in after] == [PointStatus.DISMISSED] * 2
    events = db.scalars(select(CaseEventRow.event).where(CaseEventRow.case_id == case.id)).all()
    assert events.count("attention_point_dismissed") == 2
    with pytest.raises(PointHandled):
        attention.dismiss(db, unit.actor, after[0], DismissIn(reason="again"))


def test_raising_a_signal_from_a_point_excludes_the_case(db, factory, unit):
    publish_list(db, unit.actor)
    case, _ = translated(factory, f"خدمت في {PRISON_AR}", "Ik diende daar.")
    point = points(db, case)[0]
    officer = factory.person(Role.OFFICER)
    attention.raise_signal(
        db, officer.actor, point, PointSignalIn(kind="1f", reason="Served as a guard there.")
    )
    db.refresh(case)
    assert case.state is CaseState.EXCLUDED
    signal = db.scalars(select(Signal).where(Signal.case_id == case.id)).one()
    assert (signal.kind, signal.source) == ("1f", attention.POINT_SOURCE)
    assert point.status == PointStatus.SIGNALLED
    assert point.signal_id == signal.id
    events = db.scalars(
        select(CaseEventRow.event).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
    ).all()
    assert events[-2:] == ["attention_point_signalled", "exclude"]


def test_the_lawyers_corrections_are_matched_again(db, factory, unit):
    publish_list(db, unit.actor)
    case, key = translated(factory, "لا شيء", "Niets.")
    assert points(db, case) == []
    item = CorrectionItemIn(kind="translation", answer_key=key, text="Cliënt zat in Saidnaya.")
    corrections.submit(db, lawyer_of(case), case, Typed(None, CorrectionsIn(items=[item])))
    assert found(db, case) == [("correction", "Saidnaya")]


def test_nothing_is_matched_without_a_published_list(db, factory, unit):
    from service.attention.schemas import ListIn

    draft = attention.create_list(db, unit.actor, ListIn(name="concept", keeper="Unit 1F"))
    attention.add_indicator(
        db,
        unit.actor,
        draft,
        IndicatorIn(kind="place", language="nl", text="Niets", reason="x" * 3),
    )
    case, _ = translated(factory, "لا شيء", "Niets.")
    assert points(db, case) == []


def refused_at_flush(db, change):
    nested = db.begin_nested()
    change()
    with pytest.raises(FrozenVersion):
        db.flush()
    nested.rollback()


def test_a_published_version_never_changes(db, factory, unit):
    made = publish_list(db, unit.actor)
    version = attention.published_of(db, made)
    assert version is not None
    row = attention.indicators_of(db, version)[0]
    with pytest.raises(VersionPublished):
        attention.remove_indicator(db, unit.actor, row)
    # Whoever writes, the flush refuses it too.
    refused_at_flush(db, lambda: setattr(row, "text", "iets anders"))
    added = Indicator(version_id=version.id, kind="term", language="nl", text="x", reason="x")
    refused_at_flush(db, lambda: db.add(added))
    refused_at_flush(db, lambda: setattr(version, "note", "rewritten"))
    assert attention.indicators_of(db, version)[0].text != "iets anders"
    # A change goes into a new draft, which copies the version in force.
    attention.add_indicator(
        db, unit.actor, made, IndicatorIn(kind="term", language="nl", text="nieuw", reason="Why.")
    )
    draft = attention.draft_of(db, made)
    assert draft is not None
    assert draft.number == 2
    old = attention.published_of(db, made)
    assert len(attention.indicators_of(db, draft)) == len(attention.indicators_of(db, old)) + 1


def redeliver(factory, case, key, dutch):
    """The agency delivers a corrected translation while the lawyer has the form."""
    db = factory.db
    job = translation.translation_of(db, case)
    texts = {**job.answers_nl, key: dutch}
    translation.deliver(db, job, factory.person(Role.TRANSLATOR).actor, texts)


def test_a_corrected_translation_is_matched_again(db, factory, unit):
    publish_list(db, unit.actor)
    case, key = translated(factory, "لا شيء", f"Ik zat in {PRISON_NL}.")
    dismissed = points(db, case)[0]
    attention.dismiss(db, unit.actor, dismissed, DismissIn(reason="Geboorteplaats."))
    # The same text re-delivered: nothing new, the dismissed point stays dismissed.
    redeliver(factory, case, key, f"Ik zat in {PRISON_NL}.")
    assert [(p.excerpt, p.status) for p in points(db, case)] == [(PRISON_NL, PointStatus.DISMISSED)]
    # The corrected text names the organisation too: a new, open point.
    redeliver(factory, case, key, f"Ik zat in {PRISON_NL}; ik vocht bij het {ORGANISATION_NL}.")
    opened = [p.excerpt for p in points(db, case) if p.status == PointStatus.OPEN]
    assert ORGANISATION_NL in opened
    assert db.get_one(AttentionPoint, dismissed.id).status == PointStatus.DISMISSED
    assert case.state is CaseState.WITH_LAWYER


def test_a_saved_correction_is_matched_before_it_is_sent(db, factory, unit):
    publish_list(db, unit.actor)
    case, key = translated(factory, "لا شيء", "Niets.")
    item = CorrectionItemIn(kind="translation", answer_key=key, text="Hij was kolonel.")
    corrections.save(db, lawyer_of(case), case, Typed(None, CorrectionsIn(items=[item])))
    assert found(db, case) == [("correction", "kolonel")]
