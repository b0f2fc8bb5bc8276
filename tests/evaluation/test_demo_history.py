"""The demo's past year of requests: spread over the months, counted, made once."""

import datetime as dt

from django.utils import timezone

from zhichan.cases.models import Case
from zhichan.evaluation.demo import create_demo_history
from zhichan.evaluation.metrics import Scope, get_metric
from zhichan.evaluation.models import DailyCount
from zhichan.evaluation.standard import month_spans


def test_history_spreads_over_the_year_and_is_counted_once(world):
    made = create_demo_history()
    assert made > 100
    months = {
        (c.created_at.year, c.created_at.month)
        for c in Case.objects.filter(idempotency_key__startswith="demo-history-")
    }
    assert len(months) >= 11
    assert DailyCount.objects.filter(key="received").exists()
    now = timezone.localdate()
    city = Scope("city", world.city.pk)
    trend = [
        get_metric("cases_received").values([city], s)[city] for s in month_spans(now.year, now.month, 12)
    ]
    assert sum(trend) == made == Case.objects.count() and sum(1 for v in trend if v) >= 10
    before = sorted(DailyCount.objects.values_list("day", "key", "kind", "agency_id", "value"))
    assert create_demo_history() == 0  # the second run adds nothing, and the counts stay the same
    assert sorted(DailyCount.objects.values_list("day", "key", "kind", "agency_id", "value")) == before
    assert timezone.now() - max(c.created_at for c in Case.objects.all()) < dt.timedelta(days=40)
