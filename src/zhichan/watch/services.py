"""The only code that changes watch lists and alerts; pages, the API and the scan call these.

do_create_list(actor, name, enterprise=None, digest="daily")
do_update_list(actor, watch_list, **fields)  do_delete_list(actor, watch_list)
do_add_item(actor, watch_list, kind, **fields)  do_remove_item(actor, item)
do_mark_read(actor, alerts)
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.enterprises.models import Enterprise
from zhichan.ipdata.models import Patent
from zhichan.ipdata.validators import InvalidValue, application_number
from zhichan.watch.models import Alert, Digest, ItemKind, WatchItem, WatchList

# A mark must have at least one letter, digit or Chinese character to be compared.
_MEANINGFUL = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_SPLIT = re.compile(r"[,，;；、\s]+")
MAX_MARK = 50


def can_keep_lists(user) -> bool:
    """Enterprise users (for their own enterprise) and agency staff (for any) keep watch lists."""
    role = role_of(user)
    if role == "enterprise":
        return bool(user.enterprise_id)
    return role in ("agency_staff", "agency_admin") and bool(user.agency_id)


def _list(value) -> list[str]:
    if isinstance(value, str):
        value = _SPLIT.split(value)
    return [str(v).strip() for v in value or [] if str(v).strip()]


def _enterprise_for(actor, enterprise, errors):
    if role_of(actor) == "enterprise":
        return actor.enterprise
    if enterprise in (None, ""):
        errors["enterprise"] = [_("Choose the enterprise the list is kept for.")]
        return None
    if not isinstance(enterprise, Enterprise):
        enterprise = Enterprise.objects.filter(pk=enterprise).first() if str(enterprise).isdigit() else None
        if enterprise is None:
            errors["enterprise"] = [_("No such enterprise.")]
    return enterprise


def _digest(value, errors) -> str:
    value = str(value or Digest.DAILY)
    if value not in Digest.values:
        errors["digest"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Digest.values)}]
    return value


@transaction.atomic
def do_create_list(actor, name, enterprise=None, digest=Digest.DAILY) -> WatchList:
    if not can_keep_lists(actor):
        raise PermissionDenied
    errors: dict[str, list] = {}
    name = clean_text(name, "name", errors, max_length=100, required=True)
    enterprise = _enterprise_for(actor, enterprise, errors)
    digest = _digest(digest, errors)
    if not errors and WatchList.objects.filter(enterprise=enterprise, name=name).exists():
        errors["name"] = [_("This enterprise already has a watch list of that name.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return WatchList.objects.create(
                enterprise=enterprise,
                agency=actor.agency if role_of(actor) in ("agency_staff", "agency_admin") else None,
                name=name,
                digest=digest,
                created_by=actor,
            )
    except IntegrityError:  # the same list submitted twice at once
        raise ValidationError(
            {"name": [_("This enterprise already has a watch list of that name.")]}
        ) from None


def _editable(actor, watch_list) -> WatchList:
    found = WatchList.objects.restrict(actor, CHANGE).select_for_update().filter(pk=watch_list.pk).first()
    if found is None:
        raise PermissionDenied
    return found


@transaction.atomic
def do_update_list(actor, watch_list, **data) -> WatchList:
    watch_list = _editable(actor, watch_list)
    errors: dict[str, list] = {}
    if "name" in data:
        name = clean_text(data["name"], "name", errors, max_length=100, required=True)
        taken = WatchList.objects.filter(enterprise_id=watch_list.enterprise_id, name=name).exclude(
            pk=watch_list.pk
        )
        if not errors and taken.exists():
            errors["name"] = [_("This enterprise already has a watch list of that name.")]
        watch_list.name = name
    if "digest" in data:
        watch_list.digest = _digest(data["digest"], errors)
    if errors:
        raise ValidationError(errors)
    watch_list.save()
    return watch_list


@transaction.atomic
def do_delete_list(actor, watch_list) -> None:
    _editable(actor, watch_list).delete()


def _clean_mark(data, errors) -> dict:
    text = clean_text(data.get("text"), "text", errors, max_length=MAX_MARK, required=True)
    if text and "text" not in errors and not _MEANINGFUL.search(text):
        errors["text"] = [_("A word mark needs letters, digits or Chinese characters, not only symbols.")]
    classes = []
    for value in _list(data.get("nice_classes")):
        if not value.isdigit() or not 1 <= int(value) <= 45:
            errors["nice_classes"] = [
                _("Nice classes are numbers from 1 to 45; %(value)s is not.") % {"value": value}
            ]
            break
        classes.append(int(value))
    if not classes and "nice_classes" not in errors:
        errors["nice_classes"] = [_("Give the Nice classes the mark is used in.")]
    return {"text": text, "nice_classes": sorted(set(classes))}


def _clean_patent(data, errors) -> dict:
    patent = data.get("patent")
    if not isinstance(patent, Patent):
        number = str(data.get("application_number") or "").strip()
        if not number:
            errors["application_number"] = [_("Give the patent's application number.")]
            return {}
        try:
            number = application_number(number)
        except InvalidValue as exc:
            errors["application_number"] = [str(exc)]
            return {}
        patent = Patent.objects.filter(application_number=number).first()
        if patent is None:
            errors["application_number"] = [
                _("No patent with application number %(n)s is on record.") % {"n": number}
            ]
            return {}
    return {"patent": patent, "last_status": patent.legal_status}


def _clean_field(data, errors) -> dict:
    from zhichan.ipdata.statistics import normalize_ipc

    prefixes = []
    for value in _list(data.get("ipc_prefixes")):
        try:
            prefixes.append(normalize_ipc(value))
        except ValueError:
            errors["ipc_prefixes"] = [
                _("%(value)s is not an IPC section, class, subclass or group.") % {"value": value}
            ]
            break
    keywords = [k[:50] for k in _list(data.get("keywords"))][:20]
    if not prefixes and not keywords and "ipc_prefixes" not in errors:
        errors["ipc_prefixes"] = [_("Give IPC codes, keywords or both.")]
    label = clean_text(data.get("text"), "text", errors, max_length=200)
    return {
        "ipc_prefixes": sorted(set(prefixes)),
        "keywords": keywords,
        "text": label or " ".join([*prefixes, *keywords])[:200],
    }


@transaction.atomic
def do_add_item(actor, watch_list, kind, **data) -> WatchItem:
    watch_list = _editable(actor, watch_list)
    errors: dict[str, list] = {}
    if kind not in ItemKind.values:
        raise ValidationError(
            {"kind": [_("Choose one of: %(values)s.") % {"values": ", ".join(ItemKind.values)}]}
        )
    if kind == ItemKind.MARK:
        fields = _clean_mark(data, errors)
    elif kind == ItemKind.PATENT:
        fields = _clean_patent(data, errors)
    elif kind == ItemKind.APPLICANT:
        fields = {"text": clean_text(data.get("text"), "text", errors, max_length=200, required=True)}
    else:
        fields = _clean_field(data, errors)
    if not errors and watch_list.items.count() >= settings.ZHICHAN_WATCH_MAX_ITEMS:
        errors["kind"] = [
            _("A watch list holds at most %(n)d items.") % {"n": settings.ZHICHAN_WATCH_MAX_ITEMS}
        ]
    if errors:
        raise ValidationError(errors)
    same = watch_list.items.filter(kind=kind, **{k: v for k, v in fields.items() if k != "last_status"})
    existing = same.first()
    if existing is not None:
        return existing  # watching a thing twice would tell everything twice
    return WatchItem.objects.create(watch_list=watch_list, kind=kind, **fields)


@transaction.atomic
def do_remove_item(actor, item) -> None:
    _editable(actor, item.watch_list)
    WatchItem.objects.filter(pk=item.pk).delete()


def do_mark_read(actor, alert_ids) -> int:
    """Mark the actor's alerts read; alerts of lists the actor does not keep are ignored (an
    administrator who only oversees a list must not clear its keepers' unread marks)."""
    ids = [int(i) for i in alert_ids if str(i).isdigit()]
    return (
        Alert.objects.restrict(actor, CHANGE)
        .filter(pk__in=ids, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
