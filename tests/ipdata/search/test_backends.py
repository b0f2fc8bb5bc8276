"""The search suite every backend passes (parametrized over tantivy and PostgreSQL)."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from tests.ipdata.search.conftest import load
from zhichan.ipdata.search.documents import document_from_record
from zhichan.ipdata.search.query import QuerySyntaxError

pytestmark = pytest.mark.django_db  # the PostgreSQL backend's table; the tantivy one ignores it
D = dt.date

CORPUS = [
    {
        "id": 1,
        "application_number": "201510163325.6",
        "application_date": D(2015, 4, 13),
        "publication_number": "CN104805195A",
        "publication_date": D(2015, 7, 22),
        "grant_number": "CN104805195B",
        "grant_date": D(2017, 3, 1),
        "patent_type": "invention",
        "title": "一种锂离子电池的制备方法",
        "abstract": "本发明公开了一种正极材料，提高了能量密度。",
        "claims": "1.一种锂离子电池，其特征在于，包括隔膜。",
        "applicants": ["华为技术有限公司", "清华大学"],
        "inventors": ["张三", "李四"],
        "address": "广东省深圳市龙岗区坂田华为基地",
        "ipc_codes": ["H01M 10/0525", "H01M 4/13"],
        "main_ipc": "H01M 10/0525",
        "legal_status": "valid",
        "agency": "北京集佳知识产权代理有限公司",
        "agents": ["王五"],
        "county": "990102",
        "county_name": "甲区",
    },
    {
        "id": 2,
        "application_number": "201820123456.0",
        "application_date": D(2018, 6, 30),
        "publication_number": "CN208000001U",
        "publication_date": D(2019, 1, 8),
        "patent_type": "utility",
        "title": "燃料电池系统",
        "abstract": "一种燃料电池，包括离子交换膜和双极板。",
        "claims": "",
        "applicants": ["晋中新能源有限公司"],
        "inventors": ["赵六"],
        "address": "山西省晋中市榆次区",
        "ipc_codes": ["H01M 8/04"],
        "main_ipc": "H01M 8/04",
        "legal_status": "pending",
        "agency": "",
        "county": "990103",
        "county_name": "乙县",
    },
    {
        "id": 3,
        "application_number": "202030000001.2",
        "application_date": D(2020, 1, 1),
        "publication_number": "CN306000001S",
        "publication_date": D(2020, 6, 1),
        "patent_type": "design",
        "title": "LED灯具",
        "abstract": "一种LED照明装置。",
        "applicants": ["某某照明公司"],
        "inventors": ["张三丰"],
        "ipc_codes": ["F21V 1/00"],
        "main_ipc": "F21V 1/00",
        "legal_status": "invalid",
    },
    {
        "id": 4,
        "application_number": "201910000002.3",
        "application_date": D(2019, 3, 5),
        "patent_type": "invention",
        "title": "数据处理方法",
        "abstract": "本申请涉及锂离子电池的管理数据。",
        "claims": "1.一种方法，用于电池管理。",
        "applicants": ["晋中数据科技有限公司"],
        "ipc_codes": ["G06F 17/00"],
        "main_ipc": "G06F 17/00",
        "legal_status": "valid",
        "county": "990102",
        "county_name": "甲区",
    },
    {
        "id": 5,
        "application_number": "00100001.2",
        "patent_type": "invention",
        "title": "超级电容器电极",
        "abstract": "电容器的电极材料。",
        "claims": "1.一种超级电容器，包括活性炭电极。",
        "applicants": ["<某>研究所"],
        "legal_status": "unknown",
    },
]


@pytest.fixture
def corpus(backend):
    return load(backend, CORPUS)


def ids(result):
    return sorted(hit.id for hit in result.hits)


def found(backend, query, **kwargs):
    result = backend.search(query, limit=50, **kwargs)
    assert result.total == len(result.hits)
    return ids(result)


# --- field codes ------------------------------------------------------------------------------

FIELD_CASES = [
    ("TI=锂离子电池", [1]),
    ("TI=燃料", [2]),
    ("AB=正极材料", [1]),
    ("AB=锂离子电池", [4]),
    ("CL=隔膜", [1]),
    ("CL=活性炭", [5]),
    ("锂离子电池", [1, 4]),  # bare term: title, abstract or claims
    ("TX=隔膜", [1]),
    ("PA=华为", [1]),
    ("PA=清华大学", [1]),
    ("PA=晋中", [2, 4]),
    ("IN=张三", [1, 3]),  # substring: 张三丰 too
    ("IN=李四", [1]),
    ("ADDR=榆次", [2]),
    ("AG=集佳", [1]),
    ("AG=王五", [1]),
    ("AN=201510163325.6", [1]),
    ("AN=CN201510163325.6", [1]),
    ("AN=ZL2015101633256", [1]),
    ("AN=201510163325", [1]),  # without the check digit
    ("AN=00100001.2", [5]),
    ("PN=CN104805195A", [1]),
    ("PN=CN104805195B", [1]),  # the grant number
    ("PN=CN104805195", [1]),  # without the kind code
    ("PN=104805195", [1]),
    ("PN=CN208000001U", [2]),
    ("TYPE=invention", [1, 4, 5]),
    ("TYPE=发明", [1, 4, 5]),
    ("TYPE=实用新型", [2]),
    ("TYPE=外观设计", [3]),
    ("LS=valid", [1, 4]),
    ("LS=有效", [1, 4]),
    ("LS=审中", [2]),
    ("LS=失效", [3]),
    ("COUNTY=990102", [1, 4]),
    ("COUNTY=乙县", [2]),
    ("AD=2015", [1]),
    ("PD=2019", [2]),
    ("PD=2020-06", [3]),
]


@pytest.mark.parametrize(("query", "expected"), FIELD_CASES)
def test_field_codes(corpus, query, expected):
    assert found(corpus, query) == expected


def test_a_bare_number_finds_the_patent_by_number(corpus):
    assert found(corpus, "201510163325.6") == [1]
    assert found(corpus, "CN104805195A") == [1]


def test_unknown_values_find_nothing(corpus):
    assert found(corpus, "COUNTY=990199") == []
    assert found(corpus, "TI=不存在的词") == []


@pytest.mark.parametrize("facets", [False, True])
def test_a_limit_of_zero_counts_without_hits(corpus, facets):
    everything = corpus.search("CN104805195A", limit=50)
    counted = corpus.search("CN104805195A", limit=0, facets=facets)
    assert counted.total == everything.total == 1 and counted.hits == []


# --- boolean logic, phrases --------------------------------------------------------------------

BOOLEAN_CASES = [
    ("电池 AND 燃料", [2]),
    ("电池 燃料", [2]),  # juxtaposed terms: AND
    ("电池 & 燃料", [2]),
    ("燃料 OR 照明", [2, 3]),
    ("燃料 | 照明", [2, 3]),
    ("燃料 或 照明", [2, 3]),
    ("电池 NOT 燃料", [1, 4]),
    ("电池 -燃料", [1, 4]),
    ("电池 非 燃料", [1, 4]),
    ("NOT 电池", [3, 5]),
    ("-电池", [3, 5]),
    ("NOT TYPE=发明", [2, 3]),
    ("燃料 OR 照明 LS=失效", [2, 3]),  # AND binds tighter: 燃料 OR (照明 AND LS=失效)
    ("(燃料 OR 照明) LS=失效", [3]),
    ("NOT 燃料 OR 照明", [1, 3, 4, 5]),  # (NOT 燃料) OR 照明
    ("NOT (燃料 OR 照明)", [1, 4, 5]),
    ("TI=(燃料 OR 电容)", [2, 5]),
    ("TYPE=(发明 OR 外观设计) NOT LS=有效", [3, 5]),
    ('"锂离子 电池"', [1, 4]),  # a phrase: the spaces do not break the substring
    ('"燃料电池系统"', [2]),
    ('"电池系统 燃料"', []),
    ('TI="LED 灯具"', [3]),
]


@pytest.mark.parametrize(("query", "expected"), BOOLEAN_CASES)
def test_boolean_logic_and_phrases(corpus, query, expected):
    assert found(corpus, query) == expected


# --- substring and word matching ---------------------------------------------------------------


def test_substring_finds_what_word_matching_does_not(corpus):
    # 锂离子电池 is cut into 锂离子 / 电池: 离子电 is a substring of it but not a sequence of words.
    assert found(corpus, "离子电") == [1, 4]
    assert found(corpus, "TI=离子电") == [1]
    assert found(corpus, "TI~=离子电") == []
    assert found(corpus, "TI~=锂离子电池") == [1]
    assert found(corpus, "TI~=电池") == [1]  # 燃料电池系统 is cut 燃料电池 / 系统
    assert found(corpus, "TI=电池") == [1, 2]
    assert found(corpus, "TI~=燃料电池") == [2]
    assert found(corpus, "TX~=锂离子电池") == [1, 4]


def test_a_word_search_never_finds_more_than_the_substring_search(corpus):
    for term in ("电池", "锂离子电池", "燃料电池", "电容器", "数据", "LED"):
        words = set(found(corpus, f"TX~={term}"))
        assert words <= set(found(corpus, term)), term


def test_single_characters_and_latin_runs(corpus):
    assert found(corpus, "氢") == []
    assert found(corpus, "膜") == [1, 2]
    assert found(corpus, "led") == [3]
    assert found(corpus, "ＬＥＤ灯") == [3]  # full-width letters are normalised
    assert found(corpus, "le") == []  # Latin runs match as whole words


def test_a_phrase_does_not_run_from_one_applicant_into_the_next(corpus):
    assert found(corpus, "PA=华为技术有限公司") == [1]
    assert found(corpus, "PA=有限公司清华") == []
    assert found(corpus, "PA=有限公司") == [1, 2, 4]
    assert found(corpus, "PA~=有限公司") == [2, 4]  # the segmenter keeps 华为技术有限公司 whole


# --- IPC prefixes and dates ------------------------------------------------------------------

IPC_CASES = [
    ("IPC=H", [1, 2]),
    ("IPC=H01", [1, 2]),
    ("IPC=H01M", [1, 2]),
    ("IPC=h01m", [1, 2]),
    ('IPC="H01M 10"', [1]),
    ("IPC=H01M10/0525", [1]),
    ('IPC="H01M 10/0525"', [1]),
    ('IPC="H01M 4/13"', [1]),  # a secondary code counts too
    ("IPC=H01M8", [2]),
    ("IPC=F21V", [3]),
    ("IPC=G06F", [4]),
    ("IPC=A01B", []),
]


@pytest.mark.parametrize(("query", "expected"), IPC_CASES)
def test_ipc_prefixes(corpus, query, expected):
    assert found(corpus, query) == expected


DATE_CASES = [
    ("AD=[2015-01-01 TO 2018-06-30]", [1, 2]),  # both ends included
    ("AD=[2015-01-01 TO 2018-06-29]", [1]),
    ("AD={2018-06-30 TO *]", [3, 4]),
    ("AD=[2018 TO 2019]", [2, 4]),
    ("AD=[* TO 2018]", [1, 2]),
    ("AD>=2018-06-30", [2, 3, 4]),
    ("AD>2018-06-30", [3, 4]),
    ("AD<2018-06-30", [1]),
    ("AD<=2018-06-30", [1, 2]),
    ("AD>2018", [3, 4]),
    ("AD=2018-06-30", [2]),
    ("AD=20180630", [2]),
    ("AD=2018.6.30", [2]),
    ("AD=2018/06", [2]),
    ("NOT AD=2015", [2, 3, 4, 5]),  # a record without the date is not in any range
    ("PD=[2019-01-01 TO 2020-12-31]", [2, 3]),
    ("AD=(2015 OR 2020)", [1, 3]),
    ("TI=电池 AND AD=[2015 TO 2018]", [1, 2]),
]


@pytest.mark.parametrize(("query", "expected"), DATE_CASES)
def test_date_ranges(corpus, query, expected):
    assert found(corpus, query) == expected


def test_an_empty_query_finds_everything(corpus):
    assert found(corpus, "") == [1, 2, 3, 4, 5]


def test_a_malformed_query_raises_with_its_position(corpus):
    with pytest.raises(QuerySyntaxError) as info:
        corpus.search("TI=(电池 OR 燃料")
    assert info.value.position == 3


# --- filters, facets ------------------------------------------------------------------------


def test_filters_narrow_the_query(corpus):
    assert found(corpus, "电池", filters={"type": ["invention"]}) == [1, 4]
    assert found(corpus, "电池", filters={"type": ["invention"], "year": [2019]}) == [4]
    assert found(corpus, "", filters={"year": ["2015", "2018"]}) == [1, 2]
    assert found(corpus, "", filters={"county": ["990102"]}) == [1, 4]
    assert found(corpus, "", filters={"ipc_class": ["H01M"]}) == [1, 2]
    assert found(corpus, "", filters={"legal_status": ["valid", "invalid"]}) == [1, 3, 4]


@pytest.mark.parametrize(
    "filters",
    [
        {"nope": ["1"]},
        {"year": ["twenty"]},
        {"type": ["gadget"]},
        {"legal_status": ["x"]},
        {"ipc_class": ["Z9"]},
    ],
)
def test_bad_filters_are_refused_by_name(corpus, filters):
    with pytest.raises(ValidationError) as info:
        corpus.search("", filters=filters)
    assert list(info.value.message_dict) == list(filters)


def test_facets_of_the_small_corpus(corpus):
    result = corpus.search("电池", facets=True)
    assert result.total == 3
    assert result.facets["type"] == [("invention", 2), ("utility", 1)]
    assert dict(result.facets["year"]) == {2015: 1, 2018: 1, 2019: 1}
    assert [v for v, _ in result.facets["year"]] == [2019, 2018, 2015]  # newest first
    assert dict(result.facets["county"]) == {"990102": 2, "990103": 1}
    assert dict(result.facets["ipc_class"]) == {"H01M": 2, "G06F": 1}
    assert dict(result.facets["legal_status"]) == {"valid": 2, "pending": 1}


def _random_corpus(n=240, seed=5):
    rng = random.Random(seed)
    words = ["电池", "电容", "燃料", "照明", "传感器", "数据", "方法", "装置"]
    counties = [("990102", "甲区"), ("990103", "乙县"), ("", "")]
    classes = ["H01M 10/05", "H01G 11/00", "F21V 1/00", "G06F 17/00", "A01B 1/00", "G01N 21/00"]
    records = []
    for i in range(1, n + 1):
        county, name = rng.choice(counties)
        main = rng.choice(classes)
        records.append(
            {
                "id": i,
                "application_number": f"2010{rng.choice('123')}{i:07d}",
                "application_date": D(2010 + rng.randrange(8), rng.randint(1, 12), rng.randint(1, 28))
                if rng.random() < 0.9
                else None,
                "patent_type": rng.choice(["invention", "utility", "design"]),
                "title": "一种" + "".join(rng.sample(words, 2)),
                "abstract": "".join(rng.sample(words, 3)),
                "legal_status": rng.choice(["valid", "pending", "invalid", "unknown"]),
                "ipc_codes": [main, rng.choice(classes)],
                "main_ipc": main,
                "county": county,
                "county_name": name,
            }
        )
    return records


def _brute_force(records):
    counts = {name: Counter() for name in ("year", "type", "county", "ipc_class", "legal_status")}
    for r in records:
        if r["application_date"]:
            counts["year"][r["application_date"].year] += 1
        counts["type"][r["patent_type"]] += 1
        if r["county"]:
            counts["county"][r["county"]] += 1
        counts["ipc_class"][r["main_ipc"][:4]] += 1
        counts["legal_status"][r["legal_status"]] += 1
    return {name: dict(c) for name, c in counts.items()}


@pytest.mark.parametrize(
    ("query", "filters", "keep"),
    [
        ("", {}, lambda r: True),
        ("电池", {}, lambda r: "电池" in r["title"] + r["abstract"]),
        ("TI=电池 OR TI=燃料", {}, lambda r: "电池" in r["title"] or "燃料" in r["title"]),
        (
            "NOT 数据",
            {"type": ["invention"]},
            lambda r: "数据" not in r["title"] + r["abstract"] and r["patent_type"] == "invention",
        ),
        (
            "AD=[2012 TO 2014]",
            {"county": ["990102", "990103"]},
            lambda r: r["application_date"] and 2012 <= r["application_date"].year <= 2014 and r["county"],
        ),
        ("", {"ipc_class": ["H01M", "G06F"]}, lambda r: r["main_ipc"][:4] in ("H01M", "G06F")),
    ],
)
def test_facet_counts_equal_a_brute_force_count(backend, query, filters, keep):
    records = _random_corpus()
    load(backend, records)
    expected_records = [r for r in records if keep(r)]
    result = backend.search(query, filters=filters, facets=True, limit=5)
    assert result.total == len(expected_records)
    assert {name: dict(values) for name, values in result.facets.items()} == _brute_force(expected_records)


def test_a_facet_value_as_a_filter_finds_exactly_its_count(backend):
    load(backend, _random_corpus())
    result = backend.search("电池", facets=True)
    for name in ("year", "type", "county", "ipc_class", "legal_status"):
        for value, count in result.facets[name]:
            assert backend.search("电池", filters={name: [value]}).total == count, (name, value)


# --- highlights, pagination, ranking, sorting ----------------------------------------------------


def test_highlights_mark_the_matches_and_escape_the_text(corpus):
    result = corpus.search("锂离子电池 OR PA=研究所", highlight=True, limit=10)
    by_id = {hit.id: hit.highlights for hit in result.hits}
    assert by_id[1]["title"] == "一种<mark>锂离子电池</mark>的制备方法"
    assert by_id[4]["abstract"] == "本申请涉及<mark>锂离子电池</mark>的管理数据。"
    assert by_id[5]["applicants"] == "&lt;某&gt;<mark>研究所</mark>"
    assert "title" in by_id[5] and "<mark>" not in by_id[5]["title"]


def test_highlights_follow_the_field_and_skip_negated_terms(corpus):
    result = corpus.search("TI=燃料 NOT 照明", highlight=True)
    (hit,) = result.hits
    assert hit.highlights["title"] == "<mark>燃料</mark>电池系统"
    assert "<mark>" not in hit.highlights["abstract"]  # TI= marks the title only
    result = corpus.search("led", highlight=True)
    assert result.hits[0].highlights["title"] == "<mark>LED</mark>灯具"


def test_no_highlights_unless_asked(corpus):
    assert all(hit.highlights == {} for hit in corpus.search("电池").hits)


def test_pagination(backend):
    records = [
        {"id": i, "application_number": f"2015{i:08d}", "title": f"电池{i}", "patent_type": "utility"}
        for i in range(1, 26)
    ]
    load(backend, records)
    pages = [backend.search("电池", offset=offset, limit=10) for offset in (0, 10, 20)]
    assert [p.total for p in pages] == [25, 25, 25]
    assert [len(p.hits) for p in pages] == [10, 10, 5]
    seen = [hit.id for p in pages for hit in p.hits]
    assert sorted(seen) == list(range(1, 26))  # no record twice, none left out
    beyond = backend.search("电池", offset=30, limit=10)
    assert beyond.total == 25 and beyond.hits == []


def test_a_page_beyond_the_window_is_refused(corpus):
    with pytest.raises(ValidationError):
        corpus.search("电池", offset=10_000, limit=20)


def test_a_title_hit_ranks_above_an_abstract_only_hit(corpus):
    result = corpus.search("锂离子电池")
    assert [hit.id for hit in result.hits] == [1, 4]
    assert result.hits[0].score > result.hits[1].score


def test_sorting_by_application_date(corpus):
    newest = corpus.search("", sort="newest", limit=10)
    assert [hit.id for hit in newest.hits][:4] == [3, 4, 2, 1]
    oldest = corpus.search("", sort="oldest", limit=10)
    assert [hit.id for hit in oldest.hits][:4] == [1, 2, 4, 3]
    with pytest.raises(ValidationError):
        corpus.search("", sort="cheapest")


# --- keeping the index up to date ---------------------------------------------------------------


def test_incremental_update(corpus):
    assert corpus.count() == 5
    changed = dict(CORPUS[1], title="氢燃料发动机")
    corpus.index([document_from_record(changed)])
    corpus.commit()
    assert found(corpus, "发动机") == [2]
    assert found(corpus, "燃料电池系统") == []
    assert corpus.count() == 5  # replaced, not added

    corpus.delete([3])
    corpus.commit()
    assert found(corpus, "led") == []
    assert corpus.count() == 4
    assert corpus.stats()["documents"] == 4

    corpus.clear()
    corpus.commit()
    assert corpus.count() == 0
    assert found(corpus, "") == []


# --- aggregation over a whole result set --------------------------------------------------------

APPLICANT_POOL = ["甲公司", "乙大学", "丙研究院", "丁科技", "Acme Ltd", "戊集团"]
INVENTOR_POOL = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九"]


def _named_corpus(n=240, seed=11):
    """The random corpus with applicants and inventors: repeats within a patent and names with
    stray spaces, which count once per patent, stripped."""
    rng = random.Random(seed)
    records = _random_corpus(n, seed)
    for record in records:
        names = rng.sample(APPLICANT_POOL, rng.randint(0, 3))
        if names and rng.random() < 0.3:
            names.append(" " + names[0] + " ")  # the same name again, padded
        record["applicants"] = names
        record["inventors"] = rng.sample(INVENTOR_POOL, rng.randint(0, 4)) + [""]
    return records


def _ranked(counter, top):
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _brute_aggregate(records, top):
    years, types, statuses, counties, ipcs, applicants, inventors = ({} for _ in range(7))
    for r in records:
        if r["application_date"]:
            row = years.setdefault(r["application_date"].year, Counter())
            row[r["patent_type"]] += 1
        types[r["patent_type"]] = types.get(r["patent_type"], 0) + 1
        statuses[r["legal_status"]] = statuses.get(r["legal_status"], 0) + 1
        if r["county"]:
            counties[r["county"]] = counties.get(r["county"], 0) + 1
        ipcs[r["main_ipc"][:4]] = ipcs.get(r["main_ipc"][:4], 0) + 1
        for name in {n.strip() for n in r.get("applicants", []) if n.strip()}:
            applicants[name] = applicants.get(name, 0) + 1
        for name in {n.strip() for n in r.get("inventors", []) if n.strip()}:
            inventors[name] = inventors.get(name, 0) + 1
    return {
        "total": len(records),
        "by_year_type": {y: dict(c) for y, c in years.items()},
        "by_type": types,
        "by_legal_status": statuses,
        "by_county": counties,
        "by_ipc": _ranked(ipcs, top),
        "top_applicants": _ranked(applicants, top),
        "top_inventors": _ranked(inventors, top),
    }


AGGREGATE_CASES = [
    ("", {}, lambda r: True),
    ("电池", {}, lambda r: "电池" in r["title"] + r["abstract"]),
    ("TI=电池 OR TI=燃料", {}, lambda r: "电池" in r["title"] or "燃料" in r["title"]),
    ("PA=甲公司", {}, lambda r: any("甲公司" in n for n in r["applicants"])),
    ("IN=张三 NOT PA=乙大学", {}, lambda r: "张三" in r["inventors"] and "乙大学" not in r["applicants"]),
    (
        "NOT 数据",
        {"type": ["invention"]},
        lambda r: "数据" not in r["title"] + r["abstract"] and r["patent_type"] == "invention",
    ),
    (
        "AD>=2013 AND IPC=H01",
        {"county": ["990102"], "legal_status": ["valid", "pending"]},
        lambda r: (
            bool(r["application_date"])
            and r["application_date"].year >= 2013
            and any(c.startswith("H01") for c in r["ipc_codes"])
        ),
    ),
    ("TI=不存在", {}, lambda r: False),
]


@pytest.mark.parametrize(("query", "filters", "keep"), AGGREGATE_CASES)
@pytest.mark.parametrize("top", [20, 3])
def test_aggregate_equals_a_brute_force_count(backend, query, filters, keep, top):
    records = _named_corpus()
    load(backend, records)

    def chosen(r):
        if not keep(r):
            return False
        if "county" in filters and r["county"] not in filters["county"]:
            return False
        if "legal_status" in filters and r["legal_status"] not in filters["legal_status"]:
            return False
        return "type" not in filters or r["patent_type"] in filters["type"]

    expected = _brute_aggregate([r for r in records if chosen(r)], top)
    assert expected["total"] > 0 or query == "TI=不存在"  # the case compares something
    got = backend.aggregate(query, filters=filters, top=top)
    assert got.total == expected["total"]
    assert got.total == backend.search(query, filters=filters, limit=1).total  # the search's own total
    assert vars(got) == expected


def test_aggregate_ties_are_broken_by_name_beyond_the_first_cut(backend):
    # 300 names once each and two names more often: the 20 shown after those two are the first
    # by name among 300 equal counts, however the engine cuts its value lists.
    records = []
    for i in range(1, 301):
        names = [f"申请人{i:03d}"] + (["常见甲"] if i % 2 else []) + (["常见乙"] if i % 3 == 0 else [])
        records.append(
            {
                "id": i,
                "application_number": f"2010100{i:05d}",
                "title": "一种装置",
                "patent_type": "invention",
                "applicants": names,
                "inventors": [f"人{300 - i:03d}"],
            }
        )
    load(backend, records)
    got = backend.aggregate("装置", top=20)
    assert got.top_applicants == [("常见甲", 150), ("常见乙", 100)] + [
        (f"申请人{i:03d}", 1) for i in range(1, 19)
    ]
    assert got.top_inventors == [(f"人{i:03d}", 1) for i in range(20)]


def test_aggregate_of_the_small_corpus(corpus):
    got = corpus.aggregate("电池")
    assert got.total == 3
    assert got.by_year_type == {2015: {"invention": 1}, 2018: {"utility": 1}, 2019: {"invention": 1}}
    assert got.by_county == {"990102": 2, "990103": 1}
    assert got.by_ipc == [("H01M", 2), ("G06F", 1)]
    assert got.top_applicants == [
        ("华为技术有限公司", 1),
        ("晋中数据科技有限公司", 1),
        ("晋中新能源有限公司", 1),
        ("清华大学", 1),
    ]
    assert got.top_inventors == [("张三", 1), ("李四", 1), ("赵六", 1)]


@pytest.mark.parametrize("top", [0, -1, 1001, "20"])
def test_aggregate_refuses_a_bad_top_by_name(corpus, top):
    with pytest.raises(ValidationError) as info:
        corpus.aggregate("电池", top=top)
    assert "top" in info.value.message_dict


def test_aggregate_raises_for_malformed_queries_and_bad_filters(corpus):
    with pytest.raises(QuerySyntaxError) as info:
        corpus.aggregate("TI=(电池")
    assert info.value.position == 3
    with pytest.raises(ValidationError) as refused:
        corpus.aggregate("电池", filters={"type": ["nonsense"]})
    assert "type" in refused.value.message_dict
