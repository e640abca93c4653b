"""The PDF dossier: render time of a 30-question Arabic and Tigrinya dossier against
WeasyPrint rendering the same text in a bare page, in one run; and the process's memory
after many renders against after a few (a leak would grow it).

Usage: .venv/bin/python bench/bench_dossier.py [--rounds N] [--few N] [--many N]

The dossier is the service's own (``service.dossier.service.render_pdf``: the template,
its stylesheet, page numbers and footer, PDF/A-3b, fonts embedded). The baseline is
``weasyprint.HTML(string=...).write_pdf()`` of a page holding every text of the dossier
(cover, questions, answers, translations, corrections) as plain paragraphs, with ``dir``
and ``lang`` so the scripts shape the same way: no template, no stylesheet, no PDF/A.
Both run alternately, ``--rounds`` times each; the medians are compared. Memory is the
resident set size (``/proc/self/statm``) after ``--few`` and after ``--many`` dossier
renders in this process.
Aims: time <= 1.5x the bare page, memory after many <= 1.2x after few.
"""

import argparse
import gc
import html
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml.html
from pypdf import PdfReader
from weasyprint import HTML

from service.dossier.service import render_html, render_pdf

ARABIC = "غادرت مدينتي حلب في عام ٢٠١٥ لأنني خفت على حياتي وحياة أطفالي. سافرت عبر تركيا واليونان."
TIGRINYA = "ካብ ከተማይ ኣስመራ ብ2015 ወጺአ፣ ምኽንያቱ ብዛዕባ ህይወተይ ፈሪሐ። ብሱዳንን ሊብያን ተጓዒዘ።"
DUTCH = "Ik verliet mijn stad in 2015 omdat ik voor mijn leven vreesde. Ik reisde via Turkije."
QUESTIONS = 30


def document() -> dict[str, Any]:
    """A dossier's content as ``service.dossier.service.content`` makes it: 30 answers,
    alternately Arabic and Tigrinya, each with its translation, some with a correction."""
    answers = []
    for number in range(QUESTIONS):
        arabic = number % 2 == 0
        answers.append(
            {
                "key": f"q{number}",
                "question": ("ما الذي حدث؟" if arabic else "እንታይ ኣጋጢሙ?"),
                "question_nl": f"Vraag {number + 1}: wat is er gebeurd?",
                "answer": (ARABIC if arabic else TIGRINYA) * 3,
                "translation": DUTCH * 3,
                "corrections": (
                    [
                        {
                            "kind": "Correctie van de vertaling",
                            "text": "Lees: Aleppo.",
                            "author": "Mr. A. de Vries",
                            "at": "23 nov 2026 10:00",
                        }
                    ]
                    if number % 5 == 0
                    else []
                ),
            }
        )
    return {
        "copy": "staff",
        "case": {
            "v_number": "1234567890",
            "name": "Amal Haddad",
            "nationality": "SY",
            "stage": "Bij de advocaat",
        },
        "form": {
            "id": "written-hearing",
            "version": 1,
            "sha256": "0" * 64,
            "language": "ar",
            "dir": "rtl",
        },
        "steps": [{"label": "Ingelezen", "at": "1 nov 2026 09:00"}] * 10,
        "terms": [
            {
                "label": "Correcties",
                "at": "7 dec 2026",
                "whose": "de advocaat",
                "place": "",
                "outcome": "",
            }
        ]
        * 5,
        "answers": answers,
        "additions": [
            {"kind": "Aanvulling", "text": DUTCH, "author": "Mr. A. de Vries", "at": "23 nov 2026"}
        ],
        "attachments": [],
        "staff": {
            "signals": [],
            "versions": [{"number": 1, "channel": "xliff", "at": "20 nov 2026"}],
        },
    }


def bare_page(doc: dict[str, Any]) -> str:
    """Every text the dossier shows, in the same order, as plain paragraphs (``dir`` and
    ``lang`` kept so Arabic and Ge'ez shape alike): WeasyPrint with no template at all."""
    tree = lxml.html.fromstring(render_html(doc))
    parts = ['<html lang="nl"><body>']
    for element in tree.body.iter():
        text = " ".join(t.strip() for t in (element.text, element.tail) if t and t.strip())
        if text:
            language = element.get("lang", "nl")
            direction = element.get("dir", "auto")
            escaped = html.escape(text)
            parts.append(f'<p lang="{language}" dir="{direction}">{escaped}</p>')
    parts.append("</body></html>")
    return "".join(parts)


def resident_mb() -> float:
    gc.collect()
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--few", type=int, default=50)
    parser.add_argument("--many", type=int, default=500)
    args = parser.parse_args()

    doc = document()
    bare = bare_page(doc)
    render_pdf(doc)  # warm up: fonts found, caches filled
    HTML(string=bare).write_pdf()
    dossier_times, bare_times = [], []
    for _ in range(args.rounds):
        dossier_times.append(timed(lambda: render_pdf(doc)))
        bare_times.append(timed(lambda: HTML(string=bare).write_pdf()))
    dossier_s, bare_s = statistics.median(dossier_times), statistics.median(bare_times)

    done = args.rounds + 1
    for _ in range(done, args.few):
        render_pdf(doc)
    after_few = resident_mb()
    for _ in range(args.few, args.many):
        render_pdf(doc)
    after_many = resident_mb()

    pages = len(PdfReader(io.BytesIO(render_pdf(doc))).pages)
    print(f"dossier: {QUESTIONS} questions (Arabic and Tigrinya), {pages} pages")
    print("| measure | dossier | baseline | ratio | aim |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| render time (median of {args.rounds}) | {dossier_s * 1000:.0f} ms | "
        f"{bare_s * 1000:.0f} ms (bare page) | {dossier_s / bare_s:.2f}x | <= 1.5x |"
    )
    print(
        f"| resident memory | {after_many:.0f} MB after {args.many} renders | "
        f"{after_few:.0f} MB after {args.few} | {after_many / after_few:.2f}x | <= 1.2x |"
    )


if __name__ == "__main__":
    main()
