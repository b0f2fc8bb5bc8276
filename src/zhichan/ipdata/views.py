"""Import pages for administrators; public record pages and county portfolios.

List pages stay simple (ORM, paginated); searching the records is the search module's work.
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhichan.core.forms import run_action
from zhichan.core.permissions import VIEW, PermissionDenied, get_restricted_or_404
from zhichan.ipdata import services
from zhichan.ipdata.forms import ImportForm
from zhichan.ipdata.models import ImportJob, ImportStatus, Patent, Trademark
from zhichan.ipdata.numbers import NumberError, parse_application_number
from zhichan.ipdata.portfolio import patent_counts, trademark_counts
from zhichan.regions.models import Region, RegionKind
from zhichan.watch.deadlines import record_rows

JOBS_PER_PAGE = 25
ERRORS_PER_PAGE = 50
RECORDS_PER_PAGE = 20
ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def page_of(request, qs, param: str = "page", per_page: int = RECORDS_PER_PAGE):
    """A page of `qs`, with `query`: the request's other parameters, for the pager's links."""
    page = Paginator(qs, per_page).get_page(request.GET.get(param))
    params = request.GET.copy()
    params.pop(param, None)
    page.query = params.urlencode()
    page.param = param
    return page


def _job(request, pk: int) -> ImportJob:
    if not request.user.is_authenticated:
        raise Http404
    return get_restricted_or_404(ImportJob.objects.select_related("created_by"), request.user, VIEW, pk=pk)


# --- imports ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def imports(request):
    if not services.can_import(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        ok, job = run_action(
            form,
            lambda: services.do_start_import(request.user, form.cleaned_data["kind"], upload, upload.name),
        )
        if ok:
            messages.success(request, _("The file was received; the import runs in the background."))
            return redirect("ipdata:import_detail", pk=job.pk)
    jobs = (
        ImportJob.objects.restrict(request.user, VIEW)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "ipdata/imports.html",
        {
            "form": form,
            "jobs": page_of(request, jobs, per_page=JOBS_PER_PAGE),
            "max_mb": services.max_bytes() >> 20,
        },
    )


@login_required
def import_detail(request, pk: int):
    job = _job(request, pk)
    errors = page_of(request, job.row_errors.all(), per_page=ERRORS_PER_PAGE)
    return render(
        request,
        "ipdata/import_detail.html",
        {
            "job": job,
            "errors": errors,
            "events": job.events.select_related("actor"),
            "active": job.status in ACTIVE,
            "can_rerun": job.can_rerun and services.can_import(request.user),
            "keep_days": settings.ZHICHAN_IMPORT_KEEP_DAYS,
        },
    )


@login_required
@require_http_methods(["POST"])
def import_rerun(request, pk: int):
    """Run a failed job again (it resumes after the rows already saved)."""
    job = _job(request, pk)
    try:
        job = services.do_rerun_import(request.user, job.pk)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The import was queued again; it continues after the rows already saved.")
        )
    return redirect("ipdata:import_detail", pk=job.pk)


@login_required
def import_progress(request, pk: int):
    """The progress block alone, polled by htmx while the job runs; reloads the page when it ends."""
    job = _job(request, pk)
    response = render(request, "ipdata/_import_progress.html", {"job": job, "active": job.status in ACTIVE})
    if request.headers.get("HX-Request") and job.status not in ACTIVE:
        response["HX-Refresh"] = "true"  # show the refused rows and the final message
    return response


class _Echo:
    def write(self, value):
        return value


@login_required
def import_errors_csv(request, pk: int):
    """The error report: one line per problem (row, column, reason, value), UTF-8 with a BOM for Excel."""
    job = _job(request, pk)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([_("row"), _("column"), _("reason"), _("value")])
        for error in job.row_errors.order_by("row", "pk").iterator(chunk_size=2000):
            yield writer.writerow([error.row, error.field, error.message, _safe_cell(error.value)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula when the report is opened in Excel.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# --- records ----------------------------------------------------------------------------------


def patent_detail(request, number: str):
    try:
        canonical = parse_application_number(number)
    except NumberError as exc:
        raise Http404 from exc
    if canonical != number:
        return redirect("ipdata:patent", number=canonical)
    patent = get_restricted_or_404(
        Patent.objects.select_related("region"), request.user, VIEW, application_number=canonical
    )
    return render(
        request,
        "ipdata/patent.html",
        {
            "patent": patent,
            "enterprises": patent.enterprises.order_by("name"),
            "deadline_rows": record_rows(patent, timezone.localdate()),
        },
    )


def trademark_detail(request, number: str):
    mark = get_restricted_or_404(
        Trademark.objects.select_related("region"),
        request.user,
        VIEW,
        registration_number=number.strip().upper(),
    )
    return render(
        request,
        "ipdata/trademark.html",
        {
            "mark": mark,
            "enterprises": mark.enterprises.order_by("name"),
            "deadline_rows": record_rows(mark, timezone.localdate()),
        },
    )


# --- county portfolios ------------------------------------------------------------------------


def _counties():
    from zhichan.portal.context import current_city

    city = current_city()
    if city is None:
        return Region.objects.none()
    return Region.objects.filter(parent=city, kind=RegionKind.COUNTY).order_by("sort", "code")


def counties(request):
    from django.db.models import Count

    rows = _counties().annotate(
        patent_total=Count("patents", distinct=True), trademark_total=Count("trademarks", distinct=True)
    )
    return render(request, "ipdata/counties.html", {"counties": rows})


def county_detail(request, code: str):
    county = _counties().filter(code=code).first()
    if county is None:
        raise Http404
    patents = Patent.objects.restrict(request.user, VIEW).filter(region=county)
    marks = Trademark.objects.restrict(request.user, VIEW).filter(region=county)
    return render(
        request,
        "ipdata/county.html",
        {
            "county": county,
            "patent_counts": patent_counts(patents),
            "trademark_counts": trademark_counts(marks),
            "patents": page_of(request, patents.order_by("-application_date", "application_number"), "p"),
            "trademarks": page_of(request, marks.order_by("-application_date", "registration_number"), "t"),
        },
    )
