"""Restrict-by-user querysets: every query that returns records goes through these.

A model's queryset subclasses RestrictedQuerySet and implements `for_role`, which
returns the rows a user of that role may see ("view") or change ("change"). Pages
and API call `Model.objects.restrict(user, action)`; a row outside it answers 404,
whether it is missing or forbidden.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404

VIEW = "view"
CHANGE = "change"
ACTIONS = (VIEW, CHANGE)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if user is not None and user.is_authenticated and user.is_superuser:
            return self
        return self.for_role(user, action)

    def for_role(self, user, action: str):  # pragma: no cover - each model says its rule
        raise NotImplementedError(f"{self.model.__name__} has no access rule")


def get_restricted_or_404(queryset: RestrictedQuerySet, user, action: str = VIEW, **lookup):
    try:
        return queryset.restrict(user, action).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def role_of(user) -> str:
    """The user's role, or "anonymous"."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.role


class PermissionDenied(Exception):
    """Raised by service functions when the acting user may not do what was asked."""
