"""Pages of the service network; the rules live in services.py and the access rule in the queryset."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhichan.agencies import services
from zhichan.agencies.coverage import compute_coverage
from zhichan.agencies.filters import clean_text, filter_agencies
from zhichan.agencies.forms import AgencyForm, StatusForm, UpgradeForm
from zhichan.agencies.models import Agency, AgencyType, Function, Status
from zhichan.catalog.models import ServiceItem
from zhichan.core.forms import run_action
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.regions.models import Region, RegionKind

PAGE_SIZE = 20
FILTERS = ("region", "service", "type", "function", "q")


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def finder(request):
    chosen = {name: clean_text(request.GET.get(name)) for name in FILTERS}
    qs = Agency.objects.restrict(request.user, VIEW).public().select_related("region")
    qs = filter_agencies(qs, **chosen).order_by("region__sort", "level", "name", "pk")
    type_labels = dict(AgencyType.choices)
    points = [
        {
            "id": a.pk,
            "name": a.display_name,
            "type": a.type,
            "type_label": str(type_labels.get(a.type, a.type)),
            "value": [a.lng, a.lat],
            "url": reverse("agencies:detail", args=[a.pk]),
        }
        for a in qs
        if a.lng is not None and a.lat is not None
    ]
    page = _page(request, qs.prefetch_related("functions"))
    return render(
        request,
        "agencies/finder.html",
        {
            "page": page,
            "chosen": chosen,
            "query": _query_without_page(request),
            "regions": Region.objects.filter(kind__in=[RegionKind.COUNTY, RegionKind.PARK]).order_by(
                "sort", "code"
            ),
            "items": ServiceItem.objects.restrict(request.user, VIEW).published(),
            "types": AgencyType.choices,
            "functions": Function.choices,
            "map_data": {"geo_url": reverse("api:region_map"), "points": points},
        },
    )


def detail(request, pk: int):
    agency = get_restricted_or_404(
        Agency.objects.select_related("region", "parent"), request.user, VIEW, pk=pk
    )
    can_status = services.can_change(request.user, agency) and services.can_change_status(
        request.user, agency
    )
    return render(
        request,
        "agencies/detail.html",
        {
            "agency": agency,
            # The parent link only when the reader may open it.
            "parent": Agency.objects.restrict(request.user, VIEW).filter(pk=agency.parent_id).first(),
            "services": agency.services.restrict(request.user, VIEW).order_by("category", "sort", "code"),
            "outlets": Agency.objects.restrict(request.user, VIEW)
            .filter(parent=agency)
            .select_related("region"),
            "can_edit": bool(services.editable_fields(request.user, agency)),
            "can_status": can_status,
            "can_upgrade": can_status
            and agency.type == AgencyType.TM_GUIDANCE_STATION
            and agency.status != Status.CLOSED,
        },
    )


def coverage(request):
    return render(request, "agencies/coverage.html", {"coverage": compute_coverage()})


@login_required
def manage(request):
    status = clean_text(request.GET.get("status"))
    qs = Agency.objects.restrict(request.user, CHANGE).select_related("region")
    if status in Status.values:
        qs = qs.filter(status=status)
    if not services.editable_fields(request.user, None) and not qs.exists() and not status:
        raise Http404
    return render(
        request,
        "agencies/manage.html",
        {
            "page": _page(request, qs.order_by("region__sort", "level", "name", "pk")),
            "status": status,
            "statuses": Status.choices,
            "query": _query_without_page(request),
            "can_create": bool(services.editable_fields(request.user, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    allowed = services.editable_fields(request.user, None)
    if not allowed:
        raise Http404
    form = AgencyForm(request.POST or None, allowed=allowed, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, agency = run_action(
            form, lambda: services.do_create_agency(request.user, **form.service_fields())
        )
        if ok:
            messages.success(request, _("The agency was registered."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/form.html", {"form": form, "agency": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    agency = get_restricted_or_404(Agency.objects.select_related("region"), request.user, CHANGE, pk=pk)
    allowed = services.editable_fields(request.user, agency)
    if not allowed:
        raise Http404
    form = AgencyForm(request.POST or None, allowed=allowed, user=request.user, agency=agency)
    if request.method == "POST" and form.is_valid():
        ok, _agency = run_action(
            form, lambda: services.do_update_agency(request.user, agency, **form.service_fields())
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/form.html", {"form": form, "agency": agency})


def _managed(request, pk: int) -> Agency:
    agency = get_restricted_or_404(Agency.objects.select_related("region"), request.user, CHANGE, pk=pk)
    if not services.can_change_status(request.user, agency):
        raise Http404
    return agency


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request, pk: int):
    agency = _managed(request, pk)
    form = StatusForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _agency = run_action(
            form,
            lambda: services.do_change_status(request.user, agency, data["status"], data["finding"]),
            transition_field="status",
        )
        if ok:
            messages.success(request, _("The status was changed."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/status.html", {"form": form, "agency": agency})


@login_required
@require_http_methods(["GET", "POST"])
def upgrade(request, pk: int):
    agency = _managed(request, pk)
    if agency.type != AgencyType.TM_GUIDANCE_STATION:
        raise Http404
    form = UpgradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _agency = run_action(
            form,
            lambda: services.do_upgrade_station(request.user, agency, data["type"], data["finding"]),
            transition_field="type",
        )
        if ok:
            messages.success(request, _("The station was upgraded."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/upgrade.html", {"form": form, "agency": agency})


@login_required
def history(request, pk: int):
    agency = get_restricted_or_404(Agency.objects.select_related("region"), request.user, CHANGE, pk=pk)
    labels = {**dict(Status.choices), **dict(AgencyType.choices)}
    events = list(agency.events.select_related("actor").order_by("-at", "-id"))
    for event in events:
        event.from_label = labels.get(event.from_state, event.from_state)
        event.to_label = labels.get(event.to_state, event.to_state)
    return render(request, "agencies/history.html", {"agency": agency, "events": events})
