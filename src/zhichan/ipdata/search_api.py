"""Patent search over HTTP: saved searches (their owner's only; others' answer 404)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.ipdata import search_services as services
from zhichan.ipdata.models import SavedSearch

router = Router(tags=["patent search"])

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
