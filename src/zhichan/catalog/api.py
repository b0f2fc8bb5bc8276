"""The service catalogue over HTTP: the same services and access rules as the pages.

The public reads published items and their numbered versions; drafts and changes are
for those who may change the item (others get 404, as for a missing item).
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import ConfigDict

from zhichan.agencies.models import AgencyType
from zhichan.catalog import services
from zhichan.catalog.filters import filter_items
from zhichan.catalog.models import Category, Channel, GuideStatus, GuideVersion, ServiceItem
from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW

router = Router(tags=["catalog"])


class Material(Schema):
    name: str
    copies: int | None = None
    required: bool | None = None
    note: str | None = None


class LegalBasis(Schema):
    law: str
    article: str | None = None


class Faq(Schema):
    q: str
    a: str


class GuideOut(Schema):
    number: int | None = Field(..., description="null for the draft")
    status: str
    steps: list[str]
    materials: list[Material]
    fees: str
    legal_basis: list[LegalBasis]
    time_limit_days: int | None
    time_limit_note: str
    channels: list[str]
    agency_types: list[str]
    faq: list[Faq]
    change_note: str
    published_at: datetime | None
    edited_at: datetime


class ItemOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    summary: str
    owner_region: str | None
    sort: int
    published: bool
    current_version: int | None
    provider_id: int | None = Field(
        description="the outside provider offering it; null: a government service"
    )
    provider: str | None = Field(description="the provider's name")
    price: Decimal | None = Field(description="a provider offer's price in yuan (0: free); null otherwise")

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.display_name if obj.provider_id else None

    @staticmethod
    def resolve_price(obj):
        offer = getattr(obj, "offer", None) if obj.provider_id else None
        return offer.price if offer is not None else None

    @staticmethod
    def resolve_owner_region(obj):
        return obj.owner_region.code if obj.owner_region_id else None

    @staticmethod
    def resolve_current_version(obj):
        return obj.current.number if obj.current_id else None


class ItemDetailOut(ItemOut):
    current: GuideOut | None


# Input constraints mirror the service rules, so the OpenAPI document says what is accepted.
# The database cannot store NUL characters; required texts need a visible character.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
RequiredText = Annotated[str, Field(min_length=1, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")]
Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9-]{1,29}$", description="e.g. TM-REG")]


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class MaterialIn(InputSchema):
    name: RequiredText
    copies: int = Field(None, ge=1, le=99)
    required: bool = None
    note: Text = None


class LegalBasisIn(InputSchema):
    law: RequiredText
    article: Text = None


class FaqIn(InputSchema):
    q: RequiredText
    a: RequiredText


class ItemCreate(InputSchema):
    code: Code
    name: Annotated[RequiredText, Field(max_length=150)]
    name_en: Annotated[Text, Field(max_length=200)] = ""
    category: Category
    summary: Text = ""
    sort: int = Field(0, ge=0, le=1_000_000)
    owner_region: Text | None = Field(None, description="region code; county administrators: own county")


class ItemPatch(InputSchema):
    """Fields left out are unchanged."""

    name: Annotated[RequiredText, Field(max_length=150)] = None
    name_en: Annotated[Text, Field(max_length=200)] = None
    category: Category = None
    summary: Text = None
    sort: int = Field(None, ge=0, le=1_000_000)


class DraftIn(InputSchema):
    """Fields left out keep their value; a new draft starts from the version in force."""

    steps: list[RequiredText] = Field(None, min_length=1)
    materials: list[MaterialIn] = None
    fees: Text = None
    legal_basis: list[LegalBasisIn] = None
    time_limit_days: int = Field(None, ge=1, le=services.MAX_TIME_LIMIT_DAYS, description="working days")
    time_limit_note: Annotated[Text, Field(max_length=200)] = None
    channels: list[Channel] = None
    agency_types: list[AgencyType] = None
    faq: list[FaqIn] = None


class PublishIn(InputSchema):
    change_note: Annotated[Text, Field(max_length=255)] = Field(
        "", description="what changed; required from the second version on"
    )


def _items(user, action=VIEW):
    return ServiceItem.objects.restrict(user, action).select_related(
        "owner_region", "current", "provider", "offer"
    )


@router.get("/items", response={200: list[ItemOut], 422: FieldErrors}, summary="List service items")
@paginate(BoundedPagination)
def list_items(request, category: Category | None = None, q: str | None = None):
    qs = filter_items(_items(request.user), q=q, category=category)
    return qs.order_by("category", "sort", "code")


@router.post(
    "/items",
    response={
        201: ItemOut,
        400: Message,
        401: Message,
        403: Message,
        404: Message,
        409: FieldErrors,
        422: FieldErrors,
    },
    auth=django_auth,
    summary="Create a service item (unpublished until its guide is published; 409 if the code is taken)",
)
def create_item(request, payload: ItemCreate):
    data = payload.dict()
    try:
        item = services.do_create_item(
            request.user, data.pop("code"), data.pop("name"), data.pop("category"), **data
        )
    except services.DuplicateCode as exc:
        detail = [{"field": k, "errors": v} for k, v in exc.message_dict.items()]
        return Status(409, {"detail": detail})
    return Status(201, _items(request.user).get(pk=item.pk))


@router.get(
    "/items/{code}",
    response={200: ItemDetailOut, 404: Message, 422: FieldErrors},
    summary="One item with its guide",
)
def get_item(request, code: str):
    return services.get_item_or_404(request.user, VIEW, code, _items(request.user))


@router.patch(
    "/items/{code}",
    response={200: ItemOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Change an item's details",
)
def patch_item(request, code: str, payload: ItemPatch):
    item = services.get_item_or_404(request.user, CHANGE, code)
    changes = payload.dict(exclude_unset=True)
    services.do_update_item(request.user, item, **changes)
    return _items(request.user).get(pk=item.pk)


def _draft_or_404(request, code) -> tuple[ServiceItem, GuideVersion | None]:
    item = services.get_item_or_404(request.user, CHANGE, code)
    return item, services.draft_of(item)


@router.get(
    "/items/{code}/draft",
    response={200: GuideOut, 404: Message, 422: FieldErrors},
    summary="The draft of the next version",
)
def get_draft(request, code: str):
    item, draft = _draft_or_404(request, code)
    if draft is None:
        return Status(404, {"detail": "Not Found"})
    return draft


@router.put(
    "/items/{code}/draft",
    response={200: GuideOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Create or update the draft",
)
def put_draft(request, code: str, payload: DraftIn):
    item, _draft = _draft_or_404(request, code)
    fields = payload.dict(exclude_unset=True)
    for key in ("materials", "legal_basis", "faq"):
        if fields.get(key) is not None:
            fields[key] = [{k: v for k, v in entry.items() if v is not None} for entry in fields[key]]
    return services.do_save_draft(request.user, item, **fields)


@router.post(
    "/items/{code}/publish",
    response={
        200: GuideOut,
        400: Message,
        401: Message,
        403: Message,
        404: Message,
        409: FieldErrors,
        422: FieldErrors,
    },
    auth=django_auth,
    summary="Publish the draft as the next version (409 when there is no draft)",
)
def publish(request, code: str, payload: PublishIn):
    item = services.get_item_or_404(request.user, CHANGE, code)
    return services.do_publish(request.user, item, payload.change_note)


def _versions(request, code):
    item = services.get_item_or_404(request.user, VIEW, code)
    return item.versions.exclude(status=GuideStatus.DRAFT).filter(number__isnull=False)


@router.get(
    "/items/{code}/versions",
    response={200: list[GuideOut], 404: Message, 422: FieldErrors},
    summary="Published versions, newest first",
)
def list_versions(request, code: str):
    return _versions(request, code).order_by("-number")


@router.get(
    "/items/{code}/versions/{number}",
    response={200: GuideOut, 404: Message, 422: FieldErrors},
    summary="One published version",
)
def get_version(request, code: str, number: int):
    version = _versions(request, code).filter(number=number).first()
    if version is None:
        return Status(404, {"detail": "Not Found"})
    return version
