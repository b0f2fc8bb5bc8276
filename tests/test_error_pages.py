"""Error pages speak the site's language and keep its look: a 404 and a 403 in the layout, a
500, a 400 and an expired form without it (Django renders those without the request); a
database that is away answers 503 with Retry-After."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path

from zhichan.urls import urlpatterns as site_urls


def _boom(request):
    raise RuntimeError("broken on purpose")


def _database_away(request):
    raise OperationalError("terminating connection due to administrator command")


urlpatterns = [
    path("boom/", _boom),
    path("db-away/", _database_away),
    path("api/db-away/", _database_away),
    *site_urls,
]
handler500 = "zhichan.core.error_pages.server_error"


def test_a_missing_page_in_chinese_with_the_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'class="navbar' in body


@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_in_chinese(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "服务器未能完成" in response.content.decode()


def test_an_expired_form_in_chinese(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


@pytest.mark.urls("tests.test_error_pages")
def test_a_database_that_is_away_answers_503_with_retry_after(db):
    client = Client(raise_request_exception=False)
    page = client.get("/db-away/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "暂时无法使用" in page.content.decode()
    api = client.get("/api/db-away/")
    assert api.status_code == 503 and api["Retry-After"] == "5" and "detail" in api.json()
