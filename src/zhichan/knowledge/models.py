"""The knowledge base: statutes split into articles, policies, Q&A items, and the hotline's question log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import STAFF_ROLES
from zhichan.core.models import TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class LawStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    REPEALED = "repealed", _("Repealed")


class PublicReadQuerySet(RestrictedQuerySet):
    """Statutes and tags: everyone reads them; only the city administrator changes them."""

    def for_role(self, user, action):
        if action == CHANGE:
            return self if role_of(user) == "city_admin" else self.none()
        return self


def _region_rule(qs, user, action):
    """Policies and Q&A: the city administrator all; a county administrator their county's own
    (and reads the published rest); everyone else reads what is published."""
    role = role_of(user)
    if role == "city_admin":
        return qs
    if role == "county_admin" and user.region_id:
        own = Q(region_id__in=user.region.subtree_ids())
        return qs.filter(own) if action == CHANGE else qs.filter(own | Q(published=True))
    if action == CHANGE:
        return qs.none()
    return qs.filter(published=True)


class RegionalQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        return _region_rule(self, user, action)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    objects = PublicReadQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Law(models.Model):
    """A statute, regulation or judicial interpretation, loaded from a data file."""

    title = models.CharField(_("title"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, unique=True)
    issuing_body = models.CharField(_("issuing body"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LawStatus.choices, default=LawStatus.IN_FORCE
    )
    source_file = models.CharField(_("source file"), max_length=200, blank=True)
    preamble = models.TextField(_("adoption and amendments"), blank=True)

    objects = PublicReadQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:law", args=[self.pk])


class Article(models.Model):
    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="articles", verbose_name=_("law"))
    number = models.CharField(_("article"), max_length=20, help_text=_("As written, e.g. 第二十二条."))
    ordinal = models.PositiveIntegerField(_("ordinal"))
    chapter = models.CharField(_("chapter"), max_length=100, blank=True)
    text = models.TextField(_("text"))

    objects = PublicReadQuerySet.as_manager()

    class Meta:
        ordering = ["law", "ordinal"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [models.UniqueConstraint(fields=["law", "ordinal"], name="article_once_per_law")]

    def __str__(self):
        return f"《{self.law.short_name}》{self.number}"

    def get_absolute_url(self):
        return reverse("knowledge:article", args=[self.pk])


class Policy(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LawStatus.choices, default=LawStatus.IN_FORCE
    )
    text = models.TextField(_("full text"))
    is_summary = models.BooleanField(
        _("text is a summary"),
        default=False,
        help_text=_("Shown with a note that the text is not the full document."),
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for national and city-wide policies."),
    )
    tags = models.ManyToManyField(Tag, blank=True, verbose_name=_("tags"), related_name="policies")
    published = models.BooleanField(_("published"), default=True)
    key = models.CharField(
        _("data file key"),
        max_length=60,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set for policies loaded from a data file."),
    )

    objects = RegionalQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "title"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:policy", args=[self.pk])


class QAItem(TimeStampedModel):
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    tags = models.ManyToManyField(Tag, blank=True, verbose_name=_("tags"), related_name="qa_items")
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("service item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="qa_items",
    )
    articles = models.ManyToManyField(
        Article, blank=True, verbose_name=_("legal basis"), related_name="qa_items"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for city-wide answers."),
    )
    published = models.BooleanField(_("published"), default=True)
    key = models.CharField(
        _("data file key"),
        max_length=60,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set for items loaded from a data file."),
    )

    objects = RegionalQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("Q&A item")
        verbose_name_plural = _("Q&A items")

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("knowledge:qa", args=[self.pk])


class Outcome(models.TextChoices):
    ANSWERED_ON_SPOT = "answered_on_spot", _("Answered on the spot")
    CASE_OPENED = "case_opened", _("Case opened")
    UNANSWERED = "unanswered", _("Could not answer")


class HotlineQuestionQuerySet(RestrictedQuerySet):
    """Agency staff see their agency's log; a county administrator their county's; the city all."""

    def for_role(self, user, action):
        role = role_of(user)
        if action == CHANGE or role not in STAFF_ROLES:
            return self.none()
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            return self.filter(Q(agency__region_id__in=user.region.subtree_ids()) | Q(agent=user))
        if user.agency_id:
            return self.filter(agency_id=user.agency_id)
        return self.filter(agent=user)


class HotlineQuestion(models.Model):
    """One caller's question at the hotline console and what came of it."""

    text = models.TextField(_("question asked"))
    signature = models.CharField(
        _("keywords"),
        max_length=200,
        blank=True,
        db_index=True,
        help_text=_("The question's sorted keywords; questions with the same keywords count as similar."),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    answered = models.BooleanField(_("answered"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    qa_item = models.ForeignKey(QAItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    guide = models.ForeignKey(
        "catalog.ServiceItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_id = models.PositiveBigIntegerField(_("case"), null=True, blank=True)
    # A resubmitted console form carries the same token and records one row.
    token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    objects = HotlineQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("hotline question")
        verbose_name_plural = _("hotline questions")

    def __str__(self):
        return self.text[:50]

    @property
    def answer_ref(self):
        return self.article or self.qa_item or self.policy or self.guide


class SearchEntry(models.Model):
    """The search index's rows: one per searchable record, its text flattened.

    SQLite keeps an FTS5 trigram table beside it (see search.py); PostgreSQL a pg_trgm index.
    """

    kind = models.CharField(max_length=10)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=300)
    published = models.BooleanField(default=True)
    # A repealed law's articles and a repealed policy: still found, ranked below current texts and
    # marked, so that an agent does not answer from a text no longer in force. db_default keeps
    # SQLite's ALTER TABLE from rebuilding the table under its full-text triggers.
    in_force = models.BooleanField(default=True, db_default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once")]

    def __str__(self):
        return f"{self.kind}:{self.object_id}"
