"""The reports' pictures as SVG, drawn on the server with matplotlib, embedded inline in
the page and in the PDF.

Text stays text (``svg.fonttype: none``), so a screen reader, a search and a right-to-left
font work on it. The pages' Content-Security-Policy allows no inline styles, so every
``style="..."`` matplotlib writes becomes the SVG presentation attributes it stands for
(``fill``, ``stroke``, ``font-size``, ...), which are no styles. Each chart names itself
(``<title>``) and says what it shows (``<desc>``), and the page puts its table beside it.
"""

import io
import re
from collections.abc import Sequence
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
    for name in set(_ID.findall(svg)):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"')
        svg = svg.replace(f"#{name})", f"#{prefix}-{name})").replace(
            f'href="#{name}"', f'href="#{prefix}-{name}"'
        )
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
    """Bars per label, one colour per series (with a legend when there are several)."""
    import matplotlib  # heavy import: only where a chart is drawn
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        height = max(2.6, 0.38 * len(labels) + 1.0) if horizontal else 3.2
        figure = Figure(figsize=(7.5, height), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        width = 0.8 / max(len(series), 1)
        for index, (name, values) in enumerate(series):
            offset = [p - 0.4 + width * (index + 0.5) for p in positions]
            colour = COLOURS[index % len(COLOURS)]
            if horizontal:
                axes.barh(offset, values, height=width, color=colour, label=name)
            else:
                axes.bar(offset, values, width=width, color=colour, label=name)
        # Counts: whole numbers from zero, also when every bar is zero.
        values_axis = axes.xaxis if horizontal else axes.yaxis
        values_axis.set_major_locator(MaxNLocator(integer=True))
        highest = max((max(values, default=0) for _n, values in series), default=0)
        (axes.set_xlim if horizontal else axes.set_ylim)(0, max(highest * 1.05, 1))
        if horizontal:
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()  # the first label on top, as in the table
            axes.set_xlabel(axis_label)
        else:
            step = max(1, len(labels) // 14)  # every label readable on a long period
            axes.set_xticks(positions[::step], labels[::step], rotation=30, ha="right")
            axes.set_ylabel(axis_label)
        if len(series) > 1:
            axes.legend(frameon=False)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _labelled(presentational(out.getvalue(), prefix), prefix, title, description)
