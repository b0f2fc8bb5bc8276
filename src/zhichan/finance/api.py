"""Finance over HTTP: loan products, pledge-financing applications, pledges, insurance policies
and claims, and the valuation calculator. Schema names start with Finance (one OpenAPI namespace)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.agencies.models import Agency
from zhichan.cases.api import anyone
from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.enterprises.access import enterprise_of
from zhichan.enterprises.models import Enterprise
from zhichan.finance import services, valuation
from zhichan.finance.models import (
    ApplicationStatus,
    Claim,
    ClaimStatus,
    InsurancePolicy,
    IPKind,
    LoanProduct,
    Pledge,
    PledgeApplication,
    PledgeStatus,
    PolicyKind,
)
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.numbers import NumberError, parse_application_number
from zhichan.regions.models import Region

router = Router(tags=["finance"], auth=django_auth)
READ = {401: Message, 404: Message, 422: FieldErrors}
WRITE = {400: Message, 401: Message, 403: Message, 404: Message, 409: FieldErrors, 422: FieldErrors}
ID = {"ge": 1, "le": 2**31 - 1}
NUMBERS = Field(default_factory=list, max_length=200)


# --- schemas ------------------------------------------------------------------------------------


class FinanceProductOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    name: str
    description: str
    amount_min: Decimal
    amount_max: Decimal
    term_min_months: int
    term_max_months: int
    rate_min: Decimal
    rate_max: Decimal
    ip_types: list[str]
    region_codes: list[str] = Field(description="regions served; empty: the whole city")
    published: bool

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name

    @staticmethod
    def resolve_region_codes(obj):
        return sorted(r.code for r in obj.regions.all())


class FinanceProductIn(Schema):
    institution_id: int = Field(..., **ID)
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    amount_min: Decimal
    amount_max: Decimal
    term_min_months: int = Field(..., ge=-(2**31), le=2**31 - 1)
    term_max_months: int = Field(..., ge=-(2**31), le=2**31 - 1)
    rate_min: Decimal
    rate_max: Decimal
    ip_types: list[IPKind] = Field(..., max_length=2)
    region_codes: list[str] = Field(default_factory=list, max_length=50)
    published: bool = False


class FinanceMatchFilter(Schema):
    amount: Decimal | None = Field(None, description="yuan")
    term_months: int | None = Field(None, ge=1, le=services.MAX_TERM_MONTHS)
    ip_types: list[IPKind] = Field(default_factory=list)


class FinanceApplicationOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    product_id: int
    institution_id: int
    institution_name: str
    patents: list[str]
    trademarks: list[str]
    amount: Decimal
    term_months: int
    purpose: str
    status: ApplicationStatus
    decision_note: str
    created_at: dt.datetime
    pledge_id: int | None

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name

    @staticmethod
    def resolve_patents(obj):
        return sorted(p.application_number for p in obj.patents.all())

    @staticmethod
    def resolve_trademarks(obj):
        return sorted(t.registration_number for t in obj.trademarks.all())

    @staticmethod
    def resolve_pledge_id(obj):
        pledge = Pledge.objects.filter(application=obj).values_list("pk", flat=True).first()
        return pledge


class FinanceApplicationIn(Schema):
    product_id: int = Field(..., **ID)
    patents: list[str] = NUMBERS
    trademarks: list[str] = NUMBERS
    amount: Decimal
    term_months: int = Field(..., ge=-(2**31), le=2**31 - 1)
    purpose: str = Field(..., max_length=2000)
    submission_key: str | None = Field(
        None,
        max_length=64,
        description="a random key of the client's choosing: resending it creates nothing new",
    )


class FinanceNoteIn(Schema):
    note: str = Field("", max_length=2000)


class FinanceRegisterIn(Schema):
    registration_number: str = Field(..., max_length=40)
    registered_on: dt.date | None = None


class FinancePledgeOut(Schema):
    id: int
    application_id: int | None
    pledgor_id: int
    pledgor_name: str
    pledgee_id: int
    pledgee_name: str
    patents: list[str]
    trademarks: list[str]
    amount: Decimal
    term_months: int
    registration_number: str
    registered_on: dt.date
    status: PledgeStatus

    @staticmethod
    def resolve_pledgor_name(obj):
        return obj.pledgor.name

    @staticmethod
    def resolve_pledgee_name(obj):
        return obj.pledgee.name

    @staticmethod
    def resolve_patents(obj):
        return sorted(p.application_number for p in obj.patents.all())

    @staticmethod
    def resolve_trademarks(obj):
        return sorted(t.registration_number for t in obj.trademarks.all())


class FinancePolicyOut(Schema):
    id: int
    insurer_id: int
    insurer_name: str
    enterprise_id: int
    enterprise_name: str
    policy_number: str
    kind: PolicyKind
    patents: list[str]
    trademarks: list[str]
    sum_insured: Decimal
    premium: Decimal
    starts_on: dt.date
    ends_on: dt.date

    @staticmethod
    def resolve_insurer_name(obj):
        return obj.insurer.name

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_patents(obj):
        return sorted(p.application_number for p in obj.patents.all())

    @staticmethod
    def resolve_trademarks(obj):
        return sorted(t.registration_number for t in obj.trademarks.all())


class FinancePolicyIn(Schema):
    insurer_id: int = Field(..., **ID)
    enterprise_id: int = Field(..., **ID)
    policy_number: str = Field(..., max_length=40)
    kind: PolicyKind
    patents: list[str] = NUMBERS
    trademarks: list[str] = NUMBERS
    sum_insured: Decimal
    premium: Decimal
    starts_on: dt.date
    ends_on: dt.date


class FinanceClaimOut(Schema):
    id: int
    policy_id: int
    filed_on: dt.date
    amount_claimed: Decimal
    description: str
    status: ClaimStatus
    outcome: str
    amount_paid: Decimal | None


class FinanceClaimIn(Schema):
    filed_on: dt.date | None = None
    amount_claimed: Decimal
    description: str = Field(..., max_length=5000)
    submission_key: str | None = Field(
        None,
        max_length=64,
        description="a random key of the client's choosing: resending it creates nothing new",
    )


class FinanceClaimDecisionIn(Schema):
    amount_paid: Decimal | None = None
    outcome: str = Field("", max_length=5000)


class FinanceIncomeIn(Schema):
    revenues: list[Decimal] = Field(..., max_length=50, description="forecast revenue per year, yuan")
    royalty_rate: Decimal = Field(..., description="percent")
    tax_rate: Decimal = Field(..., description="percent")
    discount_rate: Decimal = Field(..., description="percent")
    economic_life_years: int = Field(..., ge=-(2**31), le=2**31 - 1)
    patent: str | None = Field(
        None, max_length=30, description="application number: the life is capped by its remaining legal term"
    )


class FinanceCostIn(Schema):
    replacement_cost: Decimal
    physical_obsolescence: Decimal = Decimal(0)
    functional_obsolescence: Decimal = Decimal(0)
    economic_obsolescence: Decimal = Decimal(0)


class FinanceComparableIn(Schema):
    description: str = Field("", max_length=200)
    price: Decimal
    factors: list[Decimal] = Field(default_factory=list, max_length=10)


class FinanceMarketIn(Schema):
    comparables: list[FinanceComparableIn] = Field(..., max_length=50)


class FinanceAssumption(Schema):
    label: str
    value: str


class FinanceValuationOut(Schema):
    method: str
    method_label: str
    value: Decimal
    indicative: bool = Field(description="always true: not an appraisal")
    notice: str
    assumptions: list[FinanceAssumption]
    rows: list[dict[str, str | int]]
    notes: list[str]


# --- helpers ------------------------------------------------------------------------------------


def _rights(patents, trademarks):
    """Records by number; unknown numbers are a field error."""
    errors: dict[str, list] = {}
    wanted = []
    for number in patents:
        try:
            wanted.append(parse_application_number(number))
        except NumberError:
            errors.setdefault("patents", []).append(
                _("%(number)s: not an application number") % {"number": number[:30]}
            )
    found = {p.application_number: p for p in Patent.objects.filter(application_number__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing:
        errors.setdefault("patents", []).append(
            _("No such patent: %(numbers)s") % {"numbers": ", ".join(missing[:20])}
        )
    marks = {t.registration_number: t for t in Trademark.objects.filter(registration_number__in=trademarks)}
    missing = [n[:30] for n in trademarks if n not in marks]
    if missing:
        errors.setdefault("trademarks", []).append(
            _("No such trademark: %(numbers)s") % {"numbers": ", ".join(missing[:20])}
        )
    if errors:
        raise ValidationError(errors)
    return list(found.values()), list(marks.values())


def _products():
    return LoanProduct.objects.select_related("institution").prefetch_related("regions")


def _applications():
    return PledgeApplication.objects.select_related("enterprise", "institution").prefetch_related(
        "patents", "trademarks"
    )


def _pledges():
    return Pledge.objects.select_related("pledgor", "pledgee").prefetch_related("patents", "trademarks")


def _policies():
    return InsurancePolicy.objects.select_related("insurer", "enterprise").prefetch_related(
        "patents", "trademarks"
    )


def _value(choice):
    return choice.value if hasattr(choice, "value") else choice


# --- valuation ----------------------------------------------------------------------------------


@router.post(
    "/valuation/income", response={200: FinanceValuationOut, **WRITE}, auth=anyone,
    summary="Indicative value by relief from royalty (anyone)",
)  # fmt: skip
def valuation_income(request, payload: FinanceIncomeIn):
    data = payload.dict()
    number = data.pop("patent")
    if number:
        try:
            patent = Patent.objects.filter(application_number=parse_application_number(number)).first()
        except NumberError:
            patent = None
        if patent is None:
            raise ValidationError({"patent": [_("No such patent.")]})
        data["legal_term_end"] = valuation.legal_term_end(patent)
        data["right_label"] = patent.application_number
        if data["legal_term_end"] is None:
            raise ValidationError({"patent": [_("The patent is not in force: it has no legal term left.")]})
    return valuation.income(**data).as_dict()


@router.post(
    "/valuation/cost", response={200: FinanceValuationOut, **WRITE}, auth=anyone,
    summary="Indicative value by the cost approach (anyone)",
)  # fmt: skip
def valuation_cost(request, payload: FinanceCostIn):
    return valuation.cost(**payload.dict()).as_dict()


@router.post(
    "/valuation/market", response={200: FinanceValuationOut, **WRITE}, auth=anyone,
    summary="Indicative value by the market approach (anyone)",
)  # fmt: skip
def valuation_market(request, payload: FinanceMarketIn):
    return valuation.market(comparables=[c.dict() for c in payload.comparables]).as_dict()


# --- products -----------------------------------------------------------------------------------


@router.get("/products", response={200: list[FinanceProductOut], **READ}, auth=None, summary="Loan products")
@paginate(BoundedPagination)
def list_products(request):
    return _products().restrict(request.user, VIEW).order_by("pk")


@router.get(
    "/products/matching", response={200: list[FinanceProductOut], **READ},
    summary="Published products fitting a request of the caller's enterprise",
)  # fmt: skip
def matching_products(request, filters: Query[FinanceMatchFilter]):
    enterprise = enterprise_of(request.user)
    if enterprise is None:
        raise PermissionDenied
    return services.matching_products(
        enterprise,
        amount=filters.amount,
        term_months=filters.term_months,
        ip_types={_value(t) for t in filters.ip_types},
    )


@router.get(
    "/products/{product_id}", response={200: FinanceProductOut, **READ}, auth=None, summary="A loan product"
)
def get_product(request, product_id: int):
    return get_restricted_or_404(_products(), request.user, VIEW, pk=product_id)


def _product_args(payload):
    data = payload.dict()
    data.pop("institution_id")
    codes = data.pop("region_codes")
    regions = list(Region.objects.filter(code__in=codes))
    if len(regions) != len(set(codes)):
        raise ValidationError({"region_codes": [_("Unknown region code.")]})
    data["ip_types"] = [_value(t) for t in data["ip_types"]]
    return regions, data


@router.post(
    "/products", response={201: FinanceProductOut, **WRITE}, summary="Create a loan product (its institution)"
)
def create_product(request, payload: FinanceProductIn):
    institution = Agency.objects.filter(pk=payload.institution_id).first()
    if institution is None or not services.is_financial(institution):
        raise ValidationError({"institution_id": [_("Not a financial institution.")]})
    regions, data = _product_args(payload)
    product = services.do_save_product(request.user, institution=institution, regions=regions, **data)
    return Status(201, _products().get(pk=product.pk))


@router.put(
    "/products/{product_id}", response={200: FinanceProductOut, **WRITE}, summary="Change a loan product"
)
def update_product(request, product_id: int, payload: FinanceProductIn):
    product = get_restricted_or_404(LoanProduct.objects.all(), request.user, CHANGE, pk=product_id)
    if payload.institution_id != product.institution_id:
        raise ValidationError({"institution_id": [_("A product stays with its institution.")]})
    regions, data = _product_args(payload)
    services.do_save_product(request.user, product, regions=regions, **data)
    return _products().get(pk=product.pk)


# --- applications -------------------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: list[FinanceApplicationOut], **READ},
    summary="Applications the caller may see",
)
@paginate(BoundedPagination)
def list_applications(request):
    return _applications().restrict(request.user, VIEW).order_by("-created_at", "-pk")


@router.get(
    "/applications/{application_id}", response={200: FinanceApplicationOut, **READ}, summary="An application"
)
def get_application(request, application_id: int):
    return get_restricted_or_404(_applications(), request.user, VIEW, pk=application_id)


@router.post(
    "/applications", response={201: FinanceApplicationOut, **WRITE},
    summary="Apply for pledge financing (an enterprise user)",
)  # fmt: skip
def create_application(request, payload: FinanceApplicationIn):
    if enterprise_of(request.user) is None:
        raise PermissionDenied
    product = LoanProduct.objects.filter(pk=payload.product_id, published=True).first()
    if product is None:
        raise ValidationError({"product_id": [_("No such published loan product.")]})
    patents, trademarks = _rights(payload.patents, payload.trademarks)
    try:
        application = services.do_apply(
            request.user, product=product, patents=patents, trademarks=trademarks, amount=payload.amount,
            term_months=payload.term_months, purpose=payload.purpose, submission_key=payload.submission_key,
        )  # fmt: skip
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "product" in exc.error_dict:
            exc.error_dict["product_id"] = exc.error_dict.pop("product")
        raise
    return Status(201, _applications().get(pk=application.pk))


def _application_move(request, application_id, call, payload):
    application = get_restricted_or_404(
        PledgeApplication.objects.all(), request.user, CHANGE, pk=application_id
    )
    call(request.user, application, payload.note)
    return _applications().get(pk=application.pk)


@router.post(
    "/applications/{application_id}/withdraw", response={200: FinanceApplicationOut, **WRITE},
    summary="Withdraw an application before its pledge is registered (the applying enterprise)",
)  # fmt: skip
def withdraw_application(request, application_id: int, payload: FinanceNoteIn):
    application = get_restricted_or_404(
        PledgeApplication.objects.all(), request.user, VIEW, pk=application_id
    )
    services.do_withdraw(request.user, application, payload.note)
    return _applications().get(pk=application.pk)


@router.post(
    "/applications/{application_id}/review",
    response={200: FinanceApplicationOut, **WRITE},
    summary="Start the review",
)
def review_application(request, application_id: int, payload: FinanceNoteIn):
    return _application_move(request, application_id, services.do_start_review, payload)


@router.post(
    "/applications/{application_id}/approve",
    response={200: FinanceApplicationOut, **WRITE},
    summary="Approve",
)
def approve_application(request, application_id: int, payload: FinanceNoteIn):
    return _application_move(request, application_id, services.do_approve, payload)


@router.post(
    "/applications/{application_id}/reject",
    response={200: FinanceApplicationOut, **WRITE},
    summary="Reject (with a reason)",
)
def reject_application(request, application_id: int, payload: FinanceNoteIn):
    return _application_move(request, application_id, services.do_reject, payload)


@router.post(
    "/applications/{application_id}/register", response={201: FinancePledgeOut, **WRITE},
    summary="Record the registration of the pledge of an approved application",
)  # fmt: skip
def register_pledge(request, application_id: int, payload: FinanceRegisterIn):
    application = get_restricted_or_404(
        PledgeApplication.objects.all(), request.user, CHANGE, pk=application_id
    )
    pledge = services.do_register_pledge(
        request.user, application, registration_number=payload.registration_number,
        registered_on=payload.registered_on,
    )  # fmt: skip
    return Status(201, _pledges().get(pk=pledge.pk))


# --- pledges ------------------------------------------------------------------------------------


@router.get("/pledges", response={200: list[FinancePledgeOut], **READ}, summary="Pledges the caller may see")
@paginate(BoundedPagination)
def list_pledges(request):
    return _pledges().restrict(request.user, VIEW).order_by("-registered_on", "-pk")


@router.get("/pledges/{pledge_id}", response={200: FinancePledgeOut, **READ}, summary="A pledge")
def get_pledge(request, pledge_id: int):
    return get_restricted_or_404(_pledges(), request.user, VIEW, pk=pledge_id)


@router.post(
    "/pledges/{pledge_id}/release", response={200: FinancePledgeOut, **WRITE}, summary="Release a pledge"
)
def release_pledge(request, pledge_id: int, payload: FinanceNoteIn):
    pledge = get_restricted_or_404(Pledge.objects.all(), request.user, CHANGE, pk=pledge_id)
    services.do_release_pledge(request.user, pledge, payload.note)
    return _pledges().get(pk=pledge.pk)


@router.post(
    "/pledges/{pledge_id}/default",
    response={200: FinancePledgeOut, **WRITE},
    summary="Mark a pledge defaulted",
)
def default_pledge(request, pledge_id: int, payload: FinanceNoteIn):
    pledge = get_restricted_or_404(Pledge.objects.all(), request.user, CHANGE, pk=pledge_id)
    services.do_mark_defaulted(request.user, pledge, payload.note)
    return _pledges().get(pk=pledge.pk)


# --- insurance ----------------------------------------------------------------------------------


@router.get(
    "/policies",
    response={200: list[FinancePolicyOut], **READ},
    summary="Insurance policies the caller may see",
)
@paginate(BoundedPagination)
def list_policies(request):
    return _policies().restrict(request.user, VIEW).order_by("-starts_on", "-pk")


@router.get("/policies/{policy_id}", response={200: FinancePolicyOut, **READ}, summary="An insurance policy")
def get_policy(request, policy_id: int):
    return get_restricted_or_404(_policies(), request.user, VIEW, pk=policy_id)


@router.post("/policies", response={201: FinancePolicyOut, **WRITE}, summary="Record a policy (the insurer)")
def create_policy(request, payload: FinancePolicyIn):
    insurer = Agency.objects.filter(pk=payload.insurer_id).first()
    if insurer is None or not services.is_financial(insurer):
        raise ValidationError({"insurer_id": [_("Not a financial institution.")]})
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        raise ValidationError({"enterprise_id": [_("No such enterprise.")]})
    patents, trademarks = _rights(payload.patents, payload.trademarks)
    policy = services.do_create_policy(
        request.user, insurer=insurer, enterprise=enterprise, policy_number=payload.policy_number,
        kind=_value(payload.kind), patents=patents, trademarks=trademarks, sum_insured=payload.sum_insured,
        premium=payload.premium, starts_on=payload.starts_on, ends_on=payload.ends_on,
    )  # fmt: skip
    return Status(201, _policies().get(pk=policy.pk))


@router.get(
    "/policies/{policy_id}/claims", response={200: list[FinanceClaimOut], **READ}, summary="A policy's claims"
)
@paginate(BoundedPagination)
def list_claims(request, policy_id: int):
    policy = get_restricted_or_404(InsurancePolicy.objects.all(), request.user, VIEW, pk=policy_id)
    return policy.claims.order_by("-filed_on", "-pk")


@router.post("/policies/{policy_id}/claims", response={201: FinanceClaimOut, **WRITE}, summary="File a claim")
def create_claim(request, policy_id: int, payload: FinanceClaimIn):
    policy = get_restricted_or_404(InsurancePolicy.objects.all(), request.user, VIEW, pk=policy_id)
    claim = services.do_file_claim(request.user, policy, **payload.dict())
    return Status(201, claim)


def _claim(request, claim_id):
    return get_restricted_or_404(Claim.objects.all(), request.user, CHANGE, pk=claim_id)


@router.post(
    "/claims/{claim_id}/review", response={200: FinanceClaimOut, **WRITE}, summary="Start reviewing a claim"
)
def review_claim(request, claim_id: int):
    return services.do_review_claim(request.user, _claim(request, claim_id))


@router.post("/claims/{claim_id}/pay", response={200: FinanceClaimOut, **WRITE}, summary="Pay a claim")
def pay_claim(request, claim_id: int, payload: FinanceClaimDecisionIn):
    return services.do_pay_claim(
        request.user, _claim(request, claim_id), amount_paid=payload.amount_paid, outcome=payload.outcome
    )


@router.post("/claims/{claim_id}/reject", response={200: FinanceClaimOut, **WRITE}, summary="Reject a claim")
def reject_claim(request, claim_id: int, payload: FinanceClaimDecisionIn):
    return services.do_reject_claim(request.user, _claim(request, claim_id), outcome=payload.outcome)
