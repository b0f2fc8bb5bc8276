"""Patent and trademark records, and the import jobs that bring them in.

Records are public bibliographic data: anyone may read them. Imports are run by staff
administrators; a job and its per-row errors are visible to whoever started it and to the
city administrators. Industry definitions belong to their owner (shared ones are read by all
staff); a navigation report to whoever asked for it.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichan.accounts.models import STAFF_ROLES
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
    PENDING = "pending", pgettext_lazy("patent legal status", "Pending")
    VALID = "valid", pgettext_lazy("patent legal status", "In force")
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
    REGISTERED = "registered", pgettext_lazy("trademark status", "Registered")
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
        # Each application server asks now and then whether marks changed since its screening
        # index was written (screening.services.index_is_stale).
        indexes = [models.Index(fields=["updated_at"], name="ipdata_tm_updated_idx")]
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
    RUNNING = "running", pgettext_lazy("background job", "Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("background job", "Failed")


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
    # Rows whose number an earlier row of the same file already had: merged into that record.
    merged_count = models.PositiveIntegerField(_("rows merged"), default=0)
    message = models.TextField(_("message"), blank=True)  # why a whole job failed
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The running worker's sign of life; a running job without one for a while is taken as lost.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # Counts the runs (first run and re-runs): a worker taken for dead cannot write to a later run.
    attempt = models.PositiveSmallIntegerField(_("run"), default=0)
    file_removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)
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

    @property
    def file_kept_until(self):
        """When the sweep removes the uploaded file (None: no file, or the job has not ended)."""
        if not self.file or self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=settings.ZHICHAN_IMPORT_KEEP_DAYS)

    @property
    def can_rerun(self) -> bool:
        return self.status == ImportStatus.FAILED and bool(self.file)


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


class PatentSearchDoc(models.Model):
    """A patent as the PostgreSQL search backend indexes it (ipdata/search/backends/postgres_backend.py).

    Written only by that backend, and only used with ZHICHAN_SEARCH_BACKEND=postgres. The *_s
    columns hold the substring form of each text field (pg_trgm GIN indexes serve LIKE on them),
    the *_w columns rjieba words and the *_c columns character tokens and bigrams as tsvectors;
    see ipdata/search/text.py.
    """

    id = models.BigIntegerField(primary_key=True)  # the patent's id; no foreign key, the index may lag
    stored = models.JSONField(default=dict)  # what results and highlights show
    ti_s = models.TextField(default="")
    ab_s = models.TextField(default="")
    cl_s = models.TextField(default="")
    pa_s = models.TextField(default="")
    in_s = models.TextField(default="")
    addr_s = models.TextField(default="")
    ag_s = models.TextField(default="")
    tx_w = SearchVectorField(null=True)  # title (weight A), abstract (B), claims (C)
    meta_w = SearchVectorField(null=True)  # applicants (A), inventors (B), address (C), agency (D)
    # Character tokens and bigrams, weighted as above: one- and two-character substrings, which
    # trigrams cannot serve, are GIN lookups here.
    tx_c = SearchVectorField(null=True)
    meta_c = SearchVectorField(null=True)
    an = models.CharField(max_length=20, db_index=True)
    pn = models.JSONField(default=list)  # publication and grant numbers, with and without kind code
    ipc = models.JSONField(default=list)  # every IPC prefix
    patent_type = models.CharField(max_length=12, db_index=True)
    legal_status = models.CharField(max_length=10, db_index=True)
    county_code = models.CharField(max_length=20, blank=True, db_index=True)
    county_name = models.CharField(max_length=100, blank=True)
    ipc_class = models.CharField(max_length=4, blank=True, db_index=True)
    year = models.SmallIntegerField(null=True, db_index=True)
    ad = models.DateField(null=True, db_index=True)
    pd = models.DateField(null=True, db_index=True)
    # Distinct stripped names, for the top lists of the backend's aggregate().
    applicant_names = models.JSONField(default=list)
    inventor_names = models.JSONField(default=list)

    class Meta:
        verbose_name = _("patent search document")
        verbose_name_plural = _("patent search documents")

    def __str__(self):
        return str(self.id)


# --- industry definitions and patent navigation reports ------------------------------------------

MAX_IPC_CODES = 50
MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 50


def clean_ipc_codes(values) -> list[str]:
    """Normalised IPC prefixes, in order, without repeats; ValidationError at "ipc_codes"."""
    from zhichan.ipdata.statistics import normalize_ipc

    if isinstance(values, str):
        values = re.split(r"[,，;；\n]+", values)
    if not isinstance(values, list | tuple):
        raise ValidationError({"ipc_codes": [_("Give a list of IPC codes.")]})
    codes, bad = [], []
    for value in values:
        text = str(value or "").replace("\x00", "").strip()
        if not text:
            continue
        try:
            code = normalize_ipc(text)
        except ValueError:
            bad.append(text[:40])
            continue
        if code not in codes:
            codes.append(code)
    if bad:
        raise ValidationError(
            {
                "ipc_codes": [
                    _(
                        "Not an IPC section, class, subclass or group (like A, A01, A01B, A61K 36 or "
                        "A01B 1/00): %(codes)s"
                    )
                    % {"codes": ", ".join(bad)}
                ]
            }
        )
    if len(codes) > MAX_IPC_CODES:
        raise ValidationError({"ipc_codes": [_("At most %(n)d IPC codes.") % {"n": MAX_IPC_CODES}]})
    return codes


def clean_keywords(values) -> list[str]:
    """Keywords, in order, without repeats; ValidationError at "keywords"."""
    if isinstance(values, str):
        values = re.split(r"[,，;；、\n]+", values)
    if not isinstance(values, list | tuple):
        raise ValidationError({"keywords": [_("Give a list of keywords.")]})
    words = []
    for value in values:
        word = str(value or "").replace("\x00", "").strip()
        if not word:
            continue
        # One token each, so the query is the same in every engine; two words are two keywords.
        if any(ch.isspace() for ch in word) or any(ch in word for ch in '"()=\\'):
            raise ValidationError(
                {"keywords": [_("A keyword has no spaces, quotes, brackets or equals signs: %(word)s") % {
                    "word": word[:40]}]}
            )  # fmt: skip
        if len(word) > MAX_KEYWORD_LENGTH:
            raise ValidationError(
                {"keywords": [_("A keyword has at most %(n)d characters.") % {"n": MAX_KEYWORD_LENGTH}]}
            )
        if word not in words:
            words.append(word)
    if len(words) > MAX_KEYWORDS:
        raise ValidationError({"keywords": [_("At most %(n)d keywords.") % {"n": MAX_KEYWORDS}]})
    return words


class IndustryDefinitionQuerySet(RestrictedQuerySet):
    """The owner's own; shared ones for staff; the city administrator all (and changes them)."""

    def for_role(self, user, action):
        role = role_of(user)
        if role == "anonymous":
            return self.none()
        if role == "city_admin":
            return self
        own = Q(owner=user)
        if action == "view" and role in STAFF_ROLES:
            return self.filter(own | Q(shared=True))
        return self.filter(own)


class IndustryDefinition(TimeStampedModel):
    """An industry as patents describe it: IPC prefixes and keywords (专利导航的产业边界)."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    ipc_codes = models.JSONField(_("IPC codes"), default=list, blank=True)  # ["A01B", "A61K 36", ...]
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    # None: loaded from the city bundle (maintained by the city administrators).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="industry_definitions",
    )  # fmt: skip
    shared = models.BooleanField(_("shared with all staff"), default=False)

    objects = IndustryDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("industry definition")
        verbose_name_plural = _("industry definitions")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="industry_name_once_per_owner"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(owner__isnull=True), name="industry_name_once_in_bundle"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        for name, cleaner in (("ipc_codes", clean_ipc_codes), ("keywords", clean_keywords)):
            try:
                setattr(self, name, cleaner(getattr(self, name)))
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if not errors and not self.ipc_codes and not self.keywords:
            errors["ipc_codes"] = [_("Give at least one IPC code or keyword.")]
        if errors:
            raise ValidationError(errors)

    def to_query(self) -> str:
        """The search query: IPC prefixes OR'ed, keywords OR'ed over TX, the two ANDed."""
        from zhichan.ipdata.statistics import ipc_compact

        parts = []
        for field, values in (
            ("IPC", [ipc_compact(c) for c in self.ipc_codes]),
            ("TX", [f'"{k}"' for k in self.keywords]),
        ):
            terms = [f"{field}={v}" for v in values]
            if len(terms) == 1:
                parts.append(terms[0])
            elif terms:
                parts.append("(" + " OR ".join(terms) + ")")
        return " AND ".join(parts)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", pgettext_lazy("background job", "Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("background job", "Failed")


REPORT_ACTIVE = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class NavigationReportQuerySet(RestrictedQuerySet):
    """Whoever asked for the report, and the city administrators."""

    def for_role(self, user, action):
        role = role_of(user)
        if role == "anonymous":
            return self.none()
        if role == "city_admin":
            return self
        return self.filter(requested_by=user)


def _report_path(instance, filename):
    return f"reports/{timezone.now():%Y/%m}/{instance.pk or 'new'}-{filename[-80:]}"


class NavigationReport(TimeStampedModel):
    """A patent navigation report (专利导航报告) of an industry, built by the worker."""

    definition = models.ForeignKey(
        IndustryDefinition, verbose_name=_("industry"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports",
    )  # fmt: skip
    # What the report is of, as it was when asked: the definition may change or go later.
    title = models.CharField(_("industry"), max_length=100)
    query = models.TextField(_("query"))
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE,
        related_name="navigation_reports",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    file = models.FileField(_("report (DOCX)"), upload_to=_report_path, max_length=300, blank=True)
    pdf = models.FileField(_("report (PDF)"), upload_to=_report_path, max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = NavigationReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("patent navigation report")
        verbose_name_plural = _("patent navigation reports")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "requested_by"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_report_per_definition_and_user",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.title} ({self.created_at:%Y-%m-%d})" if self.created_at else self.title

    @property
    def active(self) -> bool:
        return self.status in REPORT_ACTIVE

    def download_name(self, ext: str) -> str:
        stamp = f"{timezone.localtime(self.created_at):%Y%m%d}" if self.created_at else ""
        return f"{self.title}-专利导航报告-{stamp}.{ext}"


EVENT_LABELS = {
    "created": _("Created"),
    "changed": _("Changed"),
    "deleted": _("Deleted"),
    "report_requested": _("Report requested"),
    "report_started": _("Report started"),
    "report_done": _("Report done"),
    "report_failed": _("Report failed"),
}


class IndustryEvent(EventModel):
    """The history of definitions and reports: saved, deleted, requested, started, done, failed."""

    definition = models.ForeignKey(
        IndustryDefinition, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    report = models.ForeignKey(
        NavigationReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    class Meta(EventModel.Meta):
        verbose_name = _("industry definition or report event")
        verbose_name_plural = _("industry definition and report events")

    @property
    def label(self):
        return EVENT_LABELS.get(self.kind, self.kind)


class SavedSearchQuerySet(RestrictedQuerySet):
    """A saved search is its owner's alone, for every role (the city administrator included)."""

    def for_role(self, user, action):
        if role_of(user) == "anonymous":
            return self.none()
        return self.filter(owner=user)


class SavedSearch(models.Model):
    """A patent search query kept under a name by a signed-in user."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.TextField(_("query"), blank=True)
    # The query can be longer than a btree index entry allows; uniqueness goes by its digest.
    query_digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(fields=["owner", "query_digest"], name="saved_search_once_per_owner"),
        ]

    def __str__(self):
        return self.name


class SavedSearchEvent(EventModel):
    """Saved and deleted searches."""

    search = models.ForeignKey(
        SavedSearch, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    class Meta(EventModel.Meta):
        verbose_name = _("saved search event")
        verbose_name_plural = _("saved search events")
