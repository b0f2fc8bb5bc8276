"""What the patent and trademark records say about an enterprise: pre-filled answers and the
system checks (no mark in the main class, lapsed patents, marks due for renewal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.ipdata.models import LegalStatus, Patent, Trademark, TrademarkStatus

LIVE_MARKS = (TrademarkStatus.REGISTERED, TrademarkStatus.PUBLISHED, TrademarkStatus.PENDING)
LISTED = 5  # records named in a finding's detail; the rest are counted


@dataclass
class Facts:
    patents: int = 0
    registered_marks: int = 0
    live_classes: set[int] = field(default_factory=set)
    lapsed: list[Patent] = field(default_factory=list)
    lapsed_count: int = 0
    expiring: list[Trademark] = field(default_factory=list)
    expiring_count: int = 0


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def gather(enterprise, today: dt.date | None = None) -> Facts:
    today = today or timezone.localdate()
    patents = Patent.objects.filter(enterprises=enterprise)
    marks = Trademark.objects.filter(enterprises=enterprise)
    # Renewal is filed in the 12 months before expiry, or in the 6-month grace period after it.
    window_start = _add_months(today, -settings.ZHICHAN_DIAGNOSIS_RENEWAL_GRACE_MONTHS)
    window_end = _add_months(today, settings.ZHICHAN_DIAGNOSIS_RENEWAL_MONTHS)
    expiring = marks.filter(
        status__in=(TrademarkStatus.REGISTERED, TrademarkStatus.INVALID),
        expiry_date__gte=window_start,
        expiry_date__lte=window_end,
    ).order_by("expiry_date", "registration_number")
    lapsed = patents.filter(legal_status=LegalStatus.INVALID, grant_date__isnull=False).order_by(
        "application_number"
    )
    return Facts(
        patents=patents.count(),
        registered_marks=marks.filter(status=TrademarkStatus.REGISTERED).count(),
        live_classes=set(marks.filter(status__in=LIVE_MARKS).values_list("nice_class", flat=True)),
        lapsed=list(lapsed[:LISTED]),
        lapsed_count=lapsed.count(),
        expiring=list(expiring[:LISTED]),
        expiring_count=expiring.count(),
    )


def prefill(definition: dict, facts: Facts) -> dict:
    """Answers the records give: e.g. "registered trademark: yes" when one is on file."""
    found = {"registered_trademark": facts.registered_marks > 0, "patent": facts.patents > 0}
    answers = {}
    for section in definition["sections"]:
        for q in section["questions"]:
            rule = q.get("prefill")
            if not rule:
                continue
            value = rule["when_found"] if found[rule["source"]] else rule["when_none"]
            if value:
                answers[q["key"]] = value
    return answers


def _more(count: int, shown: int) -> str:
    return _(" and %(n)d more") % {"n": count - shown} if count > shown else ""


def checks(definition: dict, facts: Facts, answers: dict) -> list[dict]:
    """The system checks the questionnaire names: {check, key, fired, detail} each."""
    out = []
    for check, key in definition.get("system", {}).items():
        fired, detail = False, ""
        if check == "no_mark_in_main_class":
            main = answers.get(definition.get("main_class_question") or "")
            if main is None:
                continue  # no class given: nothing to check against
            fired = int(main) not in facts.live_classes
            if fired:
                detail = _(
                    "The records show no registered or pending trademark of the enterprise in class %(c)d."
                ) % {"c": int(main)}
        elif check == "lapsed_patents":
            fired = facts.lapsed_count > 0
            if fired:
                detail = _("Lapsed or invalid granted patents on record: %(list)s%(more)s.") % {
                    "list": "、".join(p.application_number for p in facts.lapsed),
                    "more": _more(facts.lapsed_count, len(facts.lapsed)),
                }
        elif check == "marks_expiring":
            fired = facts.expiring_count > 0
            if fired:
                detail = _("Trademarks due for renewal: %(list)s%(more)s.") % {
                    "list": "、".join(
                        f"{m.name}（{m.registration_number}，{m.expiry_date:%Y-%m-%d}）"
                        for m in facts.expiring
                    ),
                    "more": _more(facts.expiring_count, len(facts.expiring)),
                }
        out.append({"check": check, "key": key, "fired": fired, "detail": detail})
    return out
