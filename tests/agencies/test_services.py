import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from tests.factories import AgencyFactory, ServiceItemFactory
from zhichan.agencies.models import Agency, AgencyEvent, AgencyType, Status
from zhichan.agencies.services import (
    do_change_status,
    do_create_agency,
    do_update_agency,
    do_upgrade_station,
)
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.regions.models import RegionBoundary

pytestmark = pytest.mark.django_db


def new_fields(**overrides):
    fields = {
        "name": "甲区新网点",
        "level": "county",
        "type": "workstation",
        "region": "990102",
        "functions": ["consultation"],
        "services": ["TM-REG"],
        "lng": 112.41,
        "lat": 37.41,
        "phone": "0354-1234567",
    }
    fields.update(overrides)
    return fields


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- create ---------------------------------------------------------------------------------


def test_county_admin_creates_in_own_county_with_event(world):
    actor = world.users.county_admin_a
    agency = do_create_agency(actor, **new_fields())
    assert agency.status == Status.PLANNED
    assert agency.function_codes == ["consultation"]
    assert list(agency.services.values_list("code", flat=True)) == ["TM-REG"]
    event = agency.events.get()
    assert (event.kind, event.actor, event.to_state) == ("created", actor, "planned")
    assert event.data["name"] == "甲区新网点" and event.data["region"] == "990102"


def test_city_admin_creates_anywhere(world):
    agency = do_create_agency(world.users.city_admin, **new_fields(region="990103", lng=112.8, lat=37.7))
    assert agency.region == world.county_b


@pytest.mark.parametrize("role", ["public", "enterprise", "staff_a", "agency_admin_a"])
def test_others_may_not_create(world, role):
    before = Agency.objects.count()
    with pytest.raises(PermissionDenied):
        do_create_agency(getattr(world.users, role), **new_fields())
    assert Agency.objects.count() == before


def test_anonymous_may_not_create(world):
    with pytest.raises(PermissionDenied):
        do_create_agency(world.users.anonymous, **new_fields())


def test_county_admin_may_not_create_in_other_county(world):
    before = Agency.objects.count()
    with pytest.raises(ValidationError) as exc:
        do_create_agency(world.users.county_admin_a, **new_fields(region="990103", lng=112.8, lat=37.7))
    assert "outside the region you administer" in errors_of(exc)["region"][0]
    assert Agency.objects.count() == before


def test_county_admin_creates_in_own_park(world):
    agency = do_create_agency(world.users.county_admin_a, **new_fields(region="990102-PARK", level="park"))
    assert agency.region == world.park_a


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"name": ""}, "name", "required"),
        (
            {"name": "甲区知识产权服务中心"},
            "name",
            "an agency named 甲区知识产权服务中心 already exists in 甲区",
        ),
        ({"region": "123456"}, "region", "unknown region code 123456"),
        ({"level": "city"}, "level", "cannot lie in 甲区"),
        ({"level": "park"}, "level", "cannot lie in 甲区"),
        ({"level": "province"}, "level", "is not one of"),
        ({"type": "shop"}, "type", "is not one of"),
        ({"lat": None}, "lat", "both longitude and latitude"),
        ({"lng": None}, "lng", "both longitude and latitude"),
        ({"lng": 116.4, "lat": 39.9}, "lng", "km outside 测试市"),
        ({"lng": "east"}, "lng", "not a number"),
        ({"functions": ["consultation", "juggling"]}, "functions", "juggling"),
        ({"services": ["TM-REG", "NOPE"]}, "services", "unknown service code NOPE"),
        ({"email": "not-an-email"}, "email", "e-mail"),
        ({"website": "ftp:/x"}, "website", "web address"),
        ({"parent": 999999}, "parent", "unknown agency"),
        ({"name": "x" * 151}, "name", "at most 150"),
        ({"name": "a\x00b"}, "name", "NUL"),
    ],
)
def test_create_validation_names_field_and_reason(world, overrides, field, fragment):
    before = Agency.objects.count()
    with pytest.raises(ValidationError) as exc:
        do_create_agency(world.users.city_admin, **new_fields(**overrides))
    messages = errors_of(exc)
    assert field in messages, messages
    assert any(fragment in m for m in messages[field]), messages
    assert Agency.objects.count() == before
    assert not AgencyEvent.objects.exists()


def test_coordinates_just_outside_within_margin_pass(world):
    # The box of the test city is spanned by region centres 112.4..112.8, 37.4..37.7.
    with override_settings(ZHICHAN_COORD_MARGIN_KM=15):
        agency = do_create_agency(world.users.city_admin, **new_fields(lng=112.45, lat=37.35))
    assert agency.lat == 37.35
    with override_settings(ZHICHAN_COORD_MARGIN_KM=1), pytest.raises(ValidationError) as exc:
        do_create_agency(world.users.city_admin, **new_fields(name="另一个", lng=112.45, lat=37.35))
    assert "5.5 km outside" in errors_of(exc)["lng"][0]


def test_coordinates_use_city_boundaries_when_loaded(world):
    RegionBoundary.objects.create(
        region=world.county_a,
        geometry={
            "type": "Polygon",
            "coordinates": [[[112.0, 37.0], [113.0, 37.0], [113.0, 38.0], [112.0, 37.0]]],
        },
    )
    agency = do_create_agency(world.users.city_admin, **new_fields(lng=112.05, lat=37.05))
    assert agency.lng == 112.05


def test_parent_must_be_in_same_city(world):
    from tests.factories import RegionFactory
    from zhichan.regions.models import RegionKind

    other_city = RegionFactory(code="990500", name="别市", kind=RegionKind.CITY, parent=world.province)
    stranger = AgencyFactory(name="别市中心", level="city", region=other_city)
    with pytest.raises(ValidationError) as exc:
        do_create_agency(world.users.city_admin, **new_fields(parent=stranger.pk))
    assert "same city" in errors_of(exc)["parent"][0]


def test_create_without_coordinates_is_fine(world):
    agency = do_create_agency(world.users.city_admin, **new_fields(lng=None, lat=None))
    assert agency.lng is None and agency.lat is None


def test_create_with_initial_status(world):
    agency = do_create_agency(world.users.city_admin, status="operating", **new_fields())
    assert agency.status == "operating" and agency.status_changed_at is not None


# --- update ---------------------------------------------------------------------------------


def test_update_records_changed_fields(world):
    agency = do_update_agency(
        world.users.county_admin_a,
        world.centre_a,
        phone="0354-7654321",
        functions=["consultation", "training"],
    )
    assert agency.phone == "0354-7654321"
    assert sorted(agency.function_codes) == ["consultation", "training"]
    event = agency.events.get()
    assert event.kind == "updated"
    assert event.data["phone"] == ["0000-1234567", "0354-7654321"]
    assert event.data["functions"] == [["consultation", "information"], ["consultation", "training"]]


def test_update_without_change_writes_no_event(world):
    do_update_agency(world.users.city_admin, world.centre_a, phone=world.centre_a.phone)
    assert not world.centre_a.events.exists()


def test_agency_admin_updates_contact_hours_services(world):
    extra = ServiceItemFactory(code="MEDIATE")
    agency = do_update_agency(
        world.users.agency_admin_a,
        world.centre_a,
        opening_hours="周一至周六 9:00-17:00",
        contact_person="张三",
        services=["TM-REG", "MEDIATE"],
        description="新简介",
    )
    assert agency.opening_hours == "周一至周六 9:00-17:00"
    assert set(agency.services.all()) == {world.item, extra}


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "改名"},
        {"region": "990103"},
        {"level": "park", "region": "990102-PARK"},
        {"functions": ["training"]},
        {"lng": 112.5, "lat": 37.5},
    ],
)
def test_agency_admin_may_not_change_identity(world, fields):
    with pytest.raises(ValidationError) as exc:
        do_update_agency(world.users.agency_admin_a, world.centre_a, **fields)
    assert "may not change this field" in str(exc.value)
    world.centre_a.refresh_from_db()
    assert world.centre_a.name == "甲区知识产权服务中心" and world.centre_a.region == world.county_a
    assert world.centre_a.function_codes == ["consultation", "information"]


def test_agency_admin_of_other_agency_is_refused(world):
    with pytest.raises(PermissionDenied):
        do_update_agency(world.users.agency_admin_b, world.centre_a, phone="1")
    world.centre_a.refresh_from_db()
    assert world.centre_a.phone == "0000-1234567"


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise", "staff_a", "county_admin_b"])
def test_update_refused(world, role):
    with pytest.raises(PermissionDenied):
        do_update_agency(getattr(world.users, role), world.centre_a, phone="1")
    world.centre_a.refresh_from_db()
    assert world.centre_a.phone == "0000-1234567"
    assert not world.centre_a.events.exists()


def test_county_admin_may_not_move_agency_out_of_county(world):
    with pytest.raises(ValidationError) as exc:
        do_update_agency(world.users.county_admin_a, world.centre_a, region="990103", lng=112.8, lat=37.7)
    assert "region" in errors_of(exc)
    world.centre_a.refresh_from_db()
    assert world.centre_a.region == world.county_a


def test_parent_cannot_be_itself_or_make_a_cycle(world):
    with pytest.raises(ValidationError) as exc:
        do_update_agency(world.users.city_admin, world.centre_a, parent=world.centre_a.pk)
    assert "own parent" in errors_of(exc)["parent"][0]
    with pytest.raises(ValidationError) as exc:
        do_update_agency(world.users.city_admin, world.city_centre, parent=world.outlet_a)
    assert "cycle" in errors_of(exc)["parent"][0]
    world.city_centre.refresh_from_db()
    assert world.city_centre.parent is None


def test_rename_to_existing_name_in_region_refused(world):
    with pytest.raises(ValidationError) as exc:
        do_update_agency(world.users.city_admin, world.planned_a, name="甲区知识产权服务中心")
    assert "already exists in 甲区" in errors_of(exc)["name"][0]


def test_same_name_allowed_in_another_region(world):
    agency = do_update_agency(world.users.city_admin, world.closed_b, name="甲区知识产权服务中心")
    assert agency.name == "甲区知识产权服务中心"


def test_unknown_field_refused(world):
    with pytest.raises(ValidationError) as exc:
        do_update_agency(world.users.city_admin, world.centre_a, status="closed")
    assert "status" in errors_of(exc)
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "operating"


# --- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("planned", "operating"),
        ("planned", "closed"),
        ("operating", "rectifying"),
        ("operating", "closed"),
        ("rectifying", "operating"),
        ("rectifying", "closed"),
    ],
)
def test_allowed_transitions(world, start, target):
    agency = AgencyFactory(name="生命周期网点", region=world.county_a, status=start)
    do_change_status(world.users.county_admin_a, agency, target, "复核结论")
    agency.refresh_from_db()
    assert agency.status == target and agency.status_changed_at is not None
    event = agency.events.get()
    assert (event.kind, event.from_state, event.to_state, event.note) == ("status", start, target, "复核结论")
    assert event.actor == world.users.county_admin_a


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("planned", "rectifying"),
        ("planned", "planned"),
        ("operating", "planned"),
        ("operating", "operating"),
        ("rectifying", "planned"),
        ("closed", "operating"),
        ("closed", "planned"),
        ("closed", "rectifying"),
    ],
)
def test_refused_transitions_name_from_and_to(world, start, target):
    agency = AgencyFactory(name="生命周期网点", region=world.county_a, status=start)
    with pytest.raises(TransitionError) as exc:
        do_change_status(world.users.city_admin, agency, target, "复核结论")
    assert exc.value.from_state == start and exc.value.to_state == target
    assert str(Status(start).label) in exc.value.message and str(Status(target).label) in exc.value.message
    agency.refresh_from_db()
    assert agency.status == start and not agency.events.exists()


@pytest.mark.parametrize("target", ["rectifying", "closed"])
def test_finding_required_for_rectifying_and_closed(world, target):
    with pytest.raises(ValidationError) as exc:
        do_change_status(world.users.city_admin, world.centre_a, target, "  ")
    assert "finding" in exc.value.message_dict
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "operating"


def test_finding_optional_for_opening(world):
    do_change_status(world.users.county_admin_a, world.planned_a, "operating", "")
    world.planned_a.refresh_from_db()
    assert world.planned_a.status == "operating"


def test_unknown_status_is_a_validation_error(world):
    with pytest.raises(ValidationError):
        do_change_status(world.users.city_admin, world.centre_a, "asleep", "x")


@pytest.mark.parametrize(
    "role", ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "county_admin_b"]
)
def test_status_change_refused_for_role(world, role):
    with pytest.raises(PermissionDenied):
        do_change_status(getattr(world.users, role), world.centre_a, "rectifying", "差")
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "operating" and not world.centre_a.events.exists()


def test_second_identical_status_change_is_refused(world):
    do_change_status(world.users.city_admin, world.centre_a, "rectifying", "差")
    with pytest.raises(TransitionError):
        do_change_status(world.users.city_admin, world.centre_a, "rectifying", "差")
    assert world.centre_a.events.filter(kind="status").count() == 1


# --- upgrade --------------------------------------------------------------------------------


def test_upgrade_keeps_row_and_history(world):
    station = world.centre_b
    do_update_agency(world.users.county_admin_b, station, phone="0354-1111111")
    upgraded = do_upgrade_station(world.users.county_admin_b, station, "service_centre", "考核优秀")
    assert upgraded.pk == station.pk
    station.refresh_from_db()
    assert station.type == AgencyType.SERVICE_CENTRE
    kinds = list(station.events.values_list("kind", "from_state", "to_state"))
    assert kinds == [("updated", "", ""), ("upgrade", "tm_guidance_station", "service_centre")]
    assert station.events.get(kind="upgrade").note == "考核优秀"


def test_upgrade_only_from_guidance_station(world):
    with pytest.raises(TransitionError):
        do_upgrade_station(world.users.city_admin, world.centre_a, "workstation", "")
    world.centre_a.refresh_from_db()
    assert world.centre_a.type == AgencyType.SERVICE_CENTRE


def test_upgrade_only_to_comprehensive_type(world):
    with pytest.raises(ValidationError) as exc:
        do_upgrade_station(world.users.city_admin, world.centre_b, "library", "")
    assert "type" in exc.value.message_dict
    world.centre_b.refresh_from_db()
    assert world.centre_b.type == AgencyType.TM_GUIDANCE_STATION


@pytest.mark.parametrize("role", ["public", "agency_admin_b", "staff_b", "county_admin_a"])
def test_upgrade_refused_for_role(world, role):
    with pytest.raises(PermissionDenied):
        do_upgrade_station(getattr(world.users, role), world.centre_b, "workstation", "")
    world.centre_b.refresh_from_db()
    assert world.centre_b.type == AgencyType.TM_GUIDANCE_STATION
