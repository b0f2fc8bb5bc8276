"""The reason weights, goods relation factors and risk thresholds (data/weights.yaml).

Loaded once and checked: every reason present with a weight in 0..1, thresholds ordered. A
broken file stops the app at start (ScreeningConfig.ready) with the key that is wrong.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REASONS = (
    "identical", "affix", "pinyin_latin", "reordered", "char_changed", "glyph", "pronunciation",
    "similar_pronunciation", "pronunciation_changed", "meaning", "contains", "interleaved",
    "latin_one_letter", "latin_reordered", "shared_part",
)  # fmt: skip
RELATIONS = ("same_group", "same_class", "class_asked")


@dataclass(frozen=True)
class Weights:
    reasons: dict[str, float]
    combine_bonus: float
    share_floor: float
    relation: dict[str, float]
    high: float
    medium: float


def _number(data: dict, key: str, where: str) -> float:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ImproperlyConfigured(f"screening weights: {where}{key} must be a number from 0 to 1")
    return float(value)


def parse(data) -> Weights:
    if not isinstance(data, dict):
        raise ImproperlyConfigured("screening weights: the file must be a mapping")
    reasons = data.get("reasons") or {}
    unknown = set(reasons) - set(REASONS) if isinstance(reasons, dict) else set()
    if unknown:
        raise ImproperlyConfigured(f"screening weights: unknown reasons {', '.join(sorted(unknown))}")
    relation = data.get("relation") or {}
    risk = data.get("risk") or {}
    result = Weights(
        reasons={key: _number(reasons, key, "reasons.") for key in REASONS},
        combine_bonus=_number(data, "combine_bonus", ""),
        share_floor=_number(data, "share_floor", ""),
        relation={key: _number(relation, key, "relation.") for key in RELATIONS},
        high=_number(risk, "high", "risk."),
        medium=_number(risk, "medium", "risk."),
    )
    if result.medium > result.high:
        raise ImproperlyConfigured("screening weights: risk.medium must not exceed risk.high")
    return result


def load(path: Path) -> Weights:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"screening weights: cannot read {path.name}: {exc}") from exc
    return parse(data)


@functools.cache
def weights() -> Weights:
    return load(Path(settings.ZHICHAN_SCREENING_WEIGHTS))
