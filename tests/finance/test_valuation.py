"""The calculators against examples computed by hand (the arithmetic is written out)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhichan.finance import valuation


def errors_of(call, **kwargs):
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict


INCOME = {
    "revenues": [1_000_000, 1_200_000, 1_400_000],
    "royalty_rate": 5,
    "tax_rate": 25,
    "discount_rate": 10,
    "economic_life_years": 3,
}


def test_income_relief_from_royalty_by_hand():
    # year 1: 1,000,000 × 5 % = 50,000; × (1 − 25 %) = 37,500; ÷ 1.1     = 34,090.909090…
    # year 2: 1,200,000 × 5 % = 60,000; × 0.75      = 45,000; ÷ 1.21    = 37,190.082644…
    # year 3: 1,400,000 × 5 % = 70,000; × 0.75      = 52,500; ÷ 1.331   = 39,444.027047…
    # sum = 110,725.018782… → 110,725.02
    result = valuation.income(**INCOME, valuation_date=dt.date(2026, 1, 1))
    assert result.value == Decimal("110725.02")
    assert [row["present_value"] for row in result.rows] == ["34,090.91", "37,190.08", "39,444.03"]
    labels = dict(result.assumptions)
    assert labels["Royalty rate"] == "5 %" and labels["Discount rate"] == "10 %"
    assert labels["Years valued"] == "3"
    assert "not an appraisal" in result.notice
    assert result.as_dict()["indicative"] is True


def test_income_life_capped_by_the_legal_term():
    # Term ends 2028-06-30: from 2026-01-01 two whole years (to 2027-12-31) fit, the third does not.
    # 37,500 / 1.1 + 45,000 / 1.21 = 34,090.9090… + 37,190.0826… = 71,280.9917… → 71,280.99
    result = valuation.income(
        **INCOME, valuation_date=dt.date(2026, 1, 1), legal_term_end=dt.date(2028, 6, 30), right_label="X"
    )
    assert result.value == Decimal("71280.99")
    assert len(result.rows) == 2
    assert any("cut to 2" in note for note in result.notes)
    assert dict(result.assumptions)["Legal term ends"] == "2028-06-30"


def test_income_term_ending_within_a_year_is_refused():
    errors = errors_of(
        valuation.income, **INCOME, valuation_date=dt.date(2026, 1, 1), legal_term_end=dt.date(2026, 9, 1)
    )
    assert "patent" in errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("royalty_rate", 150, "at most 100"),
        ("royalty_rate", 0, "more than 0"),
        ("tax_rate", 100, "less than 100"),
        ("discount_rate", 0, "more than 0"),
        ("discount_rate", -5, "more than 0"),
        ("economic_life_years", 21, "at most 20"),
        ("economic_life_years", 2.5, "whole years"),
        ("royalty_rate", "abc", "Not a number"),
        ("royalty_rate", "NaN", "Not a number"),
    ],
)
def test_income_absurd_figures_are_refused_naming_the_field(field, value, message):
    errors = errors_of(valuation.income, **{**INCOME, field: value})
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_income_negative_revenue_and_short_forecast():
    errors = errors_of(valuation.income, **{**INCOME, "revenues": [1000, -1, 5]})
    assert list(errors) == ["revenues.1"]
    errors = errors_of(valuation.income, **{**INCOME, "revenues": [1000, 2000]})
    assert "each of the 3 years" in errors["revenues"][0]
    errors = errors_of(valuation.income, **{**INCOME, "revenues": []})
    assert "revenues" in errors


def test_cost_approach_by_hand():
    # 500,000 × (1 − 10 %) = 450,000; × (1 − 20 %) = 360,000; × (1 − 5 %) = 342,000
    result = valuation.cost(
        replacement_cost=500_000,
        physical_obsolescence=10,
        functional_obsolescence=20,
        economic_obsolescence=5,
    )
    assert result.value == Decimal("342000.00")
    assert [row["remaining"] for row in result.rows] == ["450,000.00", "360,000.00", "342,000.00"]


def test_cost_refusals():
    errors = errors_of(valuation.cost, replacement_cost=-1, physical_obsolescence=120)
    assert set(errors) == {"replacement_cost", "physical_obsolescence"}


def test_market_approach_by_hand():
    # A: 300,000 × 1.1 × 0.9 = 297,000; B: 400,000 × 0.8 = 320,000; mean = 617,000 / 2 = 308,500
    result = valuation.market(
        comparables=[
            {"description": "A", "price": 300_000, "factors": [1.1, 0.9]},
            {"description": "B", "price": 400_000, "factors": ["0.8"]},
        ]
    )
    assert result.value == Decimal("308500.00")
    assert [row["adjusted"] for row in result.rows] == ["297,000.00", "320,000.00"]


def test_market_refusals():
    errors = errors_of(valuation.market, comparables=[{"price": 0, "factors": [0, 5]}])
    assert set(errors) == {"comparables.0.price", "comparables.0.factors.0", "comparables.0.factors.1"}
    assert "comparables" in errors_of(valuation.market, comparables=[])


def test_whole_years_left():
    assert valuation.whole_years_left(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 1
    assert valuation.whole_years_left(dt.date(2026, 1, 1), dt.date(2026, 12, 30)) == 0
    assert valuation.whole_years_left(dt.date(2026, 1, 1), dt.date(2045, 12, 31)) == 20
