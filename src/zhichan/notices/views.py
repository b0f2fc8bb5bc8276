"""The signed-in user's inbox; only one's own notices exist here (others answer 404)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.notices import services
from zhichan.notices.models import Notice

PAGE_SIZE = 25


def safe_link(request, link: str) -> str:
    """The notice's link if it stays on this site, else empty."""
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return link
    return ""


def inbox_queryset(user, unread_only=False):
    qs = Notice.objects.restrict(user, VIEW)
    if unread_only:
        qs = qs.unread()
    # Unread first, then newest.
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox_queryset(request.user, unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    for notice in page.object_list:
        notice.safe_link = safe_link(request, notice.link)
    return render(
        request,
        "notices/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query": "unread=1" if unread_only else "",
            "unread": services.unread_count(request.user),
        },
    )


@login_required
@require_POST
def mark_read(request, pk):
    notice = get_restricted_or_404(Notice.objects.all(), request.user, CHANGE, pk=pk)
    services.do_mark_read(request.user, notice)
    if request.POST.get("open"):
        link = safe_link(request, notice.link)
        if link:
            return redirect(link)
    return redirect("notices:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.do_mark_all_read(request.user)
    return redirect("notices:inbox")
