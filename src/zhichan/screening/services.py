"""Trademark screening (近似商标查询): find the live marks a proposed word mark comes close to.

`screen` is the one code path of the page, the API and the export. It reads only public
trademark records and changes nothing. `rebuild_index` writes the candidate index from the
Trademark table; `update_index`, which ipdata calls after a trademark import, rewrites only the
part of the marks changed since. The index is a folder on each application server
(ZHICHAN_SCREENING_DIR): every server brings its own up to the database now and then
(`refresh_index`), so an import run by the worker on another machine reaches it too.
"""

import contextlib
import csv
import fcntl
import functools
import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichan.ipdata.models import Trademark, TrademarkStatus
from zhichan.screening.features import MAX_LENGTH, Features, features, normalize
from zhichan.screening.index import build, open_segments
from zhichan.screening.scoring import Match, compare
from zhichan.screening.weights import weights

logger = logging.getLogger(__name__)

GROUP_TABLE = Path(__file__).resolve().parent.parent / "ipdata" / "data"
MAX_GOODS = 20
LIVE = (
    TrademarkStatus.PENDING,
    TrademarkStatus.PUBLISHED,
    TrademarkStatus.REGISTERED,
    TrademarkStatus.UNKNOWN,
)

REASON_LABELS = {
    "identical": gettext_lazy("Identical"),
    "affix": gettext_lazy("Differs only by a non-distinctive part"),
    "pinyin_latin": gettext_lazy("Pinyin spells the Latin mark"),
    "reordered": gettext_lazy("Same characters in another order"),
    "char_changed": gettext_lazy("One character changed, added or removed"),
    "glyph": gettext_lazy("Similar-looking characters"),
    "pronunciation": gettext_lazy("Same pronunciation"),
    "similar_pronunciation": gettext_lazy("Similar pronunciation"),
    "pronunciation_changed": gettext_lazy("Sounds alike but for one syllable"),
    "meaning": gettext_lazy("Same meaning"),
    "contains": gettext_lazy("Contains the whole other mark"),
    "interleaved": gettext_lazy("The other mark's characters in order, with others put between"),
    "latin_one_letter": gettext_lazy("One letter changed, added or removed"),
    "latin_reordered": gettext_lazy("Same letters in another order"),
    "shared_part": gettext_lazy("Shares a distinctive part"),
}
RISK_LABELS = {"high": gettext_lazy("High"), "medium": gettext_lazy("Medium"), "low": gettext_lazy("Low")}
RELATION_LABELS = {
    "same_group": gettext_lazy("Same similar group"),
    "same_class": gettext_lazy("Same class, other group"),
    "class_asked": gettext_lazy("Same class"),
}


# --- the similar-group table -------------------------------------------------------------


def _read(name):
    with open(GROUP_TABLE / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@functools.cache
def group_table() -> dict[str, tuple[int, str]]:
    """Similar-group code -> (class, name), from the shipped 2018 similar-group table."""
    return {row["group_code"]: (int(row["class"]), row["group_name"]) for row in _read("tm_groups.csv")}


@functools.cache
def goods_table() -> dict[str, tuple[str, ...]]:
    """Goods or service name -> the similar groups listing it."""
    table: dict[str, set[str]] = {}
    for row in _read("tm_items.csv"):
        table.setdefault(row["item_name"].strip(), set()).add(row["group_code"])
    return {name: tuple(sorted(groups)) for name, groups in table.items()}


def goods_groups(name: str) -> tuple[str, ...]:
    """The groups of a goods name: an exact entry, else the entries containing it (or it contains)."""
    table = goods_table()
    if name in table:
        return table[name]
    found = set()
    for item, groups in table.items():
        if name in item or (len(item) >= 2 and item in name):
            found.update(groups)
    return tuple(sorted(found))


# --- input ---------------------------------------------------------------------------------

_SPLIT = re.compile(r"[\s,，;；、/]+")


def _items(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    out = []
    for item in value:
        out.extend(part for part in _SPLIT.split(str(item)) if part)
    return out


@dataclass
class Query:
    mark: str
    features: Features
    classes: list[int]  # every class searched
    groups: list[str]  # the similar groups asked for, directly or through goods
    whole_classes: set[int]  # classes asked for without a group
    goods: dict[str, tuple[str, ...]] = field(default_factory=dict)


def parse_query(mark, classes=None, groups=None, goods=None) -> Query:
    """Check the input; a ValidationError names each field that is wrong and why."""
    errors: dict[str, list[str]] = {}
    mark = (mark or "").strip()
    if not mark:
        errors["mark"] = [_("Enter the proposed mark.")]
    elif len(mark) > MAX_LENGTH:
        errors["mark"] = [_("The mark is too long: at most %(n)d characters.") % {"n": MAX_LENGTH}]
    elif not normalize(mark):
        errors["mark"] = [
            _("The mark has no Chinese characters, letters or digits; only word marks are screened.")
        ]
    class_numbers: list[int] = []
    for raw in _items(classes):
        raw = raw.removeprefix("第").removesuffix("类")
        if not raw.isdigit() or not 1 <= int(raw) <= 45:
            errors.setdefault("classes", []).append(
                _("Unknown Nice class %(value)s: classes are 1 to 45.") % {"value": raw[:20]}
            )
        elif int(raw) not in class_numbers:
            class_numbers.append(int(raw))
    table = group_table()
    group_codes: list[str] = []
    for raw in _items(groups):
        if raw not in table:
            errors.setdefault("groups", []).append(
                _("Unknown similar group %(value)s (4 digits from the similar-group table, e.g. 3002).")
                % {"value": raw[:20]}
            )
        elif raw not in group_codes:
            group_codes.append(raw)
    goods_names = list(dict.fromkeys(_items(goods)))
    goods_map: dict[str, tuple[str, ...]] = {}
    if len(goods_names) > MAX_GOODS:
        errors.setdefault("goods", []).append(_("At most %(n)d goods or services.") % {"n": MAX_GOODS})
    else:
        for name in goods_names:
            found = goods_groups(name[:100])
            if not found:
                errors.setdefault("goods", []).append(
                    _(
                        "No similar group lists the goods or service “%(value)s”; "
                        "try another wording or pick a group."
                    )
                    % {"value": name[:50]}
                )
            goods_map[name] = found
    if not (class_numbers or group_codes or goods_map) and "classes" not in errors and "goods" not in errors:
        errors.setdefault("classes", []).append(
            _("Choose at least one class, similar group or goods or service the mark is for.")
        )
    if errors:
        raise ValidationError(errors)
    for found in goods_map.values():
        group_codes.extend(code for code in found if code not in group_codes)
    group_classes = {table[code][0] for code in group_codes}
    whole = {n for n in class_numbers if n not in group_classes}
    searched = sorted(set(class_numbers) | group_classes)
    return Query(mark, features(mark), searched, group_codes, whole, goods_map)


# --- screening -----------------------------------------------------------------------------


@dataclass
class Hit:
    trademark: Trademark
    score: float
    weighted: float
    reasons: list[tuple[str, str]]
    relation: str
    risk: str

    @property
    def same_group(self) -> bool:
        return self.relation == "same_group"

    @property
    def reason_list(self) -> list[dict]:
        return [
            {"code": code, "label": str(REASON_LABELS[code]), "detail": detail}
            for code, detail in self.reasons
        ]

    @property
    def risk_label(self) -> str:
        return str(RISK_LABELS[self.risk])

    @property
    def relation_label(self) -> str:
        return str(RELATION_LABELS[self.relation])


@dataclass
class Result:
    query: Query
    hits: list[Hit]
    risk: str
    explanation: str
    candidates: int

    @property
    def risk_label(self) -> str:
        return str(RISK_LABELS[self.risk])


def risk_of(weighted: float) -> str:
    config = weights()
    if weighted >= config.high:
        return "high"
    if weighted >= config.medium:
        return "medium"
    return "low"


def relation_of(query: Query, nice_class: int, prior_groups) -> str:
    if query.groups and set(prior_groups) & set(query.groups):
        return "same_group"
    return "class_asked" if nice_class in query.whole_classes else "same_class"


def rank(query: Query, rows, index) -> list[tuple[float, float, int, Match, str]]:
    """(weighted score, score, row, match, relation) of each row scoring above 0, best first."""
    factors = weights().relation
    ranked = []
    proposed = query.features
    for row, name, nice_class, groups in index.rows_data(rows):
        match = compare(proposed, features(name))
        if match.score <= 0:
            continue
        relation = relation_of(query, nice_class, groups)
        ranked.append((round(match.score * factors[relation], 4), match.score, row, match, relation))
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return ranked


def candidate_rows(query: Query, index, limit: int | None = None):
    return index.candidates(query.features, query.classes, limit or settings.ZHICHAN_SCREENING_CANDIDATES)


def _explain(risk: str, hits: list[Hit]) -> str:
    if not hits:
        return _(
            "No live mark in the classes searched shares a feature with this mark. The screening "
            "covers word marks in the register loaded here; it is not a legal opinion."
        )
    top = hits[0]
    context = {
        "mark": top.trademark.name,
        "number": top.trademark.registration_number,
        "reasons": "、".join(str(REASON_LABELS[code]) for code, _ in top.reasons[:3]),
        "relation": str(RELATION_LABELS[top.relation]).lower(),
    }
    if risk == "high":
        return (
            _(
                "High risk: “%(mark)s” (No. %(number)s, %(relation)s) is very close to your mark "
                "(%(reasons)s). An application is likely to be refused or opposed; consider another mark."
            )
            % context
        )
    if risk == "medium":
        return (
            _(
                "Medium risk: “%(mark)s” (No. %(number)s, %(relation)s) resembles your mark "
                "(%(reasons)s). The examiner may find them similar; consider changing the mark or "
                "asking a trademark agency."
            )
            % context
        )
    return (
        _(
            "Low risk: the closest marks (first “%(mark)s”, %(reasons)s) differ enough, or cover "
            "other goods. Not a legal opinion; the examiner decides."
        )
        % context
    )


def screen(mark, classes=None, groups=None, goods=None, limit: int = 20) -> Result:
    """The live marks identical or similar to `mark` in the goods asked for, ranked, with reasons."""
    return screen_query(parse_query(mark, classes, groups, goods), limit)


def screen_query(query: Query, limit: int = 20) -> Result:
    limit = max(1, min(int(limit or 20), 100))
    index = get_index()
    rows = candidate_rows(query, index)
    ranked = rank(query, rows, index)  # also ranks more than `limit`: some may be gone from the table
    ids = [index.id_of(row) for _, _, row, _, _ in ranked[: limit * 2]]
    # Live as of today: a mark may have lapsed past the bar, or gone, since the index was built.
    trademarks = live_trademarks().restrict(None, "view").in_bulk(ids)
    hits = []
    for weighted, score, row, match, relation in ranked:
        trademark = trademarks.get(index.id_of(row))
        if trademark is None:
            continue
        hits.append(Hit(trademark, score, weighted, match.reasons, relation, risk_of(weighted)))
        if len(hits) >= limit:
            break
    risk = hits[0].risk if hits else "low"
    return Result(query, hits, risk, _explain(risk, hits), len(rows))


def log_screening(user, query: Query, channel: str) -> None:
    """Note that a screening was served (for the evaluation's counts): when, by whom, the county
    when known and how many classes; never the mark, which may be an unpublished plan."""
    from zhichan.screening.models import ScreeningLog

    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    agency = getattr(user, "agency", None) if user is not None else None
    region = None
    if agency is not None:
        region = agency.region
    elif user is not None and user.enterprise_id and user.enterprise.region_id:
        region = user.enterprise.region
    elif user is not None and user.region_id:
        region = user.region
    ScreeningLog.objects.create(
        channel=channel,
        user=user,
        agency=agency,
        region=(region.county or region) if region is not None else None,
        classes=min(len(query.classes), 32767),
    )


# --- the index -----------------------------------------------------------------------------


def live_trademarks():
    """Marks that bar a similar one: live, or lapsed within the last year (商标法 第五十条)."""
    since = timezone.localdate() - timedelta(days=settings.ZHICHAN_SCREENING_LAPSED_DAYS)
    return Trademark.objects.filter(
        Q(status__in=LIVE) | Q(status=TrademarkStatus.INVALID, expiry_date__gte=since)
    )


def _records(marks):
    rows = marks.values_list("pk", "name", "nice_class", "similar_groups").order_by("pk")
    return ((pk, name, nice, groups or []) for pk, name, nice, groups in rows.iterator(chunk_size=5000))


def rebuild_index() -> int:
    """Write the whole candidate index from the Trademark table; the number of marks indexed."""
    directory = Path(settings.ZHICHAN_SCREENING_DIR)
    with build_lock(directory):
        return _rebuild(directory)


def _rebuild(directory: Path) -> int:
    # Taken before reading: a mark changed while the base is written goes into the next delta.
    built_at = timezone.now().isoformat()
    count = build(_records(live_trademarks()), directory / "base", extra={"built_at": built_at})
    shutil.rmtree(directory / "delta", ignore_errors=True)
    for leftover in [*directory.glob("*.npy"), directory / "meta.json"]:  # the one-segment layout
        leftover.unlink(missing_ok=True)
    return count


def update_index() -> int:
    """Bring the index up to the Trademark table by rewriting the delta: the marks changed since
    the base was built (a changed mark's base row is masked). The base is rebuilt instead when
    there is none, or when the delta would exceed ZHICHAN_SCREENING_DELTA_SHARE of it.
    The number of marks written."""
    directory = Path(settings.ZHICHAN_SCREENING_DIR)
    with build_lock(directory):
        return _update(directory)


def _update(directory: Path) -> int:
    index = open_segments(directory)
    built_at = index.base.meta.get("built_at") if index else None
    if not built_at:
        return _rebuild(directory)
    changed = Trademark.objects.filter(updated_at__gte=datetime.fromisoformat(built_at))
    if changed.count() > settings.ZHICHAN_SCREENING_DELTA_SHARE * index.base.rows:
        return _rebuild(directory)
    return build(
        _records(live_trademarks().filter(pk__in=changed.values("pk"))),
        directory / "delta",
        extra={"base_built_at": built_at, "built_at": timezone.now().isoformat()},
        masked=changed.values_list("pk", flat=True).iterator(chunk_size=5000),
    )


@contextlib.contextmanager
def build_lock(directory: Path, wait: bool = True):
    """One writer of the index at a time among the processes of this machine (gunicorn workers,
    the task worker). Yields False, without the lock, when `wait` is off and another holds it."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.with_name(directory.name + ".lock"), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def index_is_stale(index) -> bool:
    """Whether a mark changed after this index was written (by this server or another)."""
    stamp = (index.delta.meta.get("built_at") if index.delta else None) or index.base.meta.get("built_at")
    if not stamp:
        return True
    return Trademark.objects.filter(updated_at__gte=datetime.fromisoformat(stamp)).exists()


def refresh_index() -> bool:
    """Bring this server's index up to the database when it is behind: with several application
    servers each keeps its own index, and the trademark imports run on the worker's machine.
    False when the index was current, or another process of this machine was writing it."""
    directory = Path(settings.ZHICHAN_SCREENING_DIR)
    with build_lock(directory, wait=False) as locked:
        if not locked:
            return False
        index = open_segments(directory)
        if index is not None and not index_is_stale(index):
            return False
        _update(directory)
        return True


_refresh = {"next": 0.0, "thread": None}
_refresh_lock = threading.Lock()


def _refresh_in_background() -> None:
    try:
        refresh_index()
    except Exception:
        logger.exception("the screening index could not be brought up to date")
    finally:
        connection.close()  # this thread's own connection


def _refresh_soon() -> None:
    """At most every ZHICHAN_SCREENING_REFRESH_SECONDS per process, look in a thread whether the
    index is behind the database and update it; screenings meanwhile use the index as it is."""
    every = settings.ZHICHAN_SCREENING_REFRESH_SECONDS
    if every <= 0:
        return
    now = time.monotonic()
    with _refresh_lock:
        running = _refresh["thread"]
        if now < _refresh["next"] or (running is not None and running.is_alive()):
            return
        _refresh["next"] = now + every
        thread = threading.Thread(target=_refresh_in_background, name="screening-refresh", daemon=True)
        _refresh["thread"] = thread
    thread.start()


def get_index():
    try:
        index = open_segments(settings.ZHICHAN_SCREENING_DIR)
    except ValueError:  # written by an earlier version, with other keys
        index = None
    if index is None:
        directory = Path(settings.ZHICHAN_SCREENING_DIR)
        with build_lock(directory):  # another process may be building it: wait for that one
            try:
                index = open_segments(directory)
            except ValueError:
                index = None
            if index is None:
                _rebuild(directory)
                index = open_segments(directory)
    else:
        _refresh_soon()
    return index
