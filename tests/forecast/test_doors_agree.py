"""The forecast through both doors: the same query gives the API's JSON and the page's
figures from the one service function, and a bad input is refused alike (422): the API
with a problem per parameter, the page in Dutch beside the field with what was typed."""

import re
from datetime import date

import pytest

from service.core.formatting import local_date
from service.forecast import service
from tests.helpers import API, assert_problem, ok, sign_in

HTML = {"accept": "text/html"}


def test_the_api_and_the_page_give_the_same_forecast(client, db, world):
    zevenaar = str(world["zevenaar"].id)
    query = {f"sessions-{zevenaar}": "2,5", "consent": "60"}
    body = ok(client.get(f"{API}/forecast", params=query, headers=world["planner"].headers))
    assert body == service.forecast(db, world["planner"].actor, query).model_dump(mode="json")
    assert body["query"] == {"consent": "60.0", f"sessions-{zevenaar}": "2.5"}
    sign_in(client, world["planner"].user.username)
    page = client.get("/planner/forecast", params=query, headers=HTML)
    assert page.status_code == 200, page.text
    finished = body["finished_on"]
    assert finished
    assert local_date(date.fromisoformat(finished), "nl") in page.text
    assert "Knelpunt" in page.text
    # The form keeps the scenario: Dutch decimals in the fields.
    assert re.search(rf'id="sessions-{zevenaar}"[^>]*value="2,5"', page.text)
    assert 'value="60"' in page.text


@pytest.mark.parametrize(
    ("name", "value", "dutch"),
    [
        ("consent", "veel", "Vul een percentage in van 0 tot 100"),
        ("consent", "120", "Vul een percentage in van 0 tot 100"),
        ("reply_days", "2,5", "Vul een heel aantal dagen in van 0 tot 365"),
        ("sessions", "-1", "Vul een aantal sessies in van 0 tot 50"),
    ],
)
def test_a_bad_input_is_refused_alike_with_the_message_beside_the_field(
    client, world, name, value, dutch
):
    field = f"sessions-{world['zevenaar'].id}" if name == "sessions" else name
    api = client.get(f"{API}/forecast", params={field: value}, headers=world["planner"].headers)
    problem = assert_problem(api, 422, "invalid_forecast_input")
    assert any(p.startswith(f"{field}: Enter") for p in problem["problems"]), problem
    sign_in(client, world["planner"].user.username)
    page = client.get("/planner/forecast", params={field: value}, headers=HTML)
    assert page.status_code == 422
    html = page.text
    assert dutch in html
    assert f'id="{field}-error"' in html
    # What was typed is still in the field; no forecast is shown for it.
    assert re.search(rf'id="{field}"[^>]*value="{re.escape(value)}"', html)
    assert 'id="forecast-summary"' not in html
    assert "Er is een probleem" in html


def test_an_unknown_location_is_refused(client, world):
    api = client.get(
        f"{API}/forecast", params={"sessions-nowhere": "2"}, headers=world["planner"].headers
    )
    problem = assert_problem(api, 422, "invalid_forecast_input")
    assert problem["problems"] == [
        "sessions-nowhere: There is no location, agency or team with this id."
    ]
