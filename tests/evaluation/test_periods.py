import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhichan.evaluation.periods import Period, PeriodKind


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        ("2026q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026H2", dt.date(2026, 7, 1), dt.date(2027, 1, 1)),
        ("2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
    ],
)
def test_parse_gives_half_open_bounds(text, start, end):
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("text", ["", "2026Q5", "2026H3", "26Q1", "2026Q", "2026-1"])
def test_parse_refuses_what_is_not_a_period(text):
    with pytest.raises(ValidationError):
        Period.parse(text)


def test_previous_crosses_the_year():
    assert Period.parse("2026Q1").previous() == Period(2025, PeriodKind.QUARTER, 4)
    assert Period.parse("2026H1").previous().code == "2025H2"
    assert Period.parse("2026").previous().code == "2025"


def test_containing_and_months():
    period = Period.containing(dt.date(2026, 8, 31), PeriodKind.QUARTER)
    assert period.code == "2026Q3"
    assert period.months() == [(2026, 7), (2026, 8), (2026, 9)]


def test_one_month_type_serves_the_dashboards_and_the_metrics():
    from zhichan.evaluation import dashboards
    from zhichan.evaluation.periods import MonthPeriod, last_months, month_spans

    spans = month_spans(2026, 2, 3)
    assert [(m.start, m.end, m.code) for m in spans] == [
        (dt.date(2025, 12, 1), dt.date(2026, 1, 1), "2025-12"),
        (dt.date(2026, 1, 1), dt.date(2026, 2, 1), "2026-01"),
        (dt.date(2026, 2, 1), dt.date(2026, 3, 1), "2026-02"),
    ]
    assert all(isinstance(m, MonthPeriod) and isinstance(m, Period) for m in spans)
    assert dashboards.MonthPeriod is MonthPeriod
    assert dashboards.last_months(dt.date(2026, 2, 17), 3) == last_months(dt.date(2026, 2, 28), 3) == spans
    assert len(dashboards.last_months(dt.date(2026, 2, 17))) == dashboards.TREND_MONTHS
