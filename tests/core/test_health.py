"""GET /healthz: each check's status and timing; 503 naming the failing check."""

import pytest
from django.test import Client

from zhichan.core import health

pytestmark = pytest.mark.django_db


def get(client=None, method="get"):
    return getattr(client or Client(), method)("/healthz")


def test_all_checks_pass_anonymously_without_cookies():
    response = get()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "queue", "cache", "search"}
    for result in body["checks"].values():
        assert result["status"] == "ok"
        assert isinstance(result["ms"], float) and result["ms"] >= 0
    assert body["checks"]["queue"]["pending"] >= 0
    assert not response.cookies  # no session, no CSRF token
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["database", "queue", "cache", "search"])
def test_a_failing_check_gives_503_naming_it(name, monkeypatch, caplog):
    def broken():
        raise ConnectionError("redis://secret-host:6379 refused for user 张三")

    monkeypatch.setitem(health.CHECKS, name, broken)
    response = get()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing" and body["failing"] == [name]
    assert body["checks"][name] == {
        "status": "failing",
        "error": "ConnectionError",
        "ms": body["checks"][name]["ms"],
    }
    others = set(health.CHECKS) - {name}
    assert all(body["checks"][other]["status"] == "ok" for other in others)
    # The details go to the log, not to whoever asks.
    assert "secret-host" not in response.content.decode() and "张三" not in response.content.decode()
    assert f"health check {name} failed" in caplog.text


def test_the_cache_check_fails_when_values_do_not_read_back(monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    body = get().json()
    assert body["failing"] == ["cache"] and body["checks"]["cache"]["error"] == "RuntimeError"


def test_the_search_check_fails_when_the_index_cannot_open(settings, tmp_path):
    from zhichan.ipdata.search import service

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    settings.ZHICHAN_SEARCH_DIR = blocker
    service.reset_backends()
    response = get()
    assert response.status_code == 503 and response.json()["failing"] == ["search"]


def test_head_works_and_writes_are_refused():
    assert get(method="head").status_code == 200
    assert get(method="post").status_code == 405


def test_no_personal_data_in_the_answer(world):
    from zhichan.accounts.models import User

    text = get().content.decode()
    for user in User.objects.all():
        assert user.username not in text


def test_a_load_balancer_asking_by_address_gets_an_answer(settings):
    settings.ALLOWED_HOSTS = ["ip.example.gov.cn"]
    client = Client(HTTP_HOST="10.0.0.5:8000")
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 400  # every other page still checks the host
