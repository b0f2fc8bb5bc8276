"""The candidate index: by construction every mark scoring above 0 shares a key."""

import random

import numpy as np

from zhichan.screening.features import features
from zhichan.screening.index import build, keys, open_index
from zhichan.screening.scoring import compare

ALPHABET = "康师帅傅雪雷碧奥粤利老干妈爹红赤牛苹果金龙鱼华为牌堂"
LATIN = "ABEIKLMNOPS"


def random_mark(rng):
    if rng.random() < 0.3:
        return "".join(rng.choice(LATIN) for _ in range(rng.randint(3, 6)))
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 5)))


def test_every_scoring_pair_shares_a_key():
    rng = random.Random(5)
    marks = [random_mark(rng) for _ in range(400)] + ["APPLE", "苹果", "KANGSHIFU", "康师傅", "赤牛", "红牛"]
    scoring = 0
    for a in marks:
        fa, ka = features(a), keys(features(a))
        for b in marks:
            if compare(fa, features(b)).score > 0:
                scoring += 1
                assert ka & keys(features(b)), (a, b)
    assert scoring > len(marks)  # the check did meet similar pairs, not only identical ones


def test_build_and_query(tmp_path):
    records = [
        (1, "康师傅", 30, ["3001"]),
        (2, "康帅傅", 30, ["3002"]),
        (3, "康师傅", 29, ["2901"]),
        (4, "大白兔", 30, []),
        (5, "APPLE", 9, ["0901"]),
    ]
    assert build(records, tmp_path / "idx") == 5
    index = open_index(tmp_path / "idx")
    assert index.name(1) == "康帅傅"
    assert index.groups(0) == ["3001"]
    assert index.groups(3) == []
    rows = index.candidates(features("康师傅"), [30], limit=10)
    assert set(rows.tolist()) == {0, 1}  # class 29's mark and the unrelated one are not candidates
    assert rows[0] == 0  # the identical mark first
    assert index.candidates(features("康师傅"), [29, 30], limit=1).tolist() in ([0], [2])
    assert list(index.rows_of_classes([30])) == [0, 1, 3]
    assert index.candidates(features("苹果"), [9], limit=5).tolist() == [4]
    assert len(index.candidates(features("无关"), [30], limit=5)) == 0


def test_rebuild_replaces_and_reopens(tmp_path):
    build([(1, "甲乙", 1, [])], tmp_path / "idx")
    first = open_index(tmp_path / "idx")
    build([(1, "甲乙", 1, []), (2, "甲乙丙", 1, [])], tmp_path / "idx")
    second = open_index(tmp_path / "idx")
    assert first.rows == 1
    assert second.rows == 2
    assert not (tmp_path / "idx.new").exists()


def test_empty_index(tmp_path):
    build([], tmp_path / "idx")
    index = open_index(tmp_path / "idx")
    assert index.rows == 0
    assert isinstance(index.candidates(features("康师傅"), [30], 10), np.ndarray)
    assert open_index(tmp_path / "missing") is None
