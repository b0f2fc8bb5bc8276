"""Knowledge pages: public search and reading, the hotline console, and management for administrators.

Views are thin: search.py finds, console.py records, services.py changes. Forbidden and missing answer 404.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhichan.core.forms import add_service_errors
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.knowledge import console as hotline
from zhichan.knowledge import search, services
from zhichan.knowledge.forms import PolicyForm, QAForm
from zhichan.knowledge.models import Article, Law, Policy, QAItem

PUBLIC_KINDS = ("article", "policy", "qa")
MAX_QUERY = 200


def _query(request, name="q", limit=MAX_QUERY):
    return (request.GET.get(name) or "").strip()[:limit]


def index(request):
    q = _query(request)
    kind = request.GET.get("kind") or ""
    kinds = [kind] if kind in PUBLIC_KINDS else list(PUBLIC_KINDS)
    hits = search.search(q, kinds=kinds, limit=30) if q else []
    return render(
        request,
        "knowledge/index.html",
        {
            "q": q,
            "kind": kind,
            "hits": hits,
            "laws": Law.objects.restrict(request.user, VIEW) if not q else [],
            "policies": Policy.objects.restrict(request.user, VIEW)[:10] if not q else [],
        },
    )


def law(request, pk):
    obj = get_restricted_or_404(Law.objects.all(), request.user, VIEW, pk=pk)
    return render(request, "knowledge/law.html", {"law": obj, "articles": obj.articles.all()})


def article(request, pk):
    obj = get_restricted_or_404(Article.objects.select_related("law"), request.user, VIEW, pk=pk)
    siblings = Article.objects.filter(law=obj.law)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": obj,
            "previous": siblings.filter(ordinal__lt=obj.ordinal).order_by("-ordinal").first(),
            "next": siblings.filter(ordinal__gt=obj.ordinal).order_by("ordinal").first(),
            "qa_items": obj.qa_items.restrict(request.user, VIEW),
        },
    )


def policy(request, pk):
    obj = get_restricted_or_404(Policy.objects.select_related("region"), request.user, VIEW, pk=pk)
    return render(request, "knowledge/policy.html", {"policy": obj})


def qa(request, pk):
    obj = get_restricted_or_404(QAItem.objects.select_related("service_item"), request.user, VIEW, pk=pk)
    return render(request, "knowledge/qa.html", {"qa": obj, "articles": obj.articles.select_related("law")})


# --- hotline console -----------------------------------------------------------------------


def _console_user(request):
    if not hotline.can_use_console(request.user):
        raise Http404
    return request.user


@login_required
@require_GET
def console(request):
    _console_user(request)
    return render(request, "knowledge/console.html", {"token": uuid.uuid4().hex, "text": ""})


@login_required
@require_GET
def console_results(request):
    user = _console_user(request)
    text = _query(request, "text", hotline.MAX_QUESTION)
    hits = search.search(text, limit=8, include_unpublished=False) if text else []
    return render(request, "knowledge/_console_results.html", {"hits": hits, "text": text, "user": user})


@login_required
@require_POST
def console_record(request):
    user = _console_user(request)
    text = request.POST.get("text", "")
    token = (request.POST.get("token") or "")[:40] or None
    answer = request.POST.get("answer") or ""
    action = request.POST.get("action") or ""
    try:
        if answer:
            kind, _sep, ref_id = answer.partition(":")
            hotline.record_answer(user, text, kind, ref_id, token=token)
            messages.success(request, _("Recorded as answered on the spot."))
        elif action == "case":
            question = hotline.open_case(user, text, token=token)
            messages.info(request, _("Add the caller's details and file the request."))
            return redirect(hotline.case_form_url(text, question))
        elif action == "unanswered":
            hotline.record_unanswered(user, text, token=token)
            messages.success(request, _("Recorded as not answered."))
        else:
            raise ValidationError({"text": [_("Choose an answer or open a case.")]})
    except ValidationError as exc:
        errors = [m for ms in exc.message_dict.values() for m in ms]
        hits = search.search(text, limit=8) if text.strip() else []
        return render(
            request,
            "knowledge/console.html",
            {"token": token or uuid.uuid4().hex, "text": text, "errors": errors, "hits": hits},
            status=422,
        )
    return redirect("knowledge:console")


# --- management ----------------------------------------------------------------------------


def _manager(request):
    if not services.can_manage(request.user):
        raise Http404
    return request.user


@login_required
def manage(request):
    user = _manager(request)
    return render(
        request,
        "knowledge/manage.html",
        {
            "policies": Policy.objects.restrict(user, CHANGE).select_related("region"),
            "qa_items": QAItem.objects.restrict(user, CHANGE).select_related("service_item", "region"),
        },
    )


def _initial_policy(obj):
    return {
        "title": obj.title,
        "issuing_body": obj.issuing_body,
        "document_number": obj.document_number,
        "issued_on": obj.issued_on,
        "status": obj.status,
        "region": obj.region_id or "",
        "tags": ", ".join(t.name for t in obj.tags.all()),
        "text": obj.text,
        "is_summary": obj.is_summary,
        "published": obj.published,
    }


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk=None):
    user = _manager(request)
    obj = get_restricted_or_404(Policy.objects.all(), user, CHANGE, pk=pk) if pk else None
    if request.method == "POST":
        form = PolicyForm(request.POST, user=user)
        if form.is_valid():
            try:
                obj = services.do_save_policy(user, obj, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Policy saved."))
                return redirect("knowledge:policy", pk=obj.pk)
    else:
        form = PolicyForm(initial=_initial_policy(obj) if obj else {"published": True}, user=user)
    status = 422 if request.method == "POST" else 200
    return render(request, "knowledge/edit.html", {"form": form, "obj": obj, "what": "policy"}, status=status)


def _initial_qa(obj):
    return {
        "question": obj.question,
        "answer": obj.answer,
        "service_item": obj.service_item_id or "",
        "articles": ", ".join(str(a.pk) for a in obj.articles.all()),
        "region": obj.region_id or "",
        "tags": ", ".join(t.name for t in obj.tags.all()),
        "published": obj.published,
    }


@login_required
@require_http_methods(["GET", "POST"])
def qa_edit(request, pk=None):
    user = _manager(request)
    obj = get_restricted_or_404(QAItem.objects.all(), user, CHANGE, pk=pk) if pk else None
    if request.method == "POST":
        form = QAForm(request.POST, user=user)
        if form.is_valid():
            try:
                obj = services.do_save_qa(user, obj, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Q&A item saved."))
                return redirect("knowledge:qa", pk=obj.pk)
    else:
        initial = (
            _initial_qa(obj) if obj else {"published": True, "question": _query(request, "question", 300)}
        )
        form = QAForm(initial=initial, user=user)
    status = 422 if request.method == "POST" else 200
    return render(request, "knowledge/edit.html", {"form": form, "obj": obj, "what": "qa"}, status=status)


@login_required
def unanswered(request):
    user = request.user
    if not (services.can_manage(user) or hotline.can_use_console(user)):
        raise Http404
    return render(
        request,
        "knowledge/unanswered.html",
        {"rows": hotline.unanswered_list(user), "can_manage": services.can_manage(user)},
    )
