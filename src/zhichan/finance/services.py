"""The only code that changes finance records; pages, the API and the demo call these.

Each function is atomic, locks the row it moves, refuses an illegal move whoever asks
(TransitionError), writes an event row in the same transaction, and saves nothing when any
field is refused (ValidationError naming the fields).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.agencies.models import Agency, AgencyType
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.core.audit import record_change, snapshot
from zhichan.core.errors import TransitionError
from zhichan.core.once import create_once
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.enterprises.access import enterprise_of
from zhichan.finance.models import (
    APPLICATION_TRANSITIONS,
    CLAIM_TRANSITIONS,
    PLEDGE_TRANSITIONS,
    ApplicationStatus,
    Claim,
    ClaimEvent,
    ClaimStatus,
    InsurancePolicy,
    IPKind,
    LoanProduct,
    Pledge,
    PledgeApplication,
    PledgeApplicationEvent,
    PledgeEvent,
    PledgeStatus,
    PolicyKind,
)
from zhichan.finance.valuation import MAX_AMOUNT, _number
from zhichan.ipdata.models import LegalStatus, Patent, Trademark, TrademarkStatus

MAX_RIGHTS = 200
MAX_TERM_MONTHS = 600
MAX_RATE = Decimal(100)


def today() -> dt.date:
    return timezone.localdate()


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _money(value, field, errors, *, zero_ok=False):
    return _number(value, field, errors, low=Decimal(0), high=MAX_AMOUNT, low_open=not zero_ok)


def _months(value, field, errors):
    number = _number(value, field, errors, low=Decimal(1), high=Decimal(MAX_TERM_MONTHS))
    if number is not None and number != number.to_integral_value():
        errors.setdefault(field, []).append(_("Give whole months."))
        return None
    return None if number is None else int(number)


def _date(value, field, errors, *, required=True):
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("Give the date."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append(_("Not a date (YYYY-MM-DD)."))
        return None


# --- who may do what ----------------------------------------------------------------------------


def is_financial(agency) -> bool:
    return agency is not None and agency.type == AgencyType.FINANCIAL


def institutions_of(user):
    """Financial institutions whose records the user manages: their own, or all for the city."""
    if user is None or not user.is_authenticated:
        return Agency.objects.none()
    financial = Agency.objects.filter(type=AgencyType.FINANCIAL)
    if user.is_superuser or role_of(user) == "city_admin":
        return financial
    if role_of(user) in AGENCY_ROLES and user.agency_id:
        return financial.filter(pk=user.agency_id)
    return Agency.objects.none()


def can_manage(user, institution) -> bool:
    return institution is not None and institutions_of(user).filter(pk=institution.pk).exists()


# --- rights -------------------------------------------------------------------------------------


def pledged_patent_ids(patents) -> set[int]:
    return set(
        Pledge.objects.in_force().filter(patents__in=patents).values_list("patents__id", flat=True)
    ) & {p.pk for p in patents}


def pledged_trademark_ids(trademarks) -> set[int]:
    return set(
        Pledge.objects.in_force().filter(trademarks__in=trademarks).values_list("trademarks__id", flat=True)
    ) & {t.pk for t in trademarks}


def pledged_right_ids() -> tuple[set[int], set[int]]:
    """Ids of the patents and of the trademarks in pledges in force."""
    pledges = Pledge.objects.in_force()
    patents = set(pledges.filter(patents__isnull=False).values_list("patents__id", flat=True))
    trademarks = set(pledges.filter(trademarks__isnull=False).values_list("trademarks__id", flat=True))
    return patents, trademarks


def under_pledge(record) -> bool:
    """Whether the patent or trademark is in a pledge in force."""
    if record is None or record.pk is None:
        return False
    if isinstance(record, Patent):
        return Pledge.objects.in_force().filter(patents=record).exists()
    return Pledge.objects.in_force().filter(trademarks=record).exists()


def _check_rights(enterprise, patents, trademarks, errors, *, own=True):
    """Rights of the enterprise's portfolio, in force, not already pledged."""
    patents, trademarks = list(dict.fromkeys(patents or [])), list(dict.fromkeys(trademarks or []))
    if not patents and not trademarks:
        errors.setdefault("patents", []).append(_("Choose at least one patent or trademark."))
        return patents, trademarks
    if len(patents) + len(trademarks) > MAX_RIGHTS:
        errors.setdefault("patents", []).append(_("At most %(n)d rights.") % {"n": MAX_RIGHTS})
        return patents, trademarks
    if own and enterprise is not None:
        mine = set(enterprise.patents.filter(pk__in=[p.pk for p in patents]).values_list("pk", flat=True))
        foreign = [p.application_number for p in patents if p.pk not in mine]
        if foreign:
            errors.setdefault("patents", []).append(
                _("Not in the enterprise's portfolio: %(numbers)s") % {"numbers": ", ".join(foreign[:20])}
            )
        mine = set(
            enterprise.trademarks.filter(pk__in=[t.pk for t in trademarks]).values_list("pk", flat=True)
        )
        foreign = [t.registration_number for t in trademarks if t.pk not in mine]
        if foreign:
            errors.setdefault("trademarks", []).append(
                _("Not in the enterprise's portfolio: %(numbers)s") % {"numbers": ", ".join(foreign[:20])}
            )
    lapsed = [p.application_number for p in patents if p.legal_status != LegalStatus.VALID]
    if lapsed:
        errors.setdefault("patents", []).append(
            _("Not in force (lapsed, invalid or not yet granted): %(numbers)s")
            % {"numbers": ", ".join(lapsed[:20])}
        )
    lapsed = [t.registration_number for t in trademarks if t.status != TrademarkStatus.REGISTERED]
    if lapsed:
        errors.setdefault("trademarks", []).append(
            _("Not a registered trademark in force: %(numbers)s") % {"numbers": ", ".join(lapsed[:20])}
        )
    pledged = pledged_patent_ids(patents)
    if pledged:
        numbers = ", ".join(p.application_number for p in patents if p.pk in pledged)
        errors.setdefault("patents", []).append(
            _("Already under a pledge in force: %(numbers)s") % {"numbers": numbers}
        )
    pledged = pledged_trademark_ids(trademarks)
    if pledged:
        numbers = ", ".join(t.registration_number for t in trademarks if t.pk in pledged)
        errors.setdefault("trademarks", []).append(
            _("Already under a pledge in force: %(numbers)s") % {"numbers": numbers}
        )
    return patents, trademarks


def _ip_types(patents, trademarks) -> set[str]:
    return ({IPKind.PATENT.value} if patents else set()) | ({IPKind.TRADEMARK.value} if trademarks else set())


# --- loan products ------------------------------------------------------------------------------


PRODUCT_FIELDS = (
    "name", "description", "amount_min", "amount_max", "term_min_months", "term_max_months",
    "rate_min", "rate_max", "ip_types", "published",
)  # fmt: skip


def _clean_product(data, errors) -> dict:
    cleaned = {
        "name": clean_text(data.get("name"), "name", errors, required=True, max_length=200),
        "description": clean_text(data.get("description"), "description", errors, max_length=5000),
        "amount_min": _money(data.get("amount_min"), "amount_min", errors),
        "amount_max": _money(data.get("amount_max"), "amount_max", errors),
        "term_min_months": _months(data.get("term_min_months"), "term_min_months", errors),
        "term_max_months": _months(data.get("term_max_months"), "term_max_months", errors),
        "rate_min": _number(
            data.get("rate_min"), "rate_min", errors, low=Decimal(0), high=MAX_RATE, low_open=True
        ),
        "rate_max": _number(
            data.get("rate_max"), "rate_max", errors, low=Decimal(0), high=MAX_RATE, low_open=True
        ),
        "published": bool(data.get("published")),
    }
    for low, high in (
        ("amount_min", "amount_max"),
        ("term_min_months", "term_max_months"),
        ("rate_min", "rate_max"),
    ):
        if cleaned[low] is not None and cleaned[high] is not None and cleaned[high] < cleaned[low]:
            errors.setdefault(high, []).append(_("Must not be less than the lower bound."))
    types = data.get("ip_types") or []
    if isinstance(types, str):
        types = [types]
    types = [str(t) for t in types]
    bad = [t for t in types if t not in IPKind.values]
    if bad or not types:
        errors.setdefault("ip_types", []).append(
            _("Choose among: %(choices)s") % {"choices": ", ".join(IPKind.values)}
        )
    cleaned["ip_types"] = sorted(set(types) & set(IPKind.values))
    for name in ("rate_min", "rate_max"):
        if cleaned[name] is not None and cleaned[name] != cleaned[name].quantize(Decimal("0.01")):
            errors.setdefault(name, []).append(_("At most two decimals."))
    for name in ("amount_min", "amount_max"):
        if cleaned[name] is not None and cleaned[name] != cleaned[name].quantize(Decimal("0.01")):
            errors.setdefault(name, []).append(_("At most two decimals."))
    return cleaned


def do_save_product(
    actor, product: LoanProduct | None = None, *, institution=None, regions=(), submission_key=None, **data
) -> LoanProduct:
    """Create (with `institution`, once per `submission_key`) or update a loan product; staff of the
    institution or the city."""
    if product is None:
        return create_once(
            submission_key,
            actor,
            lambda: _save_product(actor, None, institution=institution, regions=regions, **data),
        )
    return _save_product(actor, product, institution=institution, regions=regions, **data)


@transaction.atomic
def _save_product(actor, product, *, institution, regions, **data) -> LoanProduct:
    if product is not None:
        product = (
            LoanProduct.objects.restrict(actor, CHANGE).select_for_update().filter(pk=product.pk).first()
        )
        if product is None:
            raise PermissionDenied
        institution = product.institution
    if institution is None or not can_manage(actor, institution):
        raise PermissionDenied
    errors: dict[str, list] = {}
    unknown = sorted(set(data) - set(PRODUCT_FIELDS))
    for name in unknown:
        errors[name] = [_("unknown field")]
    cleaned = _clean_product(data, errors)
    if errors:
        raise ValidationError(errors)
    before = snapshot(product) if product is not None else None
    if product is None:
        product = LoanProduct(institution=institution)
    for name, value in cleaned.items():
        setattr(product, name, value)
    product.save()
    product.regions.set(list(regions or []))
    record_change(actor, product, "update" if before else "create", before)
    return product


def matching_products(enterprise, *, amount=None, term_months=None, ip_types=()):
    """Published products of operating institutions that fit the request: amount and term in range,
    every IP type offered accepted, the enterprise's county served."""
    qs = LoanProduct.objects.filter(
        published=True, institution__type=AgencyType.FINANCIAL, institution__status=AgencyStatus.OPERATING
    ).select_related("institution")
    if amount is not None:
        qs = qs.filter(amount_min__lte=amount, amount_max__gte=amount)
    if term_months is not None:
        qs = qs.filter(term_min_months__lte=term_months, term_max_months__gte=term_months)
    found = []
    wanted = set(ip_types)
    region_ids = (
        _region_and_parents(enterprise.region) if enterprise is not None and enterprise.region else []
    )
    for product in qs.prefetch_related("regions"):
        if not wanted <= set(product.ip_types):
            continue
        served = [r.pk for r in product.regions.all()]
        if served and not set(served) & set(region_ids):
            continue
        found.append(product)
    return found


def _region_and_parents(region) -> list[int]:
    ids, node = [], region
    while node is not None and node.pk not in ids:
        ids.append(node.pk)
        node = node.parent
    return ids


# --- pledge-financing applications --------------------------------------------------------------


def _app_event(application, actor, kind, *, from_state="", to_state="", note="", data=None):
    return PledgeApplicationEvent.objects.create(
        application=application, actor=_actor(actor), kind=kind, from_state=from_state, to_state=to_state,
        note=note, data=data or {},
    )  # fmt: skip


def do_apply(
    actor, *, product, patents=(), trademarks=(), amount, term_months, purpose, submission_key=None
) -> PledgeApplication:
    """An enterprise user asks one product's institution for a loan against rights of its portfolio.

    The same submission sent twice (`submission_key`) creates one application."""
    return create_once(
        submission_key,
        actor,
        lambda: _apply(
            actor,
            product=product,
            patents=patents,
            trademarks=trademarks,
            amount=amount,
            term_months=term_months,
            purpose=purpose,
        ),  # fmt: skip
    )


@transaction.atomic
def _apply(actor, *, product, patents, trademarks, amount, term_months, purpose) -> PledgeApplication:
    enterprise = enterprise_of(actor)
    if enterprise is None:
        raise PermissionDenied(_("Only a user who represents an enterprise applies."))
    errors: dict[str, list] = {}
    amount = _money(amount, "amount", errors)
    term = _months(term_months, "term_months", errors)
    purpose = clean_text(purpose, "purpose", errors, required=True, max_length=2000)
    patents, trademarks = _check_rights(enterprise, patents, trademarks, errors)
    if product is None or not LoanProduct.objects.filter(pk=product.pk, published=True).exists():
        errors.setdefault("product", []).append(_("Choose a published loan product."))
    else:
        if amount is not None and not product.amount_min <= amount <= product.amount_max:
            errors.setdefault("amount", []).append(
                _("This product lends between %(low)s and %(high)s yuan.")
                % {"low": f"{product.amount_min:,}", "high": f"{product.amount_max:,}"}
            )
        if term is not None and not product.term_min_months <= term <= product.term_max_months:
            errors.setdefault("term_months", []).append(
                _("This product's term is %(low)d to %(high)d months.")
                % {"low": product.term_min_months, "high": product.term_max_months}
            )
        missing = _ip_types(patents, trademarks) - set(product.ip_types)
        if missing:
            errors.setdefault("product", []).append(
                _("This product does not take %(types)s as collateral.")
                % {"types": ", ".join(str(IPKind(t).label) for t in sorted(missing))}
            )
        if product.institution.status != AgencyStatus.OPERATING or not is_financial(product.institution):
            errors.setdefault("product", []).append(_("This institution does not take applications now."))
        elif product.pk not in {p.pk for p in matching_products(enterprise)}:
            errors.setdefault("product", []).append(_("This product does not serve the enterprise's county."))
    if errors:
        raise ValidationError(errors)
    application = PledgeApplication.objects.create(
        enterprise=enterprise, applicant=actor, product=product, institution=product.institution,
        amount=amount, term_months=term, purpose=purpose,
    )  # fmt: skip
    application.patents.set(patents)
    application.trademarks.set(trademarks)
    _app_event(
        application, actor, "submitted", to_state=ApplicationStatus.SUBMITTED,
        data={"amount": str(amount), "term_months": term, "product": product.pk},
    )  # fmt: skip
    return application


def _lock_application(actor, application) -> PledgeApplication:
    found = (
        PledgeApplication.objects.restrict(actor, CHANGE)
        .select_for_update()
        .filter(pk=application.pk)
        .first()
    )
    if found is None:
        raise PermissionDenied
    return found


def _move(application, to):
    if to not in APPLICATION_TRANSITIONS[ApplicationStatus(application.status)]:
        raise TransitionError(
            _("The application is %(from)s; it cannot become %(to)s.")
            % {"from": application.get_status_display(), "to": ApplicationStatus(to).label},
            from_state=application.status,
            to_state=to,
        )


def _transition(actor, application, to, kind, note="", *, note_required=False):
    errors: dict[str, list] = {}
    note = clean_text(note, "note", errors, required=note_required, max_length=2000)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = _lock_application(actor, application)
        _move(application, to)
        old = application.status
        application.status = to
        fields = ["status", "updated_at"]
        if to in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
            application.decision_note = note
            fields.append("decision_note")
        application.save(update_fields=fields)
        _app_event(application, actor, kind, from_state=old, to_state=to, note=note)
    return application


def do_start_review(actor, application, note="") -> PledgeApplication:
    return _transition(actor, application, ApplicationStatus.UNDER_REVIEW, "review", note)


def do_approve(actor, application, note="") -> PledgeApplication:
    return _transition(actor, application, ApplicationStatus.APPROVED, "approved", note)


def do_reject(actor, application, note="") -> PledgeApplication:
    return _transition(actor, application, ApplicationStatus.REJECTED, "rejected", note, note_required=True)


def do_withdraw(actor, application, note="") -> PledgeApplication:
    """The enterprise takes back its application before a pledge is registered."""
    enterprise = enterprise_of(actor)
    if enterprise is None or application.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("Only the applying enterprise withdraws its application."))
    errors: dict[str, list] = {}
    note = clean_text(note, "note", errors, max_length=2000)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = PledgeApplication.objects.select_for_update().get(pk=application.pk)
        _move(application, ApplicationStatus.WITHDRAWN)
        old = application.status
        application.status = ApplicationStatus.WITHDRAWN
        application.save(update_fields=["status", "updated_at"])
        _app_event(
            application, actor, "withdrawn", from_state=old, to_state=ApplicationStatus.WITHDRAWN, note=note
        )
    return application


def _lock_rights(patents, trademarks):
    """Lock the rights' rows in a fixed order: two registrations of the same right queue here, and
    the second sees the first's pledge (no double pledge)."""
    list(
        Patent.objects.select_for_update()
        .filter(pk__in=[p.pk for p in patents])
        .order_by("pk")
        .values_list("pk")
    )
    list(
        Trademark.objects.select_for_update()
        .filter(pk__in=[t.pk for t in trademarks])
        .order_by("pk")
        .values_list("pk")
    )


def do_register_pledge(actor, application, *, registration_number, registered_on=None) -> Pledge:
    """The pledge of an approved application has been registered: record it (the institution)."""
    errors: dict[str, list] = {}
    number = clean_text(registration_number, "registration_number", errors, required=True, max_length=40)
    registered_on = _date(registered_on or today(), "registered_on", errors)
    if registered_on and registered_on > today():
        errors.setdefault("registered_on", []).append(_("The date cannot be in the future."))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            application = _lock_application(actor, application)
            _move(application, ApplicationStatus.REGISTERED)
            patents, trademarks = list(application.patents.all()), list(application.trademarks.all())
            _lock_rights(patents, trademarks)
            _check_rights(application.enterprise, patents, trademarks, errors, own=False)
            if Pledge.objects.filter(registration_number=number).exists():
                errors.setdefault("registration_number", []).append(
                    _("This registration number is already recorded.")
                )
            if errors:
                raise ValidationError(errors)
            pledge = Pledge.objects.create(
                application=application, pledgor=application.enterprise, pledgee=application.institution,
                amount=application.amount, term_months=application.term_months,
                registration_number=number, registered_on=registered_on,
            )  # fmt: skip
            pledge.patents.set(patents)
            pledge.trademarks.set(trademarks)
            old = application.status
            application.status = ApplicationStatus.REGISTERED
            application.save(update_fields=["status", "updated_at"])
            _app_event(
                application, actor, "registered", from_state=old, to_state=ApplicationStatus.REGISTERED,
                data={"pledge": pledge.pk, "registration_number": number},
            )  # fmt: skip
            PledgeEvent.objects.create(
                pledge=pledge, actor=_actor(actor), kind="registered", to_state=PledgeStatus.IN_FORCE,
                data={"application": application.pk},
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(
            {"registration_number": [_("This registration number is already recorded.")]}
        ) from exc
    return pledge


def _pledge_move(actor, pledge, to, note):
    errors: dict[str, list] = {}
    note = clean_text(note, "note", errors, max_length=2000)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pledge = Pledge.objects.restrict(actor, CHANGE).select_for_update().filter(pk=pledge.pk).first()
        if pledge is None:
            raise PermissionDenied
        if to not in PLEDGE_TRANSITIONS[PledgeStatus(pledge.status)]:
            raise TransitionError(
                _("The pledge is %(from)s; it cannot become %(to)s.")
                % {"from": pledge.get_status_display(), "to": PledgeStatus(to).label},
                from_state=pledge.status,
                to_state=to,
            )
        old = pledge.status
        pledge.status = to
        pledge.save(update_fields=["status", "updated_at"])
        PledgeEvent.objects.create(
            pledge=pledge, actor=_actor(actor), kind=to, from_state=old, to_state=to, note=note
        )
    return pledge


def do_release_pledge(actor, pledge, note="") -> Pledge:
    return _pledge_move(actor, pledge, PledgeStatus.RELEASED, note)


def do_mark_defaulted(actor, pledge, note="") -> Pledge:
    return _pledge_move(actor, pledge, PledgeStatus.DEFAULTED, note)


# --- insurance ----------------------------------------------------------------------------------


@transaction.atomic
def do_create_policy(
    actor, *, insurer, enterprise, policy_number, kind, patents=(), trademarks=(), sum_insured, premium,
    starts_on, ends_on,
) -> InsurancePolicy:  # fmt: skip
    """The insurer's staff record a policy they issued."""
    if insurer is None or not can_manage(actor, insurer):
        raise PermissionDenied
    errors: dict[str, list] = {}
    if enterprise is None:
        errors["enterprise"] = [_("Choose the enterprise.")]
    number = clean_text(policy_number, "policy_number", errors, required=True, max_length=40)
    if kind not in PolicyKind.values:
        errors["kind"] = [_("Choose among: %(choices)s") % {"choices": ", ".join(PolicyKind.values)}]
    sum_insured = _money(sum_insured, "sum_insured", errors)
    premium = _money(premium, "premium", errors)
    if sum_insured is not None and premium is not None and premium > sum_insured:
        errors.setdefault("premium", []).append(_("The premium cannot exceed the sum insured."))
    starts_on = _date(starts_on, "starts_on", errors)
    ends_on = _date(ends_on, "ends_on", errors)
    if starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The policy must end on or after its first day."))
    patents, trademarks = list(patents or []), list(trademarks or [])
    if enterprise is not None:
        foreign = [p.application_number for p in patents if not enterprise.patents.filter(pk=p.pk).exists()]
        foreign += [
            t.registration_number for t in trademarks if not enterprise.trademarks.filter(pk=t.pk).exists()
        ]
        if foreign:
            errors.setdefault("patents", []).append(
                _("Not in the enterprise's portfolio: %(numbers)s") % {"numbers": ", ".join(foreign[:20])}
            )
    if number and InsurancePolicy.objects.filter(policy_number=number).exists():
        errors.setdefault("policy_number", []).append(_("This policy number is already recorded."))
    if errors:
        raise ValidationError(errors)
    policy = InsurancePolicy.objects.create(
        insurer=insurer, enterprise=enterprise, policy_number=number, kind=kind, sum_insured=sum_insured,
        premium=premium, starts_on=starts_on, ends_on=ends_on, created_by=_actor(actor),
    )  # fmt: skip
    policy.patents.set(patents)
    policy.trademarks.set(trademarks)
    record_change(actor, policy, "create")
    return policy


def do_file_claim(actor, policy, *, filed_on=None, amount_claimed, description, submission_key=None) -> Claim:
    """The insured enterprise or the insurer's staff file a claim on a policy (once per `submission_key`)."""
    return create_once(
        submission_key,
        actor,
        lambda: _file_claim(
            actor, policy, filed_on=filed_on, amount_claimed=amount_claimed, description=description
        ),
    )


def _file_claim(actor, policy, *, filed_on, amount_claimed, description) -> Claim:
    visible = InsurancePolicy.objects.restrict(actor, VIEW).filter(pk=policy.pk).exists()
    own_enterprise = enterprise_of(actor)
    if not visible or not (
        can_manage(actor, policy.insurer) or (own_enterprise and own_enterprise.pk == policy.enterprise_id)
    ):
        raise PermissionDenied
    errors: dict[str, list] = {}
    filed_on = _date(filed_on or today(), "filed_on", errors)
    amount = _money(amount_claimed, "amount_claimed", errors)
    description = clean_text(description, "description", errors, required=True, max_length=5000)
    if amount is not None and amount > policy.sum_insured:
        errors.setdefault("amount_claimed", []).append(
            _("More than the sum insured (%(sum)s yuan).") % {"sum": f"{policy.sum_insured:,}"}
        )
    if filed_on and not policy.starts_on <= filed_on:
        errors.setdefault("filed_on", []).append(_("The policy had not started on that day."))
    if filed_on and filed_on > today():
        errors.setdefault("filed_on", []).append(_("The date cannot be in the future."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        claim = Claim.objects.create(
            policy=policy, filed_on=filed_on, amount_claimed=amount, description=description
        )
        ClaimEvent.objects.create(claim=claim, actor=_actor(actor), kind="filed", to_state=ClaimStatus.FILED)
    return claim


def _claim_move(actor, claim, to, *, outcome="", amount_paid=None):
    errors: dict[str, list] = {}
    outcome = clean_text(outcome, "outcome", errors, required=to == ClaimStatus.REJECTED, max_length=5000)
    paid = None
    if to == ClaimStatus.PAID:
        paid = _money(amount_paid, "amount_paid", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        claim = Claim.objects.restrict(actor, CHANGE).select_for_update().filter(pk=claim.pk).first()
        if claim is None:
            raise PermissionDenied
        if to not in CLAIM_TRANSITIONS[ClaimStatus(claim.status)]:
            raise TransitionError(
                _("The claim is %(from)s; it cannot become %(to)s.")
                % {"from": claim.get_status_display(), "to": ClaimStatus(to).label},
                from_state=claim.status,
                to_state=to,
            )
        if paid is not None and paid > claim.amount_claimed:
            raise ValidationError({"amount_paid": [_("More than the amount claimed.")]})
        old = claim.status
        claim.status = to
        fields = ["status", "updated_at"]
        if to in (ClaimStatus.PAID, ClaimStatus.REJECTED):
            claim.outcome = outcome
            fields.append("outcome")
        if paid is not None:
            claim.amount_paid = paid
            fields.append("amount_paid")
        claim.save(update_fields=fields)
        ClaimEvent.objects.create(
            claim=claim, actor=_actor(actor), kind=to, from_state=old, to_state=to, note=outcome,
            data={"amount_paid": str(paid)} if paid is not None else {},
        )  # fmt: skip
    return claim


def do_review_claim(actor, claim) -> Claim:
    return _claim_move(actor, claim, ClaimStatus.UNDER_REVIEW)


def do_pay_claim(actor, claim, *, amount_paid, outcome="") -> Claim:
    return _claim_move(actor, claim, ClaimStatus.PAID, outcome=outcome, amount_paid=amount_paid)


def do_reject_claim(actor, claim, *, outcome) -> Claim:
    return _claim_move(actor, claim, ClaimStatus.REJECTED, outcome=outcome)


# --- valuation applications (service cases) -----------------------------------------------------


def valuation_item_code() -> str:
    from django.conf import settings

    return settings.ZHICHAN_FINANCE_VALUATION_ITEM


def do_apply_for_valuation(actor, *, patents=(), trademarks=(), purpose, idempotency_key=None):
    """An enterprise asks for a valuation: a service application case for the valuation item,
    routed by the cases app's rules (e.g. to a valuation agency); the agency attaches the report."""
    from zhichan.cases import services as case_services
    from zhichan.cases.models import CaseType

    enterprise = enterprise_of(actor)
    if enterprise is None:
        raise PermissionDenied(_("Only a user who represents an enterprise applies."))
    errors: dict[str, list] = {}
    purpose = clean_text(purpose, "purpose", errors, required=True, max_length=2000)
    patents, trademarks = list(patents or []), list(trademarks or [])
    if not patents and not trademarks:
        errors["patents"] = [_("Choose at least one patent or trademark.")]
    foreign = [p.application_number for p in patents if not enterprise.patents.filter(pk=p.pk).exists()]
    foreign += [
        t.registration_number for t in trademarks if not enterprise.trademarks.filter(pk=t.pk).exists()
    ]
    if foreign:
        errors.setdefault("patents", []).append(
            _("Not in the enterprise's portfolio: %(numbers)s") % {"numbers": ", ".join(foreign[:20])}
        )
    if errors:
        raise ValidationError(errors)
    lines = [_("Valuation requested by %(enterprise)s.") % {"enterprise": enterprise.name}, purpose, ""]
    lines += [f"{_('Patent')} {p.application_number} {p.title}" for p in patents]
    lines += [f"{_('Trademark')} {t.registration_number} {t.name}" for t in trademarks]
    ip_type = "patent" if patents and not trademarks else "trademark" if trademarks and not patents else ""
    return case_services.do_intake(
        actor,
        type=CaseType.SERVICE_APPLICATION,
        service_item=valuation_item_code(),
        region=enterprise.region.code if enterprise.region else None,
        ip_type=ip_type,
        subject=(_("IP valuation: %(enterprise)s") % {"enterprise": enterprise.name})[:200],
        description="\n".join(lines)[:20000],
        idempotency_key=idempotency_key,
    )


def valuation_cases(user):
    """The valuation applications the user may see."""
    from zhichan.cases.models import Case

    return Case.objects.restrict(user, VIEW).filter(service_item__code=valuation_item_code())
