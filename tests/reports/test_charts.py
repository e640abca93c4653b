"""The charts are kept for their figures: a page shown again draws nothing anew, and a
figure that moved gives a new picture. Their labels fit: the margins grow with them."""

import re

from service.reports.charts import bar_chart

LABELS = ["Geselecteerd", "Uitgenodigd"]


def test_the_same_figures_give_the_same_picture_and_a_moved_figure_a_new_one():
    first = bar_chart("chart-a", "Trechter", "Twee stappen.", LABELS, [("Zaken", [4.0, 2.0])])
    again = bar_chart("chart-a", "Trechter", "Twee stappen.", LABELS, [("Zaken", [4.0, 2.0])])
    moved = bar_chart("chart-a", "Trechter", "Twee stappen.", LABELS, [("Zaken", [4.0, 3.0])])
    other = bar_chart("chart-b", "Trechter", "Twee stappen.", LABELS, [("Zaken", [4.0, 2.0])])
    assert again is first  # kept, not drawn again
    assert moved != first
    assert 'id="chart-b-title"' in other
    assert 'id="chart-a-' not in other


def axes_left(svg: str) -> float:
    """Where the plotting area starts (the axes' background patch), in points."""
    axes = svg[svg.index('id="chart-x-axes_1"') :]
    return float(re.search(r'd="M ([0-9.]+) ', axes).group(1))  # type: ignore[union-attr]


def test_the_bars_start_right_of_the_longest_label():
    short = bar_chart("chart-x", "t", "d", ["A", "B"], [("n", [1.0, 2.0])], horizontal=True)
    long_label = "Wacht op besluit (dossier compleet, vertaald en gecorrigeerd)"
    wide = bar_chart("chart-x", "t", "d", ["A", long_label], [("n", [1.0, 2.0])], horizontal=True)
    assert axes_left(wide) > axes_left(short) + 150  # about 5.5 points per character
    assert "<text" in wide
    assert " style=" not in wide
