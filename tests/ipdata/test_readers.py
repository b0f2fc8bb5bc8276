"""Readers, header mapping, status tables and the row checks (no database needed for most)."""

import csv
import datetime as dt
import inspect
import io
import tracemalloc
import zipfile

import pytest

from zhichan.ipdata import importers
from zhichan.ipdata.importers import mapping
from zhichan.ipdata.importers.records import RowRefused, patent_record, trademark_record
from zhichan.ipdata.importers.tables import CsvReader, FileProblem, XlsxReader, detect_encoding
from zhichan.ipdata.importers.xml import XmlReader
from zhichan.ipdata.numbers import check_digit

HEAD = ["申请号", "申请日", "名称", "专利类型", "申请(专利权)人", "地址"]


def number(serial: int, type_digit="1", year=2015) -> str:
    digits = f"{year}{type_digit}{serial:07d}"
    return f"{digits}.{check_digit(digits)}"


def write_csv(path, rows, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("申请号", "application_number"),
        ("专利申请号", "application_number"),
        ("申请号码", "application_number"),
        ("\ufeff申请号", "application_number"),
        (" 申请日期 ", "application_date"),
        ("公开（公告）号", "publication_number"),
        ("公开公告号", "publication_number"),
        ("公开号", "publication_number"),
        ("发明名称", "title"),
        ("标题", "title"),
        ("专利权人", "applicants"),
        ("申请（专利权）人", "applicants"),
        ("IPC", "ipc_codes"),
        ("分类号", "ipc_codes"),
        ("主IPC", "main_ipc"),
        ("申请人地址", "address"),
        ("当前法律状态", "legal_status_text"),
        ("法律状态/事件", "legal_status_text"),
        ("权利要求", "claims"),
        ("主 权 项", "claims"),
    ],
)
def test_patent_header_variants(header, field):
    assert mapping.PATENT_INDEX[mapping.normalize_header(header)] == field


def test_trademark_headers_read_the_application_number_as_the_registration_number():
    assert mapping.TRADEMARK_INDEX[mapping.normalize_header("申请号")] == "registration_number"
    assert mapping.TRADEMARK_INDEX[mapping.normalize_header("专用权期限")] == "period"


def test_each_header_belongs_to_one_field():
    for table in (mapping.PATENT_HEADERS, mapping.TRADEMARK_HEADERS):
        seen = {}
        for field, headers in table.items():
            for header in headers:
                key = mapping.normalize_header(header)
                assert seen.setdefault(key, field) == field, f"{header} is listed under two fields"


# --- status tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [("有效", "valid"), ("授权", "valid"), ("审中", "pending"), ("实质审查", "pending"), ("失效", "invalid"),
     ("驳回", "invalid"), ("视撤", "invalid"), ("未缴年费终止", "invalid"),
     ("专利权的终止-未缴年费", "invalid"),
     ("发明专利申请公布后的视为撤回", "invalid"), ("", "unknown"), ("其他", "unknown")],
)  # fmt: skip
def test_legal_status_texts(text, status):
    assert mapping.legal_status(text) == status


@pytest.mark.parametrize(
    ("text", "status"),
    [("已注册", "registered"), ("注册商标", "registered"), ("初审公告", "published"), ("申请中", "pending"),
     ("等待实质审查", "pending"), ("已无效", "invalid"), ("撤销", "invalid"), ("商标无效", "invalid"),
     ("", "unknown"), ("不明", "unknown")],
)  # fmt: skip
def test_trademark_status_texts(text, status):
    assert mapping.trademark_status(text) == status


# --- row checks -------------------------------------------------------------------------------


def test_patent_type_from_the_number_when_not_written():
    record = patent_record({"application_number": number(1, "2"), "title": "一种装置"})
    assert record["patent_type"] == "utility"


def test_patent_type_written_and_number_must_agree():
    with pytest.raises(RowRefused) as refused:
        patent_record({"application_number": number(1, "2"), "title": "x", "patent_type": "发明"})
    assert [p.field for p in refused.value.problems] == ["patent_type"]
    assert "contradicts" in refused.value.problems[0].message


def test_unknown_patent_type_is_refused():
    with pytest.raises(RowRefused, match="unknown patent type"):
        patent_record({"application_number": number(1), "title": "x", "patent_type": "专利"})


def test_publication_kind_must_fit_the_type():
    with pytest.raises(RowRefused, match="kind code"):
        patent_record(
            {"application_number": number(1, "2"), "title": "x", "publication_number": "CN104805195A"}
        )


def test_every_problem_of_a_row_is_listed():
    with pytest.raises(RowRefused) as refused:
        patent_record(
            {
                "application_number": "123",
                "application_date": "2015-02-30",
                "title": "",
                "ipc_codes": "Q1;A01B 1/00",
            }
        )
    fields = [p.field for p in refused.value.problems]
    assert fields == ["application_number", "application_date", "title", "ipc_codes"]
    assert refused.value.problems[-1].value == "Q1"


def test_only_the_columns_given_are_in_the_record():
    record = patent_record({"application_number": number(5), "title": "一种方法"})
    assert set(record) == {"application_number", "title", "patent_type"}


def test_ipc_main_code_and_list():
    record = patent_record(
        {
            "application_number": number(5),
            "ipc_codes": "A01B1/00；A01B0003/00;A01B 1/00",
            "main_ipc": "C12N1/20",
        }
    )
    assert record["ipc_codes"] == ["C12N 1/20", "A01B 1/00", "A01B 3/00"]
    assert record["main_ipc"] == "C12N 1/20"
    record = patent_record({"application_number": number(5), "ipc_codes": "A01B1/00;A01B3/00"})
    assert record["main_ipc"] == "A01B 1/00"


def test_uscc_is_checked():
    with pytest.raises(RowRefused, match="credit code"):
        patent_record({"application_number": number(5), "applicant_uscc": "91140700MA0000000X"})


def test_trademark_period_gives_registration_and_expiry():
    record = trademark_record(
        {
            "registration_number": "12345678",
            "name": "禾丰",
            "nice_class": "31",
            "period": "2016-04-14至2026-04-13",
        }
    )
    assert record["registration_date"] == dt.date(2016, 4, 14)
    assert record["expiry_date"] == dt.date(2026, 4, 13)


def test_trademark_needs_class_and_groups_of_it():
    with pytest.raises(RowRefused) as refused:
        trademark_record({"registration_number": "1", "name": "x", "similar_groups": "0901"})
    assert [p.field for p in refused.value.problems] == ["nice_class"]
    record = trademark_record(
        {"registration_number": "1", "name": "x", "nice_class": 9, "similar_groups": "0901,0902 0901"}
    )
    assert record["similar_groups"] == ["0901", "0902"]


# --- CSV --------------------------------------------------------------------------------------


def test_csv_encodings_are_detected(tmp_path):
    row = [number(1), "2015-01-01", "一种醋", "发明", "山西某某醋业有限公司", "山西省晋中市"]
    for encoding, expected in (("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("gb18030", "gb18030")):
        path = write_csv(tmp_path / f"{encoding}.csv", [HEAD, row], encoding=encoding)
        assert detect_encoding(path) == expected
        rows = list(CsvReader(path, mapping.PATENT_INDEX).rows())
        assert rows == [(2, dict(zip(["application_number", "application_date", "title", "patent_type",
                                      "applicants", "address"], row, strict=True)))]  # fmt: skip


def test_csv_title_lines_tabs_and_blank_rows(tmp_path):
    path = write_csv(
        tmp_path / "t.tsv",
        [["检索式：晋中"], [], HEAD, [number(1), "2015-01-01", "甲"], ["", "", ""], [number(2), "", "乙"]],
        delimiter="\t",
    )
    reader = CsvReader(path, mapping.PATENT_INDEX)
    rows = list(reader.rows())
    assert [r[0] for r in rows] == [4, 6]  # spreadsheet row numbers
    assert rows[0][1]["title"] == "甲" and rows[0][1]["address"] is None
    assert reader.header_row == 3


def test_csv_without_a_header_row(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "b"]] * 20)
    with pytest.raises(FileProblem, match="No header row"):
        list(CsvReader(path, mapping.PATENT_INDEX).rows())


def test_unknown_headers_are_listed(tmp_path):
    path = write_csv(tmp_path / "x.csv", [[*HEAD, "被引用次数"], [number(1)]])
    reader = CsvReader(path, mapping.PATENT_INDEX)
    list(reader.rows())
    assert reader.unknown == ["被引用次数"]
    assert reader.columns["application_number"] == "申请号"


def test_a_large_csv_is_streamed(tmp_path):
    """2 x 10^4 generated rows: the reader is a generator and holds a row at a time, not the file."""
    from zhichan.ipdata import synthetic

    path = tmp_path / "big.csv"
    synthetic.write_patent_table(path, synthetic.patents(20_000, seed=7), "csv")
    size = path.stat().st_size
    reader = CsvReader(path, mapping.PATENT_INDEX)
    rows = reader.rows()
    assert inspect.isgenerator(rows)
    tracemalloc.start()
    try:
        seen = sum(1 for _ in rows)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == 20_000
    assert peak < size / 100, f"peak {peak} bytes while reading a {size}-byte file"


# --- XLSX -------------------------------------------------------------------------------------


def write_xlsx(path, rows, write_only=False):
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("导出") if write_only else workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_cells_of_every_type(tmp_path):
    path = write_xlsx(
        tmp_path / "p.xlsx",
        [
            ["专利检索导出"],
            HEAD,
            [number(1), dt.datetime(2015, 4, 13), "甲", "发明", "甲公司", "晋中市"],
            [float(number(2)), 42107, "乙", "发明", "乙公司", "晋中市"],  # numbers typed as numbers
            [None, None, None],
            [int(number(4).replace(".", "")), 20150413, "丙", "发明", "丙公司", "晋中市"],
        ],
    )
    reader = XlsxReader(path, mapping.PATENT_INDEX)
    assert inspect.isgenerator(reader.rows())
    rows = list(reader.rows())
    assert [r[0] for r in rows] == [3, 4, 6]
    records = [patent_record(values) for _n, values in rows]
    assert [r["application_number"] for r in records] == [number(1), number(2), number(4)]
    assert {r["application_date"] for r in records} == {dt.date(2015, 4, 13)}
    # Written in streaming mode (no dimensions recorded): read the same way.
    streamed = write_xlsx(tmp_path / "w.xlsx", [HEAD, [number(1)]], write_only=True)
    assert len(list(XlsxReader(streamed, mapping.PATENT_INDEX).rows())) == 1


def test_damaged_xlsx(tmp_path):
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml")
    with pytest.raises(FileProblem, match="cannot be read"):
        list(XlsxReader(path, mapping.PATENT_INDEX).rows())


# --- XML --------------------------------------------------------------------------------------


def test_xml_fixture(fixture):
    reader = XmlReader(fixture("patents.xml"))
    rows = list(reader.rows())
    assert len(rows) == 4
    first = patent_record(rows[0][1])
    assert first["application_number"] == "201510163325.6"
    assert first["publication_number"] == "CN104805195A"
    assert first["ipc_codes"] == ["C12N 1/20", "A01N 63/00"] and first["main_ipc"] == "C12N 1/20"
    assert first["applicants"] == ["晋中市禾丰农业科技有限公司", "山西农业大学"]
    assert first["address"] == "030801 山西省晋中市太谷区铭贤南路1号"
    assert first["agency"] == "太原科卫专利事务所(普通合伙)" and first["agents"] == ["王五"]
    assert first["abstract"] == "本发明公开了一种微生物菌剂。\n菌剂用于改良土壤。"
    assert first["claims"].startswith("1. 一种微生物菌剂")
    assert "grant_number" not in first
    grant = patent_record(rows[1][1])
    assert grant["grant_number"] == "CN104805195B" and grant["grant_date"] == dt.date(2017, 9, 15)
    assert "publication_number" not in grant and grant["legal_status"] == "valid"
    utility = patent_record(rows[2][1])  # plain ST.36 with a namespace and addressbooks
    assert utility["patent_type"] == "utility"
    assert utility["publication_number"] == utility["grant_number"] == "CN203912345U"
    assert utility["ipc_codes"] == ["A23N 5/03"]
    assert utility["applicants"] == ["左权县核桃产业有限公司"] and utility["inventors"] == ["赵六"]
    assert utility["agency"] == "晋中市某某专利代理事务所" and utility["agents"] == ["钱七"]
    with pytest.raises(RowRefused, match="check digit"):
        patent_record(rows[3][1])


def test_xml_entities_are_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        "<r><patent-document><invention-title>&b;</invention-title></patent-document></r>"
    )
    with pytest.raises(FileProblem, match="entities"):
        list(XmlReader(path).rows())


def test_xml_malformed_and_empty(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<r><patent-document></r>")
    with pytest.raises(FileProblem, match="malformed"):
        list(XmlReader(bad).rows())
    empty = tmp_path / "empty.xml"
    empty.write_text("<r><other/></r>")
    with pytest.raises(FileProblem, match="No patent records"):
        list(XmlReader(empty).rows())


def test_a_large_xml_is_streamed(tmp_path):
    record = (
        "<cn-patent-document><cn-bibliographic-data><application-reference><document-id>"
        "<doc-number>{n}</doc-number><date>20150101</date></document-id></application-reference>"
        "<invention-title>一种装置{i}</invention-title></cn-bibliographic-data>"
        "<abstract><p>" + "摘要" * 200 + "</p></abstract></cn-patent-document>\n"
    )
    path = tmp_path / "big.xml"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("<cn-patent-documents>\n")
        for i in range(8_000):
            fh.write(record.format(n=number(i + 1), i=i))
        fh.write("</cn-patent-documents>\n")
    size = path.stat().st_size
    reader = XmlReader(path)
    assert inspect.isgenerator(reader.rows())
    tracemalloc.start()
    try:
        seen = sum(1 for _ in reader.rows())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == 8_000
    assert peak < size / 20, f"peak {peak} bytes while reading a {size}-byte file"


# --- formats and kinds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "found"),
    [
        ("申请号,名称\n".encode(), "csv"),
        ("申请号,名称\n".encode("gb18030"), "csv"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><r/>", "xml"),
    ],
)
def test_formats_by_content(content, found):
    assert importers.detect_format(io.BytesIO(content)) == found


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html></html>", "web page"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "XLS"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "binary"),
    ],
)
def test_formats_refused(content, reason):
    with pytest.raises(importers.UnknownFormat, match=reason):
        importers.detect_format(io.BytesIO(content))


def test_zip_that_is_not_a_workbook():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(importers.UnknownFormat, match="ZIP"):
        importers.detect_format(data)


def test_kind_is_guessed(fixture, tmp_path):
    assert importers.guess_kind(fixture("patents.csv")) == "patent_table"
    assert importers.guess_kind(fixture("patents-gb18030.csv")) == "patent_table"
    assert importers.guess_kind(fixture("patents.xml")) == "patent_xml"
    assert importers.guess_kind(fixture("trademarks.csv")) == "trademark_table"
    xlsx = write_xlsx(tmp_path / "t.xlsx", [["申请号", "商标名称", "国际分类"], ["1", "甲", 9]])
    assert importers.guess_kind(xlsx) == "trademark_table"
    other = write_csv(tmp_path / "o.csv", [["姓名", "电话"], ["甲", "1"]])
    assert importers.guess_kind(other) is None


def test_reader_refuses_a_file_of_another_format(fixture):
    with pytest.raises(FileProblem, match="needs a XML file"):
        importers.open_reader("patent_xml", fixture("patents.csv"))
    with pytest.raises(FileProblem, match="CSV / XLSX"):
        importers.open_reader("patent_table", fixture("patents.xml"))
