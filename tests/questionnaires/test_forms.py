"""The shipped questionnaire and the policy's promise of which languages have a form."""

import pytest

from service.eligibility.policy import available_versions, load_policy
from service.questionnaires.exceptions import InvalidAnswers
from service.questionnaires.forms import QuestionType, load_form, validate_answers


def test_every_policy_maps_its_tracks_to_forms_in_every_language_it_promises():
    for version in available_versions():
        policy = load_policy(version)
        assert {"replacing", "preparatory"} <= set(policy.forms)
        for key in policy.forms.values():
            form_id, _, number = key.partition("@")
            missing = policy.form_languages - set(load_form(form_id, int(number)).languages)
            assert not missing, f"{version} promises {key} in {sorted(missing)}"


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_languages_are_shown_right_to_left(language):
    view = load_form("written-hearing", 2).localised(language)
    assert view["direction"] == "rtl"
    assert all(q["label"] for s in view["sections"] for q in s["questions"])


def test_left_to_right_language_and_every_text_localised():
    view = load_form("written-hearing", 2).localised("ti")
    assert view["direction"] == "ltr"
    assert view["title"]
    assert view["intro"]


def test_partial_answers_may_be_saved_but_a_submission_needs_every_required_answer():
    form = load_form("written-hearing", 2)
    required = [q for q in form.questions if q.required and q.show_if is None]
    assert required, "the form should have required questions"
    validate_answers(form, {}, complete=False)
    with pytest.raises(InvalidAnswers) as refused:
        validate_answers(form, {}, complete=True)
    assert all(q.id in refused.value.detail for q in required)


@pytest.mark.parametrize(
    ("kind", "bad"),
    [
        (QuestionType.TEXT, 12),
        (QuestionType.LONG_TEXT, ["a"]),
        (QuestionType.YES_NO, "yes"),
        (QuestionType.DATE, "31-13-1990"),
        (QuestionType.CHOICE, "not-an-option"),
        (QuestionType.MULTI_CHOICE, ["not-an-option"]),
        (QuestionType.NUMBER, "three"),
        (QuestionType.GROUP, {"not": "a list"}),
    ],
)
def test_answers_of_the_wrong_shape_are_refused(kind, bad):
    form = load_form("written-hearing", 2)
    question = next(q for q in form.questions if q.type is kind and q.show_if is None)
    with pytest.raises(InvalidAnswers, match=question.id):
        validate_answers(form, {question.id: bad}, complete=False)


def test_unknown_question_and_too_long_text_are_refused():
    form = load_form("written-hearing", 2)
    text = next(q for q in form.questions if q.type is QuestionType.TEXT)
    with pytest.raises(InvalidAnswers, match="not a question of this form"):
        validate_answers(form, {"no_such_question": "x"}, complete=False)
    with pytest.raises(InvalidAnswers, match="at most"):
        validate_answers(form, {text.id: "x" * (text.max_length + 1)}, complete=False)
