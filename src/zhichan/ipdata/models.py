"""Patent and trademark records, and the import jobs that bring them in.

Records are public bibliographic data: anyone may read them. Imports are run by staff
administrators; a job and its per-row errors are visible to whoever started it and to the
city administrators.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import RestrictedQuerySet, role_of


class PublicQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        if action == "view":
            return self
        return self if role_of(user) == "city_admin" else self.none()


class PatentType(models.TextChoices):
    INVENTION = "invention", _("Invention")
    UTILITY = "utility", _("Utility model")
    DESIGN = "design", _("Design")


class LegalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VALID = "valid", _("In force")
    INVALID = "invalid", _("Lapsed or invalid")
    UNKNOWN = "unknown", _("Unknown")


class Patent(TimeStampedModel):
    # Canonical form "201510163325.6" (12 digits, a dot, the check digit; 8 digits before 2003).
    application_number = models.CharField(_("application number"), max_length=20, unique=True)
    application_date = models.DateField(_("application date"), null=True, blank=True, db_index=True)
    publication_number = models.CharField(_("publication number"), max_length=20, blank=True, db_index=True)
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    grant_number = models.CharField(_("grant publication number"), max_length=20, blank=True)
    grant_date = models.DateField(_("grant date"), null=True, blank=True)
    patent_type = models.CharField(_("type"), max_length=12, choices=PatentType.choices, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    abstract = models.TextField(_("abstract"), blank=True)
    claims = models.TextField(_("claims"), blank=True)
    applicants = models.JSONField(_("applicants"), default=list, blank=True)  # list of names, in order
    first_applicant = models.CharField(_("first applicant"), max_length=200, blank=True, db_index=True)
    inventors = models.JSONField(_("inventors"), default=list, blank=True)
    address = models.CharField(_("applicant address"), max_length=300, blank=True)
    ipc_codes = models.JSONField(_("IPC codes"), default=list, blank=True)  # e.g. ["A01B 1/00", ...]
    main_ipc = models.CharField(_("main IPC"), max_length=30, blank=True, db_index=True)
    legal_status = models.CharField(
        _("legal status"), max_length=10, choices=LegalStatus.choices, default=LegalStatus.UNKNOWN,
        db_index=True,
    )  # fmt: skip
    legal_status_text = models.CharField(_("legal status as published"), max_length=100, blank=True)
    agency = models.CharField(_("patent agency"), max_length=200, blank=True)
    agents = models.JSONField(_("patent agents"), default=list, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="patents",
    )  # fmt: skip
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name=_("enterprises"), blank=True, related_name="patents"
    )
    source_job = models.ForeignKey(
        "ipdata.ImportJob", verbose_name=_("imported by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-application_date", "application_number"]
        verbose_name = _("patent")
        verbose_name_plural = _("patents")

    def __str__(self):
        return f"{self.application_number} {self.title}"


class TrademarkStatus(models.TextChoices):
    PENDING = "pending", _("Application pending")
    PUBLISHED = "published", _("Preliminarily approved")
    REGISTERED = "registered", _("Registered")
    INVALID = "invalid", _("Invalid, cancelled or expired")
    UNKNOWN = "unknown", _("Unknown")


class Trademark(TimeStampedModel):
    # In China the application number becomes the registration number; one number per class.
    registration_number = models.CharField(_("registration number"), max_length=20, unique=True)
    name = models.CharField(_("mark"), max_length=200, db_index=True)
    nice_class = models.PositiveSmallIntegerField(_("Nice class"), db_index=True)
    similar_groups = models.JSONField(_("similar groups"), default=list, blank=True)  # ["0901", ...]
    goods = models.TextField(_("goods and services"), blank=True)
    application_date = models.DateField(_("application date"), null=True, blank=True)
    publication_date = models.DateField(_("preliminary publication date"), null=True, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    expiry_date = models.DateField(_("exclusive right ends"), null=True, blank=True)
    applicants = models.JSONField(_("applicants"), default=list, blank=True)
    first_applicant = models.CharField(_("first applicant"), max_length=200, blank=True, db_index=True)
    address = models.CharField(_("applicant address"), max_length=300, blank=True)
    agency = models.CharField(_("trademark agency"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TrademarkStatus.choices, default=TrademarkStatus.UNKNOWN,
        db_index=True,
    )  # fmt: skip
    status_text = models.CharField(_("status as published"), max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="trademarks",
    )  # fmt: skip
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name=_("enterprises"), blank=True, related_name="trademarks"
    )
    source_job = models.ForeignKey(
        "ipdata.ImportJob", verbose_name=_("imported by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-application_date", "registration_number"]
        verbose_name = _("trademark")
        verbose_name_plural = _("trademarks")

    def __str__(self):
        return f"{self.registration_number} {self.name}"


class ImportKind(models.TextChoices):
    PATENT_TABLE = "patent_table", _("Patents, CSV or XLSX export")
    PATENT_XML = "patent_xml", _("Patents, bibliographic XML (ST.36)")
    TRADEMARK_TABLE = "trademark_table", _("Trademarks, CSV or XLSX")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJobQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin":
            return self.filter(created_by=user)
        return self.none()


class ImportJob(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)  # null until counted
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    updated_count = models.PositiveIntegerField(_("records updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("records unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows refused"), default=0)
    message = models.TextField(_("message"), blank=True)  # why a whole job failed
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"


class ImportJobEvent(EventModel):
    """A job's steps: queued, running, done or failed (with the reason)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("import job event")
        verbose_name_plural = _("import job events")

    def get_to_state_label(self):
        return dict(ImportStatus.choices).get(self.to_state, self.to_state)


class ImportRowError(models.Model):
    """A refused row: where it is, which field, why (the job's error report)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("row"))  # 1-based, as a spreadsheet shows it; record no. in XML
    field = models.CharField(_("field"), max_length=60, blank=True)
    message = models.CharField(_("reason"), max_length=300)
    value = models.CharField(_("value"), max_length=200, blank=True)

    class Meta:
        ordering = ["row", "id"]
        verbose_name = _("refused row")
        verbose_name_plural = _("refused rows")

    def __str__(self):
        return f"{self.row} {self.field}: {self.message}"
