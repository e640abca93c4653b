"""The PDF dossier: render time of a 30-question Arabic and Tigrinya dossier against
WeasyPrint rendering the same text in a bare page, in one run; and the memory of the
service's side after many renders against after a few (a leak would grow it).

Usage: .venv/bin/python bench/bench_dossier.py [--rounds N] [--few N] [--many N]

This process plays the job worker: it calls ``service.dossier.rendering.render_pdf``
exactly as the Huey task does, which renders in the worker's rendering child (a spawned
process replaced after ``RENDERS_PER_CHILD`` dossiers; the template, its stylesheet,
page numbers and footer, PDF/A-3b, fonts embedded). This process never imports
WeasyPrint itself.

Time: the dossier is timed here, around ``render_pdf``, so it includes handing the
content to the child and the PDF back. The baseline is ``weasyprint.HTML(string=...)
.write_pdf()`` of a page holding every text of the dossier (cover, questions, answers,
translations, corrections) as plain paragraphs, with ``dir`` and ``lang`` so the scripts
shape the same way: no template, no stylesheet, no PDF/A, timed inside a separate
long-lived process of its own (so no hand-over counts). Both run alternately,
``--rounds`` times each; the medians are compared. A second row compares the mean time
per dossier over renders ``--few``+1..``--many`` (every child's start-up included) with
the mean of the bare renders made after every fifth dossier in that span.

Memory: the service's whole side, i.e. the resident set size (RSS) of this process plus
every process below it (the rendering child and multiprocessing's resource tracker;
the baseline's process left out), summed with psutil after every dossier
render. Compared: the highest sum over renders 1..``--few`` against the highest over
renders ``--few``+1..``--many`` (``--few`` is at least one child's whole life,
``RENDERS_PER_CHILD``: a shorter span would compare a young child with grown ones).
Also shown: the highest peak RSS (VmHWM, which counts
the middle of a render too) any rendering child reached, in each of the two spans.
Aims: time <= 1.5x the bare page, memory over many <= 1.2x over few.
"""

import argparse
import contextlib
import html
import io
import json
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml.html
import psutil
from pypdf import PdfReader

from service.dossier.rendering import RENDERS_PER_CHILD, render_html, render_pdf

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


def bare_render_seconds(page: str) -> float:
    """Runs in the baseline's own process: one bare WeasyPrint render, timed there."""
    from weasyprint import HTML

    start = time.perf_counter()
    HTML(string=page).write_pdf()
    return time.perf_counter() - start


def timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# The baseline's own process is not the service's: left out of every memory figure.
NOT_THE_SERVICE: set[int] = set()
BARE_EVERY = 5


def service_children() -> list[psutil.Process]:
    children = psutil.Process().children(recursive=True)
    return [child for child in children if child.pid not in NOT_THE_SERVICE]


def service_side_mb() -> float:
    """RSS of this process (the worker) plus every process below it, summed."""
    total = psutil.Process().memory_info().rss
    for child in service_children():
        with contextlib.suppress(psutil.NoSuchProcess):  # a recycled child just exited
            total += child.memory_info().rss
    return total / 2**20


def child_peak_mb() -> float:
    """The highest VmHWM (peak RSS over the process's life) of the processes below this one."""
    peak = 0
    for child in service_children():
        try:
            with open(f"/proc/{child.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return peak / 2**10


class Span:
    """The highest summed RSS and child peak seen after each render in a span of renders."""

    def __init__(self) -> None:
        self.rss_mb = 0.0
        self.child_peak_mb = 0.0
        self.seconds = 0.0
        self.renders = 0

    def render(self, doc: dict[str, Any]) -> None:
        self.seconds += timed(lambda: render_pdf(doc))
        self.renders += 1
        self.rss_mb = max(self.rss_mb, service_side_mb())
        self.child_peak_mb = max(self.child_peak_mb, child_peak_mb())


def write_rows(
    args: argparse.Namespace,
    dossier_s: float,
    bare_s: float,
    mean_s: float,
    span_bare_s: float,
    few: Span,
    many: Span,
) -> None:
    """The rows bench/run prints: this, baseline, ratio and the aim of each."""
    ms = 1000
    rows = [
        {
            "measure": f"dossier PDF / bare WeasyPrint: ms, median of {args.rounds}",
            "this": dossier_s * ms,
            "baseline": bare_s * ms,
            "ratio": dossier_s / bare_s,
            "aim": "≤ 1.5x",
            "met": dossier_s / bare_s <= 1.5,
        },
        {
            "measure": f"dossier PDF / bare WeasyPrint: ms, mean of renders {args.few + 1}.."
            f"{args.many} (the rendering child's restarts included)",
            "this": mean_s * ms,
            "baseline": span_bare_s * ms,
            "ratio": mean_s / span_bare_s,
            "aim": "≤ 1.5x",
            "met": mean_s / span_bare_s <= 1.5,
        },
        {
            "measure": f"dossier memory (worker + children, RSS MB): renders {args.few + 1}.."
            f"{args.many} / 1..{args.few}",
            "this": many.rss_mb,
            "baseline": few.rss_mb,
            "ratio": many.rss_mb / few.rss_mb,
            "aim": "≤ 1.2x",
            "met": many.rss_mb / few.rss_mb <= 1.2,
        },
    ]
    load = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "load_average": load}, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--few", type=int, default=50)
    parser.add_argument("--many", type=int, default=500)
    parser.add_argument("--out", type=Path, help="also write the rows as JSON (bench/run)")
    args = parser.parse_args()
    if args.few < RENDERS_PER_CHILD:
        # A shorter span would compare a young child with grown ones, not few with many.
        raised = f"--few raised to {RENDERS_PER_CHILD}: one rendering child's whole life"
        print(raised, file=sys.stderr)
        args.few = RENDERS_PER_CHILD
    args.many = max(args.many, 2 * args.few)

    doc = document()
    bare = bare_page(doc)
    few = Span()
    few.render(doc)  # warm up: the child started, fonts found, caches filled
    baseline = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    with baseline:
        service = {child.pid for child in psutil.Process().children(recursive=True)}
        baseline.submit(bare_render_seconds, bare).result()
        NOT_THE_SERVICE.update(child.pid for child in psutil.Process().children(recursive=True))
        NOT_THE_SERVICE.difference_update(service)
        dossier_times, bare_times = [], []
        for _ in range(args.rounds):
            dossier_times.append(timed(lambda: few.render(doc)))
            bare_times.append(baseline.submit(bare_render_seconds, bare).result())
        dossier_s, bare_s = statistics.median(dossier_times), statistics.median(bare_times)

        while few.renders < args.few:
            few.render(doc)
        many = Span()
        # A bare render after every BARE_EVERY dossiers, so the mean dossier time of this
        # span (child start-ups included) has a baseline measured under the same load.
        span_bare: list[float] = []
        while few.renders + many.renders < args.many:
            many.render(doc)
            if many.renders % BARE_EVERY == 0:
                span_bare.append(baseline.submit(bare_render_seconds, bare).result())
    mean_s, span_bare_s = many.seconds / many.renders, statistics.mean(span_bare)

    pages = len(PdfReader(io.BytesIO(render_pdf(doc))).pages)
    if args.out:
        write_rows(args, dossier_s, bare_s, mean_s, span_bare_s, few, many)
    print(
        f"dossier: {QUESTIONS} questions (Arabic and Tigrinya), {pages} pages; "
        f"a rendering child renders {RENDERS_PER_CHILD} dossiers, then a new one starts"
    )
    print("| measure | dossier | baseline | ratio | aim |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| render time (median of {args.rounds}) | {dossier_s * 1000:.0f} ms | "
        f"{bare_s * 1000:.0f} ms (bare page) | {dossier_s / bare_s:.2f}x | <= 1.5x |"
    )
    print(
        f"| render time (mean of renders {args.few + 1}..{args.many}, child start-ups "
        f"included) | {mean_s * 1000:.0f} ms | {span_bare_s * 1000:.0f} ms (mean of "
        f"{len(span_bare)} bare pages in between) | {mean_s / span_bare_s:.2f}x | <= 1.5x |"
    )
    print(
        f"| memory: worker + its child processes, summed RSS, highest after a render | "
        f"{many.rss_mb:.0f} MB over renders {args.few + 1}..{args.many} | "
        f"{few.rss_mb:.0f} MB over renders 1..{args.few} | "
        f"{many.rss_mb / few.rss_mb:.2f}x | <= 1.2x |"
    )
    print(
        f"| memory: a rendering child's peak RSS (VmHWM) | "
        f"{many.child_peak_mb:.0f} MB over renders {args.few + 1}..{args.many} | "
        f"{few.child_peak_mb:.0f} MB over renders 1..{args.few} | "
        f"{many.child_peak_mb / few.child_peak_mb:.2f}x | — |"
    )


if __name__ == "__main__":
    main()
