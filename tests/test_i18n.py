"""Interface texts: every text in the code and templates is in the Dutch catalogue."""

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.core.i18n import LOCALE_DIR, direction, translations
from service.core.settings import PROJECT_ROOT

METHOD_MAP = [("service/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "N_": None}


def texts_in_the_sources() -> set[str]:
    found = extract_from_dir(
        str(PROJECT_ROOT), method_map=METHOD_MAP, keywords=KEYWORDS, comment_tags=()
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def catalogue(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def test_every_interface_text_has_a_dutch_translation():
    texts = texts_in_the_sources()
    assert len(texts) > 100, "the extraction found the texts"
    dutch = {m.id: m for m in catalogue("nl") if m.id}
    missing = sorted(t for t in texts if t not in dutch or not dutch[t].string)
    fuzzy = sorted(m.id for m in dutch.values() if m.fuzzy)
    assert not missing, f"run `make messages` and translate: {missing}"
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy}"
    assert translations("nl").gettext("Sign in") == "Inloggen"


def test_the_english_catalogue_lists_the_same_texts():
    english = {m.id for m in catalogue("en") if m.id}
    assert texts_in_the_sources() <= english


def test_right_to_left_languages_are_known():
    assert [direction(code) for code in ("nl", "en", "ar", "fa", "ti")] == [
        "ltr",
        "ltr",
        "rtl",
        "rtl",
        "ltr",
    ]
