import pytest
from django.core.exceptions import ValidationError

from zhichan.enterprises.access import enterprise_of


def test_only_a_confirmed_enterprise_user_acts_for_an_enterprise(world):
    users = world.users
    assert enterprise_of(users.enterprise) == world.enterprise_a
    for name in ("anonymous", "public", "staff_a", "county_admin_a", "city_admin"):
        assert enterprise_of(getattr(users, name)) is None
    users.public.enterprise = world.enterprise_a  # a stray link on another role grants nothing
    assert enterprise_of(users.public) is None


def test_only_enterprise_users_may_be_linked(world):
    staff = world.users.staff_a
    staff.enterprise = world.enterprise_a
    with pytest.raises(ValidationError) as exc:
        staff.full_clean()
    assert "enterprise" in exc.value.message_dict
