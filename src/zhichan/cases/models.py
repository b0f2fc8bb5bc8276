import datetime
import mimetypes
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichan.core.files import file_store
from zhichan.core.models import EventModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class CaseType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    ASSISTANCE = "assistance", _("Rights-protection assistance")
    FAIR_COMPLAINT = "fair_complaint", _("Trade-fair complaint")
    MEDIATION = "mediation", _("Mediation request")
    SERVICE_APPLICATION = "service_application", _("Service application")


# The subtypes each type allows (empty: none).
SUBTYPES = {
    CaseType.CONSULTATION: {"policy": _("Policy"), "legal": _("Legal"), "business": _("Business")},
    CaseType.COMPLAINT: {"service": _("About a service"), "infringement": _("About an infringement")},
    CaseType.REPORT: {"abnormal_filing": _("Abnormal filing"), "misconduct": _("Misconduct of an agency")},
}


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    HOTLINE = "hotline", _("Hotline")
    WINDOW = "window", _("Service window")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")


class IPType(models.TextChoices):
    PATENT = "patent", _("Patent")
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT = "copyright", _("Copyright")
    GEOGRAPHICAL_INDICATION = "geographical_indication", _("Geographical indication")
    OTHER = "other", _("Other")


class Measure(models.TextChoices):
    """What the on-site complaint body did about a trade-fair complaint."""

    SUSPEND_DISPLAY = "suspend_display", _("Display of the exhibit suspended")
    WITHDRAWN = "withdrawn", _("Exhibit withdrawn")
    COVERED = "covered", _("Exhibit covered")
    TAKEN_DOWN = "taken_down", _("Exhibit taken down")
    LINKS_REMOVED = "links_removed", _("Online links removed")
    HANDED_OVER = "handed_over", _("File handed to the IP office")
    NO_INFRINGEMENT = "no_infringement", _("No infringement found")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    WAITING_SUPPLEMENT = "waiting_supplement", _("Waiting for supplement")
    REPLIED = "replied", _("Replied")
    # Context: a request is 办结 (completed), where an agency that is closed is 撤销.
    CLOSED = "closed", pgettext_lazy("request status", "Closed")
    DECLINED = "declined", _("Declined")


# The lifecycle (受理 → 办理 → 回复 → 办结, with 补正 and 重新办理). A supplement may be asked
# before acceptance (incomplete material) or during handling; it returns to where it was.
TRANSITIONS = {
    Status.NEW: {Status.ACCEPTED, Status.DECLINED, Status.WAITING_SUPPLEMENT},
    Status.ACCEPTED: {Status.WAITING_SUPPLEMENT, Status.REPLIED, Status.CLOSED},
    Status.WAITING_SUPPLEMENT: {Status.NEW, Status.ACCEPTED, Status.DECLINED},
    Status.REPLIED: {Status.CLOSED, Status.ACCEPTED},
    Status.CLOSED: {Status.ACCEPTED},
    Status.DECLINED: set(),
}
# Statuses where the clock runs (the case is the agency's to move).
RUNNING = (Status.NEW, Status.ACCEPTED)
FINISHED = (Status.CLOSED, Status.DECLINED)


class CaseQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            return self.filter(owner__region_id__in=user.region.subtree_ids())
        if role == "agency_admin" and user.agency_id:
            return self.filter(Q(owner_id=user.agency_id) | Q(owner__parent_id=user.agency_id))
        if role == "agency_staff" and user.agency_id:
            return self.filter(owner_id=user.agency_id)
        if role in ("public", "enterprise") and action != CHANGE:
            return self.filter(requester_user=user)
        return self.none()

    def overdue(self, at=None):
        at = at or timezone.now()
        return self.filter(status__in=RUNNING, deadline__lt=at)

    def open(self):
        return self.exclude(status__in=FINISHED)


class CaseCounter(models.Model):
    """The last number given in a year; locked row per year so numbers never repeat."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Case(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    tracking_token = models.CharField(_("tracking token"), max_length=64, unique=True)
    tracking_code = models.CharField(_("tracking code"), max_length=8)
    type = models.CharField(_("type"), max_length=24, choices=CaseType.choices, db_index=True)
    subtype = models.CharField(_("subtype"), max_length=24, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    # The status a supplement wait returns to.
    resume_status = models.CharField(max_length=20, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip_type = models.CharField(_("IP type"), max_length=24, choices=IPType.choices, blank=True)
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    guide_version = models.ForeignKey(
        "catalog.GuideVersion",
        verbose_name=_("guide version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fair = models.ForeignKey(
        "fairs.Fair",
        verbose_name=_("trade fair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    requester_name = models.CharField(_("name"), max_length=100, blank=True)
    requester_phone = models.CharField(_("phone"), max_length=30, blank=True)
    requester_email = models.EmailField(_("e-mail"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    requester_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filed_cases",
    )
    owner = models.ForeignKey(
        "agencies.Agency", verbose_name=_("owner agency"), on_delete=models.PROTECT, related_name="cases"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_cases",
    )
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_total = models.DurationField(_("time paused"), default=datetime.timedelta(0))
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("supervised at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received by owner at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    first_contact = models.BooleanField(_("closed at first contact"), default=False)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["owner", "status", "deadline"], name="case_inbox")]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def is_overdue(self):
        return self.status in RUNNING and self.deadline < timezone.now()

    @property
    def tracking_path(self):
        return f"/track/{self.tracking_token}/"


EVENT_LABELS = {
    "created": _("Received"),
    "accepted": _("Accepted"),
    "declined": _("Not accepted"),
    "assigned": _("Handler assigned"),
    "note": _("Internal note"),
    "supplement_requested": _("Supplement requested"),
    "supplement": _("Supplement received"),
    "reply": _("Reply"),
    "closed": _("Closed"),
    "reopened": _("Reopened"),
    "referred": _("Referred to another agency"),
    "supervised": _("Under supervision"),
    "rated": _("Rated"),
    "measures": _("Measures taken"),
    "attachment": _("Files added"),
    "due_soon": _("Due soon"),
    "overdue": _("Overdue"),
    "withdrawn": _("Withdrawn (no supplement)"),
}


class CaseEvent(EventModel):
    """One step on a case's timeline; `public` steps are shown to the requester."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    public = models.BooleanField(_("shown to requester"), default=False)
    # The owner agency at the moment of the step: the case may be referred later, and the
    # evaluation counts each step for the agency that held the case then.
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("owner agency then"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(EventModel.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "kind"], name="case_event_kind")]

    def get_kind_label(self):
        return EVENT_LABELS.get(self.kind, self.kind)

    def get_to_state_label(self):
        return dict(Status.choices).get(self.to_state, self.to_state)


class RoutingRuleQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            return self.filter(region_id__in=user.region.subtree_ids())
        return self.none()


class RoutingRule(models.Model):
    """Which agency receives a case: the most specific matching rule wins, then priority."""

    case_type = models.CharField(_("case type"), max_length=24, choices=CaseType.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    ip_type = models.CharField(_("IP type"), max_length=24, choices=IPType.choices, blank=True)
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    priority = models.IntegerField(_("priority"), default=0)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        ordering = ["case_type", "-priority", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self):
        return f"{self.case_type} → {self.agency}"


class RatingLevel(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Rating(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    level = models.CharField(_("rating"), max_length=12, choices=RatingLevel.choices)
    comment = models.TextField(_("comment"), blank=True)
    # The owner when rated: the figure belongs to the agency that did the work.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="ratings")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self):
        return f"{self.case_id}: {self.level}"


class _CaseFiles(LazyObject):
    def _setup(self):
        self._wrapped = file_store("ZHICHAN_CASE_FILES_ROOT")


case_files = _CaseFiles()


def _case_files():
    return case_files


def _upload_to(instance, filename):
    # A random name with the extension of the checked content: the uploader's name is kept in
    # original_name only, and never decides how the stored file could be taken.
    try:
        from zhichan.notices.files import extension_for
    except ImportError:  # cases without the notices app: the system's table
        ext = (mimetypes.guess_extension(instance.content_type or "") or ".bin").lstrip(".")
    else:
        ext = extension_for(instance.content_type or "application/octet-stream")
    return f"{instance.case_id}/{timezone.now():%Y%m%d%H%M%S}-{secrets.token_urlsafe(12)}.{ext}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(_("file"), upload_to=_upload_to, storage=_case_files, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by_requester = models.BooleanField(_("from the requester"), default=False)
    internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class IdentityViewQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        # Read by the city's administrators only; nobody changes or deletes a row.
        if action == "view" and role_of(user) == "city_admin":
            return self
        return self.none()


class IdentityView(models.Model):
    """Append-only: a member of staff saw a requester's full identity (name, phone, e-mail).

    One row per case, user and minute (cases.privacy.log_identity_view); `revealed` tells an
    explicit "show contact details" from the handling agency's ordinary view of its case.
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("viewed by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    revealed = models.BooleanField(_("revealed on request"), default=False)
    channel = models.CharField(_("through"), max_length=10, default="page")

    objects = IdentityViewQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("identity view")
        verbose_name_plural = _("identity views")
        indexes = [models.Index(fields=["case", "user", "at"], name="identity_view_recent")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.case_id}"
