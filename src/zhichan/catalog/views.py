"""Catalogue pages: thin views over the services; forbidden and missing both answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhichan.agencies.models import Agency, AgencyType
from zhichan.catalog import services
from zhichan.catalog.filters import clean_query, filter_items
from zhichan.catalog.forms import DraftForm, ItemDetailsForm, ItemForm, PublishForm
from zhichan.catalog.models import Category, Channel, GuideStatus, ServiceItem
from zhichan.core.errors import TransitionError
from zhichan.core.forms import add_service_errors
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied

FIELD_LABELS = {name: DraftForm.base_fields[name].label for name in services.GUIDE_FIELDS}


def _labels(choices, values):
    known = dict(choices)
    return [known.get(v, v) for v in values]


def _guide_context(request, item, version):
    """What the guide, version and print pages show about one version."""
    return {
        "item": item,
        "version": version,
        "channels": _labels(Channel.choices, version.channels) if version else [],
        "agency_types": _labels(AgencyType.choices, version.agency_types) if version else [],
        "can_change": services.can_change(request.user, item),
    }


def index(request):
    items = ServiceItem.objects.restrict(request.user, VIEW).published()
    q = clean_query(request.GET.get("q"))
    category = request.GET.get("category") or ""
    source = request.GET.get("source") or ""
    items = filter_items(items, q=q, category=category, source=source)
    items = list(items.select_related("current", "provider", "offer"))
    groups = [(value, label, [i for i in items if i.category == value]) for value, label in Category.choices]
    return render(
        request,
        "catalog/index.html",
        {
            "groups": [g for g in groups if g[2]],
            "categories": Category.choices,
            "q": q,
            "category": category,
            "source": source,
            "count": len(items),
        },
    )


def guide(request, code):
    item = services.get_item_or_404(
        request.user,
        VIEW,
        code,
        ServiceItem.objects.select_related("current", "owner_region", "provider", "offer"),
    )
    context = _guide_context(request, item, item.current)
    context["versions"] = item.versions.filter(number__isnull=False).order_by("-number")
    context["agencies"] = (
        Agency.objects.restrict(request.user, VIEW).operating().filter(services=item).select_related("region")
    )
    context["has_draft"] = context["can_change"] and services.draft_of(item) is not None
    return render(request, "catalog/guide.html", context)


def version(request, code, number):
    item = services.get_item_or_404(request.user, VIEW, code)
    found = item.versions.filter(number=number).first()
    if found is None:
        raise Http404
    context = _guide_context(request, item, found)
    context["superseded"] = found.status == GuideStatus.SUPERSEDED
    return render(request, "catalog/version.html", context)


def print_view(request, code):
    item = services.get_item_or_404(request.user, VIEW, code, ServiceItem.objects.select_related("current"))
    if item.current is None:
        raise Http404
    return render(request, "catalog/print.html", _guide_context(request, item, item.current))


@login_required
def manage(request):
    if not services.can_create(request.user):
        raise Http404
    items = list(ServiceItem.objects.restrict(request.user, CHANGE).select_related("current", "owner_region"))
    drafts = set(
        ServiceItem.objects.filter(
            pk__in=[i.pk for i in items], versions__status=GuideStatus.DRAFT
        ).values_list("pk", flat=True)
    )
    for item in items:
        item.has_draft = item.pk in drafts
    return render(request, "catalog/manage.html", {"items": items})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not services.can_create(request.user):
        raise Http404
    form = ItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.do_create_item(
                request.user,
                data["code"],
                data["name"],
                data["category"],
                name_en=data["name_en"],
                summary=data["summary"],
                sort=data["sort"] or 0,
                owner_region=data["owner_region"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Service item created. Now write its guide."))
            return redirect("catalog:edit", code=item.code)
    return render(request, "catalog/create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, code):
    item = services.get_item_or_404(request.user, CHANGE, code, ServiceItem.objects.select_related("current"))
    draft = services.draft_of(item)
    if request.method == "POST":
        details = ItemDetailsForm(request.POST, prefix="item")
        form = DraftForm(request.POST)
        if details.is_valid() and form.is_valid():
            try:
                with transaction.atomic():
                    details_data = dict(details.cleaned_data)
                    details_data["sort"] = details_data["sort"] or 0
                    services.do_update_item(request.user, item, **details_data)
                    services.do_save_draft(request.user, item, **form.cleaned_data)
            except ValidationError as exc:
                item_errors = {k: v for k, v in exc.message_dict.items() if k in services.ITEM_FIELDS}
                add_service_errors(details if item_errors else form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Draft saved. Publish it when it is ready."))
                return redirect("catalog:publish", code=item.code)
    else:
        details = ItemDetailsForm(
            prefix="item",
            initial={k: getattr(item, k) for k in services.ITEM_FIELDS},
        )
        form = DraftForm(initial=DraftForm.initial_from(draft or item.current))
    return render(
        request,
        "catalog/edit.html",
        {"item": item, "draft": draft, "details": details, "form": form},
    )


def _diff(current, draft):
    rows = []
    for field in services.changed_fields(current, draft):
        old = _summary(field, getattr(current, field) if current else None)
        new = _summary(field, getattr(draft, field))
        if old != new:
            rows.append({"field": field, "label": FIELD_LABELS[field], "old": old, "new": new})
    return rows


def _summary(field, value):
    if value in (None, "", []):
        return "—"
    if field == "materials":
        return "; ".join(m["name"] for m in value)
    if field == "legal_basis":
        return "; ".join(f"{b['law']}{b.get('article', '')}" for b in value)
    if field == "faq":
        return "; ".join(f["q"] for f in value)
    if field == "channels":
        return ", ".join(str(x) for x in _labels(Channel.choices, value))
    if field == "agency_types":
        return ", ".join(str(x) for x in _labels(AgencyType.choices, value))
    if isinstance(value, list):
        return " → ".join(value)
    return str(value)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, code):
    item = services.get_item_or_404(request.user, CHANGE, code, ServiceItem.objects.select_related("current"))
    draft = services.draft_of(item)
    form = PublishForm(request.POST or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            published = services.do_publish(request.user, item, form.cleaned_data["change_note"])
        except TransitionError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:guide", code=item.code)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field in form.fields:
                    for message in errors:
                        form.add_error(field, message)
                else:
                    problems.append((FIELD_LABELS.get(field, field), errors))
        else:
            messages.success(request, _("Version %(number)d is now in force.") % {"number": published.number})
            return redirect("catalog:guide", code=item.code)
    return render(
        request,
        "catalog/publish.html",
        {
            "item": item,
            "draft": draft,
            "form": form,
            "diff": _diff(item.current, draft) if draft else [],
            "problems": problems,
        },
    )
