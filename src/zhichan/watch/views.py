"""Watch list pages: the lists a user may see, one list with its items and alerts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.forms import run_action
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404, role_of
from zhichan.watch import services
from zhichan.watch.forms import ItemForm, WatchListForm
from zhichan.watch.models import Alert, WatchItem, WatchList

ALERTS_SHOWN = 100


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    lists = WatchList.objects.restrict(request.user, VIEW).select_related("enterprise", "agency")
    can_create = services.can_keep_lists(request.user)
    form = None
    if can_create:
        form = WatchListForm(request.POST or None, for_enterprise_user=role_of(request.user) == "enterprise")
        if request.method == "POST" and form.is_valid():
            ok, created = run_action(form, lambda: services.do_create_list(request.user, **form.cleaned_data))
            if ok:
                messages.success(request, _("The watch list was created; add what it should watch."))
                return redirect("watch:detail", pk=created.pk)
    elif request.method == "POST":
        raise Http404
    unread = {}
    for list_id in (
        Alert.objects.restrict(request.user, VIEW)
        .filter(read_at__isnull=True)
        .values_list("watch_list_id", flat=True)
    ):
        unread[list_id] = unread.get(list_id, 0) + 1
    rows = list(lists)
    for row in rows:
        row.unread = unread.get(row.pk, 0)
    return render(request, "watch/index.html", {"lists": rows, "form": form, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    watch_list = get_restricted_or_404(
        WatchList.objects.select_related("enterprise", "agency"), request.user, VIEW, pk=pk
    )
    can_edit = WatchList.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    form = ItemForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            data = dict(form.cleaned_data)
            kind = data.pop("kind")
            ok, _item = run_action(form, lambda: services.do_add_item(request.user, watch_list, kind, **data))
            if ok:
                messages.success(request, _("Added to the watch list."))
                return redirect("watch:detail", pk=pk)
    alerts = list(watch_list.alerts.select_related("patent", "trademark", "item")[:ALERTS_SHOWN])
    return render(
        request,
        "watch/detail.html",
        {
            "watch_list": watch_list,
            "items": watch_list.items.select_related("patent"),
            "alerts": alerts,
            "unread": watch_list.alerts.filter(read_at__isnull=True).count(),
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
@require_POST
def remove_item(request, pk: int):
    item = WatchItem.objects.filter(pk=pk).select_related("watch_list").first()
    if item is None:
        raise Http404
    try:
        services.do_remove_item(request.user, item)
    except services.PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Removed from the watch list."))
    return redirect("watch:detail", pk=item.watch_list_id)


@login_required
@require_POST
def mark_read(request, pk: int):
    # Read marks belong to the list's keepers; administrators who oversee it leave them alone.
    watch_list = get_restricted_or_404(WatchList.objects.all(), request.user, CHANGE, pk=pk)
    ids = watch_list.alerts.filter(read_at__isnull=True).values_list("pk", flat=True)
    services.do_mark_read(request.user, list(ids))
    return redirect("watch:detail", pk=pk)
