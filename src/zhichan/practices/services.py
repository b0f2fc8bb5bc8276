"""The only code that changes good-practice write-ups; pages and API call these.

Refusals: ValidationError naming the field (nothing is written), TransitionError for a move
the status does not allow, PermissionDenied for someone who may not act (answered as 404).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.agencies.models import Agency
from zhichan.core.errors import TransitionError
from zhichan.core.files import atomic_with_files
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.practices.models import (
    EDITABLE,
    Category,
    Practice,
    PracticeFile,
    PracticeLog,
    PracticeStatus,
    reviewed_filter,
)
from zhichan.regions.models import Region, RegionKind

FIELDS = ("title", "summary", "body", "county", "agency", "category", "tags", "case_number")
FILE_FOLDER = "practices"
MAX_TAGS = 8
TAG_LENGTH = 20
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")


def can_write(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    role = role_of(user)
    if role in AGENCY_ROLES:
        return bool(user.agency_id)
    if role == "county_admin":
        return bool(user.region_id)
    return role == "city_admin"


def can_review(user, practice: Practice) -> bool:
    reviewed = reviewed_filter(user)
    return (
        reviewed is not None
        and practice.author_id != user.pk
        and Practice.objects.filter(reviewed, pk=practice.pk).exists()
    )


def county_choices(user):
    counties = Region.objects.filter(kind=RegionKind.COUNTY)
    if not can_write(user):
        return counties.none()
    if user.is_superuser or role_of(user) == "city_admin":
        return counties
    if role_of(user) == "county_admin":
        return counties.filter(pk__in=user.region.subtree_ids())
    county = user.agency.region.county if user.agency and user.agency.region else None
    return counties.filter(pk=county.pk) if county else counties.none()


def agency_choices(user):
    agencies = Agency.objects.exclude(status="closed")
    if not can_write(user):
        return agencies.none()
    if user.is_superuser or role_of(user) == "city_admin":
        return agencies
    if role_of(user) == "county_admin":
        return agencies.filter(region_id__in=user.region.subtree_ids())
    return agencies.filter(pk=user.agency_id)


def _plain(value, field, errors, *, required=False, max_length=None) -> str:
    text = clean_text(value, field, errors, required=required, max_length=max_length)
    if text and _HTML_TAG.search(text):
        errors.setdefault(field, []).append(_("Write plain text; HTML tags are not accepted."))
    return text


def clean_tags(value, errors) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = _TAG_SPLIT.split(value)
    if not isinstance(value, list | tuple):
        errors["tags"] = [_("Give the tags separated by commas.")]
        return []
    tags = []
    for raw in value:
        tag = clean_text(raw, "tags", errors, max_length=TAG_LENGTH)
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        errors.setdefault("tags", []).append(_("At most %(n)d tags.") % {"n": MAX_TAGS})
    return tags


def _case(actor, number, errors):
    from zhichan.cases.models import Case

    number = clean_text(number, "case_number", errors, max_length=30)
    if not number:
        return None
    case = Case.objects.restrict(actor, VIEW).filter(number=number.upper()).first()
    if case is None:
        errors.setdefault("case_number", []).append(_("No case with this number that you may view."))
    return case


def _clean(actor, data: dict) -> dict:
    errors: dict[str, list] = {}
    cleaned = {
        "title": _plain(data.get("title"), "title", errors, required=True, max_length=200),
        "summary": _plain(data.get("summary"), "summary", errors, required=True, max_length=500),
        "body": _plain(data.get("body"), "body", errors, required=True, max_length=20000),
        "tags": clean_tags(data.get("tags"), errors),
        "case": _case(actor, data.get("case_number"), errors),
    }
    category = data.get("category")
    if category not in Category.values:
        errors["category"] = [_("Choose one of the categories.")]
    cleaned["category"] = category
    county = data.get("county")
    if county is None:
        errors["county"] = [_("Choose the county.")]
    elif not county_choices(actor).filter(pk=county.pk).exists():
        errors["county"] = [_("Choose a county you work in.")]
    cleaned["county"] = county
    agency = data.get("agency")
    if agency is not None:
        if not agency_choices(actor).filter(pk=agency.pk).exists():
            errors["agency"] = [_("Choose an agency you may act for.")]
        elif county is not None and agency.region_id not in county.subtree_ids():
            errors["agency"] = [_("The agency is not in the county chosen.")]
    cleaned["agency"] = agency
    if errors:
        raise ValidationError(errors)
    return cleaned


def current(practice: Practice) -> dict:
    values = {name: getattr(practice, name) for name in FIELDS if name != "case_number"}
    values["case_number"] = practice.case.number if practice.case_id else ""
    return values


def _log(practice, kind, actor=None, *, from_state="", to_state="", note="", **data):
    PracticeLog.objects.create(
        practice=practice,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )


def _check_files(practice, files) -> list:
    from zhichan.notices.files import check_uploads

    files = [f for f in (files or []) if f]
    have = practice.files.count() if practice is not None else 0
    if have + len(files) > settings.ZHICHAN_PRACTICE_MAX_FILES:
        raise ValidationError(
            {"files": [_("At most %(n)d files per practice.") % {"n": settings.ZHICHAN_PRACTICE_MAX_FILES}]}
        )
    return check_uploads(files, "files")


def _store(practice, checked, actor):
    from zhichan.notices.files import store_upload

    for uploaded, content_type, size in checked:
        path = store_upload(uploaded, FILE_FOLDER, content_type=content_type)
        name = (getattr(uploaded, "name", "") or "file")[-200:]
        PracticeFile.objects.create(
            practice=practice, path=path, original_name=name, content_type=content_type, size=size
        )
        _log(practice, "file_added", actor, name=name)


def do_create_practice(actor, *, files=(), **data) -> Practice:
    if not can_write(actor):
        raise PermissionDenied
    cleaned = _clean(actor, data)
    checked = _check_files(None, files)
    with atomic_with_files():
        practice = Practice.objects.create(author=actor, **cleaned)
        _log(practice, "created", actor, to_state=practice.status)
        _store(practice, checked, actor)
    return practice


def _lock(actor, practice) -> Practice:
    locked = Practice.objects.restrict(actor, CHANGE).select_for_update().filter(pk=practice.pk).first()
    if locked is None:
        if Practice.objects.filter(pk=practice.pk, author_id=getattr(actor, "pk", None)).exists():
            current_status = Practice.objects.get(pk=practice.pk).get_status_display().lower()
            raise TransitionError(
                _("The practice is %(status)s; it cannot be changed now.") % {"status": current_status}
            )
        raise PermissionDenied
    return locked


def do_update_practice(actor, practice: Practice, *, files=(), **data) -> Practice:
    with atomic_with_files():
        practice = _lock(actor, practice)
        cleaned = _clean(actor, {**current(practice), **data})
        checked = _check_files(practice, files)
        changed = [name for name, value in cleaned.items() if getattr(practice, name) != value]
        for name, value in cleaned.items():
            setattr(practice, name, value)
        practice.save()
        if changed:
            _log(practice, "updated", actor, fields=changed)
        _store(practice, checked, actor)
    return practice


@transaction.atomic
def do_remove_file(actor, attachment: PracticeFile) -> None:
    practice = _lock(actor, attachment.practice)
    attachment = practice.files.filter(pk=attachment.pk).first()
    if attachment is None:
        raise PermissionDenied
    name = attachment.original_name
    attachment.delete()
    _log(practice, "file_removed", actor, name=name)


TRANSITION_WORDS = {
    "submitted": gettext_lazy("submitted"),
    "published": gettext_lazy("approved"),
    "returned": gettext_lazy("returned"),
    "unpublished": gettext_lazy("unpublished"),
}


def _move(actor, practice, allowed, to_state, kind, note=""):
    if practice.status not in allowed:
        raise TransitionError(
            _("The practice is %(status)s; it cannot be %(action)s.")
            % {"status": practice.get_status_display().lower(), "action": TRANSITION_WORDS[kind]},
            from_state=practice.status,
            to_state=to_state,
        )
    before = practice.status
    practice.status = to_state
    fields = ["status", "updated_at"]
    if to_state == PracticeStatus.PUBLISHED:
        practice.published_at = timezone.now()
        practice.reviewed_by = actor
        practice.return_reason = ""
        fields += ["published_at", "reviewed_by", "return_reason"]
    elif to_state == PracticeStatus.RETURNED:
        practice.reviewed_by = actor
        practice.return_reason = note
        fields += ["reviewed_by", "return_reason"]
    practice.save(update_fields=fields)
    _log(practice, kind, actor, from_state=before, to_state=to_state, note=note)
    return practice


@transaction.atomic
def do_submit_practice(actor, practice: Practice) -> Practice:
    practice = _lock(actor, practice)
    return _move(actor, practice, EDITABLE, PracticeStatus.SUBMITTED, "submitted")


def _for_review(actor, practice) -> Practice:
    reviewed = reviewed_filter(actor)
    if reviewed is None:
        raise PermissionDenied
    locked = Practice.objects.filter(reviewed).select_for_update().filter(pk=practice.pk).first()
    if locked is None or (locked.status == PracticeStatus.DRAFT and locked.author_id != actor.pk):
        raise PermissionDenied
    if locked.author_id == actor.pk:
        raise ValidationError({"reviewer": [_("You wrote this practice; another administrator reviews it.")]})
    return locked


@transaction.atomic
def do_approve_practice(actor, practice: Practice) -> Practice:
    practice = _for_review(actor, practice)
    return _move(actor, practice, (PracticeStatus.SUBMITTED,), PracticeStatus.PUBLISHED, "published")


@transaction.atomic
def do_return_practice(actor, practice: Practice, reason) -> Practice:
    errors: dict = {}
    reason = clean_text(reason, "reason", errors, required=True, max_length=2000)
    practice = _for_review(actor, practice)
    if errors:
        raise ValidationError(errors)
    return _move(actor, practice, (PracticeStatus.SUBMITTED,), PracticeStatus.RETURNED, "returned", reason)


@transaction.atomic
def do_unpublish_practice(actor, practice: Practice, reason="") -> Practice:
    if (
        actor is None
        or not actor.is_authenticated
        or not (actor.is_superuser or role_of(actor) == "city_admin")
    ):
        raise PermissionDenied
    errors: dict = {}
    reason = clean_text(reason, "reason", errors, max_length=2000)
    if errors:
        raise ValidationError(errors)
    practice = Practice.objects.select_for_update().filter(pk=practice.pk).first()
    if practice is None:
        raise PermissionDenied
    return _move(
        actor, practice, (PracticeStatus.PUBLISHED,), PracticeStatus.UNPUBLISHED, "unpublished", reason
    )


def shows_case(user, practice: Practice) -> bool:
    """The linked case is shown to the author and the reviewers, never on the public page."""
    if not practice.case_id or user is None or not user.is_authenticated:
        return False
    if practice.author_id == user.pk:
        return True
    reviewed = reviewed_filter(user)
    return reviewed is not None and Practice.objects.filter(reviewed, pk=practice.pk).exists()
