"""A task carries the id of the request that queued it, so the worker's lines join the request's.

The id goes into the task's own id (``<request id>~<random>``) when it is queued inside a
request; the worker puts it back on the log records while the task runs (RequestIdFilter reads
the same context variable). Tasks queued outside a request (the schedule, commands) keep
plain ids and log ``-``.
"""

from __future__ import annotations

from huey import signals
from huey.contrib.djhuey import HUEY

from zhichan.core.requestlog import current_request_id, request_id_var

SEPARATOR = "~"  # never in a request id (requestlog._SAFE_ID)


def request_id_of(task) -> str:
    head, sep, _ = task.id.partition(SEPARATOR)
    return head if sep else "-"


def _tag(signal, task, *args, **kwargs):
    request_id = current_request_id()
    if request_id != "-" and SEPARATOR not in task.id:  # a retry keeps its tag
        task.id = f"{request_id}{SEPARATOR}{task.id}"
        task.revoke_id = f"r:{task.id}"


def _enter(task):
    task._request_id_token = request_id_var.set(request_id_of(task))


def _leave(task, value, exc):
    token = getattr(task, "_request_id_token", None)
    if token is not None:
        request_id_var.reset(token)
        task._request_id_token = None


def connect() -> None:
    HUEY.signal(signals.SIGNAL_ENQUEUED)(_tag)
    HUEY.pre_execute("request_id")(_enter)
    HUEY.post_execute("request_id")(_leave)
