"""The only code that changes providers: registration, review, offers, applications for offers.

Pages, the API and the demo call these functions. Each checks every field first (errors name
the field), writes in one transaction with an event row, and sends notices after the commit.
An approved provider is an ordinary `agencies.Agency` (created by `do_create_agency`); an offer
is a catalogue `ServiceItem` owned by it (`item.provider`) with an `Offer` row for price and reach.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, Function, Level
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.catalog import services as catalog
from zhichan.catalog.models import Category, Channel, ServiceItem
from zhichan.core.audit import record_change, snapshot
from zhichan.core.errors import TransitionError
from zhichan.core.files import atomic_with_files
from zhichan.core.once import create_once
from zhichan.core.permissions import PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.enterprises.uscc import UsccError, parse_uscc
from zhichan.providers.models import (
    PROVIDER_TYPES,
    ApplicationStatus,
    Offer,
    ProviderApplication,
    ProviderApplicationEvent,
    ProviderEvidence,
)
from zhichan.regions.models import Region, RegionKind

MAX_EVIDENCE_FILES = 10
EVIDENCE_FOLDER = "provider-evidence"
APPLICATION_FIELDS = (
    "name",
    "type",
    "region",
    "address",
    "contact_person",
    "phone",
    "email",
    "uscc",
    "services",
    "functions",
)
OFFER_FIELDS = (
    "title",
    "title_en",
    "description",
    "category",
    "price",
    "counties",
    "capacity_note",
    "time_limit_days",
    "steps",
)
DEFAULT_TIME_LIMIT_DAYS = 10


def low_cost_max() -> Decimal:
    return Decimal(str(settings.ZHICHAN_PROVIDER_LOW_COST_MAX))


# --- notices ------------------------------------------------------------------------------------


def _notify_on_commit(recipients, kind, subject, body, link=""):
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    try:
        from zhichan.notices.services import notify_on_commit
    except ImportError:  # pragma: no cover - the notices app is installed in every deployment
        return
    notify_on_commit(recipients, kind, str(subject), str(body), link=link)


def _applicant(application) -> dict:
    return {"email": application.email, "name": application.contact_person}


def reviewers(region: Region) -> list[User]:
    """The administrators who may review an application for this county."""
    county = region.county or region
    return list(
        User.objects.filter(is_active=True).filter(
            Q(role=Role.CITY_ADMIN) | Q(role=Role.COUNTY_ADMIN, region_id=county.pk)
        )
    )


# --- registration -------------------------------------------------------------------------------


def _region(value, errors) -> Region | None:
    if isinstance(value, Region):
        region = value
    else:
        code = clean_text(value, "region", errors, required=True, max_length=20)
        if not code:
            return None
        region = Region.objects.filter(code=code).select_related("parent").first()
        if region is None:
            errors.setdefault("region", []).append(_("Unknown county code %(code)s.") % {"code": code})
            return None
    if region.kind not in (RegionKind.COUNTY, RegionKind.PARK):
        errors.setdefault("region", []).append(_("Choose a county or a park."))
        return None
    return region


def _functions(value, errors) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        errors.setdefault("functions", []).append(_("Must be a list."))
        return []
    values = sorted({str(v).strip() for v in value if str(v).strip()})
    bad = [v for v in values if v not in Function.values]
    if bad:
        errors.setdefault("functions", []).append(
            _("%(bad)s: not one of %(choices)s")
            % {"bad": ", ".join(bad), "choices": ", ".join(Function.values)}
        )
        return []
    return values


def clean_application(data: dict) -> dict:
    """Every field checked; ValidationError names each bad one."""
    errors: dict[str, list[str]] = {}
    for field in sorted(set(data) - set(APPLICATION_FIELDS)):
        errors[field] = [_("Unknown field.")]
    out = {
        "name": clean_text(data.get("name"), "name", errors, required=True, max_length=150),
        "address": clean_text(data.get("address"), "address", errors, required=True, max_length=255),
        "contact_person": clean_text(
            data.get("contact_person"), "contact_person", errors, required=True, max_length=50
        ),
        "phone": clean_text(data.get("phone"), "phone", errors, required=True, max_length=50),
        "email": clean_text(data.get("email"), "email", errors, required=True, max_length=254),
        "services": clean_text(data.get("services"), "services", errors, required=True, max_length=5000),
    }
    kind = data.get("type")
    if kind not in [t.value for t in PROVIDER_TYPES]:
        errors["type"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(t.value for t in PROVIDER_TYPES)}
        ]
    out["type"] = kind
    if out["email"]:
        try:
            EmailValidator()(out["email"])
        except ValidationError:
            errors.setdefault("email", []).append(_("Not an e-mail address."))
    if out["phone"] and not any(c.isdigit() for c in out["phone"]):
        errors.setdefault("phone", []).append(_("Not a phone number."))
    uscc = clean_text(data.get("uscc"), "uscc", errors, required=True, max_length=40)
    if uscc:
        try:
            uscc = parse_uscc(uscc)
        except UsccError as exc:
            errors.setdefault("uscc", []).append(
                _("Not a unified social credit code: %(reason)s.") % {"reason": exc}
            )
    out["uscc"] = uscc
    out["region"] = _region(data.get("region"), errors)
    out["functions"] = _functions(data.get("functions"), errors)
    if errors:
        raise ValidationError(errors)
    return out


def _check_files(files) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({"evidence": [_("At most %(n)d files.") % {"n": MAX_EVIDENCE_FILES}]})
    from zhichan.notices.files import check_uploads

    return check_uploads(files, "evidence")


def _store_evidence(application, checked, actor=None):
    from zhichan.notices.files import store_upload

    stored = []
    for uploaded, content_type, size in checked:
        path = store_upload(uploaded, EVIDENCE_FOLDER, content_type=content_type)
        stored.append(
            ProviderEvidence.objects.create(
                application=application,
                path=path,
                original_name=(getattr(uploaded, "name", "") or "file")[-200:],
                content_type=content_type,
                size=size,
            )
        )
    return stored


def _event(application, actor, kind, *, from_state="", to_state="", note="", data=None):
    ProviderApplicationEvent.objects.create(
        application=application,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def status_path(application) -> str:
    return reverse("providers:application_status", args=[application.token])


def do_apply(actor, *, files=(), **fields) -> ProviderApplication:
    """Apply to join as a provider. The same pending application sent twice is stored once."""
    cleaned = clean_application(fields)
    checked = _check_files(files)
    uscc = cleaned["uscc"]
    if ProviderApplication.objects.filter(
        uscc=uscc,
        status=ApplicationStatus.APPROVED,
        agency__status__in=["planned", "operating", "rectifying"],
    ).exists():
        raise ValidationError({"uscc": [_("An organisation with this credit code is already a provider.")]})
    pending = ProviderApplication.objects.filter(uscc=uscc, status=ApplicationStatus.PENDING).first()
    if pending is not None:
        return _same_application(pending, cleaned)
    try:
        with atomic_with_files():
            application = ProviderApplication.objects.create(
                token=secrets.token_urlsafe(24), status=ApplicationStatus.PENDING, **cleaned
            )
            stored = _store_evidence(application, checked)
            _event(
                application,
                actor,
                "submitted",
                to_state=ApplicationStatus.PENDING,
                data={"evidence": [e.original_name for e in stored]},
            )
            _notify_on_commit(
                [_applicant(application)],
                "provider_application_received",
                _("Your application to join as a service provider has been received"),
                _("We received the application of %(name)s and will review it.") % {"name": application.name},
                link=status_path(application),
            )
            _notify_on_commit(
                reviewers(application.region),
                "provider_application_new",
                _("New provider application: %(name)s") % {"name": application.name},
                application.services[:500],
                link=reverse("providers:application_detail", args=[application.pk]),
            )
    except IntegrityError:
        # The same form, sent twice at once: the other request stored it first.
        pending = ProviderApplication.objects.filter(uscc=uscc, status=ApplicationStatus.PENDING).first()
        if pending is None:
            raise
        return _same_application(pending, cleaned)
    return application


def _same_application(pending, cleaned) -> ProviderApplication:
    if pending.email.lower() == cleaned["email"].lower() and pending.name == cleaned["name"]:
        return pending
    raise ValidationError(
        {"uscc": [_("An application with this credit code is already waiting for review.")]}
    )


def do_add_evidence(actor, application, files) -> list[ProviderEvidence]:
    """More evidence for a pending application (the applicant, through the status link)."""
    checked = _check_files(files)
    if not checked:
        raise ValidationError({"evidence": [_("Choose at least one file.")]})
    with atomic_with_files():
        application = ProviderApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.PENDING:
            raise TransitionError(
                _("The application has been decided; no more files can be added."),
                from_state=application.status,
                to_state=application.status,
            )
        if application.evidence.count() + len(checked) > MAX_EVIDENCE_FILES:
            raise ValidationError({"evidence": [_("At most %(n)d files.") % {"n": MAX_EVIDENCE_FILES}]})
        stored = _store_evidence(application, checked)
        _event(application, actor, "evidence", data={"evidence": [e.original_name for e in stored]})
    return stored


def can_review(user, application) -> bool:
    return ProviderApplication.objects.restrict(user, "change").filter(pk=application.pk).exists()


def _lock_pending(actor, application, to_state) -> ProviderApplication:
    if not can_review(actor, application):
        raise PermissionDenied(_("You may not review this application."))
    application = ProviderApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise TransitionError(
            _("The application is %(status)s already.") % {"status": application.get_status_display()},
            from_state=application.status,
            to_state=to_state,
        )
    return application


def _username_for(email: str) -> str:
    base = email.lower()[:140]
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def set_password_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("providers:set_password", args=[uid, default_token_generator.make_token(user)])


# The decision only: the application's contact details stay out of the change history.
DECISION_FIELDS = ("status", "reason", "agency", "account", "decided_by", "decided_at")


def do_approve(actor, application, *, functions=None, note: str = "") -> ProviderApplication:
    """Approve: the agency (operating) and its administrator's account are created, or nothing."""
    errors: dict[str, list[str]] = {}
    chosen = _functions(functions, errors) if functions is not None else None
    note = clean_text(note, "note", errors, max_length=2000)
    if errors:
        raise ValidationError(errors)
    from zhichan.agencies.services import do_create_agency

    with transaction.atomic():
        application = _lock_pending(actor, application, ApplicationStatus.APPROVED)
        region = application.region
        agency = do_create_agency(
            actor,
            status=AgencyStatus.OPERATING,
            name=application.name,
            level=Level.PARK if region.kind == RegionKind.PARK else Level.COUNTY,
            type=application.type,
            region=region,
            address=application.address,
            contact_person=application.contact_person,
            phone=application.phone,
            email=application.email,
            description=application.services,
            functions=chosen if chosen is not None else application.functions,
        )
        user = User(
            username=_username_for(application.email),
            role=Role.AGENCY_ADMIN,
            agency=agency,
            email=application.email,
            display_name=application.contact_person,
            phone=application.phone[:30],
            organisation=application.name[:200],
        )
        user.set_unusable_password()  # the contact chooses one through the link below
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            # Another approval took the same user name at the same moment.
            raise ValidationError({"email": [_("Try again: this user name was just taken.")]}) from exc
        record_change(actor, user, "create", region=region)
        before = snapshot(application, DECISION_FIELDS)
        application.status = ApplicationStatus.APPROVED
        application.agency = agency
        application.account = user
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.save()
        record_change(actor, application, "update", before, fields=DECISION_FIELDS)
        _event(
            application,
            actor,
            "approved",
            from_state=ApplicationStatus.PENDING,
            to_state=ApplicationStatus.APPROVED,
            note=note,
            data={"agency": agency.pk, "account": user.username, "functions": agency.function_codes},
        )
        _notify_on_commit(
            [_applicant(application)],
            "provider_application_approved",
            _("%(name)s is now a service provider") % {"name": application.name},
            _(
                "Your application was approved. Your user name is %(username)s; "
                "choose your password with the link below (valid for %(days)d days)."
            )
            % {"username": user.username, "days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1)},
            link=set_password_path(user),
        )
    return application


def do_reject(actor, application, reason: str) -> ProviderApplication:
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, "reason", errors, required=True, max_length=2000)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = _lock_pending(actor, application, ApplicationStatus.REJECTED)
        before = snapshot(application, DECISION_FIELDS)
        application.status = ApplicationStatus.REJECTED
        application.reason = reason
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.save()
        record_change(actor, application, "update", before, fields=DECISION_FIELDS)
        _event(
            application,
            actor,
            "rejected",
            from_state=ApplicationStatus.PENDING,
            to_state=ApplicationStatus.REJECTED,
            note=reason,
        )
        _notify_on_commit(
            [_applicant(application)],
            "provider_application_rejected",
            _("Your application to join as a service provider was not approved"),
            _("Reason: %(reason)s") % {"reason": reason},
            link=status_path(application),
        )
    return application


# --- offers -------------------------------------------------------------------------------------


def providers():
    """Agencies of the provider types (registered through applications or loaded from data)."""
    return Agency.objects.filter(type__in=[t.value for t in PROVIDER_TYPES])


def _price(value, errors) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, bool):
        value = None
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault("price", []).append(_("Not an amount in yuan."))
        return Decimal("0")
    if not price.is_finite() or price < 0:
        errors.setdefault("price", []).append(_("Not an amount in yuan."))
        return Decimal("0")
    if price != price.quantize(Decimal("0.01")):
        errors.setdefault("price", []).append(_("At most two decimal places (fen)."))
        return Decimal("0")
    cap = low_cost_max()
    if price > cap:
        errors.setdefault("price", []).append(
            _("A low-cost offer costs at most %(cap)s yuan.") % {"cap": f"{cap:.2f}"}
        )
    return price


def _counties(value, provider, errors) -> list[Region]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple):
        errors.setdefault("counties", []).append(_("Must be a list."))
        return []
    regions, unknown = [], []
    city = provider.region.city or provider.region
    allowed = set(city.subtree_ids())
    for entry in value:
        if isinstance(entry, Region):
            region = entry
        else:
            code = str(entry).strip()
            if not code:
                continue
            region = Region.objects.filter(code=code[:20]).first()
        if (
            region is None
            or region.pk not in allowed
            or region.kind not in (RegionKind.COUNTY, RegionKind.PARK)
        ):
            unknown.append(str(getattr(entry, "code", entry))[:20])
            continue
        regions.append(region)
    if unknown:
        errors.setdefault("counties", []).append(
            _("Not a county of the city: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return sorted(set(regions), key=lambda r: r.code)


def _steps(value, errors) -> list[str] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        errors.setdefault("steps", []).append(_("Must be a list of texts."))
        return None
    steps = [s.strip() for s in value if s.strip()]
    if any("\x00" in s for s in steps):
        errors.setdefault("steps", []).append(_("Contains a NUL character."))
        return None
    return steps or None


def clean_offer(data: dict, provider: Agency, *, partial=False) -> dict:
    errors: dict[str, list[str]] = {}
    for field in sorted(set(data) - set(OFFER_FIELDS)):
        errors[field] = [_("Unknown field.")]
    out: dict = {}
    if not partial or "title" in data:
        out["title"] = clean_text(data.get("title"), "title", errors, required=True, max_length=150)
    if not partial or "title_en" in data:
        out["title_en"] = clean_text(data.get("title_en"), "title_en", errors, max_length=200)
    if not partial or "description" in data:
        out["description"] = clean_text(
            data.get("description"), "description", errors, required=True, max_length=5000
        )
    if not partial or "category" in data:
        category = data.get("category")
        if category not in Category.values:
            errors["category"] = [_("Choose one of: %(allowed)s.") % {"allowed": ", ".join(Category.values)}]
        out["category"] = category
    if not partial or "price" in data:
        out["price"] = _price(data.get("price"), errors)
    if not partial or "counties" in data:
        out["counties"] = _counties(data.get("counties"), provider, errors)
    if not partial or "capacity_note" in data:
        out["capacity_note"] = clean_text(data.get("capacity_note"), "capacity_note", errors, max_length=200)
    if not partial or "time_limit_days" in data:
        raw = data.get("time_limit_days")
        if raw in (None, ""):
            out["time_limit_days"] = DEFAULT_TIME_LIMIT_DAYS
        else:
            try:
                days = int(str(raw).strip()) if not isinstance(raw, bool) else None
            except ValueError:
                days = None
            if days is None or not 1 <= days <= catalog.MAX_TIME_LIMIT_DAYS:
                errors["time_limit_days"] = [
                    _("Must be a whole number between %(low)d and %(high)d.")
                    % {"low": 1, "high": catalog.MAX_TIME_LIMIT_DAYS}
                ]
            out["time_limit_days"] = days
    if not partial or "steps" in data:
        out["steps"] = _steps(data.get("steps"), errors)
    if errors:
        raise ValidationError(errors)
    return out


# A guide is content, written once in the site's language like the government's own guides,
# not in whichever language the provider's browser happened to use.
def fees_text(price: Decimal) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Free") if not price else _("%(price)s yuan") % {"price": f"{price:.2f}"}


def _default_steps() -> list[str]:
    with translation.override(settings.LANGUAGE_CODE):
        return [
            _("Apply online on this page"),
            _("The provider contacts you to agree the details"),
            _("The service is delivered"),
        ]


def _guide(offer_fields: dict, provider: Agency) -> dict:
    return {
        "steps": offer_fields.get("steps") or _default_steps(),
        "fees": fees_text(offer_fields["price"]),
        "time_limit_days": offer_fields["time_limit_days"],
        "channels": [Channel.ONLINE],
        "agency_types": [provider.type],
    }


def offer_provider_for(actor) -> Agency:
    """The provider agency whose offers the actor manages (its administrator), else PermissionDenied."""
    if role_of(actor) != Role.AGENCY_ADMIN or not actor.agency_id:
        raise PermissionDenied(_("Only a provider's administrator publishes offers."))
    agency = actor.agency
    if agency.type not in [t.value for t in PROVIDER_TYPES]:
        raise PermissionDenied(_("Only outside providers publish offers."))
    return agency


def can_change_offer(user, offer) -> bool:
    return Offer.objects.restrict(user, "change").filter(pk=offer.pk).exists()


def do_create_offer(actor, submission_key=None, **fields) -> Offer:
    """A new offer, published in the catalogue at once (guide version 1); once per `submission_key`."""
    return create_once(submission_key, actor, lambda: _create_offer(actor, fields))


def _create_offer(actor, fields) -> Offer:
    provider = offer_provider_for(actor)
    cleaned = clean_offer(fields, provider)
    with transaction.atomic():
        provider = Agency.objects.select_for_update().get(pk=provider.pk)
        if provider.status != AgencyStatus.OPERATING:
            raise TransitionError(
                _("Only an operating provider publishes offers."),
                from_state=provider.status,
                to_state=provider.status,
            )
        number = ServiceItem.objects.filter(provider=provider).count() + 1
        code = f"PV{provider.pk}-{number}"
        while ServiceItem.objects.filter(code=code).exists():
            number += 1
            code = f"PV{provider.pk}-{number}"
        item = catalog._create_item(
            actor,
            code,
            provider.region,
            {
                "name": cleaned["title"],
                "name_en": cleaned["title_en"],
                "category": cleaned["category"],
                "summary": cleaned["description"],
                "sort": 1000,  # after the government's own items of the category
            },
        )
        item.provider = provider
        item.save(update_fields=["provider", "updated_at"])
        catalog._save_draft(actor, item, _guide(cleaned, provider))
        catalog._publish(actor, item, "")
        offer = Offer.objects.create(
            item=item, price=cleaned["price"], capacity_note=cleaned["capacity_note"]
        )
        offer.counties.set(cleaned["counties"])
        provider.services.add(item)
    return offer


def do_update_offer(actor, offer: Offer, **fields) -> Offer:
    """Change an offer; a change of price, time limit or steps publishes a new guide version."""
    if not can_change_offer(actor, offer):
        raise PermissionDenied(_("You may not change this offer."))
    provider = offer.item.provider
    cleaned = clean_offer(fields, provider, partial=True)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=offer.item_id)
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        item_changes = {}
        for src, dest in (("title", "name"), ("title_en", "name_en"), ("category", "category")):
            if src in cleaned and getattr(item, dest) != cleaned[src]:
                item_changes[dest] = cleaned[src]
        if "description" in cleaned and item.summary != cleaned["description"]:
            item_changes["summary"] = cleaned["description"]
        if item_changes:
            old = {k: getattr(item, k) for k in item_changes}
            for key, value in item_changes.items():
                setattr(item, key, value)
            item.save()
            catalog._event(item, actor, "updated", data={"old": old, "new": item_changes})
        current = item.current
        guide = {}
        if "price" in cleaned and cleaned["price"] != offer.price:
            guide["fees"] = fees_text(cleaned["price"])
            offer.price = cleaned["price"]
        if "time_limit_days" in cleaned and current and cleaned["time_limit_days"] != current.time_limit_days:
            guide["time_limit_days"] = cleaned["time_limit_days"]
        if cleaned.get("steps") and current and cleaned["steps"] != current.steps:
            guide["steps"] = cleaned["steps"]
        if guide:
            catalog._save_draft(actor, item, guide)
            catalog._publish(
                actor, item, _("Offer updated: %(fields)s") % {"fields": ", ".join(sorted(guide))}
            )
        if "capacity_note" in cleaned:
            offer.capacity_note = cleaned["capacity_note"]
        offer.save()
        if "counties" in cleaned:
            offer.counties.set(cleaned["counties"])
    return Offer.objects.select_related("item__provider").get(pk=offer.pk)


def _set_listed(actor, offer: Offer, listed: bool) -> Offer:
    if not can_change_offer(actor, offer):
        raise PermissionDenied(_("You may not change this offer."))
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=offer.item_id)
        if item.published == listed:
            raise TransitionError(
                _("The offer is withdrawn already.") if not listed else _("The offer is listed already."),
                from_state="listed" if item.published else "withdrawn",
                to_state="listed" if listed else "withdrawn",
            )
        item.published = listed
        item.save(update_fields=["published", "updated_at"])
        catalog._event(
            item,
            actor,
            "reinstated" if listed else "withdrawn",
            from_state="withdrawn" if listed else "listed",
            to_state="listed" if listed else "withdrawn",
        )
    return Offer.objects.select_related("item__provider").get(pk=offer.pk)


def do_withdraw_offer(actor, offer: Offer) -> Offer:
    """Take an offer out of the catalogue; its cases stay, new applications are refused."""
    return _set_listed(actor, offer, False)


def do_reinstate_offer(actor, offer: Offer) -> Offer:
    return _set_listed(actor, offer, True)


def do_apply_for_offer(actor, offer: Offer, *, region=None, idempotency_key=None, **fields):
    """An application for an offer: a service-application case through the ordinary intake,
    owned by the provider (cases.routing sends an offer's cases to its provider)."""
    from zhichan.cases import services as cases
    from zhichan.cases.models import CaseType, Channel

    errors: dict[str, list[str]] = {}
    allowed = {"subject", "description", "requester_name", "requester_phone", "requester_email", "ip_type"}
    for field in sorted(set(fields) - allowed):
        errors[field] = [_("Unknown field.")]
    if errors:
        raise ValidationError(errors)
    if region not in (None, ""):
        found = (
            region
            if isinstance(region, Region)
            else Region.objects.filter(code=str(region).strip()[:20]).first()
        )
        if found is None:
            raise ValidationError(
                {"region": [_("Unknown county code %(code)s.") % {"code": str(region)[:20]}]}
            )
        refusal = offer.refusal_for(found)
        if refusal:
            raise ValidationError({"region": [refusal]})
        region = found
    if not ServiceItem.objects.filter(pk=offer.item_id, published=True).exists():
        raise ValidationError({"service_item": [_("This offer has been withdrawn.")]})
    return cases.do_intake(
        actor,
        Channel.WEB,
        idempotency_key=idempotency_key,
        type=CaseType.SERVICE_APPLICATION,
        service_item=offer.item.code,  # by code: the intake checks it is published, as for any item
        region=region,
        **fields,
    )
