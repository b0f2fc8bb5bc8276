"""Good practice (典型案例与经验): typical cases and experience written up by the network's staff.

Agency staff and administrators, county administrators and the city administrator write a
practice; it is a draft, then submitted for review, then published (approved) or returned with
a reason. A county administrator of the practice's county or the city administrator reviews
it, never the person who wrote it. The city administrator may unpublish a published one.

Everyone reads the published ones. The author reads their own; reviewers read those submitted
in their reach. A linked case is shown only to those who may view the practice unpublished
(never on the public pages).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class Category(models.TextChoices):
    RIGHTS_PROTECTION = "rights_protection", _("Rights protection")
    INFORMATION_SERVICE = "information_service", _("Information service")
    OPERATION_FINANCE = "operation_finance", _("Operation and finance")
    TRAINING = "training", _("Training")
    NETWORK_BUILDING = "network_building", _("Network building")
    OTHER = "other", _("Other")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


# The author may edit and (re)submit in these.
EDITABLE = (PracticeStatus.DRAFT, PracticeStatus.RETURNED, PracticeStatus.UNPUBLISHED)


def reviewed_filter(user) -> Q | None:
    """The practices `user` reviews (None: none; Q(): all)."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Q()
    role = role_of(user)
    if role == "city_admin":
        return Q()
    if role == "county_admin" and user.region_id:
        return Q(county_id__in=user.region.subtree_ids())
    return None


class PracticeQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        authenticated = user is not None and user.is_authenticated
        own = Q(author_id=user.pk) if authenticated else Q(pk__in=[])
        if action == CHANGE:
            return self.filter(own, status__in=EDITABLE) if authenticated else self.none()
        visible = Q(status=PracticeStatus.PUBLISHED) | own
        reviewed = reviewed_filter(user)
        if reviewed is not None:
            visible |= reviewed & ~Q(status=PracticeStatus.DRAFT)
        return self.filter(visible)

    def published(self):
        return self.filter(status=PracticeStatus.PUBLISHED)


class Practice(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("text"), help_text=_("Plain text; an empty line starts a new paragraph."))
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="practices"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="practices",
    )  # fmt: skip
    category = models.CharField(_("category"), max_length=24, choices=Category.choices, db_index=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Only the author's reference for the reviewers; never shown on the public pages.
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("linked case"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PracticeStatus.choices,
        default=PracticeStatus.DRAFT,
        db_index=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL,
        related_name="practices",
    )  # fmt: skip
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    return_reason = models.TextField(_("reason for returning"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practice")

    def __str__(self):
        return self.title

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


class PracticeFile(models.Model):
    """An image or attachment, its type checked from the content (notices.files)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "pk"]
        verbose_name = _("practice file")
        verbose_name_plural = _("practice files")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class PracticeLog(EventModel):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="log")

    class Meta(EventModel.Meta):
        verbose_name = _("practice log entry")
        verbose_name_plural = _("practice log entries")

    @property
    def label(self):
        return LOG_LABELS.get(self.kind, self.kind)


LOG_LABELS = {
    "created": _("Written"),
    "updated": _("Changed"),
    "submitted": _("Submitted for review"),
    "published": _("Approved and published"),
    "returned": _("Returned"),
    "unpublished": _("Unpublished"),
    "file_added": _("File added"),
    "file_removed": _("File removed"),
}
