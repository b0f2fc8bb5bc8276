"""The query language: each rule, and where each kind of error is reported."""

import datetime as dt

import pytest
from django.utils import translation

from zhichan.ipdata.search.query import (
    And,
    DateRange,
    Keyword,
    MatchAll,
    Not,
    Or,
    Prefix,
    QuerySyntaxError,
    Text,
    parse,
)

D = dt.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def tree(source, **kwargs):
    return parse(source, **kwargs).root


# --- terms and fields ---------------------------------------------------------------------------


def test_an_empty_query_matches_everything():
    assert tree("") == MatchAll()
    assert tree("   ") == MatchAll()


def test_a_bare_term_searches_title_abstract_and_claims_as_a_substring():
    assert tree("锂离子电池") == Text("TX", "锂离子电池", word=False, pos=0)


@pytest.mark.parametrize("code", ["TI", "AB", "CL", "TX", "PA", "IN", "ADDR", "AG"])
def test_text_field_codes(code):
    assert tree(f"{code}=电池") == Text(code, "电池", pos=len(code) + 1)


def test_field_codes_are_case_insensitive_and_may_have_spaces_around_the_sign():
    assert tree("ti=电池") == Text("TI", "电池", pos=3)
    assert tree("TI = 电池") == Text("TI", "电池", pos=5)
    assert tree("TI＝电池") == Text("TI", "电池", pos=3)  # the full-width sign of a Chinese keyboard


def test_word_matching_with_tilde():
    assert tree("TI~=电池") == Text("TI", "电池", word=True, pos=4)
    assert tree("TI~=(电池 OR 电容)") == Or((Text("TI", "电池", True, 5), Text("TI", "电容", True, 11)))


def test_quoted_phrases_keep_spaces_and_operators():
    assert tree('"锂离子 电池"') == Text("TX", "锂离子 电池", pos=1)
    assert tree('TI="A AND B"') == Text("TI", "A AND B", pos=4)
    assert tree("“燃料电池”") == Text("TX", "燃料电池", pos=1)  # Chinese quotation marks
    assert tree('“燃料电池"') == Text("TX", "燃料电池", pos=1)


def test_a_field_before_parentheses_applies_to_the_group():
    assert tree("TI=(电池 OR 电容) NOT 氢") == And(
        (Or((Text("TI", "电池", pos=4), Text("TI", "电容", pos=10))), Not(Text("TX", "氢", pos=18)))
    )
    # A field inside the group takes over for its term.
    assert tree("TI=(电池 AB=电容)") == And((Text("TI", "电池", pos=4), Text("AB", "电容", pos=10)))


def test_keyword_fields_take_their_canonical_values():
    assert tree("AN=ZL201510163325.6") == Keyword("AN", "201510163325.6", pos=3)
    assert tree("AN=2015101633256") == Keyword("AN", "201510163325.6", pos=3)
    assert tree("AN=201510163325") == Keyword("AN", "201510163325.6", pos=3)
    assert tree("PN=cn104805195a") == Keyword("PN", "CN104805195A", pos=3)
    assert tree("PN=104805195") == Keyword("PN", "CN104805195", pos=3)
    assert tree("TYPE=外观设计") == Keyword("TYPE", "design", pos=5)
    assert tree("TYPE=Utility") == Keyword("TYPE", "utility", pos=5)
    assert tree("LS=审中") == Keyword("LS", "pending", pos=3)
    assert tree("LS=失效") == Keyword("LS", "invalid", pos=3)
    assert tree("COUNTY=太谷区") == Keyword("COUNTY", "太谷区", pos=7)


def test_counties_are_resolved_when_the_caller_knows_them():
    known = {"太谷区": "140703", "太谷": "140703", "140703": "140703"}
    assert tree("COUNTY=太谷", counties=known.get) == Keyword("COUNTY", "140703", pos=7)


@pytest.mark.parametrize(
    ("source", "value"),
    [("IPC=H", "H"), ("IPC=h01", "H01"), ("IPC=H01M", "H01M"), ("IPC=H01M10", "H01M 10"),
     ('IPC="H01M  10/0525"', "H01M 10/0525"), ("IPC=H01M10/0525", "H01M 10/0525")],
)  # fmt: skip
def test_ipc_prefixes_are_normalised(source, value):
    assert tree(source) == Prefix("IPC", value, pos=source.index("=") + 1 + ('"' in source))


def test_a_patent_number_typed_alone_is_looked_up_as_a_number_too():
    assert tree("201510163325.6") == Or(
        (Keyword("AN", "201510163325.6", 0), Text("TX", "201510163325.6", pos=0))
    )
    assert tree("CN104805195A") == Or((Keyword("PN", "CN104805195A", 0), Text("TX", "CN104805195A", pos=0)))
    assert tree("20151") == Text("TX", "20151", pos=0)


# --- dates --------------------------------------------------------------------------------------

DATES = [
    ("AD=2015", D(2015, 1, 1), D(2015, 12, 31)),
    ("AD=2016-02", D(2016, 2, 1), D(2016, 2, 29)),
    ("AD=2015-03-01", D(2015, 3, 1), D(2015, 3, 1)),
    ("AD=2015.3.1", D(2015, 3, 1), D(2015, 3, 1)),
    ("AD=2015/3/1", D(2015, 3, 1), D(2015, 3, 1)),
    ("AD=20150301", D(2015, 3, 1), D(2015, 3, 1)),
    ("AD=201503", D(2015, 3, 1), D(2015, 3, 31)),
    ("AD>=2020-01-01", D(2020, 1, 1), None),
    ("AD>2020", D(2021, 1, 1), None),
    ("AD<=2020-06", None, D(2020, 6, 30)),
    ("AD<2020", None, D(2019, 12, 31)),
    ("AD=[2015-01-01 TO 2018-06-30]", D(2015, 1, 1), D(2018, 6, 30)),
    ("AD=[2015 TO 2018]", D(2015, 1, 1), D(2018, 12, 31)),
    ("AD=[2015 to 2018]", D(2015, 1, 1), D(2018, 12, 31)),
    ("AD={2015 TO 2018}", D(2016, 1, 1), D(2017, 12, 31)),
    ("AD=[* TO 2018]", None, D(2018, 12, 31)),
    ("AD=[2015 TO *]", D(2015, 1, 1), None),
]


@pytest.mark.parametrize(("source", "start", "end"), DATES)
def test_dates_and_ranges(source, start, end):
    node = tree(source)
    assert isinstance(node, DateRange)
    assert (node.field, node.start, node.end) == ("AD", start, end)


def test_publication_dates_and_date_groups():
    assert tree("PD=2019") == DateRange("PD", D(2019, 1, 1), D(2019, 12, 31), pos=3)
    assert tree("AD=(2015 OR 2017)") == Or(
        (
            DateRange("AD", D(2015, 1, 1), D(2015, 12, 31), 4),
            DateRange("AD", D(2017, 1, 1), D(2017, 12, 31), 12),
        )
    )


# --- operators and precedence -------------------------------------------------------------------

A, B, C = (Text("TX", t, pos=p) for t, p in (("甲", 0), ("乙", 0), ("丙", 0)))


def shape(node):
    """The tree with positions left out, written compactly."""
    if isinstance(node, Text):
        return node.text
    if isinstance(node, And):
        return ("AND", *map(shape, node.children))
    if isinstance(node, Or):
        return ("OR", *map(shape, node.children))
    if isinstance(node, Not):
        return ("NOT", shape(node.child))
    return node


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("甲 乙", ("AND", "甲", "乙")),
        ("甲 AND 乙", ("AND", "甲", "乙")),
        ("甲 & 乙", ("AND", "甲", "乙")),
        ("甲 && 乙", ("AND", "甲", "乙")),
        ("甲 与 乙", ("AND", "甲", "乙")),
        ("甲 OR 乙", ("OR", "甲", "乙")),
        ("甲 | 乙", ("OR", "甲", "乙")),
        ("甲 || 乙", ("OR", "甲", "乙")),
        ("甲 或 乙", ("OR", "甲", "乙")),
        ("NOT 甲", ("NOT", "甲")),
        ("-甲", ("NOT", "甲")),
        ("- 甲", ("NOT", "甲")),
        ("非 甲", ("NOT", "甲")),
        ("甲 -乙", ("AND", "甲", ("NOT", "乙"))),
        ("甲 NOT 乙", ("AND", "甲", ("NOT", "乙"))),
        # NOT binds tighter than AND, AND tighter than OR.
        ("甲 OR 乙 丙", ("OR", "甲", ("AND", "乙", "丙"))),
        ("甲 乙 OR 丙", ("OR", ("AND", "甲", "乙"), "丙")),
        ("NOT 甲 OR 乙", ("OR", ("NOT", "甲"), "乙")),
        ("NOT 甲 乙", ("AND", ("NOT", "甲"), "乙")),
        ("NOT NOT 甲", ("NOT", ("NOT", "甲"))),
        ("(甲 OR 乙) 丙", ("AND", ("OR", "甲", "乙"), "丙")),
        ("NOT (甲 OR 乙)", ("NOT", ("OR", "甲", "乙"))),
        ("（甲 OR 乙）丙", ("AND", ("OR", "甲", "乙"), "丙")),  # full-width parentheses
        ("甲 OR 乙 OR 丙", ("OR", "甲", "乙", "丙")),
        ("甲 乙 丙", ("AND", "甲", "乙", "丙")),
        ("甲 and 乙", ("AND", "甲", "and", "乙")),  # operators are upper case; "and" is a word
        ("2015-01-01", "2015-01-01"),  # a hyphen inside a word is part of it
    ],
)
def test_operators_and_precedence(source, expected):
    assert shape(tree(source)) == expected


def test_positive_texts_leave_out_negated_terms():
    query = parse("TI=甲 NOT (乙 OR NOT 丙) 丁")
    assert [t.text for t in query.positive_texts()] == ["甲", "丙", "丁"]


# --- errors and their positions -----------------------------------------------------------------

ERRORS = [
    ("(电池", 0, "unclosed parenthesis"),
    ("电池 AND (燃料 OR (电容)", 7, "unclosed parenthesis"),
    ("电池)", 2, "unmatched closing parenthesis"),
    ("()", 0, "empty parentheses"),
    ('"电池', 0, "unclosed quote"),
    ('TI="电池', 3, "unclosed quote"),
    ("XY=电池", 0, "unknown field code XY"),
    ("电池 AND FOO=1", 7, "unknown field code FOO"),
    ("AD=2015-13-01", 3, "bad date 2015-13-01"),
    ("AD=2015-02-30", 3, "bad date 2015-02-30"),
    ("AD>=20x5", 4, "bad date 20x5"),
    ("AD=[2015-01-01 TO 2018-02-31]", 18, "bad date 2018-02-31"),
    ("AD=[2015 TO]", 3, "bad date range, write [2015-01-01 TO 2018-06-30]"),
    ("AD=[2018 TO 2015]", 3, "the date range ends before it starts"),
    ("AD=[2015 TO 2018", 3, "unclosed date range"),
    ("AD>=[2015 TO 2018]", 4, "a date range takes =, not >="),
    ("[2015 TO 2018]", 0, "a date range needs AD or PD before it"),
    ("TI=[2015 TO 2018]", 3, "a date range needs AD or PD before it"),
    ("TI=", 3, "missing value for TI"),
    ("TI= OR 电池", 3, "missing value for TI"),
    ("TI=AB=电池", 3, "missing value for TI"),
    ("TI=-电池", 3, "missing value for TI"),
    ("AD>=(2015 OR 2016)", 4, ">= takes one date, not a group"),
    ("TI>=2015", 2, ">= applies to the date fields AD and PD only"),
    ("AD~=2015", 2, "~= (word matching) applies to text fields only"),
    ("电池 AND", 3, "missing term after AND"),
    ("电池 OR", 3, "missing term after OR"),
    ("电池 OR OR 电容", 3, "missing term after OR"),
    ("电池 AND )", 3, "missing term after AND"),
    ("NOT", 0, "missing term after NOT"),
    ("电池 -", 3, "missing term after -"),
    ("AND 电池", 0, "missing term before AND"),
    ("(OR 电池)", 1, "missing term before OR"),
    ("TYPE=发明专利权", 5, "unknown patent type 发明专利权"),
    ("LS=作废", 3, "unknown legal status 作废"),
    ("IPC=Z01", 4, "bad IPC code Z01"),
    ("IPC=H01M/00", 4, "bad IPC code H01M/00"),
    ('TI=""', 3, "empty phrase"),
    ("TI=，", 3, "nothing to search for in ，"),
]


@pytest.mark.parametrize(("source", "position", "message"), ERRORS)
def test_errors_name_what_and_where(source, position, message):
    with pytest.raises(QuerySyntaxError) as info:
        parse(source)
    assert info.value.position == position
    assert str(info.value.message) == message
    assert str(info.value) == f"{message} at {position}"


def test_bad_numbers_say_why():
    with pytest.raises(QuerySyntaxError) as info:
        parse("AN=201510163325.7")
    assert info.value.position == 3
    assert str(info.value.message).startswith("bad application number 201510163325.7 (wrong check digit 7")
    with pytest.raises(QuerySyntaxError) as info:
        parse("电池 PN=XY12")
    assert info.value.position == 6
    assert str(info.value.message).startswith("bad publication number XY12")


def test_an_unknown_county_is_an_error_when_the_counties_are_known():
    with pytest.raises(QuerySyntaxError) as info:
        parse("电池 COUNTY=火星", counties={}.get)
    assert (info.value.position, str(info.value.message)) == (10, "unknown county 火星")


def test_limits_on_length_nesting_and_terms():
    with pytest.raises(QuerySyntaxError) as info:
        parse("电" * 2001)
    assert info.value.position == 2000
    with pytest.raises(QuerySyntaxError) as info:
        parse("(" * 40 + "电池" + ")" * 40)
    assert info.value.position == 32
    assert str(info.value.message) == "parentheses nested too deeply"
    with pytest.raises(QuerySyntaxError) as info:
        parse(" ".join(["电池"] * 70))
    assert info.value.position == 64 * 3
    assert str(info.value.message) == "too many terms (at most 64)"


def test_the_pointer_puts_a_caret_under_the_fault():
    with pytest.raises(QuerySyntaxError) as info:
        parse("TI=电池 AND (燃料")
    assert info.value.pointer("TI=电池 AND (燃料") == "TI=电池 AND (燃料\n" + " " * 12 + "^"
