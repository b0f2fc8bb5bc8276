"""One filter definition for the catalogue list page and the API."""

from django.db.models import Q

from zhichan.catalog.models import Category


def clean_query(value) -> str:
    # PostgreSQL text cannot hold NUL; such input matches nothing rather than failing.
    return (value or "").replace("\x00", "").strip()


# Who offers an item: the government's own network, or an outside provider (docs/providers.md).
SOURCES = ("government", "providers")


def filter_items(qs, *, q=None, category=None, source=None):
    q = clean_query(q)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q) | Q(summary__icontains=q)
        )
    if category in Category.values:
        qs = qs.filter(category=category)
    if source == "government":
        qs = qs.filter(provider__isnull=True)
    elif source == "providers":
        qs = qs.filter(provider__isnull=False)
    return qs
