"""The daily counts: incremental runs equal a rebuild, the lag, the cursor, the command, the task."""

import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from tests.evaluation.counts_fixture import at, build_cases, build_others, event, finish, make_case, rate
from zhichan.cases.models import Rating
from zhichan.enterprises.models import Enterprise
from zhichan.evaluation.counts import rebuild_counts, update_counts
from zhichan.evaluation.models import CountCursor, DailyCount
from zhichan.screening.models import ScreeningLog
from zhichan.watch.models import Alert, WatchItem, WatchList


def snapshot():
    return sorted(
        ((row.day, row.region_id or 0, row.agency_id or 0, row.kind, row.key, row.value)
         for row in DailyCount.objects.all()),
    )  # fmt: skip


def later():
    return timezone.now() + dt.timedelta(hours=1)


def test_counting_in_steps_with_rows_arriving_between_equals_a_rebuild(world):
    cases = build_cases(world)
    first = update_counts(now=later(), limit=3)  # small batches: many transactions
    assert first["case_events"] > 0
    build_others(world)
    extra = make_case(world.centre_a, received=at(3, 2))
    event(extra, "created", at(3, 2))
    # Park cases: the park's outlet, a screening and a watch list of an enterprise in the park.
    in_park = make_case(world.outlet_a, received=at(3, 6))
    event(in_park, "created", at(3, 6))
    ScreeningLog.objects.create(channel="page", region=world.park_a, at=at(3, 7))
    update_counts(now=later(), limit=4)
    event(extra, "reply", at(3, 3), **finish(True, 1))
    event(cases.c4, "reply", at(3, 28), **finish(False, 19))
    event(in_park, "closed", at(3, 9), **finish(True, 2))
    rate(extra, "basic", at(3, 4))
    rate(in_park, "satisfied", at(3, 10))
    park_firm = Enterprise.objects.create(name="园区企业", normalized_name="园区企业", region=world.park_a)
    watch = WatchList.objects.create(enterprise=park_firm, name="marks")
    item = WatchItem.objects.create(watch_list=watch, kind="mark", text="园区")
    Alert.objects.create(watch_list=watch, item=item, kind="similar_mark", key="p", summary="s")
    update_counts(now=later())
    update_counts(now=later())  # nothing new: nothing changes
    stepped = snapshot()
    assert stepped
    in_park_rows = {(r[4], r[2]) for r in stepped if r[1] == world.park_a.pk}
    assert {("received", world.outlet_a.pk), ("closed", world.outlet_a.pk), ("rating", world.outlet_a.pk),
            ("screening", 0), ("alert", 0)} <= in_park_rows  # fmt: skip

    rebuild_counts(now=later())
    assert snapshot() == stepped
    # And the figures are real sums: five ratings of the fixture, two more here.
    assert sum(r[5] for r in stepped if r[4] == "rating") == Decimal(Rating.objects.count()) == 7


def test_rows_younger_than_the_lag_wait_for_the_next_run(world, settings):
    settings.ZHICHAN_COUNTS_LAG_SECONDS = 120
    now = timezone.now()
    old = ScreeningLog.objects.create(channel="page", at=now - dt.timedelta(minutes=5))
    young = ScreeningLog.objects.create(channel="page", at=now - dt.timedelta(seconds=30))
    # A row with a higher id written earlier (another clock) still waits behind the young one:
    # reading stops at the first row inside the lag, so nothing after it is skipped.
    ScreeningLog.objects.create(channel="api", at=now - dt.timedelta(minutes=10))
    assert update_counts(now=now)["screenings"] == 1
    assert CountCursor.objects.get(source="screenings").position == old.pk
    assert update_counts(now=now + dt.timedelta(minutes=2))["screenings"] == 2
    assert CountCursor.objects.get(source="screenings").position > young.pk
    total = sum(r.value for r in DailyCount.objects.filter(key="screening"))
    assert total == 3


def test_a_row_is_counted_once_however_often_the_worker_runs(world):
    case = make_case(world.centre_a, received=at(1, 5))
    event(case, "created", at(1, 5))
    for _ in range(3):
        update_counts(now=later())
    assert [r.value for r in DailyCount.objects.filter(key="received")] == [1]
    assert DailyCount.objects.get(key="received").region_id == world.county_a.pk
    assert DailyCount.objects.get(key="received").kind == "consultation"
    assert DailyCount.objects.filter(key="closed").count() == 0


def test_a_park_agency_counts_in_its_park(world):
    case = make_case(world.outlet_a, received=at(1, 5))
    event(case, "created", at(1, 5))
    update_counts(now=later())
    row = DailyCount.objects.get(key="received")
    # The park is kept (not folded into its county): the county's figures add it when summing.
    assert (row.region_id, row.agency_id, row.day) == (
        world.park_a.pk,
        world.outlet_a.pk,
        dt.date(2026, 1, 5),
    )


def test_the_day_is_the_local_day(world):
    case = make_case(world.centre_a, received=at(1, 5))
    event(case, "created", dt.datetime(2026, 1, 4, 17, 0, tzinfo=dt.UTC))  # 01:00 on 5 January in Shanghai
    update_counts(now=later())
    assert DailyCount.objects.get(key="received").day == dt.date(2026, 1, 5)


def test_rebuild_command_empties_and_refills(world):
    build_cases(world)
    update_counts(now=later())
    before = snapshot()
    DailyCount.objects.filter(key="received").update(value=99)  # damaged
    out = io.StringIO()
    call_command("rebuild_counts", stdout=out)
    assert "case_events:" in out.getvalue()
    assert snapshot() == before


def test_the_worker_task_counts(world):
    from zhichan.evaluation.tasks import count_new_facts

    case = make_case(world.centre_a, received=at(1, 5))
    event(case, "created", at(1, 5))
    done = count_new_facts.call_local()
    assert done["case_events"] == 1
    assert DailyCount.objects.get(key="received").value == 1


def test_the_interval_setting_makes_the_schedule():
    import datetime as dt

    from zhichan.evaluation.tasks import _schedule

    def fires(minutes):
        test = _schedule(minutes)
        return [m for m in range(60) if test(dt.datetime(2026, 1, 1, 10, m))]

    assert fires(10) == [0, 10, 20, 30, 40, 50]
    assert fires(1) == list(range(60))
    assert fires(90) == [0]
