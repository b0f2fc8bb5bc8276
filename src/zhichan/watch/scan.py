"""The alert scan: compare what watch lists watch with the records imported or changed since the
last scan, and raise each alert once.

    run_scan(now=None) -> {"status_change": n, "competitor_filing": n, ...}

The worker runs it after every import and periodically. It looks back from the previous scan's
time with an overlap (records committed by a slow transaction are not missed); an alert is
unique per watched item and key, so looking at a record twice raises nothing twice, and two
scans at once are serialised on the scan mark's row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.enterprises.names import normalize_name
from zhichan.ipdata.models import Patent, Trademark, TrademarkStatus
from zhichan.watch.models import Alert, AlertKind, ItemKind, ScanMark, WatchItem

log = logging.getLogger(__name__)
MARK_NAME = "records"


def _since(now) -> tuple[ScanMark, dt.datetime]:
    mark = ScanMark.objects.select_for_update().filter(name=MARK_NAME).first()
    if mark is None:
        # The first scan looks back one overlap only: lists made today are not flooded with
        # every record ever imported.
        mark = ScanMark.objects.create(name=MARK_NAME, at=now)
    return mark, mark.at - dt.timedelta(minutes=settings.ZHICHAN_WATCH_SCAN_OVERLAP_MINUTES)


def run_scan(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    with transaction.atomic():
        mark, since = _since(now)
        alerts: list[Alert] = []
        alerts += status_changes()
        alerts += competitor_filings(since, now)
        alerts += field_filings(since, now)
        alerts += similar_marks(since, now)
        before = Alert.objects.count()
        Alert.objects.bulk_create(alerts, ignore_conflicts=True)
        raised = Alert.objects.count() - before
        mark.at = now
        mark.save(update_fields=["at"])
    counts = Counter(alert.kind for alert in alerts)
    log.info("watch scan: %d alerts raised (%d looked at) since %s", raised, len(alerts), since)
    return {"raised": raised, **{kind: counts[kind] for kind in AlertKind.values}}


def _items(kind):
    return WatchItem.objects.filter(kind=kind).select_related("watch_list__enterprise")


def _alert(item, kind, key, summary, **fields) -> Alert:
    return Alert(
        watch_list_id=item.watch_list_id, item=item, kind=kind, key=key[:120], summary=summary[:300], **fields
    )


def status_changes() -> list[Alert]:
    """A watched patent whose legal status differs from the one last seen."""
    out = []
    for item in _items(ItemKind.PATENT).select_related("patent").filter(patent__isnull=False):
        patent = item.patent
        if patent.legal_status == item.last_status:
            continue
        out.append(
            _alert(
                item,
                AlertKind.STATUS_CHANGE,
                f"status:{item.last_status}>{patent.legal_status}:{patent.updated_at:%Y%m%d%H%M%S}",
                _("%(title)s (%(number)s): legal status changed to %(status)s")
                % {
                    "title": patent.title[:120],
                    "number": patent.application_number,
                    "status": patent.get_legal_status_display(),
                },
                patent=patent,
                detail={
                    "from": item.last_status,
                    "to": patent.legal_status,
                    "as_published": patent.legal_status_text,
                },
            )
        )
        WatchItem.objects.filter(pk=item.pk).update(last_status=patent.legal_status)
    return out


def _names_match(wanted: str, names) -> bool:
    return any(normalize_name(name) == wanted for name in names or [])


def _by_watched_applicant(records, watched: dict[str, list]):
    """(item, record) for each watched competitor among a record's applicants."""
    for record in records.iterator(chunk_size=2000):
        for name in {normalize_name(n) for n in record.applicants or []} & watched.keys():
            for item in watched[name]:
                yield item, record


def competitor_filings(since, now) -> list[Alert]:
    """New patents and trademarks whose applicants include a watched competitor (by normalised
    name). One pass over the new records, however many competitors are watched."""
    watched: dict[str, list] = {}
    for item in _items(ItemKind.APPLICANT):
        name = normalize_name(item.text)
        if name:
            watched.setdefault(name, []).append(item)
    if not watched:
        return []
    new = {"created_at__gt": since, "created_at__lte": now}
    patents = Patent.objects.filter(**new).only("pk", "title", "application_number", "applicants")
    marks = Trademark.objects.filter(**new).only(
        "pk", "name", "nice_class", "registration_number", "applicants"
    )
    out = [
        _alert(
            item,
            AlertKind.COMPETITOR_FILING,
            f"patent:{patent.pk}",
            _("%(who)s filed %(title)s (%(number)s)")
            % {"who": item.text, "title": patent.title[:150], "number": patent.application_number},
            patent=patent,
        )
        for item, patent in _by_watched_applicant(patents, watched)
    ]
    out += [
        _alert(
            item,
            AlertKind.COMPETITOR_FILING,
            f"trademark:{mark.pk}",
            _("%(who)s applied for the mark %(mark)s in class %(nice)d (No. %(number)s)")
            % {
                "who": item.text,
                "mark": mark.name,
                "nice": mark.nice_class,
                "number": mark.registration_number,
            },
            trademark=mark,
        )
        for item, mark in _by_watched_applicant(marks, watched)
    ]
    return out


def field_query(item):
    """The patents of a watched field: any of its IPC codes, and any of its keywords."""
    from zhichan.ipdata.statistics import Clauses, Term, to_q

    clauses = Clauses()
    if item.ipc_prefixes:
        clauses.clauses.append([Term("IPC", p) for p in item.ipc_prefixes])
    if item.keywords:
        clauses.clauses.append([Term("TX", k) for k in item.keywords])
    return to_q(clauses)


def field_filings(since, now) -> list[Alert]:
    out = []
    for item in _items(ItemKind.FIELD):
        if not item.ipc_prefixes and not item.keywords:
            continue
        own = item.watch_list.enterprise.normalized_name
        new = Patent.objects.filter(field_query(item), created_at__gt=since, created_at__lte=now)
        for patent in new.only("pk", "title", "application_number", "applicants")[
            : settings.ZHICHAN_WATCH_MAX_ALERTS
        ]:
            if own and _names_match(own, patent.applicants):
                continue  # the enterprise's own filing
            out.append(
                _alert(
                    item,
                    AlertKind.FIELD_FILING,
                    f"patent:{patent.pk}",
                    _("New filing in %(field)s: %(title)s (%(number)s)")
                    % {"field": item.text, "title": patent.title[:150], "number": patent.application_number},
                    patent=patent,
                )
            )
    return out


def opposition_last_day(mark) -> dt.date | None:
    from zhichan.watch.deadlines import TM_OPPOSITION, trademark_deadlines

    for deadline in trademark_deadlines(mark):
        if deadline.kind == TM_OPPOSITION:
            return deadline.due
    return None


def similar_marks(since, now) -> list[Alert]:
    """Marks preliminarily published since the last scan, still open to opposition, that the
    screening finds similar (medium or high risk) to a watched mark."""
    items = list(_items(ItemKind.MARK))
    if not items:
        return []
    today = timezone.localdate()
    fresh = {
        mark.pk: mark
        for mark in Trademark.objects.filter(
            updated_at__gt=since,
            updated_at__lte=now,
            status=TrademarkStatus.PUBLISHED,
            publication_date__isnull=False,
            publication_date__gte=today - dt.timedelta(days=31 * settings.ZHICHAN_TM_OPPOSITION_MONTHS + 10),
        )
    }
    if not fresh:
        return []
    from zhichan.screening import services as screening

    index = screening.get_index()
    out = []
    for item in items:
        query = screening.parse_query(item.text, classes=item.nice_classes)
        own = item.watch_list.enterprise.normalized_name
        for weighted, score, row, match, relation in screening.rank(
            query, screening.candidate_rows(query, index), index
        ):
            mark = fresh.get(index.id_of(row))
            risk = screening.risk_of(weighted)
            if mark is None or risk == "low":
                continue
            if own and _names_match(own, mark.applicants):
                continue
            last_day = opposition_last_day(mark)
            if last_day is None or last_day < today:
                continue
            out.append(
                _alert(
                    item,
                    AlertKind.SIMILAR_MARK,
                    f"trademark:{mark.pk}",
                    _(
                        "%(mark)s (No. %(number)s, class %(nice)d) resembles your mark %(own)s; "
                        "oppose by %(day)s"
                    )
                    % {
                        "mark": mark.name,
                        "number": mark.registration_number,
                        "nice": mark.nice_class,
                        "own": item.text,
                        "day": last_day.isoformat(),
                    },
                    trademark=mark,
                    due=last_day,
                    detail={
                        "score": score,
                        "risk": risk,
                        "relation": relation,
                        "reasons": [code for code, _detail in match.reasons],
                        "last_day_to_oppose": last_day.isoformat(),
                    },
                )
            )
    return out
