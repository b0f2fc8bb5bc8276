"""Official fee amounts of patent annual fees and trademark renewals (data/fees.yaml).

Loaded once and checked: every patent type with its bands of patent years (from year 1, no
gap, no overlap) and whole yuan amounts, the late-payment surcharge rule of annual fees, the
trademark renewal and late-renewal fees. A broken file stops the app at start
(WatchConfig.ready) naming the key that is wrong. ZHICHAN_FEES_FILE names another file.

Amounts are the full fees: reductions (费减) depend on the holder and are not applied.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PATENT_TYPES = ("invention", "utility", "design")
TM_KEYS = ("fee_paper", "fee_online", "late_paper", "late_online")
SURCHARGE_KEYS = ("free_months", "percent_per_month", "max_percent")


@dataclass(frozen=True)
class Schedule:
    annual: dict[str, list[tuple[int, int, int]]]  # patent type -> [(first year, last year, yuan)]
    free_months: int
    percent_per_month: int
    max_percent: int
    tm_renewal: dict[str, int]  # fee_paper, fee_online, late_paper, late_online

    def annual_fee(self, patent_type: str, year: int) -> int | None:
        for first, last, yuan in self.annual.get(patent_type, ()):
            if first <= year <= last:
                return yuan
        return None

    def surcharge_percent(self, months_late: int) -> int:
        """The surcharge in percent of the year's fee for a payment in the given month late
        (1 = the first month after the due date; 0 = on time)."""
        return min(max(months_late - self.free_months, 0) * self.percent_per_month, self.max_percent)


def _bad(key: str, why: str):
    return ImproperlyConfigured(f"fees file: {key} {why}")


def _whole(value, key: str, *, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _bad(key, f"must be a whole number of at least {least}")
    return value


def _mapping(data, key: str) -> dict:
    if not isinstance(data, dict):
        raise _bad(key, "must be a mapping")
    return data


def parse(data) -> Schedule:
    data = _mapping(data, "(the file)")
    fees = _mapping(data.get("patent_annual_fees"), "patent_annual_fees")
    unknown = set(fees) - set(PATENT_TYPES)
    if unknown:
        raise _bad("patent_annual_fees", f"has unknown patent types: {', '.join(sorted(map(str, unknown)))}")
    annual = {}
    for kind in PATENT_TYPES:
        where = f"patent_annual_fees.{kind}"
        bands = fees.get(kind)
        if not isinstance(bands, list) or not bands:
            raise _bad(where, "must be a list of {years: [first, last], yuan: amount}")
        rows, expected = [], 1
        for index, band in enumerate(bands):
            at = f"{where}[{index}]"
            band = _mapping(band, at)
            years = band.get("years")
            if not isinstance(years, list) or len(years) != 2:
                raise _bad(f"{at}.years", "must be [first, last]")
            first = _whole(years[0], f"{at}.years", least=1)
            last = _whole(years[1], f"{at}.years", least=first)
            if first != expected:
                raise _bad(f"{at}.years", f"must start at year {expected} (no gap, no overlap)")
            rows.append((first, last, _whole(band.get("yuan"), f"{at}.yuan")))
            expected = last + 1
        annual[kind] = rows
    late = _mapping(data.get("patent_late_surcharge"), "patent_late_surcharge")
    late_values = {key: _whole(late.get(key), f"patent_late_surcharge.{key}") for key in SURCHARGE_KEYS}
    if late_values["max_percent"] > 100:
        raise _bad("patent_late_surcharge.max_percent", "must be at most 100")
    tm = _mapping(data.get("trademark_renewal"), "trademark_renewal")
    return Schedule(
        annual=annual,
        tm_renewal={key: _whole(tm.get(key), f"trademark_renewal.{key}") for key in TM_KEYS},
        **late_values,
    )


def load(path: Path) -> Schedule:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"fees file: cannot read {Path(path).name}: {exc}") from exc
    return parse(data)


@functools.cache
def schedule() -> Schedule:
    return load(Path(settings.ZHICHAN_FEES_FILE))


# --- amounts of a deadline ------------------------------------------------------------------------


@dataclass(frozen=True)
class Amounts:
    amount_yuan: int
    online_amount_yuan: int | None = None  # where filing online costs less (trademarks)
    surcharge_yuan: int | None = None  # if paid on the day asked, in the grace period
    online_surcharge_yuan: int | None = None
    months_late: int | None = None  # patents: the month late the day falls in (1..6)

    def as_dict(self) -> dict:
        return {
            "amount_yuan": self.amount_yuan,
            "online_amount_yuan": self.online_amount_yuan,
            "surcharge_yuan": self.surcharge_yuan,
            "online_surcharge_yuan": self.online_surcharge_yuan,
        }


def months_late(deadline, day: dt.date, is_workday=None) -> int | None:
    """0 when `day` is on time, the month late (1 = first month after the due date) within the
    grace period, None after it. Each month's end is rolled past holidays like the grace end."""
    from zhichan.watch import deadlines as dl

    if day <= deadline.due:
        return 0
    if deadline.grace_ends is None or day > deadline.grace_ends:
        return None
    check = is_workday or dl.workday_checker()
    month = 1
    while day > dl.roll_forward(dl.add_months(deadline.statutory, month), check):
        month += 1
    return month


def patent_type_of(record) -> str:
    return getattr(record, "patent_type", "") or ""


def amounts(record, deadline, day: dt.date, is_workday=None) -> Amounts | None:
    """The fee of an annual fee or renewal deadline, with the surcharge if paid on `day` when
    that day is in the grace period; None for other deadlines or a year without a fee."""
    from zhichan.watch import deadlines as dl

    fees = schedule()
    if deadline.kind == dl.ANNUAL_FEE:
        amount = fees.annual_fee(patent_type_of(record), deadline.year or 0)
        if amount is None:
            return None
        month = months_late(deadline, day, is_workday) if day > deadline.due else 0
        surcharge = None
        if month:
            surcharge = amount * fees.surcharge_percent(month) // 100
        return Amounts(amount_yuan=amount, surcharge_yuan=surcharge, months_late=month)
    if deadline.kind == dl.TM_RENEWAL:
        tm = fees.tm_renewal
        in_grace = deadline.state(day) == "grace"
        return Amounts(
            amount_yuan=tm["fee_paper"],
            online_amount_yuan=tm["fee_online"],
            surcharge_yuan=tm["late_paper"] if in_grace else None,
            online_surcharge_yuan=tm["late_online"] if in_grace else None,
        )
    return None
