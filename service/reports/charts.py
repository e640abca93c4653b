"""The reports' pictures as SVG, drawn on the server with matplotlib, embedded inline in
the page and in the PDF.

Text stays text (``svg.fonttype: none``), so a screen reader, a search and a right-to-left
font work on it. The pages' Content-Security-Policy allows no inline styles, so every
``style="..."`` matplotlib writes becomes the SVG presentation attributes it stands for
(``fill``, ``stroke``, ``font-size``, ...), which are no styles. Each chart names itself
(``<title>``) and says what it shows (``<desc>``), and the page puts its table beside it.
"""

import io
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

COLOURS = ("#01689b", "#e17000", "#39870c", "#a90061")  # Rijkshuisstijl blue, orange, ...
TEXT = "#000000"
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "reports",  # the same picture gives the same file
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_STYLE = re.compile(r' style="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')
_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_DROPPED = re.compile(r"<metadata>.*?</metadata>|<style[^>]*>.*?</style>", re.S)
_SIZE = re.compile(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"')


def _attributes(match: re.Match[str]) -> str:
    """``style="fill: #fff; font-size: 10px"`` as ``fill="#fff" font-size="10px"``."""
    parts = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name == "font-family":
            value = "sans-serif"  # the page's own font
        parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


def presentational(svg: str, prefix: str) -> str:
    """matplotlib's SVG without the XML head, metadata and style sheet, with its styles as
    attributes and its ids made unique to this chart (a page holds several)."""
    svg = _DROPPED.sub("", _XML_HEAD.sub("", svg))
    svg = _STYLE.sub(_attributes, svg)
    ids = set(_ID.findall(svg))
    if ids:  # one pass over the text for every id and every reference to one
        names = "|".join(re.escape(name) for name in sorted(ids, key=len, reverse=True))
        reference = re.compile(rf'(id="|#)({names})(?=[")])')
        svg = reference.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    return _SIZE.sub(r"<svg \1", svg)


def _labelled(svg: str, prefix: str, title: str, description: str) -> str:
    head = (
        f'<svg class="report-chart" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'focusable="false" '
    )
    named = (
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(description)}</desc>'
    )
    svg = svg.replace("<svg ", head, 1)
    end = svg.index(">", svg.index("<svg")) + 1
    return svg[:end] + named + svg[end:]


WIDTH = 7.5  # inches
POINTS = 72.0  # the SVG backend's unit: a point, 1/72 inch
PAD = 0.08  # inches between a tick label or an axis label and its neighbour
TICK = 3.5 / POINTS  # matplotlib's tick length
LINE = 14 / POINTS  # a line of 10-point text
ROTATION = 30  # degrees, the time axis's labels


@lru_cache(maxsize=1)
def _text_ruler() -> tuple[Any, Any]:
    """A renderer and the charts' font, to measure labels once for the margins (what
    constrained layout finds by drawing the whole figure an extra time)."""
    import matplotlib
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        return RendererAgg(1, 1, POINTS), FontProperties()  # type: ignore[no-untyped-call]


def _size(text: str) -> tuple[float, float]:
    """Width and height of ``text`` in the charts' font, in inches."""
    renderer, font = _text_ruler()
    width, height, _descent = renderer.get_text_width_height_descent(text, font, ismath=False)
    return width / POINTS, height / POINTS


def _widest(texts: Sequence[str]) -> float:
    return max((_size(text)[0] for text in texts), default=0.0)


def _margins(
    labels: Sequence[str], highest: float, horizontal: bool, legend: bool, axis_label: str
) -> tuple[float, float, float, float]:
    """Left, bottom, right and top margins in inches, from the labels' own sizes."""
    counts = _widest([f"{round(highest):,}", "0"])  # the value axis's widest tick label
    titled = LINE + PAD if axis_label else 0.0
    top = (LINE + 2 * PAD) if legend else PAD
    if horizontal:
        left = _widest(labels) + TICK + 2 * PAD
        bottom = TICK + LINE + PAD + titled
        return left, bottom, counts / 2 + PAD, top
    angle = math.radians(ROTATION)
    slanted = max(
        (w * math.cos(angle) + h * math.sin(angle) for w, h in map(_size, labels)), default=0.0
    )
    return counts + TICK + 2 * PAD + titled, slanted + TICK + 2 * PAD, PAD, top


def _rectangle(
    start: float, width: float, value: float, horizontal: bool
) -> list[tuple[float, float]]:
    """A bar's corners: across the category from ``start``, along the values to ``value``."""
    across, along = (start, start + width), (0.0, value)
    corners = [(across[0], along[0]), (across[1], along[0]), (across[1], along[1])]
    corners.append((across[0], along[1]))
    return [(y, x) for x, y in corners] if horizontal else corners


@lru_cache(maxsize=64)
def _bar_chart(
    prefix: str,
    title: str,
    description: str,
    labels: tuple[str, ...],
    series: tuple[tuple[str, tuple[float, ...]], ...],
    horizontal: bool,
    axis_label: str,
) -> str:
    import matplotlib  # heavy import: only where a chart is drawn
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        height = max(2.6, 0.38 * len(labels) + 1.0) if horizontal else 3.2
        figure = Figure(figsize=(WIDTH, height))
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        width = 0.8 / max(len(series), 1)
        for index, (name, values) in enumerate(series):
            # One collection of rectangles per series, not an artist per bar: a year's
            # weekly flow has a hundred bars.
            bars = [
                _rectangle(p - 0.4 + width * index, width, value, horizontal)
                for p, value in zip(positions, values, strict=True)
            ]
            colour = COLOURS[index % len(COLOURS)]
            axes.add_collection(
                PolyCollection(bars, facecolors=colour, edgecolors="none", label=name)
            )
        categories = axes.set_ylim if horizontal else axes.set_xlim
        categories(-0.5, max(len(labels), 1) - 0.5)  # no labels: an empty chart, not a warning
        # Counts: whole numbers from zero, also when every bar is zero.
        values_axis = axes.xaxis if horizontal else axes.yaxis
        values_axis.set_major_locator(MaxNLocator(integer=True))
        highest = max((max(values, default=0) for _n, values in series), default=0)
        (axes.set_xlim if horizontal else axes.set_ylim)(0, max(highest * 1.05, 1))
        shown = list(labels)
        if horizontal:
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()  # the first label on top, as in the table
            axes.set_xlabel(axis_label)
        else:
            step = max(1, len(labels) // 14)  # every label readable on a long period
            shown = list(labels[::step])
            axes.set_xticks(positions[::step], shown, rotation=ROTATION, ha="right")
            axes.set_ylabel(axis_label)
        legend = len(series) > 1
        if legend:  # above the bars, at a fixed place (no search for the emptiest corner)
            axes.legend(frameon=False, loc="lower right", bbox_to_anchor=(1, 1), ncols=len(series))
        left, bottom, right, top = _margins(
            shown, max(highest * 1.05, 1), horizontal, legend, axis_label
        )
        figure.subplots_adjust(
            left=min(left / WIDTH, 0.6),
            right=1 - right / WIDTH,
            bottom=min(bottom / height, 0.6),
            top=1 - top / height,
        )
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _labelled(presentational(out.getvalue(), prefix), prefix, title, description)


def clear() -> None:
    """Forget the pictures kept (a benchmark draws them afresh)."""
    _bar_chart.cache_clear()


def bar_chart(
    prefix: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    horizontal: bool = False,
    axis_label: str = "",
) -> str:
    """Bars per label, one colour per series (with a legend when there are several).

    Kept for its inputs: the same figures give the same picture, so a page shown again
    (another tab, the PDF, a colleague) draws only the charts whose figures moved."""
    frozen = tuple((name, tuple(values)) for name, values in series)
    return _bar_chart(prefix, title, description, tuple(labels), frozen, horizontal, axis_label)
