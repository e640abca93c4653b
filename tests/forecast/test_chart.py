"""The chart is drawn on the server with its text as text, and escapes what it shows."""

from datetime import date, timedelta
from functools import partial

from service.core.formatting import local_date
from service.forecast.chart import stock_chart
from service.forecast.schemas import WeekOut
from service.forecast.simulation import Step


def test_the_chart_keeps_its_text_as_text_and_draws_a_line_per_step():
    weeks = [
        WeekOut(
            week=n,
            starts_on=date(2027, 1, 4) + timedelta(weeks=n),
            stock={step: (7 - n if step is Step.SESSION else 0) for step in Step},
        )
        for n in range(8)
    ]
    labels = {step: f"<{step.value}>" for step in Step}
    svg = str(
        stock_chart(weeks, labels, "t", partial(local_date, language="nl"), str, "Week vanaf")
    )
    assert svg.startswith('<svg class="app-chart"')
    assert 'role="img" aria-labelledby="t"' in svg
    assert svg.count("<polyline") == len(Step)
    assert ">4 jan 2027</text>" in svg  # the days in Dutch, as text
    assert ">Week vanaf</text>" in svg
    # The axis: steps of 2 up to 8 for a top of 7.
    assert [f">{n}</text>" in svg for n in (0, 2, 4, 6, 8)] == [True] * 5
    assert "<session>" not in svg
    assert "&lt;session&gt;" in svg
    assert "style=" not in svg  # the Content-Security-Policy allows no inline style
