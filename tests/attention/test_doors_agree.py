"""One action, two doors: adding an indicator, publishing, dismissing a point and
raising a signal from one store the same through the page as through the API, and a
refused input gets the same status (the page keeping what was typed, the message beside
the field). Unit 1F's pages, the point page and the report are Dutch."""

import html
import uuid

from sqlalchemy import select

from service.models import Role
from service.models.attention import AttentionPoint, Indicator, IndicatorListVersion
from service.models.cases import CaseEventRow
from service.questionnaires import service as questionnaires
from service.workflow import CaseState
from tests.attention.conftest import PRISON_AR, PRISON_NL, publish_list, translated
from tests.decisions.doors import api_refusal, page_post, page_refusal
from tests.helpers import API, ok, sign_in

REASON = "Staff of this prison may fall under Article 1F."


def stored(db, list_id):
    db.expire_all()
    list_id = uuid.UUID(str(list_id))
    version = db.scalars(
        select(IndicatorListVersion)
        .where(IndicatorListVersion.list_id == list_id)
        .order_by(IndicatorListVersion.number.desc())
    ).first()
    rows = db.scalars(select(Indicator).where(Indicator.version_id == version.id)).all()
    shown = [(r.kind, r.language, r.text, r.text_nl, r.variants, r.reason) for r in rows]
    return version.number, version.published_at is not None, sorted(shown)


def test_lists_are_kept_alike_and_refused_alike(client, db, factory):
    unit = factory.person(Role.UNIT_1F)
    body = {
        "kind": "place",
        "language": "ar",
        "text": PRISON_AR,
        "text_nl": PRISON_NL,
        "variants": ["Sednaya", "Saidnaya"],
        "reason": REASON,
    }
    by_api = ok(
        client.post(
            f"{API}/attention/lists", headers=unit.headers, json={"name": "A", "keeper": "Unit 1F"}
        ),
        201,
    )
    path = f"{API}/attention/lists/{by_api['id']}/indicators"
    refused = client.post(path, headers=unit.headers, json=body | {"reason": ""})
    assert api_refusal(refused) == (422, "validation_error", {"reason"})
    ok(client.post(path, headers=unit.headers, json=body), 201)
    published = f"{API}/attention/lists/{by_api['id']}/publish"
    ok(client.post(published, headers=unit.headers, json={"note": "eerste"}))
    again = client.post(published, headers=unit.headers, json={})
    assert api_refusal(again) == (409, "list_version_empty", set())

    sign_in(client, unit.user.username)
    shown = page_post(client, "/unit1f/lists", {"name": "B", "keeper": "Unit 1F"}, "/unit1f/lists")
    assert shown.status_code == 303
    page = shown.headers["location"]
    form = {k: v for k, v in body.items() if k != "variants"} | {"variants": "Sednaya\nSaidnaya"}
    shown = page_post(client, f"{page}/indicators", form | {"reason": ""}, page)
    assert page_refusal(shown) == (422, {"reason"})
    assert PRISON_AR in shown.text, "what was typed is kept"
    assert page_post(client, f"{page}/indicators", form, page).status_code == 303
    assert page_post(client, f"{page}/publish", {"note": "eerste"}, page).status_code == 303
    shown = page_post(client, f"{page}/publish", {"note": ""}, page)
    assert page_refusal(shown) == (409, {"note"})

    by_page = page.rsplit("/", 1)[1]
    assert stored(db, by_api["id"]) == stored(db, by_page)
    assert stored(db, by_page)[:2] == (1, True)


def points_of(db, case):
    db.expire_all()
    return db.scalars(select(AttentionPoint).where(AttentionPoint.case_id == case.id)).all()


def handled(db, case):
    rows = points_of(db, case)
    events = db.scalars(
        select(CaseEventRow.event).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
    ).all()
    return sorted((p.status, p.reason, p.handled_role) for p in rows), events[-2:]


def test_points_are_handled_alike_and_refused_alike(client, db, factory):
    unit = factory.person(Role.UNIT_1F)
    publish_list(db, unit.actor)
    cases = [translated(factory, f"في {PRISON_AR}", "Niets.")[0] for _ in range(4)]
    ids = [points_of(db, c)[0].id for c in cases]
    db.commit()

    dismissal = f"{API}/attention/points/{ids[0]}/dismissal"
    refused = client.post(dismissal, headers=unit.headers, json={"reason": ""})
    assert api_refusal(refused) == (422, "validation_error", {"reason"})
    ok(client.post(dismissal, headers=unit.headers, json={"reason": "Home town."}))
    again = client.post(dismissal, headers=unit.headers, json={"reason": "Home town."})
    assert api_refusal(again) == (409, "attention_point_handled", set())
    signal = f"{API}/attention/points/{ids[2]}/signal"
    ok(client.post(signal, headers=unit.headers, json={"kind": "1f", "reason": "Guard."}))

    sign_in(client, unit.user.username)
    page = f"/attention/points/{ids[1]}"
    shown = page_post(client, f"{page}/dismissal", {"dismiss_reason": ""}, page)
    assert page_refusal(shown) == (422, {"dismiss_reason"})
    assert (
        page_post(client, f"{page}/dismissal", {"dismiss_reason": "Home town."}, page).status_code
        == 303
    )
    # Handled: the page offers no form any more; a post from elsewhere is refused.
    shown = page_post(client, f"{page}/dismissal", {"dismiss_reason": "Again."}, "/unit1f/lists")
    assert page_refusal(shown) == (409, {"dismiss_reason"})
    page = f"/attention/points/{ids[3]}"
    form = {"signal_kind": "1f", "signal_reason": "Guard."}
    assert page_post(client, f"{page}/signal", form, page).status_code == 303

    assert handled(db, cases[0]) == handled(db, cases[1])
    assert handled(db, cases[2]) == handled(db, cases[3])
    db.refresh(cases[3])
    assert cases[3].state is CaseState.EXCLUDED
    assert cases[1].state is CaseState.WITH_LAWYER


def test_the_officer_sees_the_points_beside_the_answer(client, db, factory):
    unit = factory.person(Role.UNIT_1F)
    publish_list(db, unit.actor)
    case, key = translated(factory, f"في {PRISON_AR}", f"In {PRISON_NL}.")
    officer = factory.person(Role.OFFICER)
    db.commit()
    sign_in(client, officer.user.username)
    page = client.get(f"/officer/cases/{case.id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    section = page.text.split(f'id="q-{key}"', 1)[1].split("</section>", 1)[0]
    assert "Aandachtspunten" in section
    assert "<mark" in section
    assert f"/attention/points/{points_of(db, case)[0].id}" in section


def test_review_task_and_report(client, db, factory, monkeypatch):
    unit = factory.person(Role.UNIT_1F)
    made = publish_list(db, unit.actor, "Syrië-lijst")
    case, _ = translated(factory, f"في {PRISON_AR}", "Niets.")
    point = points_of(db, case)[0]
    db.commit()
    sign_in(client, unit.user.username)
    review = client.get("/unit1f", headers={"accept": "text/html"})
    assert review.status_code == 200
    assert case.v_number in review.text
    assert f"/attention/points/{point.id}" in review.text
    # The question in Dutch, as the case's form version asks it, not the answer's key.
    form = questionnaires.form_of(questionnaires.answer_set_of(db, case))
    question = form.label_for(point.answer_key, "nl")
    assert question != point.answer_key
    assert html.escape(question) in review.text
    shown = client.get(f"/attention/points/{point.id}", headers={"accept": "text/html"})
    assert html.escape(question) in shown.text
    listed = ok(client.get(f"{API}/attention/points/open", headers=unit.headers))
    assert [p["id"] for p in listed] == [str(point.id)]
    from service.core.settings import get_settings

    monkeypatch.setattr(get_settings(), "attention_review_by_unit_1f", False)
    assert ok(client.get(f"{API}/attention/points/open", headers=unit.headers)) == []
    assert case.v_number not in client.get("/unit1f", headers={"accept": "text/html"}).text

    ok(
        client.post(
            f"{API}/attention/points/{point.id}/dismissal",
            headers=unit.headers,
            json={"reason": "Home town."},
        )
    )
    report = ok(client.get(f"{API}/attention/report", headers=unit.headers))
    assert [(r["list_name"], r["version_number"], r["nationality"]) for r in report] == [
        ("Syrië-lijst", 1, "SY")
    ]
    assert (report[0]["hits"], report[0]["dismissed"], report[0]["signalled"]) == (1, 1, 0)
    coordinator = factory.person(Role.COORDINATOR)
    assert ok(client.get(f"{API}/attention/report", headers=coordinator.headers)) == report
    page = client.get("/attention/report", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Syrië-lijst" in page.text
    assert made.name in client.get("/unit1f/lists", headers={"accept": "text/html"}).text
