"""landscape(): the reference figures, checked against a brute-force count over generated patents.

These are also the agreement test for any other implementation (the search engine's aggregation):
it must give the same Landscape for the same queries.
"""

from collections import Counter

import pytest

from zhichan.ipdata import statistics
from zhichan.ipdata.models import IndustryDefinition, LegalStatus, PatentType
from zhichan.ipdata.statistics import QueryNotSupported, landscape, normalize_ipc, parse
from zhichan.ipdata.synthetic import jinzhong_counties

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


def brute_landscape(records, query, clauses, top=20):
    found = [r for r in records if brute_match(r, clauses)]
    years = {}
    types, statuses, ipcs, applicants, inventors, counties = (Counter() for _ in range(6))
    for r in found:
        if r["application_date"]:
            years.setdefault(r["application_date"].year, Counter())[r["patent_type"]] += 1
        types[r["patent_type"]] += 1
        statuses[r["legal_status"]] += 1
        ipcs[(r["main_ipc"] or r["ipc_codes"][0])[:4]] += 1
        applicants.update(set(r["applicants"]))
        inventors.update(set(r["inventors"]))
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
def test_landscape_agrees_with_a_brute_force_count(generated, query):
    got = landscape(query)
    expected = brute_landscape(generated, query, QUERIES[query])
    assert expected.total > 0  # the query finds something, so the comparison means something
    assert got == expected


def test_a_full_code_matches_exactly_and_a_group_matches_its_subgroups(generated):
    code = generated[0]["main_ipc"]  # e.g. "A61B 5/00"
    exact = landscape(f"IPC={code.replace(' ', '')}")
    assert exact == brute_landscape(generated, exact.query, [[("IPC", code)]])
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
    assert landscape(query) == expected


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
