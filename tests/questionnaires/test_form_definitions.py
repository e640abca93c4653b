"""Forms as data: every text in every language, immutable published versions, the
track-to-form mapping, partial dates, conditions and groups, answer items."""

import shutil

import pytest
import yaml

from service.core.settings import get_settings
from service.eligibility.policy import load_policy
from service.questionnaires.check import check_forms
from service.questionnaires.forms import (
    FormDefinition,
    QuestionType,
    answer_problems,
    load_form,
)

NEW_FORMS = [("written-hearing", 2), ("preparatory-hearing", 1), ("registration-interview", 1)]
LANGUAGES = {"nl", "en", "ar", "fa", "tr", "ti"}


def test_the_shipped_forms_pass_the_check():
    # The spoken prompts are generated in set-up, not in the tests (tests/questionnaires/
    # test_prompts.py checks them on a small form).
    report = check_forms(prompts=False)
    assert report.problems == []
    assert {f.key for f in report.forms} >= {f"{i}@{v}" for i, v in NEW_FORMS}


@pytest.mark.parametrize(("form_id", "version"), NEW_FORMS)
def test_every_text_exists_in_every_language(form_id, version):
    form = load_form(form_id, version)
    assert set(form.languages) == LANGUAGES
    assert form.missing_texts() == []
    kinds = {q.type for q in form.questions}
    assert {QuestionType.GROUP, QuestionType.YES_NO, QuestionType.DATE} <= kinds


def test_a_missing_translation_makes_the_definition_invalid():
    raw = load_form("written-hearing", 2).model_dump(mode="json")
    del raw["sections"][0]["questions"][0]["label"]["ti"]
    with pytest.raises(ValueError, match="no ti"):
        FormDefinition.model_validate(raw)


def test_a_condition_must_name_an_earlier_question():
    raw = load_form("written-hearing", 2).model_dump(mode="json")
    raw["sections"][0]["questions"][0]["show_if"] = {"question": "health_problems", "equals": True}
    with pytest.raises(ValueError, match="show_if"):
        FormDefinition.model_validate(raw)


def test_changing_a_published_version_is_detected(tmp_path, monkeypatch):
    forms = tmp_path / "forms"
    shutil.copytree(get_settings().forms_dir, forms)
    path = forms / "preparatory-hearing" / "v1.yaml"
    path.write_text(path.read_text().replace("Na dit formulier", "Na dit nieuwe formulier"))
    monkeypatch.setattr(get_settings(), "forms_dir", forms)
    load_form.cache_clear()
    try:
        problems = check_forms(prompts=False).problems
    finally:
        load_form.cache_clear()
    assert any("preparatory-hearing@1: a published version changed" in p for p in problems)


def test_a_review_sign_off_does_not_change_the_content_hash():
    form = load_form("written-hearing", 2)
    signed = form.model_copy(update={"review": {"ar": {"reviewed": True}}})
    assert signed.content_hash == form.content_hash


def test_the_track_and_policy_version_choose_the_form():
    policy = load_policy("ind-2026")
    assert policy.forms["replacing"] == "written-hearing@3"
    assert policy.forms["preparatory"] == "preparatory-hearing@1"
    assert policy.forms["registration"] == "registration-interview@1"
    assert load_policy("taskforce-2020").forms["replacing"] == "written-hearing@1"


@pytest.mark.parametrize("value", ["2015", "~2015", "03-2019", "17-04-1991", "1991-04-17"])
def test_partial_and_approximate_dates_are_accepted(value):
    form = load_form("written-hearing", 2)
    assert answer_problems(form, {"date_of_birth": value}, complete=False) == {}


@pytest.mark.parametrize("value", ["about 2015", "13-2019", "31-02-1990", "2999", 1991])
def test_impossible_or_unreadable_dates_are_refused(value):
    form = load_form("written-hearing", 2)
    assert "date_of_birth" in answer_problems(form, {"date_of_birth": value}, complete=False)


def test_conditional_questions_and_group_limits():
    form = load_form("written-hearing", 2)
    base = {"has_documents": True}
    problems = answer_problems(form, base, complete=True)
    assert "documents" in problems  # at least one document when the answer is yes
    assert "no_documents_why" not in problems
    without = answer_problems(form, {"has_documents": False}, complete=True)
    assert "documents" not in without
    too_many = [{"kind": "passport", "whereabouts": "lost"}] * 11
    assert "documents" in answer_problems(form, {**base, "documents": too_many}, complete=False)
    bad_item = answer_problems(form, {**base, "documents": [{"kind": "spaceship"}]}, complete=True)
    assert set(bad_item) >= {"documents.0.kind", "documents.0.whereabouts"}


def test_messages_are_in_the_applicants_language():
    form = load_form("written-hearing", 2)
    problems = answer_problems(form, {"children_count": -1}, complete=False, language="tr")
    assert problems["children_count"] == "Sayı çok küçük."  # noqa: RUF001 - Turkish dotless i
    required = answer_problems(form, {}, complete=True, language="ar")
    assert required["full_name"] == "يرجى الإجابة عن هذا السؤال."


def test_answer_items_flatten_answers_for_display_and_translation():
    form = load_form("written-hearing", 2)
    answers = {
        "full_name": "Selam Tesfay",
        "date_of_birth": "~1994",
        "has_documents": False,
        "family_members": [{"name": "Yonas", "relation": "sibling", "born": "2001"}],
        "hearing_needs": ["female_officer", "breaks"],
    }
    items = {item.key: item for item in form.answer_items(answers, "nl")}
    assert items["date_of_birth"].text == "ongeveer 1994"
    assert items["has_documents"].text == "Nee"
    assert items["family_members.0.relation"].text == "Broer of zus"
    assert items["family_members.0.relation"].group_label == "Familielid 1"
    assert items["hearing_needs"].text == "Een vrouw die het gesprek voert, Extra pauzes"
    english = {item.key: item for item in form.answer_items(answers, "en")}
    assert english["family_members.0.name"].label == "Name"
    assert next(iter(items)) == "full_name"  # form order


def test_old_answer_sets_render_with_their_own_version():
    old = load_form("written-hearing", 1)
    question = next(q for q in old.questions if q.type is QuestionType.TEXT)
    items = old.answer_items({question.id: "Amal"}, "ar")
    assert items[0].label == question.label["ar"]


def test_the_published_registry_pins_every_version():
    registry = yaml.safe_load((get_settings().forms_dir / "published.yaml").read_text())
    for form_id, version in NEW_FORMS:
        pinned = registry[f"{form_id}@{version}"]
        assert pinned["content"] == load_form(form_id, version).content_hash
        assert len(pinned["prompts"]) == 64


def test_the_forms_check_command_fails_on_a_problem(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from service.cli import main

    passed = CliRunner().invoke(main, ["forms", "check", "--no-prompts"])
    assert passed.exit_code == 0, passed.output
    assert "written-hearing@2" in passed.output
    forms = tmp_path / "forms"
    shutil.copytree(get_settings().forms_dir, forms)
    path = forms / "registration-interview" / "v1.yaml"
    path.write_text(path.read_text().replace('  ti: "ብዛዕባ መን ምዃንኩምን ጉዕዞኹምን ሕቶታት"\n', ""))
    monkeypatch.setattr(get_settings(), "forms_dir", forms)
    load_form.cache_clear()
    try:
        failed = CliRunner().invoke(main, ["forms", "check", "--no-prompts"])
    finally:
        load_form.cache_clear()
    assert failed.exit_code == 1
    assert "registration-interview@1: invalid definition" in failed.output


def test_answers_to_follow_ups_no_longer_asked_are_not_shown():
    form = load_form("written-hearing", 2)
    answers = {"has_documents": False, "documents": [{"kind": "passport", "whereabouts": "lost"}]}
    keys = [item.key for item in form.answer_items(answers, "en")]
    assert keys == ["has_documents"]


def test_problems_within_a_section_are_the_whole_forms_problems_of_its_questions():
    """An autosave checks its section only: the same problems, in that section's keys, as
    checking the whole form (conditions read answers outside the section)."""
    form = load_form("written-hearing", 2)
    answers = {
        "has_documents": True,
        "documents": [{"kind": "spaceship"}],
        "children_count": -1,
        "date_of_birth": "31-02-1990",
        "no_such_question": "x",
    }
    for complete in (False, True):
        whole = answer_problems(form, answers, complete=complete)
        assert whole  # the answers above have problems in several sections
        for section in form.sections:
            keys = {q.id for q in section.questions} | {"no_such_question"}
            within = answer_problems(form, answers, complete=complete, within=keys)
            assert within == {k: v for k, v in whole.items() if k.split(".")[0] in keys}
