"""Demo indicators and scorecards, made by the demo city administrator through the services.

Computed indicators are made only for the metrics this server has (get_metric), and a
scorecard only when every metric it needs is there and can serve its level, so the demo
works whichever metrics are installed. Each scorecard is run for the last quarter (from the
demo history's counts); the county one is published with findings. Running twice changes
nothing.
"""

from __future__ import annotations

from django.utils import timezone

from zhichan.accounts.models import User
from zhichan.evaluation.metrics import ScopeKind, get_metric
from zhichan.evaluation.models.scorecards import Indicator, Scorecard, ScorecardRun
from zhichan.evaluation.periods import Period
from zhichan.evaluation.scorecards import services

# code, name, dimension, unit, direction, metric (None: entered by hand), description
INDICATORS = [
    ("on_time_rate", "按时办结率", "quality", "percent", "higher", "on_time_rate",
     "期内办结的服务请求中在承诺时限内办结的比例。"),
    ("satisfaction_rate", "群众满意率", "satisfaction", "percent", "higher", "satisfaction_rate",
     "期内评价中“满意”与“基本满意”所占比例。"),
    ("cases_received", "受理服务请求数", "utilisation", "count", "higher", "cases_received",
     "期内受理的服务请求数量。"),
    ("first_contact_rate", "一线通首次解答率", "quality", "percent", "higher", "first_contact_rate",
     "热线咨询在首次接触时即解答的比例。"),
    ("avg_handling_days", "平均办理时长", "quality", "days", "lower", "avg_handling_days",
     "期内办结请求的平均办理工作日数。"),
    ("coverage_rate", "服务网点覆盖率", "construction", "percent", "higher", "coverage_rate",
     "县区及重点园区中有运行网点的比例。"),
    ("training_hours", "人员培训学时", "resource_supply", "hours", "higher", "training_hours",
     "网点工作人员期内参加培训获得的学时。"),
    ("service_innovation", "创新服务举措", "quality", "score", "higher", None,
     "由县区按评分细则自评打分（0–100），附佐证材料，经市局审核。"),
]  # fmt: skip

SCORECARDS = [
    (
        "县区知识产权公共服务季度评价（示例）",
        ScopeKind.COUNTY,
        [("on_time_rate", "25"), ("satisfaction_rate", "25"), ("cases_received", "20"),
         ("avg_handling_days", "15"), ("coverage_rate", "15")],
    ),
    (
        "园区知识产权服务季度评价（示例）",
        ScopeKind.PARK,
        [("on_time_rate", "30"), ("satisfaction_rate", "25"), ("cases_received", "20"),
         ("coverage_rate", "25")],
    ),
    (
        "服务网点季度考核（示例）",
        ScopeKind.AGENCY,
        [("on_time_rate", "30"), ("satisfaction_rate", "25"), ("cases_received", "15"),
         ("training_hours", "10"), ("first_contact_rate", "10"), ("service_innovation", "10")],
    ),
]  # fmt: skip


def _serves(indicator: Indicator | None, level: str) -> bool:
    if indicator is None:
        return False
    if indicator.source == "manual":
        return True
    metric = indicator.metric
    return metric is not None and level in metric.scope_kinds


def create_demo_scorecards(log=print) -> list[Scorecard]:
    admin = User.objects.filter(username="demo-city-admin").first()
    if admin is None:
        return []
    made_indicators = 0
    for code, name, dimension, unit, direction, metric, description in INDICATORS:
        if Indicator.objects.filter(code=code).exists() or (metric and get_metric(metric) is None):
            continue
        services.do_create_indicator(
            admin, code=code, name=name, dimension=dimension, unit=unit, direction=direction,
            source="computed" if metric else "manual", metric_code=metric or "", description=description,
        )  # fmt: skip
        made_indicators += 1
    made = []
    for name, level, items in SCORECARDS:
        if Scorecard.objects.filter(name=name).exists():
            continue
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=[code for code, _w in items])}
        if not all(_serves(indicators.get(code), level) for code, _w in items):
            continue
        made.append(
            services.do_create_scorecard(
                admin,
                name=name,
                level=level,
                period_kind="quarter",
                items=[{"indicator": indicators[code], "weight": weight} for code, weight in items],
            )  # fmt: skip
        )
    if made_indicators or made:
        log(f"evaluation: {made_indicators} indicators, {len(made)} scorecards")
    _run_last_quarter(admin, log)
    return made


FINDINGS = (
    "本季度各县区按时办结率总体稳定，群众满意率保持较高水平。"
    "受理量偏低的县区应加强服务宣传，并推动园区工作站开展上门服务。"
)


def _run_last_quarter(admin, log) -> None:
    """Run each demo scorecard for the last quarter once; publish the county one."""
    quarter = Period.containing(timezone.localdate(), "quarter").previous()
    ran = 0
    for name, level, _items in SCORECARDS:
        scorecard = Scorecard.objects.filter(name=name).first()
        if scorecard is None:
            continue
        if ScorecardRun.objects.filter(scorecard=scorecard, period=quarter.code).exists():
            continue
        run = services.do_run(admin, scorecard, quarter.code)
        ran += 1
        if level == ScopeKind.COUNTY:
            run = services.do_set_findings(admin, run, FINDINGS)
            services.do_publish_run(admin, run)
    if ran:
        log(f"evaluation: {ran} scorecards run for {quarter.code}")
