"""Indicative IP valuation: income (relief from royalty), cost and market approaches.

Pure functions: figures in, a result with every assumption out. Percentages are given as
percent (5 means 5 %). Arithmetic is exact (Decimal); only the result is rounded to the fen.
Bad input raises ValidationError naming the field, all bad fields at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

INCOME, COST, MARKET = "income", "cost", "market"
METHOD_LABELS = {
    INCOME: gettext_lazy("Income approach (relief from royalty)"),
    COST: gettext_lazy("Cost approach"),
    MARKET: gettext_lazy("Market approach"),
}
MAX_AMOUNT = Decimal("1000000000000")  # a trillion yuan: anything above is a typing error
MAX_FACTOR = Decimal("3")
MAX_COMPARABLES = 20
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def max_life_years() -> int:
    return int(getattr(settings, "ZHICHAN_FINANCE_MAX_LIFE_YEARS", 20))


def indicative_notice() -> str:
    return _(
        "This is an indicative figure computed from the assumptions shown, not an appraisal. "
        "Only an asset appraisal institution's report is valid for a pledge, transfer or contribution."
    )


@dataclass
class Valuation:
    method: str
    value: Decimal
    assumptions: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # (row key, heading)

    @property
    def table(self) -> list[list[str]]:
        return [[row[key] for key, _label in self.columns] for row in self.rows]

    @property
    def method_label(self) -> str:
        return str(METHOD_LABELS[self.method])

    @property
    def notice(self) -> str:
        return indicative_notice()

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "method_label": self.method_label,
            "value": self.value,
            "indicative": True,
            "notice": self.notice,
            "assumptions": [{"label": str(k), "value": str(v)} for k, v in self.assumptions],
            "rows": self.rows,
            "notes": [str(n) for n in self.notes],
        }


def _number(value, name, errors, *, low=None, high=None, low_open=False, high_open=False) -> Decimal | None:
    """A finite Decimal within [low, high] (open ends when asked); else an error under `name`."""
    if value is None or value == "" or isinstance(value, bool):
        errors.setdefault(name, []).append(_("Give a number."))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("Not a number."))
        return None
    if not number.is_finite():
        errors.setdefault(name, []).append(_("Not a number."))
        return None
    if low is not None and (number < low or (low_open and number == low)):
        if low == 0 and low_open:
            errors.setdefault(name, []).append(_("Must be more than 0."))
        elif low == 0:
            errors.setdefault(name, []).append(_("Must not be negative."))
        else:
            errors.setdefault(name, []).append(_("Must be at least %(n)s.") % {"n": low})
        return None
    if high is not None and (number > high or (high_open and number == high)):
        if high_open:
            errors.setdefault(name, []).append(_("Must be less than %(n)s.") % {"n": high})
        else:
            errors.setdefault(name, []).append(_("Must be at most %(n)s.") % {"n": high})
        return None
    return number


def _percent(value, name, errors, *, zero_ok=True, hundred_ok=True) -> Decimal | None:
    return _number(
        value, name, errors, low=Decimal(0), high=HUNDRED, low_open=not zero_ok, high_open=not hundred_ok
    )


def _money(value, name, errors, *, zero_ok=True) -> Decimal | None:
    return _number(value, name, errors, low=Decimal(0), high=MAX_AMOUNT, low_open=not zero_ok)


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):,}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def whole_years_left(start: dt.date, end: dt.date) -> int:
    """Whole years from `start` that end on or before `end` (the last day of the term)."""
    from zhichan.watch.deadlines import add_years

    years = 0
    while years <= 200 and add_years(start, years + 1) - dt.timedelta(days=1) <= end:
        years += 1
    return years


def income(
    *,
    revenues,
    royalty_rate,
    tax_rate,
    discount_rate,
    economic_life_years,
    legal_term_end: dt.date | None = None,
    valuation_date: dt.date | None = None,
    right_label: str = "",
) -> Valuation:
    """Relief from royalty: PV = Σ revenue_t × royalty × (1 − tax) / (1 + discount)^t for
    t = 1 … n, n = the economic life, capped by the whole years left of the legal term."""
    errors: dict[str, list] = {}
    limit = max_life_years()
    if not isinstance(revenues, list | tuple) or not revenues:
        errors["revenues"] = [_("Give the revenue forecast, one figure per year.")]
        revenues = []
    elif len(revenues) > limit:
        errors["revenues"] = [_("At most %(n)d years of forecast.") % {"n": limit}]
        revenues = []
    figures = [_money(v, f"revenues.{i}", errors) for i, v in enumerate(revenues)]
    royalty = _percent(royalty_rate, "royalty_rate", errors, zero_ok=False)
    tax = _percent(tax_rate, "tax_rate", errors, hundred_ok=False)
    discount = _percent(discount_rate, "discount_rate", errors, zero_ok=False)
    life = _number(economic_life_years, "economic_life_years", errors, low=Decimal(1), high=Decimal(limit))
    if life is not None and life != life.to_integral_value():
        errors.setdefault("economic_life_years", []).append(_("Give whole years."))
        life = None
    valuation_date = valuation_date or dt.date.today()
    cap = None
    if legal_term_end is not None:
        cap = whole_years_left(valuation_date, legal_term_end)
        if cap < 1:
            errors.setdefault("patent", []).append(
                _("The right's legal term ends on %(day)s, less than a year from now.")
                % {"day": legal_term_end.isoformat()}
            )
    if errors:
        raise ValidationError(errors)
    years = int(life)
    notes = []
    if cap is not None and cap < years:
        notes.append(
            _("The economic life of %(life)d years is cut to %(cap)d: the legal term ends on %(day)s.")
            % {"life": years, "cap": cap, "day": legal_term_end.isoformat()}
        )
        years = cap
    if len(figures) < years:
        raise ValidationError(
            {"revenues": [_("Give a revenue forecast for each of the %(n)d years valued.") % {"n": years}]}
        )
    if len(figures) > years:
        notes.append(_("Forecast years after year %(n)d are not counted.") % {"n": years})
    r, k, t = discount / HUNDRED, royalty / HUNDRED, tax / HUNDRED
    total = Decimal(0)
    rows = []
    for year in range(1, years + 1):
        revenue = figures[year - 1]
        royalty_income = revenue * k
        after_tax = royalty_income * (1 - t)
        factor = 1 / (1 + r) ** year
        present = after_tax * factor
        total += present
        rows.append(
            {
                "year": year,
                "revenue": _fmt(revenue),
                "royalty": _fmt(royalty_income),
                "after_tax": _fmt(after_tax),
                "discount_factor": f"{factor.quantize(Decimal('0.000001'), ROUND_HALF_UP)}",
                "present_value": _fmt(present),
            }
        )
    assumptions = [
        (_("Revenue forecast (yuan per year)"), "; ".join(_fmt(v) for v in figures[:years])),
        (_("Royalty rate"), _pct(royalty)),
        (_("Income tax rate"), _pct(tax)),
        (_("Discount rate"), _pct(discount)),
        (_("Economic life given (years)"), str(int(life))),
        (_("Years valued"), str(years)),
        (_("Valuation date"), valuation_date.isoformat()),
    ]
    if legal_term_end is not None:
        assumptions.append((_("Legal term ends"), legal_term_end.isoformat()))
        if right_label:
            assumptions.append((_("Right"), right_label))
    assumptions.append((_("Cash flows"), _("at the end of each year")))
    columns = [
        ("year", _("Year")),
        ("revenue", _("Revenue")),
        ("royalty", _("Royalty saved")),
        ("after_tax", _("After tax")),
        ("discount_factor", _("Discount factor")),
        ("present_value", _("Present value")),
    ]
    return Valuation(INCOME, total.quantize(CENT, ROUND_HALF_UP), assumptions, rows, notes, columns)


def cost(
    *, replacement_cost, physical_obsolescence=0, functional_obsolescence=0, economic_obsolescence=0
) -> Valuation:
    """Replacement cost × (1 − physical) × (1 − functional) × (1 − economic obsolescence)."""
    errors: dict[str, list] = {}
    base = _money(replacement_cost, "replacement_cost", errors, zero_ok=False)
    rates = {
        name: _percent(value, name, errors)
        for name, value in (
            ("physical_obsolescence", physical_obsolescence),
            ("functional_obsolescence", functional_obsolescence),
            ("economic_obsolescence", economic_obsolescence),
        )
    }
    if errors:
        raise ValidationError(errors)
    value = base
    rows = []
    labels = {
        "physical_obsolescence": _("Physical obsolescence"),
        "functional_obsolescence": _("Functional obsolescence"),
        "economic_obsolescence": _("Economic obsolescence"),
    }
    for name, rate in rates.items():
        less = value * rate / HUNDRED
        value -= less
        rows.append(
            {"step": str(labels[name]), "rate": _pct(rate), "less": _fmt(less), "remaining": _fmt(value)}
        )
    assumptions = [(_("Replacement cost (yuan)"), _fmt(base))] + [
        (labels[name], _pct(rate)) for name, rate in rates.items()
    ]
    assumptions.append((_("Obsolescence"), _("each rate applied to what remains after the previous one")))
    columns = [("step", _("Step")), ("rate", _("Rate")), ("less", _("Less")), ("remaining", _("Remaining"))]
    return Valuation(COST, value.quantize(CENT, ROUND_HALF_UP), assumptions, rows, columns=columns)


def market(*, comparables) -> Valuation:
    """The mean of the comparable transactions' prices, each multiplied by its adjustment factors."""
    errors: dict[str, list] = {}
    if not isinstance(comparables, list | tuple) or not comparables:
        raise ValidationError({"comparables": [_("Give at least one comparable transaction.")]})
    if len(comparables) > MAX_COMPARABLES:
        raise ValidationError({"comparables": [_("At most %(n)d comparables.") % {"n": MAX_COMPARABLES}]})
    cleaned = []
    for i, item in enumerate(comparables):
        if not isinstance(item, dict):
            errors[f"comparables.{i}"] = [_("Give a price and adjustment factors.")]
            continue
        price = _money(item.get("price"), f"comparables.{i}.price", errors, zero_ok=False)
        factors = item.get("factors") or []
        if not isinstance(factors, list | tuple) or len(factors) > 10:
            errors[f"comparables.{i}.factors"] = [_("At most 10 adjustment factors.")]
            factors = []
        numbers = [
            _number(f, f"comparables.{i}.factors.{j}", errors, low=Decimal(0), high=MAX_FACTOR, low_open=True)
            for j, f in enumerate(factors)
        ]
        cleaned.append((str(item.get("description") or "")[:200], price, numbers))
    if errors:
        raise ValidationError(errors)
    rows, total = [], Decimal(0)
    for i, (description, price, factors) in enumerate(cleaned, start=1):
        adjusted = price
        for f in factors:
            adjusted *= f
        total += adjusted
        rows.append(
            {
                "comparable": description or f"#{i}",
                "price": _fmt(price),
                "factors": " × ".join(f"{f.normalize():f}" for f in factors) or "1",
                "adjusted": _fmt(adjusted),
            }
        )
    value = total / len(cleaned)
    assumptions = [
        (_("Comparable transactions"), str(len(cleaned))),
        (_("Adjustment"), _("price × each factor (above 1: the right valued is worth more)")),
        (_("Result"), _("mean of the adjusted prices")),
    ]
    columns = [
        ("comparable", _("Comparable")),
        ("price", _("Price")),
        ("factors", _("Adjustment factors")),
        ("adjusted", _("Adjusted price")),
    ]
    return Valuation(MARKET, value.quantize(CENT, ROUND_HALF_UP), assumptions, rows, columns=columns)


def legal_term_end(record) -> dt.date | None:
    """The last day of a patent's term (watch/deadlines.py), or a trademark's registration."""
    from zhichan.watch import deadlines as dl

    if hasattr(record, "application_number"):
        for deadline in dl.patent_deadlines(record):
            if deadline.kind == dl.PATENT_TERM_END:
                return deadline.statutory
        return None
    return getattr(record, "expiry_date", None)
