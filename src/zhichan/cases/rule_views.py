"""Pages where administrators keep the routing rules; the rules about rules live in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhichan.cases import routing, services
from zhichan.cases.forms import RuleForm, RuleTesterForm
from zhichan.cases.models import CaseType, RoutingRule
from zhichan.core.audit import history
from zhichan.core.forms import run_action
from zhichan.core.permissions import CHANGE, PermissionDenied, get_restricted_or_404
from zhichan.regions.models import Region, RegionKind

PAGE_SIZE = 50


def _editor(request):
    if not services.can_edit_rules(request.user):
        raise Http404


def _test_route(request):
    """The tester runs the same routing as intake; an empty query shows an empty form."""
    if "t-type" not in request.GET:
        return RuleTesterForm(prefix="t"), None
    form = RuleTesterForm(request.GET, prefix="t")
    result = None
    if form.is_valid():
        data = form.cleaned_data
        args = (data["type"], data["region"], data["ip_type"] or "", data["item"])
        try:
            rules = routing.matching_rules(*args)
            result = {"agency": routing.route(*args), "rule": rules[0] if rules else None}
        except ValidationError as exc:
            form.add_error("type", exc.messages[0])
    return form, result


@login_required
def rules(request):
    _editor(request)
    chosen = {
        "type": (request.GET.get("type") or "").strip()[:24],
        "region": (request.GET.get("region") or "").strip()[:20],
    }
    qs = RoutingRule.objects.restrict(request.user, CHANGE).select_related(
        "region", "service_item", "agency", "agency__region"
    )
    if chosen["type"] in CaseType.values:
        qs = qs.filter(case_type=chosen["type"])
    if chosen["region"]:
        qs = qs.filter(region__code=chosen["region"])
    tester, result = _test_route(request)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/rules.html",
        {
            "page": Paginator(qs.order_by("case_type", "-priority", "pk"), PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "chosen": chosen,
            "types": CaseType.choices,
            "regions": Region.objects.exclude(kind=RegionKind.PROVINCE).order_by("sort", "code"),
            "tester": tester,
            "result": result,
            "query": params.urlencode(),
            "history": history(request.user, RoutingRule),
            "show_record": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    _editor(request)
    form = RuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, _rule = run_action(form, lambda: services.do_create_rule(request.user, **form.service_fields()))
        if ok:
            messages.success(request, _("The routing rule was added."))
            return redirect("cases:rules")
    return render(request, "cases/rule_form.html", {"form": form, "rule": None})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    _editor(request)
    rule = get_restricted_or_404(RoutingRule.objects.all(), request.user, CHANGE, pk=pk)
    form = RuleForm(request.POST or None, rule=rule, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, _rule = run_action(
            form, lambda: services.do_update_rule(request.user, rule, **form.service_fields())
        )
        if ok:
            messages.success(request, _("The routing rule was saved."))
            return redirect("cases:rules")
    return render(request, "cases/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request, pk: int):
    _editor(request)
    rule = get_restricted_or_404(
        RoutingRule.objects.select_related("region", "service_item", "agency"), request.user, CHANGE, pk=pk
    )
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return render(
                request, "cases/rule_delete.html", {"rule": rule, "error": _("Tick the box to confirm.")}
            )
        try:
            services.do_delete_rule(request.user, rule)
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, _("The routing rule was removed."))
        return redirect("cases:rules")
    return render(request, "cases/rule_delete.html", {"rule": rule, "error": None})
