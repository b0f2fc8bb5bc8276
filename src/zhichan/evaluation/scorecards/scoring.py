"""The arithmetic of a scorecard run: raw values → 0–100 scores → weighted scores → totals → ranks.

Pure functions over Decimals, so the rules can be checked against hand-computed numbers
(docs/evaluation.md, "Scorecards", states the same formulas).

For each item, over the scopes that have a value:
- min–max: lo, hi = the smallest and largest value; higher is better: 100 × (x − lo) / (hi − lo),
  lower is better: 100 × (hi − x) / (hi − lo); when hi = lo every scope with a value scores 100.
- target T (T > 0): higher is better: 100 × min(x, T) / T (0 for x ≤ 0);
  lower is better: 100 when x ≤ T, else 100 × T / x.
A missing value (None) has no score and counts 0 towards the total.
weighted = score × weight / 100 (weights add up to 100), total = Σ weighted; each figure is
rounded half up to two decimals before it is added. Ranks: highest total first, equal totals
share a rank and the next rank skips (1, 2, 2, 4). Agencies are also ranked within their county
(`ranks_within`), by the same rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemRule:
    code: str
    weight: Decimal
    direction: str = "higher"
    rule: str = "minmax"
    target: Decimal | None = None
    dimension: str = ""


@dataclass
class ScoredScope:
    key: Hashable
    raw: dict[str, Decimal | None] = field(default_factory=dict)
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)
    subtotals: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO
    missing: int = 0
    rank: int = 0


def _clamp(value: Decimal) -> Decimal:
    return min(max(value, ZERO), HUNDRED)


def item_scores(
    values: dict[Hashable, Decimal | None],
    direction: str,
    rule: str = "minmax",
    target: Decimal | None = None,
) -> dict[Hashable, Decimal | None]:
    """The 0–100 score of each scope's raw value for one item (None where the value is missing)."""
    present = {key: Decimal(v) for key, v in values.items() if v is not None}
    lower = direction == "lower"
    out: dict[Hashable, Decimal | None] = dict.fromkeys(values)
    if not present:
        return out
    if rule == "target":
        if target is None or target <= 0:
            raise ValueError("a target rule needs a target above 0")
        for key, x in present.items():
            if lower:
                score = HUNDRED if x <= target else HUNDRED * target / x
            else:
                score = HUNDRED * min(x, target) / target
            out[key] = q2(_clamp(score))
        return out
    lo, hi = min(present.values()), max(present.values())
    for key, x in present.items():
        if hi == lo:
            score = HUNDRED
        elif lower:
            score = HUNDRED * (hi - x) / (hi - lo)
        else:
            score = HUNDRED * (x - lo) / (hi - lo)
        out[key] = q2(score)
    return out


def competition_ranks(totals: dict[Hashable, Decimal]) -> dict[Hashable, int]:
    """1 for the highest total; equal totals share a rank, and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(totals.values(), reverse=True)
    first = {}
    for position, total in enumerate(ordered, start=1):
        first.setdefault(total, position)
    return {key: first[total] for key, total in totals.items()}


def ranks_within(totals: dict[Hashable, Decimal], groups: dict[Hashable, Hashable | None]) -> dict:
    """Each key's rank among the keys of its group (`groups[key]`), with the same tie rule as
    `competition_ranks`; a key without a group (None) has no rank (None)."""
    members: dict[Hashable, dict[Hashable, Decimal]] = {}
    for key, total in totals.items():
        group = groups.get(key)
        if group is not None:
            members.setdefault(group, {})[key] = total
    ranks: dict[Hashable, int | None] = dict.fromkeys(totals)
    for group_totals in members.values():
        ranks.update(competition_ranks(group_totals))
    return ranks


def score_run(
    items: Sequence[ItemRule], raw: dict[str, dict[Hashable, Decimal | None]], keys: Iterable[Hashable]
) -> list[ScoredScope]:
    """Score every scope in `keys` on every item; `raw[code][key]` is the raw value (None: missing)."""
    keys = list(keys)
    scored = {key: ScoredScope(key) for key in keys}
    for item in items:
        values = {key: raw.get(item.code, {}).get(key) for key in keys}
        scores = item_scores(values, item.direction, item.rule, item.target)
        for key in keys:
            scope = scored[key]
            scope.raw[item.code] = values[key]
            scope.scores[item.code] = scores[key]
            weighted = ZERO if scores[key] is None else q2(scores[key] * item.weight / HUNDRED)
            scope.weighted[item.code] = weighted
            scope.subtotals[item.dimension] = scope.subtotals.get(item.dimension, ZERO) + weighted
            scope.total += weighted
            if values[key] is None:
                scope.missing += 1
    ranks = competition_ranks({key: s.total for key, s in scored.items()})
    for key, scope in scored.items():
        scope.rank = ranks[key]
    return sorted(scored.values(), key=lambda s: s.rank)
