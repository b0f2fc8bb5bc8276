"""landscape(): the figures of any query, counted by the search engine, checked against a
brute-force count over generated patents and, for the industry subset (IPC=/TX=), against the
plain-ORM reference (`reference_landscape`): the agreement test, on each search backend.
"""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from zhichan.ipdata import statistics
from zhichan.ipdata.models import IndustryDefinition, LegalStatus, Patent, PatentType
from zhichan.ipdata.search import search_patents
from zhichan.ipdata.search import service as search_service
from zhichan.ipdata.search.query import QuerySyntaxError
from zhichan.ipdata.statistics import (
    QueryNotSupported,
    landscape,
    local_applicants,
    normalize_ipc,
    parse,
    reference_landscape,
)
from zhichan.ipdata.synthetic import jinzhong_counties


@pytest.fixture(autouse=True, params=["tantivy", "postgres"])
def search_backend(request, settings):
    """Each search backend in turn (PostgreSQL's when the tests run on PostgreSQL); autouse, so
    it is configured before `generated` indexes the patents."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL search backend runs when DATABASE_URL is PostgreSQL")
    settings.ZHICHAN_SEARCH_BACKEND = request.param
    search_service.reset_backends()
    yield request.param
    search_service.reset_backends()


# --- an independent, slow implementation of the rules in statistics.py's docstring ---------------


def hierarchy(code):
    """Every level a query may name above or at `code`: A, A01, A01B, A01B 1, A01B 1/00."""
    section, klass, subclass = code[:1], code[:3], code[:4]
    levels = {section, klass, subclass}
    if " " in code:
        levels.update({code.split("/")[0], code})
    return levels


def brute_match(record, clauses):
    codes = record["ipc_codes"] or ([record["main_ipc"]] if record["main_ipc"] else [])
    levels = set().union(*(hierarchy(c) for c in codes)) if codes else set()
    texts = [record["title"].lower(), record["abstract"].lower(), record["claims"].lower()]

    def term(field, value):
        if field == "IPC":
            return value in levels
        return any(value.lower() in text for text in texts)

    return all(any(term(f, v) for f, v in clause) for clause in clauses)


def brute_landscape(records, query, clauses, top=20, keep=None):
    """The figures by hand: of the records matching `clauses` (the IPC/TX subset) or `keep`."""
    found = [r for r in records if (keep(r) if keep else brute_match(r, clauses))]
    years = {}
    types, statuses, ipcs, applicants, inventors, counties = (Counter() for _ in range(6))
    for r in found:
        if r["application_date"]:
            years.setdefault(r["application_date"].year, Counter())[r["patent_type"]] += 1
        types[r["patent_type"]] += 1
        statuses[r["legal_status"]] += 1
        if r["main_ipc"] or r["ipc_codes"]:
            ipcs[(r["main_ipc"] or r["ipc_codes"][0])[:4]] += 1
        applicants.update({n.strip() for n in r["applicants"] if n.strip()})
        inventors.update({n.strip() for n in r["inventors"] if n.strip()})
        if r["county"]:
            counties[r["county"]] += 1
    by_year = (
        [
            (y, {t: years.get(y, Counter())[t] for t in PatentType.values if years.get(y, Counter())[t]})
            for y in range(min(years), max(years) + 1)
        ]
        if years
        else []
    )

    def ranked(counter):
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

    order = list(jinzhong_counties())
    names = jinzhong_counties()
    return statistics.Landscape(
        query=query,
        total=len(found),
        by_year=by_year,
        by_type=[(t, types[t]) for t in PatentType.values if types[t]],
        by_legal_status=[(s, statuses[s]) for s in LegalStatus.values if statuses[s]],
        by_county=[
            (c, names[c], counties[c]) for c in sorted(order, key=lambda c: (-counties[c], order.index(c)))
        ],
        by_ipc=ranked(ipcs),
        top_applicants=ranked(applicants),
        top_inventors=ranked(inventors),
        local_total=sum(counties.values()),
    )


QUERIES = {
    # query: the same as (field, value) clauses for the brute force
    "(IPC=A01B OR IPC=A01C OR IPC=A01D)": [[("IPC", "A01B"), ("IPC", "A01C"), ("IPC", "A01D")]],
    "IPC=A61K36": [[("IPC", "A61K 36")]],
    "IPC=C": [[("IPC", "C")]],
    '(IPC=C10 OR IPC=C04B) AND TX="煤"': [[("IPC", "C10"), ("IPC", "C04B")], [("TX", "煤")]],
    'TX="装置"': [[("TX", "装置")]],
    '(TX="播种" OR TX="施肥") AND (IPC=A01 OR IPC=A01B1/00)': [
        [("TX", "播种"), ("TX", "施肥")],
        [("IPC", "A01"), ("IPC", "A01B 1/00")],
    ],
}


@pytest.mark.parametrize("query", list(QUERIES))
def test_landscape_agrees_with_the_reference_and_a_brute_force_count(generated, query):
    got = landscape(query)
    expected = brute_landscape(generated, query, QUERIES[query])
    assert expected.total > 0  # the query finds something, so the comparison means something
    assert got == expected
    assert reference_landscape(query) == expected  # the ORM oracle: the same figures


def applicants_of(r):
    return {n.strip() for n in r["applicants"]}


# Queries outside the industry subset, with the same predicate written by hand.
ANY_QUERIES = [
    ("PA=晋中学院", {}, lambda r: any("晋中学院" in n for n in r["applicants"])),
    ("IN=王", {}, lambda r: any("王" in n for n in r["inventors"])),
    (
        "TYPE=发明 AND AD>=2015",
        {},
        lambda r: (
            r["patent_type"] == "invention"
            and r["application_date"]
            and r["application_date"] >= dt.date(2015, 1, 1)
        ),
    ),  # fmt: skip
    (
        "IPC=G06 NOT 物联网",
        {},
        lambda r: (
            any(c.startswith("G06") for c in r["ipc_codes"] or [r["main_ipc"]])
            and not any("物联网" in r[k] for k in ("title", "abstract", "claims"))
        ),
    ),  # fmt: skip
    (
        "AD=[2010 TO 2016-06-30] OR LS=失效",
        {},
        lambda r: (
            r["legal_status"] == "invalid"
            or (
                r["application_date"] is not None
                and dt.date(2010, 1, 1) <= r["application_date"] <= dt.date(2016, 6, 30)
            )
        ),
    ),  # fmt: skip
    (
        "",
        {"type": ["utility"], "county": ["140703"]},
        lambda r: r["patent_type"] == "utility" and r["county"] == "140703",
    ),  # fmt: skip
    (
        "方法",
        {"year": ["2018", "2019"], "legal_status": ["valid"]},
        lambda r: (
            "方法" in r["title"] + r["abstract"] + r["claims"]
            and r["legal_status"] == "valid"
            and r["application_date"]
            and r["application_date"].year in (2018, 2019)
        ),
    ),  # fmt: skip
]


@pytest.mark.parametrize(("query", "filters", "keep"), ANY_QUERIES)
def test_landscape_of_any_query_and_filters(generated, query, filters, keep):
    got = landscape(query, filters=filters)
    expected = brute_landscape(generated, query, None, keep=keep)
    assert expected.total > 0
    assert got == expected
    # The very result set the search shows.
    assert (
        got.total == search_patents(query, filters=filters, per_page=1, facets=False, highlight=False).total
    )


def test_landscape_refuses_malformed_queries_and_bad_filters(generated):
    with pytest.raises(QuerySyntaxError) as info:
        landscape("PA=晋中学院 AND (TI=电池")
    assert info.value.position == 12  # the unclosed parenthesis
    with pytest.raises(ValidationError) as refused:
        landscape("", filters={"year": ["twenty"]})
    assert "year" in refused.value.message_dict


def test_keyword_semantics_differ_from_the_reference_only_for_partial_latin_runs(jinzhong_tree):
    # Deliberate: the engine matches Latin letters as whole runs and ignores punctuation, the
    # ORM reference does a raw substring test. An industry's figures are what searching finds.
    Patent.objects.create(
        application_number="202010000001.1",
        patent_type="invention",
        title="LED灯具",
        abstract="一种照明装置，含散热片。",
        applicants=["某公司"],
    )
    search_service.rebuild(workers=1)
    assert landscape('TX="LED"').total == reference_landscape('TX="LED"').total == 1
    assert landscape('TX="led"').total == 1  # both ignore case
    assert reference_landscape('TX="LE"').total == 1 and landscape('TX="LE"').total == 0
    assert reference_landscape('TX="装置，含"').total == 1 and landscape('TX="装置，含"').total == 1
    assert reference_landscape('TX="装置含"').total == 0 and landscape('TX="装置含"').total == 1


def test_local_applicants_of_any_query(generated, jinzhong_tree):
    query = "AD>=2012 NOT TYPE=外观设计"

    def keep(r):
        return r["application_date"] and r["application_date"].year >= 2012 and r["patent_type"] != "design"

    found = [r for r in generated if keep(r)]
    local = set().union(*(applicants_of(r) for r in found if r["county"]))
    elsewhere = set().union(*(applicants_of(r) for r in found)) - local
    names = sorted(local)[:5] + sorted(elsewhere)[:5] + ["没有这个申请人"]
    assert len(names) == 11 and elsewhere  # both kinds are asked about
    assert local_applicants(query, names) == set(sorted(local)[:5])
    # The filters narrow the result set the names are looked for in.
    assert local_applicants(query, names, filters={"county": ["999999"]}) == set()


def test_a_full_code_matches_exactly_and_a_group_matches_its_subgroups(generated):
    code = generated[0]["main_ipc"]  # e.g. "A61B 5/00"
    exact = landscape(f"IPC={code.replace(' ', '')}")
    assert exact == brute_landscape(generated, exact.query, [[("IPC", code)]])
    assert exact == reference_landscape(exact.query)
    group = code.split("/")[0]
    assert landscape(f"IPC={group.replace(' ', '')}").total >= exact.total >= 1


def test_parks_count_for_their_county_and_local_total_is_the_sum(generated, jinzhong_tree):
    _city, _counties, park = jinzhong_tree
    assert park.patents.exists()
    result = landscape("IPC=A")
    counties = {code: n for code, _name, n in result.by_county}
    assert len(counties) == 11
    assert result.local_total == sum(counties.values())
    taigu = [r for r in generated if r["county"] == "140703" and brute_match(r, [[("IPC", "A")]])]
    assert counties["140703"] == len(taigu) > 0


def test_nothing_found(generated):
    result = landscape("IPC=H99Z")
    assert result.total == 0 and result.by_year == [] and result.top_applicants == []
    assert [n for _c, _name, n in result.by_county] == [0] * 11 and result.local_total == 0


def test_top_lists_are_cut_at_top(generated):
    result = landscape("IPC=A", top=3)
    assert len(result.top_applicants) == 3 and len(result.top_inventors) == 3 and len(result.by_ipc) == 3
    assert (
        result.top_applicants == brute_landscape(generated, "IPC=A", [[("IPC", "A")]], top=3).top_applicants
    )


def test_a_definitions_query_finds_what_its_codes_and_keywords_say(generated):
    definition = IndustryDefinition(name="农机", ipc_codes=["A01B", "A01C"], keywords=["播种", "施肥"])
    query = definition.to_query()
    assert query == '(IPC=A01B OR IPC=A01C) AND (TX="播种" OR TX="施肥")'
    expected = brute_landscape(
        generated, query, [[("IPC", "A01B"), ("IPC", "A01C")], [("TX", "播种"), ("TX", "施肥")]]
    )
    assert landscape(query) == expected == reference_landscape(query)


@pytest.mark.parametrize(
    ("value", "normal"),
    [("a", "A"), ("A01", "A01"), ("a01b", "A01B"), ("A61K36", "A61K 36"), ("A01B 1/00", "A01B 1/00"),
     ("a01b1/00", "A01B 1/00"), (" A01B  1 / 00 ", "A01B 1/00"), ("H04L 29/06", "H04L 29/06")],
)  # fmt: skip
def test_normalize_ipc(value, normal):
    assert normalize_ipc(value) == normal


@pytest.mark.parametrize(
    "value", ["", "I01", "A1", "A01BB", "A01B 1/", "A01B /00", "01B", "A01B 12345", "播种"]
)
def test_normalize_ipc_refuses(value):
    with pytest.raises(ValueError):
        normalize_ipc(value)


def test_parse_understands_the_definition_subset():
    parsed = parse('(IPC=A01B OR IPC="A01B 1/00") AND TX=播种 AND (TX="施肥")')
    assert [[(t.field, t.value) for t in clause] for clause in parsed.clauses] == [
        [("IPC", "A01B"), ("IPC", "A01B 1/00")],
        [("TX", "播种")],
        [("TX", "施肥")],
    ]


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("", 0),
        ("IPC=A01B OR IPC=A01C", 9),  # OR outside parentheses
        ("NOT IPC=A01B", 0),
        ("IPC=A01B AND TI=播种", 13),  # a field the reference does not translate
        ("IPC=A01B AND", 12),
        ("(IPC=A01B OR (IPC=A01C))", 13),  # nested parentheses
        ("IPC=A01B AND IPC=I99", 13),
        ("(IPC=A01B", 9),
        ('TX=""', 0),
    ],
)
def test_parse_refuses_the_rest_naming_where(query, position):
    with pytest.raises(QueryNotSupported) as info:
        parse(query)
    assert info.value.position == position
