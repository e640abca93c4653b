from collections.abc import Iterator

import pytest

from service.core.settings import get_settings


@pytest.fixture
def taskforce_policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Expected screening outcomes are those of taskforce-2020."""
    monkeypatch.setenv("HEARING_ELIGIBILITY_POLICY", "taskforce-2020")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
