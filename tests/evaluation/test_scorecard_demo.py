"""The demo indicators and scorecards follow the metrics the server has."""

import pytest

from tests.evaluation.scorecard_fixtures import HandMetric
from tests.factories import UserFactory
from zhichan.accounts.models import Role
from zhichan.evaluation import metrics
from zhichan.evaluation.metrics import ScopeKind
from zhichan.evaluation.models import Indicator, Scorecard
from zhichan.evaluation.scorecards.demo import INDICATORS, create_demo_scorecards


@pytest.fixture
def demo_metrics():
    codes = [metric for *_rest, metric, _d in INDICATORS if metric]
    made = []
    for code in codes:
        if metrics.get_metric(code) is None:
            made.append(metrics.register(HandMetric(code)))
    yield
    for metric in made:
        metrics.METRICS.pop(metric.code, None)


def test_without_metrics_only_the_manual_indicator_is_made(db, world):
    saved = dict(metrics.METRICS)
    metrics.METRICS.clear()
    try:
        UserFactory(username="demo-city-admin", role=Role.CITY_ADMIN, region=world.city)
        assert create_demo_scorecards(log=lambda *a: None) == []
        assert list(Indicator.objects.values_list("code", flat=True)) == ["service_innovation"]
    finally:
        metrics.METRICS.update(saved)


def test_with_the_metrics_the_three_scorecards_are_made_once(db, world, demo_metrics):
    UserFactory(username="demo-city-admin", role=Role.CITY_ADMIN, region=world.city)
    made = create_demo_scorecards(log=lambda *a: None)
    assert {s.level for s in made} == {ScopeKind.COUNTY, ScopeKind.PARK, ScopeKind.AGENCY}
    assert all(sum(i.weight for i in s.items.all()) == 100 for s in made)
    assert create_demo_scorecards(log=lambda *a: None) == []
    assert Scorecard.objects.count() == 3 and Indicator.objects.count() == len(INDICATORS)
