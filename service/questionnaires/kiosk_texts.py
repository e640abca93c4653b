"""The kiosk's own interface texts: a gettext domain of their own, ``kiosk``.

Staff pages are Dutch or English (``messages``); the kiosk speaks the applicant's
language. Its texts are marked ``k_(...)`` in ``templates/kiosk/`` and ``K_(...)`` in
code, extracted by ``make kiosk-messages`` into ``service/locale/<lang>/LC_MESSAGES/
kiosk.po``, and every kiosk language must translate every one of them (``hearing forms
check``). A sworn translator's sign-off per language is kept in ``kiosk-review.yaml``.
"""

from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from service.core.settings import PROJECT_ROOT

LOCALE_DIR = PROJECT_ROOT / "service" / "locale"
DOMAIN = "kiosk"
# The kiosk's languages: Dutch (source of the forms) plus the applicants' languages.
KIOSK_LANGUAGES = ("ar", "fa", "ti", "tr", "en", "nl")
REVIEW_FILE = LOCALE_DIR / "kiosk-review.yaml"


def K_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a kiosk text where it is defined; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


@lru_cache
def kiosk_translations(language: str) -> NullTranslations:
    """The compiled kiosk catalogue (English, the source, needs none)."""
    if language == "en" or not catalogue_path(language).exists():
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, read_catalogue(language), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def kiosk_gettext(language: str) -> Callable[[str], str]:
    return kiosk_translations(language).gettext


def kiosk_reviews() -> dict[str, bool]:
    """Per kiosk language: has a sworn translator signed the interface texts off?"""
    data = yaml.safe_load(REVIEW_FILE.read_text(encoding="utf-8")) if REVIEW_FILE.exists() else {}
    return {lang: bool((data or {}).get(lang, {}).get("reviewed")) for lang in KIOSK_LANGUAGES}


def missing_kiosk_texts(sources: set[str]) -> dict[str, list[str]]:
    """Per kiosk language, the interface texts without a translation."""
    missing: dict[str, list[str]] = {}
    for language in KIOSK_LANGUAGES:
        if language == "en":
            continue
        if not catalogue_path(language).exists():
            if sources:
                missing[language] = sorted(sources)
            continue
        translated = {m.id for m in read_catalogue(language) if m.id and m.string and not m.fuzzy}
        absent = sorted(sources - translated)
        if absent:
            missing[language] = absent
    return missing
