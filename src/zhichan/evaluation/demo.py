"""Demo history: a year of handled requests over the demo agencies, so trends and scorecards have
data, the daily counts built from them, and a snapshot of the network at the end of each past
month (the demo network as it is, standing for those months). Idempotent: the history is made once."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhichan.agencies.models import Agency, AgencyType
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.cases.models import Case, CaseEvent, CaseType, Channel, Rating, RatingLevel, Status
from zhichan.core.workdays import add_working_days, working_days_between
from zhichan.evaluation.counts import rebuild_counts
from zhichan.evaluation.snapshots import month_ends, record_missing

KEY = "demo-history-{n}"
MONTHS = 12
PER_MONTH = 14
SUBJECTS = {
    CaseType.CONSULTATION: "商标注册流程咨询",
    CaseType.COMPLAINT: "服务态度投诉",
    CaseType.REPORT: "非正常专利申请举报",
    CaseType.ASSISTANCE: "展会侵权维权援助",
    CaseType.MEDIATION: "商标许可纠纷调解",
    CaseType.SERVICE_APPLICATION: "专利导航服务申请",
}
HANDLERS = [t for t in AgencyType.values if t != AgencyType.FINANCIAL]


def _event(case, kind, at, *, agency, frm="", to="", **data):
    if at > timezone.now():
        return  # not happened yet (a step is never dated in the future)
    row = CaseEvent.objects.create(
        case=case, agency=agency, kind=kind, from_state=frm, to_state=to, data=data, public=True
    )
    CaseEvent.objects.filter(pk=row.pk).update(at=at)


def _one(rng, n, agency, received, now):
    from zhichan.cases.services import new_tracking_code, next_number

    case_type = rng.choices(list(SUBJECTS), [45, 12, 6, 12, 8, 17])[0]
    channel = rng.choices([Channel.WEB, Channel.HOTLINE, Channel.WINDOW], [55, 30, 15])[0]
    deadline = add_working_days(received, 10)
    case = Case(
        number=next_number(received),
        tracking_token=secrets.token_urlsafe(24),
        tracking_code=new_tracking_code(),
        type=case_type,
        channel=channel,
        subject=f"{SUBJECTS[case_type]}（示例）",
        description="演示用的历史办件。",
        requester_name="示例群众",
        owner=agency,
        region=agency.region,
        deadline=deadline,
        received_at=received,
        created_at=received,
        idempotency_key=KEY.format(n=n),
    )
    first = channel == Channel.HOTLINE and rng.random() < 0.5
    took = 0 if first else (rng.randint(1, 8) if rng.random() < 0.85 else rng.randint(11, 20))
    finished = received if first else add_working_days(received, took) + dt.timedelta(hours=rng.randint(0, 3))
    if finished > now:  # still being handled
        case.status = Status.ACCEPTED
        case.accepted_at = received + dt.timedelta(hours=2)
        case.save()
        _event(case, "created", received, agency=agency, to=Status.NEW, channel=channel)
        _event(case, "accepted", case.accepted_at, agency=agency, frm=Status.NEW, to=Status.ACCEPTED)
        return case
    closed = finished if first else finished + dt.timedelta(days=rng.randint(1, 3))
    reopened = not first and closed < now - dt.timedelta(days=10) and rng.random() < 0.05
    case.status = Status.ACCEPTED if reopened else Status.CLOSED
    case.first_contact = first
    case.accepted_at = received if first else received + dt.timedelta(hours=2)
    case.replied_at = finished
    case.closed_at = None if reopened else closed
    case.reopen_count = 1 if reopened else 0
    if reopened:
        case.deadline = add_working_days(closed + dt.timedelta(days=2), 10)
    case.save()
    finish = {"on_time": finished <= deadline, "days": working_days_between(received, finished)}
    _event(case, "created", received, agency=agency, to=Status.NEW, channel=channel)
    if not first:
        _event(case, "accepted", case.accepted_at, agency=agency, frm=Status.NEW, to=Status.ACCEPTED)
        if not finish["on_time"]:
            _event(case, "supervised", deadline + dt.timedelta(hours=1), agency=agency, level="county")
    _event(case, "reply", finished, agency=agency, frm=Status.ACCEPTED, to=Status.REPLIED, finish=finish)
    extra = {"first_contact": True} if first else {}
    _event(case, "closed", closed, agency=agency, frm=Status.REPLIED, to=Status.CLOSED, **extra)
    if reopened:
        _event(
            case,
            "reopened",
            closed + dt.timedelta(days=2),
            agency=agency,
            frm=Status.CLOSED,
            to=Status.ACCEPTED,
        )
    elif rng.random() < 0.4 and closed + dt.timedelta(hours=5) < now:
        level = rng.choices(RatingLevel.values, [70, 20, 10])[0]
        rating = Rating.objects.create(case=case, level=level, agency=agency)
        Rating.objects.filter(pk=rating.pk).update(at=closed + dt.timedelta(hours=5))
    return case


def create_demo_history(log=None) -> int:
    """A year of past requests over the operating agencies (once), then the counts rebuilt."""
    made = 0
    if not Case.objects.filter(idempotency_key=KEY.format(n=0)).exists():
        agencies = list(
            Agency.objects.filter(status=AgencyStatus.OPERATING, type__in=HANDLERS).order_by("pk")
        )
        if agencies:
            rng = random.Random(20260101)  # nosec B311  # seeded for repeatable demo data, not a secret
            now = timezone.now()
            with transaction.atomic():
                n = 0
                for back in range(MONTHS, 0, -1):
                    month_start = now - dt.timedelta(days=30 * back)
                    for _ in range(PER_MONTH):
                        received = month_start + dt.timedelta(days=rng.uniform(0, 30))
                        received = received.replace(hour=rng.randint(9, 16))
                        if received >= now - dt.timedelta(hours=1):
                            continue
                        _one(rng, n, rng.choice(agencies), received, now)
                        n += 1
                made = n
    # Everything the demo wrote is committed: count it all now, without waiting for the lag.
    rebuild_counts(now=timezone.now() + dt.timedelta(seconds=settings.ZHICHAN_COUNTS_LAG_SECONDS + 1))
    # The past quarters' network figures: the months of the history end with a snapshot (only
    # those not recorded yet; the current month reads the live tables).
    today = timezone.localdate()
    recorded = record_missing(month_ends(today - dt.timedelta(days=30 * MONTHS), today))
    if log is not None:
        ends = len(recorded)
        log(f"evaluation: {made} past requests created, counts built, network recorded at {ends} month ends")
    return made
