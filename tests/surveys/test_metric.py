"""`survey_satisfaction` against a hand-built fixture: which responses count for which scope."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.surveys.conftest import build_survey, good_answers
from zhichan.evaluation.metrics import METRICS, Scope, get_metric, metric_choices
from zhichan.evaluation.periods import Period
from zhichan.surveys import services

pytestmark = pytest.mark.django_db
Q3 = Period.parse("2026Q3")
IN_Q3 = dt.date(2026, 8, 10)


def answer(survey, scale, *, on=IN_Q3, county=None, token):
    services.do_submit(survey, good_answers(survey, scale), browser_token=token, county=county, on=on)


def test_registered_at_start_up():
    metric = get_metric("survey_satisfaction")
    assert metric is METRICS["survey_satisfaction"]
    assert (metric.unit, metric.dimension, metric.scope_kinds) == (
        "percent",
        "satisfaction",
        ("city", "county"),
    )
    assert "survey_satisfaction" in dict(metric_choices("county"))
    assert "survey_satisfaction" not in dict(metric_choices("agency"))


def test_values_by_scope_and_period(world):
    wide = build_survey(world, ask_county=True, opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 12, 31))
    county_a = build_survey(
        world, region=world.county_a, opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 12, 31)
    )
    county_b = build_survey(
        world, region=world.county_b, opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 12, 31)
    )
    # County A's own survey: 5, 4, 2 → 2 of 3.
    for n, scale in enumerate([5, 4, 2]):
        answer(county_a, scale, token=f"a{n}")
    # City-wide: two naming county A (5, 1), one naming B (4), one naming none (1).
    answer(wide, 5, county=world.county_a.pk, token="w1")
    answer(wide, 1, county=world.county_a.pk, token="w2")
    answer(wide, 4, county=world.county_b.pk, token="w3")
    answer(wide, 1, token="w4")
    # County B's own survey: 3 → 0 of 1.
    answer(county_b, 3, token="b1")
    # Outside the period: not counted anywhere.
    answer(county_a, 1, token="old", on=dt.date(2026, 6, 30))
    answer(wide, 5, token="next", on=dt.date(2026, 10, 1), county=world.county_a.pk)

    city, a, b = (
        Scope("city", world.city.pk),
        Scope("county", world.county_a.pk),
        Scope("county", world.county_b.pk),
    )
    values = get_metric("survey_satisfaction").values([city, a, b], Q3)
    # City: every survey → satisfied 5,4,5,4 of 8 answers.
    assert values[city] == Decimal("50.0")
    # A: own 2 of 3 + named 1 of 2 → 3 of 5.
    assert values[a] == Decimal("60.0")
    # B: named 1 of 1 + own 0 of 1 → 1 of 2.
    assert values[b] == Decimal("50.0")
    # Nothing in Q2 for B; an unknown scope is undefined.
    q2 = get_metric("survey_satisfaction").values([b, Scope("county", 999999)], Period.parse("2026Q2"))
    assert q2 == {b: None, Scope("county", 999999): None}
    assert get_metric("survey_satisfaction").values([a], Period.parse("2026Q2"))[a] == Decimal("0.0")
