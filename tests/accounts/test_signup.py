"""Self-service sign-up: public and enterprise accounts only, one per submission."""

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser

from zhichan.accounts.forms import SignupForm
from zhichan.accounts.models import Role, User
from zhichan.accounts.services import do_sign_up
from zhichan.core.permissions import PermissionDenied

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
GOOD_PASSWORD = "Plum-blossom-2024!"


def form_data(**overrides):
    data = {
        "username": "newcomer",
        "display_name": "王小明",
        "email": "newcomer@example.com",
        "phone": "",
        "role": Role.PUBLIC,
        "organisation": "",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def test_the_page_offers_only_public_and_enterprise(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="public"' in page and 'value="enterprise"' in page
    for staff_role in ("agency_staff", "agency_admin", "county_admin", "city_admin"):
        assert f'value="{staff_role}"' not in page


def test_anonymous_nav_links_to_sign_up(client):
    assert 'href="/accounts/signup/"' in client.get("/").content.decode()


def test_public_sign_up_creates_the_user_logs_in_and_goes_home(client):
    response = client.post(SIGNUP, form_data())
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="newcomer")
    assert user.role == Role.PUBLIC
    assert (user.display_name, user.email) == ("王小明", "newcomer@example.com")
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff and not user.is_superuser
    assert user.agency_id is None and user.region_id is None
    assert client.session["_auth_user_id"] == str(user.pk)


def test_enterprise_sign_up_keeps_the_organisation(client):
    client.post(
        SIGNUP, form_data(role=Role.ENTERPRISE, organisation="晋中示例科技有限公司", phone="13800000000")
    )
    user = User.objects.get(username="newcomer")
    assert (user.role, user.organisation, user.phone) == (
        Role.ENTERPRISE,
        "晋中示例科技有限公司",
        "13800000000",
    )


def test_enterprise_without_organisation_is_a_field_error(client):
    response = client.post(SIGNUP, form_data(role=Role.ENTERPRISE, organisation="  "))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert 'data-testid="error-organisation"' in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("role", ["agency_staff", "agency_admin", "county_admin", "city_admin", "root"])
def test_a_staff_role_cannot_be_chosen(client, world, role):
    response = client.post(SIGNUP, form_data(role=role, agency=world.centre_a.pk, region=world.city.pk))
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="newcomer").exists()


def test_extra_fields_in_the_post_are_ignored(client, world):
    client.post(
        SIGNUP, form_data(agency=world.centre_a.pk, region=world.city.pk, is_staff="on", is_superuser="on")
    )
    user = User.objects.get(username="newcomer")
    assert user.role == Role.PUBLIC
    assert (user.agency_id, user.region_id, user.is_staff, user.is_superuser) == (None, None, False, False)


@pytest.mark.parametrize("taken", ["public", "PUBLIC"])
def test_taken_username_is_a_field_error(client, world, taken):
    response = client.post(SIGNUP, form_data(username=taken))
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="public").count() == 1
    world.users.public.refresh_from_db()
    assert world.users.public.role == Role.PUBLIC


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "Something-else-2024"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password2"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"username": "has space"}, "username"),
    ],
)
def test_bad_input_re_renders_with_the_error_at_the_field(client, overrides, field):
    response = client.post(SIGNUP, form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == 0


def test_double_submission_creates_one_user(client):
    first = client.post(SIGNUP, form_data())
    second = client.post(SIGNUP, form_data())
    assert first.status_code == 302 and second.status_code == 302
    assert User.objects.filter(username="newcomer").count() == 1


def test_double_submission_from_two_sessions_creates_one_user(client, django_user_model):
    from django.test import Client

    assert client.post(SIGNUP, form_data()).status_code == 302
    other = Client().post(SIGNUP, form_data())
    assert other.status_code == 200 and "username" in other.context["form"].errors
    assert django_user_model.objects.filter(username="newcomer").count() == 1


def test_a_race_lost_at_the_unique_index_is_a_field_error_not_a_500(client, world):
    # Both requests passed the form's check before either saved: the database decides.
    with (
        mock.patch.object(SignupForm, "clean_username", lambda self: self.cleaned_data["username"]),
        mock.patch.object(SignupForm, "validate_unique", lambda self: None),
    ):
        response = client.post(SIGNUP, form_data(username="public"))
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username="public").count() == 1
    assert "_auth_user_id" not in client.session


def test_signed_in_people_are_sent_home(client, world):
    client.force_login(world.users.enterprise)
    response = client.post(SIGNUP, form_data())
    assert response.status_code == 302 and response["Location"] == "/"
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("role", [Role.AGENCY_STAFF, Role.AGENCY_ADMIN, Role.COUNTY_ADMIN, Role.CITY_ADMIN])
def test_do_sign_up_refuses_staff_roles_whoever_calls_it(role):
    with pytest.raises(PermissionDenied):
        do_sign_up(AnonymousUser(), username="sneaky", password=GOOD_PASSWORD, role=role)
    assert not User.objects.filter(username="sneaky").exists()


def test_do_sign_up_refuses_a_signed_in_actor(world):
    with pytest.raises(PermissionDenied):
        do_sign_up(world.users.public, username="second", password=GOOD_PASSWORD, role=Role.PUBLIC)
    assert not User.objects.filter(username="second").exists()
