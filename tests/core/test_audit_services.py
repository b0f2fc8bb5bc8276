"""Administrative services write the change history (core.audit.record_change)."""

import pytest

from zhichan.agencies import services as agencies
from zhichan.catalog import services as catalog
from zhichan.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_agency_lifecycle_change_is_recorded_for_its_county(world):
    agency = world.centre_a
    to_status = agencies.allowed_statuses(agency)[0]
    agencies.do_change_status(world.users.city_admin, agency, to_status, finding="复核结论")
    entry = AuditEntry.objects.for_object(agency).get()
    assert entry.actor == world.users.city_admin
    assert entry.changes["status"] == [agency.status, to_status]
    assert entry.region == agency.region
    assert AuditEntry.objects.restrict(world.users.county_admin_a).filter(pk=entry.pk).exists()
    assert not AuditEntry.objects.restrict(world.users.county_admin_b).filter(pk=entry.pk).exists()


def test_catalogue_item_update_is_recorded_and_a_refused_one_is_not(world):
    item = catalog.do_create_item(world.users.city_admin, "AUD-1", "审计事项", "protection")
    catalog.do_update_item(world.users.city_admin, item, name="审计事项（新）")
    entries = list(AuditEntry.objects.for_object(item).order_by("pk"))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["name"] == ["审计事项", "审计事项（新）"]
    with pytest.raises(catalog.PermissionDenied):
        catalog.do_update_item(world.users.staff_a, item, name="不该改")
    assert AuditEntry.objects.for_object(item).count() == 2
