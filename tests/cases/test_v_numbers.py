"""The V-number is the case's key in the IND's systems: however it is written in an import
file, it names one case (the import is idempotent on it)."""

import json

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from service.cases.schemas import CaseIn, normalise_v_number
from service.models import Role
from service.models.cases import Case
from tests.conftest import unique_v_number
from tests.helpers import API, assert_problem, ok


@pytest.mark.parametrize(
    "written",
    ["1234567890", "V1234567890", "v 1234567890", "123-456-7890", "V-123-456-7890", "12345 67890"],
)
def test_a_v_number_written_with_a_v_dashes_or_spaces_names_the_same_case(written):
    assert normalise_v_number(written) == "1234567890"


@pytest.mark.parametrize("written", ["123456789", "12345678901", "V12345678X0", "1234_567890"])
def test_anything_but_ten_digits_is_refused(written):
    with pytest.raises(ValueError, match="exactly 10 digits"):
        normalise_v_number(written)


def test_an_imported_row_carries_the_normalised_v_number():
    row = {
        "v_number": " V-123-456-7890 ",
        "applicant_name": "Amal Haddad",
        "date_of_birth": "1991-04-17",
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-12-02",
    }
    assert CaseIn.model_validate(row).v_number == "1234567890"
    with pytest.raises(ValidationError, match="exactly 10 digits"):
        CaseIn.model_validate(row | {"v_number": "V-123-456-789"})


# Issue 14.5: a V-number in another digit script named a second case.
FULLWIDTH, ARABIC_INDIC, PERSIAN = 0xFF10, 0x0660, 0x06F0  # each script's digit zero


def in_digits(ascii_digits: str, zero: int) -> str:
    """The same number written with another script's digits."""
    return "".join(chr(zero + int(d)) if d.isdigit() else d for d in ascii_digits)


OTHER_SCRIPTS = {
    "fullwidth": in_digits("1234567890", FULLWIDTH),
    "Arabic-Indic": in_digits("1234567890", ARABIC_INDIC),
    "Persian": in_digits("1234567890", PERSIAN),
    # a fullwidth V, and the right-to-left mark a copy from Arabic text brings along
    "fullwidth V, direction mark": "\uff36\u200f" + in_digits("123-456-7890", ARABIC_INDIC),
}


@pytest.mark.parametrize("written", OTHER_SCRIPTS.values(), ids=OTHER_SCRIPTS.keys())
def test_a_v_number_in_another_digit_script_is_stored_in_ascii_digits(written):
    assert normalise_v_number(written) == "1234567890"


@pytest.mark.parametrize(
    "written",
    [in_digits("123456789", FULLWIDTH), in_digits("12345678901", ARABIC_INDIC), "\u00bd234567890"],
)
def test_other_scripts_still_need_exactly_ten_digits(written):
    with pytest.raises(ValueError, match="exactly 10 digits"):
        normalise_v_number(written)


def new_case(factory, v_number):
    return {
        "v_number": v_number,
        "applicant_name": "Amal Haddad",
        "date_of_birth": "1991-04-17",
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-11-04",
        "lawyer": factory.person(Role.LAWYER).user.username,
    }


def ascii_and_arabic_indic():
    ascii_ = unique_v_number()
    return ascii_, in_digits(ascii_, ARABIC_INDIC)


def test_the_api_refuses_a_second_case_for_the_same_v_number_in_other_digits(client, db, factory):
    planner = factory.person(Role.PLANNER)
    ascii_, arabic = ascii_and_arabic_indic()
    ok(client.post(f"{API}/cases", headers=planner.headers, json=new_case(factory, ascii_)), 201)

    response = client.post(f"{API}/cases", headers=planner.headers, json=new_case(factory, arabic))

    assert_problem(response, 409, "duplicate_v_number")
    assert db.scalars(select(Case.v_number).where(Case.v_number == arabic)).all() == []
    found = ok(client.get(f"{API}/cases/by-v-number/{arabic}", headers=planner.headers))
    assert found["v_number"] == ascii_


def test_an_import_file_skips_a_v_number_in_other_digits_that_exists(client, db, factory):
    planner = factory.person(Role.PLANNER)
    ascii_, arabic = ascii_and_arabic_indic()
    fullwidth = in_digits(ascii_, FULLWIDTH)
    ok(client.post(f"{API}/cases", headers=planner.headers, json=new_case(factory, ascii_)), 201)
    document = json.dumps([new_case(factory, arabic), new_case(factory, fullwidth)])
    files = {"file": ("backlog.json", document.encode(), "application/json")}

    report = ok(client.post(f"{API}/cases/import", headers=planner.headers, files=files))

    # the first row is the existing case; the second the same number again in this file
    assert (report["created"], report["skipped_existing"], report["failed"]) == (0, 1, 1)
    assert "appears twice" in report["errors"][0]["errors"][0]
    others = select(Case.v_number).where(Case.v_number.in_([arabic, fullwidth]))
    assert db.scalars(others).all() == []
    assert len(db.scalars(select(Case.id).where(Case.v_number == ascii_)).all()) == 1
