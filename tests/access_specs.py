"""The declarative table behind tests/test_access_matrix.py: every model of zhichan, classified.

A model is either in SPECS (it has a restrict rule: how to make one record owned by agency A1 of
county A, who may see and change it, and where pages and the API show and change it) or in
INTERNAL (no user-facing read of its own), with a one-line reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests.factories import AgencyFactory, ServiceItemFactory, UserFactory, make_world
from zhichan.accounts.models import Role
from zhichan.ipdata.numbers import check_digit

# The nine people of the matrix, weakest first.
ROLES = (
    "anonymous",
    "public",
    "enterprise",
    "staff_other",  # agency staff of A2, another agency of county A
    "staff",  # agency staff of A1
    "agency_admin",  # agency administrator of A1
    "county_admin_other",  # county administrator of county B
    "county_admin",  # county administrator of county A
    "city_admin",
)


def roles(names: str) -> frozenset[str]:
    chosen = frozenset(names.split())
    unknown = chosen - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return chosen


EVERYONE = frozenset(ROLES)
NOBODY = frozenset()
STAFF = roles("staff_other staff agency_admin county_admin_other county_admin city_admin")
ADMINS_A = roles("county_admin city_admin")
A1 = roles("staff agency_admin county_admin city_admin")


@dataclass(frozen=True)
class Write:
    """A request that changes the record; refused, it must answer 401/403/404 and change nothing."""

    channel: str  # "api" (JSON body) or "page" (form POST)
    method: str
    url: Callable
    body: dict | Callable = field(default_factory=dict)  # or (record) -> dict
    ignores: bool = False  # a bulk call that skips what the caller may not change: 200 is a refusal too

    def data(self, obj):
        return self.body(obj) if callable(self.body) else self.body

    @property
    def label(self):
        return f"{self.channel}-{self.method.lower()}"


@dataclass(frozen=True)
class Spec:
    name: str
    model: type
    make: Callable  # (world) -> the record
    view: frozenset
    change: frozenset
    api_list: str | None = None
    api_detail: Callable | None = None  # (record) -> URL
    page_detail: Callable | None = None
    list_key: str = "id"  # the field of a listed row that names the record
    list_value: Callable = lambda obj: obj.pk
    writes: tuple = ()
    writers: frozenset | None = None  # who may make `writes` (default: `change`)
    api_view: frozenset | None = None  # who the API shows it to (default: `view`)
    list_view: frozenset | None = None  # who finds it in the API list (default: the API's)
    page_view: frozenset | None = None
    # List pages: (URL, who finds the record there; None: `view`), found by `marker` in the HTML.
    page_lists: tuple = ()
    marker: Callable | None = None  # (record) -> a text only this record shows
    # More reads about the record (its history, files, exports): (URL, who; None: the channel's).
    api_more: tuple = ()
    page_more: tuple = ()

    def who_writes(self):
        return self.change if self.writers is None else self.writers

    def who_reads(self, channel):
        # A channel may show less than the restrict rule (a public list shows the published
        # only), never more.
        if channel == "list" and self.list_view is not None:
            return self.list_view
        narrower = {"api": self.api_view, "list": self.api_view, "page": self.page_view}[channel]
        return self.view if narrower is None else narrower


# -- the world ---------------------------------------------------------------------------------


def build_world():
    """make_world, a second agency of county A with its own staff, and one record per spec."""
    from zhichan.agencies.models import AgencyType

    w = make_world()
    w.centre_a2 = AgencyFactory(name="甲区第二服务站", type=AgencyType.WORKSTATION, region=w.county_a)
    u = w.users
    w.people = {
        "anonymous": u.anonymous,
        "public": u.public,
        "enterprise": u.enterprise,
        "staff_other": UserFactory(username="staff_a2", role=Role.AGENCY_STAFF, agency=w.centre_a2),
        "staff": u.staff_a,
        "agency_admin": u.agency_admin_a,
        "county_admin_other": u.county_admin_b,
        "county_admin": u.county_admin_a,
        "city_admin": u.city_admin,
    }
    w.records = {}
    for spec in SPECS:
        w.records[spec.name] = spec.make(w)
    return w


def _now():
    return timezone.now()


def make_case(w):
    from zhichan.cases.models import Case

    return Case.objects.create(
        number="MX-0001",
        tracking_token="matrix-token-0001",
        tracking_code="MX0001",
        type="complaint",
        subject="矩阵测试投诉",
        description="矩阵测试",
        owner=w.centre_a,
        region=w.county_a,
        requester_user=w.people["public"],
        requester_name="张三",
        deadline=_now() + dt.timedelta(days=10),
    )


def make_audit(w):
    from zhichan.agencies.models import Agency
    from zhichan.core.models import AuditEntry

    return AuditEntry.objects.create(
        action="update",
        content_type=ContentType.objects.get_for_model(Agency),
        object_id=str(w.centre_a.pk),
        object_repr="矩阵审计对象",
        region=w.county_a,
    )


def make_park(w):
    from zhichan.regions.models import Region, RegionKind

    return Region.objects.create(
        code="990102-P2", name="甲区二号园区", kind=RegionKind.PARK, parent=w.county_a
    )


def make_planned_outlet(w):
    from zhichan.agencies.models import Level, Status

    return AgencyFactory(
        name="甲区筹建分站", level=Level.PARK, region=w.park_a, parent=w.centre_a, status=Status.PLANNED
    )


def make_law(w):
    from zhichan.knowledge.models import Law

    return Law.objects.create(title="中华人民共和国测试法", short_name="测试法")


def make_article(w):
    from zhichan.knowledge.models import Article, Law

    law = Law.objects.create(title="中华人民共和国条文法", short_name="条文法")
    return Article.objects.create(law=law, number="第一条", ordinal=1, text="为了测试，制定本法。")


def make_tag(w):
    from zhichan.knowledge.models import Tag

    return Tag.objects.create(name="矩阵标签")


def make_policy(w):
    from zhichan.knowledge.models import Policy

    return Policy.objects.create(
        title="甲区草拟政策", issuing_body="甲区市场监管局", text="草稿", region=w.county_a, published=False
    )


def make_qa(w):
    from zhichan.knowledge.models import QAItem

    return QAItem.objects.create(
        question="甲区草拟问题？", answer="草拟答案", region=w.county_a, published=False
    )


def make_hotline(w):
    from zhichan.knowledge.models import HotlineQuestion

    return HotlineQuestion.objects.create(
        text="矩阵来电问题", outcome="unanswered", agency=w.centre_a, agent=w.people["staff"]
    )


def make_fair(w):
    from zhichan.fairs.models import Fair

    return Fair.objects.create(
        name="甲区博览会", starts_at=_now(), ends_at=_now() + dt.timedelta(days=3), region=w.county_a
    )


def make_rule(w):
    from zhichan.cases.models import RoutingRule

    return RoutingRule.objects.create(case_type="report", region=w.county_a, agency=w.centre_a)


def make_identity_view(w):
    from zhichan.cases.models import IdentityView

    return IdentityView.objects.create(case=w.records["case"], user=w.people["city_admin"])


def make_notice(w):
    from zhichan.notices.models import Notice

    return Notice.objects.create(recipient=w.people["staff"], kind="case_assigned", subject="矩阵通知")


def make_patent(w):
    from zhichan.ipdata.models import Patent

    return Patent.objects.create(
        application_number=f"202310000001.{check_digit('202310000001')}",
        patent_type="invention",
        title="一种矩阵装置",
        region=w.county_a,
    )


def make_trademark(w):
    from zhichan.ipdata.models import Trademark

    return Trademark.objects.create(
        registration_number="99000001", name="矩阵", nice_class=9, region=w.county_a
    )


def make_import(w):
    from zhichan.ipdata.models import ImportJob

    return ImportJob.objects.create(
        kind="patent_table",
        file="imports/matrix.csv",
        original_name="matrix.csv",
        created_by=w.people["county_admin"],
    )


def make_industry(w, shared=False):
    from zhichan.ipdata.models import IndustryDefinition

    return IndustryDefinition.objects.create(
        name=f"矩阵{'共享' if shared else '私有'}产业", owner=w.people["staff"], shared=shared
    )


def make_report(w):
    from zhichan.ipdata.models import NavigationReport

    return NavigationReport.objects.create(
        title="矩阵导航报告", query="矩阵", requested_by=w.people["staff"], file="", pdf=""
    )


def make_saved_search(w):
    from zhichan.ipdata.models import SavedSearch

    return SavedSearch.objects.create(
        owner=w.people["public"], name="矩阵检索", query="矩阵", query_digest="0" * 64
    )


def make_watch_list(w):
    from zhichan.watch.models import WatchList

    return WatchList.objects.create(enterprise=w.enterprise_a, agency=w.centre_a, name="甲区监控")


def make_alert(w):
    from zhichan.watch.models import Alert, WatchItem

    watch_list = w.records["watch_list"]
    item = WatchItem.objects.create(watch_list=watch_list, kind="mark", text="矩阵")
    return Alert.objects.create(
        watch_list=watch_list, item=item, kind="similar_mark", key="matrix-1", summary="近似商标：矩阵"
    )


def make_custody(w):
    from zhichan.custody.models import Custody

    return Custody.objects.create(
        agency=w.centre_a, enterprise=w.enterprise_a, starts_on=dt.date(2026, 1, 1), note="矩阵托管"
    )


def make_questionnaire(w):
    from zhichan.diagnosis.models import Questionnaire

    return Questionnaire.objects.create(
        code="matrix", version=1, title="矩阵问卷", definition={"sections": []}, digest="0" * 64
    )


def make_diagnosis(w):
    from zhichan.diagnosis.models import Diagnosis

    questionnaire = w.records["questionnaire"]
    return Diagnosis.objects.create(
        questionnaire=questionnaire,
        user=w.people["enterprise"],
        enterprise=w.enterprise_a,
        enterprise_name=w.enterprise_a.name,
        region=w.county_a,
        status="submitted",
        submitted_at=_now(),
    )


def make_product(w):
    from zhichan.finance.models import LoanProduct

    return LoanProduct.objects.create(
        institution=w.centre_a,
        name="矩阵贷",
        amount_min=Decimal("10000"),
        amount_max=Decimal("1000000"),
        term_min_months=6,
        term_max_months=36,
        rate_min=Decimal("3.0"),
        rate_max=Decimal("5.0"),
        published=False,
    )


def make_application(w):
    from zhichan.finance.models import PledgeApplication

    return PledgeApplication.objects.create(
        enterprise=w.enterprise_a,
        product=w.records["loan_product_draft"],
        institution=w.centre_a,
        amount=Decimal("50000"),
        term_months=12,
        purpose="流动资金",
    )


def make_pledge(w):
    from zhichan.finance.models import Pledge

    return Pledge.objects.create(
        pledgor=w.enterprise_a,
        pledgee=w.centre_a,
        amount=Decimal("50000"),
        term_months=12,
        registration_number="MX-PLEDGE-1",
        registered_on=dt.date(2026, 1, 5),
    )


def make_policy_insurance(w):
    from zhichan.finance.models import InsurancePolicy

    return InsurancePolicy.objects.create(
        insurer=w.centre_a,
        enterprise=w.enterprise_a,
        policy_number="MX-POL-1",
        kind="enforcement",
        sum_insured=Decimal("100000"),
        premium=Decimal("1000"),
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )


def make_claim(w):
    from zhichan.finance.models import Claim

    return Claim.objects.create(
        policy=w.records["insurance_policy"],
        filed_on=dt.date(2026, 3, 1),
        amount_claimed=Decimal("2000"),
        description="维权费用",
    )


def make_provider_application(w):
    from zhichan.providers.models import ProviderApplication

    return ProviderApplication.objects.create(
        token="matrix-provider-token",
        name="甲区测试服务机构",
        type="market_provider",
        region=w.county_a,
        address="甲区测试路",
        contact_person="李四",
        phone="13800000000",
        email="provider@example.com",
        uscc="91990102MA0K00000X",
        services="咨询",
    )


def make_offer(w):
    from zhichan.providers.models import Offer

    item = ServiceItemFactory(code="MX-OFFER", name="甲区机构服务", provider=w.centre_a)
    return Offer.objects.create(item=item)


def make_training_event(w):
    from zhichan.training.models import TrainingEvent

    return TrainingEvent.objects.create(
        title="矩阵培训（草稿）",
        audience="enterprises",
        organiser=w.centre_a,
        region=w.county_a,
        starts_at=_now() + dt.timedelta(days=5),
        ends_at=_now() + dt.timedelta(days=5, hours=2),
        capacity=10,
        hours=Decimal("2"),
        status="draft",
    )


def make_registration(w):
    from zhichan.training.models import Registration

    return Registration.objects.create(
        event=w.records["training_event_draft"], user=w.people["public"], status="registered"
    )


def make_survey(w):
    from zhichan.surveys.models import Survey

    return Survey.objects.create(
        title="甲区满意度（草稿）",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 12, 31),
        region=w.county_a,
        status="draft",
    )


def make_response(w):
    from zhichan.surveys.models import Response

    return Response.objects.create(
        survey=w.records["survey_draft"], submitted_on=dt.date(2026, 2, 1), county=w.county_a
    )


def make_practice(w):
    from zhichan.practices.models import Practice

    return Practice.objects.create(
        title="甲区经验",
        summary="摘要",
        body="正文",
        county=w.county_a,
        agency=w.centre_a,
        category="training",
        status="submitted",
        author=w.people["staff"],
    )


def make_rectification(w):
    from zhichan.evaluation.models.rectification import RectificationNotice

    return RectificationNotice.objects.create(
        agency=w.centre_a, findings="台账不全", required_actions="补齐台账", deadline=dt.date(2026, 12, 31)
    )


def make_indicator(w):
    from zhichan.evaluation.models.scorecards import Indicator

    return Indicator.objects.create(
        code="matrix-indicator",
        name="矩阵指标",
        dimension="quality",
        unit="count",
        direction="higher",
        source="manual",
    )


def make_scorecard(w):
    from zhichan.evaluation.models.scorecards import Scorecard

    return Scorecard.objects.create(name="矩阵考核表", level="agency", period_kind="year")


def make_manual_value(w):
    from zhichan.evaluation.models.scorecards import ManualValue

    return ManualValue.objects.create(
        indicator=w.records["indicator"],
        scope_kind="agency",
        scope_id=w.centre_a.pk,
        agency=w.centre_a,
        period="2026",
        value=Decimal("3"),
        entered_by=w.people["staff"],
    )


def make_run(w, status="draft"):
    from zhichan.evaluation.models.scorecards import ScorecardRun

    return ScorecardRun.objects.create(
        scorecard=w.records["scorecard"], period="2026", level="agency", status=status, computed_at=_now()
    )


def make_result(w):
    from zhichan.evaluation.models.scorecards import ScorecardResult

    return ScorecardResult.objects.create(
        run=make_run(w, status="published"),
        scope_kind="agency",
        scope_id=w.centre_a.pk,
        scope_name=w.centre_a.name,
        agency=w.centre_a,
        county=w.county_a,
        total=Decimal("80"),
        rank=1,
    )


def make_published_policy(w):
    from zhichan.knowledge.models import Policy

    return Policy.objects.create(
        title="甲区已发布政策", issuing_body="甲区市场监管局", text="正文", region=w.county_a, published=True
    )


def make_published_qa(w):
    from zhichan.knowledge.models import QAItem

    return QAItem.objects.create(
        question="甲区已发布问题？", answer="答案", region=w.county_a, published=True
    )


def make_published_event(w):
    event = make_training_event(w)
    event.title, event.status = "矩阵公开培训", "published"
    event.save()
    return event


def make_open_survey(w):
    survey = make_survey(w)
    survey.title, survey.status = "甲区公开满意度", "open"
    survey.save()
    return survey


def make_published_practice(w):
    practice = make_practice(w)
    practice.title, practice.status, practice.published_at = "甲区已发布经验", "published", _now()
    practice.save()
    return practice


def make_published_product(w):
    product = make_product(w)
    product.name, product.published = "矩阵公开贷", True
    product.save()
    return product


def make_listed_offer(w):
    from zhichan.providers.models import Offer

    item = ServiceItemFactory(code="MX-LISTED", name="甲区机构公开服务", provider=w.centre_a, published=True)
    return Offer.objects.create(item=item)


def make_draft_diagnosis(w):
    diagnosis = make_diagnosis(w)
    diagnosis.status, diagnosis.submitted_at = "draft", None
    diagnosis.save()
    return diagnosis


def _get_model(label):
    from django.apps import apps

    return apps.get_model(label)


def _spec(label, name, make, view, change, **kw):
    return SimpleNamespace(label=label, name=name, make=make, view=view, change=change, kw=kw)


# -- the table ---------------------------------------------------------------------------------

W = Write
_RAW_SPECS = [
    _spec(
        "core.AuditEntry",
        "audit_entry",
        make_audit,
        view=ADMINS_A,
        change=NOBODY,
        api_list="/api/v1/audit/",
    ),
    _spec(
        "regions.Region",
        "region_park",
        make_park,
        view=EVERYONE,
        change=roles("city_admin"),
        api_list="/api/v1/regions/",
        list_key="code",
        list_value=lambda obj: obj.code,
        api_detail=lambda obj: f"/api/v1/regions/{obj.code}",
    ),
    _spec(
        "catalog.ServiceItem",
        "service_item_draft",
        lambda w: w.draft_a,
        view=ADMINS_A,
        change=ADMINS_A,
        api_list="/api/v1/catalog/items",
        list_key="code",
        list_value=lambda obj: obj.code,
        api_detail=lambda obj: f"/api/v1/catalog/items/{obj.code}",
        page_detail=lambda obj: f"/services/{obj.code}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/catalog/items/{obj.code}", {"name": "改名"}),
            W("api", "POST", lambda obj: f"/api/v1/catalog/items/{obj.code}/publish"),
            W("page", "POST", lambda obj: f"/services/{obj.code}/publish/"),
        ),
    ),
    _spec(
        "agencies.Agency",
        "agency_planned",
        make_planned_outlet,
        view=A1,
        change=roles("agency_admin county_admin city_admin"),
        api_list="/api/v1/agencies/",
        api_detail=lambda obj: f"/api/v1/agencies/{obj.pk}",
        page_detail=lambda obj: f"/network/{obj.pk}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/agencies/{obj.pk}", {"name": "改名"}),
            W(
                "api",
                "POST",
                lambda obj: f"/api/v1/agencies/{obj.pk}/status",
                {"status": "closed", "note": "x"},
            ),
            W("page", "POST", lambda obj: f"/network/{obj.pk}/status/", {"status": "closed", "note": "x"}),
        ),
    ),
    _spec("knowledge.Tag", "tag", make_tag, view=EVERYONE, change=roles("city_admin")),
    _spec(
        "knowledge.Law",
        "law",
        make_law,
        view=EVERYONE,
        change=roles("city_admin"),
        api_list="/api/v1/knowledge/laws",
        api_detail=lambda obj: f"/api/v1/knowledge/laws/{obj.pk}",
        page_detail=lambda obj: f"/knowledge/laws/{obj.pk}/",
    ),
    _spec(
        "knowledge.Article",
        "article",
        make_article,
        view=EVERYONE,
        change=roles("city_admin"),
        api_detail=lambda obj: f"/api/v1/knowledge/articles/{obj.pk}",
        page_detail=lambda obj: f"/knowledge/articles/{obj.pk}/",
    ),
    _spec(
        "knowledge.Policy",
        "policy_draft",
        make_policy,
        view=ADMINS_A,
        change=ADMINS_A,
        api_list="/api/v1/knowledge/policies",
        api_detail=lambda obj: f"/api/v1/knowledge/policies/{obj.pk}",
        page_detail=lambda obj: f"/knowledge/policies/{obj.pk}/",
        writes=(
            W(
                "api",
                "PUT",
                lambda obj: f"/api/v1/knowledge/policies/{obj.pk}",
                {"title": "改", "issuing_body": "改", "text": "改", "published": True},
            ),
            W("page", "POST", lambda obj: f"/knowledge/manage/policies/{obj.pk}/", {"title": "改"}),
        ),
    ),
    _spec(
        "knowledge.QAItem",
        "qa_draft",
        make_qa,
        view=ADMINS_A,
        change=ADMINS_A,
        api_list="/api/v1/knowledge/qa",
        api_detail=lambda obj: f"/api/v1/knowledge/qa/{obj.pk}",
        page_detail=lambda obj: f"/knowledge/qa/{obj.pk}/",
        writes=(
            W(
                "api",
                "PUT",
                lambda obj: f"/api/v1/knowledge/qa/{obj.pk}",
                {"question": "改？", "answer": "改"},
            ),
            W("api", "DELETE", lambda obj: f"/api/v1/knowledge/qa/{obj.pk}"),
            W("page", "POST", lambda obj: f"/knowledge/manage/qa/{obj.pk}/", {"question": "改？"}),
        ),
    ),
    _spec(
        "knowledge.HotlineQuestion",
        "hotline_question",
        make_hotline,
        view=A1,
        change=NOBODY,
        api_list="/api/v1/knowledge/hotline",
    ),
    _spec(
        "fairs.Fair",
        "fair",
        make_fair,
        view=EVERYONE,
        change=ADMINS_A,
        api_list="/api/v1/fairs/",
        api_detail=lambda obj: f"/api/v1/fairs/{obj.pk}",
        page_detail=lambda obj: f"/fairs/{obj.pk}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/fairs/{obj.pk}", {"name": "改名"}),
            W("page", "POST", lambda obj: f"/fairs/{obj.pk}/edit/", {"name": "改名"}),
        ),
    ),
    _spec(
        "cases.Case",
        "case",
        make_case,
        view=roles("public") | A1,
        change=A1,
        api_list="/api/v1/cases/",
        api_detail=lambda obj: f"/api/v1/cases/{obj.pk}",
        page_detail=lambda obj: f"/cases/{obj.pk}/",
        page_view=A1,  # the requester follows the case on its tracking page
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/cases/{obj.pk}/note", {"note": "x"}),
            W("api", "POST", lambda obj: f"/api/v1/cases/{obj.pk}/decline", {"reason": "x"}),
            W("page", "POST", lambda obj: f"/cases/{obj.pk}/", {"action": "decline", "reason": "x"}),
        ),
    ),
    _spec(
        "cases.RoutingRule",
        "routing_rule",
        make_rule,
        view=ADMINS_A,
        change=ADMINS_A,
        api_list="/api/v1/cases/routing-rules",
        writes=(
            W("api", "DELETE", lambda obj: f"/api/v1/cases/routing-rules/{obj.pk}"),
            W("page", "POST", lambda obj: f"/cases/rules/{obj.pk}/delete/"),
        ),
    ),
    _spec(
        "cases.IdentityView",
        "identity_view",
        make_identity_view,
        view=roles("city_admin"),
        change=NOBODY,
        api_list="/api/v1/cases/identity-views",
    ),
    _spec(
        "notices.Notice",
        "notice",
        make_notice,
        view=roles("staff"),
        change=roles("staff"),
        api_list="/api/v1/notices/",
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/notices/{obj.pk}/read"),
            W("page", "POST", lambda obj: f"/inbox/{obj.pk}/read/"),
        ),
    ),
    _spec(
        "enterprises.Enterprise",
        "enterprise",
        lambda w: w.enterprise_a,
        view=EVERYONE,
        change=ADMINS_A,
        api_detail=lambda obj: f"/api/v1/enterprises/{obj.pk}",
        page_detail=lambda obj: f"/enterprises/{obj.pk}/",
    ),
    _spec(
        "ipdata.Patent",
        "patent",
        make_patent,
        view=EVERYONE,
        change=roles("city_admin"),
        api_detail=lambda obj: f"/api/v1/ipdata/patents/{obj.application_number}",
        page_detail=lambda obj: f"/ipdata/patents/{obj.application_number}/",
    ),
    _spec(
        "ipdata.Trademark",
        "trademark",
        make_trademark,
        view=EVERYONE,
        change=roles("city_admin"),
        api_detail=lambda obj: f"/api/v1/ipdata/trademarks/{obj.registration_number}",
        page_detail=lambda obj: f"/ipdata/trademarks/{obj.registration_number}/",
    ),
    _spec(
        "ipdata.ImportJob",
        "import_job",
        make_import,
        view=ADMINS_A,
        change=ADMINS_A,
        api_list="/api/v1/ipdata/imports",
        api_detail=lambda obj: f"/api/v1/ipdata/imports/{obj.pk}",
        page_detail=lambda obj: f"/ipdata/imports/{obj.pk}/",
        writes=(W("page", "POST", lambda obj: f"/ipdata/imports/{obj.pk}/rerun/"),),
    ),
    _spec(
        "ipdata.IndustryDefinition",
        "industry_private",
        make_industry,
        view=roles("staff city_admin"),
        change=roles("staff city_admin"),
        api_list="/api/v1/ipdata/industries",
        api_detail=lambda obj: f"/api/v1/ipdata/industries/{obj.pk}",
        page_detail=lambda obj: f"/ipdata/industries/{obj.pk}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/ipdata/industries/{obj.pk}", {"name": "改名"}),
            W("api", "DELETE", lambda obj: f"/api/v1/ipdata/industries/{obj.pk}"),
            W("page", "POST", lambda obj: f"/ipdata/industries/{obj.pk}/delete/"),
        ),
    ),
    _spec(
        "ipdata.IndustryDefinition",
        "industry_shared",
        lambda w: make_industry(w, shared=True),
        view=STAFF,
        change=roles("staff city_admin"),
        api_list="/api/v1/ipdata/industries",
        api_detail=lambda obj: f"/api/v1/ipdata/industries/{obj.pk}",
        page_detail=lambda obj: f"/ipdata/industries/{obj.pk}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/ipdata/industries/{obj.pk}", {"name": "改名"}),
            W("api", "DELETE", lambda obj: f"/api/v1/ipdata/industries/{obj.pk}"),
            W("page", "POST", lambda obj: f"/ipdata/industries/{obj.pk}/delete/"),
        ),
    ),
    _spec(
        "ipdata.NavigationReport",
        "navigation_report",
        make_report,
        view=roles("staff city_admin"),
        change=roles("staff city_admin"),
        api_list="/api/v1/ipdata/reports",
        list_view=roles("staff"),  # each person's own requests
        api_detail=lambda obj: f"/api/v1/ipdata/reports/{obj.pk}",
        page_detail=lambda obj: f"/ipdata/reports/{obj.pk}/",
    ),
    _spec(
        "ipdata.SavedSearch",
        "saved_search",
        make_saved_search,
        view=roles("public"),
        change=roles("public"),
        api_list="/api/v1/ipdata/saved-searches",
        api_detail=lambda obj: f"/api/v1/ipdata/saved-searches/{obj.pk}",
        writes=(
            W("api", "DELETE", lambda obj: f"/api/v1/ipdata/saved-searches/{obj.pk}"),
            W("page", "POST", lambda obj: f"/ipdata/search/saved/{obj.pk}/delete/"),
        ),
    ),
    _spec(
        "watch.WatchList",
        "watch_list",
        make_watch_list,
        view=roles("enterprise") | A1,
        change=roles("enterprise staff agency_admin"),
        api_list="/api/v1/watch/lists",
        api_detail=lambda obj: f"/api/v1/watch/lists/{obj.pk}",
        page_detail=lambda obj: f"/watch/{obj.pk}/",
        writes=(
            W("api", "DELETE", lambda obj: f"/api/v1/watch/lists/{obj.pk}"),
            W(
                "api",
                "POST",
                lambda obj: f"/api/v1/watch/lists/{obj.pk}/items",
                {"kind": "mark", "text": "新"},
            ),
            W("page", "POST", lambda obj: f"/watch/{obj.pk}/read/"),
        ),
    ),
    _spec(
        "watch.Alert",
        "alert",
        make_alert,
        view=roles("enterprise") | A1,
        change=roles("enterprise staff agency_admin"),
        api_list="/api/v1/watch/alerts",
        writes=(
            W(
                "api",
                "POST",
                lambda obj: "/api/v1/watch/alerts/read",
                lambda obj: {"ids": [obj.pk]},
                ignores=True,
            ),
            W("page", "POST", lambda obj: f"/watch/{obj.watch_list_id}/read/"),
        ),
    ),
    _spec(
        "custody.Custody",
        "custody",
        make_custody,
        view=roles("enterprise") | A1,
        change=roles("staff agency_admin city_admin"),
        api_list="/api/v1/custody/",
        api_detail=lambda obj: f"/api/v1/custody/{obj.pk}",
        page_detail=lambda obj: f"/custody/{obj.pk}/",
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/custody/{obj.pk}/end", {"reason": "x"}),
            W("page", "POST", lambda obj: f"/custody/{obj.pk}/end/", {"reason": "x"}),
            W("page", "POST", lambda obj: f"/custody/{obj.pk}/token/"),
        ),
    ),
    _spec(
        "diagnosis.Questionnaire",
        "questionnaire",
        make_questionnaire,
        view=EVERYONE,
        change=NOBODY,
    ),
    _spec(
        "diagnosis.Diagnosis",
        "diagnosis",
        make_diagnosis,
        view=roles("enterprise county_admin city_admin"),
        change=roles("enterprise"),
        api_list="/api/v1/diagnosis/diagnoses",
        api_detail=lambda obj: f"/api/v1/diagnosis/diagnoses/{obj.pk}",
        page_detail=lambda obj: f"/diagnosis/{obj.pk}/",
        writes=(
            W(
                "api",
                "POST",
                lambda obj: f"/api/v1/diagnosis/diagnoses/{obj.pk}/cases",
                {"service_item_code": "TM-REG", "note": "x"},
            ),
            W("page", "POST", lambda obj: f"/diagnosis/{obj.pk}/help/", {"note": "x"}),
        ),
    ),
    _spec(
        "finance.LoanProduct",
        "loan_product_draft",
        make_product,
        view=roles("staff agency_admin city_admin"),
        change=roles("staff agency_admin city_admin"),
        api_list="/api/v1/finance/products",
        api_detail=lambda obj: f"/api/v1/finance/products/{obj.pk}",
        page_detail=lambda obj: f"/finance/products/{obj.pk}/",
        writes=(
            W(
                "api",
                "PUT",
                lambda obj: f"/api/v1/finance/products/{obj.pk}",
                lambda obj: {
                    "institution_id": obj.institution_id,
                    "name": "改",
                    "ip_types": ["patent"],
                    "amount_min": "1",
                    "amount_max": "2",
                    "term_min_months": 1,
                    "term_max_months": 2,
                    "rate_min": "1",
                    "rate_max": "2",
                },
            ),
            W("page", "POST", lambda obj: f"/finance/products/{obj.pk}/edit/", {"name": "改"}),
        ),
    ),
    _spec(
        "finance.PledgeApplication",
        "pledge_application",
        make_application,
        view=roles("enterprise") | A1,
        change=roles("staff agency_admin city_admin"),
        api_list="/api/v1/finance/applications",
        api_detail=lambda obj: f"/api/v1/finance/applications/{obj.pk}",
        page_detail=lambda obj: f"/finance/applications/{obj.pk}/",
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/finance/applications/{obj.pk}/reject", {"note": "x"}),
            W("page", "POST", lambda obj: f"/finance/applications/{obj.pk}/reject/", {"note": "x"}),
        ),
        writers=roles("enterprise staff agency_admin city_admin"),
    ),
    _spec(
        "finance.Pledge",
        "pledge",
        make_pledge,
        view=roles("enterprise") | A1,
        change=roles("staff agency_admin city_admin"),
        api_list="/api/v1/finance/pledges",
        api_detail=lambda obj: f"/api/v1/finance/pledges/{obj.pk}",
        page_detail=lambda obj: f"/finance/pledges/{obj.pk}/",
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/finance/pledges/{obj.pk}/release", {"note": "x"}),
            W("page", "POST", lambda obj: f"/finance/pledges/{obj.pk}/release/", {"note": "x"}),
        ),
    ),
    _spec(
        "finance.InsurancePolicy",
        "insurance_policy",
        make_policy_insurance,
        view=roles("enterprise") | A1,
        change=roles("staff agency_admin city_admin"),
        api_list="/api/v1/finance/policies",
        api_detail=lambda obj: f"/api/v1/finance/policies/{obj.pk}",
        page_detail=lambda obj: f"/finance/insurance/{obj.pk}/",
        writes=(
            W(
                "api",
                "POST",
                lambda obj: f"/api/v1/finance/policies/{obj.pk}/claims",
                {"filed_on": "2026-03-02", "amount_claimed": "10", "description": "x"},
            ),
        ),
        writers=roles("enterprise staff agency_admin city_admin"),
    ),
    _spec(
        "finance.Claim",
        "claim",
        make_claim,
        view=roles("enterprise") | A1,
        change=roles("staff agency_admin city_admin"),
        api_list=None,
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/finance/claims/{obj.pk}/reject", {"note": "x"}),
            W("page", "POST", lambda obj: f"/finance/claims/{obj.pk}/reject/", {"note": "x"}),
        ),
    ),
    _spec(
        "providers.ProviderApplication",
        "provider_application",
        make_provider_application,
        view=ADMINS_A,
        change=ADMINS_A,
        api_list="/api/v1/providers/applications",
        api_detail=lambda obj: f"/api/v1/providers/applications/{obj.pk}",
        page_detail=lambda obj: f"/providers/applications/{obj.pk}/",
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/providers/applications/{obj.pk}/reject", {"reason": "x"}),
        ),
    ),
    _spec(
        "providers.Offer",
        "offer_unpublished",
        make_offer,
        view=A1,
        change=roles("agency_admin county_admin city_admin"),
        api_list="/api/v1/providers/offers",
        api_detail=lambda obj: f"/api/v1/providers/offers/{obj.pk}",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/providers/offers/{obj.pk}", {"capacity_note": "改"}),
            W("api", "POST", lambda obj: f"/api/v1/providers/offers/{obj.pk}/withdraw"),
        ),
    ),
    _spec(
        "training.TrainingEvent",
        "training_event_draft",
        make_training_event,
        view=A1,
        change=A1,
        api_list="/api/v1/training/events",
        list_view=NOBODY,  # the public calendar
        api_detail=lambda obj: f"/api/v1/training/events/{obj.pk}",
        page_detail=lambda obj: f"/training/{obj.pk}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/training/events/{obj.pk}", {"title": "改"}),
            W("api", "POST", lambda obj: f"/api/v1/training/events/{obj.pk}/publish"),
            W("page", "POST", lambda obj: f"/training/{obj.pk}/publish/"),
        ),
    ),
    _spec(
        "training.Registration",
        "registration",
        make_registration,
        view=roles("public") | A1,
        change=roles("public") | A1,
        api_list="/api/v1/training/registrations",
        list_view=roles("public"),  # the caller's own registrations
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/training/registrations/{obj.pk}/cancel"),
            W("page", "POST", lambda obj: f"/training/registrations/{obj.pk}/cancel/"),
        ),
    ),
    _spec(
        "surveys.Survey",
        "survey_draft",
        make_survey,
        view=ADMINS_A,
        change=ADMINS_A,
        api_list="/api/v1/surveys/",
        list_view=NOBODY,  # surveys open for answers
        api_detail=lambda obj: f"/api/v1/surveys/{obj.pk}",
        page_detail=lambda obj: f"/surveys/{obj.pk}/",
        writes=(W("page", "POST", lambda obj: f"/surveys/{obj.pk}/open/"),),
    ),
    _spec("surveys.Response", "survey_response", make_response, view=ADMINS_A, change=NOBODY),
    _spec(
        "practices.Practice",
        "practice_submitted",
        make_practice,
        view=roles("staff county_admin city_admin"),
        change=NOBODY,
        api_list="/api/v1/practices/",
        api_view=NOBODY,  # the API publishes published practice only
        api_detail=lambda obj: f"/api/v1/practices/{obj.pk}",
        page_detail=lambda obj: f"/practices/{obj.pk}/",
        writes=(
            W("page", "POST", lambda obj: f"/practices/{obj.pk}/approve/"),
            W("page", "POST", lambda obj: f"/practices/{obj.pk}/return/", {"reason": "x"}),
        ),
        writers=ADMINS_A,
    ),
    _spec(
        "evaluation.RectificationNotice",
        "rectification_notice",
        make_rectification,
        view=A1,
        change=ADMINS_A,
        api_list="/api/v1/evaluation/rectification-notices",
        api_detail=lambda obj: f"/api/v1/evaluation/rectification-notices/{obj.pk}",
        page_detail=lambda obj: f"/evaluation/rectification/{obj.pk}/",
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/evaluation/rectification-notices/{obj.pk}/escalate", {}),
            W(
                "page",
                "POST",
                lambda obj: f"/evaluation/rectification/{obj.pk}/review/",
                {"decision": "accept"},
            ),
        ),
        writers=A1,
    ),
    _spec(
        "evaluation.Indicator",
        "indicator",
        make_indicator,
        view=STAFF,
        change=roles("city_admin"),
        api_list="/api/v1/evaluation/indicators",
        api_detail=lambda obj: f"/api/v1/evaluation/indicators/{obj.pk}",
        writes=(W("api", "PATCH", lambda obj: f"/api/v1/evaluation/indicators/{obj.pk}", {"name": "改"}),),
    ),
    _spec(
        "evaluation.Scorecard",
        "scorecard",
        make_scorecard,
        view=STAFF,
        change=roles("city_admin"),
        api_list="/api/v1/evaluation/scorecards",
        api_detail=lambda obj: f"/api/v1/evaluation/scorecards/{obj.pk}",
        page_detail=lambda obj: f"/evaluation/scorecards/{obj.pk}/",
    ),
    _spec(
        "evaluation.ManualValue",
        "manual_value",
        make_manual_value,
        view=A1,
        change=roles("agency_admin county_admin city_admin"),
        api_list="/api/v1/evaluation/manual-values",
        page_detail=lambda obj: f"/evaluation/values/{obj.pk}/",
        writes=(
            W(
                "api",
                "POST",
                lambda obj: f"/api/v1/evaluation/manual-values/{obj.pk}/review",
                {"decision": "approved", "note": "x"},
            ),
        ),
    ),
    _spec(
        "evaluation.ScorecardRun",
        "scorecard_run_draft",
        make_run,
        view=roles("city_admin"),
        change=roles("city_admin"),
        api_list="/api/v1/evaluation/runs",
        api_detail=lambda obj: f"/api/v1/evaluation/runs/{obj.pk}",
        page_detail=lambda obj: f"/evaluation/runs/{obj.pk}/",
        writes=(
            W("api", "POST", lambda obj: f"/api/v1/evaluation/runs/{obj.pk}/publish"),
            W("page", "POST", lambda obj: f"/evaluation/runs/{obj.pk}/publish/"),
        ),
    ),
    _spec("evaluation.ScorecardResult", "scorecard_result", make_result, view=A1, change=NOBODY),
    # Published and public records: everyone reads them; a refused write still changes nothing.
    _spec(
        "agencies.Agency",
        "agency_operating",
        lambda w: w.centre_a,
        view=EVERYONE,
        change=roles("agency_admin county_admin city_admin"),
        api_list="/api/v1/agencies/",
        api_detail=lambda obj: f"/api/v1/agencies/{obj.pk}",
        page_detail=lambda obj: f"/network/{obj.pk}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/agencies/{obj.pk}", {"name": "改名"}),
            W("api", "POST", lambda obj: f"/api/v1/agencies/{obj.pk}/upgrade", {"type": "workstation"}),
            W("page", "POST", lambda obj: f"/network/{obj.pk}/edit/", {"name": "改名"}),
        ),
    ),
    _spec(
        "catalog.ServiceItem",
        "service_item_published",
        lambda w: w.item,
        view=EVERYONE,
        change=roles("city_admin"),
        api_list="/api/v1/catalog/items",
        list_key="code",
        list_value=lambda obj: obj.code,
        api_detail=lambda obj: f"/api/v1/catalog/items/{obj.code}",
        page_detail=lambda obj: f"/services/{obj.code}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/catalog/items/{obj.code}", {"name": "改名"}),
            W("api", "PUT", lambda obj: f"/api/v1/catalog/items/{obj.code}/draft", {"steps": ["改"]}),
            W("page", "POST", lambda obj: f"/services/{obj.code}/edit/", {"name": "改名"}),
        ),
    ),
    _spec(
        "knowledge.Policy",
        "policy_published",
        make_published_policy,
        view=EVERYONE,
        change=ADMINS_A,
        api_list="/api/v1/knowledge/policies",
        api_detail=lambda obj: f"/api/v1/knowledge/policies/{obj.pk}",
        page_detail=lambda obj: f"/knowledge/policies/{obj.pk}/",
        writes=(
            W(
                "api",
                "PUT",
                lambda obj: f"/api/v1/knowledge/policies/{obj.pk}",
                {"title": "改", "issuing_body": "改", "text": "改", "published": False},
            ),
            W("page", "POST", lambda obj: f"/knowledge/manage/policies/{obj.pk}/", {"title": "改"}),
        ),
    ),
    _spec(
        "knowledge.QAItem",
        "qa_published",
        make_published_qa,
        view=EVERYONE,
        change=ADMINS_A,
        api_list="/api/v1/knowledge/qa",
        api_detail=lambda obj: f"/api/v1/knowledge/qa/{obj.pk}",
        page_detail=lambda obj: f"/knowledge/qa/{obj.pk}/",
        writes=(
            W(
                "api",
                "PUT",
                lambda obj: f"/api/v1/knowledge/qa/{obj.pk}",
                {"question": "改？", "answer": "改"},
            ),
            W("api", "DELETE", lambda obj: f"/api/v1/knowledge/qa/{obj.pk}"),
        ),
    ),
    _spec(
        "training.TrainingEvent",
        "training_event_published",
        make_published_event,
        view=EVERYONE,
        change=A1,
        api_list="/api/v1/training/events",
        api_detail=lambda obj: f"/api/v1/training/events/{obj.pk}",
        page_detail=lambda obj: f"/training/{obj.pk}/",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/training/events/{obj.pk}", {"title": "改"}),
            W("api", "POST", lambda obj: f"/api/v1/training/events/{obj.pk}/cancel", {"reason": "x"}),
            W("page", "POST", lambda obj: f"/training/{obj.pk}/cancel/", {"reason": "x"}),
            W("page", "POST", lambda obj: f"/training/{obj.pk}/finish/"),
        ),
    ),
    _spec(
        "surveys.Survey",
        "survey_open",
        make_open_survey,
        view=EVERYONE,
        change=ADMINS_A,
        api_list="/api/v1/surveys/",
        api_detail=lambda obj: f"/api/v1/surveys/{obj.pk}",
        page_detail=lambda obj: f"/surveys/{obj.pk}/",
        writes=(W("page", "POST", lambda obj: f"/surveys/{obj.pk}/close/"),),
    ),
    _spec(
        "practices.Practice",
        "practice_published",
        make_published_practice,
        view=EVERYONE,
        change=NOBODY,
        api_list="/api/v1/practices/",
        api_detail=lambda obj: f"/api/v1/practices/{obj.pk}",
        page_detail=lambda obj: f"/practices/{obj.pk}/",
        writes=(W("page", "POST", lambda obj: f"/practices/{obj.pk}/unpublish/", {"reason": "x"}),),
        writers=ADMINS_A,
    ),
    _spec(
        "finance.LoanProduct",
        "loan_product_published",
        make_published_product,
        view=EVERYONE,
        change=roles("staff agency_admin city_admin"),
        api_list="/api/v1/finance/products",
        api_detail=lambda obj: f"/api/v1/finance/products/{obj.pk}",
        page_detail=lambda obj: f"/finance/products/{obj.pk}/",
        writes=(
            W(
                "api",
                "PUT",
                lambda obj: f"/api/v1/finance/products/{obj.pk}",
                lambda obj: {
                    "institution_id": obj.institution_id,
                    "name": "改",
                    "ip_types": ["patent"],
                    "amount_min": "1",
                    "amount_max": "2",
                    "term_min_months": 1,
                    "term_max_months": 2,
                    "rate_min": "1",
                    "rate_max": "2",
                },
            ),
        ),
    ),
    _spec(
        "providers.Offer",
        "offer_listed",
        make_listed_offer,
        view=EVERYONE,
        change=roles("agency_admin county_admin city_admin"),
        api_list="/api/v1/providers/offers",
        api_detail=lambda obj: f"/api/v1/providers/offers/{obj.pk}",
        writes=(
            W("api", "PATCH", lambda obj: f"/api/v1/providers/offers/{obj.pk}", {"capacity_note": "改"}),
            W("api", "POST", lambda obj: f"/api/v1/providers/offers/{obj.pk}/withdraw"),
            W("page", "POST", lambda obj: f"/providers/offers/{obj.pk}/listing/", {"action": "withdraw"}),
        ),
    ),
    _spec(
        "diagnosis.Diagnosis",
        "diagnosis_draft",
        make_draft_diagnosis,
        view=roles("enterprise"),
        change=roles("enterprise"),
        api_list="/api/v1/diagnosis/diagnoses",
        api_detail=lambda obj: f"/api/v1/diagnosis/diagnoses/{obj.pk}",
        page_detail=lambda obj: f"/diagnosis/{obj.pk}/",
        page_view=NOBODY,  # the report page shows submitted diagnoses; a draft goes on in /diagnosis/take/
    ),
]

# List pages per spec: a text only that record shows, and (URL, who finds it there; None: the
# spec's `view`). Lists may show fewer than the rule allows (a public calendar shows the published).
PAGE_LISTS = {
    "audit_entry": (lambda obj: obj.object_repr, (("/audit/", None),)),
    "service_item_draft": (lambda obj: obj.name, (("/services/", NOBODY), ("/services/manage/", None))),
    "agency_planned": (
        lambda obj: obj.name,
        (("/network/", NOBODY), ("/network/manage/", roles("agency_admin county_admin city_admin"))),
    ),
    "policy_draft": (lambda obj: obj.title, (("/knowledge/", None), ("/knowledge/manage/", None))),
    "qa_draft": (lambda obj: obj.question, (("/knowledge/", NOBODY), ("/knowledge/manage/", None))),
    "fair": (lambda obj: obj.name, (("/fairs/", None),)),
    "case": (lambda obj: obj.subject, (("/cases/", A1),)),
    "identity_view": (lambda obj: obj.case.number, (("/cases/identity-log/", None),)),
    "notice": (lambda obj: obj.subject, (("/inbox/", None),)),
    "import_job": (lambda obj: obj.original_name, (("/ipdata/imports/", None),)),
    "industry_private": (lambda obj: obj.name, (("/ipdata/industries/", None),)),
    "industry_shared": (lambda obj: obj.name, (("/ipdata/industries/", None),)),
    "watch_list": (lambda obj: obj.name, (("/watch/", None),)),
    "custody": (lambda obj: obj.note, (("/custody/", NOBODY),)),
    "loan_product_draft": (lambda obj: obj.name, (("/finance/products/", None),)),
    "pledge": (lambda obj: obj.registration_number, (("/finance/pledges/", None),)),
    "insurance_policy": (lambda obj: obj.policy_number, (("/finance/insurance/", None),)),
    "provider_application": (lambda obj: obj.name, (("/providers/applications/", None),)),
    "offer_unpublished": (
        lambda obj: obj.item.name,
        (("/providers/offers/", ADMINS_A), ("/services/", NOBODY)),
    ),
    "training_event_draft": (lambda obj: obj.title, (("/training/", NOBODY), ("/training/manage/", None))),
    "survey_draft": (lambda obj: obj.title, (("/surveys/", NOBODY), ("/surveys/manage/", None))),
    "practice_submitted": (lambda obj: obj.title, (("/practices/", NOBODY), ("/practices/mine/", None))),
    "rectification_notice": (lambda obj: f'data-notice="{obj.pk}"', (("/evaluation/rectification/", None),)),
    "indicator": (lambda obj: obj.name, (("/evaluation/indicators/", None),)),
    "scorecard": (lambda obj: obj.name, (("/evaluation/scorecards/", None),)),
    "agency_operating": (lambda obj: obj.name, (("/network/", None),)),
    "service_item_published": (lambda obj: obj.name, (("/services/", None),)),
    "policy_published": (lambda obj: obj.title, (("/knowledge/", None),)),
    "training_event_published": (lambda obj: obj.title, (("/training/", None),)),
    "survey_open": (lambda obj: obj.title, (("/surveys/", None),)),
    "practice_published": (lambda obj: obj.title, (("/practices/", None),)),
    "loan_product_published": (lambda obj: obj.name, (("/finance/products/", None),)),
    "offer_listed": (lambda obj: obj.item.name, (("/services/", None),)),
}

# Reads about a record besides its detail (history, child rows, exports, progress): each answers
# 200 to who may read it and 401/403/404 (or the login page) to everyone else.
CHANGERS = "change"  # marker: the read is for those who may change the record
MORE = {
    "service_item_draft": (
        (lambda obj: f"/api/v1/catalog/items/{obj.code}/versions", None),
        (lambda obj: f"/api/v1/catalog/items/{obj.code}/draft", CHANGERS),
    ),
    "agency_planned": ((lambda obj: f"/api/v1/agencies/{obj.pk}/events", CHANGERS),),
    "law": ((lambda obj: f"/api/v1/knowledge/laws/{obj.pk}/articles", None),),
    "fair": ((lambda obj: f"/api/v1/fairs/{obj.pk}/history", CHANGERS),),
    "case": (
        (lambda obj: f"/api/v1/cases/{obj.pk}/events", None),
        (lambda obj: f"/api/v1/cases/{obj.pk}/attachments", None),
    ),
    "enterprise": (
        (lambda obj: f"/api/v1/enterprises/{obj.pk}/patents", None),
        (lambda obj: f"/api/v1/enterprises/{obj.pk}/trademarks", None),
    ),
    "import_job": ((lambda obj: f"/api/v1/ipdata/imports/{obj.pk}/errors", None),),
    "industry_private": ((lambda obj: f"/api/v1/ipdata/industries/{obj.pk}/landscape", None),),
    "industry_shared": ((lambda obj: f"/api/v1/ipdata/industries/{obj.pk}/landscape", None),),
    "custody": (
        (lambda obj: f"/api/v1/custody/{obj.pk}/calendar", None),
        (lambda obj: f"/api/v1/custody/{obj.pk}/actions", None),
    ),
    "insurance_policy": ((lambda obj: f"/api/v1/finance/policies/{obj.pk}/claims", None),),
    "provider_application": ((lambda obj: f"/api/v1/providers/applications/{obj.pk}/events", None),),
    "training_event_draft": ((lambda obj: f"/api/v1/training/events/{obj.pk}/registrations", CHANGERS),),
    "survey_draft": ((lambda obj: f"/api/v1/surveys/{obj.pk}/results", CHANGERS),),
}
PAGE_MORE = {
    "service_item_draft": (
        (lambda obj: f"/services/{obj.code}/print/", NOBODY),  # prints the published guide: none yet
        (lambda obj: f"/services/{obj.code}/edit/", CHANGERS),
    ),
    "agency_planned": (
        (lambda obj: f"/network/{obj.pk}/history/", CHANGERS),
        (lambda obj: f"/network/{obj.pk}/edit/", CHANGERS),
    ),
    "policy_draft": ((lambda obj: f"/knowledge/manage/policies/{obj.pk}/", CHANGERS),),
    "qa_draft": ((lambda obj: f"/knowledge/manage/qa/{obj.pk}/", CHANGERS),),
    "fair": ((lambda obj: f"/fairs/{obj.pk}/edit/", CHANGERS),),
    "routing_rule": ((lambda obj: f"/cases/rules/{obj.pk}/edit/", CHANGERS),),
    "import_job": (
        (lambda obj: f"/ipdata/imports/{obj.pk}/progress/", None),
        (lambda obj: f"/ipdata/imports/{obj.pk}/errors.csv", None),
    ),
    "industry_private": (
        (lambda obj: f"/ipdata/industries/{obj.pk}/edit/", CHANGERS),
        (lambda obj: f"/ipdata/industries/{obj.pk}/export.xlsx", None),
    ),
    "industry_shared": ((lambda obj: f"/ipdata/industries/{obj.pk}/edit/", CHANGERS),),
    "navigation_report": ((lambda obj: f"/ipdata/reports/{obj.pk}/progress/", None),),
    "custody": (
        (lambda obj: f"/custody/{obj.pk}/calendar/", None),
        (lambda obj: f"/custody/{obj.pk}/report/2026.xlsx", None),
    ),
    "diagnosis": ((lambda obj: f"/diagnosis/{obj.pk}/print/", None),),
    "training_event_draft": (
        (lambda obj: f"/training/{obj.pk}/edit/", CHANGERS),
        (lambda obj: f"/training/{obj.pk}/code/", CHANGERS),
    ),
    "survey_draft": (
        (lambda obj: f"/surveys/{obj.pk}/setup/", CHANGERS),
        (lambda obj: f"/surveys/{obj.pk}/results/", CHANGERS),
    ),
    "scorecard": ((lambda obj: f"/evaluation/scorecards/{obj.pk}/edit/", CHANGERS),),
    "scorecard_run_draft": ((lambda obj: f"/evaluation/runs/{obj.pk}/report.xlsx", None),),
}

# Models with no user-facing read of their own: each with why.
INTERNAL = {
    "core.WorkdayOverride": "calendar data edited by superusers in the Django admin",
    "core.WindowCount": "rate-limit counters",
    "core.Submission": "once-only submission keys",
    "accounts.User": "people are managed in the Django admin; each user sees only their own profile",
    "regions.RegionBoundary": "map geometry of a public region, read with it",
    "catalog.GuideVersion": "versions of a service item, read through the item's restrict rule",
    "catalog.ServiceItemEvent": "history rows of a service item, read through the item",
    "agencies.AgencyFunction": "functions of an agency, read with the agency",
    "agencies.AgencyEvent": "history rows of an agency, read through the agency",
    "knowledge.SearchEntry": "search index rows over public records",
    "cases.CaseCounter": "case number counters",
    "cases.CaseEvent": "timeline rows of a case, read through the case",
    "cases.Rating": "a case's satisfaction rating, read through the case",
    "cases.CaseAttachment": "files of a case, read through the case",
    "notices.Delivery": "delivery attempts of a notice (worker)",
    "notices.SmsMessage": "outgoing SMS log (worker)",
    "ipdata.ImportJobEvent": "history rows of an import job, read through the job",
    "ipdata.ImportRowError": "rejected rows of an import job, read through the job",
    "ipdata.PatentSearchDoc": "search index rows over public patents",
    "ipdata.IndustryEvent": "history rows of an industry definition, read through it",
    "ipdata.SavedSearchEvent": "history rows of a saved search",
    "watch.WatchItem": "items of a watch list, read through the list",
    "watch.ScanMark": "scan cursors of the worker",
    "custody.CustodyAction": "actions of a custody, read through the custody",
    "custody.CustodyReminder": "reminders sent for a custody (worker)",
    "custody.CustodyEvent": "history rows of a custody, read through the custody",
    "screening.ScreeningLog": "anonymous log rows of screening requests",
    "diagnosis.DiagnosisEvent": "history rows of a diagnosis, read through it",
    "finance.PledgeApplicationEvent": "history rows of an application, read through it",
    "finance.PledgeEvent": "history rows of a pledge, read through it",
    "finance.ClaimEvent": "history rows of a claim, read through it",
    "providers.ProviderEvidence": "files of a provider application, read through the application",
    "providers.ProviderApplicationEvent": "history rows of a provider application, read through it",
    "training.Feedback": "anonymous feedback, shown only as aggregates to event managers",
    "training.TrainingLog": "history rows of training events",
    "surveys.Question": "questions of a survey, read through the survey",
    "surveys.Option": "options of a question, read through the survey",
    "surveys.Answer": "answers of a response, read through the response",
    "surveys.AnswerKey": "once-only keys of anonymous answers",
    "surveys.SurveyLog": "history rows of a survey",
    "practices.PracticeFile": "files of a practice, read through the practice",
    "practices.PracticeLog": "history rows of a practice",
    "evaluation.DailyCount": "aggregate counters behind the dashboards",
    "evaluation.CountCursor": "cursors of the counting worker",
    "evaluation.RectificationResponse": "responses to a notice, read through the notice",
    "evaluation.RectificationFile": "files of a notice, read through the notice",
    "evaluation.RectificationEvent": "history rows of a notice, read through it",
    "evaluation.ScorecardItem": "rows of a scorecard, read through the scorecard",
    "evaluation.ManualValueEvidence": "files of a manual value, read through the value",
    "evaluation.ManualValueEvent": "history rows of a manual value, read through it",
    "evaluation.RunEvent": "history rows of a scorecard run, read through it",
    "evaluation.NetworkSnapshot": "aggregate daily snapshot of the network for dashboards",
}


def _resolve():
    unknown = (set(PAGE_LISTS) | set(MORE) | set(PAGE_MORE)) - {raw.name for raw in _RAW_SPECS}
    assert not unknown, f"PAGE_LISTS names no spec: {unknown}"
    specs = []
    for raw in _RAW_SPECS:
        kw = dict(raw.kw)
        if raw.name in PAGE_LISTS:
            kw["marker"], kw["page_lists"] = PAGE_LISTS[raw.name]
        kw["api_more"] = MORE.get(raw.name, ())
        kw["page_more"] = PAGE_MORE.get(raw.name, ())
        specs.append(
            Spec(
                name=raw.name,
                model=_get_model(raw.label),
                make=raw.make,
                view=raw.view,
                change=raw.change,
                **kw,
            )
        )
    return specs


class _Specs:
    """SPECS, resolved on first use (the models exist only after django.setup())."""

    _items = None

    def __iter__(self):
        if _Specs._items is None:
            _Specs._items = _resolve()
        return iter(_Specs._items)


SPECS = _Specs()
