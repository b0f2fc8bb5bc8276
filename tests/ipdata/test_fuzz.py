"""Generated input for the patent query language and the record importers (hypothesis).

Whatever is typed into the search box either searches or is refused with the place of the
fault; whatever file an administrator uploads is imported row by row or refused, and the
records written are exactly the ones the job counts as created: never a crash, never a half
record. The examples are the same on every run (CI is repeatable); ZHICHAN_FUZZ_RANDOM=1
explores new ones and ZHICHAN_FUZZ_EXAMPLES more of them.
"""

import csv
import io
import os

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.ipdata.search.test_service import patents, regions, search_settings  # noqa: F401 - fixtures
from zhichan.ipdata import services as import_services
from zhichan.ipdata.importers import mapping
from zhichan.ipdata.models import ImportStatus, Patent, Trademark
from zhichan.ipdata.numbers import NumberError, check_digit, parse_application_number
from zhichan.ipdata.search import service
from zhichan.ipdata.search.query import MAX_LENGTH, QuerySyntaxError, parse

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("ZHICHAN_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("ZHICHAN_FUZZ_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Pieces of real queries, so that generated ones get past the first character often.
QUERY_PIECES = [
    "TI=", "TX=", "PA=", "IN=", "AB=", "CL=", "ADDR=", "AG=", "TI~=", "IPC=", "AN=", "PN=",
    "TYPE=", "LS=", "COUNTY=", "AD=", "PD=", "AD>=", "PD<", "AD=[", " TO ", "]", "(", ")",
    '"', "“", "”", " AND ", " OR ", " NOT ", "-", "&", "|", "与", "或", "非", " ", "\u3000",
    "电池", "锂离子", "华为", "H01M", "H01M 10/0525", "A01B", "2015", "2015-03-01", "2015.3",
    "20150301", "发明", "实用新型", "有效", "失效", "太谷区", "990102", "201510163325.6",
    "CN105000000A", "*", "?", "=", ">", "<", "\\", "\n", "\x00",
]  # fmt: skip
queries = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(QUERY_PIECES), max_size=30).map("".join),
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=4)), max_size=20).map("".join),
)


@FUZZ
@given(source=queries)
def test_a_query_is_parsed_or_refused_with_its_place(source):
    try:
        query = parse(source)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= max(len(source), MAX_LENGTH)
        assert str(exc.message)
        exc.pointer(source)  # the caret line can always be drawn
        event("refused")
    else:
        assert query.source == source
        event("parsed")


@FUZZ
@given(source=queries)
def test_a_search_answers_or_refuses_whatever_is_typed(patents, source):  # noqa: F811 - fixture
    try:
        result = service.search_patents(source, per_page=5)
    except QuerySyntaxError:
        return
    assert 0 <= len(result.hits) <= 5 and result.total >= len(result.hits)
    assert {hit.id for hit in result.hits} <= {p.id for p in patents}


# --- importers -----------------------------------------------------------------------------------

NUMBERS = ["201510163325.6", "201820123456.0", "202030000001.2", "2015101633256", "CN201510163325.6"]


@st.composite
def application_numbers(draw):
    """Mostly valid numbers never seen before (so rows are created, not updated), some broken."""
    stem = (
        f"{draw(st.integers(2000, 2025))}{draw(st.sampled_from('123'))}{draw(st.integers(0, 9_999_999)):07d}"
    )
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from([*NUMBERS, "", "12345", "abc"]))
    if kind == 1:
        return stem + "." + str((int(check_digit(stem)) + 1) % 10 if check_digit(stem) != "X" else 0)
    return f"{stem}.{check_digit(stem)}"


JUNK = [
    "", " ", "=1+1", "\x00", "\ufeff", '"', ",", "\n", "x" * 300, "1899-01-01", "2999-12-31", "abc",
]  # fmt: skip
# Well-formed values by column, so that many rows get through; junk and free text otherwise.
GOOD = {
    "申请日": ["2015-04-13", "2015/4/13", "20150413", "2019.12.1"],
    "公开(公告)日": ["2016-01-20", "20160120"],
    "授权公告日": ["2017-05-03"],
    "公开(公告)号": ["CN105000000A", "CN105000001B"],
    "授权公告号": ["CN105000001B"],
    "IPC分类号": ["H01M 10/0525", "A01B 1/00;H01M 4/00", "G06F"],
    "主分类号": ["H01M 10/0525", "A01B"],
    "专利类型": ["发明", "实用新型", "外观设计"],
    "法律状态": ["有效", "失效", "审中", "授权"],
    "统一社会信用代码": ["91140700MA0K1234X5", ""],
    "申请(专利权)人": ["华为技术有限公司;晋中市某某科技有限公司", "山西农业大学"],
    "地址": ["山西省晋中市榆次区", "北京市海淀区"],
    "名称": ["一种电池", "燃料电池系统", "LED灯具"],
}


def cells(header):
    good = GOOD.get(header, ["一种电池", "张三;李四", "某专利代理事务所"])
    return st.one_of(
        st.sampled_from(good), st.sampled_from(good), st.sampled_from(JUNK), st.text(max_size=30)
    )


HEADERS = [names[0] for names in mapping.PATENT_HEADERS.values()]


@st.composite
def patent_tables(draw):
    """A CSV export: some known headers (always an application number), maybe an unknown one,
    rows of generated cells, a few of them ragged."""
    headers = ["申请号", *draw(st.lists(st.sampled_from(HEADERS[1:]), max_size=6, unique=True))]
    if draw(st.booleans()):
        headers.append(draw(st.sampled_from(["备注", "被引用次数", "", "申请号"])))
    rows = []
    for _i in range(draw(st.integers(1, 6))):
        row = [draw(application_numbers())]
        row += [draw(cells(h)) for h in headers[1:]]
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))] or [""]
            if draw(st.booleans()):
                row.append("extra")
        rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return out.getvalue().encode(encoding, errors="replace")


def _valid_number(text):
    try:
        parse_application_number(text)
    except NumberError:
        return False
    return True


@FUZZ
@given(data=st.one_of(patent_tables(), patent_tables(), patent_tables(), st.binary(max_size=300)))
def test_an_import_takes_whole_rows_or_refuses_them(jinzhong, tmp_path, data):
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    before = Patent.objects.count(), Trademark.objects.count()
    job = import_services.do_import_file(None, "patent_table", path, batch_size=3)
    job.refresh_from_db()
    assert job.status in (ImportStatus.DONE, ImportStatus.FAILED), job.status
    # What the examples reached (--hypothesis-show-statistics).
    event(f"{job.status}, {'some' if job.created_count + job.updated_count else 'no'} records written")
    patents_now = Patent.objects.count()
    # Exactly the counted records were written.
    assert patents_now - before[0] == job.created_count
    assert Trademark.objects.count() == before[1]
    if job.status == ImportStatus.FAILED:
        assert job.message
    # Every record written is whole: a valid number, its type, its text fields within limits.
    for patent in Patent.objects.order_by("-pk")[: job.created_count]:
        assert _valid_number(patent.application_number), patent.application_number
        assert patent.patent_type and "\x00" not in patent.title
