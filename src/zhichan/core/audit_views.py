"""The audit log page (/audit/) and its API (/api/v1/audit/): administrative changes, filtered.

City administrators read every entry, county administrators those of their county's records
(AuditEntryQuerySet); anyone else gets 404.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhichan.core.api import AuditEntryOut, BoundedPagination, FieldErrors
from zhichan.core.models import AuditAction, AuditEntry
from zhichan.core.permissions import VIEW, role_of

READERS = ("city_admin", "county_admin")
PAGE_SIZE = 50


def may_read(user) -> bool:
    return user.is_authenticated and (user.is_superuser or role_of(user) in READERS)


def _date(value):
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def filter_entries(qs, *, actor=None, kind=None, action=None, since=None, until=None):
    """`actor`: part of a user name; `kind`: "app_label.model"; dates inclusive, local days."""
    if actor:
        qs = qs.filter(actor__username__icontains=actor.strip()[:150])
    if kind and "." in kind:
        app_label, _, model = kind.partition(".")
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if action in AuditAction.values:
        qs = qs.filter(action=action)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def _kinds(qs):
    ids = qs.order_by().values_list("content_type_id", flat=True).distinct()
    kinds = []
    for ct in ContentType.objects.filter(pk__in=list(ids)):
        model = ct.model_class()
        label = model._meta.verbose_name_plural if model is not None else ct.model
        kinds.append((f"{ct.app_label}.{ct.model}", str(label)))
    return sorted(kinds, key=lambda k: k[1])


@login_required
def audit_log(request):
    if not may_read(request.user):
        raise Http404
    visible = AuditEntry.objects.restrict(request.user, VIEW)
    chosen = {
        name: (request.GET.get(name) or "").strip()[:150]
        for name in ("actor", "kind", "action", "since", "until")
    }
    if "\x00" in "".join(chosen.values()):
        chosen = dict.fromkeys(chosen, "")
    qs = filter_entries(
        visible.select_related("actor", "content_type"),
        actor=chosen["actor"],
        kind=chosen["kind"],
        action=chosen["action"],
        since=_date(chosen["since"]),
        until=_date(chosen["until"]),
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "chosen": chosen,
            "kinds": _kinds(visible),
            "actions": AuditAction.choices,
            "query": params.urlencode(),
        },
    )


router = Router(tags=["audit"])


class AuditFilters(Schema):
    actor: str | None = Field(None, max_length=150, description="part of the acting user's name")
    kind: str | None = Field(
        None, max_length=100, pattern=r"^[a-z_]+\.[a-z_]+$", description="app_label.model"
    )
    action: AuditAction | None = None
    since: dt.date | None = Field(None, description="from this day (inclusive)")
    until: dt.date | None = Field(None, description="to this day (inclusive)")


@router.get(
    "/",
    response={200: list[AuditEntryOut], 422: FieldErrors},
    summary="Administrative changes the caller may read (city and county administrators), newest first",
)
@paginate(BoundedPagination)
def list_entries(request, filters: Query[AuditFilters]):
    if not may_read(request.user):
        return AuditEntry.objects.none()
    return filter_entries(
        AuditEntry.objects.restrict(request.user, VIEW).select_related("actor", "content_type"),
        actor=filters.actor,
        kind=filters.kind,
        action=filters.action,
        since=filters.since,
        until=filters.until,
    )
