"""The evaluation's tables, one module per part (imported here so Django finds them)."""

from zhichan.evaluation.models.counts import CountCursor, DailyCount  # noqa: F401
from zhichan.evaluation.models.rectification import (  # noqa: F401
    NoticeStatus,
    RectificationEvent,
    RectificationFile,
    RectificationNotice,
    RectificationResponse,
)
from zhichan.evaluation.models.scorecards import (  # noqa: F401
    Indicator,
    IndicatorSource,
    ManualStatus,
    ManualValue,
    ManualValueEvent,
    ManualValueEvidence,
    RunEvent,
    RunStatus,
    Scorecard,
    ScorecardItem,
    ScorecardResult,
    ScorecardRun,
    ScoringRule,
)
from zhichan.evaluation.models.snapshots import NetworkSnapshot  # noqa: F401
