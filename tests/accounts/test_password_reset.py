"""Forgotten passwords: a link by e-mail, the same answer whether an account matched, a limit."""

import pytest

from tests.factories import UserFactory
from zhichan.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_link_sets_a_new_password(client, mailoutbox):
    user = UserFactory(username="wang", email="wang@example.com")
    client.post("/accounts/password-reset/", {"email": "wang@example.com"})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    page = client.get(link.split("testserver", 1)[1], follow=True)
    assert 'data-testid="set-password-form"' in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": "Qx8-new-secret", "new_password2": "Qx8-new-secret"}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    assert User.objects.get(pk=user.pk).check_password("Qx8-new-secret")
    again = client.get(link.split("testserver", 1)[1], follow=True).content.decode()
    assert 'data-testid="set-password-invalid"' in again


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_a_bad_address_is_named(client, mailoutbox):
    page = client.post("/accounts/password-reset/", {"email": "not-an-address"})
    assert page.status_code == 200 and 'data-field="email"' in page.content.decode()
    assert mailoutbox == []


def test_requests_are_limited_per_address(client, mailoutbox, settings):
    settings.ZHICHAN_PASSWORD_RESET_LIMIT = 2
    UserFactory(username="li", email="li@example.com")
    for _ in range(4):
        response = client.post("/accounts/password-reset/", {"email": "li@example.com"})
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 2


def test_the_login_page_links_to_it(client):
    assert 'href="/accounts/password-reset/"' in client.get("/accounts/login/").content.decode()
