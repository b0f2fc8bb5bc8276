"""GET /healthz: whether this application server can do its work, for a load balancer or a monitor.

Each check runs once per request, timed; the answer is JSON

    {"status": "ok" | "failing", "failing": ["queue"],
     "checks": {"database": {"status": "ok", "ms": 1.2}, ...}}

with 200 when every check passes and 503 otherwise. It names no record and no person, needs no
log-in, sets no cookie and is never cached. The checks:

    database   a query on the default database
    queue      the task queue's storage answers (Redis, or the SQLite queue file): how many tasks wait
    cache      a value written to the cache reads back
    search     the patent search index opens and answers a query (tantivy directory or PostgreSQL table)

A failing check's exception is logged here; the response gives only its class name.

HealthCheckMiddleware, first in MIDDLEWARE, answers /healthz before anything else runs: a load
balancer asks by the server's address, which ALLOWED_HOSTS rightly does not list, and over plain
HTTP on the internal network; the answer uses neither the host nor a session.
"""

from __future__ import annotations

import logging
import secrets
import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("unexpected answer")
    return {}


def check_queue() -> dict:
    from huey.contrib.djhuey import HUEY

    return {"pending": HUEY.pending_count()}


def check_cache() -> dict:
    key = f"zhichan:healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the value written did not read back")
    finally:
        cache.delete(key)
    return {}


def check_search() -> dict:
    from zhichan.ipdata.search import service

    service.search_patents("TI=专利", per_page=1, facets=False, highlight=False)
    return {"backend": service.get_backend().name}


CHECKS = {
    "database": check_database,
    "queue": check_queue,
    "cache": check_cache,
    "search": check_search,
}


def run_checks() -> dict:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"status": "ok", **check()}
        except Exception as exc:
            log.exception("health check %s failed", name)
            result = {"status": "failing", "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results


@csrf_exempt
@require_safe
@never_cache
def healthz(request):
    checks = run_checks()
    failing = [name for name, result in checks.items() if result["status"] != "ok"]
    body = {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)


class HealthCheckMiddleware:
    """Answers /healthz itself, ahead of host validation, redirects, sessions and locale."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
