"""Trademark screening over HTTP: POST a proposed mark and its goods, get the similar marks."""

from ninja import Field, Router, Schema

from zhichan.core.api import FieldErrors, Message, anyone
from zhichan.screening.features import MAX_LENGTH
from zhichan.screening.models import ScreeningChannel
from zhichan.screening.services import MAX_GOODS, log_screening, parse_query, screen_query

router = Router(tags=["trademark screening"])


class ScreeningIn(Schema):
    mark: str = Field(..., max_length=MAX_LENGTH * 2, description="the proposed word mark")
    classes: list[int] = Field(default_factory=list, max_length=45, description="Nice classes, 1 to 45")
    groups: list[str] = Field(
        default_factory=list, max_length=100, description="similar-group codes, e.g. 3002"
    )
    goods: list[str] = Field(
        default_factory=list,
        max_length=MAX_GOODS,
        description="goods or service names of the similar-group table",
    )
    limit: int = Field(20, ge=1, le=100)


class ReasonOut(Schema):
    code: str
    label: str
    detail: str


class ScreeningHitOut(Schema):
    registration_number: str
    name: str
    nice_class: int
    similar_groups: list[str]
    status: str
    applicants: list[str]
    score: float = Field(description="similarity of the marks, 0 to 1")
    weighted: float = Field(description="score times the goods relation factor; ranks the hits")
    relation: str = Field(description="same_group, same_class or class_asked")
    same_group: bool
    risk: str
    reasons: list[ReasonOut]


class ScreeningOut(Schema):
    mark: str
    classes: list[int]
    groups: list[str]
    risk: str
    risk_label: str
    explanation: str
    hits: list[ScreeningHitOut]


@router.post(
    "/",
    response={200: ScreeningOut, 403: Message, 422: FieldErrors},
    auth=anyone,
    summary="Screen a proposed word mark",
)
def screen_mark(request, payload: ScreeningIn):
    """Live marks identical or similar to the proposed one in the classes, groups or goods given,
    ranked, each with its reasons; the overall risk with a plain-language explanation. Bad input
    answers 422 naming the field (mark, classes, groups or goods)."""
    query = parse_query(
        payload.mark, classes=[str(n) for n in payload.classes], groups=payload.groups, goods=payload.goods
    )
    result = screen_query(query, limit=payload.limit)
    log_screening(request.user, query, ScreeningChannel.API)
    return {
        "mark": result.query.mark,
        "classes": result.query.classes,
        "groups": result.query.groups,
        "risk": result.risk,
        "risk_label": result.risk_label,
        "explanation": result.explanation,
        "hits": [
            {
                "registration_number": hit.trademark.registration_number,
                "name": hit.trademark.name,
                "nice_class": hit.trademark.nice_class,
                "similar_groups": hit.trademark.similar_groups or [],
                "status": hit.trademark.status,
                "applicants": hit.trademark.applicants or [],
                "score": hit.score,
                "weighted": hit.weighted,
                "relation": hit.relation,
                "same_group": hit.same_group,
                "risk": hit.risk,
                "reasons": hit.reason_list,
            }
            for hit in result.hits
        ],
    }
