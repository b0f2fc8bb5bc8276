"""Good-practice pages: the public list and page; writing, review and unpublishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.forms import act_and_report, run_action
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.practices import services
from zhichan.practices.forms import PracticeForm, ReasonForm
from zhichan.practices.models import Category, Practice, PracticeFile, PracticeStatus, reviewed_filter
from zhichan.regions.models import Region


def _practices():
    return Practice.objects.select_related("county", "agency")


def filtered(queryset, params):
    """The public list's filters: category, county (id); unknown values are ignored."""
    category = params.get("category") or ""
    if category in Category.values:
        queryset = queryset.filter(category=category)
    county = str(params.get("county") or "")
    if county.isdigit():
        queryset = queryset.filter(county_id=int(county))
    return queryset


def practice_list(request):
    practices = filtered(_practices().restrict(request.user, VIEW).published(), request.GET)
    page = Paginator(practices.order_by("-published_at", "-pk"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "practices/list.html",
        {
            "page": page,
            "categories": Category.choices,
            "counties": Region.objects.counties().order_by("sort", "code"),
            "category": request.GET.get("category", ""),
            "county": request.GET.get("county", ""),
            "can_write": services.can_write(request.user),
        },
    )


def _detail(request, practice, *, status=200, reason_form=None):
    user = request.user
    context = {
        "practice": practice,
        "files": list(practice.files.all()),
        "is_author": user.is_authenticated and practice.author_id == user.pk,
        "can_edit": Practice.objects.restrict(user, CHANGE).filter(pk=practice.pk).exists(),
        "can_review": user.is_authenticated
        and practice.status == PracticeStatus.SUBMITTED
        and services.can_review(user, practice),
        "can_unpublish": user.is_authenticated
        and practice.status == PracticeStatus.PUBLISHED
        and (user.is_superuser or user.role == "city_admin"),
        "shows_case": services.shows_case(user, practice),
        "reason_form": reason_form or ReasonForm(),
    }
    context["internal"] = context["is_author"] or context["can_review"] or context["shows_case"]
    if context["internal"]:
        context["log"] = practice.log.select_related("actor")
    return render(request, "practices/detail.html", context, status=status)


def detail(request, pk: int):
    practice = get_restricted_or_404(_practices().select_related("case"), request.user, VIEW, pk=pk)
    return _detail(request, practice)


@login_required
def mine(request):
    if not services.can_write(request.user) and reviewed_filter(request.user) is None:
        raise Http404
    own = _practices().filter(author=request.user).order_by("-updated_at", "-pk")
    reviewed = reviewed_filter(request.user)
    queue = []
    if reviewed is not None:
        queue = (
            _practices().filter(reviewed, status=PracticeStatus.SUBMITTED).exclude(author=request.user)
            .order_by("updated_at", "pk")
        )  # fmt: skip
    return render(request, "practices/mine.html", {"own": own, "queue": queue})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not services.can_write(request.user):
        raise Http404
    form = PracticeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, practice = run_action(
            form, lambda: services.do_create_practice(request.user, **form.cleaned_data)
        )
        if ok:
            messages.success(request, _("Saved as a draft; submit it for review when it is ready."))
            return redirect("practices:detail", pk=practice.pk)
    return render(request, "practices/form.html", {"form": form, "practice": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    practice = get_restricted_or_404(_practices(), request.user, CHANGE, pk=pk)
    form = PracticeForm(request.POST or None, request.FILES or None, user=request.user, practice=practice)
    if request.method == "POST" and form.is_valid():
        ok, _practice = run_action(
            form,
            lambda: services.do_update_practice(request.user, practice, **form.cleaned_data),
            transition_field="__all__",
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("practices:detail", pk=practice.pk)
    return render(
        request, "practices/form.html", {"form": form, "practice": practice, "files": practice.files.all()}
    )


def _act(request, pk, action, success):
    practice = get_restricted_or_404(_practices(), request.user, VIEW, pk=pk)
    act_and_report(request, lambda: action(practice), success)
    return redirect("practices:detail", pk=pk)


@login_required
@require_POST
def submit(request, pk: int):
    return _act(
        request,
        pk,
        lambda p: services.do_submit_practice(request.user, p),
        _("Submitted; an administrator of the county or the city reviews it."),
    )


@login_required
@require_POST
def approve(request, pk: int):
    return _act(
        request, pk, lambda p: services.do_approve_practice(request.user, p), _("Approved and published.")
    )


@login_required
@require_POST
def return_practice(request, pk: int):
    practice = get_restricted_or_404(_practices(), request.user, VIEW, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        ok, _p = run_action(
            form,
            lambda: services.do_return_practice(request.user, practice, form.cleaned_data["reason"]),
            transition_field="reason",
        )
        if ok:
            messages.success(request, _("Returned to the author with the reason."))
            return redirect("practices:detail", pk=pk)
    if not services.can_review(request.user, practice):
        raise Http404
    return _detail(request, practice, status=422, reason_form=form)


@login_required
@require_POST
def unpublish(request, pk: int):
    return _act(
        request,
        pk,
        lambda p: services.do_unpublish_practice(request.user, p, request.POST.get("reason", "")),
        _("The practice is no longer published."),
    )


def download(request, pk: int):
    from zhichan.notices.files import serve_private

    attachment = PracticeFile.objects.filter(pk=pk).first()
    if (
        attachment is None
        or not Practice.objects.restrict(request.user, VIEW).filter(pk=attachment.practice_id).exists()
    ):
        raise Http404
    response = serve_private(attachment.path, attachment.original_name, content_type=attachment.content_type)
    if attachment.is_image:  # shown in the page, still never sniffed as anything else
        response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    return response


@login_required
@require_POST
def remove_file(request, pk: int):
    attachment = PracticeFile.objects.filter(
        pk=pk, practice__in=Practice.objects.restrict(request.user, CHANGE)
    ).first()
    if attachment is None:
        raise Http404
    try:
        services.do_remove_file(request.user, attachment)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The file was removed."))
    return redirect("practices:edit", pk=attachment.practice_id)


def newest(user, n=3):
    """The newest published practices, for the home page."""
    return list(_practices().restrict(user, VIEW).published().filter(~Q(published_at=None))[:n])
