import pytest

from service.audit import service as audit


@pytest.fixture(autouse=True)
def fresh_writer() -> audit.Writer:
    """Each test's trail starts empty (its transaction is rolled back): so does the
    numbering of this process's writer."""
    return audit.new_writer()
