"""Routing rule changes: one history entry each, none when refused, shown to editors only."""

import pytest
from django.core.exceptions import ValidationError

from zhichan.cases import services
from zhichan.cases.models import RoutingRule
from zhichan.core.models import AuditEntry
from zhichan.core.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def agency_ref(agency):
    return {"id": agency.pk, "name": str(agency)}


def test_create_update_delete_each_write_one_entry(world):
    admin = world.users.county_admin_a
    rule = services.do_create_rule(admin, case_type="complaint", region=world.county_a, agency=world.centre_a)
    created = AuditEntry.objects.get()
    assert (created.action, created.actor, created.object_id) == ("create", admin, str(rule.pk))
    assert created.changes["agency"] == [None, agency_ref(world.centre_a)]
    assert created.changes["priority"] == [None, 0]

    services.do_update_rule(
        admin, rule, case_type="complaint", region=world.park_a, agency=world.outlet_a, priority=4
    )
    updated = AuditEntry.objects.get(action="update")
    assert updated.changes == {
        "region": [
            {"id": world.county_a.pk, "name": str(world.county_a)},
            {"id": world.park_a.pk, "name": str(world.park_a)},
        ],
        "agency": [agency_ref(world.centre_a), agency_ref(world.outlet_a)],
        "priority": [0, 4],
    }
    assert updated.region == world.park_a

    services.do_delete_rule(admin, rule)
    deleted = AuditEntry.objects.get(action="delete")
    assert deleted.object_id == str(rule.pk) and deleted.changes["priority"] == [4, None]
    assert deleted.changes["agency"] == [agency_ref(world.outlet_a), None]
    assert AuditEntry.objects.count() == 3


def test_refused_changes_write_nothing(world):
    rule = services.do_create_rule(
        world.users.city_admin, case_type="complaint", region=world.county_a, agency=world.centre_a
    )
    AuditEntry.objects.all().delete()
    with pytest.raises(PermissionDenied):
        services.do_update_rule(
            world.users.county_admin_b, rule, case_type="report", region=world.county_a, agency=world.centre_a
        )
    with pytest.raises(PermissionDenied):
        services.do_delete_rule(world.users.county_admin_b, rule)
    with pytest.raises(PermissionDenied):
        services.do_create_rule(world.users.agency_admin_a, case_type="report", agency=world.centre_a)
    with pytest.raises(ValidationError):
        services.do_update_rule(
            world.users.county_admin_a,
            rule,
            case_type="complaint",
            region=world.county_a,
            agency=world.centre_b,
        )
    with pytest.raises(ValidationError):
        services.do_create_rule(world.users.city_admin, case_type="report", agency=world.closed_b)
    assert not AuditEntry.objects.exists()
    assert RoutingRule.objects.get().agency == world.centre_a


def test_the_rules_page_shows_the_history_within_scope(client, world, english):
    services.do_create_rule(
        world.users.city_admin, case_type="complaint", region=world.county_a, agency=world.centre_a
    )
    services.do_create_rule(
        world.users.city_admin, case_type="complaint", region=world.county_b, agency=world.centre_b
    )
    client.force_login(world.users.city_admin)
    body = client.get("/cases/rules/").content.decode()
    assert body.count('data-testid="history-row"') == 2
    client.force_login(world.users.county_admin_a)
    body = client.get("/cases/rules/").content.decode()
    assert body.count('data-testid="history-row"') == 1
    assert str(world.centre_a) in body.split('data-testid="history"')[1]
    assert str(world.centre_b) not in body.split('data-testid="history"')[1]
    for who in ("staff_a", "agency_admin_a", "public"):
        client.force_login(getattr(world.users, who))
        assert client.get("/cases/rules/").status_code == 404


def test_api_and_loader_changes_are_recorded(client, world, tmp_path):
    from zhichan.cases.loaders import load_routing_rules

    client.force_login(world.users.city_admin)
    response = client.post(
        "/api/v1/cases/routing-rules",
        {"case_type": "mediation", "agency_id": world.city_centre.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert AuditEntry.objects.get().actor == world.users.city_admin
    path = tmp_path / "routing.csv"
    path.write_text(
        "case_type,region_code,ip_type,service_code,agency,priority\n"
        f"consultation,990102,,,{world.centre_a.name},1\n",
        encoding="utf-8",
    )
    load_routing_rules(path)
    loaded = AuditEntry.objects.filter(actor__isnull=True).get()
    assert loaded.action == "create" and loaded.changes["priority"] == [None, 1]
    load_routing_rules(path)  # unchanged: no entry
    assert AuditEntry.objects.count() == 2
    path.write_text(
        "case_type,region_code,ip_type,service_code,agency,priority\n"
        f"consultation,990102,,,{world.centre_a.name},3\n",
        encoding="utf-8",
    )
    load_routing_rules(path)
    assert AuditEntry.objects.filter(action="update").get().changes == {"priority": [1, 3]}


def test_the_history_over_the_api(client, world):
    services.do_create_rule(
        world.users.city_admin, case_type="complaint", region=world.county_a, agency=world.centre_a
    )
    services.do_create_rule(world.users.city_admin, case_type="report", agency=world.city_centre)
    url = "/api/v1/cases/routing-rules/history"
    client.force_login(world.users.city_admin)
    items = client.get(url).json()["items"]
    assert [i["action"] for i in items] == ["create", "create"]
    assert items[0]["record_type"] == "cases.routingrule" and items[0]["actor"] == str(world.users.city_admin)
    assert items[0]["changes"]["case_type"] == [None, "report"]  # newest first
    client.force_login(world.users.county_admin_a)
    assert [i["changes"]["case_type"][1] for i in client.get(url).json()["items"]] == ["complaint"]
    client.force_login(world.users.staff_a)
    assert client.get(url).json()["items"] == []
