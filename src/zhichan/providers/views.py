"""Provider pages: thin views over providers.services; forbidden and missing both answer 404."""

import secrets

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.errors import TransitionError
from zhichan.core.forms import run_action
from zhichan.core.once import new_key
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.providers import records, services
from zhichan.providers.forms import (
    ApplicationForm,
    ApproveForm,
    OfferApplicationForm,
    OfferForm,
    RejectForm,
)
from zhichan.providers.models import ApplicationStatus, Offer, ProviderApplication


def _offers(user):
    return Offer.objects.restrict(user, VIEW).select_related("item__provider__region", "item__current")


def index(request):
    """The approved providers and their offers (public)."""
    agencies = list(services.providers().public().select_related("region").order_by("region__sort", "name"))
    offers = list(Offer.objects.listed().select_related("item__provider").prefetch_related("counties"))
    by_agency = {}
    for offer in offers:
        by_agency.setdefault(offer.item.provider_id, []).append(offer)
    rows = [(agency, by_agency.get(agency.pk, [])) for agency in agencies]
    return render(request, "providers/index.html", {"rows": rows})


def _apply(user, form, files, data):
    """do_apply; a refused file is shown at the evidence input (the form has no field for it:
    the files come from request.FILES), the other errors go to the form as usual."""
    try:
        return services.do_apply(user, files=files, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "evidence" in exc.error_dict:
            form.errors["evidence"] = form.error_class(exc.message_dict["evidence"])
            rest = {k: v for k, v in exc.message_dict.items() if k != "evidence"}
            if not rest:
                return None
            raise ValidationError(rest) from exc
        raise


@require_http_methods(["GET", "POST"])
def apply(request):
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = request.FILES.getlist("evidence")
        ok, application = run_action(form, lambda: _apply(request.user, form, files, data))
        if ok and application is not None:
            messages.success(request, _("Your application has been received."))
            return redirect("providers:application_status", token=application.token)
    return render(request, "providers/apply.html", {"form": form, "max_files": services.MAX_EVIDENCE_FILES})


@require_http_methods(["GET", "POST"])
def application_status(request, token):
    application = get_object_or_404(ProviderApplication, token=token)
    error = ""
    if request.method == "POST":
        try:
            services.do_add_evidence(request.user, application, request.FILES.getlist("evidence"))
        except TransitionError as exc:
            error = exc.message
        except ValidationError as exc:
            error = " ".join(m for ms in exc.message_dict.values() for m in ms)
        else:
            messages.success(request, _("The files have been added."))
            return redirect("providers:application_status", token=token)
    return render(
        request,
        "providers/status.html",
        {"application": application, "error": error, "max_files": services.MAX_EVIDENCE_FILES},
    )


@login_required
def applications(request):
    qs = ProviderApplication.objects.restrict(request.user, VIEW).select_related("region")
    if not request.user.is_administrator:
        raise Http404
    status = request.GET.get("status") or ApplicationStatus.PENDING
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "providers/applications.html",
        {"applications": qs[:200], "status": status, "statuses": ApplicationStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk):
    application = get_restricted_or_404(
        ProviderApplication.objects.select_related("region", "agency", "account"), request.user, VIEW, pk=pk
    )
    approve_form = ApproveForm(initial={"functions": application.functions})
    reject_form = RejectForm()
    if request.method == "POST":
        if "approve" in request.POST:
            approve_form = ApproveForm(request.POST)
            if approve_form.is_valid():
                ok, _result = run_action(
                    approve_form,
                    lambda: services.do_approve(
                        request.user,
                        application,
                        functions=approve_form.cleaned_data["functions"],
                        note=approve_form.cleaned_data["note"],
                    ),
                    transition_field="note",
                )
                if ok:
                    messages.success(
                        request, _("Approved: the provider and its administrator account exist now.")
                    )
                    return redirect("providers:application_detail", pk=pk)
        else:
            reject_form = RejectForm(request.POST)
            if reject_form.is_valid():
                ok, _result = run_action(
                    reject_form,
                    lambda: services.do_reject(request.user, application, reject_form.cleaned_data["reason"]),
                    transition_field="reason",
                )
                if ok:
                    messages.success(request, _("The application was rejected."))
                    return redirect("providers:application_detail", pk=pk)
    return render(
        request,
        "providers/application.html",
        {
            "application": application,
            "approve_form": approve_form,
            "reject_form": reject_form,
            "events": application.events.select_related("actor"),
            "evidence": application.evidence.all(),
            "pending": application.status == ApplicationStatus.PENDING,
        },
    )


@login_required
def evidence_file(request, pk, file_id):
    application = get_restricted_or_404(ProviderApplication.objects.all(), request.user, VIEW, pk=pk)
    evidence = get_object_or_404(application.evidence, pk=file_id)
    from zhichan.notices.files import serve_private

    return serve_private(evidence.path, evidence.original_name, content_type=evidence.content_type)


# --- offers -------------------------------------------------------------------------------------


@login_required
def my_offers(request):
    offers = Offer.objects.restrict(request.user, CHANGE).select_related("item__provider", "item__current")
    can_create = True
    try:
        services.offer_provider_for(request.user)
    except PermissionDenied:
        can_create = False
    if not can_create and not request.user.is_administrator:
        raise Http404
    return render(request, "providers/offers.html", {"offers": offers, "can_create": can_create})


def _offer_initial(offer):
    item = offer.item
    return {
        "title": item.name,
        "title_en": item.name_en,
        "description": item.summary,
        "category": item.category,
        "price": f"{offer.price:.2f}",
        "counties": [r.code for r in offer.counties.all()],
        "capacity_note": offer.capacity_note,
        "time_limit_days": item.current.time_limit_days if item.current_id else "",
        "steps": "\n".join(item.current.steps) if item.current_id else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request):
    try:
        services.offer_provider_for(request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    form = OfferForm(request.POST or None, initial={"submission_key": new_key()})
    if request.method == "POST" and form.is_valid():
        ok, offer = run_action(
            form,
            lambda: services.do_create_offer(request.user, **form.cleaned_data),
            transition_field="title",
        )
        if ok:
            messages.success(request, _("The offer is published in the catalogue."))
            return redirect("catalog:guide", code=offer.item.code)
    return render(request, "providers/offer_form.html", {"form": form, "offer": None})


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, pk):
    offer = get_restricted_or_404(
        Offer.objects.select_related("item__current", "item__provider"), request.user, CHANGE, pk=pk
    )
    form = OfferForm(request.POST or None, initial=_offer_initial(offer))
    if request.method == "POST" and form.is_valid():
        changed = {k: form.cleaned_data[k] for k in form.changed_data}
        ok, offer = run_action(form, lambda: services.do_update_offer(request.user, offer, **changed))
        if ok:
            messages.success(request, _("The offer has been saved."))
            return redirect("providers:offers")
    return render(request, "providers/offer_form.html", {"form": form, "offer": offer})


@login_required
@require_POST
def offer_listing(request, pk):
    offer = get_restricted_or_404(Offer.objects.select_related("item"), request.user, CHANGE, pk=pk)
    action = services.do_reinstate_offer if request.POST.get("listed") == "1" else services.do_withdraw_offer
    try:
        action(request.user, offer)
    except TransitionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect("providers:offers")


@require_http_methods(["GET", "POST"])
def offer_apply(request, pk):
    offer = get_restricted_or_404(
        Offer.objects.listed().select_related("item__provider", "item__current"), request.user, VIEW, pk=pk
    )
    form = OfferApplicationForm(request.POST or None, initial={"idempotency_key": secrets.token_urlsafe(16)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key") or None
        ok, case = run_action(
            form, lambda: services.do_apply_for_offer(request.user, offer, idempotency_key=key, **data)
        )
        if ok:
            messages.success(
                request, _("Your application %(number)s has been received.") % {"number": case.number}
            )
            return redirect(case.tracking_path)
    return render(request, "providers/offer_apply.html", {"form": form, "offer": offer})


# --- service records -----------------------------------------------------------------------------


@login_required
def records_page(request):
    if not request.user.is_administrator:
        raise Http404
    rows = records.records_for(request.user)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            records.records_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="provider-records-{stamp}.xlsx"'
        return response
    return render(request, "providers/records.html", {"rows": rows})


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A new provider administrator chooses a password through the link sent on approval."""

    template_name = "providers/set_password.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set; you can log in now."))
        return super().form_valid(form)
