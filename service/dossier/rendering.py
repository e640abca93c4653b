"""Turn a dossier's content into PDF bytes, in a rendering child process.

WeasyPrint's memory grows with every document it renders (fonts it never gives back,
Kozea/WeasyPrint #2130 and #1977), so a long-lived worker that renders in its own
process keeps growing. Each worker process therefore renders in one child that is
replaced after ``RENDERS_PER_CHILD`` dossiers: the growth stays bounded and the worker
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

_lock = threading.Lock()  # the worker's threads share the one child
_renderer: ProcessPoolExecutor | None = None
_renderer_pid = 0  # the process that started it: a forked copy must start its own


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


def _renderer_pool() -> ProcessPoolExecutor:
    """The worker process's one rendering child, started on first use."""
    global _renderer, _renderer_pid
    with _lock:
        if _renderer is None or _renderer_pid != os.getpid():
            _renderer = ProcessPoolExecutor(
                max_workers=1,
                max_tasks_per_child=RENDERS_PER_CHILD,
                mp_context=multiprocessing.get_context("spawn"),
            )
            _renderer_pid = os.getpid()
        return _renderer


def shut_down_renderer() -> None:
    """Stop the rendering child (the next ``render_pdf`` starts a new one)."""
    global _renderer
    with _lock:
        renderer, _renderer = _renderer, None
    if renderer is not None:
        renderer.shutdown(wait=True)


def render_pdf(document: dict[str, Any]) -> bytes:
    """The dossier as PDF bytes, rendered in the worker's recycled rendering child."""
    try:
        return _renderer_pool().submit(render_in_this_process, document).result()
    except BrokenProcessPool:
        # The child died (killed, out of memory): this render fails and the job is
        # retried; the next render starts a fresh child instead of failing for good.
        shut_down_renderer()
        raise
