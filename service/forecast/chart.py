"""The forecast's weekly stock per step as an SVG drawn on the server: the text stays
text (a screen reader, a search and a translation see it), presentation attributes only
(the Content-Security-Policy allows no inline style), and every line has its own dash as
well as its own colour. The page puts the same figures in a table beside it."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from markupsafe import Markup, escape

from service.forecast.schemas import WeekOut
from service.forecast.simulation import Step

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 16, 48
# Colours of the Rijkshuisstijl palette with contrast >= 3:1 on white; dashes tell apart too.
LINES: dict[Step, tuple[str, str]] = {
    Step.INVITATION: ("#154273", ""),
    Step.SESSION: ("#a90061", "8 4"),
    Step.TRANSLATION: ("#275937", "2 3"),
    Step.CORRECTIONS: ("#94710a", "12 4 2 4"),
    Step.DECISION: ("#d52b1e", "4 4"),
}


TICKS = 4


def _tick_step(value: int) -> int:
    """The step between the axis' lines: 1, 2 or 5 times a power of ten, so that
    ``TICKS`` steps reach ``value``."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            if power * factor * TICKS >= value:
                return power * factor
        power *= 10


def stock_chart(
    weeks: Sequence[WeekOut],
    labels: Mapping[Step, str],
    title_id: str,
    day: Callable[[date], str],
    number: Callable[[int], str],
    axis_label: str,
) -> Markup:
    """A line per step: the cases at that step at the end of each week."""
    step = _tick_step(max((max(w.stock.values()) for w in weeks), default=1) or 1)
    top = step * TICKS
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    last = max(len(weeks) - 1, 1)

    def x(index: int) -> float:
        return LEFT + plot_w * index / last

    def y(value: int) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for tick in range(TICKS + 1):
        value = step * tick
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#cccccc" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">{escape(number(value))}</text>'
        )
    step_of_tick = max(1, len(weeks) // 6)
    for week in weeks[::step_of_tick]:
        parts.append(
            f'<text x="{x(week.week):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
            f'font-size="12" fill="#1a1a1a">{escape(day(week.starts_on))}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
        f'font-size="12" fill="#1a1a1a">{escape(axis_label)}</text>'
    )
    for kind, (colour, dash) in LINES.items():
        points = " ".join(f"{x(w.week):.1f},{y(w.stock[kind]):.1f}" for w in weeks)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dashed}><title>{escape(labels[kind])}</title></polyline>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped above


def legend(labels: Mapping[Step, str]) -> list[tuple[str, str, str]]:
    """(label, colour, dash) per line, for the legend the page draws beside the chart."""
    return [(labels[step], colour, dash) for step, (colour, dash) in LINES.items()]
