"""Periodic public satisfaction surveys: questions set by an administrator, anonymous answers.

A survey belongs to the city (city-wide) or to one county. The city administrator manages
every survey, a county administrator those of their county. A survey is a draft, then open
(answers accepted between its dates), then closed.

Answers are anonymous: a `Response` holds the answers, the day it came in and, when the
survey asks for it, the county the respondent named — no user, no address, no time of day.
Who has answered is kept apart in `AnswerKey`: keyed hashes of a random browser token (and
of the user id for a signed-in person), with a random primary key and no time and no link to
the response, so the two tables cannot be joined (docs/surveys.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class Audience(models.TextChoices):
    PUBLIC = "public", _("The public")
    ENTERPRISES = "enterprises", _("Enterprises")
    EVERYONE = "everyone", _("Everyone")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Satisfaction (1–5)")
    TEXT = "text", _("Free text")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
SCALE_MIN, SCALE_MAX = 1, 5
# Scale answers at or above this count as satisfied (4 "satisfied", 5 "very satisfied").
SATISFIED_FROM = 4


def managed_filter(user) -> Q | None:
    """The surveys `user` manages (None: none; Q(): all)."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Q()
    role = role_of(user)
    if role == "city_admin":
        return Q()
    if role == "county_admin" and user.region_id:
        return Q(region_id__in=user.region.subtree_ids())
    return None


class SurveyQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        managed = managed_filter(user)
        if managed is not None and not managed:
            return self
        if action == CHANGE:
            return self.none() if managed is None else self.filter(managed)
        public = Q(status=SurveyStatus.OPEN)
        return self.filter(public if managed is None else public | managed)

    def accepting(self, today=None):
        """Open surveys within their dates."""
        today = today or timezone.localdate()
        return self.filter(status=SurveyStatus.OPEN, opens_on__lte=today, closes_on__gte=today)


class Survey(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"))
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )
    # The city (a city-wide survey) or a county.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("city or county"), on_delete=models.PROTECT, related_name="surveys"
    )
    ask_county = models.BooleanField(
        _("ask the respondent's county"),
        default=False,
        help_text=_("A city-wide survey may ask which county the respondent lives or works in (optional)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def city_wide(self) -> bool:
        return self.region.kind == "city"

    def accepting(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == SurveyStatus.OPEN and self.opens_on <= today <= self.closes_on

    def login_required(self) -> bool:
        return self.audience == Audience.ENTERPRISES


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("explanation"), max_length=300, blank=True)
    required = models.BooleanField(_("answer required"), default=True)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text


class Option(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text


class ResponseQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        # The answers are read (never changed) by those who manage the survey.
        if action == CHANGE:
            return self.none()
        managed = managed_filter(user)
        if managed is None:
            return self.none()
        if not managed:
            return self
        return self.filter(survey__in=Survey.objects.filter(managed).values("pk"))


class Response(models.Model):
    """One person's answers to a survey. Anonymous: no user, no address, the day only."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    submitted_on = models.DateField(_("submitted on"), db_index=True)
    # The county the respondent named, where the survey asks (city-wide surveys only).
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("respondent's county"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["survey", "submitted_on", "pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self):
        return f"{self.survey} · {self.submitted_on}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    options = models.ManyToManyField(
        Option, verbose_name=_("options chosen"), blank=True, related_name="answers"
    )
    scale = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question__order", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_one_answer_per_question"),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gte=SCALE_MIN, scale__lte=SCALE_MAX),
                name="survey_scale_1_5",
            ),
        ]

    def __str__(self):
        return f"{self.question} · {self.scale or self.text or ''}"


class AnswerKey(models.Model):
    """ "Someone has answered this survey": a keyed hash, nothing that leads to the response.

    The key is HMAC(secret, survey id + browser token) or HMAC(secret, survey id + user id);
    the primary key is random and there is no timestamp, so neither the order of rows nor a
    time can pair a key with a response.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("answer key")
        verbose_name_plural = _("answer keys")
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="survey_answer_key_unique")]

    def __str__(self):
        return f"{self.survey_id}:{self.key[:8]}…"


class SurveyLog(EventModel):
    """One row per change of a survey (created, changed, questions changed, opened, closed)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="log")

    class Meta(EventModel.Meta):
        verbose_name = _("survey log entry")
        verbose_name_plural = _("survey log entries")

    @property
    def label(self):
        return LOG_LABELS.get(self.kind, self.kind)


LOG_LABELS = {
    "created": _("Survey created"),
    "updated": _("Survey changed"),
    "question_added": _("Question added"),
    "question_removed": _("Question removed"),
    "questions_reordered": _("Questions reordered"),
    "opened": _("Survey opened"),
    "closed": _("Survey closed"),
}
