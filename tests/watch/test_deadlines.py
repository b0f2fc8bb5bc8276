"""Each deadline rule on its own, with the calendar rules (leap years, month ends, holidays)."""

import datetime as dt
from types import SimpleNamespace

import chinese_calendar
import pytest

from zhichan.watch import deadlines as dl

D = dt.date


def every_day(day):
    return True


def weekdays(day):
    return day.weekday() < 5


def statutory(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def patent(**fields):
    base = {
        "application_number": "202010000001.X",
        "application_date": D(2020, 3, 10),
        "grant_date": None,
        "patent_type": "invention",
        "legal_status": "valid",
    }
    return SimpleNamespace(**{**base, **fields})


def mark(**fields):
    base = {
        "registration_number": "12345678",
        "status": "registered",
        "publication_date": None,
        "registration_date": D(2015, 1, 7),
        "expiry_date": None,
    }
    return SimpleNamespace(**{**base, **fields})


def by_kind(found, kind):
    return [d for d in found if d.kind == kind]


# --- calendar arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2021, 1, 15), 1, D(2021, 2, 15)),
        (D(2021, 1, 31), 1, D(2021, 2, 28)),  # no 31 February: the month's last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2021, 8, 31), 3, D(2021, 11, 30)),
        (D(2021, 11, 30), 3, D(2022, 2, 28)),
        (D(2020, 2, 29), 12, D(2021, 2, 28)),
        (D(2020, 2, 29), 48, D(2024, 2, 29)),
        (D(2021, 3, 31), -1, D(2021, 2, 28)),
        (D(2021, 12, 15), 1, D(2022, 1, 15)),
    ],
)
def test_add_months_takes_the_corresponding_day_or_the_months_last(start, months, expected):
    assert dl.add_months(start, months) == expected


def test_term_last_day_is_the_day_before_the_anniversary():
    assert dl.term_last_day(D(1999, 9, 6), 10) == D(2009, 9, 5)  # the 专利审查指南 example
    assert dl.term_last_day(D(2010, 1, 7), 10) == D(2020, 1, 6)


def test_term_last_day_from_29_february_is_the_last_day_of_february():
    # 实施条例 第十二条第二款: no corresponding day, the month's last day.
    assert dl.term_last_day(D(2020, 2, 29), 10) == D(2030, 2, 28)
    assert dl.term_last_day(D(2020, 2, 29), 4) == D(2024, 2, 28)


def test_roll_forward_moves_a_holiday_to_the_next_working_day():
    assert dl.roll_forward(D(2024, 10, 1), statutory) == D(2024, 10, 8)  # National Day week
    assert dl.roll_forward(D(2024, 9, 29), statutory) == D(2024, 9, 29)  # a make-up working Sunday
    assert dl.roll_forward(D(2024, 6, 15), weekdays) == D(2024, 6, 17)  # Saturday
    assert dl.roll_forward(D(2024, 6, 14), weekdays) == D(2024, 6, 14)


# --- patents: term ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "filed", "last_day"),
    [
        ("invention", D(2005, 3, 1), D(2025, 2, 28)),
        ("utility", D(2015, 7, 20), D(2025, 7, 19)),
        ("design", D(2021, 6, 1), D(2036, 5, 31)),  # 15 years from 1 June 2021
        ("design", D(2021, 5, 31), D(2031, 5, 30)),  # 10 years before
        ("design", D(2016, 12, 31), D(2026, 12, 30)),
    ],
)
def test_patent_term_by_type_and_the_2021_design_change(kind, filed, last_day):
    found = dl.patent_deadlines(patent(patent_type=kind, application_date=filed), every_day)
    (end,) = by_kind(found, dl.PATENT_TERM_END)
    assert end.statutory == end.due == last_day
    assert end.basis == "专利法 第四十二条"


def test_term_end_is_not_rolled_forward():
    # Filed 2004-10-02: the term's last day 2024-10-01 is National Day, and stays.
    found = dl.patent_deadlines(patent(application_date=D(2004, 10, 2)), statutory)
    (end,) = by_kind(found, dl.PATENT_TERM_END)
    assert end.due == D(2024, 10, 1)


def test_design_term_change_date_is_a_setting(settings):
    settings.ZHICHAN_DESIGN_15Y_FROM = "2021-05-01"
    found = dl.patent_deadlines(patent(patent_type="design", application_date=D(2021, 5, 31)), every_day)
    assert by_kind(found, dl.PATENT_TERM_END)[0].due == D(2036, 5, 30)


# --- patents: annual fees -----------------------------------------------------------------------


def test_annual_fees_due_on_each_anniversary_from_the_year_after_grant():
    # Filed 2020-03-10, granted 2022-05-01 (patent year 3): year 3 is paid at registration.
    found = dl.patent_deadlines(patent(grant_date=D(2022, 5, 1)), every_day)
    fees = by_kind(found, dl.ANNUAL_FEE)
    assert [f.year for f in fees] == list(range(4, 21))
    year4 = fees[0]
    assert year4.key == "annual_fee:4"
    assert year4.statutory == year4.due == D(2023, 3, 10)
    assert year4.grace_ends == D(2023, 9, 10)
    assert year4.surcharge is True
    assert "第一百一十五条" in year4.basis
    assert fees[-1].due == D(2039, 3, 10)  # year 20, before the term ends on 2040-03-09


def test_grant_on_the_anniversary_starts_a_new_patent_year():
    found = dl.patent_deadlines(patent(grant_date=D(2023, 3, 10)), every_day)
    assert by_kind(found, dl.ANNUAL_FEE)[0].year == 5
    found = dl.patent_deadlines(patent(grant_date=D(2023, 3, 9)), every_day)
    assert by_kind(found, dl.ANNUAL_FEE)[0].year == 4


def test_utility_model_fees_stop_at_its_tenth_year():
    found = dl.patent_deadlines(
        patent(patent_type="utility", application_date=D(2019, 8, 1), grant_date=D(2020, 2, 1)), every_day
    )
    assert [f.year for f in by_kind(found, dl.ANNUAL_FEE)] == list(range(2, 11))


def test_leap_day_filing_fees_fall_on_28_february_in_common_years():
    found = dl.patent_deadlines(patent(application_date=D(2020, 2, 29), grant_date=D(2020, 12, 1)), every_day)
    fees = {f.year: f for f in by_kind(found, dl.ANNUAL_FEE)}
    assert fees[2].statutory == D(2021, 2, 28)
    assert fees[5].statutory == D(2024, 2, 29)
    assert fees[2].grace_statutory == D(2021, 8, 28)


def test_fee_due_on_a_holiday_rolls_forward_and_keeps_the_statutory_date():
    # Filed 2019-10-01: the year-6 fee falls on National Day 2024.
    found = dl.patent_deadlines(patent(application_date=D(2019, 10, 1), grant_date=D(2020, 6, 1)), statutory)
    year6 = next(f for f in by_kind(found, dl.ANNUAL_FEE) if f.year == 6)
    assert year6.statutory == D(2024, 10, 1)
    assert year6.due == D(2024, 10, 8)
    assert year6.rolled
    # The grace period is counted from the statutory day: 2025-04-01 is a Tuesday.
    assert year6.grace_statutory == year6.grace_ends == D(2025, 4, 1)


def test_grace_end_on_a_weekend_rolls_forward():
    found = dl.patent_deadlines(patent(application_date=D(2020, 2, 29), grant_date=D(2020, 12, 1)), weekdays)
    year2 = next(f for f in by_kind(found, dl.ANNUAL_FEE) if f.year == 2)
    assert year2.statutory == D(2021, 2, 28)  # a Sunday
    assert year2.due == D(2021, 3, 1)
    assert year2.grace_statutory == D(2021, 8, 28)  # a Saturday
    assert year2.grace_ends == D(2021, 8, 30)


def test_grace_period_is_a_setting(settings):
    settings.ZHICHAN_PATENT_FEE_GRACE_MONTHS = 3
    found = dl.patent_deadlines(patent(grant_date=D(2022, 5, 1)), every_day)
    assert by_kind(found, dl.ANNUAL_FEE)[0].grace_ends == D(2023, 6, 10)


def test_lapsed_patent_has_no_deadlines():
    assert dl.patent_deadlines(patent(legal_status="invalid", grant_date=D(2022, 5, 1)), every_day) == []


def test_pending_application_has_its_term_end_and_no_fees():
    found = dl.patent_deadlines(patent(legal_status="pending"), every_day)
    assert [d.kind for d in found] == [dl.PATENT_TERM_END]


def test_in_force_without_grant_date_lists_fees_from_year_two():
    found = dl.patent_deadlines(patent(legal_status="valid", grant_date=None), every_day)
    assert by_kind(found, dl.ANNUAL_FEE)[0].year == 2


def test_unknown_status_with_a_grant_date_counts_as_granted():
    found = dl.patent_deadlines(patent(legal_status="unknown", grant_date=D(2021, 1, 5)), every_day)
    assert by_kind(found, dl.ANNUAL_FEE)[0].year == 2
    found = dl.patent_deadlines(patent(legal_status="unknown"), every_day)
    assert by_kind(found, dl.ANNUAL_FEE) == []


def test_no_filing_date_no_deadlines():
    assert dl.patent_deadlines(patent(application_date=None), every_day) == []


# --- trademarks ---------------------------------------------------------------------------------


def test_renewal_window_expiry_and_grace():
    found = dl.trademark_deadlines(mark(), every_day)
    (renewal,) = by_kind(found, dl.TM_RENEWAL)
    assert renewal.statutory == renewal.due == D(2025, 1, 6)  # 10 years, day before the anniversary
    assert renewal.opens == D(2024, 1, 7)  # the 12 months before expiry
    assert renewal.grace_ends == D(2025, 7, 6)  # six months' grace
    assert renewal.surcharge
    assert renewal.key == "tm_renewal:2025-01-06"
    assert "第四十条" in renewal.basis


def test_renewal_uses_the_records_expiry_after_a_renewal():
    found = dl.trademark_deadlines(mark(expiry_date=D(2035, 1, 6)), every_day)
    (renewal,) = by_kind(found, dl.TM_RENEWAL)
    assert renewal.due == D(2035, 1, 6)
    assert renewal.opens == D(2034, 1, 7)


def test_renewal_of_a_leap_day_registration():
    found = dl.trademark_deadlines(mark(registration_date=D(2016, 2, 29)), every_day)
    (renewal,) = by_kind(found, dl.TM_RENEWAL)
    assert renewal.due == D(2026, 2, 28)
    assert renewal.opens == D(2025, 3, 1)
    assert renewal.grace_statutory == D(2026, 8, 28)


def test_renewal_grace_end_on_a_holiday_rolls_forward():
    # Expiry 2024-03-31 + 6 months = 2024-09-30 (a working Monday); 2024-04-01 → 2024-10-01 holiday.
    found = dl.trademark_deadlines(mark(expiry_date=D(2024, 4, 1)), statutory)
    (renewal,) = by_kind(found, dl.TM_RENEWAL)
    assert renewal.grace_statutory == D(2024, 10, 1)
    assert renewal.grace_ends == D(2024, 10, 8)


def test_non_use_exposure_three_years_after_registration():
    found = dl.trademark_deadlines(mark(registration_date=D(2020, 2, 29)), every_day)
    (nonuse,) = by_kind(found, dl.TM_NONUSE)
    assert nonuse.due == D(2023, 2, 28)
    assert nonuse.basis == "商标法 第四十九条"
    assert not nonuse.actionable


def test_opposition_window_three_months_from_preliminary_publication():
    found = dl.trademark_deadlines(
        mark(status="published", publication_date=D(2023, 11, 30), registration_date=None), every_day
    )
    assert [d.kind for d in found] == [dl.TM_OPPOSITION]
    (opp,) = found
    assert opp.opens == D(2023, 11, 30)
    assert opp.statutory == D(2024, 2, 29)  # leap year: 30 February does not exist


def test_opposition_end_on_a_holiday_rolls_forward():
    found = dl.trademark_deadlines(
        mark(status="published", publication_date=D(2024, 7, 1), registration_date=None), statutory
    )
    (opp,) = found
    assert opp.statutory == D(2024, 10, 1)
    assert opp.due == D(2024, 10, 8)


def test_cancelled_mark_has_no_renewal():
    assert dl.trademark_deadlines(mark(status="invalid"), every_day) == []


def test_pending_mark_without_publication_has_no_deadlines():
    assert dl.trademark_deadlines(mark(status="pending", registration_date=None), every_day) == []


def test_registered_mark_has_no_opposition_window():
    found = dl.trademark_deadlines(mark(publication_date=D(2014, 10, 6)), every_day)
    assert dl.TM_OPPOSITION not in {d.kind for d in found}


# --- states and selection -----------------------------------------------------------------------


def test_state_through_window_grace_and_after():
    (renewal,) = by_kind(dl.trademark_deadlines(mark(), every_day), dl.TM_RENEWAL)
    assert renewal.state(D(2023, 12, 1)) == "upcoming"
    assert renewal.state(D(2024, 6, 1)) == "open"
    assert renewal.state(D(2025, 1, 6)) == "open"
    assert renewal.state(D(2025, 1, 7)) == "grace"
    assert renewal.state(D(2025, 7, 6)) == "grace"
    assert renewal.state(D(2025, 7, 7)) == "passed"


def test_upcoming_keeps_deadlines_in_grace_and_within_the_horizon():
    found = dl.patent_deadlines(patent(grant_date=D(2022, 5, 1)), every_day)
    soon = dl.upcoming(found, D(2023, 5, 1), days=365)
    # Year 4 (due 2023-03-10) is in its grace period; year 5 is due 2024-03-10.
    assert [d.key for d in soon] == ["annual_fee:4", "annual_fee:5"]
