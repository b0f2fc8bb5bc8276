"""The fair registry: public list and page; administrators register and edit fairs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhichan.core.audit import history
from zhichan.core.forms import run_action
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.fairs import services
from zhichan.fairs.forms import FairForm
from zhichan.fairs.models import Fair


def fair_list(request):
    now = timezone.now()
    qs = Fair.objects.restrict(request.user, VIEW).select_related("region", "workstation")
    fairs = list(qs.filter(ends_at__gte=now).order_by("starts_at", "pk"))
    editable = set(Fair.objects.restrict(request.user, CHANGE).values_list("pk", flat=True))
    for fair in fairs:
        fair.running_now = fair.is_running(now)
        fair.editable = fair.pk in editable
    return render(
        request,
        "fairs/list.html",
        {"fairs": fairs, "can_create": services.can_edit_fairs(request.user)},
    )


def detail(request, pk: int):
    fair = get_restricted_or_404(
        Fair.objects.select_related("region", "workstation"), request.user, VIEW, pk=pk
    )
    can_edit = Fair.objects.restrict(request.user, CHANGE).filter(pk=fair.pk).exists()
    return render(
        request,
        "fairs/detail.html",
        {
            "fair": fair,
            "running": fair.is_running(),
            "staff": fair.staff.order_by("username"),
            "can_edit": can_edit,
            "history": history(request.user, fair) if can_edit else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not services.can_edit_fairs(request.user):
        raise Http404
    form = FairForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, fair = run_action(form, lambda: services.do_create_fair(request.user, **form.cleaned_data))
        if ok:
            messages.success(request, _("The fair was registered."))
            return redirect("fairs:detail", pk=fair.pk)
    return render(request, "fairs/form.html", {"form": form, "fair": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    fair = get_restricted_or_404(Fair.objects.all(), request.user, CHANGE, pk=pk)
    form = FairForm(request.POST or None, user=request.user, fair=fair)
    if request.method == "POST" and form.is_valid():
        ok, _fair = run_action(form, lambda: services.do_update_fair(request.user, fair, **form.cleaned_data))
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("fairs:detail", pk=fair.pk)
    return render(request, "fairs/form.html", {"form": form, "fair": fair})
