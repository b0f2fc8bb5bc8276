"""Risk diagnosis: questionnaire versions (loaded from a data file) and the diagnoses taken with them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class QuestionnaireQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        # Anyone reads the questionnaire; it changes only by loading its data file.
        return self.none() if action == CHANGE else self

    def active(self):
        return self.filter(active=True).order_by("-version").first()


class Questionnaire(models.Model):
    """One version of a questionnaire; a changed data file adds a version, diagnoses keep theirs."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    definition = models.JSONField(_("definition"))
    digest = models.CharField(max_length=64)
    active = models.BooleanField(_("in use"), default=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version_once"),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"


class DiagnosisStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High risk")
    MEDIUM = "medium", _("Medium risk")
    LOW = "low", _("Low risk")


class DiagnosisQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        """Everyone their own; staff the submitted diagnoses behind cases they may see; a county
        administrator also those of enterprises in the county; the city administrator all.
        Only the person who filled a diagnosis changes it (drafts, asking for help)."""
        role = role_of(user)
        if role == "anonymous":
            return self.none()
        own = Q(user=user)
        if action == CHANGE:
            return self.filter(own)
        if role == "city_admin":
            return self.filter(own | Q(status=DiagnosisStatus.SUBMITTED))
        if role in ("public", "enterprise"):
            return self.filter(own)
        from zhichan.cases.models import Case

        cases = Case.objects.restrict(user, "view").values("pk")
        linked = Diagnosis.cases.through.objects.filter(case_id__in=cases).values("diagnosis_id")
        others = Q(pk__in=linked)
        if role == "county_admin" and user.region_id:
            others |= Q(region_id__in=user.region.subtree_ids())
        return self.filter(own | (Q(status=DiagnosisStatus.SUBMITTED) & others))


class Diagnosis(TimeStampedModel):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="diagnoses"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DiagnosisStatus.choices, default=DiagnosisStatus.DRAFT
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled in by"),
        on_delete=models.CASCADE,
        related_name="diagnoses",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise on record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="diagnoses",
    )
    enterprise_name = models.CharField(_("enterprise"), max_length=200, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, blank=True)
    risk_index = models.PositiveSmallIntegerField(_("risk index"), null=True, blank=True)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases opened"), blank=True, related_name="diagnoses"
    )

    objects = DiagnosisQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-created_at", "-id"]
        verbose_name = _("risk diagnosis")
        verbose_name_plural = _("risk diagnoses")
        constraints = [
            # One draft per person: the questionnaire page resumes it.
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="draft"), name="diagnosis_one_draft_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_name or self.user} {self.submitted_at or self.created_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("diagnosis:detail", args=[self.pk])


class DiagnosisEvent(EventModel):
    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("diagnosis event")
        verbose_name_plural = _("diagnosis events")
