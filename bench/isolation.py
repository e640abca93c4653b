"""Every benchmark on its own database and its own job queue, never a running instance's.

``isolate()`` must run before anything from ``service`` is imported: it points the
settings (and so the Huey queue built at import, and any unit of work a service or an
immediate-mode job opens itself) at a temporary directory. ``use_database(url)`` then
points them at the benchmark's fresh database. The default ``var/hearing.db`` and
``var/huey.db`` are never opened.
"""

import os
import tempfile
from pathlib import Path


def isolate(prefix: str, **settings: str) -> Path:
    """A temporary directory for this benchmark's queue file and placeholder database."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        HEARING_REDIS_URL="",
        HEARING_HUEY_SQLITE_PATH=str(tmp / "huey.db"),
        # Until use_database() names the benchmark's own: an empty file, not var/.
        HEARING_DATABASE_URL=f"sqlite:///{tmp / 'not-yet-chosen.db'}",
        **settings,
    )
    return tmp


def use_database(url: str) -> None:
    """Everything the services open themselves from now on uses ``url``."""
    from service.core import db as core_db
    from service.core import settings

    os.environ["HEARING_DATABASE_URL"] = url
    settings.get_settings.cache_clear()
    core_db.get_engine.cache_clear()
    core_db.get_sessionmaker.cache_clear()
