"""What every API router shares: error bodies and bounded pagination."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.security import SessionAuth

MAX_PAGE = 200


class SessionOrAnonymous(SessionAuth):
    """Anyone may call; a logged-in session must still pass the CSRF check, since the operation
    acts as that user (a page elsewhere could otherwise post it in their name)."""

    def __call__(self, request):
        if request.user.is_authenticated:
            return super().__call__(request)
        return "anonymous"


anyone = SessionOrAnonymous()


class Message(Schema):
    detail: str


class FieldError(Schema):
    field: str = Field(
        description="the input field at fault, dotted for nested fields; empty for the whole request"
    )
    errors: list[str]


class FieldErrors(Schema):
    detail: list[FieldError]


class BoundedPagination(LimitOffsetPagination):
    """Limit and offset with upper bounds, so a huge number is a 422 and not a database error."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=2**31 - 1)

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE, **kwargs)


class AuditEntryOut(Schema):
    """One recorded administrative change; `changes` maps each field to [old, new]."""

    id: int
    at: datetime
    actor_id: int | None
    actor: str | None
    action: str = Field(description="create, update or delete")
    record_type: str = Field(description="app_label.model, e.g. fairs.fair")
    object_id: str
    object_repr: str
    changes: dict[str, list[Any]]

    @staticmethod
    def resolve_actor(obj):
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_record_type(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
