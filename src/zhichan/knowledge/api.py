"""The knowledge base over HTTP: search, laws and articles, policies, Q&A items, the hotline log.

Same search, services and access rules as the pages; forbidden and missing both answer 404.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.knowledge import console as hotline
from zhichan.knowledge import search, services
from zhichan.knowledge.models import Article, HotlineQuestion, Law, LawStatus, Outcome, Policy, QAItem

try:
    from ninja import Status
except ImportError:  # django-ninja before Status: a (code, body) tuple does the same

    def Status(code, body):  # noqa: N802
        return code, body


router = Router(tags=["knowledge"])

Kind = Literal["article", "policy", "qa", "guide"]
# Ids within the databases' integer range, so a huge number is a 422 and not a database error.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class HitOut(Schema):
    kind: str
    id: int
    title: str
    snippet: str = Field(description="HTML: escaped text with the matched words in <mark>")
    score: float
    url: str
    in_force: bool = Field(description="false for an article of a repealed law or a repealed policy")


class SearchFilters(Schema):
    q: str = Field(..., min_length=1, max_length=2000, description="a question or words, in Chinese")
    kind: list[Kind] | None = Field(None, description="restrict to these kinds; all when omitted")
    limit: int = Field(10, ge=1, le=50)


class LawOut(Schema):
    id: int
    title: str
    short_name: str
    issuing_body: str
    document_number: str
    issued_on: date | None
    effective_on: date | None
    status: str
    article_count: int

    @staticmethod
    def resolve_article_count(obj):
        return obj.articles.count()


class ArticleOut(Schema):
    id: int
    law_id: int
    law: str
    number: str
    ordinal: int
    chapter: str
    text: str

    @staticmethod
    def resolve_law(obj):
        return obj.law.short_name


class PolicyOut(Schema):
    id: int
    title: str
    issuing_body: str
    document_number: str
    issued_on: date | None
    status: str
    text: str
    is_summary: bool
    region_code: str | None
    tags: list[str]
    published: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_tags(obj):
        return [t.name for t in obj.tags.all()]


class PolicyIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    issuing_body: str = Field(..., min_length=1, max_length=200)
    document_number: str = Field("", max_length=100)
    issued_on: date | None = None
    status: LawStatus = LawStatus.IN_FORCE
    text: str = Field(..., min_length=1)
    is_summary: bool = False
    region_id: Id | None = None
    tags: list[str] = []
    published: bool = True


class QAOut(Schema):
    id: int
    question: str
    answer: str
    service_item: str | None
    articles: list[int]
    region_code: str | None
    tags: list[str]
    published: bool

    @staticmethod
    def resolve_service_item(obj):
        return obj.service_item.code if obj.service_item_id else None

    @staticmethod
    def resolve_articles(obj):
        return sorted(a.pk for a in obj.articles.all())

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_tags(obj):
        return [t.name for t in obj.tags.all()]


class QAIn(Schema):
    question: str = Field(..., min_length=1, max_length=300)
    answer: str = Field(..., min_length=1)
    service_item_id: Id | None = None
    articles: list[Id] = Field([], description="ids of the cited articles")
    region_id: Id | None = None
    tags: list[str] = []
    published: bool = True


class HotlineOut(Schema):
    id: int
    text: str
    at: datetime
    agent: str | None
    outcome: str
    answered: bool
    article_id: int | None
    qa_item_id: int | None
    policy_id: int | None
    guide_id: int | None
    case_id: int | None

    @staticmethod
    def resolve_agent(obj):
        return obj.agent.username if obj.agent_id else None


class HotlineIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)
    outcome: Outcome
    ref_kind: Kind | None = Field(None, description="for answered_on_spot: what the answer was")
    ref_id: Id | None = None
    token: str | None = Field(None, max_length=40, description="repeat a token to record once")


@router.get("/search", response={200: list[HitOut], 422: FieldErrors}, summary="Search the knowledge base")
def search_view(request, filters: Query[SearchFilters]):
    return search.search(filters.q, kinds=filters.kind, limit=filters.limit)


@router.get("/laws", response={200: list[LawOut], 422: FieldErrors}, summary="Laws and regulations")
def list_laws(request):
    return list(Law.objects.restrict(request.user, VIEW))


@router.get("/laws/{law_id}", response={200: LawOut, 404: Message, 422: FieldErrors}, summary="One law")
def get_law(request, law_id: int):
    return get_restricted_or_404(Law.objects.all(), request.user, VIEW, pk=law_id)


@router.get(
    "/laws/{law_id}/articles",
    response={200: list[ArticleOut], 404: Message, 422: FieldErrors},
    summary="A law's articles in order",
)
@paginate(BoundedPagination)
def law_articles(request, law_id: int):
    law = get_restricted_or_404(Law.objects.all(), request.user, VIEW, pk=law_id)
    return Article.objects.filter(law=law).select_related("law").order_by("ordinal")


@router.get(
    "/articles/{article_id}",
    response={200: ArticleOut, 404: Message, 422: FieldErrors},
    summary="One article",
)
def get_article(request, article_id: int):
    return get_restricted_or_404(Article.objects.select_related("law"), request.user, VIEW, pk=article_id)


def _policies(user, action=VIEW):
    return Policy.objects.restrict(user, action).select_related("region").prefetch_related("tags")


def _qa(user, action=VIEW):
    return (
        QAItem.objects.restrict(user, action)
        .select_related("region", "service_item")
        .prefetch_related("tags", "articles")
    )


@router.get("/policies", response={200: list[PolicyOut], 422: FieldErrors}, summary="Policies")
@paginate(BoundedPagination)
def list_policies(request):
    return _policies(request.user).order_by("-issued_on", "pk")


@router.get(
    "/policies/{policy_id}", response={200: PolicyOut, 404: Message, 422: FieldErrors}, summary="One policy"
)
def get_policy(request, policy_id: int):
    return get_restricted_or_404(_policies(request.user), request.user, VIEW, pk=policy_id)


def _policy_data(payload: PolicyIn) -> dict:
    data = payload.dict()
    data["status"] = getattr(data["status"], "value", data["status"])
    data["region"] = data.pop("region_id")
    return data


@router.post(
    "/policies",
    response={201: PolicyOut, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Add a policy (administrators)",
)
def create_policy(request, payload: PolicyIn):
    policy = services.do_save_policy(request.user, None, _policy_data(payload))
    return Status(201, _policies(request.user).get(pk=policy.pk))


@router.put(
    "/policies/{policy_id}",
    response={200: PolicyOut, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Replace a policy (administrators)",
)
def update_policy(request, policy_id: int, payload: PolicyIn):
    policy = get_restricted_or_404(Policy.objects.all(), request.user, CHANGE, pk=policy_id)
    services.do_save_policy(request.user, policy, _policy_data(payload))
    return _policies(request.user).get(pk=policy.pk)


@router.get("/qa", response={200: list[QAOut], 422: FieldErrors}, summary="Q&A items")
@paginate(BoundedPagination)
def list_qa(request):
    return _qa(request.user).order_by("pk")


@router.get("/qa/{qa_id}", response={200: QAOut, 404: Message, 422: FieldErrors}, summary="One Q&A item")
def get_qa(request, qa_id: int):
    return get_restricted_or_404(_qa(request.user), request.user, VIEW, pk=qa_id)


def _qa_data(payload: QAIn) -> dict:
    data = payload.dict()
    data["service_item"] = data.pop("service_item_id")
    data["region"] = data.pop("region_id")
    return data


@router.post(
    "/qa",
    response={201: QAOut, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Add a Q&A item (administrators)",
)
def create_qa(request, payload: QAIn):
    qa = services.do_save_qa(request.user, None, _qa_data(payload))
    return Status(201, _qa(request.user).get(pk=qa.pk))


@router.put(
    "/qa/{qa_id}",
    response={200: QAOut, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Replace a Q&A item (administrators)",
)
def update_qa(request, qa_id: int, payload: QAIn):
    qa = get_restricted_or_404(QAItem.objects.all(), request.user, CHANGE, pk=qa_id)
    services.do_save_qa(request.user, qa, _qa_data(payload))
    return _qa(request.user).get(pk=qa.pk)


@router.delete(
    "/qa/{qa_id}",
    response={204: None, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Delete a Q&A item (administrators)",
)
def delete_qa(request, qa_id: int):
    qa = get_restricted_or_404(QAItem.objects.all(), request.user, CHANGE, pk=qa_id)
    services.do_delete_qa(request.user, qa)
    return Status(204, None)


class HotlineFilters(Schema):
    outcome: Outcome | None = None


@router.get(
    "/hotline",
    response={200: list[HotlineOut], 401: Message, 422: FieldErrors},
    auth=django_auth,
    summary="The hotline question log (staff)",
)
@paginate(BoundedPagination)
def hotline_log(request, filters: Query[HotlineFilters]):
    qs = HotlineQuestion.objects.restrict(request.user, VIEW).select_related("agent")
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome.value)
    return qs.order_by("-at", "-id")


@router.post(
    "/hotline",
    response={201: HotlineOut, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Record a hotline question and its outcome (staff)",
)
def hotline_record(request, payload: HotlineIn):
    outcome = payload.outcome.value
    if outcome == Outcome.ANSWERED_ON_SPOT:
        row = hotline.record_answer(
            request.user, payload.text, payload.ref_kind or "", payload.ref_id, token=payload.token
        )
    elif outcome == Outcome.CASE_OPENED:
        row = hotline.open_case(request.user, payload.text, token=payload.token)
    else:
        row = hotline.record_unanswered(request.user, payload.text, token=payload.token)
    return Status(201, row)
