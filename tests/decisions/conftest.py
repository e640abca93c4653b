# The live app of tests/test_concurrency.py (one uvicorn process on its own database).
from tests.test_concurrency import live, server

__all__ = ["live", "server"]
