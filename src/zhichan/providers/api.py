"""Outside providers over HTTP (/api/v1/providers/): the same services and access rules as the pages.

Anyone applies and reads approved providers and listed offers; administrators review
applications; a provider's administrator manages its offers. Forbidden answers 404.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from ninja import Field, File, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import ConfigDict

from zhichan.agencies.models import Function
from zhichan.cases.api import WRITE, IntakeOut, anyone
from zhichan.catalog.models import Category
from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.providers import records, services
from zhichan.providers.models import (
    ApplicationStatus,
    Offer,
    ProviderApplication,
)

try:
    from ninja import Status as Reply
except ImportError:  # django-ninja before Status

    def Reply(code, body):  # noqa: N802
        return code, body


router = Router(tags=["providers"])

Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class ProviderInput(Schema):
    model_config = ConfigDict(extra="forbid")


# --- schemas ------------------------------------------------------------------------------------


class ProviderApplicationIn(ProviderInput):
    name: Annotated[Text, Field(max_length=150)]
    type: Annotated[
        Text, Field(max_length=30, description="university, library, social_org or market_provider")
    ]
    region_code: Annotated[Text, Field(max_length=20, description="the county (or park) code")]
    address: Annotated[Text, Field(max_length=255)]
    contact_person: Annotated[Text, Field(max_length=50)]
    phone: Annotated[Text, Field(max_length=50)]
    email: Annotated[Text, Field(max_length=254)]
    uscc: Annotated[Text, Field(max_length=40, description="unified social credit code (GB 32100-2015)")]
    services: Annotated[Text, Field(max_length=5000, description="the services the organisation offers")]
    functions: list[Function] = Field(default_factory=list)


class ProviderEvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    at: datetime


class ProviderApplicationStatusOut(Schema):
    """What the applicant sees through the status token."""

    name: str
    type: str
    status: str
    reason: str
    created_at: datetime
    decided_at: datetime | None
    evidence: list[ProviderEvidenceOut]

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class ProviderApplicationCreatedOut(ProviderApplicationStatusOut):
    token: str
    status_link: str


class ProviderApplicationOut(Schema):
    id: int
    name: str
    type: str
    region_code: str
    address: str
    contact_person: str
    phone: str
    email: str
    uscc: str
    services: str
    functions: list[str]
    status: str
    reason: str
    created_at: datetime
    decided_at: datetime | None
    agency_id: int | None
    account_username: str | None
    evidence: list[ProviderEvidenceOut]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_account_username(obj):
        return obj.account.username if obj.account_id else None

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class ProviderEventOut(Schema):
    at: datetime
    kind: str
    from_state: str
    to_state: str
    note: str
    actor: str | None

    @staticmethod
    def resolve_actor(obj):
        return str(obj.actor) if obj.actor_id else None


class ProviderApproveIn(ProviderInput):
    functions: list[Function] | None = Field(None, description="leave out to keep the functions applied for")
    note: Annotated[Text, Field(max_length=2000)] = ""


class ProviderRejectIn(ProviderInput):
    reason: Annotated[Text, Field(max_length=2000)]


class ProviderOfferOut(Schema):
    id: int
    code: str
    title: str
    title_en: str
    description: str
    category: str
    price: Decimal
    free: bool
    counties: list[str]
    capacity_note: str
    time_limit_days: int | None
    listed: bool
    provider_id: int
    provider_name: str

    @staticmethod
    def resolve_code(obj):
        return obj.item.code

    @staticmethod
    def resolve_title(obj):
        return obj.item.name

    @staticmethod
    def resolve_title_en(obj):
        return obj.item.name_en

    @staticmethod
    def resolve_description(obj):
        return obj.item.summary

    @staticmethod
    def resolve_category(obj):
        return obj.item.category

    @staticmethod
    def resolve_free(obj):
        return obj.is_free

    @staticmethod
    def resolve_counties(obj):
        return [r.code for r in obj.counties.all()]

    @staticmethod
    def resolve_time_limit_days(obj):
        return obj.item.current.time_limit_days if obj.item.current_id else None

    @staticmethod
    def resolve_listed(obj):
        return obj.item.published

    @staticmethod
    def resolve_provider_id(obj):
        return obj.item.provider_id

    @staticmethod
    def resolve_provider_name(obj):
        return obj.item.provider.name


class ProviderOut(Schema):
    id: int
    name: str
    name_en: str
    type: str
    region_code: str
    address: str
    phone: str
    email: str
    website: str
    description: str
    status: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code


class ProviderDetailOut(ProviderOut):
    offers: list[ProviderOfferOut]


Price = Annotated[
    Decimal, Field(ge=0, le=Decimal("99999999"), decimal_places=2, description="yuan; 0 for free")
]


class ProviderOfferIn(ProviderInput):
    title: Annotated[Text, Field(max_length=150)]
    title_en: Annotated[Text, Field(max_length=200)] = ""
    description: Annotated[Text, Field(max_length=5000)]
    category: Category
    price: Price = Decimal("0")
    counties: list[Annotated[Text, Field(max_length=20)]] = Field(
        default_factory=list, description="region codes"
    )
    capacity_note: Annotated[Text, Field(max_length=200)] = ""
    time_limit_days: int = Field(services.DEFAULT_TIME_LIMIT_DAYS, ge=1, le=365)
    steps: list[Annotated[Text, Field(max_length=500)]] | None = None


class ProviderOfferPatch(ProviderInput):
    """Fields left out are unchanged."""

    title: Annotated[Text, Field(max_length=150)] = None
    title_en: Annotated[Text, Field(max_length=200)] = None
    description: Annotated[Text, Field(max_length=5000)] = None
    category: Category = None
    price: Price = None
    counties: list[Annotated[Text, Field(max_length=20)]] = None
    capacity_note: Annotated[Text, Field(max_length=200)] = None
    time_limit_days: int = Field(None, ge=1, le=365)
    steps: list[Annotated[Text, Field(max_length=500)]] = None


class ProviderOfferApplicationIn(ProviderInput):
    subject: Annotated[Text, Field(max_length=200)]
    description: Annotated[Text, Field(max_length=20000)]
    region_code: Annotated[Text, Field(max_length=20)] | None = None
    requester_name: Annotated[Text, Field(max_length=100)] = ""
    requester_phone: Annotated[Text, Field(max_length=30)] = ""
    requester_email: Annotated[Text, Field(max_length=254)] = ""
    idempotency_key: Annotated[Text, Field(max_length=64)] | None = Field(
        None, description="a form token: resubmitting returns the same case"
    )


class ProviderRecordOut(Schema):
    id: int
    name: str
    type: str
    region: str
    status: str
    offers: int
    offers_total: int
    cases: int
    closed: int
    on_time: int
    on_time_rate: float | None
    ratings: int
    satisfied: int
    basic: int
    dissatisfied: int
    satisfaction_rate: float | None


# --- helpers ------------------------------------------------------------------------------------


def _user(request):
    return request.user if request.user.is_authenticated else None


def _applications(user, action=VIEW):
    return (
        ProviderApplication.objects.restrict(user, action)
        .select_related("region", "account")
        .prefetch_related("evidence")
    )


def _offers(user, action=VIEW):
    return (
        Offer.objects.restrict(user, action)
        .select_related("item__provider", "item__current")
        .prefetch_related("counties")
    )


def _offer_or_404(request, offer_id, action=VIEW) -> Offer:
    return get_restricted_or_404(_offers(request.user, action), request.user, action, pk=offer_id)


# --- registration -------------------------------------------------------------------------------


@router.post(
    "/applications",
    response={201: ProviderApplicationCreatedOut, **WRITE},
    auth=anyone,
    summary="Apply to join as a provider (the same pending application twice is stored once)",
)
def apply(request, payload: ProviderApplicationIn):
    data = payload.dict()
    data["region"] = data.pop("region_code")
    data["functions"] = [getattr(f, "value", f) for f in data["functions"]]
    application = services.do_apply(_user(request), **data)
    application = ProviderApplication.objects.prefetch_related("evidence").get(pk=application.pk)
    application.status_link = request.build_absolute_uri(services.status_path(application))
    return Reply(201, application)


@router.get(
    "/applications/status/{token}",
    response={200: ProviderApplicationStatusOut, 404: Message},
    summary="The applicant's view of an application, by its status token",
)
def application_status(request, token: str):
    application = ProviderApplication.objects.filter(token=token[:64]).first()
    if application is None:
        raise Http404
    return application


@router.post(
    "/applications/status/{token}/evidence",
    response={201: list[ProviderEvidenceOut], **WRITE},
    auth=anyone,
    summary="Add evidence files to a pending application (multipart `files`)",
)
def add_evidence(request, token: str, files: File[list[UploadedFile]]):
    application = ProviderApplication.objects.filter(token=token[:64]).first()
    if application is None:
        raise Http404
    return Reply(201, services.do_add_evidence(_user(request), application, files))


@router.get(
    "/applications",
    response={200: list[ProviderApplicationOut], 422: FieldErrors},
    summary="Applications the caller may review (administrators; others get an empty list)",
)
@paginate(BoundedPagination)
def list_applications(request, status: ApplicationStatus | None = None):
    qs = _applications(request.user)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


@router.get(
    "/applications/{application_id}",
    response={200: ProviderApplicationOut, 404: Message, 422: FieldErrors},
    summary="One application",
)
def get_application(request, application_id: int):
    return get_restricted_or_404(_applications(request.user), request.user, VIEW, pk=application_id)


@router.get(
    "/applications/{application_id}/events",
    response={200: list[ProviderEventOut], 404: Message, 422: FieldErrors},
    summary="The application's history",
)
def application_events(request, application_id: int):
    application = get_restricted_or_404(_applications(request.user), request.user, VIEW, pk=application_id)
    return list(application.events.select_related("actor"))


@router.post(
    "/applications/{application_id}/approve",
    response={200: ProviderApplicationOut, **WRITE},
    auth=django_auth,
    summary="Approve: creates the operating agency and its administrator account (409 when decided)",
)
def approve(request, application_id: int, payload: ProviderApproveIn):
    application = get_restricted_or_404(_applications(request.user), request.user, CHANGE, pk=application_id)
    functions = None if payload.functions is None else [getattr(f, "value", f) for f in payload.functions]
    services.do_approve(request.user, application, functions=functions, note=payload.note)
    return _applications(request.user).get(pk=application.pk)


@router.post(
    "/applications/{application_id}/reject",
    response={200: ProviderApplicationOut, **WRITE},
    auth=django_auth,
    summary="Reject with a reason (409 when decided)",
)
def reject(request, application_id: int, payload: ProviderRejectIn):
    application = get_restricted_or_404(_applications(request.user), request.user, CHANGE, pk=application_id)
    services.do_reject(request.user, application, payload.reason)
    return _applications(request.user).get(pk=application.pk)


# --- offers -------------------------------------------------------------------------------------


@router.get(
    "/offers",
    response={200: list[ProviderOfferOut], 422: FieldErrors},
    summary="Offers the caller may see (the public: listed offers of operating providers)",
)
@paginate(BoundedPagination)
def list_offers(
    request,
    q: Annotated[str, Field(max_length=100)] | None = None,
    category: Category | None = None,
    provider: int | None = None,
    county: Annotated[str, Field(max_length=20)] | None = None,
    free: bool | None = None,
):
    qs = _offers(request.user)
    if q:
        from zhichan.catalog.filters import clean_query

        text = clean_query(q)
        if text:
            from django.db.models import Q

            qs = qs.filter(Q(item__name__icontains=text) | Q(item__summary__icontains=text))
    if category is not None:
        qs = qs.filter(item__category=category)
    if provider is not None:
        qs = qs.filter(item__provider_id=provider)
    if county:
        from django.db.models import Q

        qs = qs.filter(Q(counties__code=county.replace("\x00", "")) | Q(counties__isnull=True)).distinct()
    if free is True:
        qs = qs.filter(price=0)
    elif free is False:
        qs = qs.filter(price__gt=0)
    return qs.order_by("item__category", "item__code")


@router.post(
    "/offers",
    response={201: ProviderOfferOut, **WRITE},
    auth=django_auth,
    summary="Publish an offer (a provider's administrator)",
)
def create_offer(request, payload: ProviderOfferIn):
    data = payload.dict()
    offer = services.do_create_offer(request.user, **data)
    return Reply(201, _offers(request.user).get(pk=offer.pk))


@router.get(
    "/offers/{offer_id}",
    response={200: ProviderOfferOut, 404: Message, 422: FieldErrors},
    summary="One offer",
)
def get_offer(request, offer_id: int):
    return _offer_or_404(request, offer_id)


@router.patch(
    "/offers/{offer_id}",
    response={200: ProviderOfferOut, **WRITE},
    auth=django_auth,
    summary="Change an offer (a new price, time limit or steps publish a new guide version)",
)
def patch_offer(request, offer_id: int, payload: ProviderOfferPatch):
    offer = _offer_or_404(request, offer_id, CHANGE)
    services.do_update_offer(request.user, offer, **payload.dict(exclude_unset=True))
    return _offers(request.user).get(pk=offer.pk)


@router.post(
    "/offers/{offer_id}/withdraw",
    response={200: ProviderOfferOut, **WRITE},
    auth=django_auth,
    summary="Take an offer out of the catalogue (409 when withdrawn already)",
)
def withdraw_offer(request, offer_id: int):
    offer = _offer_or_404(request, offer_id, CHANGE)
    services.do_withdraw_offer(request.user, offer)
    return _offers(request.user).get(pk=offer.pk)


@router.post(
    "/offers/{offer_id}/reinstate",
    response={200: ProviderOfferOut, **WRITE},
    auth=django_auth,
    summary="List a withdrawn offer again (409 when listed)",
)
def reinstate_offer(request, offer_id: int):
    offer = _offer_or_404(request, offer_id, CHANGE)
    services.do_reinstate_offer(request.user, offer)
    return _offers(request.user).get(pk=offer.pk)


@router.post(
    "/offers/{offer_id}/apply",
    response={201: IntakeOut, **WRITE},
    auth=anyone,
    summary="Apply for an offer: a service-application case owned by the provider",
)
def apply_for_offer(request, offer_id: int, payload: ProviderOfferApplicationIn):
    offer = _offer_or_404(request, offer_id)
    data = payload.dict()
    region = data.pop("region_code")
    key = data.pop("idempotency_key")
    case = services.do_apply_for_offer(_user(request), offer, region=region, idempotency_key=key, **data)
    return Reply(
        201,
        {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "deadline": case.deadline,
            "tracking_link": request.build_absolute_uri(case.tracking_path),
            "tracking_token": case.tracking_token,
            "tracking_code": case.tracking_code,
        },
    )


# --- records and providers ----------------------------------------------------------------------


@router.get(
    "/records",
    response={200: list[ProviderRecordOut], 404: Message},
    summary="Service records per provider (administrators: their county, or all)",
)
def service_records(request):
    if not request.user.is_authenticated or not request.user.is_administrator:
        raise Http404
    return records.records_for(request.user)


@router.get("/", response={200: list[ProviderOut], 422: FieldErrors}, summary="Approved providers (public)")
@paginate(BoundedPagination)
def list_providers(request, type: Annotated[str, Field(max_length=30)] | None = None):
    qs = services.providers().restrict(request.user, VIEW).public().select_related("region")
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("region__sort", "name")


@router.get(
    "/{provider_id}",
    response={200: ProviderDetailOut, 404: Message, 422: FieldErrors},
    summary="One provider with the offers the caller may see",
)
def get_provider(request, provider_id: int):
    agency = get_restricted_or_404(
        services.providers().select_related("region"), request.user, VIEW, pk=provider_id
    )
    agency.offers = list(_offers(request.user).filter(item__provider=agency).order_by("item__code"))
    return agency
