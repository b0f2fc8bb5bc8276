"""The scorecard arithmetic against numbers worked out by hand (docs/evaluation.md, "Scorecards")."""

from decimal import Decimal as D

import pytest

from zhichan.evaluation.scorecards.scoring import ItemRule, competition_ranks, item_scores, score_run


def test_min_max_higher_is_better_spreads_the_values_over_0_to_100():
    assert item_scores({"a": D(10), "b": D(20), "c": D(30), "d": None}, "higher") == {
        "a": D("0.00"),
        "b": D("50.00"),
        "c": D("100.00"),
        "d": None,
    }


def test_min_max_lower_is_better_gives_the_smallest_value_100():
    assert item_scores({"a": D(2), "b": D(4), "c": D(6)}, "lower") == {
        "a": D("100.00"),
        "b": D("50.00"),
        "c": D("0.00"),
    }


def test_equal_values_all_score_100_and_thirds_round_half_up():
    assert item_scores({"a": D(5), "b": D(5)}, "higher") == {"a": D("100.00"), "b": D("100.00")}
    assert item_scores({"a": D(1), "b": D(2), "c": D(4)}, "higher")["b"] == D("33.33")
    assert item_scores({"a": D(0), "b": D(2), "c": D(3)}, "higher")["b"] == D("66.67")


def test_only_missing_values_score_nothing():
    assert item_scores({"a": None, "b": None}, "higher") == {"a": None, "b": None}


def test_target_higher_is_capped_at_100_and_lower_divides_the_target_by_the_value():
    assert item_scores({"a": D(10), "b": D(20), "c": D(30), "d": D(-5)}, "higher", "target", D(25)) == {
        "a": D("40.00"),
        "b": D("80.00"),
        "c": D("100.00"),
        "d": D("0.00"),
    }
    assert item_scores({"a": D(2), "b": D(4), "c": D(6)}, "lower", "target", D(3)) == {
        "a": D("100.00"),
        "b": D("75.00"),
        "c": D("50.00"),
    }
    with pytest.raises(ValueError):
        item_scores({"a": D(1)}, "higher", "target", D(0))


def test_competition_ranks_share_ties_and_skip():
    assert competition_ranks({"a": D(5), "b": D(7), "c": D(7), "d": D(1)}) == {"b": 1, "c": 1, "a": 3, "d": 4}


def test_a_run_weighs_scores_adds_them_up_and_ranks():
    items = [
        ItemRule("volume", D(50), "higher", dimension="utilisation"),
        ItemRule("days", D(30), "lower", dimension="quality"),
        ItemRule("rate", D(20), "higher", "target", D(90), dimension="satisfaction"),
    ]
    raw = {
        "volume": {"a": D(10), "b": D(20), "c": D(30), "d": None},
        "days": {"a": D(2), "b": D(4), "c": D(6), "d": D(3)},
        "rate": {"a": D(45), "b": D(90), "c": D(99), "d": None},
    }
    scored = {s.key: s for s in score_run(items, raw, ["a", "b", "c", "d"])}
    # volume 0/50/100/–, days 100/50/0/75, rate 50/100/100/– → weighted by 50, 30, 20.
    assert {k: s.total for k, s in scored.items()} == {
        "a": D("40.00"),
        "b": D("60.00"),
        "c": D("70.00"),
        "d": D("22.50"),
    }
    assert {k: s.rank for k, s in scored.items()} == {"c": 1, "b": 2, "a": 3, "d": 4}
    assert scored["d"].missing == 2 and scored["d"].scores["volume"] is None
    assert scored["d"].weighted == {"volume": D(0), "days": D("22.50"), "rate": D(0)}
    assert scored["a"].subtotals == {
        "utilisation": D("0.00"),
        "quality": D("30.00"),
        "satisfaction": D("10.00"),
    }
    assert [s.key for s in score_run(items, raw, ["a", "b", "c", "d"])] == ["c", "b", "a", "d"]


def test_equal_totals_share_a_rank_in_a_run():
    items = [ItemRule("x", D(100), "higher")]
    scored = {s.key: s for s in score_run(items, {"x": {"a": D(3), "b": D(3), "c": D(1)}}, "abc")}
    assert (scored["a"].rank, scored["b"].rank, scored["c"].rank) == (1, 1, 3)
    assert scored["c"].total == D("0.00")
