"""Notifications: the in-app inbox and outgoing e-mail/SMS, sent by the worker.

`notify` writes the notice and delivery rows and, once the transaction commits, hands the
deliveries to the background worker; it never sends during a request. Called inside the
transaction of the change that causes it, the rows commit or roll back with that change (a
rolled-back change tells no one). `notify_on_commit(...)` writes them after the commit instead,
for callers outside a transaction of their own.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import formataddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.core.permissions import PermissionDenied
from zhichan.notices.models import Channel, Delivery, DeliveryStatus, Notice
from zhichan.notices.sms import get_gateway, is_mobile, normalize_mobile

logger = logging.getLogger("zhichan.notices")

SMS_MAX_CHARS = 300


def _setting(name, default):
    return getattr(settings, name, default)


def absolute_link(link: str) -> str:
    """A page path as a full address for e-mail and SMS (ZHICHAN_SITE_URL + path)."""
    if not link or "://" in link:
        return link
    base = _setting("ZHICHAN_SITE_URL", "").rstrip("/")
    return f"{base}{link}" if base else link


def _is_user(recipient) -> bool:
    return isinstance(recipient, get_user_model())


def _email_ok(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _delivery(channel, address, name, *, kind, subject, body, link, case_id, case_number, key, notice=None):
    """One delivery row; an address that cannot be used is a failed row, never retried."""
    ok = _email_ok(address) if channel == Channel.EMAIL else is_mobile(address)
    if channel == Channel.SMS and ok:
        address = normalize_mobile(address)
    fields = {
        "notice": notice,
        "channel": channel,
        "address": address[:254],
        "name": (name or "")[:100],
        "kind": kind,
        "subject": subject,
        "body": body,
        "link": link[:500],
        "case_id": case_id,
        "case_number": case_number,
        "key": key,
    }
    if not ok:
        fields.update(
            status=DeliveryStatus.FAILED,
            error=(
                _("Not a valid e-mail address.")
                if channel == Channel.EMAIL
                else _("Not a mainland mobile number.")
            ),
        )
    if key:
        try:
            with transaction.atomic():
                delivery, created = Delivery.objects.get_or_create(
                    channel=channel, address=fields["address"], key=key, defaults=fields
                )
        except IntegrityError:  # a concurrent notify with the same key won
            return None
        return delivery if created else None
    return Delivery.objects.create(**fields)


def notify(
    recipients,
    kind: str,
    subject: str,
    body: str,
    *,
    link: str = "",
    case=None,
    key: str = "",
) -> list[Notice]:
    """Tell people something: an inbox notice for each user, e-mail and SMS where there is an address.

    recipients: User objects and/or dicts {"email", "phone", "name"} for people without an account.
    case: any object with a pk (and, if it has one, a `number`); stored as case_id/case_number.
    key: optional; a second notify with the same key reaches nobody twice (for jobs that may rerun).
    Returns the notices created (users only). Call it after commit: see the module's doc.
    """
    if not kind or not subject:
        raise ValueError("notify needs a kind and a subject")
    subject = str(subject)[:200]
    body = str(body or "")
    case_id = getattr(case, "pk", None)
    case_number = str(getattr(case, "number", "") or "")[:60]
    common = {
        "kind": kind[:60],
        "subject": subject,
        "case_id": case_id,
        "case_number": case_number,
        "key": key[:200],
    }
    full_link = absolute_link(link)
    notices: list[Notice] = []
    deliveries: list[Delivery] = []
    seen: set[tuple[str, str]] = set()

    def add(channel, address, name, notice=None):
        address = (address or "").strip()
        if not address:
            return
        norm = normalize_mobile(address) if channel == Channel.SMS else address.lower()
        if (channel, norm) in seen:
            return
        seen.add((channel, norm))
        delivery = _delivery(channel, address, name, body=body, link=full_link, notice=notice, **common)
        if delivery is not None:
            deliveries.append(delivery)

    with transaction.atomic():
        for recipient in recipients:
            if _is_user(recipient):
                if not recipient.is_active or ("user", recipient.pk) in seen:
                    continue
                seen.add(("user", recipient.pk))
                notice = _notice(recipient, link=link, body=body, **common)
                if notice is None:  # already told under this key
                    continue
                notices.append(notice)
                name = str(recipient)
                add(Channel.EMAIL, recipient.email, name, notice)
                add(Channel.SMS, getattr(recipient, "phone", ""), name, notice)
            elif isinstance(recipient, dict):
                name = recipient.get("name", "")
                add(Channel.EMAIL, recipient.get("email", ""), name)
                add(Channel.SMS, recipient.get("phone", ""), name)
            else:
                raise TypeError(f"a recipient is a User or a dict, not {type(recipient).__name__}")
        to_send = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
        if to_send:

            def enqueue_deliveries():
                _enqueue(to_send)

            # robust: a queue that is down must not fail the caller; retry_due takes the rows up later.
            transaction.on_commit(enqueue_deliveries, robust=True)
    return notices


def _notice(user, *, kind, subject, body, link, case_id, case_number, key):
    fields = {
        "recipient": user,
        "kind": kind,
        "subject": subject,
        "body": body,
        "link": link[:500],
        "case_id": case_id,
        "case_number": case_number,
        "key": key,
    }
    if not key:
        return Notice.objects.create(**fields)
    try:
        with transaction.atomic():
            notice, created = Notice.objects.get_or_create(recipient=user, key=key, defaults=fields)
    except IntegrityError:
        return None
    return notice if created else None


def notify_on_commit(recipients, kind: str, subject: str, body: str, **kwargs) -> None:
    """notify(...) once the current transaction commits; nothing at all if it rolls back."""
    recipients = list(recipients)
    transaction.on_commit(lambda: notify(recipients, kind, subject, body, **kwargs))


def _enqueue(ids: list[int]) -> None:
    from zhichan.notices.tasks import send_deliveries, send_delivery

    # One queue entry per notify, not per delivery: each entry costs the queue a write.
    if len(ids) == 1:
        send_delivery(ids[0])
    else:
        send_deliveries(ids)


# Sending ----------------------------------------------------------------------------------


def max_attempts() -> int:
    return int(_setting("ZHICHAN_DELIVERY_MAX_ATTEMPTS", 5))


def retry_base_seconds() -> int:
    return int(_setting("ZHICHAN_DELIVERY_RETRY_SECONDS", 60))


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: base, 2×base, 4×base … after 1, 2, 3 … failed attempts."""
    return timedelta(seconds=retry_base_seconds() * 2 ** max(attempts - 1, 0))


STALE_SENDING = timedelta(minutes=10)  # the default of ZHICHAN_DELIVERY_STALE_SECONDS
ORPHAN_PENDING = timedelta(minutes=2)  # the default of ZHICHAN_DELIVERY_PENDING_SECONDS


def stale_sending() -> timedelta:
    """A row claimed longer ago than this was left by a worker that died, perhaps after sending:
    long enough that a slow send still running is never taken a second time."""
    return timedelta(seconds=int(_setting("ZHICHAN_DELIVERY_STALE_SECONDS", STALE_SENDING.seconds)))


def orphan_pending() -> timedelta:
    """A pending row older than this has lost its task (a worker killed after taking it from the
    queue, or the queue down at enqueue). Taking it early is safe: deliver() claims a row once."""
    return timedelta(seconds=int(_setting("ZHICHAN_DELIVERY_PENDING_SECONDS", ORPHAN_PENDING.seconds)))


def _claimable(now):
    # A row left "sending" by a worker that died is taken up again after a while.
    return (
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, last_attempt_at__lt=now - stale_sending())
    )


def deliver(delivery_id: int) -> str | None:
    """Send one delivery once. Returns its new status, or None when there was nothing to do.

    The row is claimed with one conditional UPDATE, so two workers (or a retried task)
    never both send it, and a delivery already sent is left alone.
    """
    now = timezone.now()
    claimed = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        next_attempt_at=None,
    )
    if not claimed:
        return None
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        _send(delivery)
    except Exception as exc:  # any gateway or mail failure is recorded and retried
        logger.warning("delivery %s (%s) failed: %s", delivery.pk, delivery.channel, exc)
        retry_at = now + backoff(delivery.attempts) if delivery.attempts < max_attempts() else None
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=retry_at,
        )
        return DeliveryStatus.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, error="", sent_at=timezone.now()
    )
    return DeliveryStatus.SENT


def _send(delivery: Delivery) -> None:
    if delivery.channel == Channel.EMAIL:
        to = formataddr((delivery.name, delivery.address)) if delivery.name else delivery.address
        text = f"{delivery.body}\n\n{delivery.link}".strip() if delivery.link else delivery.body
        EmailMessage(delivery.subject, text, None, [to]).send(fail_silently=False)
    else:
        get_gateway().send(delivery.address, sms_text(delivery.subject, delivery.body, delivery.link))


def sms_text(subject: str, body: str, link: str = "") -> str:
    """Subject and body cut to fit SMS_MAX_CHARS, keeping the link whole at the end."""
    room = SMS_MAX_CHARS - (len(link) + 1 if link else 0)
    text = f"{subject}\n{body}".strip()
    if len(text) > room:
        text = text[: max(room - 1, 0)] + "…"
    return f"{text}\n{link}" if link else text


def retry_due(now=None) -> int:
    """Send every delivery whose retry time has come (and any left behind); returns how many tried."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(_claimable(now))
        .exclude(status=DeliveryStatus.PENDING, created_at__gte=now - orphan_pending())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    count = 0
    for pk in list(due):
        if deliver(pk) is not None:
            count += 1
    return count


def do_retry_now(actor, deliveries) -> int:
    """Make failed deliveries due at once (also those given up); returns how many.

    For an operator who fixed the cause (a mail server, a gateway account). Each gets one
    more attempt; if that fails it waits its backoff again, or stays failed at the maximum.
    """
    if actor is None or not actor.is_authenticated or not actor.is_superuser:
        raise PermissionDenied
    ids = [d.pk for d in deliveries if d.status == DeliveryStatus.FAILED and d.attempts > 0]
    now = timezone.now()
    count = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(next_attempt_at=now)
    if ids:

        def enqueue_retries():
            _enqueue(ids)

        transaction.on_commit(enqueue_retries, robust=True)
    return count


# The inbox --------------------------------------------------------------------------------


def do_mark_read(actor, notice: Notice) -> Notice:
    """Mark one of the actor's own notices read; marking it again changes nothing."""
    if notice.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if notice.read_at is None:
        now = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        notice.refresh_from_db(fields=["read_at"])
    return notice


def do_mark_all_read(actor) -> int:
    """Mark all the actor's unread notices read; returns how many changed."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    return Notice.objects.restrict(actor, "change").unread().update(read_at=timezone.now())


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notice.objects.restrict(user).unread().count()
