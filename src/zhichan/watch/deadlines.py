"""The legal deadlines of a patent or trademark, derived from its record.

Pure functions: a Patent or Trademark in, a list of Deadline out; nothing is stored. The
numbers (terms, grace periods, windows) are settings with the statutory defaults, see
docs/custody.md for each rule and its legal basis.

Calendar rules (专利法实施细则 第五条, 商标法实施条例 第十二条): the first day of a period is not
counted; a period in months or years ends on the corresponding day of its last month, or on
that month's last day when it has none (29 February, the 31st); a period that ends on a
statutory holiday ends on the next working day (the project's working-day calendar, with its
overrides). A Deadline keeps both dates: `statutory` as counted and `due` after the roll-forward.

The term of a right is not a period to act in and is not rolled forward: a patent's term runs
to the day before the anniversary of its filing date (专利审查指南 第五部分第九章 2.2.1), a
registered mark's to the day before the anniversary of its registration (实施条例 第十二条第二款).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Kinds of deadline.
ANNUAL_FEE = "annual_fee"
PATENT_TERM_END = "patent_term_end"
TM_RENEWAL = "tm_renewal"
TM_OPPOSITION = "tm_opposition"
TM_NONUSE = "tm_nonuse"

KIND_LABELS = {
    ANNUAL_FEE: _("Patent annual fee"),
    PATENT_TERM_END: _("Patent term ends"),
    TM_RENEWAL: _("Trademark renewal"),
    TM_OPPOSITION: _("Opposition period ends"),
    TM_NONUSE: _("Open to cancellation for non-use"),
}

# Whether the holder acts on the deadline (pays, renews); the others are informative.
ACTIONABLE = {ANNUAL_FEE, TM_RENEWAL}

PATENT = "patent"
TRADEMARK = "trademark"

Workday = Callable[[dt.date], bool]


@dataclass(frozen=True)
class Deadline:
    kind: str
    right_type: str  # "patent" or "trademark"
    right_number: str  # application or registration number
    key: str  # stable within the right: "annual_fee:5", "tm_renewal:2030-01-06", ...
    statutory: dt.date  # the last day as the period is counted
    due: dt.date  # the last day after the holiday roll-forward (the same when not rolled)
    opens: dt.date | None  # first day to act, where the law opens a window
    grace_statutory: dt.date | None
    grace_ends: dt.date | None  # last day of the grace period, rolled forward
    surcharge: bool  # acting in the grace period costs a surcharge
    basis: str  # statute and article
    label: str
    year: int | None = None  # the patent year an annual fee pays for
    surcharge_rule: str = ""  # what acting in the grace period costs

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def actionable(self) -> bool:
        return self.kind in ACTIONABLE

    @property
    def rolled(self) -> bool:
        return self.due != self.statutory

    @property
    def right_key(self) -> str:
        return f"{self.right_type}:{self.right_number}"

    @property
    def last_day(self) -> dt.date:
        """The very last day to act: the end of the grace period when there is one."""
        return self.grace_ends or self.due

    def state(self, today: dt.date) -> str:
        """upcoming, open (window running), grace, passed."""
        if today > self.last_day:
            return "passed"
        if today > self.due:
            return "grace"
        if self.opens is not None and today < self.opens:
            return "upcoming"
        return "open"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["kind_label"] = str(self.kind_label)
        data["label"] = str(self.label)
        data["surcharge_rule"] = str(self.surcharge_rule)
        return data


# --- calendar arithmetic ------------------------------------------------------------------------


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day `months` later (earlier when negative), or that month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def add_years(start: dt.date, years: int) -> dt.date:
    return add_months(start, 12 * years)


def term_last_day(start: dt.date, years: int) -> dt.date:
    """Last day of a term of `years` counted from `start` inclusive: the day before the
    anniversary, or the month's last day when the anniversary month has no such day."""
    try:
        return start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February in a common year
        return add_years(start, years)


def workday_checker() -> Workday:
    """is_workday bound to the working-day overrides, fetched once."""
    from zhichan.core.workdays import _overrides, is_workday

    overrides = _overrides()
    return lambda day: is_workday(day, overrides)


def roll_forward(day: dt.date, is_workday: Workday) -> dt.date:
    """`day`, or the first working day after it when it is a holiday."""
    for _i in range(60):  # the longest Chinese holiday is 8 days; bound the loop anyway
        if is_workday(day):
            return day
        day += dt.timedelta(days=1)
    return day


# --- rules --------------------------------------------------------------------------------------


def patent_term_years(patent_type: str, filed: dt.date) -> int:
    """专利法 第四十二条: invention 20, utility model 10, design 15 (10 when filed before 2021-06-01)."""
    terms = settings.ZHICHAN_PATENT_TERM_YEARS
    if patent_type == "design" and filed < dt.date.fromisoformat(settings.ZHICHAN_DESIGN_15Y_FROM):
        return settings.ZHICHAN_DESIGN_TERM_YEARS_BEFORE
    return terms[patent_type]


def patent_year_of(filed: dt.date, day: dt.date) -> int:
    """The patent year (1 = the year from the filing date) that contains `day`."""
    year = 1
    while add_years(filed, year) <= day:
        year += 1
    return year


def surcharge_rule_text() -> str:
    """The annual-fee surcharge rule of the fees file, in words (实施细则 第一百一十五条)."""
    from zhichan.watch.fees import schedule

    fees = schedule()
    return _(
        "no surcharge within %(free)d month(s) after the due date, then %(percent)d%% of the year's fee "
        "for each further month late, up to %(max)d%%"
    ) % {"free": fees.free_months, "percent": fees.percent_per_month, "max": fees.max_percent}


def patent_deadlines(patent, is_workday: Workday | None = None) -> list[Deadline]:
    """Annual fees and the end of term of a patent, by date.

    Lapsed or invalid patents have none. A pending application (or one of unknown status
    without a grant date) has only its term end, as it would be if granted. The fee of the
    year of grant is paid with the registration (实施细则 第一百一十四条), so fees are listed
    from the following patent year; a patent in force whose grant date the record lacks is
    taken as granted in its first year (every later fee listed).
    """
    filed = patent.application_date
    if (
        filed is None
        or patent.legal_status == "invalid"
        or patent.patent_type not in ("invention", "utility", "design")
    ):
        return []
    check = is_workday or workday_checker()
    number = patent.application_number
    years = patent_term_years(patent.patent_type, filed)
    end = term_last_day(filed, years)
    found = [
        Deadline(
            kind=PATENT_TERM_END,
            right_type=PATENT,
            right_number=number,
            key=PATENT_TERM_END,
            statutory=end,
            due=end,
            opens=None,
            grace_statutory=None,
            grace_ends=None,
            surcharge=False,
            basis="专利法 第四十二条",
            label=_("Term of %(years)d years ends") % {"years": years},
        )
    ]
    granted = patent.grant_date is not None or patent.legal_status == "valid"
    if granted:
        first = patent_year_of(filed, patent.grant_date) if patent.grant_date else 1
        grace_months = settings.ZHICHAN_PATENT_FEE_GRACE_MONTHS
        surcharge = surcharge_rule_text()
        for year in range(first + 1, years + 1):
            statutory = add_years(filed, year - 1)
            grace = add_months(statutory, grace_months)
            found.append(
                Deadline(
                    kind=ANNUAL_FEE,
                    right_type=PATENT,
                    right_number=number,
                    key=f"{ANNUAL_FEE}:{year}",
                    statutory=statutory,
                    due=roll_forward(statutory, check),
                    opens=None,
                    grace_statutory=grace,
                    grace_ends=roll_forward(grace, check),
                    surcharge=True,
                    basis="专利法 第四十三条; 专利法实施细则 第一百一十五条",
                    label=_("Annual fee for year %(year)d") % {"year": year},
                    year=year,
                    surcharge_rule=surcharge,
                )
            )
    found.sort(key=lambda d: (d.due, d.key))
    return found


def trademark_deadlines(mark, is_workday: Workday | None = None) -> list[Deadline]:
    """Opposition period, non-use exposure and renewal of a trademark, by date.

    Invalid, cancelled or expired marks have none. The opposition period is listed while the
    mark is preliminarily approved; renewal and non-use once it is registered (or of unknown
    status with a registration date). The record's expiry date wins over the computed one, as
    it reflects renewals already made.
    """
    if mark.status == "invalid":
        return []
    check = is_workday or workday_checker()
    number = mark.registration_number
    found = []
    if mark.status == "published" and mark.publication_date:
        months = settings.ZHICHAN_TM_OPPOSITION_MONTHS
        statutory = add_months(mark.publication_date, months)
        found.append(
            Deadline(
                kind=TM_OPPOSITION,
                right_type=TRADEMARK,
                right_number=number,
                key=TM_OPPOSITION,
                statutory=statutory,
                due=roll_forward(statutory, check),
                opens=mark.publication_date,
                grace_statutory=None,
                grace_ends=None,
                surcharge=False,
                basis="商标法 第三十三条",
                label=_("Last day to oppose (%(months)d months from preliminary publication)")
                % {"months": months},
            )
        )
    registered = mark.status == "registered" or (mark.status == "unknown" and mark.registration_date)
    if registered and mark.registration_date:
        years = settings.ZHICHAN_TM_NONUSE_YEARS
        exposed = add_years(mark.registration_date, years)
        found.append(
            Deadline(
                kind=TM_NONUSE,
                right_type=TRADEMARK,
                right_number=number,
                key=TM_NONUSE,
                statutory=exposed,
                due=exposed,
                opens=None,
                grace_statutory=None,
                grace_ends=None,
                surcharge=False,
                basis="商标法 第四十九条",
                label=_("From this day, %(years)d years without use open the mark to cancellation")
                % {"years": years},
            )
        )
    if registered and (mark.expiry_date or mark.registration_date):
        expiry = mark.expiry_date or term_last_day(mark.registration_date, settings.ZHICHAN_TM_TERM_YEARS)
        found.append(renewal_deadline(number, expiry, check))
    found.sort(key=lambda d: (d.due, d.key))
    return found


def renewal_deadline(number: str, expiry: dt.date, is_workday: Workday | None = None) -> Deadline:
    """The renewal of the registration of mark `number` whose term ends on `expiry`."""
    check = is_workday or workday_checker()
    window = settings.ZHICHAN_TM_RENEWAL_WINDOW_MONTHS
    grace = add_months(expiry, settings.ZHICHAN_TM_GRACE_MONTHS)
    return Deadline(
        kind=TM_RENEWAL,
        right_type=TRADEMARK,
        right_number=number,
        key=renewal_key(expiry),
        statutory=expiry,
        due=expiry,
        opens=add_months(expiry + dt.timedelta(days=1), -window),
        grace_statutory=grace,
        grace_ends=roll_forward(grace, check),
        surcharge=True,
        basis="商标法 第三十九条、第四十条; 商标法实施条例 第十二条",
        label=_("Renew before the registration expires"),
        surcharge_rule=_("renewal in the grace period adds a late fee"),
    )


def renewal_key(expiry: dt.date) -> str:
    return f"{TM_RENEWAL}:{expiry.isoformat()}"


def renewal_expiry(key: str) -> dt.date | None:
    """The expiry date a renewal deadline key names, or None for another key."""
    kind, _sep, rest = key.partition(":")
    if kind != TM_RENEWAL:
        return None
    try:
        return dt.date.fromisoformat(rest)
    except ValueError:
        return None


def next_term_expiry(expiry: dt.date) -> dt.date:
    """Last day of the term a renewal grants: ZHICHAN_TM_TERM_YEARS from the day after the
    previous term ends (商标法 第四十条第一款), by the same last-day rule as the first term."""
    return term_last_day(expiry + dt.timedelta(days=1), settings.ZHICHAN_TM_TERM_YEARS)


def deadlines_for(record, is_workday: Workday | None = None) -> list[Deadline]:
    from zhichan.ipdata.models import Patent

    if isinstance(record, Patent):
        return patent_deadlines(record, is_workday)
    return trademark_deadlines(record, is_workday)


def upcoming(deadlines: Iterable[Deadline], today: dt.date, days: int | None = None) -> list[Deadline]:
    """Deadlines still open to act on (grace included) whose due date is within `days` from today."""
    horizon = today + dt.timedelta(days=days if days is not None else settings.ZHICHAN_DEADLINE_HORIZON_DAYS)
    return sorted(
        (d for d in deadlines if d.last_day >= today and d.due <= horizon), key=lambda d: (d.due, d.key)
    )


def portfolio_deadlines(patents, trademarks, today: dt.date, days: int | None = None) -> list[tuple]:
    """(record, deadline) pairs of upcoming deadlines across records, by due date."""
    check = workday_checker()
    rows = []
    for patent in patents:
        rows.extend((patent, d) for d in upcoming(patent_deadlines(patent, check), today, days))
    for mark in trademarks:
        rows.extend((mark, d) for d in upcoming(trademark_deadlines(mark, check), today, days))
    rows.sort(key=lambda row: (row[1].due, row[1].right_number, row[1].key))
    return rows


STATE_LABELS = {
    "upcoming": _("Not yet open"),
    "open": _("Open"),
    "grace": _("In grace period"),
    "passed": _("Passed"),
}


def display_rows(pairs: Iterable[tuple], today: dt.date) -> list[dict]:
    """(record, deadline) pairs as rows for the deadline tables of pages."""
    rows = []
    for record, deadline in pairs:
        state = deadline.state(today)
        rows.append(
            {
                "record": record,
                "deadline": deadline,
                "state": state,
                "state_label": STATE_LABELS[state],
                "days_left": (deadline.due - today).days,
            }
        )
    return rows


def record_rows(record, today: dt.date) -> list[dict]:
    """A record's deadlines not yet passed, for its page."""
    return display_rows(((record, d) for d in deadlines_for(record) if d.last_day >= today), today)
