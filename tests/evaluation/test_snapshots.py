"""Network snapshots: what a day records, and a past period's network figures read from the
snapshot of its end (never from the present), on the hand-built test world."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import AgencyFactory, ServiceItemFactory
from zhichan.agencies.models import Agency, AgencyType, Status
from zhichan.evaluation import dashboards
from zhichan.evaluation.metrics import Scope, get_metric, values_for
from zhichan.evaluation.models import NetworkSnapshot
from zhichan.evaluation.periods import Period
from zhichan.evaluation.snapshots import month_ends, record, record_missing

NETWORK = ["outlets_operating", "functions_covered", "coverage_rate", "catalogue_items"]
D = Decimal


@pytest.fixture
def net(world):
    """The world plus a university in B offering one listed service: operating now are the city
    centre (city), centre_a (A), the park outlet (park A), centre_b and the university (B)."""
    world.uni_b = AgencyFactory(
        name="乙县大学", type=AgencyType.UNIVERSITY, region=world.county_b, functions=["information"]
    )
    ServiceItemFactory(code="B-OFFER", provider=world.uni_b, published=True)
    world.now = Period.containing(timezone.localdate(), "quarter")
    world.past = world.now.previous()
    world.city_s = Scope("city", world.city.pk)
    world.a = Scope("county", world.county_a.pk)
    world.b = Scope("county", world.county_b.pk)
    world.uni_s = Scope("agency", world.uni_b.pk)
    return world


def rows(day):
    return {(r.key, r.region_id, r.agency_id): r.value for r in NetworkSnapshot.objects.filter(day=day)}


def figures(code, w, period, *scopes):
    scopes = scopes or (w.city_s, w.a, w.b)
    found = get_metric(code).values(list(scopes), period)
    return [found[s] for s in scopes]


def test_a_snapshot_records_every_region_and_each_providing_agency(net):
    w = net
    day = dt.date(2026, 3, 31)
    written = record(day)
    found = rows(day)
    assert written == len(found)
    city, a, park, b = w.city.pk, w.county_a.pk, w.park_a.pk, w.county_b.pk

    def of(key):
        return {r: found[(key, r, None)] for r in (city, a, park, b)}

    assert of("outlets_operating") == {city: 5, a: 2, park: 1, b: 2}
    # Coverage rows: A (consultation, information), its park (consultation), B (consultation,
    # information); the city: the cells of all three rows.
    assert of("functions_covered") == {city: 5, a: 2, park: 1, b: 2}
    assert of("functions_total") == {city: 21, a: 7, park: 7, b: 7}
    # Listed: TM-REG (city-wide) and the university's offer (B); the draft of A is not listed.
    assert of("catalogue_items") == {city: 2, a: 0, park: 0, b: 1}
    assert found[("catalogue_items", None, w.uni_b.pk)] == 1
    assert {agency for _k, _r, agency in found if agency} == {w.uni_b.pk}  # only providing agencies
    assert not any(region == w.province.pk for _k, region, _a in found)  # provinces are no scope


def test_a_past_period_keeps_the_network_of_its_end(net):
    w = net
    record(w.past.start)  # an earlier snapshot of the period, before the university was there
    NetworkSnapshot.objects.filter(day=w.past.start, key="outlets_operating", region=w.county_b).update(
        value=1
    )
    record(w.past.end - dt.timedelta(days=1))  # the period's last day: the one read
    # Since then centre_b has closed and the university's offer is withdrawn with it.
    Agency.objects.filter(pk__in=[w.centre_b.pk, w.uni_b.pk]).update(status=Status.CLOSED)
    record(w.now.start)  # a snapshot after the period's end does not count for it

    assert figures("outlets_operating", w, w.past) == [5, 2, 2]
    assert figures("outlets_operating", w, w.now) == [3, 2, 0]
    assert figures("functions_covered", w, w.past) == [5, 2, 2]
    assert figures("functions_covered", w, w.now) == [3, 2, 0]
    assert figures("coverage_rate", w, w.past) == [D("23.8"), D("28.6"), D("28.6")]
    assert figures("coverage_rate", w, w.now) == [D("14.3"), D("28.6"), D("0.0")]
    assert figures("catalogue_items", w, w.past, w.city_s, w.b, w.uni_s) == [2, 1, 1]
    assert figures("catalogue_items", w, w.now, w.city_s, w.b, w.uni_s) == [1, 0, 0]
    # The park (any region id) reads its own row; an agency has no outlets figure.
    park = Scope("county", w.park_a.pk)
    assert figures("outlets_operating", w, w.past, park, w.uni_s) == [1, None]
    # A future period reads the present too.
    later = Period(w.now.year + 1)
    assert figures("outlets_operating", w, later) == [3, 2, 0]


def test_a_past_period_without_a_snapshot_has_no_network_figures(net):
    w = net
    record(w.past.start - dt.timedelta(days=1))  # before the period: not its figure
    record(w.now.start)  # after it: neither
    for code in NETWORK:
        assert figures(code, w, w.past) == [None, None, None], code
    assert figures("catalogue_items", w, w.past, w.uni_s) == [None]
    # Shown as not recorded on a dashboard, with no change against the period before.
    row = next(r for r in dashboards.figures(w.city_s, w.past, ["outlets_operating"]))
    assert row["value"] is None and row["display"] == "–" and row["change"] is None


def test_a_page_reads_a_past_periods_snapshot_once(net, django_assert_num_queries):
    w = net
    record(w.past.end - dt.timedelta(days=1))
    with django_assert_num_queries(2):  # the latest day in the period, then its rows
        found = values_for(NETWORK, [w.city_s, w.a, w.b, w.uni_s], w.past)
    assert found["outlets_operating"][w.b] == 2 and found["catalogue_items"][w.uni_s] == 1


def test_recording_a_day_again_replaces_it(net):
    w = net
    day = w.past.end - dt.timedelta(days=1)
    first = record(day)
    assert record(day) == first == NetworkSnapshot.objects.filter(day=day).count()
    Agency.objects.filter(pk=w.centre_b.pk).update(status=Status.CLOSED)
    assert record(day) == first  # the same rows, with the new figures
    assert rows(day)[("outlets_operating", w.county_b.pk, None)] == 1
    assert figures("outlets_operating", w, w.past) == [4, 2, 1]
    # Filling in missing days leaves the recorded ones alone.
    other = day - dt.timedelta(days=1)
    assert record_missing([day, other]) == [other]
    assert rows(day)[("outlets_operating", w.county_b.pk, None)] == 1
    assert NetworkSnapshot.objects.filter(day=other).count() == first


def test_the_command_records_the_present_for_the_day_named(net):
    w = net
    out = io.StringIO()
    call_command("snapshot_network", "--day", "2026-03-31", stdout=out)
    found = rows(dt.date(2026, 3, 31))
    assert out.getvalue() == f"network snapshot of 2026-03-31: {len(found)} rows\n"
    assert found[("outlets_operating", w.city.pk, None)] == 5
    assert figures("outlets_operating", w, Period.parse("2026Q1")) == [5, 2, 2]
    call_command("snapshot_network", stdout=io.StringIO())
    assert NetworkSnapshot.objects.filter(day=timezone.localdate()).count() == len(found)


def test_the_command_refuses_a_bad_day_by_name(net):
    with pytest.raises(CommandError, match="--day"):
        call_command("snapshot_network", "--day", "2026-02-30")
    assert not NetworkSnapshot.objects.exists()


def test_the_worker_task_records_today(net):
    from zhichan.evaluation.tasks import snapshot_network

    assert snapshot_network.call_local() > 0
    assert rows(timezone.localdate())[("outlets_operating", net.city.pk, None)] == 5


def test_trend_lines_of_the_network_come_from_past_month_ends(net):
    w = net
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    record(last_month_end)
    Agency.objects.filter(pk=w.centre_b.pk).update(status=Status.CLOSED)
    trend = dashboards.trend(w.b, ["outlets_operating"], until=today, count=3)
    assert trend["series"][0]["values"] == [None, 2.0, 1.0]  # none recorded, month end, now


def test_month_ends():
    assert month_ends(dt.date(2025, 11, 27), dt.date(2026, 2, 3)) == [
        dt.date(2025, 11, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
    ]
    assert month_ends(dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == []


def test_drilldown_of_a_past_network_figure_says_its_records_are_todays(client, net, english):
    w = net
    client.force_login(w.users.city_admin)
    url = reverse("evaluation:drilldown") + "?metric=outlets_operating&scope=city:{}&period={}"
    past = client.get(url.format(w.city.pk, w.past.code))
    assert past.status_code == 200
    assert b'data-testid="drilldown-present-note"' in past.content
    assert "listed as they are now" in past.content.decode()
    current = client.get(url.format(w.city.pk, w.now.code))
    assert current.status_code == 200 and b"drilldown-present-note" not in current.content
    cases = client.get(url.replace("outlets_operating", "cases_received").format(w.city.pk, w.past.code))
    assert cases.status_code == 200 and b"drilldown-present-note" not in cases.content
