"""GET /metrics: request counts and latencies and a few cheap application gauges, in the
Prometheus text format (prometheus-client).

    zhichan_http_requests_total{method, view, status}          counter
    zhichan_http_request_duration_seconds{view, status}        histogram
    zhichan_queue_pending_tasks                                gauge, read when scraped

``view`` is the URL name (``cases:track``, ``api-1.0.0:...``), never the raw path, so the number
of series stays bounded; requests no URL matched count as ``unmatched``.

With several gunicorn worker processes each process counts its own requests; set
``PROMETHEUS_MULTIPROC_DIR`` to an empty folder writable by the application (the shipped
gunicorn config empties it at start and tidies after a worker exits) and /metrics adds the
processes' counts up. Without it, each answer shows the counts of the process that answered.

Who may read it: a client whose address is in ``ZHICHAN_METRICS_ALLOWED`` (addresses or
networks; default loopback) and that did not come through a proxy (no X-Forwarded-For: behind
nginx every request comes from loopback), or one sending ``Authorization: Bearer
<ZHICHAN_METRICS_TOKEN>``. Anyone else gets 404, as if there were nothing here.
MetricsMiddleware answers it before host validation, like /healthz.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "zhichan_http_requests", "HTTP requests answered, by view and status", ["method", "view", "status"]
)
LATENCY = Histogram(
    "zhichan_http_request_duration_seconds",
    "Time to answer an HTTP request, by view and status",
    ["view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def observe_request(method: str, view: str, status: int, seconds: float) -> None:
    if view == "metrics":
        return
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    LATENCY.labels(view=view, status=str(status)).observe(seconds)


class ApplicationCollector:
    """Gauges computed when scraped; each must be cheap (one query of a store, no table scans)."""

    def collect(self):
        pending = GaugeMetricFamily("zhichan_queue_pending_tasks", "Tasks waiting in the task queue")
        try:
            from huey.contrib.djhuey import HUEY

            pending.add_metric([], HUEY.pending_count())
        except Exception:
            log.exception("metrics: the task queue did not answer")
        else:
            yield pending


_APP_REGISTRY = CollectorRegistry(auto_describe=False)
_APP_REGISTRY.register(ApplicationCollector())


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_APP_REGISTRY)


def _has_token(request) -> bool:
    expected = settings.ZHICHAN_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if not expected or not given.startswith("Bearer "):
        return False
    return secrets.compare_digest(given[len("Bearer ") :].strip().encode(), expected.encode())


def _from_allowed_address(request) -> bool:
    if any(h in request.META for h in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for allowed in settings.ZHICHAN_METRICS_ALLOWED:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def may_read(request) -> bool:
    return _has_token(request) or _from_allowed_address(request)


@csrf_exempt
@require_safe
@never_cache
def metrics_view(request):
    if not may_read(request):
        raise Http404
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Answers /metrics itself, ahead of host validation, redirects, sessions and locale."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/metrics":
            request.zhichan_view = "metrics"
            if not may_read(request):
                return HttpResponse(status=404)
            return metrics_view(request)
        if request.path_info == "/healthz":
            request.zhichan_view = "healthz"
        return self.get_response(request)
