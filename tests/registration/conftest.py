import pytest

from service.core.settings import get_settings

# The shipped default policy: the first that names a registration interview form.
POLICY = "ind-2026"


@pytest.fixture(autouse=True)
def registration_policy(monkeypatch):
    monkeypatch.setenv("HEARING_ELIGIBILITY_POLICY", POLICY)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
