"""Landscape figures for a patent query: the numbers behind the statistics pages, exports and
navigation reports.

`landscape(query, filters=...)` takes any query of the search language (docs/search.md) plus the
search page's facet filters and counts through the search backend's aggregation
(`SearchBackend.aggregate`), so the figures are those of the very result set the search shows:
its total equals the search's total, an industry definition's figures are what searching for its
query finds.

`reference_landscape()` is the plain-ORM reference kept as the oracle of the agreement tests
(tests/ipdata/test_statistics.py): obviously right rather than fast, it understands only the part
of the language that industry definitions produce (see `IndustryDefinition.to_query`):

    (IPC=A01B OR IPC=A01C) AND (TX="播种" OR TX="施肥")

that is, clauses joined by AND, each clause one term or a parenthesised OR of terms, each term
``IPC=<prefix>`` or ``TX="<keyword>"``. Anything else raises QueryNotSupported.

The rules the figures follow (both implementations):

- IPC=X matches a patent when X is a prefix *at a level of the hierarchy* of one of its IPC
  codes (or of its main IPC when it has no list): section "A", class "A01", subclass "A01B",
  main group "A61K 36" (any subgroup of it), or a full code "A01B 1/00" (exactly).
- TX="k" matches when k occurs in the title, abstract or claims. The reference does a
  case-insensitive substring test on the raw text; the engine matches normalised character
  tokens (text.py): Latin letters and digits only as whole runs ("LED" finds "LED灯", "LE" does
  not), punctuation and spaces ignored, full-width forms folded. For Chinese keywords the two agree.
- by_year counts patents by application year (those without an application date are left
  out), every year from the first to the last with a patent, gaps as empty dicts.
- by_type and by_legal_status list the values in the order of their choices, zeros left out.
- by_ipc counts each patent once, under the subclass of its main IPC (else its first code).
- top_applicants and top_inventors count each patent once per distinct (stripped) name.
- by_county lists every county of the city served (see portal.context.current_city), zeros
  included; a patent linked to a park counts for the park's county. local_total is their sum.
- Ties in the top lists and in by_county are broken by name (or code), ascending; by_county
  then by the regions' own order.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from zhichan.ipdata.models import LegalStatus, Patent, PatentType

TOP = 20
# A section, class, subclass, main group or full code, normalised: "A", "A01", "A01B", "A01B 1", "A01B 1/00".
IPC_PREFIX = re.compile(r"^[A-H](\d{2}([A-Z]( \d{1,4}(/\d{1,6})?)?)?)?$")
SUPPORTED_FIELDS = ("IPC", "TX")


@dataclass
class Landscape:
    query: str  # the search query the figures are for
    total: int
    by_year: list[tuple[int, dict[str, int]]]  # (application year, {patent_type: count}), ascending
    by_type: list[tuple[str, int]]  # patent_type value, count
    by_legal_status: list[tuple[str, int]]  # LegalStatus value, count
    by_county: list[tuple[str, str, int]]  # (region code, region name, count); local records
    by_ipc: list[tuple[str, int]]  # IPC subclass ("A01B"), count; top 20
    top_applicants: list[tuple[str, int]]  # top 20
    top_inventors: list[tuple[str, int]]  # top 20
    local_total: int  # records linked to a county of this city


class QueryNotSupported(ValueError):
    """A query outside the subset this implementation translates; `position` is 0-based."""

    def __init__(self, message, position: int = 0):
        self.message = message
        self.position = position
        super().__init__(str(self))

    def __str__(self):
        return _("%(message)s at %(position)d") % {"message": self.message, "position": self.position}


def normalize_ipc(value: str) -> str:
    """ "a01b1/00" -> "A01B 1/00"; ValueError when it is not an IPC section, class, subclass or group."""
    compact = re.sub(r"\s+", " ", str(value or "").strip().upper())
    compact = re.sub(r"^([A-H]\d{2}[A-Z])(\d)", r"\1 \2", compact)
    compact = re.sub(r"\s*/\s*", "/", compact)
    if not IPC_PREFIX.match(compact):
        raise ValueError(value)
    return compact


def ipc_compact(prefix: str) -> str:
    """The form written in a query: no space, so the value is one token ("A01B1/00")."""
    return prefix.replace(" ", "")


def ipc_matches(prefix: str, code: str) -> bool:
    """Whether the normalised `prefix` names a level of the hierarchy above (or at) `code`."""
    try:
        code = normalize_ipc(code)
    except ValueError:
        return False
    if len(prefix) <= 4:
        return code.startswith(prefix)
    if "/" not in prefix:
        return code.startswith(prefix + "/")
    return code == prefix


# --- the query subset ----------------------------------------------------------------------------


@dataclass
class Term:
    field: str  # "IPC" or "TX"
    value: str  # normalised IPC prefix, or the keyword


@dataclass
class Clauses:
    """A conjunction of disjunctions of terms (what an industry definition says)."""

    clauses: list[list[Term]] = field(default_factory=list)


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) |
        (?P<op>AND|OR)(?=[\s()]|$) |
        (?P<field>[A-Z]+)=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s()"]+))
    )""",
    re.VERBOSE,
)


def _tokens(query: str):
    pos = 0
    query = query.rstrip()
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if match is None or match.end() == pos:
            start = pos + len(query[pos:]) - len(query[pos:].lstrip())
            raise QueryNotSupported(
                _("only IPC= and TX= terms, AND, OR and parentheses are understood"), start
            )
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        if match.group("open"):
            yield "(", None, start
        elif match.group("close"):
            yield ")", None, start
        elif match.group("op"):
            yield match.group("op"), None, start
        else:
            name = match.group("field")
            value = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
            yield "term", (name, value), start
        pos = match.end()


def _term(payload, pos) -> Term:
    name, value = payload
    if name not in SUPPORTED_FIELDS:
        raise QueryNotSupported(_("field %(field)s is not understood here") % {"field": name}, pos)
    if name == "IPC":
        try:
            return Term("IPC", normalize_ipc(value))
        except ValueError:
            raise QueryNotSupported(_("bad IPC code %(value)s") % {"value": value}, pos) from None
    value = value.strip()
    if not value:
        raise QueryNotSupported(_("empty keyword"), pos)
    return Term("TX", value)


def parse(query: str) -> Clauses:
    """The clauses of `query`, or QueryNotSupported naming what and where."""
    tokens = list(_tokens(query or ""))
    if not tokens:
        raise QueryNotSupported(_("the query is empty"), 0)
    result = Clauses()
    i = 0
    end = len(query or "")

    def at(k):
        return tokens[k][2] if k < len(tokens) else end

    while True:
        if i >= len(tokens):
            raise QueryNotSupported(_("a term is missing"), end)
        kind, payload, pos = tokens[i]
        if kind == "term":
            result.clauses.append([_term(payload, pos)])
            i += 1
        elif kind == "(":
            i += 1
            clause = []
            while True:
                if i >= len(tokens) or tokens[i][0] != "term":
                    raise QueryNotSupported(_("a term is expected here"), at(i))
                clause.append(_term(tokens[i][1], tokens[i][2]))
                i += 1
                if i < len(tokens) and tokens[i][0] == "OR":
                    i += 1
                    continue
                if i < len(tokens) and tokens[i][0] == ")":
                    i += 1
                    break
                raise QueryNotSupported(_("OR or a closing parenthesis is expected here"), at(i))
            result.clauses.append(clause)
        else:
            raise QueryNotSupported(_("a term or an opening parenthesis is expected here"), pos)
        if i == len(tokens):
            return result
        if tokens[i][0] != "AND":
            raise QueryNotSupported(_("AND is expected here (OR only inside parentheses)"), tokens[i][2])
        i += 1


def _ipc_q(prefix: str) -> Q:
    # ipc_codes is a JSON list of normalised codes: '"A01B' finds a code starting so. The main
    # IPC stands in for records imported without the list.
    if len(prefix) <= 4:
        needle, main = '"' + prefix, Q(main_ipc__startswith=prefix)
    elif "/" not in prefix:
        needle, main = '"' + prefix + "/", Q(main_ipc__startswith=prefix + "/")
    else:
        needle, main = '"' + prefix + '"', Q(main_ipc=prefix)
    return Q(ipc_codes__icontains=needle) | (Q(ipc_codes=[]) & main)


def _text_q(keyword: str) -> Q:
    return Q(title__icontains=keyword) | Q(abstract__icontains=keyword) | Q(claims__icontains=keyword)


def to_q(clauses: Clauses) -> Q:
    combined = Q()
    for clause in clauses.clauses:
        either = Q()
        for term in clause:
            either |= _ipc_q(term.value) if term.field == "IPC" else _text_q(term.value)
        combined &= either
    return combined


def matching(query: str):
    """The patents `query` finds by the reference rules (a queryset; QueryNotSupported for
    queries outside the subset)."""
    return Patent.objects.filter(to_q(parse(query)))


# --- the figures ---------------------------------------------------------------------------------


def city_counties() -> list:
    """The county-level regions of the city served, in their own order (all counties when no city)."""
    from zhichan.portal.context import current_city
    from zhichan.regions.models import Region, RegionKind

    counties = Region.objects.filter(kind=RegionKind.COUNTY)
    city = current_city()
    if city is not None:
        counties = counties.filter(parent=city)
    return list(counties.order_by("sort", "code"))


def county_of_region() -> dict[int, object]:
    """Region id -> its county, for the city's counties and the parks under them."""
    from zhichan.regions.models import Region, RegionKind

    counties = city_counties()
    mapping = {c.pk: c for c in counties}
    for park_id, parent_id in Region.objects.filter(
        kind=RegionKind.PARK, parent_id__in=list(mapping)
    ).values_list("pk", "parent_id"):
        mapping[park_id] = mapping[parent_id]
    return mapping


def _ranked(counter: Counter, top: int) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _in_choice_order(counter: Counter, choices) -> list[tuple[str, int]]:
    order = {value: i for i, value in enumerate(choices)}
    keys = sorted((k for k, n in counter.items() if n), key=lambda k: (order.get(k, len(order)), k))
    return [(k, counter[k]) for k in keys]


def _subclass(main_ipc: str, codes) -> str:
    code = (main_ipc or (codes[0] if codes else "") or "").strip().upper()
    return code[:4]


def landscape(query: str, *, filters: dict | None = None, top: int = TOP) -> Landscape:
    """The figures for the patents the search finds for `query` and the facet `filters`.

    Raises QuerySyntaxError (with its position) for a malformed query and ValidationError for
    bad filters or a bad `top`.
    """
    from zhichan.ipdata.search.service import aggregate_patents

    return from_aggregation(query, aggregate_patents(query, filters=filters, top=top))


def from_aggregation(query: str, agg) -> Landscape:
    """A Landscape from a backend's Aggregation: the city's counties listed, years filled in."""
    by_year = []
    if agg.by_year_type:
        for year in range(min(agg.by_year_type), max(agg.by_year_type) + 1):
            counts = agg.by_year_type.get(year, {})
            by_year.append((year, {t: counts[t] for t in PatentType.values if counts.get(t)}))
    counties = city_counties()
    position = {c.pk: i for i, c in enumerate(counties)}
    count_of = {c.pk: agg.by_county.get(c.code, 0) for c in counties}
    county_rows = sorted(counties, key=lambda c: (-count_of[c.pk], position[c.pk]))
    return Landscape(
        query=query,
        total=agg.total,
        by_year=by_year,
        by_type=_in_choice_order(Counter(agg.by_type), PatentType.values),
        by_legal_status=_in_choice_order(Counter(agg.by_legal_status), LegalStatus.values),
        by_county=[(c.code, c.name, count_of[c.pk]) for c in county_rows],
        by_ipc=list(agg.by_ipc),
        top_applicants=list(agg.top_applicants),
        top_inventors=list(agg.top_inventors),
        local_total=sum(count_of.values()),
    )


def reference_landscape(query: str, *, top: int = TOP) -> Landscape:
    """The figures by the plain-ORM reference (the IPC=/TX= subset only): the tests' oracle."""
    patents = matching(query)
    counties = city_counties()
    county_for = county_of_region()
    total = 0
    years: dict[int, Counter] = {}
    types, statuses, ipcs = Counter(), Counter(), Counter()
    applicants, inventors = Counter(), Counter()
    by_county = Counter()
    rows = patents.values_list(
        "application_date", "patent_type", "legal_status", "main_ipc", "ipc_codes", "applicants",
        "inventors", "region_id",
    )  # fmt: skip
    for app_date, ptype, status, main_ipc, codes, names, people, region_id in rows.iterator(chunk_size=2000):
        total += 1
        if app_date is not None:
            years.setdefault(app_date.year, Counter())[ptype] += 1
        types[ptype] += 1
        statuses[status] += 1
        subclass = _subclass(main_ipc, codes or [])
        if subclass:
            ipcs[subclass] += 1
        applicants.update({n.strip() for n in names or [] if n and n.strip()})
        inventors.update({n.strip() for n in people or [] if n and n.strip()})
        county = county_for.get(region_id)
        if county is not None:
            by_county[county.pk] += 1
    by_year = []
    if years:
        for year in range(min(years), max(years) + 1):
            counts = years.get(year, Counter())
            by_year.append((year, {t: counts[t] for t in PatentType.values if counts[t]}))
    position = {c.pk: i for i, c in enumerate(counties)}
    county_rows = sorted(counties, key=lambda c: (-by_county[c.pk], position[c.pk]))
    return Landscape(
        query=query,
        total=total,
        by_year=by_year,
        by_type=_in_choice_order(types, PatentType.values),
        by_legal_status=_in_choice_order(statuses, LegalStatus.values),
        by_county=[(c.code, c.name, by_county[c.pk]) for c in county_rows],
        by_ipc=_ranked(ipcs, top),
        top_applicants=_ranked(applicants, top),
        top_inventors=_ranked(inventors, top),
        local_total=sum(by_county.values()),
    )


def local_applicants(query: str, names, *, filters: dict | None = None) -> set[str]:
    """Which of `names` are local: on a patent of the result (query and filters, as the search
    finds it) linked to a county of the city, or the name of an enterprise registered in one.

    One count per name not settled by the enterprises (the top lists are short): nothing of the
    result set is held in memory.
    """
    from zhichan.enterprises.models import Enterprise
    from zhichan.ipdata.search import query as q
    from zhichan.ipdata.search.backends.base import filters_node
    from zhichan.ipdata.search.service import get_backend, parse_query

    wanted = {n.strip() for n in names if n and n.strip()}
    if not wanted:
        return set()
    county_for = county_of_region()
    found = set(
        Enterprise.objects.filter(name__in=wanted, region_id__in=list(county_for)).values_list(
            "name", flat=True
        )
    )
    codes = sorted({county.code for county in county_for.values()})
    if not codes:
        return found
    parsed = parse_query(query or "")
    local = q.or_(*(q.Keyword("COUNTY", code) for code in codes))
    base = q.and_(parsed.root, filters_node(filters or {}), local)
    backend = get_backend()
    for name in sorted(wanted - found):
        node = q.and_(base, q.Keyword("APPLICANT", name))
        if backend.search(q.Query(node, parsed.source), limit=1).total:
            found.add(name)
    return found
