"""Logging in and out, the lock after repeated failures, and the `next` redirect."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_login_page_has_the_fields_and_submit(client):
    page = client.get(LOGIN).content.decode()
    assert 'name="username"' in page and 'name="password"' in page
    assert 'data-testid="login-submit"' in page


def test_login_and_logout(client, world):
    user = world.users.public
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_as(client) == str(user.pk)
    assert 'data-testid="whoami"' in client.get("/").content.decode()

    assert client.get("/accounts/logout/").status_code == 405  # logging out needs a POST
    assert logged_in_as(client) == str(user.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_as(client) is None


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post(LOGIN, {"username": "public", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_as(client) is None


def test_lockout_after_the_failure_limit_refuses_even_the_right_password(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert client.post(LOGIN, {"username": "public", "password": "wrong"}).status_code == 200
    locked = client.post(LOGIN, {"username": "public", "password": "wrong"})
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]

    right = client.post(LOGIN, {"username": "public", "password": PASSWORD})
    assert right.status_code == 429
    assert logged_in_as(client) is None
    assert AccessAttempt.objects.get(username="public").failures_since_start >= limit

    # The lock is per user name and address: another account still logs in.
    other = client.post(LOGIN, {"username": "enterprise", "password": PASSWORD})
    assert other.status_code == 302
    assert logged_in_as(client) == str(world.users.enterprise.pk)


def test_fewer_failures_than_the_limit_then_success_resets_the_count(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "public", "password": "wrong"})
    assert client.post(LOGIN, {"username": "public", "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.filter(username="public").exists()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/services/", "/services/"),
        ("/network/?region=990102", "/network/?region=990102"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("http://testserver.evil.example/", "/"),
    ],
)
def test_next_redirect_only_goes_to_this_site(client, world, next_url, expected):
    response = client.post(LOGIN, {"username": "public", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == expected


def test_the_login_link_carries_the_current_page(client, world):
    page = client.get("/services/").content.decode()
    assert "/accounts/login/?next=/services/" in page
