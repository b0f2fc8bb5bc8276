import datetime as dt

import pytest

from zhichan.ipdata import validators as v


@pytest.fixture(autouse=True)
def _english(english):
    """The messages are quoted in English."""


D = dt.date(2015, 4, 13)


@pytest.mark.parametrize(
    "written",
    ["2015-04-13", "2015.04.13", "2015/4/13", "20150413", "2015-4-13", " 2015-04-13 ", "2015年4月13日",
     "2015-04-13 00:00:00", 20150413, 42107, 42107.75, dt.datetime(2015, 4, 13, 9, 30), D],
)  # fmt: skip
def test_dates_in_every_written_form(written):
    assert v.parse_date(written) == D


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_an_empty_date_is_none(empty):
    assert v.parse_date(empty) is None


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("2015-13-01", "no such day"),
        ("2015-02-30", "no such day"),
        ("13/04/2015", "not a date"),
        ("yesterday", "not a date"),
        ("1890-01-01", "outside"),
        ("2150-01-01", "outside"),
        (-5, "not a date"),
        (True, "not a date"),
    ],
)
def test_bad_dates_name_the_reason(written, reason):
    with pytest.raises(v.InvalidValue, match=reason):
        v.parse_date(written)


def test_excel_serial_numbers():
    assert v.excel_serial(36526) == dt.date(2000, 1, 1)
    assert v.parse_date(36526.5) == dt.date(2000, 1, 1)
    with pytest.raises(v.InvalidValue, match="outside"):
        v.excel_serial(10)  # 1900: before the earliest accepted date


def test_periods():
    assert v.parse_period("2016-04-14至2026-04-13") == (dt.date(2016, 4, 14), dt.date(2026, 4, 13))
    assert v.parse_period("2016.04.14 ~ 2026.04.13") == (dt.date(2016, 4, 14), dt.date(2026, 4, 13))
    assert v.parse_period("20160414到20260413") == (dt.date(2016, 4, 14), dt.date(2026, 4, 13))
    assert v.parse_period("") == (None, None)
    with pytest.raises(v.InvalidValue, match="not a period"):
        v.parse_period("2016-04-14")
    with pytest.raises(v.InvalidValue, match="ends before"):
        v.parse_period("2026-04-14至2016-04-13")
    with pytest.raises(v.InvalidValue, match="no such day"):
        v.parse_period("2016-02-30至2026-04-13")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("A01B1/00", "A01B 1/00"),
        ("A01B 1/00", "A01B 1/00"),
        ("A01B0001/00", "A01B 1/00"),
        ("a01b 1/00", "A01B 1/00"),
        ("C12N   1/20", "C12N 1/20"),
        ("G06F 16/9535", "G06F 16/9535"),
        ("H04L 9/32(2006.01)", "H04L 9/32"),
        ("B65D 1023/123456", "B65D 1023/123456"),
    ],
)
def test_ipc_codes_are_normalised(written, canonical):
    assert v.ipc_code(written) == canonical


@pytest.mark.parametrize(
    "written",
    ["X01B 1/00", "A1B 1/00", "A01 1/00", "A01B 1/0", "A01B /00", "A01B 12345/00", "A01B 1/1234567",
     "A01B 0/00", "A01B", "", "A01B 1-00"],
)  # fmt: skip
def test_bad_ipc_codes(written):
    with pytest.raises(v.InvalidValue):
        v.ipc_code(written)


def test_ipc_message_names_the_rule():
    with pytest.raises(v.InvalidValue, match="section A–H"):
        v.ipc_code("Z99Z 1/00")
    with pytest.raises(v.InvalidValue, match="main group 0"):
        v.ipc_code("A01B 0000/00")


@pytest.mark.parametrize(
    ("written", "number"), [("9", 9), ("09", 9), ("第9类", 9), (9.0, 9), (45, 45), ("1", 1)]
)
def test_nice_classes(written, number):
    assert v.nice_class(written) == number


@pytest.mark.parametrize("written", ["0", "46", "-1", "9a", "", "第46类", 9.5])
def test_bad_nice_classes(written):
    with pytest.raises(v.InvalidValue, match="1 to 45"):
        v.nice_class(written)


def test_similar_groups_belong_to_their_class():
    assert v.similar_group("0901", 9) == "0901"
    assert v.similar_group("3505", 35) == "3505"
    with pytest.raises(v.InvalidValue, match="not in class 9"):
        v.similar_group("3101", 9)
    with pytest.raises(v.InvalidValue, match="4 digits"):
        v.similar_group("901", 9)
    with pytest.raises(v.InvalidValue, match="4 digits"):
        v.similar_group("09A1", 9)


def test_split_values():
    assert v.split_values("张三;李四；王五") == ["张三", "李四", "王五"]
    assert v.split_values(" 张三 ;;张三; ") == ["张三"]
    assert v.split_values("") == []
    assert v.split_values(None) == []
    assert v.split_values(["甲", " 乙 ", ""]) == ["甲", "乙"]


def test_application_numbers_through_the_number_parser():
    assert v.application_number("CN201510163325.6") == "201510163325.6"
    assert v.application_number(2015101633256) == "201510163325.6"  # a number cell in XLSX
    with pytest.raises(v.InvalidValue, match="check digit"):
        v.application_number("201510163325.5")
    with pytest.raises(v.InvalidValue, match="missing"):
        v.application_number("")
    with pytest.raises(v.InvalidValue, match="invalid application number"):
        v.application_number("abc")


def test_publication_numbers():
    assert v.publication_number("CN 104805195 A") == "CN104805195A"
    assert v.publication_number("104805195A") == "CN104805195A"
    assert v.publication_number("") == ""
    with pytest.raises(v.InvalidValue, match="invalid publication number"):
        v.publication_number("CN104805195Q")


def test_trademark_numbers():
    assert v.trademark_number(" 12345678 ") == "12345678"
    assert v.trademark_number(12345678.0) == "12345678"
    assert v.trademark_number("g1234567") == "G1234567"
    for bad in ("ABC123", "12-34", "12345678901"):
        with pytest.raises(v.InvalidValue, match="registration number"):
            v.trademark_number(bad)


def test_bounded_text():
    assert v.bounded(" 甲 ", 5) == "甲"
    with pytest.raises(v.InvalidValue, match="longer than 3"):
        v.bounded("甲乙丙丁", 3)


def test_text_of_cells():
    assert v.text(12.0) == "12"
    assert v.text(201510163325.6) == "201510163325.6"
    assert v.text(None) == ""
    assert v.text("a\x00b\u3000") == "ab"
