"""Industry definitions with their landscape (statistics, charts, XLSX) and navigation reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.forms import run_action
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.ipdata import exports
from zhichan.ipdata import industry_services as services
from zhichan.ipdata.charts import status_label, type_label
from zhichan.ipdata.industry_forms import IndustryDefinitionForm
from zhichan.ipdata.models import IndustryDefinition, NavigationReport, PatentType
from zhichan.ipdata.search.query import QuerySyntaxError
from zhichan.ipdata.statistics import Landscape, landscape

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _signed_in(request):
    # Records of a person: missing, forbidden and "who are you?" all answer 404.
    if not request.user.is_authenticated:
        raise Http404


def _definition(request, pk: int, action=VIEW) -> IndustryDefinition:
    _signed_in(request)
    return get_restricted_or_404(
        IndustryDefinition.objects.select_related("owner"), request.user, action, pk=pk
    )


def _report(request, pk: int) -> NavigationReport:
    _signed_in(request)
    return get_restricted_or_404(
        NavigationReport.objects.select_related("definition", "requested_by"), request.user, VIEW, pk=pk
    )


@login_required
def industries(request):
    user = request.user
    definitions = list(
        IndustryDefinition.objects.restrict(user, VIEW).select_related("owner").order_by("name", "pk")
    )
    editable = set(IndustryDefinition.objects.restrict(user, CHANGE).values_list("pk", flat=True))
    for definition in definitions:
        definition.editable = definition.pk in editable
    reports = NavigationReport.objects.restrict(user, VIEW).filter(requested_by=user)[:20]
    return render(request, "ipdata/industries.html", {"definitions": definitions, "reports": reports})


def _save(request, definition):
    form = IndustryDefinitionForm(
        request.POST or None, definition=definition, can_share=services.can_share(request.user)
    )
    if request.method == "POST" and form.is_valid():
        ok, saved = run_action(
            form, lambda: services.do_save_definition(request.user, definition, form.cleaned_data)
        )
        if ok:
            messages.success(request, _("The industry definition was saved."))
            return redirect("ipdata:industry", pk=saved.pk)
    return render(request, "ipdata/industry_form.html", {"form": form, "definition": definition})


@login_required
@require_http_methods(["GET", "POST"])
def industry_create(request):
    return _save(request, None)


@require_http_methods(["GET", "POST"])
def industry_edit(request, pk: int):
    return _save(request, _definition(request, pk, CHANGE))


@require_http_methods(["GET", "POST"])
def industry_delete(request, pk: int):
    definition = _definition(request, pk, CHANGE)
    if request.method == "POST":
        try:
            services.do_delete_definition(request.user, definition)
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, _("The industry definition was deleted."))
        return redirect("ipdata:industries")
    return render(request, "ipdata/industry_delete.html", {"definition": definition})


def chart_data(ls: Landscape) -> dict:
    """What landscape.js draws (labels already in the page's language)."""
    return {
        "labels": {"patents": _("Patents"), "year": _("Application year")},
        "years": [year for year, _counts in ls.by_year],
        "series": [
            {"key": t, "name": type_label(t), "data": [counts.get(t, 0) for _y, counts in ls.by_year]}
            for t in PatentType.values
            if any(counts.get(t, 0) for _y, counts in ls.by_year)
        ],
        "types": [{"key": k, "name": type_label(k), "value": n} for k, n in ls.by_type],
        "status": [{"key": k, "name": status_label(k), "value": n} for k, n in ls.by_legal_status],
        "ipc": [{"name": k, "value": n} for k, n in ls.by_ipc],
        "counties": [{"code": c, "name": name, "value": n} for c, name, n in ls.by_county],
        "map_url": reverse("api:region_map"),
    }


def landscape_context(figures: Landscape) -> dict:
    """What ipdata/_landscape.html needs besides `ls` (the figures)."""
    return {
        "chart_data": chart_data(figures),
        "by_type": [(type_label(k), n) for k, n in figures.by_type],
        "by_status": [(status_label(k), n) for k, n in figures.by_legal_status],
        "local_share": f"{figures.local_total / figures.total:.1%}" if figures.total else "—",
    }


def industry(request, pk: int):
    definition = _definition(request, pk)
    query = definition.to_query()
    try:
        figures = landscape(query)
    except QuerySyntaxError as exc:  # a definition writes a valid query; kept for safety
        figures, error = None, str(exc)
    else:
        error = ""
    reports = NavigationReport.objects.restrict(request.user, VIEW).filter(
        definition=definition, requested_by=request.user
    )[:5]
    context = {
        "definition": definition,
        "query": query,
        "ls": figures,
        "error": error,
        "reports": reports,
        "can_edit": IndustryDefinition.objects.restrict(request.user, CHANGE).filter(pk=pk).exists(),
    }
    if figures is not None:
        context.update(landscape_context(figures))
    return render(request, "ipdata/industry.html", context)


def industry_export(request, pk: int):
    definition = _definition(request, pk)
    try:
        figures = landscape(definition.to_query())
    except QuerySyntaxError as exc:
        raise Http404 from exc
    response = HttpResponse(exports.workbook(figures, definition.name), content_type=XLSX)
    response["Content-Disposition"] = _attachment(f"{definition.name}.xlsx")
    return response


@require_POST
def request_report(request, pk: int):
    definition = _definition(request, pk)
    try:
        report = services.do_request_report(request.user, definition)
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect("ipdata:report", pk=report.pk)


def report(request, pk: int):
    found = _report(request, pk)
    return render(
        request,
        "ipdata/report.html",
        {"report": found, "events": found.events.select_related("actor").order_by("at", "pk")},
    )


def report_progress(request, pk: int):
    return render(request, "ipdata/_report_progress.html", {"report": _report(request, pk)})


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, filename)


def report_download(request, pk: int, kind: str):
    from django.http import FileResponse

    found = _report(request, pk)
    stored = {"docx": found.file, "pdf": found.pdf}.get(kind)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=found.download_name(kind),
        content_type=DOCX if kind == "docx" else "application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
