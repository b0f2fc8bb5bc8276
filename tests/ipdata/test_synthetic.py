import collections
import csv
import random
import re
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from zhichan.enterprises.uscc import parse_uscc
from zhichan.ipdata import synthetic
from zhichan.ipdata.models import LegalStatus, Patent, PatentType, Trademark, TrademarkStatus
from zhichan.ipdata.numbers import (
    application_type,
    application_year,
    parse_application_number,
    parse_publication_number,
    publication_type,
)

CONTRACT_PATENT_HEADERS = [
    "申请号", "申请日", "公开(公告)号", "公开(公告)日", "授权公告号", "授权公告日", "名称", "摘要", "主权项",
    "申请(专利权)人", "发明人", "地址", "IPC分类号", "主分类号", "专利类型", "法律状态", "代理机构", "代理人",
]  # fmt: skip
CONTRACT_TRADEMARK_HEADERS = [
    "注册号", "商标名称", "国际分类", "类似群", "商品/服务", "申请日", "初审公告日", "注册日", "专用权期限",
    "申请人", "地址", "代理机构", "商标状态",
]  # fmt: skip
AS_OF = date(2025, 6, 30)  # the default data date for end_year=2025
IPC_FORM = re.compile(r"^[A-H]\d\d[A-Z] \d{1,4}/\d{2,4}$")


@pytest.fixture(scope="module")
def sample():
    return list(synthetic.patents(20_000, seed=3))


@pytest.fixture(scope="module")
def marks():
    return list(synthetic.trademarks(20_000, seed=3))


def local_counties():
    return set(synthetic.jinzhong_counties().values()) | {"太谷县"}


# -- data files ------------------------------------------------------------------------------------


def test_ipc_table_holds_real_looking_unique_codes_in_all_sections():
    rows = synthetic.ipc_table()
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert all(IPC_FORM.match(code) for code in codes), [c for c in codes if not IPC_FORM.match(c)]
    assert all(row["code"].startswith(row["subclass"] + " ") and row["title_zh"] for row in rows)
    assert {code[0] for code in codes} == set("ABCDEFGH")
    # The industries of the city are there: TCM, coal mining, coking, vinegar, agriculture.
    for code in ("A61K 36/481", "E21D 23/00", "C10B 5/00", "C12J 1/00", "A01B 1/00"):
        assert code in codes


def test_every_topic_draws_from_subclasses_in_the_ipc_table():
    subclasses = {row["subclass"] for row in synthetic.ipc_table()}
    topics = synthetic.vocabulary()["topics"]
    for name, topic in topics.items():
        assert set(topic["subclasses"]) <= subclasses, name
        assert all(isinstance(word, str) for key in ("devices", "parts", "products") for word in topic[key])
    used = {s for topic in topics.values() for s in topic["subclasses"]}
    assert used == subclasses  # no IPC row that no record can get


# -- patents ---------------------------------------------------------------------------------------


def test_patents_are_deterministic_for_a_seed():
    first = list(synthetic.patents(300, seed=11))
    assert first == list(synthetic.patents(300, seed=11))
    assert first != list(synthetic.patents(300, seed=12))


def test_records_have_exactly_the_model_fields_and_pass_field_validation(sample):
    names = {f.name for f in Patent._meta.get_fields()}
    for record in sample[:2000]:
        assert set(record) == set(synthetic.PATENT_FIELDS)
        assert set(record) <= names
        Patent(**record).clean_fields(exclude=["region", "source_job"])


def test_hundred_thousand_records_have_valid_unique_numbers_and_ordered_dates():
    codes = {row["code"] for row in synthetic.ipc_table()}
    applications, publications = set(), set()
    count = 0
    for record in synthetic.patents(100_000, seed=5):
        count += 1
        number = record["application_number"]
        assert parse_application_number(number) == number
        assert application_type(number) == record["patent_type"]
        assert application_year(number) == record["application_date"].year
        publication = record["publication_number"]
        assert parse_publication_number(publication) == publication
        assert publication_type(publication) == record["patent_type"]
        applications.add(number)
        publications.add(publication)
        applied, published = record["application_date"], record["publication_date"]
        granted = record["grant_date"]
        assert applied < published <= AS_OF
        if granted is not None:
            assert published <= granted <= AS_OF
            assert parse_publication_number(record["grant_number"]) == record["grant_number"]
            if record["patent_type"] == PatentType.INVENTION:
                assert published < granted
                assert record["grant_number"] == publication[:-1] + "B"
        else:
            assert record["grant_number"] == ""
        assert set(record["ipc_codes"]) <= codes
        assert record["main_ipc"] == (record["ipc_codes"][0] if record["ipc_codes"] else "")
    assert count == 100_000
    assert len(applications) == count
    assert len(publications) == count


def test_publication_kind_follows_the_type(sample):
    kinds = collections.defaultdict(set)
    for record in sample:
        kinds[record["patent_type"]].add(record["publication_number"][-1])
    assert kinds == {"invention": {"A"}, "utility": {"U"}, "design": {"S"}}
    assert all(r["patent_type"] != "design" or r["ipc_codes"] == [] for r in sample)
    assert all(r["patent_type"] == "design" or 1 <= len(r["ipc_codes"]) <= 4 for r in sample)


def test_legal_status_is_plausible_by_type_and_age(sample):
    by_type = collections.Counter((r["patent_type"], r["legal_status"]) for r in sample)
    # Only inventions wait for examination; utility models and designs are granted when published.
    assert by_type[("utility", "pending")] == by_type[("design", "pending")] == 0
    assert by_type[("invention", "pending")] > 0 and by_type[("invention", "valid")] > 0
    for record in sample:
        status, text = record["legal_status"], record["legal_status_text"]
        if status == LegalStatus.VALID:
            assert record["grant_date"] is not None
            assert text in ("有效", "授权")
        if status == LegalStatus.PENDING:
            assert record["grant_date"] is None
            assert text in ("实质审查", "公开", "审中")
        if status == LegalStatus.INVALID:
            assert text in ("未缴年费终止", "失效", "期限届满", "驳回", "视撤", "撤回")
        if text == "期限届满":
            years = 20 if record["patent_type"] == "invention" else 10
            assert synthetic._plus_years(record["application_date"], years) <= AS_OF
        if record["patent_type"] == "invention" and record["application_date"] > AS_OF - timedelta(days=365):
            assert status in (LegalStatus.PENDING, LegalStatus.UNKNOWN)  # too young to be decided
    # Old utility models have all lapsed or expired.
    old = [r for r in sample if r["patent_type"] == "utility" and r["application_date"].year < 2014]
    assert old and all(r["legal_status"] in ("invalid", "unknown") for r in old)


def test_applicants_follow_a_zipf_law(sample):
    counts = collections.Counter(r["first_applicant"] for r in sample)
    ranked = sorted(counts.values(), reverse=True)
    top = ranked[: max(1, len(ranked) // 100)]
    assert sum(top) / len(sample) > 0.2
    # Yet no single applicant owns the data.
    assert ranked[0] / len(sample) < 0.05
    share_co = sum(len(r["applicants"]) > 1 for r in sample) / len(sample)
    assert 0.06 < share_co < 0.16
    assert sum("大学" in r["first_applicant"] for r in sample) > 100
    for record in sample:
        assert record["first_applicant"] == record["applicants"][0]
        assert 1 <= len(record["inventors"]) <= 6
        assert len(set(record["inventors"])) == len(record["inventors"])
        assert bool(record["agency"]) == bool(record["agents"])


def test_local_share_and_local_addresses(sample):
    counties = local_counties()
    local = [r for r in sample if r["address"].startswith("山西省晋中市")]
    assert 0.27 < len(local) / len(sample) < 0.33
    for record in local:
        assert any(county in record["address"] for county in counties), record["address"]
    old_name = [r for r in local if "太谷县" in r["address"]]
    assert old_name, "some records keep the old county name 太谷县"
    assert all(r["application_date"].year < 2020 for r in old_name)
    assert not any(r["address"].startswith("山西省晋中市") for r in synthetic.patents(2000, local_share=0))
    assert all(r["address"].startswith("山西省晋中市") for r in synthetic.patents(2000, local_share=1))


def test_local_organisations_are_the_enterprises_list(sample):
    names = {e["name"] for e in synthetic.enterprises(3)}
    local_orgs = {
        r["first_applicant"] for r in sample
        if r["address"].startswith("山西省晋中市") and r["first_applicant"].endswith(("公司", "大学", "学院"))
    }  # fmt: skip
    assert local_orgs and local_orgs <= names


def test_titles_and_abstracts_read_like_chinese_patents(sample):
    titles = [r["title"] for r in sample]
    assert sum(t.startswith("一种") for t in titles) / len(titles) > 0.5
    assert any(t.endswith("方法") for t in titles) and any("系统" in t for t in titles)
    assert any(t.endswith("装置") for t in titles)
    for record in sample[:3000]:
        if record["patent_type"] == "design":
            assert record["abstract"].startswith("1．本外观设计产品的名称") and record["claims"] == ""
        else:
            word = "发明" if record["patent_type"] == "invention" else "实用新型"
            assert record["abstract"].startswith(f"本{word}公开了一种")
            assert record["claims"].startswith("1.一种") and "其特征在于" in record["claims"]
    assert len(set(titles)) > len(titles) / 4


def test_titles_mostly_fit_the_main_ipc_subclass(sample):
    topics = synthetic.vocabulary()["topics"].values()
    words: dict[str, set[str]] = collections.defaultdict(set)
    for topic in topics:
        for key in ("devices_by_subclass", "products_by_subclass"):
            for subclass, names in topic.get(key, {}).items():
                words[subclass].update(names)
    checked = [r for r in sample if r["main_ipc"][:4] in words]
    assert len(checked) > 5000
    fitting = sum(any(w in r["title"] for w in words[r["main_ipc"][:4]]) for r in checked)
    assert fitting / len(checked) > 0.5


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="local_share"):
        next(synthetic.patents(1, local_share=1.5))
    with pytest.raises(ValueError, match="start_year"):
        next(synthetic.patents(1, start_year=2020, end_year=2010))
    with pytest.raises(ValueError, match="2004"):
        next(synthetic.patents(1, start_year=2001))
    # A run too large for a year's number space stops with a message instead of repeating numbers.
    serials = synthetic._Serials(random.Random(0), stride=0, spread=1, limit=10, what="publications")
    assert [serials.next("2024") for _ in range(10)] == list(range(10))
    with pytest.raises(ValueError, match="number space"):
        serials.next("2024")


# -- trademarks ------------------------------------------------------------------------------------


def test_trademarks_are_deterministic_for_a_seed():
    first = list(synthetic.trademarks(300, seed=2))
    assert first == list(synthetic.trademarks(300, seed=2))
    assert first != list(synthetic.trademarks(300, seed=4))


def test_trademark_records_have_the_model_fields_and_valid_values(marks):
    names = {f.name for f in Trademark._meta.get_fields()}
    for record in marks[:2000]:
        assert set(record) == set(synthetic.TRADEMARK_FIELDS) and set(record) <= names
        Trademark(**record).clean_fields(exclude=["region", "source_job"])
    numbers = [r["registration_number"] for r in marks]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d{7,8}", n) for n in numbers)
    assert {len(n) for n in numbers} == {7, 8}


def test_trademark_groups_and_goods_belong_to_the_class(marks):
    table = synthetic.trademark_groups()
    for record in marks:
        nice = record["nice_class"]
        assert 1 <= nice <= 45
        groups = dict(table[nice])
        assert 1 <= len(record["similar_groups"]) <= 3
        for code in record["similar_groups"]:
            assert code in groups and code.startswith(f"{nice:02d}")
        allowed = {item for code in record["similar_groups"] for item in groups[code]}
        goods = record["goods"].split(";")
        assert goods and set(goods) <= allowed


def test_trademark_dates_and_status_agree(marks):
    statuses = collections.Counter(r["status"] for r in marks)
    assert {"pending", "published", "registered", "invalid"} <= set(statuses)
    for record in marks:
        applied, published, registered = (
            record["application_date"], record["publication_date"], record["registration_date"]
        )  # fmt: skip
        assert applied <= AS_OF
        if published:
            assert applied < published <= AS_OF
        if registered:
            assert published < registered <= AS_OF
            assert record["expiry_date"] == synthetic._plus_years(registered, 10) - timedelta(days=1)
        else:
            assert record["expiry_date"] is None
        if record["status"] == TrademarkStatus.REGISTERED:
            assert registered and record["expiry_date"] >= AS_OF
        if record["status"] in (TrademarkStatus.PENDING, TrademarkStatus.PUBLISHED):
            assert registered is None
        if record["status_text"] == "商标已失效":
            assert record["expiry_date"] < AS_OF


def test_similar_marks_exist_across_applicants(marks):
    holders = collections.defaultdict(set)
    for record in marks:
        holders[record["name"]].add(record["first_applicant"])
    shared = [name for name, who in holders.items() if len(who) > 1]
    assert len(shared) > 50
    chinese = [n for n in holders if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n)]
    # Near duplicates: a mark and the same mark with one more character or a figure.
    variants = [n for n in chinese if any(n + suffix in holders for suffix in ("及图", "坊", "记", "牌"))]
    assert variants
    assert any(re.fullmatch(r"[A-Z][a-z]+|[A-Z]+", n) for n in holders)  # Latin and pinyin marks


def test_applicants_file_marks_in_the_classes_of_their_trade(marks):
    brewers = [r for r in marks if r["first_applicant"].endswith(("醋业有限公司", "酒业有限公司"))]
    assert len(brewers) > 20
    in_trade = sum(r["nice_class"] in (30, 32, 33, 35) for r in brewers)
    assert in_trade / len(brewers) > 0.6


def test_trademark_local_share(marks):
    local = [r for r in marks if r["address"].startswith("山西省晋中市")]
    assert 0.26 < len(local) / len(marks) < 0.34
    assert all(any(c in r["address"] for c in local_counties()) for r in local)


# -- enterprises -----------------------------------------------------------------------------------


def test_enterprises_have_valid_codes_in_their_county():
    rows = synthetic.enterprises(0)
    counties = synthetic.jinzhong_counties()
    assert rows == synthetic.enterprises(0)
    assert len({r["name"] for r in rows}) == len(rows)
    assert len({r["uscc"] for r in rows}) == len(rows)
    for row in rows:
        assert parse_uscc(row["uscc"]) == row["uscc"]
        assert row["uscc"][2:8] == row["region_code"]
        assert counties[row["region_code"]] == row["county"]
        assert row["address"].startswith("山西省晋中市" + row["county"])
        assert row["industry"]
    kinds = collections.Counter(r["kind"] for r in rows)
    assert kinds["university"] >= 3 and kinds["enterprise"] > 1000
    assert any(r["name"] == "山西农业大学" and r["county"] == "太谷区" for r in rows)


# -- writers and command ---------------------------------------------------------------------------


def test_patent_csv_reads_back_with_the_contract_headers(tmp_path, sample):
    path = tmp_path / "patents.csv"
    records = sample[:500]
    assert synthetic.write_patent_table(path, iter(records)) == 500
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, as Chinese exports
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == CONTRACT_PATENT_HEADERS
        rows = list(reader)
    assert len(rows) == 500
    for row, record in zip(rows, records, strict=True):
        assert row["申请号"] == record["application_number"]
        assert row["申请日"] == record["application_date"].isoformat()
        assert row["申请(专利权)人"].split(";") == record["applicants"]
        assert row["IPC分类号"].split(";") == (record["ipc_codes"] or [""])
        assert row["专利类型"] == synthetic.PATENT_TYPE_LABELS[record["patent_type"]]
        assert row["法律状态"] == record["legal_status_text"]
        assert row["授权公告日"] == (record["grant_date"].isoformat() if record["grant_date"] else "")


def test_trademark_csv_and_xlsx(tmp_path, marks):
    from openpyxl import load_workbook

    records = marks[:300]
    csv_path, xlsx_path = tmp_path / "tm.csv", tmp_path / "tm.xlsx"
    synthetic.write_trademark_table(csv_path, records)
    synthetic.write_trademark_table(xlsx_path, records, fmt="xlsx")
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == CONTRACT_TRADEMARK_HEADERS
        rows = list(reader)
    sheet = load_workbook(xlsx_path, read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == CONTRACT_TRADEMARK_HEADERS and len(table) == 301
    for row, cells, record in zip(rows, table[1:], records, strict=True):
        assert row["注册号"] == cells[0] == record["registration_number"]
        assert row["类似群"].split(";") == record["similar_groups"]
        if record["expiry_date"]:
            assert row["专用权期限"] == f"{record['registration_date']}至{record['expiry_date']}"
        else:
            assert row["专用权期限"] == ""


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="format"):
        synthetic.write_patent_table(tmp_path / "x.txt", [], fmt="txt")


def test_generate_command_writes_the_files(tmp_path, capsys):
    call_command("generate_ipdata", "--patents", "120", "--trademarks", "80", "--out", str(tmp_path / "o"),
                 "--seed", "9")  # fmt: skip
    folder = tmp_path / "o"
    with open(folder / "patents.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 120
    assert rows[0]["申请号"] == next(synthetic.patents(120, seed=9))["application_number"]
    with open(folder / "trademarks.csv", encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 80
    with open(folder / "enterprises.csv", encoding="utf-8-sig") as handle:
        assert [r["uscc"] for r in csv.DictReader(handle)] == [e["uscc"] for e in synthetic.enterprises(9)]
    captured = capsys.readouterr()
    assert "patents: 120/120" in captured.err


def test_generate_command_xlsx(tmp_path):
    from openpyxl import load_workbook

    call_command("generate_ipdata", "--patents", "30", "--out", str(tmp_path), "--format", "xlsx")
    sheet = load_workbook(tmp_path / "patents.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == CONTRACT_PATENT_HEADERS and len(rows) == 31
    assert not (tmp_path / "trademarks.xlsx").exists()


@pytest.mark.parametrize(
    "args",
    [["--patents", "-1"], ["--trademarks", "-5"], ["--local-share", "2"]],
)
def test_generate_command_refuses_bad_numbers(tmp_path, args):
    with pytest.raises(CommandError):
        call_command("generate_ipdata", "--out", str(tmp_path), *args)
    assert not (tmp_path / "enterprises.csv").exists()
