"""The administrator sets up agencies (weekly capacity) and officer profiles on pages;
the profile goes through the service of PUT /officers/{id}/profile."""

from datetime import date

from sqlalchemy import select

from service.models import OfficerProfile, Role, Team
from service.models.translation import Agency
from tests.auth.test_admin_pages import HTML, admin_browser, post_form


def test_an_admin_adds_an_agency_and_changes_its_capacity(factory, db):
    browser = admin_browser(factory)
    missing = post_form(
        browser, "/admin/agencies", "/admin/agencies", name="", capacity_per_week="many"
    )
    assert missing.status_code == 422
    assert 'href="#name"' in missing.text
    assert 'href="#capacity_per_week"' in missing.text
    assert 'value="many"' in missing.text
    added = post_form(
        browser,
        "/admin/agencies",
        "/admin/agencies",
        name="Vertaalbureau Oost",
        capacity_per_week="35",
    )
    assert added.status_code == 303
    agency = db.scalar(select(Agency).where(Agency.name == "Vertaalbureau Oost"))
    assert agency is not None
    assert agency.capacity_per_week == 35
    taken = post_form(
        browser,
        "/admin/agencies",
        "/admin/agencies",
        name="Vertaalbureau Oost",
        capacity_per_week="5",
    )
    assert taken.status_code == 422
    changed = post_form(
        browser,
        "/admin/agencies",
        "/admin/agencies",
        agency_id=str(agency.id),
        name="Vertaalbureau Oost",
        capacity_per_week="12",
        active="true",
    )
    assert changed.status_code == 303
    db.refresh(agency)
    assert agency.capacity_per_week == 12


def test_an_admin_sets_an_officer_profile_and_team(factory, db):
    officer = factory.person(Role.OFFICER, "new")
    browser = admin_browser(factory)
    listing = browser.get("/admin/officers", headers=HTML)
    assert f'href="/admin/officers/{officer.user.id}"' in listing.text
    page = f"/admin/officers/{officer.user.id}"
    bad = post_form(browser, page, page, started_on="yesterday", nationalities="S!")
    assert bad.status_code == 422
    assert 'href="#started_on"' in bad.text
    assert 'value="S!"' in bad.text
    saved = post_form(
        browser,
        page,
        page,
        team="Team Zwolle",
        nationalities="SY, ER",
        languages="ar",
        started_on="2024-02-01",
        flags=["senior", "lgbti_experience"],
    )
    assert saved.status_code == 303
    profile = db.get(OfficerProfile, officer.user.id)
    assert profile.senior
    assert profile.lgbti_experience
    assert not profile.team_lead
    assert profile.nationalities == ["SY", "ER"]
    assert profile.started_on == date(2024, 2, 1)
    assert db.get(Team, profile.team_id).name == "Team Zwolle"
    assert browser.get(
        f"/admin/officers/{factory.person(Role.PLANNER).user.id}", headers=HTML
    ).status_code in (400, 404, 422)


def test_planners_do_not_get_the_admin_set_up_pages(factory):
    from tests.pages.test_planner_cases import planner_browser

    browser = planner_browser(factory)
    assert browser.get("/admin/agencies", headers=HTML).status_code == 403
    assert browser.get("/admin/officers", headers=HTML).status_code == 403
