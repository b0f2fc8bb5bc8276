import pytest

from zhichan.regions.models import Region

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "public",
    "enterprise",
    "staff_a",
    "agency_admin_a",
    "county_admin_a",
    "county_admin_b",
    "city_admin",
]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_every_region(world, role):
    user = getattr(world.users, role)
    assert Region.objects.restrict(user, "view").count() == Region.objects.count()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_city_administrator_may_change_regions(world, role):
    user = getattr(world.users, role)
    expected = Region.objects.count() if role == "city_admin" else 0
    assert Region.objects.restrict(user, "change").count() == expected


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(ValueError):
        Region.objects.restrict(world.users.public, "delete")
