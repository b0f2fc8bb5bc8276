"""The password policy: length (longer for staff), not like the account, not common, not digits only."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def errors(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_everyone_needs_ten_characters(world):
    assert "password_too_short" in errors("Kq7!zmv2", world.users.public)
    assert errors("Kq7!zmv2pL", world.users.public) == set()


def test_staff_need_twelve(world):
    for who in ("staff_a", "agency_admin_a", "county_admin_a", "city_admin"):
        user = getattr(world.users, who)
        assert errors("Kq7!zmv2pL", user) == {"password_too_short_for_staff"}, who
        assert errors("Kq7!zmv2pLx4", user) == set(), who


def test_settings_change_the_lengths(world, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 8},
        },
        {"NAME": "zhichan.accounts.policy.StaffMinimumLengthValidator", "OPTIONS": {"min_length": 16}},
    ]
    assert errors("Kq7!zmv2", world.users.public) == set()
    assert errors("Kq7!zmv2pLx4abcd", world.users.staff_a) == set()
    assert errors("Kq7!zmv2pLx4abc", world.users.staff_a) == {"password_too_short_for_staff"}


def test_common_numeric_and_similar_passwords_are_refused(world):
    user = world.users.public
    assert "password_too_common" in errors("password123", user)
    assert "password_entirely_numeric" in errors("3141592653589", user)
    user.email = "zhang.wei@example.cn"
    assert "password_too_similar" in errors("zhang.wei@example", user)


def test_messages_are_translated(world, english):
    try:
        validate_password("short", world.users.staff_a)
    except ValidationError as exc:
        messages = exc.messages
    assert any(m == "Staff accounts need a password of at least 12 characters." for m in messages)
    assert any(t == "Staff accounts need at least 12 characters." for t in password_validators_help_texts())


def sign_up_with_a_short_password(client):
    form = {"username": "newperson", "password1": "short", "password2": "short", "role": "public"}
    response = client.post(
        "/accounts/signup/", {**form, "display_name": "New Person", "email": "new@example.cn"}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_sign_up_names_the_password_field(client, world, english):
    assert "This password is too short" in sign_up_with_a_short_password(client)


def test_the_length_rule_speaks_chinese_by_default(client, world):
    assert "密码太短" in sign_up_with_a_short_password(client)
