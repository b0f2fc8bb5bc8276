"""The demo's past year of requests: spread over the months, counted, made once."""

import datetime as dt

from django.utils import timezone

from zhichan.cases.models import Case
from zhichan.evaluation.demo import create_demo_history
from zhichan.evaluation.metrics import Scope, get_metric
from zhichan.evaluation.models import DailyCount, NetworkSnapshot
from zhichan.evaluation.periods import Period, month_spans


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
    # The network recorded at the end of each past month of the history, so that last quarter
    # has network figures (the world's, unchanged since).
    days = sorted(set(NetworkSnapshot.objects.values_list("day", flat=True)))
    assert len(days) >= 11 and days[-1] == now.replace(day=1) - dt.timedelta(days=1)
    last_quarter = Period.containing(now, "quarter").previous()
    outlets = get_metric("outlets_operating")
    now_quarter = Period.containing(now, "quarter")
    assert outlets.values([city], last_quarter)[city] == outlets.values([city], now_quarter)[city] > 0
    before = sorted(DailyCount.objects.values_list("day", "key", "kind", "agency_id", "value"))
    snapshots = sorted(NetworkSnapshot.objects.values_list("pk", "day", "key", "value"))
    assert create_demo_history() == 0  # the second run adds nothing, and the counts stay the same
    assert sorted(DailyCount.objects.values_list("day", "key", "kind", "agency_id", "value")) == before
    assert sorted(NetworkSnapshot.objects.values_list("pk", "day", "key", "value")) == snapshots
    assert timezone.now() - max(c.created_at for c in Case.objects.all()) < dt.timedelta(days=40)
