"""Turn a dossier's content into PDF bytes, in a rendering child process.

WeasyPrint's memory grows with every document it renders (fonts it never gives back,
Kozea/WeasyPrint #2130 and #1977), so a long-lived worker that renders in its own
process keeps growing. Each worker process therefore renders in one child that is
replaced after ``RENDERS_PER_CHILD`` dossiers: the growth stays bounded and the worker
itself never loads WeasyPrint. The replacement is started ``SPARE_AHEAD`` dossiers ahead
and warms up at a low priority, so it takes little CPU from the renders beside it; it
takes over once warm (the old child renders on meanwhile, up to ``OVERTIME`` dossiers).
The child starts with ``spawn`` (a fresh interpreter: no inherited database
connections, locks or threads from the worker) and only ever sees the content dict,
which is all it needs; it never opens the database.

This module imports nothing of the domain, the database or the web framework (not even
through the settings), so starting a child stays cheap.
"""

import multiprocessing
import os
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.core.i18n import gettext_for
from service.core.paths import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates" / "pdf"
LANGUAGE = "nl"  # the dossier is for the IND and the Dutch lawyer
# PDF/A-3b: archival, fonts embedded (WeasyPrint writes the variant's metadata).
PDF_VARIANT = "pdf/a-3b"
# A child grows by about a megabyte per dossier over its first ten, then by a quarter
# (93 MB after one, 110 MB after 20, 114 MB after 40, 127 MB after 100); starting one costs
# about one render's CPU. Forty keeps the growth small and the start-ups rare.
RENDERS_PER_CHILD = 40

# The replacement of a retiring child starts this many dossiers before it is needed, so
# its start-up (WeasyPrint's import, the template, the fonts: about one render's CPU) runs
# beside the old child's renders, at a low priority, instead of before the next
# dossier. Half a child's life: time enough for the warm-up on a busy machine too.
SPARE_AHEAD = 10
# A child whose replacement has not yet warmed up renders on, up to this many dossiers
# past ``RENDERS_PER_CHILD`` (then the next dossier waits for the warm-up).
OVERTIME = 5

# The nice value of the thread that warms a new child up: a tenth of a render's share of
# a busy CPU, so it takes less from the render beside it, yet is not starved (at 19, the
# lowest, it had not warmed up after 15 dossiers at load 9).
WARM_UP_NICENESS = 10

_lock = threading.Lock()  # the worker's threads share the one child


@dataclass
class _Children:
    """The rendering child in use, how many dossiers it was given, and its replacement
    once that is starting."""

    current: ProcessPoolExecutor | None = None
    given: int = 0
    spare: ProcessPoolExecutor | None = None
    warm: Future[None] | None = None  # the spare's warm-up: done once it can take a dossier
    pid: int = 0  # the process that started them: a forked copy must start its own


_children = _Children()


@lru_cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = gettext_for(LANGUAGE)
    return env


def render_html(document: dict[str, Any]) -> str:
    return _environment().get_template("dossier.html").render(d=document)


def render_in_this_process(document: dict[str, Any]) -> bytes:
    """WeasyPrint: the dossier as PDF/A-3b with its fonts embedded (subset). Runs in the
    rendering child; call ``render_pdf`` instead."""
    from weasyprint import CSS, HTML  # heavy import, only in the rendering child

    html = HTML(string=render_html(document), base_url=str(TEMPLATES))
    stylesheet = CSS(filename=str(TEMPLATES / "dossier.css"))
    pdf: bytes = html.write_pdf(stylesheets=[stylesheet], pdf_variant=PDF_VARIANT)
    return pdf


# A line in each script the dossier uses, so the warm-up loads the fonts a dossier needs.
_WARM_UP = (
    '<p>Dossier</p><p dir="rtl" lang="ar">\u0645\u0644\u0641</p>'
    '<p lang="ti">\u1218\u12dd\u1308\u1265</p>'
)


def _warm_up() -> None:
    """A new child's start, before it takes its first dossier: import WeasyPrint, compile
    the template and its Dutch texts, read the stylesheet and write a PDF/A with the fonts
    of every script a dossier uses. It runs beside the old child's last renders, in a
    thread of its own at a low priority: on a busy machine it takes little of the CPU the
    render in progress (and the rest of the service) needs."""
    warming = threading.Thread(target=_warm_up_at_low_priority, name="warm-up")
    warming.start()
    warming.join()


def _warm_up_at_low_priority() -> None:
    # Linux keeps a nice value per thread: only this thread is lowered, and the child's
    # main thread, which renders the dossiers, keeps the normal priority (it could not be
    # raised back without privileges). Elsewhere a nice value is the whole process's, so
    # the warm-up keeps the normal priority there.
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARM_UP_NICENESS)
    from weasyprint import CSS, HTML

    _environment().get_template("dossier.html")
    stylesheet = CSS(filename=str(TEMPLATES / "dossier.css"))
    page = HTML(string=_WARM_UP, base_url=str(TEMPLATES))
    page.write_pdf(stylesheets=[stylesheet], pdf_variant=PDF_VARIANT)


def _child() -> ProcessPoolExecutor:
    # One process, started with spawn; it warms up before it takes its first dossier.
    return ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up
    )


def _ready() -> None:
    """A no-op for a new child: its process (and warm-up) starts with its first task, and
    the task is done once the warm-up is."""


def _handing_over() -> bool:
    """Whether the next dossier goes to the replacement: once the child in use has rendered
    its ``RENDERS_PER_CHILD`` and the replacement has warmed up. Until then the old child
    keeps rendering, so no dossier waits for a warm-up; at most ``OVERTIME`` dossiers more
    (then the next one waits for it), which bounds the old child's growth."""
    if _children.given < RENDERS_PER_CHILD:
        return False
    warm = _children.warm is not None and _children.warm.done()
    return warm or _children.given >= RENDERS_PER_CHILD + OVERTIME


def _renderer_pool() -> ProcessPoolExecutor:
    """The child that renders the next dossier: each renders ``RENDERS_PER_CHILD``, then
    its replacement (started ``SPARE_AHEAD`` dossiers before) takes over once warm, and
    the old child exits."""
    retiring = None
    with _lock:
        if _children.pid != os.getpid():  # a forked copy: the parent's children are not its own
            _children.current = _children.spare = _children.warm = None
            _children.given, _children.pid = 0, os.getpid()
        current = _children.current
        if current is None or _handing_over():
            retiring, current = current, _children.spare or _child()
            _children.current, _children.spare, _children.warm = current, None, None
            _children.given = 0
        _children.given += 1
        ahead = min(SPARE_AHEAD, RENDERS_PER_CHILD - 1)
        if _children.spare is None and _children.given > RENDERS_PER_CHILD - ahead:
            _children.spare = _child()
            _children.warm = _children.spare.submit(_ready)
    if retiring is not None:
        retiring.shutdown(wait=False)  # it finishes what it was given, then exits
    return current


def shut_down_renderer() -> None:
    """Stop the rendering children (the next ``render_pdf`` starts a new one)."""
    with _lock:
        pools = [_children.current, _children.spare]
        _children.current = _children.spare = _children.warm = None
        _children.given = 0
    for pool in pools:
        if pool is not None:
            pool.shutdown(wait=True)


def render_pdf(document: dict[str, Any]) -> bytes:
    """The dossier as PDF bytes, rendered in the worker's recycled rendering child."""
    try:
        return _renderer_pool().submit(render_in_this_process, document).result()
    except BrokenProcessPool:
        # The child died (killed, out of memory): this render fails and the job is
        # retried; the next render starts a fresh child instead of failing for good.
        shut_down_renderer()
        raise
