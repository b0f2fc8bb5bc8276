"""Case pages: the request form, the requester's tracking pages, the staff inbox and case page."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.accounts.models import AGENCY_ROLES, STAFF_ROLES, User
from zhichan.agencies.models import Agency
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.cases import services, tracking
from zhichan.cases.filters import filter_cases
from zhichan.cases.forms import IntakeForm, LookupForm, RateForm, ReopenForm, SupplementForm
from zhichan.cases.models import TRANSITIONS, Case, CaseType, IdentityView, Measure, Status
from zhichan.cases.privacy import identity_for
from zhichan.core.errors import TransitionError
from zhichan.core.forms import add_service_errors
from zhichan.core.permissions import CHANGE, PermissionDenied, get_restricted_or_404, role_of

PREFILL = (
    "hotline_question",
    "type",
    "subtype",
    "channel",
    "region",
    "ip_type",
    "service_item",
    "fair",
    "subject",
    "description",
    "requester_name",
    "requester_phone",
    "requester_email",
)


def intake(request):
    """File a request; the hidden form token makes a second submission return the first case."""
    user = request.user
    if request.method == "POST":
        form = IntakeForm(request.POST, user=user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            channel = data.pop("channel", None) or "web"
            key = data.pop("idempotency_key") or None
            question = data.pop("hotline_question", None)
            try:
                case = services.do_intake(user, channel, idempotency_key=key, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if question:
                    from zhichan.knowledge.console import link_case

                    link_case(user, question, case)
                messages.success(
                    request,
                    _("Request %(number)s received. Keep your tracking code %(code)s, or this page's link.")
                    % {"number": case.number, "code": case.tracking_code},
                )
                return redirect("cases:track", token=case.tracking_token)
    else:
        # Links may pre-fill the form, e.g. the hotline console opening a case for a caller.
        initial = {name: request.GET[name][:2000] for name in PREFILL if request.GET.get(name)}
        initial["idempotency_key"] = secrets.token_urlsafe(24)
        form = IntakeForm(initial=initial, user=user)
    return render(request, "cases/intake.html", {"form": form})


INBOX_FILTERS = ("status", "type", "region", "handler", "q")
PAGE_SIZE = 30


def _clean(value):
    value = (value or "").strip()
    return "" if "\x00" in value else value[:100]


def _is_staff(user):
    return user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES)


@login_required
def inbox(request):
    """The agency inbox (and, for administrators, the county or city view and the overdue list)."""
    if not _is_staff(request.user):
        raise Http404
    chosen = {name: _clean(request.GET.get(name)) for name in INBOX_FILTERS}
    if chosen["status"] not in Status.values:
        chosen["status"] = ""
    if chosen["type"] not in CaseType.values:
        chosen["type"] = ""
    overdue = request.GET.get("overdue") == "1"
    due_soon = request.GET.get("due_soon") == "1"
    qs = Case.objects.restrict(request.user, CHANGE).select_related("owner", "handler", "region")
    qs = filter_cases(
        qs, user=request.user, overdue=True if overdue else None, due_soon=due_soon, **chosen
    ).order_by("deadline", "pk")
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("case") if i.isdigit() and len(i) < 10]
        cases = list(Case.objects.restrict(request.user, CHANGE).filter(pk__in=ids))
        handler = request.POST.get("handler", "")
        if not cases or len(cases) != len(set(ids)):
            messages.error(request, _("Choose one or more cases."))
        elif not handler.isdigit() or len(handler) > 10:
            messages.error(request, _("Choose a handler."))
        else:
            try:
                services.do_bulk_assign(request.user, cases, int(handler))
                messages.success(request, _("%(n)d cases assigned.") % {"n": len(cases)})
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except (TransitionError, PermissionDenied) as exc:
                messages.error(request, getattr(exc, "message", str(exc)))
        return redirect(request.get_full_path())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    handlers = User.objects.filter(
        role__in=AGENCY_ROLES, is_active=True, agency__in=Agency.objects.restrict(request.user, CHANGE)
    ).order_by("agency_id", "username")
    if request.user.agency_id:
        handlers = User.objects.filter(
            role__in=AGENCY_ROLES, is_active=True, agency_id=request.user.agency_id
        )
    return render(
        request,
        "cases/inbox.html",
        {
            "page": page,
            "chosen": chosen,
            "overdue": overdue,
            "due_soon": due_soon,
            "query": params.urlencode(),
            "statuses": Status.choices,
            "types": CaseType.choices,
            "handlers": handlers,
            "now": timezone.now(),
        },
    )


ACTIONS = {
    "accept": (("note",), lambda u, c, d: services.do_accept(u, c, d.get("note", ""))),
    "decline": (("reason",), lambda u, c, d: services.do_decline(u, c, d.get("reason", ""))),
    "assign": (("handler",), lambda u, c, d: services.do_assign(u, c, _int(d.get("handler")))),
    "note": (("note",), lambda u, c, d: services.do_note(u, c, d.get("note", ""))),
    "request_supplement": (
        ("message",),
        lambda u, c, d: services.do_request_supplement(u, c, d.get("message", "")),
    ),
    "close": (("note",), lambda u, c, d: services.do_close(u, c, d.get("note", ""))),
    "refer": (
        ("to_agency", "reason"),
        lambda u, c, d: services.do_refer(u, c, _int(d.get("to_agency")), d.get("reason", "")),
    ),
    "supervise": (("note",), lambda u, c, d: services.do_supervise(u, c, d.get("note", ""))),
}


def _int(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else 0


@login_required
def detail(request, pk: int):
    case = get_restricted_or_404(Case.objects.all(), request.user, CHANGE, pk=pk)
    errors, values = {}, {}
    reveal = request.method == "POST" and request.POST.get("action") == "reveal_identity"
    if request.method == "POST" and not reveal:
        action = request.POST.get("action", "")
        data = {k: request.POST.get(k, "") for k in ("note", "reason", "message", "handler", "to_agency")}
        try:
            if action == "reply":
                services.do_reply(request.user, case, data["message"], files=request.FILES.getlist("files"))
            elif action == "measures":
                services.do_record_measures(
                    request.user, case, request.POST.getlist("measures"), data["note"]
                )
            elif action in ACTIONS:
                ACTIONS[action][1](request.user, case, data)
            else:
                raise Http404
        except ValidationError as exc:
            errors = {action: exc.message_dict}
            values = {action: data}
        except TransitionError as exc:
            messages.error(request, exc.message)
            return redirect("cases:detail", pk=case.pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Done."))
            if not Case.objects.restrict(request.user, CHANGE).filter(pk=case.pk).exists():
                return redirect("cases:inbox")  # referred away: no longer ours
            return redirect("cases:detail", pk=case.pk)
    case = Case.objects.select_related(
        "owner", "handler", "region", "service_item", "guide_version", "fair"
    ).get(pk=case.pk)
    can_supervise = services.can_supervise(request.user, case) and case.is_overdue
    requester, requester_full = identity_for(request.user, case, reveal=reveal)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "requester": requester,
            "requester_full": requester_full,
            "events": case.events.select_related("actor"),
            "attachments": case.attachments.all(),
            "rating": getattr(case, "rating", None),
            "errors": errors,
            "values": values,
            "handlers": User.objects.filter(agency_id=case.owner_id, role__in=AGENCY_ROLES, is_active=True),
            "agencies": Agency.objects.filter(status=AgencyStatus.OPERATING).exclude(pk=case.owner_id),
            "measures": Measure.choices,
            "can_supervise": can_supervise,
            "allowed": {s.value for s in TRANSITIONS[Status(case.status)]},
        },
    )


def _too_many(request):
    return render(request, "cases/too_many.html", status=429)


def lookup(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if tracking.blocked(request):
            return _too_many(request)
        try:
            case = services.case_by_code(form.cleaned_data["number"], form.cleaned_data["code"])
        except Http404:
            tracking.count_miss(request)
            form.add_error(None, _("No case matches this number and code."))
        else:
            return redirect("cases:track", token=case.tracking_token)
    return render(request, "cases/lookup.html", {"form": form})


def track(request, token):
    if tracking.blocked(request):
        return _too_many(request)
    try:
        case = services.case_by_token(token)
    except Http404:
        tracking.count_miss(request)
        raise
    forms = {"supplement": SupplementForm(), "rate": RateForm(), "reopen": ReopenForm()}
    if request.method == "POST":
        action = request.POST.get("action")
        form_class = {"supplement": SupplementForm, "rate": RateForm, "reopen": ReopenForm}.get(action)
        if form_class is None:
            raise Http404
        form = form_class(request.POST, request.FILES)
        forms[action] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "supplement":
                    files = request.FILES.getlist("files")
                    services.do_add_supplement(request.user, case, data["text"], token=token, files=files)
                    messages.success(request, _("Thank you: your supplement has been added."))
                elif action == "rate":
                    services.do_rate(request.user, case, data["level"], data["comment"], token=token)
                    messages.success(request, _("Thank you for your rating."))
                else:
                    services.do_reopen(request.user, case, data["reason"], token=token)
                    messages.success(request, _("The case has been reopened."))
                return redirect("cases:track", token=token)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except (TransitionError, PermissionDenied) as exc:
                messages.error(request, getattr(exc, "message", str(exc)))
                return redirect("cases:track", token=token)
    case.refresh_from_db()
    rated = hasattr(case, "rating")
    context = {
        "case": case,
        "events": case.events.filter(public=True),
        "attachments": case.attachments.filter(internal=False),
        "forms": forms,
        "can_supplement": case.status == Status.WAITING_SUPPLEMENT,
        "can_rate": case.status in (Status.REPLIED, Status.CLOSED) and not rated,
        "can_reopen": case.status in (Status.REPLIED, Status.CLOSED)
        and case.reopen_count < settings.ZHICHAN_MAX_REOPENS,
    }
    return render(request, "cases/track.html", context)


@login_required
def identity_log(request):
    """Who saw which requester's full contact details (city administrators only)."""
    qs = IdentityView.objects.restrict(request.user, "view").select_related("case", "user")
    if role_of(request.user) != "city_admin" and not request.user.is_superuser:
        raise Http404
    number = _clean(request.GET.get("case"))
    if number:
        qs = qs.filter(case__number=number)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/identity_log.html", {"page": page, "number": number})
