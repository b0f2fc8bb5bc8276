"""The public screening page (no sign-in) and its XLSX export; the rules live in services."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from zhichan.screening.exports import result_workbook
from zhichan.screening.forms import ScreeningForm
from zhichan.screening.models import ScreeningChannel
from zhichan.screening.services import log_screening, screen_query

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run(request, channel):
    form = ScreeningForm(request.GET) if request.GET else ScreeningForm()
    result = None
    if form.is_bound and form.is_valid():
        result = screen_query(form.query)
        log_screening(request.user, form.query, channel)
    return form, result


def screening(request):
    form, result = _run(request, ScreeningChannel.PAGE)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "screening/screening.html",
        {"form": form, "result": result, "query_string": request.GET.urlencode()},
        status=status,
    )


def export(request):
    form, result = _run(request, ScreeningChannel.EXPORT)
    if result is None:
        return render(request, "screening/screening.html", {"form": form}, status=400)
    response = HttpResponse(result_workbook(result), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"screening-{result.query.mark[:30]}.xlsx"
    )
    return response
