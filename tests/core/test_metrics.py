"""GET /metrics: Prometheus text, request counts by view name and status, readable by few."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

TOKEN = "t" * 40


def samples(response):
    text = response.content.decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def count(found, view, status, method="GET"):
    key = ("zhichan_http_requests_total", (("method", method), ("status", status), ("view", view)))
    return found.get(key, 0)


def test_requests_are_counted_by_view_name_and_status_not_path():
    client = Client()
    before = samples(client.get("/metrics"))
    client.get("/track/some-token-aaaaaaaaaaaa/")
    client.get("/no-such-page/1/")
    client.get("/no-such-page/2/")
    client.get("/static/no-such-file.css")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    after = samples(response)
    assert count(after, "cases:track", "404") == count(before, "cases:track", "404") + 1
    assert count(after, "unmatched", "404") == count(before, "unmatched", "404") + 2
    assert count(after, "static", "404") == count(before, "static", "404") + 1
    text = response.content.decode()
    assert "no-such-page" not in text and "some-token" not in text
    bucket = ("zhichan_http_request_duration_seconds_count", (("status", "404"), ("view", "unmatched")))
    assert after[bucket] >= 2
    assert count(after, "metrics", "200") == 0  # scrapes are not counted


def test_the_queue_gauge_is_there():
    found = samples(Client().get("/metrics"))
    assert found[("zhichan_queue_pending_tasks", ())] >= 0


def test_answered_before_the_host_check():
    response = Client().get("/metrics", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "10.1.2.3"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_HOST": "ip.example.gov.cn"},
        # from loopback, but through the proxy: every proxied request comes from loopback
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": "Bearer wrong"},
    ],
)
def test_others_get_404(extra, settings):
    settings.ZHICHAN_METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", **extra)
    assert response.status_code == 404
    assert b"zhichan_" not in response.content


def test_allowed_networks_and_the_bearer_token(settings):
    settings.ZHICHAN_METRICS_ALLOWED = ["10.0.0.0/8"]
    assert Client().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert Client().get("/metrics").status_code == 404  # loopback no longer listed
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404  # no token set
    settings.ZHICHAN_METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    code = (
        "from zhichan.core import metrics;"
        "metrics.observe_request('GET', 'portal:home', 200, 0.01);"
        "print(metrics.render().decode())"
    )
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="zhichan.settings")
    env["ZHICHAN_DATA_DIR"] = str(tmp_path / "data")
    for _ in range(2):  # two processes, one folder
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
    line = 'zhichan_http_requests_total{method="GET",status="200",view="portal:home"} 2.0'
    assert line in result.stdout
