"""The requester's pages: find a case by number and code, follow it by its tracking link."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhichan.cases import services, tracking
from zhichan.cases.forms import IntakeForm, LookupForm, RateForm, ReopenForm, SupplementForm, add_errors
from zhichan.cases.models import Status
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied


def intake(request):
    """File a request; the hidden form token makes a second submission return the first case."""
    user = request.user
    if request.method == "POST":
        form = IntakeForm(request.POST, user=user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            channel = data.pop("channel", None) or "web"
            key = data.pop("idempotency_key") or None
            try:
                case = services.do_intake(user, channel, idempotency_key=key, **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Request %(number)s received. Keep your tracking code %(code)s, or this page's link.")
                    % {"number": case.number, "code": case.tracking_code},
                )
                return redirect("cases:track", token=case.tracking_token)
    else:
        form = IntakeForm(initial={"idempotency_key": secrets.token_urlsafe(24)}, user=user)
    return render(request, "cases/intake.html", {"form": form})


def _too_many(request):
    return render(request, "cases/too_many.html", status=429)


def lookup(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if tracking.blocked(request):
            return _too_many(request)
        try:
            case = services.case_by_code(form.cleaned_data["number"], form.cleaned_data["code"])
        except Http404:
            tracking.count_miss(request)
            form.add_error(None, _("No case matches this number and code."))
        else:
            return redirect("cases:track", token=case.tracking_token)
    return render(request, "cases/lookup.html", {"form": form})


def track(request, token):
    if tracking.blocked(request):
        return _too_many(request)
    try:
        case = services.case_by_token(token)
    except Http404:
        tracking.count_miss(request)
        raise
    forms = {"supplement": SupplementForm(), "rate": RateForm(), "reopen": ReopenForm()}
    if request.method == "POST":
        action = request.POST.get("action")
        form_class = {"supplement": SupplementForm, "rate": RateForm, "reopen": ReopenForm}.get(action)
        if form_class is None:
            raise Http404
        form = form_class(request.POST, request.FILES)
        forms[action] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "supplement":
                    files = request.FILES.getlist("files")
                    services.do_add_supplement(request.user, case, data["text"], token=token, files=files)
                    messages.success(request, _("Thank you: your supplement has been added."))
                elif action == "rate":
                    services.do_rate(request.user, case, data["level"], data["comment"], token=token)
                    messages.success(request, _("Thank you for your rating."))
                else:
                    services.do_reopen(request.user, case, data["reason"], token=token)
                    messages.success(request, _("The case has been reopened."))
                return redirect("cases:track", token=token)
            except ValidationError as exc:
                add_errors(form, exc)
            except (TransitionError, PermissionDenied) as exc:
                messages.error(request, getattr(exc, "message", str(exc)))
                return redirect("cases:track", token=token)
    case.refresh_from_db()
    rated = hasattr(case, "rating")
    context = {
        "case": case,
        "events": case.events.filter(public=True),
        "attachments": case.attachments.filter(internal=False),
        "forms": forms,
        "can_supplement": case.status == Status.WAITING_SUPPLEMENT,
        "can_rate": case.status in (Status.REPLIED, Status.CLOSED) and not rated,
        "can_reopen": case.status in (Status.REPLIED, Status.CLOSED)
        and case.reopen_count < settings.ZHICHAN_MAX_REOPENS,
    }
    return render(request, "cases/track.html", context)
