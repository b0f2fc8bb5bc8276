"""Patent search over HTTP: the search and open counts (everyone), saved searches (their owner's
only; others' answer 404)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.ipdata import open_data
from zhichan.ipdata import search_services as services
from zhichan.ipdata.industry_api import LandscapeOut, landscape_out
from zhichan.ipdata.models import SavedSearch
from zhichan.ipdata.search import patents_for, search_patents
from zhichan.ipdata.search.query import QuerySyntaxError
from zhichan.ipdata.search.service import MAX_PER_PAGE
from zhichan.ipdata.statistics import landscape

router = Router(tags=["patent search"])

FACET_NAMES = ("year", "type", "legal_status", "county", "ipc_class")
READ = {401: Message, 404: Message, 422: FieldErrors}
WRITE = {400: Message, 401: Message, 404: Message, 422: FieldErrors}


class SavedSearchOut(Schema):
    id: int
    name: str
    query: str
    created_at: datetime


class SavedSearchIn(Schema):
    name: str = Field("", max_length=services.MAX_NAME, description="empty: the query is the name")
    query: str = Field("", max_length=services.MAX_QUERY, description="a query of the search language")


class PatentSearchFilters(Schema):
    q: str = Field("", max_length=2000, description="a query of the search language (docs/search.md)")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)
    sort: Literal["relevance", "newest", "oldest"] = "relevance"
    year: list[int] = Field(default_factory=list, max_length=50, description="application years (ORed)")
    type: list[str] = Field(default_factory=list, max_length=3, description="patent types (ORed)")
    legal_status: list[str] = Field(default_factory=list, max_length=4, description="legal statuses (ORed)")
    county: list[str] = Field(default_factory=list, max_length=50, description="county codes (ORed)")
    ipc_class: list[str] = Field(
        default_factory=list, max_length=50, description="main IPC subclasses (ORed)"
    )


class PatentSearchHitOut(Schema):
    application_number: str
    application_date: date | None
    publication_number: str
    patent_type: str
    legal_status: str
    title: str
    applicants: list[str]
    inventors: list[str]
    main_ipc: str
    ipc_codes: list[str]
    region_code: str | None
    score: float
    highlights: dict[str, str] = Field(description="field -> HTML-safe snippet with <mark> around matches")
    url: str = Field(description="the record's page")


class PatentFacetValue(Schema):
    value: str
    count: int


class PatentSearchOut(Schema):
    query: str
    total: int
    page: int
    per_page: int
    hits: list[PatentSearchHitOut]
    facets: dict[str, list[PatentFacetValue]]


@router.get(
    "/search",
    response={200: PatentSearchOut, 422: FieldErrors},
    summary="Search the patent records (everyone)",
)
def search(request, filters: Query[PatentSearchFilters]):
    query = filters.q.replace("\x00", "")
    chosen = {name: getattr(filters, name) for name in FACET_NAMES if getattr(filters, name)}
    try:
        result = search_patents(
            query, filters=chosen, page=filters.page, per_page=filters.per_page, sort=filters.sort
        )
    except QuerySyntaxError as exc:
        raise ValidationError({"q": [str(exc)]}) from exc
    hits = []
    for patent, hit in patents_for(result):
        hits.append(
            {
                "application_number": patent.application_number,
                "application_date": patent.application_date,
                "publication_number": patent.publication_number,
                "patent_type": patent.patent_type,
                "legal_status": patent.legal_status,
                "title": patent.title,
                "applicants": patent.applicants or [],
                "inventors": patent.inventors or [],
                "main_ipc": patent.main_ipc,
                "ipc_codes": patent.ipc_codes or [],
                "region_code": patent.region.code if patent.region_id else None,
                "score": hit.score,
                "highlights": dict(hit.highlights),
                "url": reverse("ipdata:patent", args=[patent.application_number]),
            }
        )
    facets = {
        name: [{"value": str(value), "count": count} for value, count in values]
        for name, values in result.facets.items()
    }
    return {
        "query": query,
        "total": result.total,
        "page": filters.page,
        "per_page": filters.per_page,
        "hits": hits,
        "facets": facets,
    }


class PatentStatisticsFilters(Schema):
    q: str = Field("", max_length=2000, description="a query of the search language (docs/search.md)")
    year: list[int] = Field(default_factory=list, max_length=50, description="application years (ORed)")
    type: list[str] = Field(default_factory=list, max_length=3, description="patent types (ORed)")
    legal_status: list[str] = Field(default_factory=list, max_length=4, description="legal statuses (ORed)")
    county: list[str] = Field(default_factory=list, max_length=50, description="county codes (ORed)")
    ipc_class: list[str] = Field(
        default_factory=list, max_length=50, description="main IPC subclasses (ORed)"
    )
    top: int = Field(20, ge=1, le=100, description="length of the top lists")


@router.get(
    "/search/statistics",
    response={200: LandscapeOut, 422: FieldErrors},
    summary="Statistics of everything a search finds (everyone): trend, types, legal status, IPC, "
    "counties, top applicants and inventors",
)
def search_statistics(request, filters: Query[PatentStatisticsFilters]):
    query = filters.q.replace("\x00", "")
    chosen = {name: getattr(filters, name) for name in FACET_NAMES if getattr(filters, name)}
    try:
        ls = landscape(query, filters=chosen, top=filters.top)
    except QuerySyntaxError as exc:
        raise ValidationError({"q": [str(exc)]}) from exc
    return landscape_out(ls)


class OpenCountOut(Schema):
    key: str
    count: int


class OpenCountyCountOut(Schema):
    key: str = Field(description="the county's code")
    name: str
    count: int


class OpenPatentCountsOut(Schema):
    total: int
    by_year: list[OpenCountOut] = Field(description="key: the application year")
    by_type: list[OpenCountOut]
    by_legal_status: list[OpenCountOut]
    by_county: list[OpenCountyCountOut] = Field(
        description="the city's counties; a park counts for its county"
    )


class OpenTrademarkCountsOut(Schema):
    total: int
    by_class: list[OpenCountOut] = Field(description="key: the Nice class")
    by_status: list[OpenCountOut]


class OpenStatisticsOut(Schema):
    patents: OpenPatentCountsOut
    trademarks: OpenTrademarkCountsOut


@router.get(
    "/open/statistics",
    response={200: OpenStatisticsOut},
    summary="Public counts of the patent and trademark records (everyone)",
)
def open_statistics(request):
    return open_data.public_statistics()


@router.get(
    "/saved-searches",
    response={200: list[SavedSearchOut], **READ},
    auth=django_auth,
    summary="My saved searches",
)
@paginate(BoundedPagination)
def list_saved_searches(request):
    return SavedSearch.objects.restrict(request.user, VIEW)


@router.post(
    "/saved-searches",
    response={201: SavedSearchOut, **WRITE},
    auth=django_auth,
    summary="Save a search (saving the same query again returns the saved one)",
)
def create_saved_search(request, payload: SavedSearchIn):
    return Status(201, services.do_save_search(request.user, payload.dict()))


@router.get(
    "/saved-searches/{search_id}",
    response={200: SavedSearchOut, **READ},
    auth=django_auth,
    summary="A saved search",
)
def get_saved_search(request, search_id: int):
    return get_restricted_or_404(SavedSearch.objects.all(), request.user, VIEW, pk=search_id)


@router.delete(
    "/saved-searches/{search_id}",
    response={204: None, **WRITE},
    auth=django_auth,
    summary="Delete a saved search",
)
def delete_saved_search(request, search_id: int):
    saved = get_restricted_or_404(SavedSearch.objects.all(), request.user, CHANGE, pk=search_id)
    services.do_delete_search(request.user, saved)
    return Status(204, None)
