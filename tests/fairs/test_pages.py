"""Fair registry pages: the public list and page; administrators register and edit."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from zhichan.fairs.models import Fair

pytestmark = pytest.mark.django_db

FIELD_ERROR = re.compile(r'data-testid="field-error" data-field="(\w+)">([^<]*)<')
NOT_EDITORS = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a"]


def field_errors(response) -> dict:
    found = {}
    for field, text in FIELD_ERROR.findall(response.content.decode()):
        found.setdefault(field, []).append(html.unescape(text))
    return found


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form(world, **overrides):
    now = timezone.now()
    data = {
        "name": "甲区专利周",
        "starts_at": local(now + dt.timedelta(days=3)),
        "ends_at": local(now + dt.timedelta(days=5)),
        "venue": "体育馆",
        "organiser": "甲区商务局",
        "region": world.county_a.pk,
        "workstation": world.centre_a.pk,
        "staff": [world.users.staff_a.pk],
        "accept_hours": "2",
        "decide_hours": "24",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", NOT_EDITORS + ["county_admin_a", "city_admin"])
def test_list_shows_current_and_upcoming_to_everyone(client, world, fairs, role):
    login(client, world, role)
    response = client.get("/fairs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-fair="{fairs["running_a"].pk}"' in body
    assert f'data-fair="{fairs["upcoming_b"].pk}"' in body
    assert f'data-fair="{fairs["past_a"].pk}"' not in body
    assert "甲区会展中心" in body and world.centre_a.display_name in body
    # The complaint link only while a fair runs.
    assert f"/requests/new/?type=fair_complaint&amp;fair={fairs['running_a'].pk}" in body
    assert f"fair={fairs['upcoming_b'].pk}" not in body
    assert 'data-testid="nav-fairs"' in body


def test_detail_is_public(client, world, fairs):
    response = client.get(f"/fairs/{fairs['running_a'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="fair-complain"' in body and 'data-testid="fair-edit"' not in body
    assert client.get("/fairs/999999/").status_code == 404


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_create_and_edit_are_404_for_others(client, world, fairs, role):
    login(client, world, role)
    fair = fairs["running_a"]
    expected = 302 if role == "anonymous" else 404
    assert client.get("/fairs/new/").status_code == expected
    assert client.get(f"/fairs/{fair.pk}/edit/").status_code == expected
    client.post("/fairs/new/", form(world))
    client.post(f"/fairs/{fair.pk}/edit/", form(world, name="改名"))
    fair.refresh_from_db()
    assert fair.name == "甲区博览会"
    assert Fair.objects.count() == 3


def test_county_admin_of_other_county_cannot_edit(client, world, fairs):
    login(client, world, "county_admin_b")
    fair = fairs["running_a"]
    assert client.get(f"/fairs/{fair.pk}/edit/").status_code == 404
    assert client.post(f"/fairs/{fair.pk}/edit/", form(world, name="改名")).status_code == 404
    fair.refresh_from_db()
    assert fair.name == "甲区博览会"
    assert client.get(f"/fairs/{fairs['upcoming_b'].pk}/edit/").status_code == 200


def test_county_admin_registers_a_fair_in_own_county(client, world):
    login(client, world, "county_admin_a")
    response = client.post("/fairs/new/", form(world))
    fair = Fair.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fairs/{fair.pk}/"
    assert (fair.name, fair.region, fair.workstation, fair.organiser) == (
        "甲区专利周",
        world.county_a,
        world.centre_a,
        "甲区商务局",
    )
    assert list(fair.staff.all()) == [world.users.staff_a]
    assert (fair.accept_hours, fair.decide_hours) == (2, 24)


def test_city_admin_edits_any_fair(client, world, fairs):
    login(client, world, "city_admin")
    fair = fairs["upcoming_b"]
    data = form(
        world, name="乙县新名", region=world.county_b.pk, workstation=world.city_centre.pk, staff=None
    )
    response = client.post(f"/fairs/{fair.pk}/edit/", data)
    assert response.status_code == 302
    fair.refresh_from_db()
    assert fair.name == "乙县新名" and fair.workstation == world.city_centre
    # The edit form opens with the current values.
    assert "乙县新名" in client.get(f"/fairs/{fair.pk}/edit/").content.decode()


@pytest.mark.parametrize(
    ("role", "overrides", "field", "fragment"),
    [
        ("county_admin_a", {"ends_at": "starts"}, "ends_at", "end after it starts"),
        ("county_admin_a", {"ends_at": "before"}, "ends_at", "end after it starts"),
        ("county_admin_a", {"region": "county_b"}, "region", "Select a valid choice"),
        ("city_admin", {"region": "county_b"}, "workstation", "region or the city"),
        ("city_admin", {"workstation": "planned"}, "workstation", "operating agency"),
        ("city_admin", {"staff": "staff_b"}, "staff", "people of the workstation"),
        ("city_admin", {"workstation": None}, "staff", "workstation before its staff"),
        ("city_admin", {"name": ""}, "name", "required"),
        ("city_admin", {"accept_hours": "0"}, "accept_hours", "greater than or equal to 1"),
        ("city_admin", {"decide_hours": "100000"}, "decide_hours", "from 1 to 720"),
    ],
)
def test_validation_at_the_field(client, world, role, overrides, field, fragment):
    login(client, world, role)
    data = form(world)
    values = {
        "starts": data["starts_at"],
        "before": local(timezone.now() + dt.timedelta(days=1)),
        "county_b": world.county_b.pk,
        "planned": world.planned_a.pk,
        "staff_b": [world.users.staff_b.pk],
    }
    data = form(world, **{k: values.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    response = client.post("/fairs/new/", data)
    assert response.status_code == 200
    errors = field_errors(response)
    assert any(fragment in message for message in errors.get(field, [])), errors
    assert not Fair.objects.exists()


def test_refused_edit_keeps_the_fair(client, world, fairs):
    login(client, world, "county_admin_a")
    fair = fairs["running_a"]
    response = client.post(f"/fairs/{fair.pk}/edit/", form(world, name="改名", ends_at="2000-01-01T00:00"))
    assert "ends_at" in field_errors(response)
    fair.refresh_from_db()
    assert fair.name == "甲区博览会"


def test_fair_form_offers_only_what_the_user_may_assign(client, world, fairs):
    from zhichan.accounts.models import User
    from zhichan.agencies.models import Agency

    def choices(response, field):
        return {obj.pk for obj in response.context["form"].fields[field].queryset}

    login(client, world, "county_admin_a")
    for page in (client.get("/fairs/new/"), client.get(f"/fairs/{fairs['running_a'].pk}/edit/")):
        workstations = choices(page, "workstation")
        assert world.centre_b.pk not in workstations and world.closed_b.pk not in workstations
        assert {world.centre_a.pk, world.outlet_a.pk, world.city_centre.pk} <= workstations
        staff = choices(page, "staff")
        assert world.users.staff_a.pk in staff
        assert not {world.users.staff_b.pk, world.users.agency_admin_b.pk} & staff
    login(client, world, "city_admin")
    page = client.get("/fairs/new/")
    assert choices(page, "workstation") == set(Agency.objects.values_list("pk", flat=True))
    assert choices(page, "staff") == set(
        User.objects.filter(agency__isnull=False).values_list("pk", flat=True)
    )


def test_fair_service_still_refuses_another_countys_workstation(world):
    from django.core.exceptions import ValidationError

    from zhichan.fairs import services

    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.do_create_fair(
            world.users.county_admin_a,
            name="甲区展",
            starts_at=now,
            ends_at=now + dt.timedelta(days=1),
            region=world.county_a,
            workstation=world.centre_b,
            accept_hours=2,
            decide_hours=24,
        )
    assert "workstation" in refused.value.message_dict
    assert not Fair.objects.exists()
