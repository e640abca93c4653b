"""The V-number is the case's key in the IND's systems: however it is written in an import
file, it names one case (the import is idempotent on it)."""

import pytest
from pydantic import ValidationError

from service.cases.schemas import CaseIn, normalise_v_number


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
