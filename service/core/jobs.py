"""The task queue: Huey on a SQLite file by default, on Redis in production."""

from functools import lru_cache

from huey import Huey, RedisHuey, SqliteHuey

from service.core.settings import Settings, get_settings


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("hearing", url=settings.redis_url, utc=True)
    settings.huey_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        "hearing",
        filename=str(settings.huey_sqlite_path),
        utc=True,
        immediate=settings.env == "test",
    )


@lru_cache
def get_huey() -> Huey:
    return make_huey(get_settings())


huey = get_huey()
