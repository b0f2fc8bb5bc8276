"""Inbox filters, shared by the API and the staff pages."""

from django.db.models import Q
from django.utils import timezone

from zhichan.cases import deadlines
from zhichan.cases.models import RUNNING
from zhichan.regions.models import Region


def filter_cases(
    qs,
    *,
    status=None,
    type=None,  # noqa: A002 - the API's parameter name
    region=None,
    owner=None,
    overdue=None,
    due_soon=None,
    handler=None,
    q=None,
    user=None,
    now=None,
):
    now = now or timezone.now()
    if any("\x00" in str(v) for v in (region, handler, q) if v):
        return qs.none()  # PostgreSQL cannot compare text with NUL; no case matches it anyway
    if status:
        qs = qs.filter(status=getattr(status, "value", status))
    if type:
        qs = qs.filter(type=getattr(type, "value", type))
    if region:
        found = Region.objects.filter(code=region).first()
        qs = qs.filter(region_id__in=found.subtree_ids()) if found else qs.none()
    if owner:
        qs = qs.filter(owner_id=owner)
    if overdue is not None:
        late = Q(status__in=RUNNING, deadline__lt=now)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if due_soon:
        horizon = deadlines.warn_horizon(now)
        qs = qs.filter(status__in=RUNNING, deadline__gte=now, deadline__lte=horizon)
    if handler:
        if handler == "me":
            qs = qs.filter(handler_id=getattr(user, "pk", None))
        elif handler == "none":
            qs = qs.filter(handler__isnull=True)
        elif str(handler).isdigit():
            qs = qs.filter(handler_id=int(handler))
        else:
            qs = qs.none()
    if q:
        q = q.strip()
        qs = qs.filter(Q(number__iexact=q) | Q(subject__icontains=q) | Q(requester_name__icontains=q))
    return qs
