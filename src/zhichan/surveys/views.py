"""Survey pages: the public list and answer page; the administrators' setup, status and results."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhichan.core.errors import TransitionError
from zhichan.core.forms import run_action
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.surveys import results as survey_results
from zhichan.surveys import services
from zhichan.surveys.forms import QuestionForm, SurveyForm
from zhichan.surveys.models import QuestionKind, Survey, SurveyStatus

COOKIE_SALT = "zhichan.surveys.browser"


def cookie_name(survey) -> str:
    return f"zc_survey_{survey.pk}"


def browser_token(request, survey) -> str | None:
    return request.get_signed_cookie(cookie_name(survey), default=None, salt=COOKIE_SALT)


def set_browser_token(response, survey, token) -> None:
    response.set_signed_cookie(
        cookie_name(survey),
        token,
        salt=COOKIE_SALT,
        max_age=settings.ZHICHAN_SURVEY_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _surveys():
    return Survey.objects.select_related("region")


def survey_list(request):
    surveys = list(_surveys().restrict(request.user, VIEW).accepting().order_by("closes_on", "pk"))
    return render(
        request,
        "surveys/list.html",
        {"surveys": surveys, "can_manage": services.can_manage_surveys(request.user)},
    )


def _questions(survey):
    return list(survey.questions.prefetch_related("options"))


def _posted(request, questions) -> dict:
    answers = {}
    for question in questions:
        name = services.field_name(question)
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.pk] = request.POST.getlist(name)
        else:
            answers[question.pk] = request.POST.get(name, "")
    return answers


@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    survey = get_restricted_or_404(_surveys(), request.user, VIEW, pk=pk)
    token = browser_token(request, survey)
    fresh = token is None
    if fresh:
        token = services.new_browser_token()
    questions = _questions(survey)
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = _posted(request, questions)
        try:
            services.do_submit(
                survey,
                values,
                user=request.user,
                browser_token=token,
                county=request.POST.get("county") or None,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Thank you! Your answers were recorded anonymously."))
            response = redirect("surveys:answer", pk=survey.pk)
            if fresh:
                set_browser_token(response, survey, token)
            return response
    answered = services.has_answered(survey, request.user, None if fresh else token)
    for question in questions:
        question.field = services.field_name(question)
        question.errors = errors.get(question.field, [])
        value = values.get(question.pk, [] if question.kind == QuestionKind.MULTIPLE else "")
        question.value = [str(v) for v in value] if isinstance(value, list) else str(value)
    context = {
        "survey": survey,
        "questions": questions,
        "errors": errors,
        "general_errors": errors.get("survey", []) + errors.get("answers", []),
        "county_errors": errors.get("county", []),
        "county_value": request.POST.get("county", ""),
        "counties": services.county_choices(survey) if survey.ask_county else [],
        "answered": answered,
        "accepting": survey.accepting(),
        "may_answer": services.may_answer(survey, request.user),
        "can_manage": Survey.objects.restrict(request.user, CHANGE).filter(pk=survey.pk).exists(),
        "scale": range(1, 6),
    }
    response = render(request, "surveys/answer.html", context, status=422 if errors else 200)
    if fresh:
        set_browser_token(response, survey, token)
    return response


# --- management -------------------------------------------------------------------------------


@login_required
def manage(request):
    if not services.can_manage_surveys(request.user):
        raise Http404
    surveys = list(_surveys().restrict(request.user, CHANGE).order_by("-opens_on", "-pk"))
    return render(request, "surveys/manage.html", {"surveys": surveys})


def _setup(request, survey, *, status=200, question_form=None):
    context = {
        "survey": survey,
        "questions": _questions(survey),
        "responses": survey.responses.count(),
        "question_form": question_form or QuestionForm(),
        "log": survey.log.select_related("actor"),
    }
    context["questions_editable"] = survey.status != SurveyStatus.CLOSED and not context["responses"]
    return render(request, "surveys/setup.html", context, status=status)


@login_required
def setup(request, pk: int):
    survey = get_restricted_or_404(_surveys(), request.user, CHANGE, pk=pk)
    return _setup(request, survey)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not services.can_manage_surveys(request.user):
        raise Http404
    form = SurveyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, survey = run_action(form, lambda: services.do_create_survey(request.user, **form.cleaned_data))
        if ok:
            messages.success(request, _("The survey was saved as a draft; add its questions, then open it."))
            return redirect("surveys:setup", pk=survey.pk)
    return render(request, "surveys/form.html", {"form": form, "survey": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    survey = get_restricted_or_404(_surveys(), request.user, CHANGE, pk=pk)
    form = SurveyForm(request.POST or None, user=request.user, survey=survey)
    if request.method == "POST" and form.is_valid():
        ok, _survey = run_action(
            form,
            lambda: services.do_update_survey(request.user, survey, **form.cleaned_data),
            transition_field="__all__",
        )
        if ok:
            messages.success(request, _("The changes were saved."))
            return redirect("surveys:setup", pk=survey.pk)
    return render(request, "surveys/form.html", {"form": form, "survey": survey})


@login_required
@require_POST
def add_question(request, pk: int):
    survey = get_restricted_or_404(_surveys(), request.user, CHANGE, pk=pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        ok, _question = run_action(
            form,
            lambda: services.do_add_question(request.user, survey, **form.cleaned_data),
            transition_field="__all__",
        )
        if ok:
            messages.success(request, _("The question was added."))
            return redirect("surveys:setup", pk=survey.pk)
    return _setup(request, survey, status=422, question_form=form)


def _act(request, pk, action, success):
    survey = get_restricted_or_404(_surveys(), request.user, CHANGE, pk=pk)
    try:
        action(survey)
    except (ValidationError, TransitionError) as exc:
        for message in exc.messages if isinstance(exc, ValidationError) else [exc.message]:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, success)
    return redirect("surveys:setup", pk=pk)


def _question(survey, qpk):
    question = survey.questions.filter(pk=qpk).first()
    if question is None:
        raise Http404
    return question


@login_required
@require_POST
def remove_question(request, pk: int, qpk: int):
    return _act(
        request,
        pk,
        lambda s: services.do_remove_question(request.user, _question(s, qpk)),
        _("The question was removed."),
    )


@login_required
@require_POST
def move_question(request, pk: int, qpk: int):
    step = -1 if request.POST.get("direction") == "up" else 1
    return _act(
        request, pk, lambda s: services.do_move_question(request.user, _question(s, qpk), step), _("Moved.")
    )


@login_required
@require_POST
def open_survey(request, pk: int):
    return _act(request, pk, lambda s: services.do_open_survey(request.user, s), _("The survey is open."))


@login_required
@require_POST
def close_survey(request, pk: int):
    return _act(request, pk, lambda s: services.do_close_survey(request.user, s), _("The survey is closed."))


@login_required
def results(request, pk: int):
    survey = get_restricted_or_404(_surveys(), request.user, CHANGE, pk=pk)
    res = survey_results.results(survey)
    return render(
        request,
        "surveys/results.html",
        {"survey": survey, "res": res, "chart_data": survey_results.chart_data(res)},
    )


@login_required
def results_export(request, pk: int):
    survey = get_restricted_or_404(_surveys(), request.user, CHANGE, pk=pk)
    content = survey_results.results_xlsx(survey_results.results(survey))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.xlsx"'
    return response
