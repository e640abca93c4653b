"""Turn a dossier's content into PDF bytes, in a rendering child process.

WeasyPrint's memory grows with every document it renders (fonts it never gives back,
Kozea/WeasyPrint #2130 and #1977), so a long-lived worker that renders in its own
process keeps growing. Each worker process therefore renders in one child that is
replaced after ``RENDERS_PER_CHILD`` dossiers (its replacement started and warmed up a
few dossiers ahead): the growth stays bounded and the worker
itself never loads WeasyPrint. The child starts with ``spawn`` (a fresh interpreter:
no inherited database connections, locks or threads from the worker) and only ever
sees the content dict, which is all it needs; it never opens the database.

This module imports nothing of the domain or the database, so starting a child stays
cheap.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.core.i18n import gettext_for
from service.core.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates" / "pdf"
LANGUAGE = "nl"  # the dossier is for the IND and the Dutch lawyer
# PDF/A-3b: archival, fonts embedded (WeasyPrint writes the variant's metadata).
PDF_VARIANT = "pdf/a-3b"
# A child grows by about a megabyte per dossier; starting one costs about as much as
# two renders. Twenty keeps the growth small and the start-up cost near 10%.
RENDERS_PER_CHILD = 20

# The replacement of a retiring child starts this many dossiers before it is needed, so
# its start-up (WeasyPrint's import, the fonts: about two renders' time) runs beside the
# last renders of the old one instead of before the next dossier.
SPARE_AHEAD = 3

_lock = threading.Lock()  # the worker's threads share the one child


@dataclass
class _Children:
    """The rendering child in use, how many dossiers it was given, and its replacement
    once that is starting."""

    current: ProcessPoolExecutor | None = None
    given: int = 0
    spare: ProcessPoolExecutor | None = None
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
    """A new child's start, before it takes its first dossier: import WeasyPrint, read the
    stylesheet and load the fonts. The pool starts the replacement of a retiring child as
    soon as the old one has finished its last dossier, so this runs while the worker does
    other things, not in the time of the next dossier."""
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(TEMPLATES / "dossier.css"))
    HTML(string=_WARM_UP, base_url=str(TEMPLATES)).write_pdf(stylesheets=[stylesheet])


def _child() -> ProcessPoolExecutor:
    # One process, started with spawn; it warms up before it takes its first dossier.
    return ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up
    )


def _ready() -> None:
    """A no-op for a new child: its process (and warm-up) starts with its first task."""


def _renderer_pool() -> ProcessPoolExecutor:
    """The child that renders the next dossier: each renders ``RENDERS_PER_CHILD``, then
    its replacement (started ``SPARE_AHEAD`` dossiers before) takes over and it exits."""
    retiring = None
    with _lock:
        if _children.pid != os.getpid():  # a forked copy: the parent's children are not its own
            _children.current = _children.spare = None
            _children.given, _children.pid = 0, os.getpid()
        if _children.current is None or _children.given >= RENDERS_PER_CHILD:
            retiring, _children.current = _children.current, _children.spare or _child()
            _children.spare, _children.given = None, 0
        _children.given += 1
        ahead = min(SPARE_AHEAD, RENDERS_PER_CHILD - 1)
        if _children.spare is None and _children.given > RENDERS_PER_CHILD - ahead:
            _children.spare = _child()
            _children.spare.submit(_ready)
        current = _children.current
    if retiring is not None:
        retiring.shutdown(wait=False)  # it finishes what it was given, then exits
    return current


def shut_down_renderer() -> None:
    """Stop the rendering children (the next ``render_pdf`` starts a new one)."""
    with _lock:
        pools = [_children.current, _children.spare]
        _children.current = _children.spare = None
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
