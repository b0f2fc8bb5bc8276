"""Request ids, the access log and the log formats.

RequestLogMiddleware, first in MIDDLEWARE, gives every request an id: the proxy's
``X-Request-ID`` when it is short and made of safe characters (nginx sends ``$request_id``),
else a new random one. The id is answered in ``X-Request-ID`` and, through a context variable
and RequestIdFilter, put on every log record written while the request runs, so that one
request's lines can be found together (and matched with nginx's log).

After the response it writes one access line to the ``zhichan.access`` logger: method, path,
status, milliseconds, request id and the user's id (never a name). The path is logged without
its query string, and URL parts that are secrets (tracking tokens, password-reset links) are
replaced by ``…``. Request bodies are never logged. It also counts the request for /metrics.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings

from zhichan.core import metrics

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# URL arguments that are secrets: their values never reach a log line.
_SECRET_KWARGS = re.compile(r"token|uidb64|secret|key", re.IGNORECASE)
# Answered to machines many times a minute: logged at DEBUG, not INFO.
_QUIET_PATHS = {"/healthz", "/metrics"}

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("zhichan_request_id", default="-")
access_log = logging.getLogger("zhichan.access")


def current_request_id() -> str:
    return request_id_var.get()


def accept_request_id(value: str | None) -> str:
    """The proxy's id when it is safe to log and repeat, else a new one."""
    if value and _SAFE_ID.match(value):
        return value
    return uuid.uuid4().hex


def loggable_path(request) -> str:
    """The request's path without query string, secret URL arguments replaced by '…'."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if _SECRET_KWARGS.search(name) and isinstance(value, str) and value:
                path = path.replace(value, "…")
    return path


def view_label(request) -> str:
    """A bounded name for the view (never the raw path): the URL name, else the view's dotted path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        if getattr(request, "zhichan_view", ""):
            return request.zhichan_view
        # whitenoise answers static files before any URL is resolved
        if request.path_info.startswith(settings.STATIC_URL):
            return "static"
        return "unmatched"
    if match.view_name:
        return match.view_name
    return match._func_path


def _user_id(request):
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            view = view_label(request)
            metrics.observe_request(request.method, view, response.status_code, elapsed)
            path = loggable_path(request)
            level = logging.DEBUG if request.path_info in _QUIET_PATHS else logging.INFO
            ms = round(elapsed * 1000, 1)
            access_log.log(
                level,
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "view": view,
                    "status": response.status_code,
                    "ms": ms,
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
