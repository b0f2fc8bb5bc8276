"""A submission creates one record, however often it is sent.

Pages put a random key in a hidden field when they show a create form (`OnceKeyField`); the
API takes the same key as an optional field. `create_once(key, actor, create)` runs `create`
in a transaction with a `Submission` row for the key: a second call with the key returns the
first record (if the same person sent it) instead of creating another. Two calls at the same
moment meet at the key's unique index; the second waits for the first and then finds it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhichan.core.models import Submission

KEY_MAX = 64


def new_key() -> str:
    return secrets.token_urlsafe(24)


class OnceKeyField(forms.CharField):
    """The hidden field that carries a create form's key."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", KEY_MAX)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)


def _actor_id(actor):
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def _earlier(found: Submission):
    model = found.content_type.model_class()
    return model._default_manager.filter(pk=found.object_id).first() if model else None


def create_once(key: str | None, actor, create: Callable):
    """`create()` once per key and person; without a key, every call creates.

    A key already used by someone else is not honoured (the call creates as if it had none),
    so a guessed key neither reveals nor blocks another person's record.
    """
    key = (key or "").strip()[:KEY_MAX]
    if not key:
        return create()
    found = Submission.objects.filter(key=key).select_related("content_type").first()
    if found is not None:
        earlier = _earlier(found) if found.actor_id == _actor_id(actor) else None
        return earlier if earlier is not None else create()
    try:
        with transaction.atomic():
            obj = create()
            Submission.objects.create(
                key=key,
                actor_id=_actor_id(actor),
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
            )
            return obj
    except IntegrityError:
        # Either create() broke a rule of its own, or the same key won a race: answer the winner.
        found = Submission.objects.filter(key=key, actor_id=_actor_id(actor)).first()
        earlier = _earlier(found) if found is not None else None
        if earlier is None:
            raise
        return earlier


# A resend comes within minutes; a week covers a form left open over a holiday.
KEEP_DAYS = 7


def purge_old(now=None) -> int:
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    return Submission.objects.filter(at__lt=cutoff).delete()[0]
