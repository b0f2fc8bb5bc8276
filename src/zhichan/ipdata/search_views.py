"""The public patent search pages: one box, an advanced form that writes the query, results."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.ipdata import exports, open_data, search_services
from zhichan.ipdata.charts import status_label, type_label
from zhichan.ipdata.industry_views import XLSX, _attachment, landscape_context
from zhichan.ipdata.models import SavedSearch
from zhichan.ipdata.search import patents_for, search_patents
from zhichan.ipdata.search.backends.base import FACETS
from zhichan.ipdata.search.query import QuerySyntaxError
from zhichan.ipdata.search_exports import export_limit, result_workbook
from zhichan.ipdata.search_forms import AdvancedSearchForm
from zhichan.ipdata.statistics import landscape
from zhichan.regions.models import Region

PER_PAGE = 20
LABELS = {"type": type_label, "legal_status": status_label}
SORTS = ("relevance", "newest")


def facet_title(name: str) -> str:
    return {
        "year": _("Application year"),
        "type": _("Type"),
        "county": _("County"),
        "ipc_class": _("IPC subclass"),
        "legal_status": _("Legal status"),
    }[name]


def request_filters(params) -> dict[str, list[str]]:
    """The facet filters in the query string (`?type=invention&year=2020&year=2021`)."""
    return {name: params.getlist(name) for name in FACETS if params.getlist(name)}


def _url(params: dict, **changes) -> str:
    merged = {**params, **changes}
    pairs = []
    for key, value in merged.items():
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                pairs.append((key, item))
    return "?" + urlencode(pairs)


def _facet_links(result, params: dict, filters: dict) -> list[dict]:
    """Each facet with its values as links that add (or remove) that value as a filter."""
    county_names = dict(
        Region.objects.filter(code__in=[str(v) for v, _n in result.facets.get("county", [])]).values_list(
            "code", "name"
        )
    )
    labels = {"type": type_label, "legal_status": status_label, "county": lambda c: county_names.get(c, c)}
    groups = []
    for name in FACETS:
        values = result.facets.get(name) or []
        if not values:
            continue
        chosen = filters.get(name, [])
        items = []
        for value, count in values:
            value = str(value)
            active = value in chosen
            others = [v for v in chosen if v != value] if active else [*chosen, value]
            items.append(
                {
                    "value": value,
                    "label": labels.get(name, str)(value),
                    "count": count,
                    "active": active,
                    "url": _url(params, **{name: others, "page": ""}),
                }
            )
        groups.append({"name": name, "title": facet_title(name), "items": items})
    return groups


def search(request):
    params = request.GET
    if params.get("advanced"):
        form = AdvancedSearchForm(params)
        if form.is_valid():
            return redirect(reverse("ipdata:search") + _url({"q": form.to_query()}))
    else:
        form = AdvancedSearchForm()
    query = params.get("q", "").strip()
    sort = params.get("sort") if params.get("sort") in SORTS else "relevance"
    filters = request_filters(params)
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    state = {"q": query, "sort": "" if sort == "relevance" else sort, **filters}
    context = {
        "query": query,
        "sort": sort,
        "form": form,
        "show_advanced": bool(params.get("advanced")),
        "filters": filters,
        "state_query": _url(state)[1:],
    }
    searched = "q" in params or bool(filters)
    if searched:
        try:
            result = search_patents(query, filters=filters, page=page, per_page=PER_PAGE, sort=sort)
        except QuerySyntaxError as exc:
            context.update(syntax_error=exc, pointer=exc.pointer(query))
        except ValidationError as exc:
            context["invalid"] = exc.messages
        else:
            pages = max(1, -(-min(result.total, 10_000) // PER_PAGE))
            context.update(
                result=result,
                rows=patents_for(result),
                facets=_facet_links(result, state, filters),
                page=page,
                pages=pages,
                previous_url=_url(state, page=page - 1) if page > 1 else "",
                next_url=_url(state, page=page + 1) if page < pages else "",
                export_url=reverse("ipdata:search_export") + _url(state),
                export_max=export_limit(),
                statistics_url=reverse("ipdata:search_statistics") + _url({"q": query, **filters}),
                sort_urls={s: _url(state, sort="" if s == "relevance" else s, page="") for s in SORTS},
            )
    context["searched"] = searched
    if request.user.is_authenticated:
        context["saved_searches"] = SavedSearch.objects.restrict(request.user, VIEW)[:50]
    return render(request, "ipdata/search.html", context)


@login_required
@require_POST
def save_search(request):
    query = request.POST.get("q", "")
    try:
        data = {"query": query, "name": request.POST.get("name", "")}
        saved = search_services.do_save_search(request.user, data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The search “%(name)s” was saved.") % {"name": saved.name})
    return redirect(reverse("ipdata:search") + _url({"q": query}))


@require_POST
def delete_search(request, pk: int):
    if not request.user.is_authenticated:
        raise Http404
    saved = get_restricted_or_404(SavedSearch.objects.all(), request.user, CHANGE, pk=pk)
    try:
        search_services.do_delete_search(request.user, saved)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The saved search was deleted."))
    return redirect("ipdata:search")


def statistics(request):
    """The landscape figures (as on an industry's page) of the patents a search finds: the same
    query and facet filters as the result list it links from."""
    query = request.GET.get("q", "").strip()
    filters = request_filters(request.GET)
    state = {"q": query, **filters}
    context = {
        "query": query,
        "ls": None,
        "filters": [
            (facet_title(name), ", ".join(str(LABELS.get(name, str)(v)) for v in values))
            for name, values in filters.items()
        ],
        "search_url": reverse("ipdata:search") + _url(state),
        "export_url": reverse("ipdata:search_statistics_export") + _url(state),
    }
    try:
        figures = landscape(query, filters=filters)
    except QuerySyntaxError as exc:
        context.update(syntax_error=exc, pointer=exc.pointer(query))
    except ValidationError as exc:
        context["invalid"] = exc.messages
    else:
        context.update(ls=figures, **landscape_context(figures))
    return render(request, "ipdata/search_statistics.html", context)


def statistics_export(request):
    """The statistics page's figures as an XLSX workbook (one sheet per figure)."""
    query = request.GET.get("q", "").strip()
    filters = request_filters(request.GET)
    try:
        figures = landscape(query, filters=filters)
    except (QuerySyntaxError, ValidationError):
        # The statistics page explains what is wrong; the download has nothing to give.
        return redirect(reverse("ipdata:search_statistics") + _url({"q": query, **filters}))
    content = exports.workbook(figures, query or "*", label=_("Search"), filters=filters)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = _attachment(_("patent-statistics.xlsx"))
    return response


def export(request):
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "relevance"
    try:
        content = result_workbook(query, filters=request_filters(request.GET), sort=sort)
    except (QuerySyntaxError, ValidationError):
        # The page explains what is wrong with the query; the download has nothing to give.
        return redirect(reverse("ipdata:search") + _url({"q": query}))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = _attachment(_("patents.xlsx"))
    return response


def open_statistics_csv(request):
    """The open data counts (as /api/v1/ipdata/open/statistics) as one CSV table."""
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the Chinese names as UTF-8
    csv.writer(out).writerows(open_data.csv_rows(open_data.public_statistics()))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment("ipdata-statistics.csv")
    return response
