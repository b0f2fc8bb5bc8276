"""Local enterprises and their patent and trademark portfolios over HTTP (public registry facts)."""

from ninja import Router, Schema
from ninja.pagination import paginate

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import VIEW, get_restricted_or_404
from zhichan.enterprises.models import Enterprise
from zhichan.ipdata.api import PatentOut, TrademarkOut
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.portfolio import patent_counts, trademark_counts

router = Router(tags=["enterprises"])


class CountOut(Schema):
    key: str
    label: str
    count: int


class YearOut(Schema):
    year: int
    count: int


class ClassOut(Schema):
    nice_class: int
    count: int


class PatentCountsOut(Schema):
    total: int
    by_type: list[CountOut]
    by_status: list[CountOut]
    by_year: list[YearOut]


class TrademarkCountsOut(Schema):
    total: int
    by_status: list[CountOut]
    by_class: list[ClassOut]
    by_year: list[YearOut]


class EnterpriseOut(Schema):
    id: int
    name: str
    normalized_name: str
    uscc: str | None
    region_code: str | None
    address: str
    industry: str
    patents: PatentCountsOut
    trademarks: TrademarkCountsOut


def _enterprise(request, enterprise_id: int) -> Enterprise:
    return get_restricted_or_404(
        Enterprise.objects.select_related("region"), request.user, VIEW, pk=enterprise_id
    )


@router.get(
    "/{enterprise_id}",
    response={200: EnterpriseOut, 404: Message, 422: FieldErrors},
    summary="An enterprise, with counts of its patents and trademarks",
)
def get_enterprise(request, enterprise_id: int):
    enterprise = _enterprise(request, enterprise_id)
    return {
        "id": enterprise.pk,
        "name": enterprise.name,
        "normalized_name": enterprise.normalized_name,
        "uscc": enterprise.uscc,
        "region_code": enterprise.region.code if enterprise.region_id else None,
        "address": enterprise.address,
        "industry": enterprise.industry,
        "patents": patent_counts(Patent.objects.restrict(request.user, VIEW).filter(enterprises=enterprise)),
        "trademarks": trademark_counts(
            Trademark.objects.restrict(request.user, VIEW).filter(enterprises=enterprise)
        ),
    }


@router.get(
    "/{enterprise_id}/patents",
    response={200: list[PatentOut], 404: Message, 422: FieldErrors},
    summary="An enterprise's patents",
)
@paginate(BoundedPagination)
def enterprise_patents(request, enterprise_id: int):
    enterprise = _enterprise(request, enterprise_id)
    return (
        Patent.objects.restrict(request.user, VIEW)
        .filter(enterprises=enterprise)
        .select_related("region")
        .prefetch_related("enterprises")
        .order_by("-application_date", "application_number")
    )


@router.get(
    "/{enterprise_id}/trademarks",
    response={200: list[TrademarkOut], 404: Message, 422: FieldErrors},
    summary="An enterprise's trademarks",
)
@paginate(BoundedPagination)
def enterprise_trademarks(request, enterprise_id: int):
    enterprise = _enterprise(request, enterprise_id)
    return (
        Trademark.objects.restrict(request.user, VIEW)
        .filter(enterprises=enterprise)
        .select_related("region")
        .prefetch_related("enterprises")
        .order_by("-application_date", "registration_number")
    )
