"""Published good practice over HTTP: the list (filters: category, county) and one practice."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import VIEW, get_restricted_or_404
from zhichan.practices.models import Category, Practice

router = Router(tags=["practices"])


class PracticeOut(Schema):
    id: int
    title: str
    summary: str
    category: str = Field(
        description="rights_protection, information_service, operation_finance, training, "
        "network_building or other"
    )
    county_id: int
    county: str
    agency: str | None
    tags: list[str]
    published_at: datetime | None

    @staticmethod
    def resolve_county(obj):
        return obj.county.display_name

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name if obj.agency_id else None

    @staticmethod
    def resolve_tags(obj):
        return [str(t) for t in obj.tags or []]


class PracticeDetailOut(PracticeOut):
    paragraphs: list[str] = Field(description="the text, one plain-text paragraph each")
    files: list[dict] = Field(description="images and attachments: {name, content_type, url}")

    @staticmethod
    def resolve_paragraphs(obj):
        return obj.paragraphs()

    @staticmethod
    def resolve_files(obj):
        from django.urls import reverse

        return [
            {
                "name": f.original_name,
                "content_type": f.content_type,
                "url": reverse("practices:file", args=[f.pk]),
            }
            for f in obj.files.all()
        ]


def _published(request):
    return Practice.objects.select_related("county", "agency").restrict(request.user, VIEW).published()


@router.get("/", response={200: list[PracticeOut], 422: FieldErrors}, summary="Published good practice")
@paginate(BoundedPagination)
def list_practices(
    request,
    category: Category | None = None,
    county: int | None = Query(None, ge=1, le=2**31 - 1, description="the county's id"),
):
    qs = _published(request)
    if category:
        qs = qs.filter(category=category)
    if county:
        qs = qs.filter(county_id=county)
    return qs.order_by("-published_at", "-pk")


@router.get(
    "/{practice_id}",
    response={200: PracticeDetailOut, 404: Message, 422: FieldErrors},
    summary="One published practice",
)
def get_practice(request, practice_id: int):
    return get_restricted_or_404(_published(request), request.user, VIEW, pk=practice_id)
