"""Saved searches: a signed-in user keeps queries under a name, and deletes them."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhichan.core.permissions import CHANGE, PermissionDenied
from zhichan.ipdata.models import SavedSearch, SavedSearchEvent
from zhichan.ipdata.search.query import QuerySyntaxError
from zhichan.ipdata.search.service import parse_query

MAX_QUERY = 2000
MAX_NAME = 100
MAX_PER_USER = 200


def digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _clean(data: dict) -> tuple[str, str]:
    query = " ".join(str(data.get("query") or "").split())
    name = " ".join(str(data.get("name") or "").split())
    errors = {}
    if len(query) > MAX_QUERY:
        errors["query"] = [_("A query has at most %(n)d characters.") % {"n": MAX_QUERY}]
    else:
        try:
            parse_query(query)
        except QuerySyntaxError as exc:
            errors["query"] = [str(exc)]
    if len(name) > MAX_NAME:
        errors["name"] = [_("A name has at most %(n)d characters.") % {"n": MAX_NAME}]
    if errors:
        raise ValidationError(errors)
    if not name:
        name = query[:MAX_NAME] or _("All patents")
    return name, query


def do_save_search(actor, data: dict) -> SavedSearch:
    """Save a query under a name; saving a query the user already saved returns that one."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    name, query = _clean(data)
    key = digest(query)
    with transaction.atomic():
        existing = SavedSearch.objects.filter(owner=actor, query_digest=key).first()
        if existing is not None:
            return existing
        if SavedSearch.objects.filter(owner=actor).count() >= MAX_PER_USER:
            message = _("You can keep at most %(n)d searches.") % {"n": MAX_PER_USER}
            raise ValidationError({"query": [message]})
        try:
            with transaction.atomic():
                saved = SavedSearch.objects.create(owner=actor, name=name, query=query, query_digest=key)
        except IntegrityError:
            # A second submission of the same search that raced this one: keep the first.
            return SavedSearch.objects.get(owner=actor, query_digest=key)
        SavedSearchEvent.objects.create(kind="saved", actor=actor, search=saved, data={"query": query})
        return saved


def do_delete_search(actor, search: SavedSearch) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    with transaction.atomic():
        locked = SavedSearch.objects.restrict(actor, CHANGE).select_for_update().filter(pk=search.pk).first()
        if locked is None:
            raise PermissionDenied
        SavedSearchEvent.objects.create(
            kind="deleted", actor=actor, data={"id": locked.pk, "name": locked.name, "query": locked.query}
        )
        locked.delete()
