"""The evaluation's tables, one module per part (imported here so Django finds them)."""

from zhichan.evaluation.models.counts import CountCursor, DailyCount  # noqa: F401
