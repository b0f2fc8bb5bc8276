"""The change history: snapshots, diffs, one entry per change, and who may read it."""

import datetime as dt

import pytest

from zhichan.cases.models import RoutingRule
from zhichan.core.audit import change_rows, diff, history, record_change, snapshot
from zhichan.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_snapshot_names_related_records_and_skips_automatic_fields(world):
    rule = RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    snap = snapshot(rule)
    assert snap == {
        "case_type": "complaint",
        "region": {"id": world.county_a.pk, "name": str(world.county_a)},
        "ip_type": "",
        "service_item": None,
        "agency": {"id": world.centre_a.pk, "name": str(world.centre_a)},
        "priority": 0,
    }


def test_diff_keeps_only_what_changed():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}
    assert diff(None, {"a": 1}) == {"a": [None, 1]}
    assert diff({"a": 1}, None) == {"a": [1, None]}
    assert diff({"a": 1}, {"a": 1}) == {}


def test_an_update_that_changes_nothing_writes_nothing(world):
    rule = RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    assert record_change(world.users.city_admin, rule, "update", snapshot(rule)) is None
    assert not AuditEntry.objects.exists()


def test_entries_show_labels_and_readable_values(world, english):
    rule = RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    before = snapshot(rule)
    rule.case_type, rule.agency, rule.priority = "report", world.city_centre, 5
    rule.save()
    entry = record_change(world.users.city_admin, rule, "update", before)
    entry.refresh_from_db()  # as stored (PostgreSQL's JSON keeps no key order)
    assert change_rows(entry) == [
        ("case type", "Complaint", "Report"),
        ("agency", str(world.centre_a), str(world.city_centre)),
        ("priority", "0", "5"),
    ]
    assert entry.region == world.county_a and entry.actor == world.users.city_admin


def test_times_are_shown_to_the_minute(world):
    from zhichan.core.audit import _display
    from zhichan.fairs.models import Fair

    field = Fair._meta.get_field("starts_at")
    moment = dt.datetime(2026, 3, 2, 10, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert _display(field, moment.isoformat()) == "2026-03-02 10:30"
    assert _display(field, None) == "—"


def test_county_administrators_read_their_county_only(world):
    a = RoutingRule.objects.create(case_type="complaint", region=world.park_a, agency=world.outlet_a)
    b = RoutingRule.objects.create(case_type="complaint", region=world.county_b, agency=world.centre_b)
    city = RoutingRule.objects.create(case_type="report", agency=world.city_centre)
    for rule in (a, b, city):
        record_change(world.users.city_admin, rule, "create")
    users = world.users

    def seen(user):
        return {e.object_id for e in history(user, RoutingRule)}

    assert seen(users.city_admin) == {str(a.pk), str(b.pk), str(city.pk)}
    assert seen(users.county_admin_a) == {str(a.pk)}  # the park lies in county A
    assert seen(users.county_admin_b) == {str(b.pk)}
    for name in ("staff_a", "agency_admin_a", "public", "enterprise"):
        assert seen(getattr(users, name)) == set()
    assert AuditEntry.objects.restrict(users.city_admin, "change").count() == 0
    assert [e.object_id for e in history(users.city_admin, a)] == [str(a.pk)]
