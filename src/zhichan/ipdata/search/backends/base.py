"""The one small interface every search backend implements, and what a search returns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhichan.ipdata.models import LegalStatus, PatentType
from zhichan.ipdata.search import query as q

FACETS = ("year", "type", "county", "ipc_class", "legal_status")
# Facets with many values keep their most frequent ones; the others list every value.
FACET_SIZE = {"ipc_class": 30, "county": 100}
SORTS = ("relevance", "newest", "oldest")
AGGREGATE_TOP = 20  # default length of an aggregation's top lists
MAX_AGGREGATE_TOP = 1000
MAX_WINDOW = 10_000  # offset + limit: deep pages are refused rather than slow
_IPC_CLASS = re.compile(r"^[A-H](\d{2}[A-Z])?$")


@dataclass
class Hit:
    id: int
    score: float
    # field name -> HTML-safe snippet with <mark> around matches (title and abstract always).
    highlights: dict = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    # facet -> [(value, count)], most frequent first (year: newest first).
    facets: dict = field(default_factory=dict)
    offset: int = 0
    limit: int = 20

    @property
    def ids(self) -> list[int]:
        return [hit.id for hit in self.hits]


@dataclass
class Aggregation:
    """Figures over everything a query (and its filters) matches: `SearchBackend.aggregate`.

    Counts are of patents. by_year_type leaves out patents without an application date;
    by_county holds county codes (patents not in a county are left out). The top lists are
    (value, count), most frequent first, ties by value ascending; applicants and inventors count
    each patent once per distinct (stripped) name; by_ipc counts the main IPC's subclass.
    """

    total: int
    by_year_type: dict[int, dict[str, int]] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    by_legal_status: dict[str, int] = field(default_factory=dict)
    by_county: dict[str, int] = field(default_factory=dict)
    by_ipc: list[tuple[str, int]] = field(default_factory=list)
    top_applicants: list[tuple[str, int]] = field(default_factory=list)
    top_inventors: list[tuple[str, int]] = field(default_factory=list)


def ranked(counts: dict, top: int) -> list[tuple[str, int]]:
    """The `top` most frequent values, ties by value ascending."""
    items = ((str(k), int(n)) for k, n in counts.items() if n and k not in (None, ""))
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))[:top]


def check_top(top) -> int:
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= MAX_AGGREGATE_TOP:
        raise ValidationError(
            {"top": [_("Give a length between 1 and %(n)d for the top lists.") % {"n": MAX_AGGREGATE_TOP}]}
        )
    return top


def distinct_names(values) -> list[str]:
    """Names of one patent as the aggregation counts them: stripped, empty ones dropped, each once."""
    return list(dict.fromkeys(v.strip() for v in values or [] if v and v.strip()))


class SearchBackend:
    """Index documents (documents.py) and answer parsed queries (query.py).

    `index` adds or replaces documents by id and `delete` removes them; neither is visible
    to searches before `commit` (the PostgreSQL backend writes through at once, inside the
    caller's transaction).
    """

    name = "base"

    def index(self, docs: Iterable[dict], *, replace: bool = True) -> int:
        raise NotImplementedError

    def delete(self, ids: Iterable[int]) -> int:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def stats(self) -> dict:
        raise NotImplementedError

    def close(self) -> None:
        """Release writers and files (tests, the end of a rebuild)."""

    def search(
        self,
        query: q.Query | str,
        *,
        filters: dict | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
        facets: bool = False,
        highlight: bool = False,
    ) -> SearchResult:
        raise NotImplementedError

    def aggregate(
        self, query: q.Query | str, *, filters: dict | None = None, top: int = AGGREGATE_TOP
    ) -> Aggregation:
        """The figures (Aggregation) over every document `query` AND `filters` match."""
        raise NotImplementedError


def prepare(query, filters, sort, offset, limit) -> tuple[q.Query, q.Node]:
    """The parsed query and the tree to run (query AND filters); bad arguments raise."""
    if isinstance(query, str):
        query = q.parse(query)
    if sort not in SORTS:
        raise ValidationError({"sort": [_("Sort by one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}]})
    if offset < 0 or limit < 0 or offset + limit > MAX_WINDOW:
        raise ValidationError(
            {"page": [_("Results are shown up to number %(n)d; narrow the search.") % {"n": MAX_WINDOW}]}
        )
    return query, q.and_(query.root, filters_node(filters or {}))


def filters_node(filters: dict) -> q.Node:
    """Facet filters as a tree: AND over the facets, OR within one facet's values."""
    parts = []
    for key, values in filters.items():
        if values in (None, "", []):
            continue
        if key not in FACETS:
            raise ValidationError({key: [_("Unknown filter.")]})
        if isinstance(values, (str, int)):
            values = [values]
        nodes = [_filter_value(key, value) for value in values]
        parts.append(q.or_(*nodes))
    return q.and_(*parts)


def _filter_value(key, value) -> q.Node:
    text = str(value).strip()
    if key == "year":
        if not text.isdigit() or not 1800 <= int(text) <= 2200:
            raise ValidationError({key: [_("Not a year: %(value)s.") % {"value": text}]})
        return q.Keyword("YEAR", str(int(text)))
    if key == "type":
        if text not in PatentType.values:
            raise ValidationError({key: [_("Not a patent type: %(value)s.") % {"value": text}]})
        return q.Keyword("TYPE", text)
    if key == "legal_status":
        if text not in LegalStatus.values:
            raise ValidationError({key: [_("Not a legal status: %(value)s.") % {"value": text}]})
        return q.Keyword("LS", text)
    if key == "ipc_class":
        text = text.upper()
        if not _IPC_CLASS.match(text):
            raise ValidationError({key: [_("Not an IPC section or subclass: %(value)s.") % {"value": text}]})
        return q.Keyword("IPCCLASS", text)
    if not text or len(text) > 50:
        raise ValidationError({key: [_("Not a county: %(value)s.") % {"value": text}]})
    return q.Keyword("COUNTY", text)


def order_facets(counts: dict[str, dict]) -> dict[str, list[tuple]]:
    """{facet: {value: count}} -> {facet: [(value, count)]} in display order, cut to FACET_SIZE."""
    out = {}
    for name in FACETS:
        values = counts.get(name, {})
        if name == "year":
            items = sorted(values.items(), key=lambda kv: -int(kv[0]))
        else:
            items = sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))
        size = FACET_SIZE.get(name)
        out[name] = [(k, v) for k, v in items if v][: size or None]
    return out
