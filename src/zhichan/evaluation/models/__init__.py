"""The evaluation's tables, one module per part (imported here so Django finds them)."""

from zhichan.evaluation.models.rectification import (  # noqa: F401
    NoticeStatus,
    RectificationEvent,
    RectificationFile,
    RectificationNotice,
    RectificationResponse,
)
