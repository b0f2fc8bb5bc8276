"""The only code that changes surveys and records answers; pages and API call these.

Refusals: ValidationError naming the field (nothing is written), TransitionError for a survey
moved the wrong way, PermissionDenied for someone who may not act (answered as 404).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichan.core.audit import record_change, snapshot
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.regions.models import Region, RegionKind
from zhichan.surveys.models import (
    CHOICE_KINDS,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    AnswerKey,
    Audience,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyLog,
    SurveyStatus,
    managed_filter,
)

FIELDS = ("title", "intro", "opens_on", "closes_on", "audience", "region", "ask_county")
MAX_OPTIONS = 20
MAX_QUESTIONS = 60


def today() -> dt.date:
    return timezone.localdate()


def can_manage_surveys(user) -> bool:
    return managed_filter(user) is not None


def city_of(user) -> Region | None:
    region = getattr(user, "region", None)
    if region is not None and region.kind == RegionKind.CITY:
        return region
    if region is not None and region.city is not None:
        return region.city
    return Region.objects.filter(kind=RegionKind.CITY).order_by("code").first()


def region_choices(user):
    """The city (for a city-wide survey) and the counties `user` may run a survey for."""
    regions = Region.objects.filter(kind__in=(RegionKind.CITY, RegionKind.COUNTY))
    managed = managed_filter(user)
    if managed is None:
        return regions.none()
    if role_of(user) == "county_admin" and not user.is_superuser:
        return regions.filter(pk__in=user.region.subtree_ids(), kind=RegionKind.COUNTY)
    return regions


def county_choices(survey: Survey):
    """The counties a respondent may name: those of the survey's city."""
    return Region.objects.filter(kind=RegionKind.COUNTY, parent_id=survey.region_id).order_by("sort", "code")


def _log(survey, kind, actor=None, *, from_state="", to_state="", note="", **data):
    SurveyLog.objects.create(
        survey=survey,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )


def _date(value, field, errors):
    if value in (None, ""):
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append(_("Give a date (YYYY-MM-DD)."))
        return None


def _clean(actor, data: dict) -> dict:
    errors: dict[str, list] = {}
    cleaned = {
        "title": clean_text(data.get("title"), "title", errors, required=True, max_length=200),
        "intro": clean_text(data.get("intro"), "intro", errors, max_length=5000),
        "opens_on": _date(data.get("opens_on"), "opens_on", errors),
        "closes_on": _date(data.get("closes_on"), "closes_on", errors),
        "ask_county": bool(data.get("ask_county")),
    }
    audience = data.get("audience")
    if audience not in Audience.values:
        errors["audience"] = [_("Choose one of the audiences.")]
    cleaned["audience"] = audience
    if cleaned["opens_on"] and cleaned["closes_on"] and cleaned["closes_on"] < cleaned["opens_on"]:
        errors["closes_on"] = [_("The survey must close on or after the day it opens.")]
    region = data.get("region")
    if region is None:
        errors["region"] = [_("Choose the city (a city-wide survey) or a county.")]
    elif not region_choices(actor).filter(pk=region.pk).exists():
        errors["region"] = [_("Choose a county you administer.")]
    cleaned["region"] = region
    if cleaned["ask_county"] and region is not None and region.kind != RegionKind.CITY:
        errors["ask_county"] = [_("Only a city-wide survey asks for the respondent's county.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def current(survey: Survey) -> dict:
    return {name: getattr(survey, name) for name in FIELDS}


def _lock(actor, survey: Survey) -> Survey:
    locked = Survey.objects.restrict(actor, CHANGE).select_for_update().filter(pk=survey.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


@transaction.atomic
def do_create_survey(actor, **data) -> Survey:
    if not can_manage_surveys(actor):
        raise PermissionDenied
    survey = Survey.objects.create(created_by=actor, **_clean(actor, data))
    _log(survey, "created", actor, to_state=survey.status)
    record_change(actor, survey, "create")
    return survey


@transaction.atomic
def do_update_survey(actor, survey: Survey, **data) -> Survey:
    survey = _lock(actor, survey)
    if survey.status == SurveyStatus.CLOSED:
        raise TransitionError(_("A closed survey cannot be changed."), from_state=survey.status)
    fields = _clean(actor, {**current(survey), **data})
    if survey.responses.exists():
        for name in ("region", "ask_county"):
            if fields[name] != getattr(survey, name):
                raise ValidationError({name: [_("The survey has answers; this can no longer change.")]})
    changed = [name for name, value in fields.items() if getattr(survey, name) != value]
    before = snapshot(survey)
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.save()
    if changed:
        _log(survey, "updated", actor, fields=changed)
        record_change(actor, survey, "update", before)
    return survey


# --- questions ------------------------------------------------------------------------------


def _editable_questions(actor, survey: Survey) -> Survey:
    survey = _lock(actor, survey)
    if survey.status == SurveyStatus.CLOSED:
        raise TransitionError(_("The questions of a closed survey cannot change."), from_state=survey.status)
    if survey.responses.exists():
        raise TransitionError(
            _("The survey has answers; its questions can no longer change."), from_state=survey.status
        )
    return survey


def _options(value, errors) -> list[str]:
    if value is None:
        value = []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        errors["options"] = [_("Give the options, one a line.")]
        return []
    options = []
    for raw in value:
        text = clean_text(raw, "options", errors, max_length=200)
        if text:
            options.append(text)
    if len(set(options)) != len(options):
        errors.setdefault("options", []).append(_("The same option is given twice."))
    return options


@transaction.atomic
def do_add_question(
    actor, survey: Survey, *, kind, text, required=True, help_text="", options=None
) -> Question:
    survey = _editable_questions(actor, survey)
    errors: dict[str, list] = {}
    text = clean_text(text, "text", errors, required=True, max_length=300)
    help_text = clean_text(help_text, "help_text", errors, max_length=300)
    if kind not in QuestionKind.values:
        errors["kind"] = [_("Choose the kind of question.")]
    choices = _options(options, errors)
    if kind in CHOICE_KINDS and "options" not in errors and not 2 <= len(choices) <= MAX_OPTIONS:
        errors["options"] = [_("Give from 2 to %(n)d options, one a line.") % {"n": MAX_OPTIONS}]
    elif kind not in CHOICE_KINDS and choices:
        errors["options"] = [_("Only choice questions have options.")]
    if survey.questions.count() >= MAX_QUESTIONS:
        errors["text"] = [_("A survey has at most %(n)d questions.") % {"n": MAX_QUESTIONS}]
    if errors:
        raise ValidationError(errors)
    last = survey.questions.aggregate(m=Max("order"))["m"] or 0
    question = Question.objects.create(
        survey=survey, order=last + 1, kind=kind, text=text, help_text=help_text, required=bool(required)
    )
    Option.objects.bulk_create(
        Option(question=question, order=n, text=choice) for n, choice in enumerate(choices, start=1)
    )
    _log(survey, "question_added", actor, question=question.pk, text=text)
    record_change(actor, question, "create", region=survey.region)
    return question


@transaction.atomic
def do_remove_question(actor, question: Question) -> None:
    survey = _editable_questions(actor, question.survey)
    question = survey.questions.filter(pk=question.pk).first()
    if question is None:
        raise PermissionDenied
    text = question.text
    record_change(actor, question, "delete", region=survey.region)
    question.delete()
    _log(survey, "question_removed", actor, text=text)


@transaction.atomic
def do_move_question(actor, question: Question, step: int) -> None:
    """Move a question up (step -1) or down (+1) in its survey."""
    survey = _editable_questions(actor, question.survey)
    ordered = list(survey.questions.order_by("order", "pk"))
    index = next((i for i, q in enumerate(ordered) if q.pk == question.pk), None)
    if index is None:
        raise PermissionDenied
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for n, q in enumerate(ordered, start=1):
        if q.order != n:
            q.order = n
            q.save(update_fields=["order"])
    _log(survey, "questions_reordered", actor)


# --- status ---------------------------------------------------------------------------------

TRANSITION_WORDS = {"opened": gettext_lazy("opened"), "closed": gettext_lazy("closed")}


def _transition(actor, survey, allowed, to_state, kind, note=""):
    if survey.status not in allowed:
        raise TransitionError(
            _("The survey is %(status)s; it cannot be %(action)s.")
            % {"status": survey.get_status_display().lower(), "action": TRANSITION_WORDS[kind]},
            from_state=survey.status,
            to_state=to_state,
        )
    before = survey.status
    was = snapshot(survey, ["status"])
    survey.status = to_state
    survey.save(update_fields=["status", "updated_at"])
    record_change(actor, survey, "update", was, fields=["status"])
    _log(survey, kind, actor, from_state=before, to_state=to_state, note=note)
    return survey


@transaction.atomic
def do_open_survey(actor, survey: Survey, *, on: dt.date | None = None) -> Survey:
    survey = _lock(actor, survey)
    if survey.status == SurveyStatus.DRAFT:
        if not survey.questions.exists():
            raise ValidationError({"questions": [_("Add at least one question before opening the survey.")]})
        if survey.closes_on < (on or today()):
            raise ValidationError(
                {"closes_on": [_("The closing day has passed; change the dates to open it.")]}
            )
    return _transition(actor, survey, (SurveyStatus.DRAFT,), SurveyStatus.OPEN, "opened")


@transaction.atomic
def do_close_survey(actor, survey: Survey, *, on: dt.date | None = None) -> Survey:
    """Open → closed, by its administrator; or by the worker (`actor` None) once its closing day
    has passed (`close_ended_surveys`)."""
    if actor is not None:
        survey = _lock(actor, survey)
        return _transition(actor, survey, (SurveyStatus.OPEN,), SurveyStatus.CLOSED, "closed")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == SurveyStatus.OPEN and survey.closes_on >= (on or today()):
        raise TransitionError(
            _("The survey is open until %(day)s; it closes by itself after that day.")
            % {"day": survey.closes_on.isoformat()},
            from_state=survey.status,
            to_state=SurveyStatus.CLOSED,
        )
    return _transition(
        None,
        survey,
        (SurveyStatus.OPEN,),
        SurveyStatus.CLOSED,
        "closed",
        note=_("Closed by itself: its closing day had passed."),
    )


def close_ended_surveys(on: dt.date | None = None) -> int:
    """Close every open survey whose closing day is before `on` (today); returns how many.

    Run daily by the worker (`surveys.tasks.close_ended_surveys`); running it again changes nothing.
    """
    on = on or today()
    done = 0
    ended = Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__lt=on).values_list("pk", flat=True)
    for pk in ended:
        try:
            do_close_survey(None, Survey(pk=pk), on=on)
        except TransitionError:
            continue  # closed by its administrator meanwhile
        done += 1
    return done


# --- answering ------------------------------------------------------------------------------


def new_browser_token() -> str:
    return secrets.token_urlsafe(24)


def _secret() -> bytes:
    return (settings.ZHICHAN_SURVEY_KEY or settings.SECRET_KEY).encode()


def answer_key(survey_id: int, kind: str, value) -> str:
    """HMAC-SHA256(secret, "survey:<id>:<kind>:<value>"): the same person gives the same key,
    and the key does not give the person back."""
    message = f"survey:{survey_id}:{kind}:{value}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()


def _keys(survey: Survey, user, browser_token: str | None) -> list[str]:
    keys = []
    if browser_token:
        keys.append(answer_key(survey.pk, "browser", browser_token))
    if user is not None and user.is_authenticated:
        keys.append(answer_key(survey.pk, "user", user.pk))
    return keys


def has_answered(survey: Survey, user, browser_token: str | None) -> bool:
    keys = _keys(survey, user, browser_token)
    return bool(keys) and AnswerKey.objects.filter(survey=survey, key__in=keys).exists()


def may_answer(survey: Survey, user) -> bool:
    """Whether the audience admits `user` (anonymous visitors answer public surveys)."""
    role = role_of(user)
    if survey.audience == Audience.ENTERPRISES:
        return role == "enterprise"
    if survey.audience == Audience.PUBLIC:
        return role in ("anonymous", "public")
    return True


def label(question: Question, number: int | None = None) -> str:
    if number is None:
        number = list(question.survey.questions.values_list("pk", flat=True)).index(question.pk) + 1
    return _("Question %(n)d (“%(text)s”)") % {"n": number, "text": question.text}


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def clean_answers(survey: Survey, answers: dict, county=None) -> tuple[list[tuple], Region | None]:
    """[(question, options, scale, text)] of the answers given; ValidationError naming each
    question at fault (field q<id>)."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers as question → answer.")]})
    questions = list(survey.questions.prefetch_related("options"))
    by_id = {str(q.pk): q for q in questions}
    errors: dict[str, list] = {}
    for key in answers:
        if str(key) not in by_id:
            errors.setdefault("answers", []).append(
                _("%(key)s is not a question of this survey.") % {"key": str(key)[:40]}
            )
    max_text = settings.ZHICHAN_SURVEY_TEXT_MAX
    cleaned = []
    for number, question in enumerate(questions, start=1):
        name = field_name(question)
        value = answers.get(question.pk, answers.get(str(question.pk)))
        what = label(question, number)
        if value in (None, "", []):
            if question.required:
                errors[name] = [_("%(question)s needs an answer.") % {"question": what}]
            continue
        option_ids = {o.pk: o for o in question.options.all()}
        if question.kind == QuestionKind.SINGLE:
            chosen = _as_int(value)
            if chosen not in option_ids:
                errors[name] = [_("%(question)s: choose one of its options.") % {"question": what}]
                continue
            cleaned.append((question, [option_ids[chosen]], None, ""))
        elif question.kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, list | tuple) else [value]
            chosen = [_as_int(v) for v in values]
            if not chosen or any(c not in option_ids for c in chosen):
                errors[name] = [_("%(question)s: choose among its options only.") % {"question": what}]
                continue
            cleaned.append((question, [option_ids[c] for c in dict.fromkeys(chosen)], None, ""))
        elif question.kind == QuestionKind.SCALE:
            scale = _as_int(value)
            if scale is None or not SCALE_MIN <= scale <= SCALE_MAX:
                errors[name] = [
                    _("%(question)s: give a whole number from %(low)d to %(high)d.")
                    % {"question": what, "low": SCALE_MIN, "high": SCALE_MAX}
                ]
                continue
            cleaned.append((question, [], scale, ""))
        else:
            local: dict = {}
            text = clean_text(value, name, local, max_length=max_text)
            if local:
                errors[name] = [f"{what}: {message}" for message in local[name]]
                continue
            if not text:
                if question.required:
                    errors[name] = [_("%(question)s needs an answer.") % {"question": what}]
                continue
            cleaned.append((question, [], None, text))
    named = None
    if county not in (None, ""):
        if not survey.ask_county:
            errors["county"] = [_("This survey does not ask for a county.")]
        else:
            county_id = county.pk if isinstance(county, Region) else _as_int(county)
            named = county_choices(survey).filter(pk=county_id).first() if county_id is not None else None
            if named is None:
                errors["county"] = [_("Choose one of the city's counties.")]
    if errors:
        raise ValidationError(errors)
    return cleaned, named


def do_submit(survey: Survey, answers: dict, *, user=None, browser_token: str | None = None,
              county=None, on: dt.date | None = None) -> Response:  # fmt: skip
    """Record one anonymous response. A second one from the same browser token or signed-in
    user is refused (field `survey`), however close together the two arrive."""
    if not browser_token and (user is None or not user.is_authenticated):
        raise ValidationError({"survey": [_("Your browser must accept cookies to answer.")]})
    try:
        return _submit(survey, answers, user, browser_token, county, on or today())
    except IntegrityError as exc:
        # Two submissions raced past the check; the unique key kept the first.
        raise ValidationError({"survey": [_("You have already answered this survey. Thank you!")]}) from exc


@transaction.atomic
def _submit(survey, answers, user, browser_token, county, on):
    survey = Survey.objects.filter(pk=survey.pk).first()
    if survey is None or survey.status == SurveyStatus.DRAFT:
        raise PermissionDenied
    if not survey.accepting(on):
        raise ValidationError({"survey": [_("The survey is not open for answers.")]})
    if not may_answer(survey, user):
        raise ValidationError(
            {"survey": [_("This survey is for %(audience)s.") % {"audience": survey.get_audience_display()}]}
        )
    if has_answered(survey, user, browser_token):
        raise ValidationError({"survey": [_("You have already answered this survey. Thank you!")]})
    cleaned, named = clean_answers(survey, answers, county)
    if not cleaned:
        raise ValidationError({"survey": [_("Answer at least one question.")]})
    # The keys first: a concurrent duplicate fails here, before any answer is written.
    for key in _keys(survey, user, browser_token):
        AnswerKey.objects.create(survey=survey, key=key)
    response = Response.objects.create(survey=survey, submitted_on=on, county=named)
    for question, options, scale, text in cleaned:
        answer = Answer.objects.create(response=response, question=question, scale=scale, text=text)
        if options:
            answer.options.set(options)
    return response
