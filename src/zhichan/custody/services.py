"""The only code that changes custodies; pages, the API and the reminder scan call these."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.core.errors import TransitionError
from zhichan.core.files import atomic_with_files
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.custody.models import (
    ActionKind,
    Custody,
    CustodyAction,
    CustodyEvent,
    CustodyStatus,
    new_feed_token,
)
from zhichan.enterprises.models import Enterprise
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.numbers import NumberError, parse_application_number
from zhichan.watch import deadlines as dl

MAX_NOTE = 2000
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_KINDS = ("pdf", "jpeg", "png")  # keys of notices.files.TYPES
MAX_RIGHTS = 5000

# Which action answers which deadline; "abandoned" answers any that asks for an action.
ACTIONS_FOR = {
    dl.ANNUAL_FEE: {ActionKind.FEE_PAID, ActionKind.ABANDONED},
    dl.TM_RENEWAL: {ActionKind.RENEWED, ActionKind.ABANDONED},
}


def today() -> dt.date:
    return timezone.localdate()


def can_manage(user, agency) -> bool:
    """Staff of the agency, or the city administrator."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or role_of(user) == "city_admin":
        return True
    return role_of(user) in AGENCY_ROLES and agency is not None and user.agency_id == agency.pk


def manageable_agencies(user):
    from zhichan.agencies.models import Agency

    if user is None or not user.is_authenticated:
        return Agency.objects.none()
    if user.is_superuser or role_of(user) == "city_admin":
        return Agency.objects.all()
    if role_of(user) in AGENCY_ROLES and user.agency_id:
        return Agency.objects.filter(pk=user.agency_id)
    return Agency.objects.none()


def _event(custody, actor, kind, *, from_state="", to_state="", note="", data=None):
    return CustodyEvent.objects.create(
        custody=custody,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def _locked(actor, custody) -> Custody:
    found = Custody.objects.restrict(actor, CHANGE).select_for_update().filter(pk=custody.pk).first()
    if found is None:
        raise PermissionDenied
    return found


def _note(value, errors, field="note") -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > MAX_NOTE:
        errors[field] = [_("At most %(n)d characters.") % {"n": MAX_NOTE}]
    return text


def _date(value, field, errors, *, required=True):
    if value in (None, ""):
        if required:
            errors[field] = [_("Give the date.")]
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_("Not a date (YYYY-MM-DD).")]
        return None


def parse_rights(patent_numbers="", trademark_numbers="") -> tuple[list[Patent], list[Trademark]]:
    """Records named by application / registration numbers (text or lists); unknown numbers are
    a field error naming them."""

    def split(value):
        if isinstance(value, str):
            value = re.split(r"[\s,，;；]+", value)
        cleaned = (str(v).replace("\x00", "").strip() for v in value or [])
        return [v for v in cleaned if v]

    errors = {}
    wanted, bad = [], []
    for number in split(patent_numbers):
        try:
            wanted.append(parse_application_number(number))
        except NumberError:
            bad.append(number[:30])
    found = {p.application_number: p for p in Patent.objects.filter(application_number__in=wanted)}
    bad += [n for n in wanted if n not in found]
    if bad:
        errors["patents"] = [_("No such patent: %(numbers)s") % {"numbers": ", ".join(bad[:20])}]
    marks_wanted = [n.upper() for n in split(trademark_numbers)]
    marks = {t.registration_number: t for t in Trademark.objects.filter(registration_number__in=marks_wanted)}
    missing = [n[:30] for n in marks_wanted if n not in marks]
    if missing:
        errors["trademarks"] = [_("No such trademark: %(numbers)s") % {"numbers": ", ".join(missing[:20])}]
    if len(found) + len(marks) > MAX_RIGHTS:
        errors["patents"] = [_("At most %(n)d rights in one custody.") % {"n": MAX_RIGHTS}]
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(found[n] for n in wanted)), list(dict.fromkeys(marks[n] for n in marks_wanted))


def _overlapping(agency, enterprise, starts_on, ends_on, exclude=None):
    qs = Custody.objects.filter(agency=agency, enterprise=enterprise, status=CustodyStatus.ACTIVE)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if ends_on is not None:
        qs = qs.filter(starts_on__lte=ends_on)
    from django.db.models import Q

    return qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))


@transaction.atomic
def do_create_custody(
    actor,
    *,
    agency,
    enterprise,
    starts_on,
    ends_on=None,
    patents=None,
    trademarks=None,
    note="",
) -> Custody:
    """Take an enterprise's portfolio into custody; by default the rights linked to the enterprise."""
    if agency is None or not can_manage(actor, agency):
        raise PermissionDenied
    errors: dict[str, list] = {}
    if enterprise is None:
        errors["enterprise"] = [_("Choose the enterprise.")]
    starts_on = _date(starts_on, "starts_on", errors)
    ends_on = _date(ends_on, "ends_on", errors, required=False)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The custody must end on or after its first day.")]
    note = _note(note, errors)
    if errors:
        raise ValidationError(errors)
    # Lock the enterprise: two requests creating the same custody at once are serialised.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if _overlapping(agency, enterprise, starts_on, ends_on).exists():
        raise ValidationError(
            {"starts_on": [_("This agency already has the enterprise in custody for part of this period.")]}
        )
    custody = Custody.objects.create(
        agency=agency,
        enterprise=enterprise,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=actor,
    )
    custody.patents.set(enterprise.patents.all() if patents is None else patents)
    custody.trademarks.set(enterprise.trademarks.all() if trademarks is None else trademarks)
    _event(
        custody,
        actor,
        "created",
        to_state=CustodyStatus.ACTIVE,
        data={"patents": custody.patents.count(), "trademarks": custody.trademarks.count()},
    )
    return custody


@transaction.atomic
def do_set_rights(actor, custody: Custody, *, patents, trademarks) -> Custody:
    custody = _locked(actor, custody)
    if len(patents) + len(trademarks) > MAX_RIGHTS:
        raise ValidationError({"patents": [_("At most %(n)d rights in one custody.") % {"n": MAX_RIGHTS}]})
    before_p = set(custody.patents.values_list("application_number", flat=True))
    before_t = set(custody.trademarks.values_list("registration_number", flat=True))
    custody.patents.set(patents)
    custody.trademarks.set(trademarks)
    after_p = {p.application_number for p in patents}
    after_t = {t.registration_number for t in trademarks}
    if before_p != after_p or before_t != after_t:
        _event(
            custody,
            actor,
            "rights",
            data={
                "added": sorted((after_p - before_p) | (after_t - before_t)),
                "removed": sorted((before_p - after_p) | (before_t - after_t)),
            },
        )
    return custody


def rights_of(custody: Custody) -> dict[str, object]:
    """right_key -> record, for the custody's rights."""
    rights = {f"{dl.PATENT}:{p.application_number}": p for p in custody.patents.all()}
    rights.update({f"{dl.TRADEMARK}:{t.registration_number}": t for t in custody.trademarks.all()})
    return rights


def recorded_actions(custody: Custody) -> dict[tuple[str, str], str]:
    """(right_key, deadline_key) -> action, for the custody's recorded actions."""
    return {
        (right, deadline): action
        for right, deadline, action in CustodyAction.objects.filter(custody=custody).values_list(
            "right_key", "deadline_key", "action"
        )
    }


def right_deadlines(record, actions: dict[tuple[str, str], str], check=None) -> list[dl.Deadline]:
    """A right's deadlines as the custody knows them: the record's, and for a trademark the
    renewals its recorded actions imply.

    A "renewed" action moves the term on: the next term's renewal follows at once, without
    waiting for an import to update the record (which is not changed). Once an import moves
    the record's expiry date on, the record wins: the walk starts from its renewal, so nothing
    is listed twice. A renewal acted on that the record no longer lists stays, for the history.
    """
    check = check or dl.workday_checker()
    found = dl.deadlines_for(record, check)
    if not isinstance(record, Trademark):
        return found
    current = next((d for d in found if d.kind == dl.TM_RENEWAL), None)
    if current is None:
        return found
    right_key = f"{dl.TRADEMARK}:{record.registration_number}"
    keys = {d.key for d in found}
    for (right, key), _action in actions.items():
        expiry = dl.renewal_expiry(key) if right == right_key else None
        if expiry is not None and key not in keys and expiry < current.statutory:
            found.append(dl.renewal_deadline(record.registration_number, expiry, check))
            keys.add(key)
    expiry = current.statutory
    for _term in range(50):  # bounded: one step per renewal recorded
        if actions.get((right_key, dl.renewal_key(expiry))) != ActionKind.RENEWED:
            break
        expiry = dl.next_term_expiry(expiry)
        if dl.renewal_key(expiry) not in keys:
            found.append(dl.renewal_deadline(record.registration_number, expiry, check))
            keys.add(dl.renewal_key(expiry))
    found.sort(key=lambda d: (d.due, d.key))
    return found


def custody_deadlines(custody: Custody, check=None, actions=None) -> list[tuple[object, dl.Deadline]]:
    """(record, deadline) for every deadline of every right in the custody, by due date,
    renewals recorded in the custody moving trademark terms on (see right_deadlines)."""
    check = check or dl.workday_checker()
    actions = recorded_actions(custody) if actions is None else actions
    rows = []
    for record in rights_of(custody).values():
        rows.extend((record, d) for d in right_deadlines(record, actions, check))
    rows.sort(key=lambda row: (row[1].due, row[1].right_number, row[1].key))
    return rows


def fee_amounts(record, deadline: dl.Deadline, day=None, check=None) -> dict:
    """amount_yuan, online_amount_yuan, surcharge_yuan (if paid on `day`, default today, in
    the grace period), online_surcharge_yuan; all None for deadlines without a fee."""
    from zhichan.watch import fees

    found = fees.amounts(record, deadline, day or today(), check)
    if found is None:
        return dict.fromkeys(("amount_yuan", "online_amount_yuan", "surcharge_yuan", "online_surcharge_yuan"))
    return found.as_dict()


def _check_evidence(evidence, errors) -> str | None:
    """The evidence's file extension, judged by its content (never by its name), or None."""
    if not evidence:
        return None
    from zhichan.notices.files import check_upload, extension_for

    try:
        content_type, _size = check_upload(evidence, kinds=EVIDENCE_KINDS, limit=MAX_EVIDENCE_BYTES)
    except ValidationError as exc:
        errors["evidence"] = exc.message_dict["file"]
        return None
    return extension_for(content_type)


def do_record_action(
    actor,
    custody: Custody,
    *,
    right_key: str,
    deadline_key: str,
    action: str,
    done_on,
    note: str = "",
    evidence=None,
) -> CustodyAction:
    """Record what was done about a deadline of a right in the custody (once per deadline)."""
    with atomic_with_files():
        return _record_action(actor, custody, right_key, deadline_key, action, done_on, note, evidence)


def _record_action(actor, custody, right_key, deadline_key, action, done_on, note, evidence):
    custody = _locked(actor, custody)
    if custody.status != CustodyStatus.ACTIVE:
        raise TransitionError(_("The custody has ended."), from_state=custody.status)
    errors: dict[str, list] = {}
    record = rights_of(custody).get(str(right_key or ""))
    deadline = None
    if record is None:
        errors["right_key"] = [_("This right is not in the custody.")]
    else:
        known = right_deadlines(record, recorded_actions(custody))
        deadline = next((d for d in known if d.key == deadline_key), None)
        if deadline is None:
            errors["deadline_key"] = [_("The right has no such deadline.")]
        elif deadline.kind not in ACTIONS_FOR:
            errors["deadline_key"] = [_("This deadline asks for no action.")]
    if action not in ActionKind.values:
        errors["action"] = [_("Choose fee paid, renewed or abandoned.")]
    elif deadline is not None and deadline.kind in ACTIONS_FOR and action not in ACTIONS_FOR[deadline.kind]:
        errors["action"] = [_("This action does not answer this deadline.")]
    done_on = _date(done_on, "done_on", errors)
    if done_on and done_on > today():
        errors["done_on"] = [_("The date cannot be in the future.")]
    note = _note(note, errors)
    evidence_ext = _check_evidence(evidence, errors)
    if (
        not errors
        and CustodyAction.objects.filter(
            custody=custody, right_key=right_key, deadline_key=deadline_key
        ).exists()
    ):
        errors["deadline_key"] = [_("An action is already recorded for this deadline.")]
    if errors:
        raise ValidationError(errors)
    fields = {
        "custody": custody,
        "right_key": right_key,
        "deadline_key": deadline_key,
        "deadline_kind": deadline.kind,
        "due": deadline.due,
        "action": action,
        "done_on": done_on,
        "note": note,
        "actor": actor,
        "patent": record if isinstance(record, Patent) else None,
        "trademark": record if isinstance(record, Trademark) else None,
    }
    try:
        with transaction.atomic():
            done = CustodyAction(**fields)
            if evidence:
                # The uploader's name without its extension, then the one its content has.
                stem = Path(str(evidence.name).replace("\\", "/")).stem[:80] or "evidence"
                evidence.seek(0)
                done.evidence.save(f"{stem}.{evidence_ext}", evidence, save=False)
            done.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"deadline_key": [_("An action is already recorded for this deadline.")]}
        ) from exc
    _event(
        custody,
        actor,
        "action",
        to_state=action,
        note=note,
        data={"right": right_key, "deadline": deadline_key, "done_on": done_on.isoformat()},
    )
    return done


@transaction.atomic
def do_end_custody(actor, custody: Custody, *, ends_on=None, note: str = "") -> Custody:
    custody = _locked(actor, custody)
    if custody.status != CustodyStatus.ACTIVE:
        raise TransitionError(_("The custody has already ended."), from_state=custody.status)
    errors: dict[str, list] = {}
    ends_on = _date(ends_on or today(), "ends_on", errors)
    if ends_on and ends_on < custody.starts_on:
        errors["ends_on"] = [_("The custody must end on or after its first day.")]
    note = _note(note, errors)
    if errors:
        raise ValidationError(errors)
    custody.status = CustodyStatus.ENDED
    custody.ends_on = ends_on
    custody.save(update_fields=["status", "ends_on", "updated_at"])
    _event(custody, actor, "ended", from_state=CustodyStatus.ACTIVE, to_state=CustodyStatus.ENDED, note=note)
    return custody


@transaction.atomic
def do_rotate_feed_token(actor, custody: Custody) -> Custody:
    custody = _locked(actor, custody)
    custody.feed_token = new_feed_token()
    custody.save(update_fields=["feed_token", "updated_at"])
    _event(custody, actor, "token")
    return custody
