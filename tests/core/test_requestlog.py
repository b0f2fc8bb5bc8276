"""Request ids (from the proxy or new), on the response and every log record; the access log."""

import json
import logging
import threading

import pytest
from django.conf import settings
from django.test import Client
from huey.contrib.djhuey import HUEY
from pythonjsonlogger.json import JsonFormatter

from zhichan.core import health
from zhichan.core.requestlog import RequestIdFilter, accept_request_id, request_id_var

pytestmark = pytest.mark.django_db


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def records():
    handler = ListHandler()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(old_level)


def access_lines(records):
    return [r for r in records if r.name == "zhichan.access"]


def test_a_request_without_an_id_gets_a_new_one_each_time():
    first = Client().get("/no-such-page/")
    second = Client().get("/no-such-page/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxy_id_is_kept_and_answered():
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="4f1c2e9a8b7d6c5e")
    assert response["X-Request-ID"] == "4f1c2e9a8b7d6c5e"


@pytest.mark.parametrize(
    "given", ["x" * 65, "short", "has space in it", "line\nbreak-injected", "<script>alert(1)</script>", ""]
)
def test_an_unsafe_proxy_id_is_replaced(given):
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert accept_request_id(given) != given
    assert len(response["X-Request-ID"]) == 32


def test_every_record_of_the_request_carries_its_id(records, monkeypatch):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "queue", broken)
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="req-0123456789")
    assert response.status_code == 503
    during = [r for r in records if r.name in ("zhichan.core.health", "zhichan.access")]
    assert {r.name for r in during} == {"zhichan.core.health", "zhichan.access"}
    assert {r.request_id for r in during} == {"req-0123456789"}
    # outside a request the id is "-"
    logging.getLogger("zhichan.test").warning("after")
    assert records[-1].request_id == "-"
    assert request_id_var.get() == "-"


def test_the_access_line_has_method_path_status_time_and_user_id_only(records, world):
    user = world.users.city_admin
    client = Client()
    client.force_login(user)
    client.get("/no-such-page/?phone=13800000000&name=张三", HTTP_X_REQUEST_ID="abcdef0123")
    (line,) = access_lines(records)
    assert line.levelno == logging.INFO
    assert (line.method, line.path, line.status, line.view) == ("GET", "/no-such-page/", 404, "unmatched")
    assert line.user_id == user.pk and line.ms >= 0
    assert line.request_id == "abcdef0123"
    text = line.getMessage()
    assert text.startswith("GET /no-such-page/ 404 ")
    for secret in ("13800000000", "张三", "phone", user.username):
        assert secret not in text and secret not in str(line.__dict__)


def test_secret_url_parts_are_not_logged(records):
    token = "Zq8-secret-tracking-token-0123456789"
    response = Client().get(f"/track/{token}/")
    assert response.status_code == 404
    (line,) = access_lines(records)
    assert line.path == "/track/…/"
    assert line.view == "cases:track"
    assert line.user_id is None
    assert all(token not in r.getMessage() and token not in str(r.__dict__) for r in records)


def test_machine_endpoints_are_logged_at_debug_only(records):
    Client().get("/metrics")
    (line,) = access_lines(records)
    assert line.levelno == logging.DEBUG


def test_json_lines_in_production_format():
    options = dict(settings.LOGGING["formatters"]["json"])
    options.pop("()")
    formatter = JsonFormatter(**options)
    record = logging.LogRecord("zhichan.access", logging.INFO, __file__, 1, "GET %s 200", ("/x/",), None)
    record.request_id = "req-1"
    record.status = 200
    line = json.loads(formatter.format(record))
    assert line["message"] == "GET /x/ 200"
    assert (line["level"], line["logger"], line["request_id"], line["status"]) == (
        "INFO",
        "zhichan.access",
        "req-1",
        200,
    )
    assert "time" in line


@HUEY.task()
def log_inside_a_task():
    logging.getLogger("zhichan.tests").info("inside the task")


def test_a_task_queued_in_a_request_logs_under_its_request_id(records, monkeypatch):
    queued = []
    monkeypatch.setattr(HUEY, "execute", lambda task, *a, **k: queued.append(task))
    token = request_id_var.set("req-1234abcd")
    try:
        log_inside_a_task()
    finally:
        request_id_var.reset(token)
    log_inside_a_task()  # outside a request
    monkeypatch.undo()
    # The worker is another process: the task travels serialized and runs in another thread.
    tasks = [HUEY.deserialize_task(HUEY.serialize_task(t)) for t in queued]
    worker = threading.Thread(target=lambda: [HUEY.execute(t) for t in tasks])
    worker.start()
    worker.join()
    inside = [r.request_id for r in records if r.getMessage() == "inside the task"]
    assert inside == ["req-1234abcd", "-"]
    assert request_id_var.get() == "-"
