"""The application's patent search: one function for pages, API and commands, and the index upkeep.

    search_patents("TI=电池 AND AD>=2020", filters={"type": ["invention"]}, page=2)
    aggregate_patents("PA=太原理工大学", filters=...)   the figures over the whole result set
    index_patents([ids])     after an import or an edit: the index follows the database
    index_patents_on_commit([ids])   the same, once the caller's transaction has committed
    remove_patents([ids])    after a deletion
    rebuild(progress=print)  the whole index from the database (`zhichan search_index rebuild`)

The backend comes from settings.ZHICHAN_SEARCH_BACKEND ("tantivy", the default, or "postgres").
Patent records are public: every user, anonymous too, searches all of them.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhichan.ipdata.models import Patent
from zhichan.ipdata.search.backends.base import AGGREGATE_TOP, Aggregation, SearchBackend, SearchResult
from zhichan.ipdata.search.documents import documents_from_queryset
from zhichan.ipdata.search.query import Query, parse
from zhichan.regions.models import Region, RegionKind

log = logging.getLogger(__name__)

MAX_PER_PAGE = 100
ID_CHUNK = 1000
_backends: dict = {}
_backends_lock = threading.Lock()


def get_backend() -> SearchBackend:
    """The configured backend, one per process and configuration."""
    name = settings.ZHICHAN_SEARCH_BACKEND
    key = (name, str(settings.ZHICHAN_SEARCH_DIR))
    backend = _backends.get(key)
    if backend is None:
        with _backends_lock:
            backend = _backends.get(key)
            if backend is None:
                backend = _backends[key] = _make_backend(name)
    return backend


def _make_backend(name: str) -> SearchBackend:
    if name == "postgres":
        from zhichan.ipdata.search.backends.postgres_backend import PostgresBackend

        return PostgresBackend()
    from zhichan.ipdata.search.backends.tantivy_backend import TantivyBackend

    return TantivyBackend(settings.ZHICHAN_SEARCH_DIR / "tantivy")


def reset_backends() -> None:
    """Forget the open backends (tests; after the index directory was replaced)."""
    with _backends_lock:
        for backend in _backends.values():
            backend.close()
        _backends.clear()


# --- searching ----------------------------------------------------------------------------------


def county_code(value: str) -> str | None:
    """The county a COUNTY= value names: a code, a name, or a name without 区/县/市."""
    value = value.strip()
    counties = Region.objects.filter(kind=RegionKind.COUNTY)
    region = counties.filter(code=value).first() or counties.filter(name=value).first()
    if region is None and value:
        matches = list(counties.filter(name__startswith=value)[:2])
        region = matches[0] if len(matches) == 1 else None
    return region.code if region else None


def parse_query(query_string: str) -> Query:
    """The parsed query, counties resolved; QuerySyntaxError (with its position) when malformed."""
    return parse(query_string, counties=county_code)


def search_patents(
    query_string: str,
    *,
    filters: dict | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    user=None,
    facets: bool = True,
    highlight: bool = True,
) -> SearchResult:
    """One page of patents matching the query (see docs/search.md), with facets and highlights.

    Raises QuerySyntaxError for a malformed query and ValidationError for bad filters or paging.
    `user` is accepted for the access rule; patent records are public, so it narrows nothing.
    """
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"page": [_("Page and page size must be whole numbers.")]}) from exc
    if page < 1:
        raise ValidationError({"page": [_("Pages are numbered from 1.")]})
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError(
            {"per_page": [_("Show between 1 and %(n)d results per page.") % {"n": MAX_PER_PAGE}]}
        )
    query = parse_query(query_string or "")
    return get_backend().search(
        query,
        filters=filters,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
        facets=facets,
        highlight=highlight,
    )


def aggregate_patents(
    query_string: str, *, filters: dict | None = None, top: int = AGGREGATE_TOP, user=None
) -> Aggregation:
    """The figures over every patent the query and filters find (the statistics' source).

    Raises QuerySyntaxError and ValidationError as search_patents does. Patent records are
    public: `user` narrows nothing.
    """
    return get_backend().aggregate(parse_query(query_string or ""), filters=filters, top=top)


def patents_for(result: SearchResult) -> list[tuple[Patent, object]]:
    """(patent, hit) pairs in the result's order; hits whose patent is gone are left out."""
    patents = Patent.objects.select_related("region").in_bulk([hit.id for hit in result.hits])
    return [(patents[hit.id], hit) for hit in result.hits if hit.id in patents]


# --- keeping the index in step --------------------------------------------------------------------


def index_patents(ids, progress=None) -> int:
    """Index (or re-index) these patents from the database; ids no longer there are removed.

    Call it after the transaction that wrote the patents has committed (imports run it in the
    worker once a job's rows are saved). `progress()` is called between chunks. Returns the
    number of documents written.
    """
    ids = sorted({int(i) for i in ids})
    backend = get_backend()
    written = 0
    for start in range(0, len(ids), ID_CHUNK):
        if progress is not None:
            progress()
        chunk = ids[start : start + ID_CHUNK]
        seen = []

        def docs(chunk=chunk, seen=seen):
            for doc in documents_from_queryset(Patent.objects.filter(id__in=chunk)):
                seen.append(doc["id"])
                yield doc

        written += backend.index(docs())
        gone = set(chunk) - set(seen)
        if gone:
            backend.delete(gone)
    backend.commit()
    return written


def index_import_job(job, progress=None) -> int:
    """Index the patents an import job created or changed (the job is their source_job)."""
    ids = Patent.objects.filter(source_job=job).values_list("id", flat=True)
    return index_patents(ids.iterator(chunk_size=ID_CHUNK), progress)


def index_patents_on_commit(ids) -> None:
    """index_patents(ids) once the current transaction commits (at once when there is none)."""
    ids = list(ids)
    transaction.on_commit(lambda: index_patents(ids))


def remove_patents(ids) -> int:
    ids = [int(i) for i in ids]
    backend = get_backend()
    backend.delete(ids)
    backend.commit()
    return len(ids)


def rebuild(progress=None, workers: int | None = None) -> int:
    """Build the whole index from the database, streaming (bounded memory at any size).

    Searches see the old index until the new one is committed. `progress(n)` is called every
    few thousand documents; `workers` processes prepare documents (default: the CPUs beyond two,
    which the index writer and the database use).
    """
    backend = get_backend()
    if workers is None:
        workers = max(1, (os.cpu_count() or 1) - 2)
    docs = documents_from_queryset(Patent.objects.order_by("id"))
    if backend.name == "postgres":
        with transaction.atomic():  # other connections keep the old rows until the end
            backend.clear()
            n = backend.index(docs, replace=False)
    else:
        backend.clear()
        try:
            n = backend.index(docs, replace=False, workers=workers, progress=progress)
            backend.commit()
        except BaseException:
            backend.rollback()
            raise
    if progress:
        progress(n)
    return n


def status() -> dict:
    """The backend's figures and how many patents the database holds."""
    stats = get_backend().stats()
    stats["patents_in_database"] = Patent.objects.count()
    return stats
