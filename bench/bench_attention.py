"""Attention points: matching 1,036 translated forms against 5,000 indicators in five
scripts (Latin transliterations, Arabic, Farsi, Ge'ez, Dutch) with the service's one
Aho-Corasick automaton (``service.attention.matching.Matcher``, pyahocorasick) against
naive baselines in the same run: a substring loop (``str.find`` per indicator per text)
and a regular expression per indicator.

Usage: .venv/bin/python bench/bench_attention.py [--forms 1036] [--indicators 5000]
       [--regex-forms N] [--out rows.json]

The data is synthetic and seeded (the same every run): each form has 30 answers in the
applicant's script (Arabic, Farsi or Tigrinya, in turn), each with its Dutch translation
holding transliterated names; three indicators are planted in every form. Every method
reads the same normalised text (normalising is timed on its own and counted in the
automaton's total, so the ratio is not flattered) and applies the same word boundaries;
the substring loop must find exactly the automaton's hits (checked). The regex baseline
is slow: by default it runs on the first ``--regex-forms`` forms and its time is scaled
to all forms (said so in its row); ``--substring-forms`` does the same for the substring
loop (default: all forms), which must find exactly the automaton's hits on those forms.
"""

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.attention.matching import (
    Entry,
    Matcher,
    _ends_a_word,
    _starts_a_word,
    key,
    normalise,
)

# ruff: noqa: RUF001 (the letters of the scripts look like Latin ones)
SYLLABLES = {
    "latin": "ba da ka ma na ra sa ta al ha mu sh ya za kh gh qa fa wa li bu di ko me ni ru so tu",
    "ar": "ب د ك م ن ر س ت ه و ش ي ز خ غ ق ف ل ع ح ج ص ض ط ظ ث ذ",
    "fa": "ب د ک م ن ر س ت پ ه و ش ی ز خ گ ق ف ل چ ژ ح ج ص ط ظ ث",
    "ti": "ሀ ለ ሐ መ ሰ ረ ቀ በ ተ ነ ኣ ከ ወ ዐ ዘ የ ደ ገ ጠ ፈ ሎ ሞ ሶ ሮ ቆ ቦ ቶ ኖ",
    "nl": "de van het een kol on el ge vang enis leg er ber stad dorp kamp oor lo gen wa pen",
}
SCRIPTS = ("latin", "ar", "fa", "ti", "nl")
ANSWERS = 30
WORDS = 40


def word(rng: random.Random, script: str) -> str:
    syllables = SYLLABLES[script].split()
    return "".join(rng.choice(syllables) for _ in range(rng.randint(3, 5)))


def phrase(rng: random.Random, script: str, words: int) -> str:
    return " ".join(word(rng, script) for _ in range(words))


def make_indicators(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(script, text) pairs, one fifth per script, each unique once normalised."""
    found: dict[str, tuple[str, str]] = {}
    while len(found) < count:
        script = SCRIPTS[len(found) % len(SCRIPTS)]
        text = phrase(rng, script, 2)
        found.setdefault(key(text), (script, text))
    return list(found.values())


def make_forms(
    rng: random.Random, count: int, indicators: list[tuple[str, str]]
) -> list[list[str]]:
    """Each form: its texts (30 originals and 30 Dutch translations)."""
    forms = []
    for number in range(count):
        script = ("ar", "fa", "ti")[number % 3]
        texts = []
        for _ in range(ANSWERS):
            texts.append(phrase(rng, script, WORDS))
            dutch = phrase(rng, "nl", WORDS // 2) + " " + phrase(rng, "latin", 3)
            texts.append(dutch + " " + phrase(rng, "nl", WORDS // 2))
        for _ in range(3):  # planted hits
            _, planted = rng.choice(indicators)
            spot = rng.randrange(len(texts))
            texts[spot] = f"{texts[spot]} {planted} {phrase(rng, 'nl', 2)}"
        forms.append(texts)
    return forms


Hit = tuple[int, int, int, int]  # text number, start, end (normalised), indicator


def automaton_hits(matcher: Matcher, normalised: list[list[str]]) -> set[Hit]:
    hits: set[Hit] = set()
    automaton = matcher.automaton
    for form in normalised:
        for number, text in enumerate(form):
            for end, (term, entries) in automaton.iter(text):
                start = end - len(term) + 1
                if _starts_a_word(text, start) and _ends_a_word(text, end + 1):
                    hits.update((number, start, end + 1, e.indicator_id) for e in entries)
    return hits


def substring_hits(patterns: list[str], normalised: list[list[str]]) -> set[Hit]:
    hits: set[Hit] = set()
    for form in normalised:
        for number, text in enumerate(form):
            for indicator, pattern in enumerate(patterns):
                start = text.find(pattern)
                while start >= 0:
                    end = start + len(pattern)
                    if _starts_a_word(text, start) and _ends_a_word(text, end):
                        hits.add((number, start, end, indicator))
                    start = text.find(pattern, start + 1)
    return hits


def regex_hits(patterns: list[re.Pattern[str]], normalised: list[list[str]]) -> int:
    found = 0
    for form in normalised:
        for text in form:
            for pattern in patterns:
                for _ in pattern.finditer(text):
                    found += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--forms", type=int, default=1036)
    parser.add_argument("--indicators", type=int, default=5000)
    parser.add_argument("--substring-forms", type=int, default=1036)
    parser.add_argument("--regex-forms", type=int, default=40)
    parser.add_argument("--out", type=Path, help="also write the rows as JSON (bench/run)")
    args = parser.parse_args()

    rng = random.Random(20)
    indicators = make_indicators(rng, args.indicators)
    forms = make_forms(rng, args.forms, indicators)
    chars = sum(len(t) for form in forms for t in form)
    print(
        f"{args.forms} forms ({chars / 1e6:.1f} M characters), {len(indicators)} indicators "
        f"({', '.join(SCRIPTS)})",
        file=sys.stderr,
    )

    started = time.perf_counter()
    matcher = Matcher((text, Entry(i, None, "term")) for i, (_, text) in enumerate(indicators))
    build_s = time.perf_counter() - started

    started = time.perf_counter()
    normalised = [[normalise(t).text for t in form] for form in forms]
    normalise_s = time.perf_counter() - started

    started = time.perf_counter()
    fast = automaton_hits(matcher, normalised)
    match_s = time.perf_counter() - started
    automaton_s = build_s + normalise_s + match_s

    patterns = [key(text) for _, text in indicators]
    part = normalised[: args.substring_forms]
    started = time.perf_counter()
    slow = substring_hits(patterns, part)
    substring_s = (time.perf_counter() - started) * len(normalised) / max(1, len(part))
    substring_s += normalise_s
    same = automaton_hits(matcher, part)
    assert slow == same, f"the substring loop found {len(slow)} hits, the automaton {len(same)}"

    regexes = [re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)") for p in patterns]
    sample = normalised[: args.regex_forms]
    started = time.perf_counter()
    regex_hits(regexes, sample)
    regex_s = (time.perf_counter() - started) * len(normalised) / max(1, len(sample))
    regex_s += normalise_s

    print(
        f"automaton: build {build_s:.2f} s, normalise {normalise_s:.2f} s, "
        f"match {match_s:.2f} s; {len(fast)} hits",
        file=sys.stderr,
    )
    rows: list[dict[str, Any]] = [
        {
            "measure": f"match {args.forms} forms x {len(indicators)} indicators, s: "
            f"automaton / substring loop (timed on {len(part)} forms, scaled)",
            "this": automaton_s,
            "baseline": substring_s,
            "ratio": automaton_s / substring_s,
            "aim": "seconds, not minutes",
            "met": automaton_s < 60,
        },
        {
            "measure": "same, matching alone (normalising and building left out), s: "
            "automaton / substring loop",
            "this": match_s,
            "baseline": substring_s - normalise_s,
            "ratio": match_s / (substring_s - normalise_s),
            "aim": "no aim",
            "met": None,
        },
        {
            "measure": f"same, s: automaton / a regex per indicator (timed on "
            f"{len(sample)} forms, scaled to {args.forms})",
            "this": automaton_s,
            "baseline": regex_s,
            "ratio": automaton_s / regex_s,
            "aim": "seconds, not minutes",
            "met": automaton_s < 60,
        },
    ]
    print("| measure | automaton | baseline | ratio | speed-up |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['measure']} | {row['this']:.2f} s | {row['baseline']:.2f} s | "
            f"{row['ratio']:.4f} | {1 / row['ratio']:.0f}x |"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        load = os.getloadavg()
        args.out.write_text(json.dumps({"rows": rows, "load_average": load}, indent=2) + "\n")


if __name__ == "__main__":
    main()
