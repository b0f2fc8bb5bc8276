"""The data migration that stamps the owner agency on case events written before the column."""

import importlib

from django.apps import apps

from tests.cases.conftest import file_case
from zhichan.cases import services
from zhichan.cases.models import CaseEvent

fill = importlib.import_module("zhichan.cases.migrations.0004_caseevent_agency_fill").fill


def test_old_events_get_the_owner_of_their_time(world, case_a):
    services.do_accept(world.users.staff_a, case_a)
    services.do_refer(world.users.staff_a, case_a, world.centre_b, "县域管辖")
    services.do_accept(world.users.staff_b, case_a)
    other = file_case(region="990103")  # never referred: centre_b's throughout
    CaseEvent.objects.update(agency=None)
    fill(apps, None)
    owners = [(e.kind, e.agency_id) for e in CaseEvent.objects.filter(case=case_a).order_by("at", "id")]
    a, b = world.centre_a.pk, world.centre_b.pk
    assert owners == [("created", a), ("accepted", a), ("referred", b), ("accepted", b)]
    assert set(CaseEvent.objects.filter(case=other).values_list("agency_id", flat=True)) == {b}
