"""Normalising and matching, without a database: what the automaton treats as the same
text, where a word ends, and which dates fall in a period."""

from datetime import date

import pytest

from service.attention.matching import Entry, Matcher, Period, normalise


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(text[h.start : h.end], h.entry.indicator_id) for h in matcher.find(text)]


def entry(name: str) -> Entry:
    return Entry(name, "v1", "term")


@pytest.mark.parametrize(
    ("written", "listed"),
    [
        ("صَيْدْنَايَا", "صيدنايا"),  # tashkeel
        ("كرمانشاه", "کرمانشاه"),  # Arabic kaf for the Farsi one
        ("علي", "علی"),  # Arabic yeh for the Farsi one
        ("مدرسة", "مدرسه"),  # teh marbuta as heh
        ("أحمد", "احمد"),  # alef with hamza
        ("إدلب", "ادلب"),
        ("آمرلي", "امرلي"),  # alef with madda
        ("حمـــاة", "حماة"),  # tatweel
        ("Ḥamā", "hama"),  # Latin diacritics and case
        ("ÇANAKKALE", "çanakkale"),
    ],
)
def test_spelling_variants_are_one_text(written, listed):
    assert normalise(written).text == normalise(listed).text


def test_geez_is_kept_as_it_is():
    # Tigrinya syllables are letters of their own: ሻ and ሸ are not one letter.
    assert normalise("ሻዕቢያ").text == "ሻዕቢያ"
    assert normalise("ሻዕቢያ").text != normalise("ሸዕቢያ").text


def test_digits_of_every_script_are_digits():
    assert normalise("٢٠١٤ ۱۳۹۲").text == "2014 1392"


def test_spans_are_spans_of_the_text_as_written():
    matcher = Matcher([("صيدنايا", entry("prison"))])
    text = "كنت في وَصَيْدْنَايَا"
    assert found(matcher, text) == [("صَيْدْنَايَا", "prison")]


def test_word_boundaries():
    matcher = Matcher(
        [("Hama", entry("hama")), ("Jabhat al-Nusra", entry("nusra")), ("ሻዕቢያ", entry("eplf"))]
    )
    assert found(matcher, "in Hama.") == [("Hama", "hama")]
    assert found(matcher, "Hamas, Hamadan, Shama") == []
    assert found(matcher, "JABHAT  AL NUSRA") == [("JABHAT  AL NUSRA", "nusra")]
    assert found(matcher, "ኣብ ሻዕቢያ፡ ሰሪሐ") == [("ሻዕቢያ", "eplf")]
    assert found(matcher, "ሻዕቢያታት") == []


def test_an_arabic_proclitic_does_not_hide_a_word():
    matcher = Matcher([("الرقة", entry("raqqa")), ("حلب", entry("aleppo"))])
    assert found(matcher, "وبالرقة") == [("الرقة", "raqqa")]  # "and in Raqqa"
    assert found(matcher, "والرقة") == [("الرقة", "raqqa")]
    assert found(matcher, "بحلب") == [("حلب", "aleppo")]
    assert found(matcher, "محلب") == []  # a letter of the word, not a proclitic


def test_dates_are_matched_against_periods():
    siege = Period(date(2011, 5, 6), date(2014, 5, 9), Entry("homs", "v1", "period"))
    matcher = Matcher([], [siege])
    assert found(matcher, "op 12-03-2013 gevlucht") == [("12-03-2013", "homs")]
    assert found(matcher, "2012/01/31") == [("2012/01/31", "homs")]
    assert found(matcher, "in maart 2014") == [("maart 2014", "homs")]
    assert found(matcher, "sinds ٢٠١٣") == [("٢٠١٣", "homs")]
    assert found(matcher, "in 2010 en op 1.6.2014") == []
    assert found(matcher, "the 31-02-2013 is not a day") == [("2013", "homs")]
