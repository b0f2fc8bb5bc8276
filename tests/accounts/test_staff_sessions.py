"""Staff sessions end after ZHICHAN_STAFF_SESSION_IDLE_MINUTES idle and ZHICHAN_STAFF_SESSION_HOURS in all."""

from unittest import mock

import pytest

from zhichan.accounts import sessions

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000.0


@pytest.fixture
def clock():
    now = {"t": T0}
    with mock.patch.object(sessions, "_now", lambda: now["t"]):
        yield now


def signed_in(client):
    return client.session.get("_auth_user_id")


def test_idle_staff_session_ends_with_a_message(client, world, clock, settings, english):
    settings.ZHICHAN_STAFF_SESSION_IDLE_MINUTES = 30
    client.force_login(world.users.staff_a)
    assert client.get("/cases/").status_code == 200
    clock["t"] += 29 * 60
    assert client.get("/cases/").status_code == 200  # still in time: this request counts as activity
    clock["t"] += 29 * 60
    assert client.get("/cases/").status_code == 200  # 58 minutes after login, 29 idle
    clock["t"] += 31 * 60
    response = client.get("/cases/?status=open")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cases/%3Fstatus%3Dopen"
    assert signed_in(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "Your session has expired" in page


def test_staff_session_has_an_absolute_lifetime(client, world, clock, settings):
    settings.ZHICHAN_STAFF_SESSION_IDLE_MINUTES = 30
    settings.ZHICHAN_STAFF_SESSION_HOURS = 2
    client.force_login(world.users.city_admin)
    for _ in range(7):  # busy all the time: a request every 20 minutes
        clock["t"] += 20 * 60
        assert client.get("/cases/").status_code == 200
    clock["t"] += 20 * 60 + 1  # now past 2 hours since login
    assert client.get("/cases/").status_code == 302
    assert signed_in(client) is None


def test_public_and_enterprise_users_keep_the_normal_session(client, world, clock, settings):
    settings.ZHICHAN_STAFF_SESSION_IDLE_MINUTES = 30
    for user in (world.users.public, world.users.enterprise):
        client.force_login(user)
        clock["t"] += 24 * 3600
        assert client.get("/accounts/profile/").status_code == 200
        assert signed_in(client) == str(user.pk)


def test_htmx_requests_get_a_full_page_redirect(client, world, clock):
    client.force_login(world.users.county_admin_a)
    client.get("/cases/")
    clock["t"] += 13 * 3600
    response = client.get(
        "/inbox/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/cases/"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert signed_in(client) is None


def test_api_call_after_expiry_is_answered_as_signed_out(client, world, clock):
    client.force_login(world.users.agency_admin_a)
    client.get("/cases/")
    clock["t"] += 13 * 3600
    response = client.get("/api/v1/regions/")
    assert response.status_code == 200  # a public list: still answered, but no longer as the user
    assert signed_in(client) is None


def test_logging_in_again_starts_a_new_session_clock(client, world, clock):
    user = world.users.staff_b
    client.force_login(user)
    client.get("/cases/")
    clock["t"] += 13 * 3600
    client.get("/cases/")
    assert signed_in(client) is None
    client.force_login(user)
    assert client.get("/cases/").status_code == 200
