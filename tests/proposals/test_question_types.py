"""A partner proposing a new question chooses its type (and a choice's options); the
owner sees it, and accepting it puts a valid question of that type into the draft. A
type or options that do not fit are refused alike at both doors, in Dutch, with what
was typed kept."""

from sqlalchemy import select

from service.models import Role
from service.models.proposals import Proposal
from service.proposals import service
from service.questionnaires.forms import Question, QuestionType
from tests.helpers import API, csrf_of, ok, sign_in

HTML = {"accept": "text/html"}
CHOICE = {
    "kind": "add",
    "section_id": "journey",
    "question_id": "border_crossing",
    "label": "Hoe bent u de grens overgestoken?",
    "question_type": "choice",
    "options": ["Te voet", "Met een auto of bus", "Over het water", "Anders"],
    "reason": "Helps the officer place the journey.",
}


def accepted_question(client, factory, body):
    """Propose ``body`` as a partner, accept it as the owner: the draft's question."""
    partner, owner = factory.person(Role.PARTNER, "coa"), factory.person(Role.FORM_OWNER)
    made = ok(client.post(f"{API}/proposals", json=body, headers=partner.headers), 201)
    ok(client.post(f"{API}/proposals/{made['id']}/accept", headers=owner.headers))
    draft = service.open_draft(factory.db, "written-hearing")
    journey = next(s for s in draft.content["sections"] if s["id"] == "journey")
    return made, next(q for q in journey["questions"] if q["id"] == body["question_id"])


def test_a_choice_question_is_accepted_with_its_options(client, factory):
    made, question = accepted_question(client, factory, CHOICE)
    assert (made["question_type"], made["options"]) == ("choice", CHOICE["options"])
    valid = Question.model_validate(question)
    assert valid.type is QuestionType.CHOICE
    assert [(o.value, o.label["nl"]) for o in valid.options] == [
        ("te_voet", "Te voet"),
        ("met_een_auto_of_bus", "Met een auto of bus"),
        ("over_het_water", "Over het water"),
        ("anders", "Anders"),
    ]


def test_a_date_question_is_accepted_as_a_date(client, factory):
    body = {**CHOICE, "question_id": "crossed_on", "question_type": "date", "options": []}
    body["label"] = "Wanneer bent u de grens overgestoken?"
    made, question = accepted_question(client, factory, body)
    assert made["question_type"] == "date"
    assert Question.model_validate(question).type is QuestionType.DATE


def test_without_a_type_a_new_question_is_open(client, factory):
    body = {k: v for k, v in CHOICE.items() if k not in ("question_type", "options")}
    made, question = accepted_question(client, factory, body)
    assert made["question_type"] == "long_text"
    assert Question.model_validate(question).type is QuestionType.LONG_TEXT


def test_option_values_are_identifiers_and_unique():
    taken: list[str] = []
    for text in ["Één keer", "Eén keer", "2 keer", "???"]:
        taken.append(service.option_value(text, taken))
    assert taken == ["een_keer", "een_keer_2", "option_2_keer", "option"]


def refused(client, partner, body, code):
    api = client.post(f"{API}/proposals", json=body, headers=partner.headers)
    assert (api.status_code, api.json()["code"]) == (422, code), api.text


def test_a_type_that_does_not_fit_is_refused_at_both_doors(client, db, factory):
    partner = factory.person(Role.PARTNER, "coa")
    one_option = {**CHOICE, "options": ["Te voet"]}
    refused(client, partner, one_option, "question_type_refused")
    refused(client, partner, {**CHOICE, "options": ["Te voet", "te voet"]}, "question_type_refused")
    refused(client, partner, {**CHOICE, "question_type": "yes_no"}, "question_type_refused")
    change = {**CHOICE, "kind": "change", "question_id": "full_name", "options": []}
    refused(client, partner, change, "question_type_refused")
    refused(client, partner, {**CHOICE, "question_type": "group"}, "validation_error")
    # The page: the message beside the options, everything typed shown again.
    sign_in(client, partner.user.username)
    token = csrf_of(client.get("/partner", headers=HTML).text)
    form = {**CHOICE, "options": "Te voet\n", "csrf_token": token}
    page = client.post("/partner/proposals", data=form, headers=HTML, follow_redirects=False)
    assert page.status_code == 422
    assert 'data-refusal="question_type_refused"' in page.text
    assert "Geef ten minste twee opties, één per regel." in page.text
    assert '<option value="choice" selected>' in page.text
    assert ">Te voet\n</textarea>" in page.text
    assert CHOICE["reason"] in page.text
    assert not db.scalars(select(Proposal)).all()


def test_the_owner_sees_the_type_and_the_options(client, factory):
    partner, owner = factory.person(Role.PARTNER, "coa"), factory.person(Role.FORM_OWNER)
    sign_in(client, partner.user.username)
    token = csrf_of(client.get("/partner", headers=HTML).text)
    form = {**CHOICE, "options": "Te voet\nOver het water\n", "csrf_token": token}
    made = client.post("/partner/proposals", data=form, headers=HTML, follow_redirects=False)
    assert made.status_code == 303, made.text
    sign_in(client, owner.user.username)
    assert "Nieuwe vraag: Keuze uit één optie" in client.get("/form-owner", headers=HTML).text
    shown = client.get(made.headers["location"], headers=HTML).text
    assert 'data-question-type="choice"' in shown
    assert "Keuze uit één optie" in shown
    assert "Over het water" in shown


def test_both_doors_store_the_same_type_and_options(client, db, factory):
    partner = factory.person(Role.PARTNER, "coa")
    ok(client.post(f"{API}/proposals", json=CHOICE, headers=partner.headers), 201)
    sign_in(client, partner.user.username)
    token = csrf_of(client.get("/partner", headers=HTML).text)
    typed = "\n".join(CHOICE["options"]) + "\n\n"  # a blank last line is no option
    form = {**CHOICE, "question_id": "by_page", "options": typed, "csrf_token": token}
    page = client.post("/partner/proposals", data=form, headers=HTML, follow_redirects=False)
    assert page.status_code == 303, page.text
    stored = db.execute(select(Proposal.question_type, Proposal.options)).all()
    assert [tuple(row) for row in stored] == [("choice", CHOICE["options"])] * 2
