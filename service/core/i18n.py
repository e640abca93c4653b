"""Interface text through Babel/gettext catalogues, and the language of a request.

Message ids are English (the source language); ``service/locale/<lang>/LC_MESSAGES/
messages.po`` holds each translation. The catalogues are compiled in memory when first
used, so there is no build step. ``make messages`` extracts new texts into the
catalogues; ``tests/test_i18n.py`` fails while any Dutch translation is missing.
"""

from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING, Any

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from service.core.paths import PROJECT_ROOT

if TYPE_CHECKING:  # the dossier's rendering child imports this module: no Starlette there
    from starlette.requests import Request

LOCALE_DIR = PROJECT_ROOT / "service" / "locale"
SOURCE_LANGUAGE = "en"
DEFAULT_LANGUAGE = "nl"
# Staff, lawyers and agencies work in Dutch or English; the kiosk adds more later.
STAFF_LANGUAGES = ("nl", "en")
LANGUAGE_COOKIE = "lang"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a text for translation where it is defined; translate it where it is shown."""
    return message


@lru_cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (the source language needs none)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


@lru_cache
def direction(language: str) -> str:
    """``rtl`` for Arabic, Persian and other right-to-left scripts, else ``ltr``."""
    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


@lru_cache
def language_name(language: str) -> str:
    """The language's own name for itself, for a language switch."""
    return str(Locale.parse(language).get_display_name(language)).capitalize()


def language_of(request: "Request", offered: tuple[str, ...] = STAFF_LANGUAGES) -> str:
    """The chosen language (cookie), else the browser's preference, else Dutch."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in offered:
        return chosen
    accepted = [
        part.split(";")[0].strip().replace("-", "_")
        for part in request.headers.get("accept-language", "").split(",")
        if part.strip()
    ]
    found = negotiate_locale(accepted, list(offered), sep="_")
    return found if found in offered else DEFAULT_LANGUAGE


def gettext_for(language: str) -> Any:
    return translations(language).gettext
