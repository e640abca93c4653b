"""Creating an account through both doors: the same rules, the same refusals (the page
keeping what was typed)."""

import pytest

from service.models import Role
from tests.auth.test_admin_pages import admin_browser, post_form
from tests.helpers import API, assert_problem

PASSWORD = "een lang en moeilijk wachtwoord 42"


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"role": "coordinator"}, 422, "specialism_missing", "specialism"),
        ({"role": "translator", "agency": "Bestaat niet"}, 422, "unknown_agency", "agency"),
        ({"role": "host"}, 422, "unknown_location", "location"),
        ({"role": "planner", "username": "x"}, 422, "validation_error", "username"),
    ],
)
def test_an_account_is_refused_alike_by_both_doors(client, factory, fields, status, code, field):
    admin = factory.person(Role.ADMIN)
    account = {"display_name": "Nieuwe Collega", "username": "nieuw.collega"} | fields
    api = client.post(f"{API}/users", json=account | {"password": PASSWORD}, headers=admin.headers)
    assert_problem(api, status, code)
    page = post_form(admin_browser(factory), "/admin/users/new", "/admin/users/new", **account)
    assert page.status_code == status
    assert f'href="#{field}"' in page.text
    assert 'value="Nieuwe Collega"' in page.text


def test_a_taken_username_is_refused_alike_by_both_doors(client, factory):
    admin = factory.person(Role.ADMIN)
    account = {"display_name": "Nieuwe Planner", "username": "planner.nieuw", "role": "planner"}
    first = client.post(
        f"{API}/users", json=account | {"password": PASSWORD}, headers=admin.headers
    )
    assert first.status_code == 201, first.text
    again = client.post(
        f"{API}/users", json=account | {"password": PASSWORD}, headers=admin.headers
    )
    assert_problem(again, 409, "username_taken")
    page = post_form(admin_browser(factory), "/admin/users/new", "/admin/users/new", **account)
    assert page.status_code == 409
    assert "Deze gebruikersnaam is al in gebruik." in page.text
