"""One action, two doors: an adviser's answer and a coordinator's unasked advice give
the same stored consultation through the page as through the API, and a refused one the
same refusal (the page shows it beside the advice, what was typed kept)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Role
from service.models.cases import Case
from service.models.decisions import Consultation
from service.workflow import CaseState
from tests.decisions.doors import api_refusal, page_post, page_refusal
from tests.helpers import API, ok, sign_in

S = CaseState
ADVICE = "Open questions asked; the church's letter is specific: weigh it."


def advice_on(db: Session, case: Case) -> list[tuple[object, ...]]:
    db.expire_all()
    rows = db.scalars(select(Consultation).where(Consultation.case_id == case.id))
    return [(c.motive, c.question, c.advice, c.coordinator_id) for c in rows]


def test_advice_is_stored_alike_and_refused_alike(client, db, factory):
    officer = factory.person(Role.OFFICER)
    coordinator = factory.person(Role.COORDINATOR, "conversion")
    asked = [factory.case_in(S.CLAIMED, coordinator_motives=["conversion"]) for _ in range(2)]
    unasked = [factory.case_in(S.CLAIMED, coordinator_motives=["conversion"]) for _ in range(2)]
    requests = []
    for case in asked:
        body = {"topic": "conversion", "question": "Church letter?"}
        path = f"{API}/cases/{case.id}/consultation-requests"
        requests.append(ok(client.post(path, headers=officer.headers, json=body), 201)["id"])
    db.commit()

    answer = f"{API}/consultations/{requests[0]}/answer"
    refused = client.post(answer, headers=coordinator.headers, json={"advice": ""})
    assert api_refusal(refused) == (422, "validation_error", {"advice"})
    ok(client.post(answer, headers=coordinator.headers, json={"advice": ADVICE}))
    again = client.post(answer, headers=coordinator.headers, json={"advice": ADVICE})
    assert api_refusal(again) == (409, "consultation_answered", set())
    body = {"motive": "conversion", "advice": ADVICE}
    path = f"{API}/cases/{unasked[0].id}/consultations"
    ok(client.post(path, headers=coordinator.headers, json=body), 201)

    sign_in(client, coordinator.user.username)
    page = f"/advice/cases/{asked[1].id}"
    named = {"consultation_id": requests[1]}
    shown = page_post(client, page, named | {"advice": ""}, page)
    assert page_refusal(shown) == (422, {"advice"})
    assert page_post(client, page, named | {"advice": ADVICE}, page).status_code == 303
    shown = page_post(client, page, named | {"advice": "A second thought."}, page)
    assert page_refusal(shown) == (409, {"advice"})
    assert "A second thought." in shown.text
    page = f"/advice/cases/{unasked[1].id}"
    assert page_post(client, page, {"advice": ADVICE}, page).status_code == 303

    assert advice_on(db, asked[0]) == advice_on(db, asked[1])
    assert advice_on(db, unasked[0]) == advice_on(db, unasked[1])
    assert advice_on(db, unasked[1]) == [("conversion", "", ADVICE, coordinator.user.id)]


def test_a_consultation_of_another_file_is_not_answered_on_this_page(client, db, factory):
    officer = factory.person(Role.OFFICER)
    coordinator = factory.person(Role.COORDINATOR, "conversion")
    mine, other = (factory.case_in(S.CLAIMED, coordinator_motives=["conversion"]) for _ in "ab")
    path = f"{API}/cases/{other.id}/consultation-requests"
    elsewhere = ok(client.post(path, headers=officer.headers, json={"topic": "conversion"}), 201)
    db.commit()
    sign_in(client, coordinator.user.username)
    page = f"/advice/cases/{mine.id}"
    shown = page_post(client, page, {"consultation_id": elsewhere["id"], "advice": ADVICE}, page)
    assert shown.status_code == 404
    assert advice_on(db, other)[0][2] is None
