"""Risk diagnosis pages: the questionnaire, the report (page, print, DOCX) and asking for help."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.accounts.models import STAFF_ROLES
from zhichan.core.forms import add_service_errors, run_action
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404, role_of
from zhichan.diagnosis import report as reports
from zhichan.diagnosis import services
from zhichan.diagnosis.forms import DiagnosisForm, HelpForm
from zhichan.diagnosis.models import Diagnosis, DiagnosisStatus, RiskLevel
from zhichan.enterprises.access import enterprise_of
from zhichan.enterprises.models import Enterprise

PAGE_SIZE = 30


def _is_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or role_of(user) in STAFF_ROLES)


def index(request):
    """What the diagnosis is; one's own diagnoses; for staff, the diagnoses they may read."""
    user = request.user
    questionnaire = services.active_questionnaire()
    context = {
        "questionnaire": questionnaire,
        "question_count": services.question_count(questionnaire) if questionnaire else 0,
        "draft": services.draft_of(user),
        "levels": RiskLevel.choices,
    }
    if user.is_authenticated:
        context["own"] = (
            Diagnosis.objects.restrict(user, VIEW)
            .filter(user=user, status=DiagnosisStatus.SUBMITTED)
            .select_related("region")[:50]
        )
    if _is_staff(user):
        level = request.GET.get("level", "")
        qs = (
            Diagnosis.objects.restrict(user, VIEW)
            .filter(status=DiagnosisStatus.SUBMITTED)
            .exclude(user=user)
            .select_related("region", "user")
        )
        if level in RiskLevel.values:
            qs = qs.filter(risk_level=level)
        context["level"] = level
        context["others"] = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "diagnosis/index.html", context)


def _initial(request, questionnaire) -> dict:
    """A draft's answers; else what the enterprise record (?enterprise=<id>) or the account gives."""
    user = request.user
    draft = services.draft_of(user)
    if draft is not None:
        return {
            "enterprise_name": draft.enterprise_name,
            "uscc": draft.uscc,
            "region": draft.region.code if draft.region_id else "",
            **draft.answers,
        }
    initial = {}
    enterprise_id = request.GET.get("enterprise", "")
    enterprise = None
    if enterprise_id.isdigit() and len(enterprise_id) < 10:
        enterprise = Enterprise.objects.restrict(user, VIEW).filter(pk=int(enterprise_id)).first()
    if enterprise is None:
        enterprise = enterprise_of(user)  # the enterprise an administrator linked the account to
    if enterprise is not None:
        initial.update(
            enterprise_name=enterprise.name,
            uscc=enterprise.uscc or "",
            region=enterprise.region.code if enterprise.region_id else "",
        )
        initial.update(services.prefilled_answers(questionnaire, enterprise))
    elif user.is_authenticated and getattr(user, "organisation", ""):
        initial["enterprise_name"] = user.organisation
    return initial


@require_http_methods(["GET", "POST"])
def take(request):
    """The questionnaire on one page, section by section. Signed in: drafts and stored results;
    anonymous: the result is shown once and not stored."""
    questionnaire = services.active_questionnaire()
    if questionnaire is None:
        return render(request, "diagnosis/unavailable.html", status=503)
    definition = questionnaire.definition
    user = request.user
    if request.method == "POST":
        form = DiagnosisForm(request.POST, definition=definition)
        action = request.POST.get("action", "submit")
        if action == "discard":
            draft = services.draft_of(user)
            if draft is not None:
                services.do_discard_draft(user, draft)
                messages.success(request, _("The draft was discarded."))
            return redirect("diagnosis:take")
        if form.is_valid():
            if action == "draft":
                ok, _draft = run_action(
                    form,
                    lambda: services.do_save_draft(
                        user, answers=form.answers(), questionnaire=questionnaire, **form.profile()
                    ),
                )
                if ok:
                    messages.success(
                        request, _("Your answers were saved. You can come back and finish later.")
                    )
                    return redirect("diagnosis:take")
            else:
                try:
                    diagnosis = services.do_submit(
                        user,
                        answers=form.answers(),
                        submission_key=form.cleaned_data.get("submission_key"),
                        questionnaire=questionnaire,
                        **form.profile(),
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    if diagnosis.pk:
                        return redirect(diagnosis)
                    return render(request, "diagnosis/report.html", _anonymous_context(diagnosis))
        messages.error(request, _("Some answers need attention; see the questions marked below."))
    else:
        initial = _initial(request, questionnaire)
        initial["submission_key"] = secrets.token_urlsafe(24)
        form = DiagnosisForm(initial=initial, definition=definition)
    conditions = {
        q["key"]: q["when"]
        for section in definition["sections"]
        for q in section["questions"]
        if q.get("when")
    }
    return render(
        request,
        "diagnosis/take.html",
        {
            "form": form,
            "questionnaire": questionnaire,
            "conditions": conditions,
            "draft": services.draft_of(user),
        },
    )


def _help_link(diagnosis: Diagnosis, item) -> str:
    """For the anonymous: the request form, pre-filled with the service and the findings."""
    description = services.case_description(diagnosis, item)
    query = {
        "type": "service_application",
        "service_item": item.code,
        "subject": _("Risk diagnosis: %(service)s") % {"service": item.name},
        "description": description[:1900],
    }
    if diagnosis.region_id:
        query["region"] = diagnosis.region.code
    return f"{reverse('cases:intake')}?{urlencode(query)}"


def _anonymous_context(diagnosis: Diagnosis) -> dict:
    report = reports.build(diagnosis)
    for entry in report.services:
        entry["help_link"] = _help_link(diagnosis, entry["item"])
    return {"report": report, "diagnosis": diagnosis, "stored": False}


def detail(request, pk: int):
    diagnosis = get_restricted_or_404(
        Diagnosis.objects.select_related("questionnaire", "region", "enterprise", "user"),
        request.user,
        VIEW,
        pk=pk,
        status=DiagnosisStatus.SUBMITTED,
    )
    report = reports.build(diagnosis)
    can_change = Diagnosis.objects.restrict(request.user, CHANGE).filter(pk=diagnosis.pk).exists()
    help_form = None
    if can_change and report.services:
        help_form = HelpForm(items=[s["item"] for s in report.services], initial=_contact(request.user))
    return render(
        request,
        "diagnosis/report.html",
        {
            "report": report,
            "diagnosis": diagnosis,
            "stored": True,
            "help_form": help_form,
            "cases": diagnosis.cases.select_related("service_item").order_by("created_at"),
            "can_change": can_change,
        },
    )


def _contact(user) -> dict:
    if role_of(user) in ("public", "enterprise"):
        return {"requester_name": str(user), "requester_phone": user.phone, "requester_email": user.email}
    return {}


def _readable(request, pk):
    return get_restricted_or_404(
        Diagnosis.objects.select_related("questionnaire", "region"),
        request.user,
        VIEW,
        pk=pk,
        status=DiagnosisStatus.SUBMITTED,
    )


def printable(request, pk: int):
    diagnosis = _readable(request, pk)
    return render(
        request, "diagnosis/print.html", {"report": reports.build(diagnosis), "diagnosis": diagnosis}
    )


def docx(request, pk: int):
    diagnosis = _readable(request, pk)
    content = reports.write_docx(reports.build(diagnosis))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="ip-risk-diagnosis-{diagnosis.pk}.docx"'
    return response


@login_required
@require_POST
def ask_help(request, pk: int):
    diagnosis = get_restricted_or_404(Diagnosis.objects.all(), request.user, CHANGE, pk=pk)
    items = services.recommended_items(diagnosis.result)
    form = HelpForm(request.POST, items=items)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            case = services.do_open_case(request.user, diagnosis, **data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request,
                _("Request %(number)s was sent to %(agency)s. Tracking code: %(code)s.")
                % {"number": case.number, "agency": case.owner.name, "code": case.tracking_code},
            )
            if case.requester_user_id == request.user.pk:
                return redirect("cases:track", token=case.tracking_token)
            return redirect(diagnosis)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect(diagnosis)
