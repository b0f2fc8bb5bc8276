"""The labelled pairs (data/pairs.yaml): how many the scoring classifies as their sources did.

A pair counts as found similar when its risk, in the same similar group, is medium or high.
The figures print with `pytest -s`; the floor keeps a regression from passing unnoticed.
"""

from pathlib import Path

import yaml

from zhichan.screening.scoring import score
from zhichan.screening.services import risk_of

PAIRS = Path(__file__).with_name("data") / "pairs.yaml"


def load():
    data = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))
    return data["sources"], data["pairs"]


def test_every_pair_names_a_known_source():
    sources, pairs = load()
    assert all(source.strip() for source in sources.values())
    assert {pair[3] for pair in pairs} <= set(sources)
    assert len(pairs) >= 40


def test_labelled_pairs_are_classified_as_expected():
    _sources, pairs = load()
    right, misses = {True: 0, False: 0}, []
    for prior, proposed, similar, _source in pairs:
        found = risk_of(score(proposed, prior).score) in ("medium", "high")
        if found == similar:
            right[similar] += 1
        else:
            misses.append(f"{prior}/{proposed} ({'similar' if similar else 'distinct'})")
    similar_total = sum(1 for pair in pairs if pair[2])
    distinct_total = len(pairs) - similar_total
    print(
        f"\nlabelled pairs: {right[True]}/{similar_total} similar found, "
        f"{right[False]}/{distinct_total} distinct left low; missed: {', '.join(misses) or 'none'}"
    )
    assert right[False] == distinct_total
    assert right[True] / similar_total >= 0.7
