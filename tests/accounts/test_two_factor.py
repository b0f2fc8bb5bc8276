"""The optional second factor for staff (TOTP): enrolment, login with a code, the requirement, reset."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from zhichan.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ENROL = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
RESET = "/accounts/two-factor/reset/"


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def log_in(client, user):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD, "next": "/cases/"})


def test_staff_enrol_with_a_code(client, world, english):
    user = world.users.staff_a
    client.force_login(user)
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="two-factor-qr"' in html and 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # A wrong code leaves it unconfirmed and says why.
    response = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "Two-step login is on" in client.get(ENROL).content.decode()


def test_a_letter_in_the_code_is_named(client, world, english):
    client.force_login(world.users.staff_a)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "12a456"})
    assert "Enter the digits the app shows." in response.content.decode()


def test_public_users_have_no_enrolment(client, world):
    client.force_login(world.users.enterprise)
    assert client.get(ENROL).status_code == 404
    assert not TOTPDevice.objects.exists()


def test_without_a_device_the_password_is_enough(client, world):
    response = log_in(client, world.users.staff_a)
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_enrolled_staff_give_a_code_after_the_password(client, world):
    user = world.users.staff_a
    device = enrolled(user)
    response = log_in(client, user)
    assert response["Location"] == "/cases/"
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next=%2Fcases%2F"
    # The API treats the session as signed out until the code is given.
    assert client.get("/api/v1/training/events/999999/registrations").status_code == 401
    assert client.get(VERIFY).status_code == 200
    response = client.post(VERIFY, {"code": code_for(device), "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/training/events/999999/registrations").status_code == 404


def test_a_wrong_code_is_refused_and_attempts_slow_down(client, world, english):
    user = world.users.staff_a
    device = enrolled(user)
    log_in(client, user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    # The next try comes too soon: even the right code waits (django-otp's throttling).
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/cases/").status_code == 302


def test_requirement_sends_staff_to_enrol_first(client, world, settings, english):
    settings.ZHICHAN_STAFF_REQUIRE_2FA = True
    user = world.users.county_admin_a
    log_in(client, user)
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="two-factor-required"' in page
    device = TOTPDevice.objects.get(user=user)
    client.post(ENROL, {"code": code_for(device)})
    assert client.get("/cases/").status_code == 200
    # Public users are not concerned.
    client.post("/accounts/logout/")
    log_in(client, world.users.public)
    assert client.get("/accounts/profile/").status_code == 200


def test_city_admin_resets_a_device_with_an_audit_entry(client, world, english):
    target = world.users.staff_a
    device = enrolled(target)
    client.force_login(world.users.city_admin)
    response = client.post(RESET, {"username": target.username})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    entry = AuditEntry.objects.get(object_id=str(device.pk))
    assert entry.actor == world.users.city_admin and entry.action == "delete"
    assert "key" not in entry.changes  # the secret never goes into the history
    # The target logs in with the password only and may enrol again.
    client.post("/accounts/logout/")
    log_in(client, target)
    assert client.get("/cases/").status_code == 200


def test_reset_names_an_unknown_account(client, world, english):
    client.force_login(world.users.city_admin)
    response = client.post(RESET, {"username": "nobody"})
    assert response.status_code == 200
    assert "No account with this username has two-step login set up." in response.content.decode()


@pytest.mark.parametrize("who", ["county_admin_a", "agency_admin_a", "staff_a", "public"])
def test_only_the_city_admin_resets(client, world, who):
    device = enrolled(world.users.staff_b)
    user = getattr(world.users, who)
    client.force_login(user)
    assert client.post(RESET, {"username": "staff_b"}).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
