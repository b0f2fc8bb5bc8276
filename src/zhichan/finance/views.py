"""Finance pages: valuation calculator, loan products, pledge-financing applications, pledges,
insurance policies and claims, statistics. Views parse input and render; services decide."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.errors import TransitionError
from zhichan.core.forms import act_and_report, add_service_errors, run_action
from zhichan.core.once import new_key
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.enterprises.access import enterprise_of
from zhichan.finance import services, stats, valuation
from zhichan.finance.forms import (
    ApplicationForm,
    ClaimDecisionForm,
    ClaimForm,
    CostForm,
    IncomeForm,
    MarketForm,
    NoteForm,
    PolicyForm,
    ProductForm,
    RegisterForm,
    ValuationApplyForm,
)
from zhichan.finance.models import (
    APPLICATION_TRANSITIONS,
    ApplicationStatus,
    Claim,
    ClaimStatus,
    InsurancePolicy,
    LoanProduct,
    Pledge,
    PledgeApplication,
    PledgeStatus,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
METHOD_FORMS = {valuation.INCOME: IncomeForm, valuation.COST: CostForm, valuation.MARKET: MarketForm}


def _can_change(model, user, obj) -> bool:
    return model.objects.restrict(user, CHANGE).filter(pk=obj.pk).exists()


def index(request):
    user = request.user
    context = {
        "enterprise": enterprise_of(user),
        "institutions": services.institutions_of(user),
        "products": LoanProduct.objects.restrict(user, VIEW)
        .filter(published=True)
        .select_related("institution")[:20],
    }
    return render(request, "finance/index.html", context)


# --- valuation ----------------------------------------------------------------------------------


def valuation_page(request):
    method = request.GET.get("method") or request.POST.get("method") or valuation.INCOME
    if method not in METHOD_FORMS:
        method = valuation.INCOME
    form = METHOD_FORMS[method](request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if method == valuation.INCOME:
                patent = data.pop("patent")
                if patent is not None:
                    data["legal_term_end"] = valuation.legal_term_end(patent)
                    data["right_label"] = f"{patent.application_number} {patent.title}"[:120]
                    if data["legal_term_end"] is None:
                        raise ValidationError(
                            {"patent": [_("The patent is not in force: it has no legal term left.")]}
                        )
                result = valuation.income(**data)
            elif method == valuation.COST:
                result = valuation.cost(**data)
            else:
                result = valuation.market(**data)
        except ValidationError as exc:
            _service_errors(form, exc)
    return render(
        request,
        "finance/valuation.html",
        {
            "form": form,
            "method": method,
            "methods": list(valuation.METHOD_LABELS.items()),
            "result": result,
            "enterprise": enterprise_of(request.user),
            "cases": services.valuation_cases(request.user)[:20] if request.user.is_authenticated else [],
        },
    )


def _service_errors(form, exc):
    """Nested names ("revenues.2", "comparables.0.price") land on their top-level field."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, msgs in exc.message_dict.items():
        top = field.split(".")[0]
        for message in msgs:
            suffix = field[len(top) :].lstrip(".")
            text = f"{suffix}: {message}" if suffix else message
            form.add_error(top if top in form.fields else None, text)


@login_required
@require_http_methods(["GET", "POST"])
def valuation_apply(request):
    enterprise = enterprise_of(request.user)
    if enterprise is None:
        raise Http404
    form = ValuationApplyForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        ok, case = run_action(
            form,
            lambda: services.do_apply_for_valuation(
                request.user,
                patents=list(form.cleaned_data["patents"]),
                trademarks=list(form.cleaned_data["trademarks"]),
                purpose=form.cleaned_data["purpose"],
            ),
        )
        if ok:
            messages.success(
                request,
                _("Your valuation request %(number)s was sent to %(agency)s.")
                % {"number": case.number, "agency": case.owner.name},
            )
            return redirect(case.tracking_path)
    return render(
        request,
        "finance/form.html",
        {"form": form, "title": _("Apply for a valuation"), "back": "finance:valuation"},
    )


# --- loan products ------------------------------------------------------------------------------


def products(request):
    qs = (
        LoanProduct.objects.restrict(request.user, VIEW)
        .select_related("institution")
        .prefetch_related("regions")
    )
    return render(
        request,
        "finance/products.html",
        {"products": qs[:500], "can_create": services.institutions_of(request.user).exists()},
    )


def product_detail(request, pk: int):
    product = get_restricted_or_404(
        LoanProduct.objects.select_related("institution").prefetch_related("regions"),
        request.user,
        VIEW,
        pk=pk,
    )
    return render(
        request,
        "finance/product.html",
        {
            "product": product,
            "can_change": _can_change(LoanProduct, request.user, product),
            "can_apply": enterprise_of(request.user) is not None and product.published,
        },
    )


def _product_initial(product):
    fields = [
        "name", "description", "amount_min", "amount_max", "term_min_months", "term_max_months",
        "rate_min", "rate_max", "ip_types", "published",
    ]  # fmt: skip
    initial = {name: getattr(product, name) for name in fields}
    initial["institution"] = product.institution
    initial["regions"] = list(product.regions.all())
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int | None = None):
    institutions = services.institutions_of(request.user).order_by("name")
    product = None
    if pk is not None:
        product = get_restricted_or_404(LoanProduct.objects.all(), request.user, CHANGE, pk=pk)
        institutions = institutions.filter(pk=product.institution_id)
    if not institutions.exists():
        raise Http404
    form = ProductForm(
        request.POST or None,
        institutions=institutions,
        initial=_product_initial(product)
        if product
        else {"ip_types": ["patent", "trademark"], "submission_key": new_key()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        institution = data.pop("institution")
        regions = data.pop("regions")
        ok, saved = run_action(
            form,
            lambda: services.do_save_product(
                request.user, product, institution=institution, regions=regions, **data
            ),
        )
        if ok:
            messages.success(request, _("The loan product was saved."))
            return redirect("finance:product", pk=saved.pk)
    title = _("Edit a loan product") if product else _("New loan product")
    return render(request, "finance/form.html", {"form": form, "title": title, "back": "finance:products"})


# --- pledge-financing applications --------------------------------------------------------------


@login_required
def applications(request):
    qs = PledgeApplication.objects.restrict(request.user, VIEW).select_related(
        "enterprise", "institution", "product"
    )
    status = request.GET.get("status")
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "finance/applications.html",
        {
            "applications": qs[:500],
            "status": status,
            "statuses": ApplicationStatus.choices,
            "can_apply": enterprise_of(request.user) is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request):
    enterprise = enterprise_of(request.user)
    if enterprise is None:
        raise Http404
    data = request.POST or None
    initial = {"submission_key": new_key()}
    if request.GET.get("product", "").isdigit():
        initial["product"] = request.GET["product"]
    probe = ApplicationForm(data, enterprise=enterprise)
    amount = term = None
    ip_types: set = set()
    if data is not None and probe.is_valid():
        errors: dict = {}
        amount = services._money(probe.cleaned_data["amount"], "amount", errors)
        term = services._months(probe.cleaned_data["term_months"], "term_months", errors)
        ip_types = services._ip_types(probe.cleaned_data["patents"], probe.cleaned_data["trademarks"])
    matched = services.matching_products(enterprise, amount=amount, term_months=term, ip_types=ip_types)
    form = ApplicationForm(data, enterprise=enterprise, products=matched, initial=initial)
    if data is not None and "submit" in request.POST and form.is_valid():
        product = next((p for p in matched if str(p.pk) == form.cleaned_data["product"]), None)
        ok, application = run_action(
            form,
            lambda: services.do_apply(
                request.user,
                product=product,
                patents=list(form.cleaned_data["patents"]),
                trademarks=list(form.cleaned_data["trademarks"]),
                amount=form.cleaned_data["amount"],
                term_months=form.cleaned_data["term_months"],
                purpose=form.cleaned_data["purpose"],
                submission_key=form.cleaned_data["submission_key"],
            ),
        )
        if ok:
            messages.success(
                request,
                _("Your application was sent to %(institution)s.")
                % {"institution": application.institution.name},
            )
            return redirect("finance:application", pk=application.pk)
    return render(
        request,
        "finance/application_form.html",
        {"form": form, "matched": matched, "searched": data is not None, "enterprise": enterprise},
    )


@login_required
def application_detail(request, pk: int):
    application = get_restricted_or_404(
        PledgeApplication.objects.select_related("enterprise", "institution", "product", "applicant"),
        request.user,
        VIEW,
        pk=pk,
    )
    can_change = _can_change(PledgeApplication, request.user, application)
    return render(
        request,
        "finance/application.html",
        {
            "application": application,
            "can_change": can_change,
            "can_withdraw": application.status in WITHDRAWABLE
            and getattr(enterprise_of(request.user), "pk", None) == application.enterprise_id,
            "patents": application.patents.order_by("application_number"),
            "trademarks": application.trademarks.order_by("registration_number"),
            "events": application.events.select_related("actor").order_by("at", "id"),
            "note_form": NoteForm(),
            "register_form": RegisterForm(initial={"registered_on": services.today()}),
            "pledge": Pledge.objects.filter(application=application).first(),
        },
    )


WITHDRAWABLE = {s for s, nexts in APPLICATION_TRANSITIONS.items() if ApplicationStatus.WITHDRAWN in nexts}
APPLICATION_ACTIONS = {
    "review": services.do_start_review,
    "approve": services.do_approve,
    "reject": services.do_reject,
}


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    # The enterprise withdraws what it may only view; the service checks it is the applicant.
    access = VIEW if action == "withdraw" else CHANGE
    application = get_restricted_or_404(PledgeApplication.objects.all(), request.user, access, pk=pk)
    if action == "withdraw":
        form = NoteForm(request.POST)
        call = lambda: services.do_withdraw(request.user, application, form.cleaned_data["note"])  # noqa: E731
    elif action == "register":
        form = RegisterForm(request.POST)
        call = lambda: services.do_register_pledge(request.user, application, **form.cleaned_data)  # noqa: E731
    elif action in APPLICATION_ACTIONS:
        form = NoteForm(request.POST)
        call = lambda: APPLICATION_ACTIONS[action](request.user, application, form.cleaned_data["note"])  # noqa: E731
    else:
        raise Http404
    if form.is_valid():
        ok, _done = run_action(
            form, call, transition_field="note" if action != "register" else "registration_number"
        )
        if ok:
            messages.success(request, _("Saved."))
            return redirect("finance:application", pk=pk)
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else error)
    return redirect("finance:application", pk=pk)


# --- pledges ------------------------------------------------------------------------------------


@login_required
def pledges(request):
    qs = Pledge.objects.restrict(request.user, VIEW).select_related("pledgor", "pledgee")
    status = request.GET.get("status")
    if status in PledgeStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "finance/pledges.html",
        {"pledges": qs[:500], "status": status, "statuses": PledgeStatus.choices},
    )


@login_required
def pledge_detail(request, pk: int):
    pledge = get_restricted_or_404(
        Pledge.objects.select_related("pledgor", "pledgee", "application"), request.user, VIEW, pk=pk
    )
    return render(
        request,
        "finance/pledge.html",
        {
            "pledge": pledge,
            "can_change": _can_change(Pledge, request.user, pledge),
            "patents": pledge.patents.order_by("application_number"),
            "trademarks": pledge.trademarks.order_by("registration_number"),
            "events": pledge.events.select_related("actor").order_by("at", "id"),
            "note_form": NoteForm(),
        },
    )


@login_required
@require_POST
def pledge_action(request, pk: int, action: str):
    pledge = get_restricted_or_404(Pledge.objects.all(), request.user, CHANGE, pk=pk)
    calls = {"release": services.do_release_pledge, "default": services.do_mark_defaulted}
    if action not in calls:
        raise Http404
    form = NoteForm(request.POST)
    if form.is_valid():
        act_and_report(
            request, lambda: calls[action](request.user, pledge, form.cleaned_data["note"]), _("Saved.")
        )
    return redirect("finance:pledge", pk=pk)


# --- insurance ----------------------------------------------------------------------------------


@login_required
def policies(request):
    qs = InsurancePolicy.objects.restrict(request.user, VIEW).select_related("insurer", "enterprise")
    return render(
        request,
        "finance/policies.html",
        {"policies": qs[:500], "can_create": services.institutions_of(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_new(request):
    institutions = services.institutions_of(request.user).order_by("name")
    if not institutions.exists():
        raise Http404
    form = PolicyForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in ("patent_numbers", "trademark_numbers")
        }
        ok, policy = run_action(form, lambda: services.do_create_policy(request.user, **data))
        if ok:
            messages.success(request, _("The policy was recorded."))
            return redirect("finance:policy", pk=policy.pk)
    return render(
        request,
        "finance/form.html",
        {"form": form, "title": _("Record an insurance policy"), "back": "finance:policies"},
    )


@login_required
def policy_detail(request, pk: int):
    policy = get_restricted_or_404(
        InsurancePolicy.objects.select_related("insurer", "enterprise"), request.user, VIEW, pk=pk
    )
    own = enterprise_of(request.user)
    can_manage = services.can_manage(request.user, policy.insurer)
    return render(
        request,
        "finance/policy.html",
        {
            "policy": policy,
            "can_manage": can_manage,
            "can_claim": can_manage or (own is not None and own.pk == policy.enterprise_id),
            "claims": policy.claims.prefetch_related("events").order_by("-filed_on", "-id"),
            "claim_form": ClaimForm(initial={"filed_on": services.today(), "submission_key": new_key()}),
            "decision_form": ClaimDecisionForm(),
            "patents": policy.patents.order_by("application_number"),
            "trademarks": policy.trademarks.order_by("registration_number"),
        },
    )


@login_required
@require_POST
def claim_new(request, pk: int):
    policy = get_restricted_or_404(InsurancePolicy.objects.all(), request.user, VIEW, pk=pk)
    form = ClaimForm(request.POST)
    if form.is_valid():
        ok, _c = run_action(form, lambda: services.do_file_claim(request.user, policy, **form.cleaned_data))
        if ok:
            messages.success(request, _("The claim was filed."))
            return redirect("finance:policy", pk=pk)
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else error)
    return redirect("finance:policy", pk=pk)


@login_required
@require_POST
def claim_action(request, pk: int, action: str):
    claim = get_restricted_or_404(Claim.objects.select_related("policy"), request.user, CHANGE, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if action not in ("review", "pay", "reject") or not form.is_valid():
        raise Http404
    data = form.cleaned_data
    try:
        if action == "review":
            services.do_review_claim(request.user, claim)
        elif action == "pay":
            services.do_pay_claim(
                request.user, claim, amount_paid=data["amount_paid"], outcome=data["outcome"]
            )
        else:
            services.do_reject_claim(request.user, claim, outcome=data["outcome"])
        messages.success(request, _("Saved."))
    except TransitionError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        add_service_errors(form, exc)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("finance:policy", pk=claim.policy_id)


# --- statistics ---------------------------------------------------------------------------------


def _year(request):
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 1985 <= int(value) <= 2200 else None


@login_required
def statistics(request):
    year = _year(request)
    fin = stats.financing(request.user, year)
    ins = stats.insurance(request.user, year)
    charts = {
        "county": [[r["key"], float(r["amount"])] for r in fin["by_county"]],
        "institution": [[r["key"], float(r["amount"])] for r in fin["by_institution"]],
        "year": [[r["key"], r["count"], float(r["amount"])] for r in fin["by_year"]],
        "industry": [[r["key"], r["count"]] for r in fin["by_industry"]],
        "labels": {"amount": _("Amount (yuan)"), "count": _("Pledges")},
    }
    return render(
        request,
        "finance/statistics.html",
        {"fin": fin, "ins": ins, "year": year, "charts": charts, "this_year": dt.date.today().year},
    )


@login_required
def statistics_xlsx(request):
    year = _year(request)
    content = stats.to_xlsx(stats.financing(request.user, year), stats.insurance(request.user, year))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="finance-statistics{"-" + str(year) if year else ""}.xlsx"'
    )
    return response


__all__ = ["ClaimStatus"]
