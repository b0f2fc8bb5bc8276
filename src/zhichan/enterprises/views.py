"""An enterprise's page: its registry facts and its patent and trademark portfolio."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from zhichan.core.permissions import VIEW, get_restricted_or_404
from zhichan.enterprises.models import Enterprise
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.portfolio import patent_counts, trademark_counts
from zhichan.ipdata.views import page_of
from zhichan.watch.deadlines import display_rows, portfolio_deadlines


def detail(request, pk: int):
    enterprise = get_restricted_or_404(Enterprise.objects.select_related("region"), request.user, VIEW, pk=pk)
    patents = Patent.objects.restrict(request.user, VIEW).filter(enterprises=enterprise)
    marks = Trademark.objects.restrict(request.user, VIEW).filter(enterprises=enterprise)
    today = timezone.localdate()
    rows = display_rows(portfolio_deadlines(patents, marks, today), today)
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "deadline_rows": rows,
            "horizon_days": settings.ZHICHAN_DEADLINE_HORIZON_DAYS,
            "patent_counts": patent_counts(patents),
            "trademark_counts": trademark_counts(marks),
            "patents": page_of(request, patents.order_by("-application_date", "application_number"), "p"),
            "trademarks": page_of(request, marks.order_by("-application_date", "registration_number"), "t"),
        },
    )
