"""The only code that changes policies and Q&A items; pages and API call these, and the index follows."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhichan.catalog.models import ServiceItem
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, role_of
from zhichan.knowledge import search
from zhichan.knowledge.models import Article, LawStatus, Policy, QAItem, Tag
from zhichan.regions.models import Region

ADMINS = {"city_admin", "county_admin"}
MAX_ID = 2**31 - 1  # larger numbers name no record (and would overflow SQLite)


def can_manage(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or role_of(user) in ADMINS))


def _is_id(value) -> bool:
    return str(value).isdigit() and int(value) <= MAX_ID


def _region(actor, region):
    """City admins choose any region or none; a county admin's records belong to their county's subtree."""
    if region in (None, ""):
        if role_of(actor) == "county_admin" and not actor.is_superuser:
            return actor.region
        return None
    if not isinstance(region, Region):
        region = Region.objects.filter(pk=region).first() if _is_id(region) else None
        if region is None:
            raise ValidationError({"region": [_("Unknown region.")]})
    if (
        role_of(actor) == "county_admin"
        and not actor.is_superuser
        and region.pk not in actor.region.subtree_ids()
    ):
        raise ValidationError({"region": [_("You can only publish for your own county.")]})
    return region


def _text(data, name, required=True, max_length=None):
    value = str(data.get(name) or "").replace("\x00", "").strip()
    if required and not value:
        raise ValidationError({name: [_("This field is required.")]})
    if max_length and len(value) > max_length:
        raise ValidationError({name: [_("At most %(n)d characters.") % {"n": max_length}]})
    return value


def _tags(names) -> list[Tag]:
    if isinstance(names, str):
        names = names.replace("，", ",").split(",")
    clean = []
    for name in names or []:
        name = str(name).replace("\x00", "").strip()
        if not name:
            continue
        if len(name) > 40:
            raise ValidationError({"tags": [_("A tag has at most 40 characters.")]})
        if name not in clean:
            clean.append(name)
    return [Tag.objects.get_or_create(name=n)[0] for n in clean]


def _date(value, name):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _check(actor, obj, model):
    if not can_manage(actor):
        raise PermissionDenied
    if obj is not None and not model.objects.restrict(actor, CHANGE).filter(pk=obj.pk).exists():
        raise PermissionDenied


def do_save_policy(actor, policy: Policy | None, data: dict) -> Policy:
    """Create (policy None) or update a policy; its search entry follows in the same transaction."""
    _check(actor, policy, Policy)
    status = data.get("status") or LawStatus.IN_FORCE
    if status not in LawStatus.values:
        raise ValidationError({"status": [_("Choose in force or repealed.")]})
    values = {
        "title": _text(data, "title", max_length=200),
        "issuing_body": _text(data, "issuing_body", max_length=200),
        "document_number": _text(data, "document_number", required=False, max_length=100),
        "issued_on": _date(data.get("issued_on"), "issued_on"),
        "status": status,
        "text": _text(data, "text"),
        "is_summary": bool(data.get("is_summary", False)),
        "published": bool(data.get("published", True)),
        "region": _region(actor, data.get("region")),
    }
    with transaction.atomic():
        if policy is None:
            policy = Policy.objects.create(**values)
        else:
            policy = Policy.objects.select_for_update().get(pk=policy.pk)
            for key, value in values.items():
                setattr(policy, key, value)
            policy.save()
        policy.tags.set(_tags(data.get("tags")))
        search.index_object(policy)
    return policy


def do_save_qa(actor, qa: QAItem | None, data: dict) -> QAItem:
    """Create (qa None) or update a Q&A item with its tags, service item and cited articles."""
    _check(actor, qa, QAItem)
    service = data.get("service_item")
    if service not in (None, ""):
        if not isinstance(service, ServiceItem):
            service = (
                ServiceItem.objects.restrict(actor, VIEW).filter(pk=service).first()
                if _is_id(service)
                else None
            )
            if service is None:
                raise ValidationError({"service_item": [_("Unknown service item.")]})
    else:
        service = None
    article_ids = [a.pk if isinstance(a, Article) else a for a in (data.get("articles") or [])]
    wanted = [int(a) for a in article_ids if str(a).isdigit() and int(a) <= MAX_ID]
    articles = list(Article.objects.filter(pk__in=wanted))
    if len(articles) != len(set(article_ids)):
        raise ValidationError({"articles": [_("One of the cited articles does not exist.")]})
    values = {
        "question": _text(data, "question", max_length=300),
        "answer": _text(data, "answer"),
        "service_item": service,
        "published": bool(data.get("published", True)),
        "region": _region(actor, data.get("region")),
    }
    with transaction.atomic():
        if qa is None:
            qa = QAItem.objects.create(**values)
        else:
            qa = QAItem.objects.select_for_update().get(pk=qa.pk)
            for key, value in values.items():
                setattr(qa, key, value)
            qa.save()
        qa.tags.set(_tags(data.get("tags")))
        qa.articles.set(articles)
        search.index_object(qa)
    return qa


def do_delete_qa(actor, qa: QAItem) -> None:
    _check(actor, qa, QAItem)
    with transaction.atomic():
        search.remove_object("qa", qa.pk)
        qa.delete()
