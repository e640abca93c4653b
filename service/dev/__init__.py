"""Development-only code: the demo data (``demo``) and the driver that walks a case
through the real services (``driver``), used by ``hearing demo-data``, the tests and the
benchmarks. The app never imports it (tests/test_architecture.py checks that)."""
