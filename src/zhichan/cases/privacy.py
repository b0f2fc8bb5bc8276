"""Who sees a requester's identity in full, and the log of who saw it.

The need: the agency that owns the case (its staff and administrators, the handler among
them) and the requester's own account. Everyone else who may open the case — county and
city administrators, a parent agency's administrator — sees it masked (core.privacy) and
may reveal it with "show contact details", which is logged. Every full view by staff is
logged in IdentityView, at most one row per case, user and minute.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhichan.cases.models import Case, IdentityView
from zhichan.core.privacy import mask_email, mask_name, mask_phone

IDENTITY_FIELDS = ("requester_name", "requester_phone", "requester_email")
QUIET = dt.timedelta(minutes=1)


def has_need(user, case: Case) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if case.requester_user_id and case.requester_user_id == user.pk:
        return True
    return bool(user.agency_id) and user.agency_id == case.owner_id


def identity(case: Case, full: bool) -> dict:
    """The requester's name, phone and e-mail, in full or masked ("" for an anonymous case)."""
    if case.anonymous:
        return {"requester_name": "", "requester_phone": "", "requester_email": ""}
    if full:
        return {name: getattr(case, name) for name in IDENTITY_FIELDS}
    return {
        "requester_name": mask_name(case.requester_name),
        "requester_phone": mask_phone(case.requester_phone),
        "requester_email": mask_email(case.requester_email),
    }


def shows_identity(case: Case) -> bool:
    return not case.anonymous and any(getattr(case, name) for name in IDENTITY_FIELDS)


def log_identity_view(user, case: Case, *, revealed: bool = False, channel: str = "page"):
    """Record that `user` saw the identity; a repeat within a minute writes nothing."""
    if not shows_identity(case) or case.requester_user_id == user.pk:
        return None
    since = timezone.now() - QUIET
    recent = IdentityView.objects.filter(case=case, user=user, at__gte=since)
    if revealed:
        recent = recent.filter(revealed=True)
    if recent.exists():
        return None
    return IdentityView.objects.create(case=case, user=user, revealed=revealed, channel=channel[:10])


def identity_for(user, case: Case, *, reveal: bool = False, channel: str = "page") -> tuple[dict, bool]:
    """(identity to show, whether it is in full), logging a full view by staff."""
    full = has_need(user, case) or reveal
    if full:
        log_identity_view(user, case, revealed=reveal and not has_need(user, case), channel=channel)
    return identity(case, full), full
