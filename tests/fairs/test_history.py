"""Every change to a fair leaves one history entry; refused changes leave none; only editors
read the history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhichan.core.models import AuditEntry
from zhichan.core.permissions import PermissionDenied
from zhichan.fairs import services
from zhichan.fairs.models import Fair

pytestmark = pytest.mark.django_db


def fair_data(world, **overrides):
    now = timezone.now()
    data = {
        "name": "甲区专利周",
        "starts_at": now + dt.timedelta(days=3),
        "ends_at": now + dt.timedelta(days=5),
        "venue": "体育馆",
        "organiser": "",
        "region": world.county_a,
        "workstation": world.centre_a,
        "staff": [world.users.staff_a],
        "accept_hours": 2,
        "decide_hours": 24,
    }
    data.update(overrides)
    return data


def test_creating_writes_one_entry_with_the_values(world):
    fair = services.do_create_fair(world.users.county_admin_a, **fair_data(world))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id, entry.object_repr) == (
        "create",
        world.users.county_admin_a,
        str(fair.pk),
        "甲区专利周",
    )
    assert entry.changes["name"] == [None, "甲区专利周"]
    assert entry.changes["staff"] == [
        None,
        [{"id": world.users.staff_a.pk, "name": str(world.users.staff_a)}],
    ]
    assert entry.changes["workstation"][1]["id"] == world.centre_a.pk
    assert entry.region == world.county_a
    assert "created_at" not in entry.changes and "id" not in entry.changes


def test_updating_writes_the_diff_only(world):
    fair = services.do_create_fair(world.users.city_admin, **fair_data(world))
    services.do_update_fair(world.users.city_admin, fair, venue="会展中心", staff=[], accept_hours=3)
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {
        "venue": ["体育馆", "会展中心"],
        "staff": [[{"id": world.users.staff_a.pk, "name": str(world.users.staff_a)}], []],
        "accept_hours": [2, 3],
    }
    # Saving the same values again is no change.
    services.do_update_fair(world.users.city_admin, fair, venue="会展中心")
    assert AuditEntry.objects.filter(action="update").count() == 1


def test_a_new_time_is_recorded(world):
    fair = services.do_create_fair(world.users.city_admin, **fair_data(world))
    later = fair.ends_at + dt.timedelta(days=1)
    services.do_update_fair(world.users.city_admin, fair, ends_at=later)
    entry = AuditEntry.objects.filter(action="update").get()
    assert list(entry.changes) == ["ends_at"]
    assert dt.datetime.fromisoformat(entry.changes["ends_at"][1]) == later


@pytest.mark.parametrize(
    "who, change, error",
    [
        ("county_admin_a", {"name": ""}, ValidationError),
        ("county_admin_a", {"region": "county_b"}, ValidationError),
        ("county_admin_b", {"venue": "别处"}, PermissionDenied),
        ("staff_a", {"venue": "别处"}, PermissionDenied),
    ],
)
def test_a_refused_change_writes_nothing(world, who, change, error):
    fair = services.do_create_fair(world.users.city_admin, **fair_data(world))
    AuditEntry.objects.all().delete()
    change = {k: getattr(world, v) if k == "region" else v for k, v in change.items()}
    with pytest.raises(error):
        services.do_update_fair(getattr(world.users, who), fair, **change)
    assert not AuditEntry.objects.exists()
    assert Fair.objects.get(pk=fair.pk).venue == "体育馆"


def test_a_refused_creation_writes_nothing(world):
    with pytest.raises(PermissionDenied):
        services.do_create_fair(world.users.agency_admin_a, **fair_data(world))
    with pytest.raises(ValidationError):
        services.do_create_fair(world.users.county_admin_a, **fair_data(world, region=world.county_b))
    assert not AuditEntry.objects.exists() and not Fair.objects.exists()


def test_the_fair_page_shows_the_history_to_editors_only(client, world, english):
    fair = services.do_create_fair(world.users.city_admin, **fair_data(world))
    services.do_update_fair(world.users.county_admin_a, fair, venue="会展中心")
    for who in ("city_admin", "county_admin_a"):
        client.force_login(getattr(world.users, who))
        body = client.get(f"/fairs/{fair.pk}/").content.decode()
        assert 'data-testid="history"' in body, who
        assert body.count('data-testid="history-row"') == 2
        assert "体育馆 → 会展中心" in body
        assert str(world.users.county_admin_a) in body
    for who in ("county_admin_b", "staff_a", "public"):
        client.force_login(getattr(world.users, who))
        body = client.get(f"/fairs/{fair.pk}/").content.decode()
        assert 'data-testid="history"' not in body and "会展中心" in body, who  # the page, without history
    client.logout()
    body = client.get(f"/fairs/{fair.pk}/").content.decode()
    assert 'data-testid="history"' not in body


def test_api_changes_are_recorded_too(client, world):
    fair = services.do_create_fair(world.users.city_admin, **fair_data(world))
    client.force_login(world.users.county_admin_a)
    response = client.patch(f"/api/v1/fairs/{fair.pk}", {"venue": "新馆"}, content_type="application/json")
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.actor == world.users.county_admin_a and entry.changes == {"venue": ["体育馆", "新馆"]}


def test_the_history_over_the_api(client, world):
    fair = services.do_create_fair(world.users.city_admin, **fair_data(world))
    services.do_update_fair(world.users.city_admin, fair, venue="会展中心")
    url = f"/api/v1/fairs/{fair.pk}/history"
    client.force_login(world.users.county_admin_a)
    items = client.get(url).json()["items"]
    assert [i["action"] for i in items] == ["update", "create"]
    assert items[0]["changes"] == {"venue": ["体育馆", "会展中心"]}
    for who in ("county_admin_b", "staff_a"):
        client.force_login(getattr(world.users, who))
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
