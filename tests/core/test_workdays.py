import datetime as dt

import pytest

from zhichan.core.models import WorkdayOverride
from zhichan.core.workdays import (
    add_working_days,
    forget_overrides,
    is_workday,
    working_days_between,
)

D = dt.date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "day,expected",
    [
        # 2025: Spring Festival 1-28..2-4 off, make-up days 1-26 (Sun) and 2-8 (Sat).
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 1, 26), True),
        (D(2025, 2, 8), True),
        # 2025 National Day + Mid-Autumn 10-1..10-8 off, make-up 9-28 (Sun) and 10-11 (Sat).
        (D(2025, 10, 8), False),
        (D(2025, 9, 28), True),
        (D(2025, 10, 11), True),
        (D(2025, 5, 1), False),
        # 2026: Spring Festival 2-15..2-23 off, make-up days 2-14 (Sat) and 2-28 (Sat).
        (D(2026, 2, 16), False),
        (D(2026, 2, 23), False),
        (D(2026, 2, 14), True),
        (D(2026, 2, 28), True),
        (D(2026, 10, 1), False),
        (D(2026, 1, 1), False),
        # Ordinary days.
        (D(2026, 3, 2), True),  # Monday
        (D(2026, 3, 7), False),  # Saturday
    ],
)
def test_statutory_calendar(day, expected):
    assert is_workday(day) is expected


def test_add_working_days_skips_spring_festival_and_counts_makeup_saturday():
    # Friday 2026-02-13: the next working days are Sat 2-14 (make-up), then Tue 2-24.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_add_working_days_keeps_time_of_day():
    start = dt.datetime(2025, 9, 30, 15, 0)
    # Oct 1-8 holidays; Oct 9 (Thu), 10 (Fri), 11 (Sat make-up), 13 (Mon), 14 (Tue).
    assert add_working_days(start, 5) == dt.datetime(2025, 10, 14, 15, 0)


def test_add_zero_and_negative():
    assert add_working_days(D(2026, 3, 4), 0) == D(2026, 3, 4)
    assert add_working_days(D(2026, 3, 9), -1) == D(2026, 3, 6)


def test_working_days_between():
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2


def test_override_wins_and_covers_unknown_years():
    far = D(2031, 1, 6)  # a Monday in a year the package does not know
    assert is_workday(far) is True
    WorkdayOverride.objects.create(date=far, is_workday=False, note="local holiday")
    forget_overrides()
    assert is_workday(far) is False
    assert add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 7)


def test_override_can_make_a_weekend_a_workday():
    saturday = D(2026, 3, 7)
    WorkdayOverride.objects.create(date=saturday, is_workday=True)
    forget_overrides()
    assert add_working_days(D(2026, 3, 6), 1) == saturday


def test_load_overrides_file(tmp_path):
    from zhichan.core.workdays import load_overrides

    path = tmp_path / "2031.csv"
    path.write_text("date,is_workday,note\n2031-01-01,no,元旦\n2031-01-04,yes,调休上班\n", encoding="utf-8")
    assert load_overrides(path).created == 2
    assert is_workday(D(2031, 1, 1)) is False
    assert is_workday(D(2031, 1, 4)) is True  # a Saturday
    assert load_overrides(path).unchanged == 2


def test_load_overrides_reports_each_bad_line_and_saves_nothing(tmp_path):
    from zhichan.core.dataload import DataFileError
    from zhichan.core.workdays import load_overrides

    path = tmp_path / "bad.csv"
    path.write_text("date,is_workday\n2031-02-30,no\n2031-01-05,maybe\n2031-01-06,yes\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_overrides(path)
    assert [(e.line, e.field) for e in info.value.errors] == [(2, "date"), (3, "is_workday")]
    assert not WorkdayOverride.objects.exists()
