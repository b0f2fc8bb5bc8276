"""Custody pages: the list, a custody's portfolio and deadline calendar, recording actions,
the yearly report and the iCalendar feed (by secret token, no log-in)."""

from __future__ import annotations

import datetime as dt
import mimetypes
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.forms import run_action
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.custody import feed, reports, services
from zhichan.custody.forms import ActionForm, CustodyForm, EndForm, RightsForm
from zhichan.custody.models import Custody, CustodyAction, CustodyStatus
from zhichan.custody.reminders import enterprise_users
from zhichan.watch import deadlines as dl

REPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _custody(request, pk, action=VIEW) -> Custody:
    if not request.user.is_authenticated:
        raise Http404
    return get_restricted_or_404(
        Custody.objects.select_related("agency", "enterprise__region"), request.user, action, pk=pk
    )


def _can_change(user, custody) -> bool:
    return Custody.objects.restrict(user, CHANGE).filter(pk=custody.pk).exists()


def _rows(custody, pairs, today):
    actions = {(a.right_key, a.deadline_key): a for a in CustodyAction.objects.filter(custody=custody)}
    rows = dl.display_rows(pairs, today)
    check = dl.workday_checker()
    for row in rows:
        row["action"] = actions.get((row["deadline"].right_key, row["deadline"].key))
        row["fee"] = services.fee_amounts(row["record"], row["deadline"], today, check)
    return rows


def _action_choices(custody, today):
    """Open actionable deadlines without an action yet: "right_key|deadline_key" -> label."""
    done = set(CustodyAction.objects.filter(custody=custody).values_list("right_key", "deadline_key"))
    choices = []
    for _record, d in services.custody_deadlines(custody):
        if d.actionable and (d.right_key, d.key) not in done and d.last_day >= today - dt.timedelta(days=366):
            choices.append((f"{d.right_key}|{d.key}", f"{d.right_number} · {d.label} · {d.due:%Y-%m-%d}"))
    return choices


@login_required
def custody_list(request):
    qs = Custody.objects.restrict(request.user, VIEW).select_related("agency", "enterprise")
    status = request.GET.get("status")
    if status in CustodyStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "custody/list.html",
        {
            "custodies": qs.order_by("-starts_on", "-pk")[:500],
            "can_create": services.manageable_agencies(request.user).exists(),
            "status": status,
            "statuses": CustodyStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not services.manageable_agencies(request.user).exists():
        raise Http404
    initial = {"starts_on": services.today()}
    if request.GET.get("enterprise", "").isdigit():
        initial["enterprise"] = int(request.GET["enterprise"])
    form = CustodyForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, custody = run_action(form, lambda: services.do_create_custody(request.user, **form.cleaned_data))
        if ok:
            messages.success(request, _("The custody was started."))
            return redirect("custody:detail", pk=custody.pk)
    return render(request, "custody/form.html", {"form": form, "title": _("Take a portfolio into custody")})


@login_required
def detail(request, pk: int):
    custody = _custody(request, pk)
    today = services.today()
    can_change = _can_change(request.user, custody)
    pairs = [
        (r, d)
        for r, d in services.custody_deadlines(custody)
        if d.last_day >= today and d.due <= today + dt.timedelta(days=365)
    ]
    action_form = None
    if can_change and custody.status == CustodyStatus.ACTIVE:
        action_form = ActionForm(choices=_action_choices(custody, today), initial={"done_on": today})
    return render(
        request,
        "custody/detail.html",
        {
            "custody": custody,
            "can_change": can_change,
            "patents": custody.patents.order_by("application_number"),
            "trademarks": custody.trademarks.order_by("registration_number"),
            "enterprise_users": enterprise_users(custody),
            "deadline_rows": _rows(custody, pairs, today),
            "actions": custody.actions.select_related("actor")[:50],
            "events": custody.events.select_related("actor").order_by("-at", "-id")[:50],
            "action_form": action_form,
            "end_form": EndForm(initial={"ends_on": today}) if can_change else None,
            "feed_url": request.build_absolute_uri(f"/custody/feed/{custody.feed_token}.ics"),
            "years": list(range(today.year, custody.starts_on.year - 1, -1)),
        },
    )


@login_required
def calendar(request, pk: int):
    custody = _custody(request, pk)
    today = services.today()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 1985), 2200)
    pairs = [(r, d) for r, d in services.custody_deadlines(custody) if d.due.year == year]
    rows = _rows(custody, pairs, today)
    months = [
        (month, list(items)) for month, items in groupby(rows, key=lambda row: row["deadline"].due.month)
    ]
    return render(
        request,
        "custody/calendar.html",
        {"custody": custody, "year": year, "months": months, "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_action(request, pk: int):
    custody = _custody(request, pk, CHANGE)
    today = services.today()
    form = ActionForm(request.POST or None, request.FILES or None, choices=_action_choices(custody, today))
    if request.method == "POST" and form.is_valid():
        ok, _done = run_action(
            form,
            lambda: services.do_record_action(request.user, custody, **form.service_args()),
            transition_field="deadline",
        )
        if ok:
            messages.success(request, _("The action was recorded."))
            return redirect("custody:detail", pk=custody.pk)
    return render(request, "custody/action.html", {"custody": custody, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit_rights(request, pk: int):
    custody = _custody(request, pk, CHANGE)
    initial = {
        "patents": "\n".join(
            custody.patents.order_by("application_number").values_list("application_number", flat=True)
        ),
        "trademarks": "\n".join(
            custody.trademarks.order_by("registration_number").values_list("registration_number", flat=True)
        ),
    }
    form = RightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _c = run_action(
            form,
            lambda: services.do_set_rights(
                request.user,
                custody,
                patents=form.cleaned_data["patent_list"],
                trademarks=form.cleaned_data["trademark_list"],
            ),
        )
        if ok:
            messages.success(request, _("The rights in custody were saved."))
            return redirect("custody:detail", pk=custody.pk)
    return render(
        request, "custody/form.html", {"form": form, "custody": custody, "title": _("Rights in custody")}
    )


@login_required
@require_POST
def end(request, pk: int):
    custody = _custody(request, pk, CHANGE)
    form = EndForm(request.POST)
    if form.is_valid():
        ok, _c = run_action(
            form,
            lambda: services.do_end_custody(request.user, custody, **form.cleaned_data),
            transition_field="ends_on",
        )
        if ok:
            messages.success(request, _("The custody was ended."))
            return redirect("custody:detail", pk=custody.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("custody:detail", pk=custody.pk)


@login_required
@require_POST
def rotate_token(request, pk: int):
    custody = _custody(request, pk, CHANGE)
    services.do_rotate_feed_token(request.user, custody)
    messages.success(request, _("The calendar link was renewed; subscriptions to the old link stop."))
    return redirect("custody:detail", pk=custody.pk)


@login_required
def report(request, pk: int, year: int, fmt: str):
    custody = _custody(request, pk)
    if fmt not in REPORT_TYPES or not 1985 <= year <= 2200:
        raise Http404
    built = reports.build(custody, year)
    content = reports.to_docx(built) if fmt == "docx" else reports.to_xlsx(built)
    response = HttpResponse(content, content_type=REPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="custody-{custody.pk}-{year}.{fmt}"'
    return response


@login_required
def evidence(request, pk: int, action_id: int):
    custody = _custody(request, pk)
    done = CustodyAction.objects.filter(custody=custody, pk=action_id).first()
    if done is None or not done.evidence:
        raise Http404
    name = done.evidence.name.rsplit("/", 1)[-1]
    try:
        handle = done.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # The extension comes from the checked content (services._check_evidence); files stored
    # before that was so are served as plain bytes unless named as one of the accepted kinds.
    content_type = mimetypes.guess_type(name)[0]
    if content_type not in ("application/pdf", "image/png", "image/jpeg"):
        content_type = "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def ical_feed(request, token: str):
    custody = Custody.objects.select_related("enterprise").filter(feed_token=token).first()
    if custody is None or len(token) < 20:
        raise Http404
    response = HttpResponse(feed.build_calendar(custody), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="custody-{custody.pk}.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
