"""Training pages: the public list and event page, registration and check-in, "my registrations",
the organisers' management pages, staff training hours and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.forms import act_and_report, run_action
from zhichan.core.once import new_key
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.training import certificates, reports, services
from zhichan.training.forms import CancelEventForm, CheckInForm, EventForm, FeedbackForm
from zhichan.training.models import Audience, EventStatus, Registration, RegistrationStatus, TrainingEvent


def _events():
    return TrainingEvent.objects.select_related("organiser", "region")


def event_list(request):
    events = list(_events().restrict(request.user, VIEW).upcoming().order_by("starts_at", "pk"))
    audience = request.GET.get("audience", "")
    if audience in Audience.values:
        events = [e for e in events if e.audience == audience]
    mine = {}
    if request.user.is_authenticated:
        mine = dict(
            Registration.objects.live()
            .filter(user=request.user, event__in=[e.pk for e in events])
            .values_list("event_id", "status")
        )
    for event in events:
        event.seats = services.seats(event)
        event.my_status = mine.get(event.pk)
    return render(
        request,
        "training/list.html",
        {
            "events": events,
            "audiences": Audience.choices,
            "audience": audience,
            "can_manage": services.can_manage_events(request.user),
        },
    )


def _detail(request, event, *, status=200, **forms):
    can_manage = TrainingEvent.objects.restrict(request.user, CHANGE).filter(pk=event.pk).exists()
    mine = services.live_registration(request.user, event)
    context = {
        "event": event,
        "seats": services.seats(event),
        "mine": mine,
        "can_manage": can_manage,
        "registration_open": event.registration_open(),
        "checkin_open": event.checkin_open(),
        "checkin_window": event.checkin_window(),
        "checkin_form": forms.get("checkin_form") or CheckInForm(),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "cancel_form": forms.get("cancel_form") or CancelEventForm(),
        "has_feedback": bool(mine and hasattr(mine, "feedback")),
        "certificate_refusal": services.certificate_refusal(mine) if mine else None,
        "pdf_available": certificates.pdf_available() if mine and mine.status == "attended" else True,
    }
    if can_manage:
        context["registrations"] = event.registrations.select_related("user").order_by(
            "status", "position", "pk"
        )
        context["log"] = event.log.select_related("actor", "registration__user")
    return render(request, "training/detail.html", context, status=status)


def detail(request, pk: int):
    event = get_restricted_or_404(_events(), request.user, VIEW, pk=pk)
    return _detail(request, event)


@login_required
def mine(request):
    registrations = (
        Registration.objects.filter(user=request.user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event__organiser", "event__region")
        .order_by("-event__starts_at", "-pk")
    )
    return render(request, "training/mine.html", {"registrations": registrations})


@login_required
@require_POST
def register(request, pk: int):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, VIEW, pk=pk)
    try:
        registration, created = services.do_register(request.user, event)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("training:detail", pk=event.pk)
    except PermissionDenied as exc:
        raise Http404 from exc
    if not created:
        messages.info(request, _("You were already registered; nothing changed."))
    elif registration.status == RegistrationStatus.WAITLISTED:
        messages.warning(
            request,
            _(
                "The event is full. You are number %(n)d on the waiting list; "
                "we will tell you when a seat is yours."
            )
            % {"n": registration.position},
        )
    else:
        messages.success(request, _("You are registered."))
    return redirect("training:detail", pk=event.pk)


@login_required
@require_POST
def cancel_registration(request, pk: int):
    registration = get_restricted_or_404(Registration.objects.all(), request.user, CHANGE, pk=pk)
    try:
        services.do_cancel_registration(request.user, registration)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("The registration was cancelled."))
    if request.POST.get("next") == "mine":
        return redirect("training:mine")
    return redirect("training:detail", pk=registration.event_id)


@login_required
@require_POST
def check_in(request, pk: int):
    event = get_restricted_or_404(_events(), request.user, VIEW, pk=pk)
    form = CheckInForm(request.POST)
    if form.is_valid():
        ok, _registration = run_action(
            form, lambda: services.do_check_in(request.user, event, code=form.cleaned_data["code"])
        )
        if ok:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect("training:detail", pk=event.pk)
    mine = services.live_registration(request.user, event)
    if mine is None or mine.status != RegistrationStatus.REGISTERED or not event.checkin_open():
        return _flash(request, form, event.pk)  # the page would not show the form
    return _detail(request, event, status=422, checkin_form=form)


def _flash(request, form, event_pk):
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("training:detail", pk=event_pk)


@login_required
@require_POST
def staff_check_in(request, pk: int):
    registration = get_restricted_or_404(
        Registration.objects.select_related("user"), request.user, CHANGE, pk=pk
    )
    try:
        services.do_check_in(request.user, registration.event, registration=registration)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("%(person)s is checked in.") % {"person": registration.user})
    return redirect("training:detail", pk=registration.event_id)


@login_required
@require_POST
def feedback(request, pk: int):
    registration = Registration.objects.filter(pk=pk, user=request.user).select_related("event").first()
    if registration is None:
        raise Http404
    form = FeedbackForm(request.POST)
    if form.is_valid():
        ok, _fb = run_action(
            form,
            lambda: services.do_give_feedback(
                request.user, registration, form.cleaned_data["rating"], form.cleaned_data["comment"]
            ),
        )
        if ok:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("training:detail", pk=registration.event_id)
    registration.refresh_from_db()
    if registration.status != RegistrationStatus.ATTENDED or hasattr(registration, "feedback"):
        return _flash(request, form, registration.event_id)  # the page would not show the form
    event = _events().get(pk=registration.event_id)
    return _detail(request, event, status=422, feedback_form=form)


@login_required
def certificate(request, pk: int):
    registration = (
        Registration.objects.filter(pk=pk, user=request.user)
        .select_related("event__organiser", "user")
        .first()
    )
    if registration is None:
        raise Http404
    refusal = services.certificate_refusal(registration)
    if refusal:
        messages.error(request, refusal)
        return redirect("training:detail", pk=registration.event_id)
    cert = certificates.build(registration)
    response = HttpResponse(cert.content, content_type=cert.content_type)
    response["Content-Disposition"] = f'attachment; filename="{cert.filename}"'
    return response


# --- management -------------------------------------------------------------------------------


@login_required
def manage(request):
    if not services.can_manage_events(request.user):
        raise Http404
    events = list(_events().restrict(request.user, CHANGE).order_by("-starts_at", "-pk"))
    status = request.GET.get("status", "")
    if status in EventStatus.values:
        events = [e for e in events if e.status == status]
    for event in events:
        event.seats = services.seats(event)
    return render(
        request, "training/manage.html", {"events": events, "statuses": EventStatus.choices, "status": status}
    )


@login_required
def code_sheet(request, pk: int):
    """A page with the check-in code in large type, to show on a screen or print for the venue."""
    event = get_restricted_or_404(_events(), request.user, CHANGE, pk=pk)
    opens, closes = event.checkin_window()
    return render(request, "training/code_sheet.html", {"event": event, "opens": opens, "closes": closes})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not services.can_manage_events(request.user):
        raise Http404
    form = EventForm(request.POST or None, user=request.user, initial={"submission_key": new_key()})
    if request.method == "POST" and form.is_valid():
        ok, event = run_action(form, lambda: services.do_create_event(request.user, **form.cleaned_data))
        if ok:
            messages.success(request, _("The event was saved as a draft; publish it when it is ready."))
            return redirect("training:detail", pk=event.pk)
    return render(request, "training/form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, CHANGE, pk=pk)
    form = EventForm(request.POST or None, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        ok, _event = run_action(
            form,
            lambda: services.do_update_event(
                request.user, event, **{k: v for k, v in form.cleaned_data.items() if k != "submission_key"}
            ),
            transition_field="__all__",
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("training:detail", pk=event.pk)
    return render(request, "training/form.html", {"form": form, "event": event})


def _transition(request, pk, action, success):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, CHANGE, pk=pk)
    act_and_report(request, lambda: action(event), success)
    return redirect("training:detail", pk=pk)


@login_required
@require_POST
def publish(request, pk: int):
    return _transition(
        request, pk, lambda e: services.do_publish_event(request.user, e), _("The event is published.")
    )


@login_required
@require_POST
def finish(request, pk: int):
    return _transition(
        request,
        pk,
        lambda e: services.do_finish_event(request.user, e),
        _("The event is finished; those not checked in are marked as not attending."),
    )


@login_required
@require_POST
def cancel(request, pk: int):
    event = get_restricted_or_404(_events(), request.user, CHANGE, pk=pk)
    form = CancelEventForm(request.POST)
    if form.is_valid():
        ok, _event = run_action(
            form,
            lambda: services.do_cancel_event(request.user, event, form.cleaned_data["reason"]),
            transition_field="reason",
        )
        if ok:
            messages.success(request, _("The event is cancelled; the people registered were told."))
            return redirect("training:detail", pk=pk)
    return _detail(request, event, status=422, cancel_form=form)


# --- hours and statistics ---------------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def hours(request):
    if not reports.can_see_hours(request.user):
        raise Http404
    year = _year(request)
    report = reports.staff_hours(request.user, year)
    return render(request, "training/hours.html", {"report": report, "year": year, "years": _years(year)})


@login_required
def hours_export(request):
    if not reports.can_see_hours(request.user):
        raise Http404
    year = _year(request)
    return _xlsx(
        reports.staff_hours_xlsx(reports.staff_hours(request.user, year)), f"training-hours-{year}.xlsx"
    )


@login_required
def statistics(request):
    if not reports.can_see_statistics(request.user):
        raise Http404
    year = _year(request)
    stats = reports.statistics(request.user, year)
    return render(
        request,
        "training/statistics.html",
        {"stats": stats, "year": year, "years": _years(year), "chart_data": reports.chart_data(stats)},
    )


@login_required
def statistics_export(request):
    if not reports.can_see_statistics(request.user):
        raise Http404
    year = _year(request)
    return _xlsx(
        reports.statistics_xlsx(reports.statistics(request.user, year)), f"training-statistics-{year}.xlsx"
    )


def _years(year):
    this = timezone.localdate().year
    return sorted({*range(this - 4, this + 2), year})


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
