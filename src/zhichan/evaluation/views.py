"""Evaluation pages: the city, county and agency dashboards, the drill-down to records, the public
open figures, and rectification notices. Views parse input and render; the rules live in
dashboards.py, drilldown.py, open.py and rectification.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.agencies.models import Agency, Status
from zhichan.core.forms import run_action
from zhichan.core.once import new_key
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.evaluation import dashboards, drilldown, rectification
from zhichan.evaluation.forms import IssueNoticeForm, RespondForm, ReviewForm
from zhichan.evaluation.metrics import Scope, ScopeKind, sharing_reads
from zhichan.evaluation.models import NoticeStatus, RectificationFile, RectificationNotice
from zhichan.evaluation.open import open_figures
from zhichan.regions.models import Region, RegionKind


def _period_context(period):
    choices = dashboards.period_choices()
    if period not in choices:
        choices = [period, *choices]
    return {"period": period, "period_choices": choices}


def _trend_codes(request, kind):
    known = {m.code for m in dashboards.metrics_for(kind)}
    codes = [c for c in request.GET.getlist("trend") if c in known]
    return codes or dashboards.default_trend_codes(kind)


def _city_or_404(request):
    if not dashboards.is_city_admin(request.user):
        raise Http404
    city = dashboards.city_for(request.user)
    if city is None:
        raise Http404
    return city


@login_required
@sharing_reads
def overview(request):
    """The city overview; a county's or an agency's people land on their own dashboard instead."""
    if not dashboards.is_city_admin(request.user):
        url = dashboards.home_url(request.user)
        if url is None:
            raise Http404
        return redirect(url)
    city = _city_or_404(request)
    period = dashboards.parse_period(request.GET.get("period"))
    scope = Scope(ScopeKind.CITY, city.pk)
    metric = dashboards.choose_metric(request.GET.get("metric"), ScopeKind.COUNTY)
    trend_codes = _trend_codes(request, ScopeKind.CITY)
    switchable = dashboards.map_and_rankings(request.user, city, metric, period) if metric else None
    data = {
        "geo_url": reverse("api:region_map") + f"?city={city.code}",
        "data_url": reverse("evaluation:overview_data"),
        "switchable": switchable,
        "trend": dashboards.trend(scope, trend_codes),
    }
    return render(
        request,
        "evaluation/overview.html",
        {
            "city": city,
            "scope": scope,
            "metric": metric,
            "metric_choices": [(m.code, m.label) for m in dashboards.metrics_for(ScopeKind.COUNTY)],
            "trend_choices": [(m.code, m.label) for m in dashboards.metrics_for(ScopeKind.CITY)],
            "trend_codes": trend_codes,
            "figures": dashboards.figures(scope, period),
            "switchable": switchable,
            "dashboard_data": data,
            "open_notices": RectificationNotice.objects.restrict(request.user, VIEW).live().count(),
            **_period_context(period),
        },
    )


@login_required
@sharing_reads
def overview_data(request):
    """The overview's map and rankings for another metric or period, for the page's script."""
    city = _city_or_404(request)
    period = dashboards.parse_period(request.GET.get("period"))
    metric = dashboards.get_metric_or_404(request.GET.get("metric"), ScopeKind.COUNTY)
    return JsonResponse(dashboards.map_and_rankings(request.user, city, metric, period))


@login_required
@sharing_reads
def county(request, pk: int):
    region = get_object_or_404(Region, pk=pk, kind=RegionKind.COUNTY)
    return _area(request, region, Scope(ScopeKind.COUNTY, region.pk))


@login_required
@sharing_reads
def park(request, pk: int):
    region = get_object_or_404(Region.objects.select_related("parent"), pk=pk, kind=RegionKind.PARK)
    return _area(request, region, Scope(ScopeKind.PARK, region.pk))


def _area(request, region, scope):
    """A county's or a park's dashboard (one template): its figures, its agencies ranked, a
    county's parks ranked, the monthly trend."""
    dashboards.require_scope(request.user, scope)
    period = dashboards.parse_period(request.GET.get("period"))
    metric = dashboards.choose_metric(request.GET.get("metric"), ScopeKind.AGENCY)
    trend_codes = _trend_codes(request, scope.kind)
    agencies = dashboards.ranking(metric, dashboards.agency_entries(region), period) if metric else []
    parks = None
    if scope.kind == ScopeKind.COUNTY:
        parks = (
            dashboards.ranking(metric, dashboards.park_entries(region), period)
            if metric and ScopeKind.PARK in metric.scope_kinds
            else []
        )
    county_region = region.parent if scope.kind == ScopeKind.PARK else None
    if county_region is not None and not (
        county_region.kind == RegionKind.COUNTY
        and dashboards.can_see_scope(request.user, Scope(ScopeKind.COUNTY, county_region.pk))
    ):
        county_region = None
    return render(
        request,
        "evaluation/county.html",
        {
            "region": region,
            "scope": scope,
            "is_park": scope.kind == ScopeKind.PARK,
            "county": county_region,
            "metric": metric,
            "metric_choices": [(m.code, m.label) for m in dashboards.metrics_for(ScopeKind.AGENCY)],
            "trend_choices": [(m.code, m.label) for m in dashboards.metrics_for(scope.kind)],
            "trend_codes": trend_codes,
            "figures": dashboards.figures(scope, period),
            "agencies": agencies,
            "parks": parks,
            "dashboard_data": {"trend": dashboards.trend(scope, trend_codes)},
            "is_city_admin": dashboards.is_city_admin(request.user),
            "can_issue": rectification.can_issue(request.user),
            **_period_context(period),
        },
    )


@login_required
@sharing_reads
def agency(request, pk: int):
    found = get_object_or_404(Agency.objects.select_related("region"), pk=pk)
    scope = Scope(ScopeKind.AGENCY, found.pk)
    dashboards.require_scope(request.user, scope)
    period = dashboards.parse_period(request.GET.get("period"))
    trend_codes = _trend_codes(request, ScopeKind.AGENCY)
    county_region = found.region.county
    park_region = found.region if found.region.kind == RegionKind.PARK else None
    return render(
        request,
        "evaluation/agency.html",
        {
            "agency": found,
            "scope": scope,
            "county": county_region
            if county_region
            and dashboards.can_see_scope(request.user, Scope(ScopeKind.COUNTY, county_region.pk))
            else None,
            "park": park_region
            if park_region and dashboards.can_see_scope(request.user, Scope(ScopeKind.PARK, park_region.pk))
            else None,
            "trend_choices": [(m.code, m.label) for m in dashboards.metrics_for(ScopeKind.AGENCY)],
            "trend_codes": trend_codes,
            "figures": dashboards.figures(scope, period),
            "dashboard_data": {"trend": dashboards.trend(scope, trend_codes)},
            "notices": RectificationNotice.objects.restrict(request.user, VIEW).filter(agency=found)[:10],
            "can_issue": rectification.can_issue(request.user, found) and found.status == Status.OPERATING,
            **_period_context(period),
        },
    )


@login_required
def drilldown_page(request):
    asked = drilldown.resolve(
        request.user, request.GET.get("metric"), request.GET.get("scope"), request.GET.get("period")
    )
    table = drilldown.page(asked, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/drilldown.html",
        {
            "asked": asked,
            "scope_name": drilldown.scope_name(asked.scope),
            "table": table,
            "query": query.urlencode(),
            "back_url": _scope_url(asked.scope, asked.period),
        },
    )


def _scope_url(scope, period):
    if scope.kind == ScopeKind.CITY:
        url = reverse("evaluation:overview")
    elif scope.kind == ScopeKind.COUNTY:
        url = reverse("evaluation:county", args=[scope.id])
    elif scope.kind == ScopeKind.PARK:
        url = reverse("evaluation:park", args=[scope.id])
    else:
        url = reverse("evaluation:agency", args=[scope.id])
    return f"{url}?period={period.code}"


@sharing_reads
def open_page(request):
    figures = open_figures()
    return render(
        request,
        "evaluation/open.html",
        {
            "open": figures,
            "open_data": {
                "year": figures["year"],
                "monthly": figures["monthly"],
                "counties": figures["counties"],
                "geo_url": reverse("api:region_map"),
            },
        },
    )


# --- rectification notices ---------------------------------------------------------------------


def _notices(user, action=VIEW):
    return RectificationNotice.objects.restrict(user, action).select_related("agency__region", "issued_by")


@login_required
def notice_list(request):
    role_ok = request.user.is_superuser or request.user.role in (
        "city_admin",
        "county_admin",
        "agency_admin",
        "agency_staff",
    )
    if not role_ok:
        raise Http404
    notices = _notices(request.user)
    status = request.GET.get("status", "")
    if status in NoticeStatus.values:
        notices = notices.filter(status=status)
    elif status == "overdue":
        notices = notices.overdue()
    return render(
        request,
        "evaluation/notice_list.html",
        {
            "notices": notices[:500],
            "status": status,
            "statuses": NoticeStatus.choices,
            "can_issue": rectification.can_issue(request.user),
        },
    )


def _issuable_agencies(user):
    return (
        Agency.objects.restrict(user, CHANGE)
        .filter(status=Status.OPERATING)
        .select_related("region")
        .order_by("region__sort", "level", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_create(request):
    if not rectification.can_issue(request.user):
        raise Http404
    agencies = _issuable_agencies(request.user)
    if request.method == "POST":
        # Any agency the user administers: the service says why one is not operating, and a
        # resent submission (its key) answers the notice it made, the agency now rectifying.
        form = IssueNoticeForm(request.POST, agencies=Agency.objects.restrict(request.user, CHANGE))
    else:
        initial = {"deadline": rectification.default_deadline(), "submission_key": new_key()}
        if request.GET.get("agency", "").isdigit():
            initial["agency"] = int(request.GET["agency"])
        if request.GET.get("run", "").isdigit():
            initial["scorecard_run_id"] = int(request.GET["run"])
        form = IssueNoticeForm(initial=initial, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agency_obj = data.pop("agency")
        ok, notice = run_action(
            form,
            lambda: rectification.do_issue_notice(request.user, agency_obj, **data),
            transition_field="agency",
        )
        if ok:
            messages.success(request, _("The notice was issued; the agency is now under rectification."))
            return redirect("evaluation:rectification_detail", pk=notice.pk)
    return render(request, "evaluation/notice_form.html", {"form": form}, status=422 if form.errors else 200)


def _detail(request, notice, *, status=200, respond_form=None, review_form=None):
    can_respond = rectification.can_respond(request.user, notice) and notice.status == NoticeStatus.OPEN
    can_review = rectification.can_review(request.user, notice) and notice.is_live
    return render(
        request,
        "evaluation/notice_detail.html",
        {
            "notice": notice,
            "events": notice.events.select_related("actor"),
            "responses": notice.responses.select_related("responded_by", "decided_by").prefetch_related(
                "files"
            ),
            "can_respond": can_respond,
            "can_review": can_review,
            "can_accept": can_review and notice.status == NoticeStatus.RESPONDED,
            "respond_form": respond_form or RespondForm(),
            "review_form": review_form or ReviewForm(),
        },
        status=status,
    )


@login_required
def notice_detail(request, pk: int):
    notice = get_restricted_or_404(_notices(request.user), request.user, VIEW, pk=pk)
    return _detail(request, notice)


@login_required
@require_POST
def notice_respond(request, pk: int):
    notice = get_restricted_or_404(_notices(request.user), request.user, VIEW, pk=pk)
    if not rectification.can_respond(request.user, notice):
        raise Http404
    form = RespondForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _response = run_action(
            form,
            lambda: rectification.do_respond(
                request.user, notice, text=form.cleaned_data["text"], files=form.cleaned_data["files"]
            ),
            transition_field="text",
        )
        if ok:
            messages.success(request, _("Your response was sent to the issuer."))
            return redirect("evaluation:rectification_detail", pk=notice.pk)
    notice.refresh_from_db()
    return _detail(request, notice, status=422, respond_form=form)


@login_required
@require_POST
def notice_review(request, pk: int):
    notice = get_restricted_or_404(_notices(request.user), request.user, VIEW, pk=pk)
    if not rectification.can_review(request.user, notice):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        action = {
            "accept": rectification.do_accept,
            "reject": rectification.do_reject,
            "escalate": rectification.do_escalate,
        }[form.cleaned_data["decision"]]
        ok, _notice = run_action(
            form,
            lambda: action(request.user, notice, note=form.cleaned_data["note"]),
            transition_field="decision",
        )
        if ok:
            messages.success(request, _("The decision was recorded."))
            return redirect("evaluation:rectification_detail", pk=notice.pk)
    notice.refresh_from_db()
    return _detail(request, notice, status=422, review_form=form)


@login_required
def notice_file(request, pk: int, file_id: int):
    notice = get_restricted_or_404(RectificationNotice.objects.all(), request.user, VIEW, pk=pk)
    found = get_object_or_404(RectificationFile, pk=file_id, response__notice=notice)
    from zhichan.notices.files import serve_private

    return serve_private(found.path, found.original_name, content_type=found.content_type)
