import pytest
from django.core.exceptions import ImproperlyConfigured

from zhichan.screening.weights import REASONS, load, parse, weights


def good():
    return {
        "reasons": dict.fromkeys(REASONS, 0.5),
        "combine_bonus": 0.1,
        "share_floor": 0.6,
        "relation": {"same_group": 1, "same_class": 0.7, "class_asked": 1},
        "risk": {"high": 0.7, "medium": 0.45},
    }


def test_shipped_file_loads_with_every_reason():
    config = weights()
    assert set(config.reasons) == set(REASONS)
    assert config.reasons["identical"] == 1.0
    assert config.medium < config.high


def test_parse_accepts_a_complete_mapping():
    assert parse(good()).relation["same_class"] == 0.7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["reasons"].pop("glyph"), "reasons.glyph"),
        (lambda d: d["reasons"].update(glyph=1.5), "reasons.glyph"),
        (lambda d: d["reasons"].update(colour=0.5), "unknown reasons colour"),
        (lambda d: d["relation"].update(same_class="high"), "relation.same_class"),
        (lambda d: d["risk"].update(medium=0.9), "risk.medium must not exceed"),
        (lambda d: d.pop("combine_bonus"), "combine_bonus"),
    ],
)
def test_parse_names_the_wrong_key(change, message):
    data = good()
    change(data)
    with pytest.raises(ImproperlyConfigured, match=message):
        parse(data)


def test_unreadable_file_is_named(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("reasons: [", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="w.yaml"):
        load(path)
