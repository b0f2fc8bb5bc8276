"""One filter for the finder page and the API list."""

from __future__ import annotations

from django.db.models import Q

from zhichan.regions.models import Region


def clean_text(value) -> str:
    # NUL cannot be stored or compared in PostgreSQL text; it never belongs in a search.
    return (value or "").replace("\x00", "").strip()


def filter_agencies(qs, *, region=None, service=None, type=None, function=None, q=None, status=None):
    """Narrow an (already restricted) agency queryset; a county includes its parks."""
    region, service, type, function, q, status = map(clean_text, (region, service, type, function, q, status))
    if region:
        found = Region.objects.filter(code=region).first()
        qs = qs.filter(region_id__in=found.subtree_ids()) if found else qs.none()
    if service:
        qs = qs.filter(services__code=service)
    if type:
        qs = qs.filter(type=type)
    if function:
        qs = qs.filter(functions__function=function)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(address__icontains=q))
    return qs.distinct()
