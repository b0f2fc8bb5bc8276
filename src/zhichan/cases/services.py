"""The only code that changes cases: intake, every handling step, referral, supervision, rating.

Pages, API, commands and the worker call these functions. Each is atomic, locks the case
row before moving it (two handlers accepting at once: the second is refused with a clear
message), writes one event per step and sends notifications only after commit.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.accounts.models import AGENCY_ROLES, STAFF_ROLES, Role, User
from zhichan.agencies.models import Agency
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.cases import deadlines, routing
from zhichan.cases.models import (
    FINISHED,
    RUNNING,
    SUBTYPES,
    TRANSITIONS,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    CaseType,
    Channel,
    IPType,
    Measure,
    Rating,
    RatingLevel,
    RoutingRule,
    Status,
)
from zhichan.cases.notify import notify_in_transaction
from zhichan.core import workdays
from zhichan.core.audit import record_change, snapshot
from zhichan.core.errors import TransitionError
from zhichan.core.files import atomic_with_files
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.core.validation import clean_text, required_text
from zhichan.notices.files import check_uploads
from zhichan.regions.models import Region

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
STAFF_CHANNELS = {Channel.HOTLINE, Channel.WINDOW, Channel.LETTER, Channel.EMAIL}


# --- who may do what ----------------------------------------------------------------------------


def can_handle(user, case: Case) -> bool:
    return Case.objects.restrict(user, CHANGE).filter(pk=case.pk).exists()


def can_supervise(user, case: Case) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (user.is_superuser or role_of(user) in ("county_admin", "city_admin")) and can_handle(user, case)


def is_requester(actor, case: Case, token: str | None = None) -> bool:
    if token:
        return secrets.compare_digest(str(token), case.tracking_token)
    return bool(actor is not None and actor.is_authenticated and actor.pk == case.requester_user_id)


def _require_handler(actor, case):
    if not can_handle(actor, case):
        raise PermissionDenied(_("You may not handle this case."))


def _require_requester(actor, case, token):
    if not is_requester(actor, case, token):
        raise PermissionDenied(_("Only the requester may do this."))


# --- lookups for the requester ------------------------------------------------------------------


def case_by_token(token: str) -> Case:
    token = str(token or "")[:64]
    case = None if "\x00" in token else Case.objects.filter(tracking_token=token).first()
    if case is None:
        raise Http404
    return case


def case_by_code(number: str, code: str) -> Case:
    number = str(number or "").strip().upper()[:30]
    case = None if "\x00" in number else Case.objects.filter(number=number).first()
    if case is None or not secrets.compare_digest(str(code or "").strip().upper(), case.tracking_code):
        raise Http404
    return case


# --- helpers ------------------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _event(case, actor, kind, *, from_state="", to_state="", note="", data=None, public=False):
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return CaseEvent.objects.create(
        case=case,
        agency_id=case.owner_id,
        actor=actor,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        public=public,
    )


def _finish(case: Case, at) -> dict:
    """What the evaluation needs of a first finish (the first reply or closing), stamped on the
    event because the case changes later: whether it left the running state by its deadline,
    and the working days since the owner received it. Empty for a later reply or closing."""
    if case.replied_at is not None or case.closed_at is not None or case.reopen_count:
        return {}
    return {
        "finish": {
            "on_time": at <= case.deadline,
            "days": workdays.working_days_between(
                timezone.localtime(case.received_at), timezone.localtime(at)
            ),
        }
    }


def _check_move(case: Case, to: str):
    current = Status(case.status)
    if to not in TRANSITIONS[current]:
        raise TransitionError(
            _("Case %(number)s is %(from)s and cannot become %(to)s.")
            % {"number": case.number, "from": current.label, "to": Status(to).label},
            from_state=current.value,
            to_state=to,
        )


def requester_recipients(case: Case) -> list:
    if case.requester_user_id:
        return [case.requester_user]
    if case.anonymous or not (case.requester_email or case.requester_phone):
        return []
    return [{"email": case.requester_email, "phone": case.requester_phone, "name": case.requester_name}]


def agency_staff(agency_id) -> list:
    return list(
        User.objects.filter(agency_id=agency_id, role__in=AGENCY_ROLES, is_active=True).order_by("pk")
    )


def handler_or_staff(case: Case) -> list:
    return [case.handler] if case.handler_id else agency_staff(case.owner_id)


def supervisors(case: Case) -> list:
    """County administrators over the owner agency's region, and the city administrators."""
    region_ids = []
    node, seen = case.owner.region, set()
    while node is not None and node.pk not in seen:
        region_ids.append(node.pk)
        seen.add(node.pk)
        node = node.parent
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.COUNTY_ADMIN, region_id__in=region_ids) | Q(role=Role.CITY_ADMIN))
        .order_by("pk")
    )


def staff_link(case: Case) -> str:
    return f"/cases/{case.pk}/"


def _is_staff_user(recipient) -> bool:
    return isinstance(recipient, User) and (recipient.role in STAFF_ROLES or recipient.is_superuser)


def _notify(recipients, kind, subject, body, case):
    """Staff get the case page; the requester gets the tracking link."""
    staff = [r for r in recipients if _is_staff_user(r)]
    others = [r for r in recipients if not _is_staff_user(r)]
    if staff:
        notify_in_transaction(staff, kind, subject, body, link=staff_link(case), case=case)
    if others:
        notify_in_transaction(others, kind, subject, body, link=case.tracking_path, case=case)


def _set_deadline(case: Case, deadline):
    if deadline != case.deadline:
        case.deadline = deadline
        # A new deadline earns a new warning and a new overdue flag.
        case.warned_at = None
        case.overdue_at = None


def _clean_files(files):
    # At the forms' and the API's "files" field, naming the file refused.
    return check_uploads(files, "files")


def _attach(case, checked, actor, event, *, by_requester=False, internal=False):
    for f, content_type, size in checked:
        CaseAttachment.objects.create(
            case=case,
            event=event,
            file=f,
            original_name=str(getattr(f, "name", "file"))[-200:],
            size=size,
            content_type=content_type,
            uploaded_by_requester=by_requester,
            internal=internal,
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        )


# --- numbers ------------------------------------------------------------------------------------


def _has_returning() -> bool:
    # Django's flag for INSERT ... RETURNING; SQLite gained RETURNING for both in 3.35.
    return connection.features.can_return_columns_from_insert


def _increment(year: int) -> int | None:
    if not _has_returning():  # SQLite before 3.35
        if not CaseCounter.objects.filter(year=year).update(last=F("last") + 1):
            return None
        return CaseCounter.objects.get(year=year).last
    # One statement that bumps and reads.
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])  # noqa: S608  # nosec B608  # the model's table name, quoted; the year is a parameter
        row = cursor.fetchone()
    return row[0] if row else None


def next_number(at: dt.datetime) -> str:
    """PREFIX-YEAR-000123; the counter row is locked by the UPDATE until the case commits."""
    year = timezone.localtime(at).year
    while True:
        last = _increment(year)
        if last is not None:
            break
        try:
            with transaction.atomic():
                CaseCounter.objects.create(year=year, last=1)
            last = 1
            break
        except IntegrityError:
            continue  # someone else created this year's row first
    return f"{settings.ZHICHAN_CASE_PREFIX}-{year}-{last:06d}"


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))


# --- intake -------------------------------------------------------------------------------------


def clean_intake(actor, channel, data: dict) -> dict:
    from zhichan.catalog.models import ServiceItem
    from zhichan.catalog.services import version_in_force
    from zhichan.fairs.models import Fair

    errors: dict[str, list[str]] = {}
    known = {
        "type",
        "subtype",
        "region",
        "ip_type",
        "service_item",
        "fair",
        "subject",
        "description",
        "requester_name",
        "requester_phone",
        "requester_email",
        "anonymous",
    }
    for field in sorted(set(data) - known):
        errors[field] = [_("unknown field")]
    role = role_of(actor)
    staff = role in STAFF_ROLES or (actor is not None and getattr(actor, "is_superuser", False))
    if channel not in Channel.values:
        errors["channel"] = [
            _("%(value)r is not one of %(choices)s")
            % {"value": channel, "choices": ", ".join(Channel.values)}
        ]
    elif channel in STAFF_CHANNELS and not staff:
        errors["channel"] = [_("Only staff record hotline, window, letter and e-mail cases.")]

    cleaned = {"channel": channel}
    case_type = data.get("type")
    if case_type not in CaseType.values:
        errors.setdefault("type", []).append(
            _("%(value)r is not one of %(choices)s")
            % {"value": case_type, "choices": ", ".join(CaseType.values)}
        )
    cleaned["type"] = case_type
    subtype = clean_text(data.get("subtype"), "subtype", errors, max_length=24)
    allowed = SUBTYPES.get(case_type, {})
    if subtype and subtype not in allowed:
        errors.setdefault("subtype", []).append(
            _("%(value)r is not a subtype of this type (allowed: %(choices)s)")
            % {"value": subtype, "choices": ", ".join(allowed) or "-"}
        )
    cleaned["subtype"] = subtype
    cleaned["subject"] = clean_text(data.get("subject"), "subject", errors, required=True, max_length=200)
    cleaned["description"] = clean_text(
        data.get("description"), "description", errors, required=True, max_length=20000
    )

    ip_type = clean_text(data.get("ip_type"), "ip_type", errors)
    if ip_type and ip_type not in IPType.values:
        errors.setdefault("ip_type", []).append(
            _("%(value)r is not one of %(choices)s") % {"value": ip_type, "choices": ", ".join(IPType.values)}
        )
    cleaned["ip_type"] = ip_type

    region = data.get("region")
    if region not in (None, "") and not isinstance(region, Region):
        # Routing walks the region's ancestors: load them in the same query.
        with_parents = Region.objects.select_related("parent__parent__parent")
        region = with_parents.filter(code=str(region).strip()).first()
        if region is None:
            errors.setdefault("region", []).append(
                _("unknown region code %(code)s") % {"code": data.get("region")}
            )
    cleaned["region"] = region or None

    item = data.get("service_item")
    if item not in (None, "") and not isinstance(item, ServiceItem):
        item = ServiceItem.objects.filter(code=str(item).strip(), published=True).first()
        if item is None:
            errors.setdefault("service_item", []).append(
                _("no published service with code %(code)s") % {"code": data.get("service_item")}
            )
    item = item or None
    version = None
    if case_type == CaseType.SERVICE_APPLICATION:
        if item is None and "service_item" not in errors:
            errors.setdefault("service_item", []).append(_("required for a service application"))
        elif item is not None:
            # The current version stands in for rows without a publication time.
            version = version_in_force(item) or (item.current if item.published else None)
            if version is None:
                errors.setdefault("service_item", []).append(_("this service has no guide in force"))
    cleaned["service_item"], cleaned["guide_version"] = item, version

    fair = data.get("fair")
    if fair not in (None, "") and not isinstance(fair, Fair):
        try:
            fair = Fair.objects.filter(pk=int(fair)).first()
        except (TypeError, ValueError):
            fair = None
        if fair is None:
            errors.setdefault("fair", []).append(_("unknown fair %(id)s") % {"id": data.get("fair")})
    fair = fair or None
    if case_type == CaseType.FAIR_COMPLAINT and fair is None and "fair" not in errors:
        errors.setdefault("fair", []).append(_("required for a trade-fair complaint"))
    cleaned["fair"] = fair
    if fair is not None and cleaned["region"] is None:
        cleaned["region"] = fair.region

    anonymous = bool(data.get("anonymous"))
    if anonymous and case_type != CaseType.REPORT:
        errors.setdefault("anonymous", []).append(_("only a report may be filed anonymously"))
    cleaned["anonymous"] = anonymous
    name = clean_text(data.get("requester_name"), "requester_name", errors, max_length=100)
    phone = clean_text(data.get("requester_phone"), "requester_phone", errors, max_length=30)
    email = clean_text(data.get("requester_email"), "requester_email", errors, max_length=254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.setdefault("requester_email", []).append(_("not an e-mail address"))
    if anonymous:
        name = phone = email = ""  # an anonymous report keeps no identity at all
    elif role in ("public", "enterprise"):
        name = name or str(actor)
        email = email or actor.email
        phone = phone or getattr(actor, "phone", "")
    elif not name:
        errors.setdefault("requester_name", []).append(_("required (or file anonymously, for a report)"))
    if (
        not anonymous
        and role not in ("public", "enterprise")
        and not (phone or email)
        and channel == Channel.WEB
    ):
        errors.setdefault("requester_phone", []).append(_("give a phone number or an e-mail address"))
    cleaned.update(requester_name=name, requester_phone=phone, requester_email=email)
    if errors:
        raise ValidationError(errors)
    return cleaned


def do_intake(actor, channel=Channel.WEB, *, idempotency_key=None, first_contact_answer="", **fields) -> Case:
    """File a case from any channel. The same idempotency key returns the first case, once."""
    key = (str(idempotency_key).strip()[:64] or None) if idempotency_key else None
    actor = actor if actor is not None and actor.is_authenticated else None
    if key:
        existing = Case.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_submission(existing, actor, fields)
    cleaned = clean_intake(actor, channel, dict(fields))
    answer = (first_contact_answer or "").strip()
    if answer and (actor is None or role_of(actor) not in STAFF_ROLES and not actor.is_superuser):
        raise PermissionDenied(_("Only staff answer at first contact."))
    fair = cleaned["fair"]
    workstation = fair.workstation if fair is not None and fair.workstation_id else None
    if (
        cleaned["type"] == CaseType.FAIR_COMPLAINT
        and workstation
        and workstation.status == AgencyStatus.OPERATING
    ):
        owner = workstation  # the fair's on-site complaint body takes it on the spot
    else:
        owner = routing.route(cleaned["type"], cleaned["region"], cleaned["ip_type"], cleaned["service_item"])
    try:
        with transaction.atomic():
            case = _create(actor, cleaned, owner, key, answer)
    except IntegrityError:
        # The same form, submitted twice at once: the other request stored it first.
        existing = Case.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return _same_submission(existing, actor, fields)
    return case


def _same_submission(existing: Case, actor, fields) -> Case:
    same_filer = existing.requester_user_id == (actor.pk if actor is not None else None)
    if not same_filer or existing.subject != str(fields.get("subject", "")).strip():
        raise ValidationError({"idempotency_key": [_("this key was already used for another submission")]})
    return existing


def _create(actor, cleaned, owner, key, answer) -> Case:
    now = timezone.now()
    role = role_of(actor)
    case = Case(
        tracking_token=secrets.token_urlsafe(24),
        tracking_code=new_tracking_code(),
        owner=owner,
        requester_user=actor if role in ("public", "enterprise") else None,
        idempotency_key=key,
        created_at=now,
        received_at=now,
        **cleaned,
    )
    case.deadline = deadlines.initial_deadline(case, now)
    finish = _finish(case, now) if answer else {}
    if answer:
        case.status = Status.CLOSED
        case.first_contact = True
        case.accepted_at = case.replied_at = case.closed_at = now
        case.handler = actor if actor.agency_id == owner.pk else None
    # Drawn last: the year's counter row stays locked from here until the commit.
    case.number = next_number(now)
    case.save()
    _event(
        case,
        actor,
        "created",
        to_state=Status.NEW,
        data={"channel": case.channel, "owner": owner.pk, "deadline": case.deadline.isoformat()},
        public=True,
    )
    if answer:
        _event(
            case,
            actor,
            "reply",
            from_state=Status.NEW,
            to_state=Status.REPLIED,
            note=answer,
            data=finish,
            public=True,
        )
        _event(
            case,
            actor,
            "closed",
            from_state=Status.REPLIED,
            to_state=Status.CLOSED,
            data={"first_contact": True},
            public=True,
        )
        return case
    _notify(
        requester_recipients(case),
        "case_received",
        _("Your case %(number)s has been received") % {"number": case.number},
        _("Case %(number)s was received. Your tracking code is %(code)s.")
        % {"number": case.number, "code": case.tracking_code},
        case,
    )
    _notify(
        agency_staff(owner.pk),
        "case_new",
        _("New case %(number)s") % {"number": case.number},
        case.subject,
        case,
    )
    return case


# --- handling -----------------------------------------------------------------------------------


def do_accept(actor, case: Case, note: str = "") -> Case:
    _require_handler(actor, case)
    with transaction.atomic():
        case = _lock(case)
        _check_move(case, Status.ACCEPTED)
        if case.status != Status.NEW:
            raise TransitionError(
                _("Case %(number)s is %(status)s; only a received case can be accepted.")
                % {"number": case.number, "status": case.get_status_display()},
                from_state=case.status,
                to_state=Status.ACCEPTED,
            )
        now = timezone.now()
        case.status = Status.ACCEPTED
        case.accepted_at = now
        if case.handler_id is None and getattr(actor, "agency_id", None) == case.owner_id:
            case.handler = actor
        _set_deadline(case, deadlines.accepted_deadline(case, now))
        case.save()
        _event(
            case,
            actor,
            "accepted",
            from_state=Status.NEW,
            to_state=Status.ACCEPTED,
            note=(note or "").strip(),
            public=True,
        )
        _notify(
            requester_recipients(case),
            "case_accepted",
            _("Case %(number)s accepted") % {"number": case.number},
            _("Your case has been accepted and is due by %(deadline)s.")
            % {"deadline": timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")},
            case,
        )
    return case


def do_decline(actor, case: Case, reason: str) -> Case:
    _require_handler(actor, case)
    reason = required_text(reason, "reason", 2000)
    with transaction.atomic():
        case = _lock(case)
        _check_move(case, Status.DECLINED)
        old = case.status
        case.status = Status.DECLINED
        case.closed_at = timezone.now()
        case.paused_at = None
        case.save()
        _event(case, actor, "declined", from_state=old, to_state=Status.DECLINED, note=reason, public=True)
        _notify(
            requester_recipients(case),
            "case_declined",
            _("Case %(number)s not accepted") % {"number": case.number},
            reason,
            case,
        )
    return case


def do_assign(actor, case: Case, handler) -> Case:
    _require_handler(actor, case)
    if isinstance(handler, int | str):
        handler = User.objects.filter(pk=handler).first()
    with transaction.atomic():
        case = _lock(case)
        if (
            handler is None
            or not handler.is_active
            or handler.role not in AGENCY_ROLES
            or handler.agency_id != case.owner_id
        ):
            raise ValidationError(
                {"handler": [_("The handler must be staff of the agency that owns the case.")]}
            )
        if case.status in FINISHED:
            raise TransitionError(
                _("Case %(number)s is finished; it cannot be assigned.") % {"number": case.number},
                from_state=case.status,
            )
        if case.handler_id == handler.pk:
            return case  # already so: nothing to record
        old = case.handler_id
        case.handler = handler
        case.save(update_fields=["handler"])
        _event(case, actor, "assigned", data={"from": old, "to": handler.pk}, note=str(handler))
        notify_in_transaction(
            [handler],
            "case_assigned",
            _("Case %(number)s assigned to you") % {"number": case.number},
            case.subject,
            link=staff_link(case),
            case=case,
        )
    return case


def do_bulk_assign(actor, cases, handler) -> int:
    """Assign several cases; all or none."""
    with transaction.atomic():
        for case in cases:
            do_assign(actor, case, handler)
    return len(cases)


def do_note(actor, case: Case, text: str) -> CaseEvent:
    _require_handler(actor, case)
    text = required_text(text, "note", 5000)
    with transaction.atomic():
        case = _lock(case)
        return _event(case, actor, "note", note=text)


def do_request_supplement(actor, case: Case, message: str) -> Case:
    """Ask the requester for more material; the clock stops until it arrives."""
    _require_handler(actor, case)
    message = required_text(message, "message", 5000)
    with transaction.atomic():
        case = _lock(case)
        _check_move(case, Status.WAITING_SUPPLEMENT)
        old = case.status
        case.resume_status = old
        case.status = Status.WAITING_SUPPLEMENT
        case.paused_at = timezone.now()
        case.save()
        due = deadlines.add_days(case.paused_at, settings.ZHICHAN_SUPPLEMENT_DAYS)
        _event(
            case,
            actor,
            "supplement_requested",
            from_state=old,
            to_state=case.status,
            note=message,
            data={"supplement_due": due.isoformat()},
            public=True,
        )
        _notify(
            requester_recipients(case),
            "case_supplement",
            _("Case %(number)s: please add material") % {"number": case.number},
            message,
            case,
        )
    return case


def do_add_supplement(actor, case: Case, text: str, *, token=None, files=()) -> Case:
    """The requester's supplement: the clock resumes, the deadline moves by the time waited."""
    _require_requester(actor, case, token)
    text = required_text(text, "text", 20000)
    checked = _clean_files(files)
    with atomic_with_files():
        case = _lock(case)
        if case.status != Status.WAITING_SUPPLEMENT:
            raise TransitionError(
                _("Case %(number)s is not waiting for a supplement.") % {"number": case.number},
                from_state=case.status,
            )
        now = timezone.now()
        back = case.resume_status or Status.NEW
        paused_at = case.paused_at or now
        _set_deadline(case, deadlines.extend_for_pause(case, case.deadline, paused_at, now))
        case.paused_total += now - paused_at
        case.paused_at = None
        case.status = back
        case.resume_status = ""
        case.save()
        event = _event(
            case,
            actor,
            "supplement",
            from_state=Status.WAITING_SUPPLEMENT,
            to_state=back,
            note=text,
            data={"deadline": case.deadline.isoformat()},
            public=True,
        )
        _attach(case, checked, actor, event, by_requester=True)
        _notify(
            handler_or_staff(case),
            "case_supplemented",
            _("Case %(number)s: supplement received") % {"number": case.number},
            text[:500],
            case,
        )
    return case


def do_record_measures(actor, case: Case, measures, note: str = "") -> CaseEvent:
    """Record what was done about a trade-fair complaint (exhibit withdrawn, links removed, ...)."""
    _require_handler(actor, case)
    values = [getattr(m, "value", m) for m in (measures or [])]
    bad = [m for m in values if m not in Measure.values]
    if not values or bad:
        raise ValidationError(
            {"measures": [_("choose one or more of %(choices)s") % {"choices": ", ".join(Measure.values)}]}
        )
    errors: dict = {}
    note = clean_text(note, "note", errors, max_length=5000)
    if Measure.OTHER in values and not note:
        errors.setdefault("note", []).append(_("describe the other measure"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _lock(case)
        if case.type != CaseType.FAIR_COMPLAINT:
            raise TransitionError(
                _("Measures are recorded for trade-fair complaints only."), from_state=case.status
            )
        if case.status not in (Status.ACCEPTED, Status.REPLIED):
            raise TransitionError(
                _("Measures are recorded once the complaint is accepted (case %(number)s is %(status)s).")
                % {"number": case.number, "status": case.get_status_display()},
                from_state=case.status,
            )
        return _event(case, actor, "measures", note=note, data={"measures": sorted(set(values))}, public=True)


def do_reply(actor, case: Case, message: str, files=()) -> Case:
    _require_handler(actor, case)
    message = required_text(message, "message", 20000)
    checked = _clean_files(files)
    with atomic_with_files():
        case = _lock(case)
        _check_move(case, Status.REPLIED)
        old = case.status
        now = timezone.now()
        finish = _finish(case, now)
        case.status = Status.REPLIED
        case.replied_at = now
        case.save()
        event = _event(
            case,
            actor,
            "reply",
            from_state=old,
            to_state=Status.REPLIED,
            note=message,
            data=finish,
            public=True,
        )
        _attach(case, checked, actor, event)
        _notify(
            requester_recipients(case),
            "case_replied",
            _("Case %(number)s: reply") % {"number": case.number},
            message,
            case,
        )
    return case


def do_close(actor, case: Case, note: str = "") -> Case:
    _require_handler(actor, case)
    with transaction.atomic():
        case = _lock(case)
        _check_move(case, Status.CLOSED)
        old = case.status
        now = timezone.now()
        finish = _finish(case, now)
        case.status = Status.CLOSED
        case.closed_at = now
        case.save()
        _event(
            case,
            actor,
            "closed",
            from_state=old,
            to_state=Status.CLOSED,
            note=(note or "").strip(),
            data=finish,
            public=True,
        )
        _notify(
            requester_recipients(case),
            "case_closed",
            _("Case %(number)s closed") % {"number": case.number},
            _("Your case is closed. Please rate the service with the tracking link."),
            case,
        )
    return case


def do_reopen(actor, case: Case, reason: str, *, token=None) -> Case:
    """The requester, dissatisfied, reopens a replied or closed case: once, within the set days."""
    _require_requester(actor, case, token)
    reason = required_text(reason, "reason", 5000)
    with transaction.atomic():
        case = _lock(case)
        _check_move(case, Status.ACCEPTED)
        if case.status not in (Status.REPLIED, Status.CLOSED):
            raise TransitionError(_("Only a replied or closed case can be reopened."), from_state=case.status)
        if case.reopen_count >= settings.ZHICHAN_MAX_REOPENS:
            raise TransitionError(
                _("Case %(number)s has already been reopened; it cannot be reopened again.")
                % {"number": case.number},
                from_state=case.status,
                to_state=Status.ACCEPTED,
            )
        now = timezone.now()
        since = case.closed_at or case.replied_at or now
        if now - since > dt.timedelta(days=settings.ZHICHAN_REOPEN_DAYS):
            raise TransitionError(
                _("A case can be reopened within %(n)d days of its reply or closing.")
                % {"n": settings.ZHICHAN_REOPEN_DAYS},
                from_state=case.status,
                to_state=Status.ACCEPTED,
            )
        old = case.status
        case.status = Status.ACCEPTED
        case.reopen_count += 1
        case.closed_at = None
        _set_deadline(
            case,
            deadlines.add_days(now, deadlines.limit_days(case.type, case.service_item, case.guide_version)),
        )
        case.save()
        _event(case, actor, "reopened", from_state=old, to_state=Status.ACCEPTED, note=reason, public=True)
        _notify(
            handler_or_staff(case),
            "case_reopened",
            _("Case %(number)s reopened by the requester") % {"number": case.number},
            reason,
            case,
        )
    return case


def do_refer(actor, case: Case, to_agency, reason: str) -> Case:
    """Hand the case to another agency (转办): county to city, city to county, keeping its history.

    The new owner receives it as new, with the type's full time limit from the referral;
    a referral later than ZHICHAN_REFER_WITHIN_DAYS after receipt is marked late.
    """
    _require_handler(actor, case)
    reason = required_text(reason, "reason", 2000)
    if isinstance(to_agency, int | str):
        to_agency = Agency.objects.filter(pk=to_agency).first()
    if to_agency is None or to_agency.status != AgencyStatus.OPERATING:
        raise ValidationError({"to_agency": [_("Choose an operating agency.")]})
    with transaction.atomic():
        case = _lock(case)
        if case.status not in RUNNING:
            raise TransitionError(
                _("Case %(number)s is %(status)s; only a received or accepted case can be referred.")
                % {"number": case.number, "status": case.get_status_display()},
                from_state=case.status,
            )
        if to_agency.pk == case.owner_id:
            raise ValidationError({"to_agency": [_("The case is already with this agency.")]})
        now = timezone.now()
        late = now > deadlines.add_days(case.received_at, settings.ZHICHAN_REFER_WITHIN_DAYS)
        old_owner, old_status = case.owner_id, case.status
        case.owner = to_agency
        case.handler = None
        case.status = Status.NEW
        case.accepted_at = None
        case.received_at = now
        _set_deadline(case, deadlines.initial_deadline(case, now))
        case.save()
        _event(
            case,
            actor,
            "referred",
            from_state=old_status,
            to_state=Status.NEW,
            note=reason,
            data={"from_agency": old_owner, "to_agency": to_agency.pk, "late": late},
            public=True,
        )
        _notify(
            agency_staff(to_agency.pk),
            "case_referred",
            _("Case %(number)s referred to your agency") % {"number": case.number},
            reason,
            case,
        )
    return case


def do_supervise(actor, case: Case, note: str) -> Case:
    """A county or city administrator urges the owner of an overdue case (督办)."""
    if not can_supervise(actor, case):
        raise PermissionDenied(_("You may not supervise this case."))
    note = required_text(note, "note", 2000)
    with transaction.atomic():
        case = _lock(case)
        now = timezone.now()
        if case.status not in RUNNING or case.deadline >= now:
            raise TransitionError(
                _("Only an overdue open case can be supervised; case %(number)s is not overdue.")
                % {"number": case.number},
                from_state=case.status,
            )
        case.supervised_at = now
        case.save(update_fields=["supervised_at"])
        level = "city" if role_of(actor) == "city_admin" or actor.is_superuser else "county"
        _event(case, actor, "supervised", note=note, data={"level": level})
        _notify(
            handler_or_staff(case),
            "case_supervised",
            _("Case %(number)s is overdue and under supervision") % {"number": case.number},
            note,
            case,
        )
    return case


def do_rate(actor, case: Case, level: str, comment: str = "", *, token=None) -> Rating:
    _require_requester(actor, case, token)
    if level not in RatingLevel.values:
        raise ValidationError(
            {
                "level": [
                    _("%(value)r is not one of %(choices)s")
                    % {"value": level, "choices": ", ".join(RatingLevel.values)}
                ]
            }
        )
    errors: dict = {}
    comment = clean_text(comment, "comment", errors, max_length=2000)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            case = _lock(case)
            if case.status not in (Status.REPLIED, Status.CLOSED):
                raise TransitionError(
                    _("A case can be rated once it is replied or closed."), from_state=case.status
                )
            if Rating.objects.filter(case=case).exists():
                raise TransitionError(
                    _("Case %(number)s has already been rated.") % {"number": case.number},
                    from_state=case.status,
                )
            rating = Rating.objects.create(case=case, level=level, comment=comment, agency_id=case.owner_id)
            _event(case, actor, "rated", note=comment, data={"level": level}, public=True)
            if level == RatingLevel.DISSATISFIED:
                _notify(
                    handler_or_staff(case),
                    "case_dissatisfied",
                    _("Case %(number)s rated dissatisfied") % {"number": case.number},
                    comment,
                    case,
                )
    except IntegrityError as exc:
        raise TransitionError(_("Case %(number)s has already been rated.") % {"number": case.number}) from exc
    return rating


def do_attach(actor, case: Case, files, *, internal=False) -> list[CaseAttachment]:
    """Staff attach files to a case; internal ones are never shown to the requester."""
    _require_handler(actor, case)
    checked = _clean_files(files)
    if not checked:
        raise ValidationError({"files": [_("required")]})
    with atomic_with_files():
        case = _lock(case)
        event = _event(
            case,
            actor,
            "attachment",
            data={"files": [str(getattr(f, "name", "")) for f, _t, _s in checked]},
            public=not internal,
        )
        _attach(case, checked, actor, event, internal=internal)
    return list(case.attachments.filter(event=event))


# --- figures ------------------------------------------------------------------------------------


def satisfaction(user, by: str = "agency") -> list[dict]:
    """Ratings per agency, or per county (a park's agencies count for its county), within what
    the user may see."""
    visible = Case.objects.restrict(user, "view").values("pk")
    rows = (
        Rating.objects.filter(case__in=visible)
        .values("agency_id", "agency__region_id", "level")
        .annotate(n=Count("pk"))
    )
    county_of: dict = {}
    if by == "county":
        ids = {row["agency__region_id"] for row in rows}
        for region in Region.objects.filter(pk__in=ids).select_related("parent"):
            county = region.county
            county_of[region.pk] = county.pk if county is not None else region.pk
    totals: dict = {}
    for row in rows:
        key = row["agency_id"] if by == "agency" else county_of[row["agency__region_id"]]
        entry = totals.setdefault(
            key,
            {
                "id": key,
                "total": 0,
                RatingLevel.SATISFIED: 0,
                RatingLevel.BASIC: 0,
                RatingLevel.DISSATISFIED: 0,
            },
        )
        entry[row["level"]] += row["n"]
        entry["total"] += row["n"]
    out = []
    for key in sorted(totals):
        entry = totals[key]
        good = entry[RatingLevel.SATISFIED] + entry[RatingLevel.BASIC]
        out.append(
            {
                "id": key,
                "total": entry["total"],
                "satisfied": entry[RatingLevel.SATISFIED],
                "basic": entry[RatingLevel.BASIC],
                "dissatisfied": entry[RatingLevel.DISSATISFIED],
                "rate": round(good / entry["total"] * 100, 1),
            }
        )
    return out


# --- routing rules ------------------------------------------------------------------------------


def can_edit_rules(user) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    role = role_of(user)
    return role == "city_admin" or (role == "county_admin" and bool(user.region_id))


def _require_rule_editor(actor):
    if not can_edit_rules(actor):
        raise PermissionDenied


def _clean_rule(actor, rule, *, case_type, region, ip_type, service_item, agency, priority) -> dict:
    errors: dict[str, list] = {}
    if case_type not in CaseType.values:
        errors["case_type"] = [_("Choose a known case type.")]
    ip_type = ip_type or ""
    if ip_type and ip_type not in IPType.values:
        errors["ip_type"] = [_("Choose a known IP type.")]
    if agency is None:
        errors["agency"] = [_("Choose an agency; the one given is unknown.")]
    elif agency.status != AgencyStatus.OPERATING:
        errors["agency"] = [_("The agency is not operating and cannot receive cases.")]
    try:
        priority = int(priority or 0)
    except (TypeError, ValueError):
        priority = None
    if priority is None or not -1000 <= priority <= 1000:
        errors["priority"] = [_("The priority is a whole number from -1000 to 1000.")]
    if role_of(actor) == "county_admin" and not actor.is_superuser:
        mine = set(actor.region.subtree_ids())
        if region is None or region.pk not in mine:
            errors.setdefault("region", []).append(
                _("A county administrator's rule names a region of their county.")
            )
        if agency is not None and agency.region_id not in mine:
            errors.setdefault("agency", []).append(_("Choose an agency of your county."))
    if not errors:
        same = RoutingRule.objects.filter(
            case_type=case_type, region=region, ip_type=ip_type, service_item=service_item, agency=agency
        )
        if rule is not None:
            same = same.exclude(pk=rule.pk)
        if same.exists():
            errors["agency"] = [_("An identical rule already sends these cases to this agency.")]
    if errors:
        raise ValidationError(errors)
    return {
        "case_type": case_type,
        "region": region,
        "ip_type": ip_type,
        "service_item": service_item,
        "agency": agency,
        "priority": priority,
    }


@transaction.atomic
def do_create_rule(actor, *, case_type, agency, region=None, ip_type="", service_item=None, priority=0):
    _require_rule_editor(actor)
    if agency is not None:
        # Two identical submissions queue on the agency row; the second sees the first rule.
        agency = Agency.objects.select_for_update().filter(pk=agency.pk).first()
    fields = _clean_rule(
        actor,
        None,
        case_type=case_type,
        region=region,
        ip_type=ip_type,
        service_item=service_item,
        agency=agency,
        priority=priority,
    )
    rule = RoutingRule.objects.create(**fields)
    record_change(actor, rule, "create")
    return rule


@transaction.atomic
def do_update_rule(actor, rule, *, case_type, agency, region=None, ip_type="", service_item=None, priority=0):
    _require_rule_editor(actor)
    rule = RoutingRule.objects.restrict(actor, CHANGE).select_for_update().filter(pk=rule.pk).first()
    if rule is None:
        raise PermissionDenied
    if agency is not None:
        agency = Agency.objects.select_for_update().filter(pk=agency.pk).first()
    fields = _clean_rule(
        actor,
        rule,
        case_type=case_type,
        region=region,
        ip_type=ip_type,
        service_item=service_item,
        agency=agency,
        priority=priority,
    )
    before = snapshot(rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    record_change(actor, rule, "update", before)
    return rule


@transaction.atomic
def do_delete_rule(actor, rule) -> None:
    _require_rule_editor(actor)
    # Deleting twice is harmless: the second finds nothing (a 404 to the caller).
    found = RoutingRule.objects.restrict(actor, CHANGE).select_for_update().filter(pk=rule.pk).first()
    if found is None:
        raise PermissionDenied
    record_change(actor, found, "delete")
    found.delete()
