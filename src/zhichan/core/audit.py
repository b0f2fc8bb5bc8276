"""The change history of administrative records: `record_change` inside the service's
transaction writes one AuditEntry with {field: [old, new]}.

Values are stored as JSON a person can read later: a related record as {"id", "name"},
several as a list of those, a time as local ISO text, a choice as its value.

Secrets are never stored: a field whose name says password, token, secret or key (see
`is_secret`) appears only as HIDDEN, and when it changed as [HIDDEN, HIDDEN + " (changed)"],
so a password reset by an administrator is on record without the hash.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import re

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from zhichan.core.models import AuditAction, AuditEntry

HIDDEN = "***"
_SECRET_RE = re.compile(r"password|passwd|secret|token|otp|(^|_)key$|(^|_)hash$", re.IGNORECASE)


def is_secret(name: str) -> bool:
    return bool(_SECRET_RE.search(name))


def _secret(value) -> str:
    # A digest of the digest-or-token, only so that a change can be told from none; it is
    # replaced by HIDDEN before anything is written.
    return HIDDEN + hashlib.sha256(str(value).encode()).hexdigest()[:16]


def _related(obj):
    return None if obj is None else {"id": obj.pk, "name": str(obj)[:200]}


def _value(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(obj, fields=None) -> dict:
    """The record's editable values as JSON: concrete fields and many-to-many relations."""
    out = {}
    for field in obj._meta.get_fields():
        if fields is not None and field.name not in fields:
            continue
        if field.auto_created or not getattr(field, "editable", False):
            continue
        if is_secret(field.name):
            out[field.name] = _secret(getattr(obj, field.attname, None))
        elif field.many_to_many:
            if obj.pk is None:
                out[field.name] = []
            else:
                out[field.name] = [_related(o) for o in getattr(obj, field.name).order_by("pk")]
        elif field.is_relation:
            out[field.name] = _related(getattr(obj, field.name))
        elif field.concrete:
            out[field.name] = _value(getattr(obj, field.attname))
    return out


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    names = list(after) + [n for n in before if n not in after]
    return {n: [before.get(n), after.get(n)] for n in names if before.get(n) != after.get(n)}


def _hide_secrets(changes: dict) -> dict:
    out = {}
    for name, (old, new) in changes.items():
        if is_secret(name):
            old = None if old is None else HIDDEN
            new = None if new is None else HIDDEN + (" (changed)" if old is not None else "")
        out[name] = [old, new]
    return out


def record_change(actor, obj, action: str, before: dict | None = None, *, region=None, fields=None):
    """Write the entry for `obj` (call inside the transaction that changes it, after the change,
    or before deleting). An update that changed nothing writes nothing; returns the entry or None.

    `before` is snapshot(obj) taken before an update; `region` decides which county
    administrators may read the entry (default: obj.region when it has one).
    """
    action = AuditAction(action)
    after = None if action == AuditAction.DELETE else snapshot(obj, fields)
    if action == AuditAction.DELETE and before is None:
        before = snapshot(obj, fields)
    if action == AuditAction.CREATE:
        before = None
    changes = _hide_secrets(diff(before, after))
    if action == AuditAction.UPDATE and not changes:
        return None
    if region is None:
        region = getattr(obj, "region", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
        region=region if isinstance(region, models.Model) else None,
    )


def _display(field, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict) and "name" in value:
        return value["name"]
    if isinstance(value, list):
        return ", ".join(_display(field, v) for v in value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    choices = getattr(field, "flatchoices", None) if field is not None else None
    if choices:
        label = dict(choices).get(value)
        if label is not None:
            return str(label)
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        try:
            return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return str(value)


def change_rows(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field label, old, new) in the model's field order (JSON keys have no order in PostgreSQL)."""
    model = entry.content_type.model_class()
    fields = {f.name: f for f in model._meta.get_fields()} if model is not None else {}
    names = [n for n in fields if n in entry.changes]
    names += sorted(n for n in entry.changes if n not in fields)  # a field since removed
    rows = []
    for name in names:
        old, new = (list(entry.changes[name]) + [None, None])[:2]
        field = fields.get(name)
        label = str(getattr(field, "verbose_name", name))
        rows.append((label, _display(field, old), _display(field, new)))
    return rows


def history(user, target, limit: int = 20):
    """The latest entries for a record (or, given a model class, for all its records) that the
    user may read."""
    entries = AuditEntry.objects.restrict(user, "view").select_related("actor", "content_type")
    entries = entries.for_model(target) if isinstance(target, type) else entries.for_object(target)
    return list(entries[:limit])
