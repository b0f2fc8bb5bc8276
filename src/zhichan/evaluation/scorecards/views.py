"""Pages of indicators, scorecards, runs (results, drill-down, reports) and hand-entered values."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.forms import act_and_report, add_service_errors, run_action
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.evaluation import drilldown
from zhichan.evaluation.metrics import Dimension, ScopeKind
from zhichan.evaluation.models.scorecards import (
    Indicator,
    ManualStatus,
    ManualValue,
    Scorecard,
    ScorecardResult,
    ScorecardRun,
)
from zhichan.evaluation.scorecards import reports, services
from zhichan.evaluation.scorecards.forms import (
    FindingsForm,
    IndicatorForm,
    ItemFormSet,
    ManualValueForm,
    ReviewForm,
    RunForm,
    ScorecardForm,
    formset_items,
)


def _need(allowed: bool):
    if not allowed:
        raise Http404


# --- indicators -----------------------------------------------------------------------------------


@login_required
def indicator_list(request):
    _need(services.can_read_definitions(request.user))
    indicators = Indicator.objects.restrict(request.user, VIEW).order_by("dimension", "code")
    return render(
        request,
        "evaluation/scorecards/indicators.html",
        {"indicators": indicators, "can_define": services.can_define(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int | None = None):
    indicator = None
    if pk is not None:
        indicator = get_restricted_or_404(Indicator.objects.all(), request.user, CHANGE, pk=pk)
    else:
        _need(services.can_define(request.user))
    form = IndicatorForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        if indicator is None:
            ok, _saved = run_action(
                form, lambda: services.do_create_indicator(request.user, **form.cleaned_data)
            )
        else:
            ok, _saved = run_action(
                form, lambda: services.do_update_indicator(request.user, indicator, **form.cleaned_data)
            )
        if ok:
            messages.success(request, _("The indicator was saved."))
            return redirect("evaluation:indicators")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "indicator": indicator}
    return render(request, "evaluation/scorecards/indicator_form.html", context, status=status)


# --- scorecards -----------------------------------------------------------------------------------


@login_required
def scorecard_list(request):
    _need(services.can_read_definitions(request.user))
    scorecards = Scorecard.objects.restrict(request.user, VIEW).prefetch_related("items__indicator")
    runs = ScorecardRun.objects.restrict(request.user, VIEW).select_related("scorecard")
    return render(
        request,
        "evaluation/scorecards/scorecards.html",
        {"scorecards": scorecards, "runs": runs[:50], "can_define": services.can_define(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_edit(request, pk: int | None = None):
    scorecard = None
    if pk is not None:
        scorecard = get_restricted_or_404(Scorecard.objects.all(), request.user, CHANGE, pk=pk)
    else:
        _need(services.can_define(request.user))
    initial = services.scorecard_values(scorecard) if scorecard else None
    form = ScorecardForm(request.POST or None, initial=initial)
    formset = ItemFormSet(request.POST or None, prefix="items", initial=initial["items"] if initial else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {**form.cleaned_data, "items": formset_items(formset)}
        try:
            if scorecard is None:
                scorecard = services.do_create_scorecard(request.user, **data)
            else:
                services.do_update_scorecard(request.user, scorecard, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The scorecard was saved."))
            return redirect("evaluation:scorecard", pk=scorecard.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "evaluation/scorecards/scorecard_form.html",
        {"form": form, "formset": formset, "scorecard": scorecard},
        status=status,
    )


@login_required
def scorecard_detail(request, pk: int, run_form=None, status=200):
    scorecard = get_restricted_or_404(Scorecard.objects.all(), request.user, VIEW, pk=pk)
    can_define = services.can_define(request.user)
    return render(
        request,
        "evaluation/scorecards/scorecard.html",
        {
            "scorecard": scorecard,
            "items": scorecard.items.select_related("indicator"),
            "runs": ScorecardRun.objects.restrict(request.user, VIEW).filter(scorecard=scorecard),
            "can_define": can_define,
            "run_form": run_form or (RunForm(scorecard=scorecard) if can_define else None),
        },
        status=status,
    )


@login_required
@require_POST
def scorecard_run(request, pk: int):
    scorecard = get_restricted_or_404(Scorecard.objects.all(), request.user, CHANGE, pk=pk)
    form = RunForm(request.POST, scorecard=scorecard)
    if form.is_valid():
        ok, run = run_action(
            form, lambda: services.do_run(request.user, scorecard, form.cleaned_data["period"])
        )
        if ok:
            messages.success(request, _("The scorecard was run for %(period)s.") % {"period": run.period})
            return redirect("evaluation:run", pk=run.pk)
    return scorecard_detail(request, pk, run_form=form, status=422)


# --- runs -----------------------------------------------------------------------------------------


def _run(request, pk, action=VIEW):
    return get_restricted_or_404(
        ScorecardRun.objects.select_related("scorecard"), request.user, action, pk=pk
    )


@login_required
def run_detail(request, pk: int, findings_form=None, status=200):
    run = _run(request, pk)
    can_change = (
        services.can_define(request.user)
        and ScorecardRun.objects.restrict(request.user, CHANGE).filter(pk=run.pk).exists()
    )
    context = {
        "run": run,
        **reports.run_table(request.user, run),
        "can_change": can_change,
        "findings_form": findings_form or FindingsForm(initial={"findings": run.findings}),
        "events": run.events.select_related("actor") if can_change else [],
        "level_label": dict(ScopeKind.choices).get(run.level, run.level),
        "dimension_labels": dict(Dimension.choices),
    }
    return render(request, "evaluation/scorecards/run.html", context, status=status)


@login_required
@require_POST
def run_findings(request, pk: int):
    run = _run(request, pk, CHANGE)
    form = FindingsForm(request.POST)
    if form.is_valid():
        ok, _saved = run_action(
            form,
            lambda: services.do_set_findings(request.user, run, form.cleaned_data["findings"]),
            transition_field="findings",
        )
        if ok:
            messages.success(request, _("The findings were saved."))
            return redirect("evaluation:run", pk=run.pk)
    return run_detail(request, pk, findings_form=form, status=422)


@login_required
@require_POST
def run_publish(request, pk: int):
    run = _run(request, pk, CHANGE)
    act_and_report(
        request,
        lambda: services.do_publish_run(request.user, run),
        _("The run is published; it can no longer change."),
    )
    return redirect("evaluation:run", pk=run.pk)


@login_required
def run_drilldown(request, pk: int, result_pk: int, code: str):
    run = _run(request, pk)
    result = get_restricted_or_404(ScorecardResult.objects.filter(run=run), request.user, VIEW, pk=result_pk)
    item = services.run_item(run, code)
    if item is None:
        raise Http404
    drill = services.drilldown(request.user, run, result, code)
    table = None
    if drill is not None:
        table = drilldown.table(drill, request.GET.get("page"))
    return render(
        request,
        "evaluation/scorecards/drilldown.html",
        {"run": run, "result": result, "item": item, "drill": drill, "table": table,
         "value": result.values.get(code, {})},
    )  # fmt: skip


@login_required
def run_report(request, pk: int, fmt: str):
    run = _run(request, pk)
    table = reports.run_table(request.user, run)
    if fmt == "docx":
        content = reports.run_docx(run, table)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "xlsx":
        content = reports.run_xlsx(run, table)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = (
        f'attachment; filename="scorecard-{run.scorecard_id}-{run.period}-{run.pk}.{fmt}"'
    )
    return response


# --- manual values --------------------------------------------------------------------------------


def _values(user):
    return ManualValue.objects.restrict(user, VIEW).select_related(
        "indicator", "entered_by", "reviewed_by", "agency"
    )


def _scope_names(records) -> None:
    names = {}
    for record in records:
        key = (record.scope_kind, record.scope_id)
        if key not in names:
            names[key] = services.scope_label(services.Scope(*key)) or "—"
        record.scope_name = names[key]


@login_required
def value_list(request):
    _need(services.can_read_definitions(request.user))
    status = request.GET.get("status", "")
    records = _values(request.user)
    if status in ManualStatus.values:
        records = records.filter(status=status)
    page = Paginator(records.order_by("-entered_at", "-pk"), 50).get_page(request.GET.get("page"))
    _scope_names(page.object_list)
    queue = services.review_queue(request.user)
    return render(
        request,
        "evaluation/scorecards/values.html",
        {
            "page": page, "status": status, "statuses": ManualStatus.choices,
            "can_enter": services.can_enter_values(request.user), "queue_count": queue.count(),
        },
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def value_new(request):
    _need(services.can_enter_values(request.user))
    form = ManualValueForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, outcome = run_action(
            form,
            lambda: services.do_enter_manual_value(
                request.user, data["indicator"], data["scope"], data["period"], data["value"], data["note"],
                request.FILES.getlist("evidence"),
            ),
        )  # fmt: skip
        if ok:
            messages.success(request, _("The value was entered; it counts once another person approves it."))
            return redirect("evaluation:manual_detail", pk=outcome[0].pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "evaluation/scorecards/value_form.html", {"form": form}, status=status)


@login_required
def review_queue(request):
    _need(services.can_review_values(request.user))
    records = list(services.review_queue(request.user))
    _scope_names(records)
    return render(request, "evaluation/scorecards/review_queue.html", {"records": records})


@login_required
def value_detail(request, pk: int, review_form=None, status=200):
    record = get_restricted_or_404(_values(request.user), request.user, VIEW, pk=pk)
    _scope_names([record])
    can_review = (
        record.status == ManualStatus.PENDING
        and services.review_refusal(request.user, record) is None
        and ManualValue.objects.restrict(request.user, CHANGE).filter(pk=record.pk).exists()
    )
    return render(
        request,
        "evaluation/scorecards/value.html",
        {
            "record": record,
            "evidence": record.evidence.all(),
            "events": record.events.select_related("actor"),
            "can_review": can_review,
            "review_form": review_form or ReviewForm(),
        },
        status=status,
    )


@login_required
@require_POST
def value_review(request, pk: int):
    record = get_restricted_or_404(ManualValue.objects.all(), request.user, CHANGE, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        ok, _saved = run_action(
            form,
            lambda: services.do_review_manual_value(
                request.user, record, form.cleaned_data["decision"], form.cleaned_data["note"]
            ),
            transition_field="decision",
        )
        if ok:
            messages.success(request, _("The review was recorded."))
            return redirect("evaluation:manual_detail", pk=record.pk)
    return value_detail(request, pk, review_form=form, status=422)


@login_required
def value_evidence(request, pk: int, file_id: int):
    record = get_restricted_or_404(ManualValue.objects.all(), request.user, VIEW, pk=pk)
    evidence = get_object_or_404(record.evidence, pk=file_id)
    from zhichan.notices.files import serve_private

    return serve_private(evidence.path, evidence.original_name, content_type=evidence.content_type)
