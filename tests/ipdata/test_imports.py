"""Importing files: counts, the error report, upserts, linking, idempotence, failures."""

import csv
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhichan.enterprises.models import Enterprise
from zhichan.ipdata import services
from zhichan.ipdata.models import ImportJob, ImportRowError, Patent, Trademark

pytestmark = pytest.mark.django_db


def counts(job):
    return {
        "processed": job.processed_rows,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "refused": job.error_count,
        "merged": job.merged_count,
    }


def writes(queries, *tables):
    """The INSERT, UPDATE and DELETE statements on `tables`."""
    found = []
    for query in queries:
        sql = re.sub(r"^\d+ TIMES: ", "", query["sql"].lstrip().upper())  # executemany
        if sql.startswith(("INSERT", "UPDATE", "DELETE")) and any(f'"{t.upper()}"' in sql for t in tables):
            found.append(query["sql"])
    return found


RECORD_TABLES = (
    "ipdata_patent",
    "ipdata_patent_enterprises",
    "ipdata_trademark",
    "ipdata_trademark_enterprises",
    "enterprises_enterprise",
)


def test_patent_table_good_rows_kept_bad_rows_listed(jinzhong, fixture):
    job = services.do_import_file(None, "patent_table", fixture("patents.csv"))
    assert job.status == "done", job.message
    assert job.total_rows == 8
    assert counts(job) == {
        "processed": 8,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "refused": 3,
        "merged": 0,
    }
    errors = [(e.row, e.field, e.value) for e in ImportRowError.objects.filter(job=job)]
    assert errors == [
        (5, "专利申请号", "201710987654.2"),
        (6, "申请日期", "2018-13-01"),
        (6, "专利类型", "发明"),
        (7, "IPC分类号", "X99Z 1/00"),
    ]
    assert "check digit" in ImportRowError.objects.filter(job=job).first().message
    assert Patent.objects.count() == 5

    first = Patent.objects.get(application_number="201510163325.6")
    assert first.patent_type == "invention" and first.title == "一种微生物菌剂及其制备方法"
    assert first.application_date == dt.date(2015, 4, 8) and first.publication_date == dt.date(2015, 7, 29)
    assert first.applicants == ["晋中市禾丰农业科技有限公司", "山西农业大学"]
    assert first.first_applicant == "晋中市禾丰农业科技有限公司"
    assert first.ipc_codes == ["C12N 1/20", "A01N 63/00"] and first.main_ipc == "C12N 1/20"
    assert (first.legal_status, first.legal_status_text) == ("pending", "实质审查")
    assert first.region == jinzhong["太谷区"] and first.source_job == job
    assert [e.name for e in first.enterprises.all()] == ["晋中市禾丰农业科技有限公司"]

    utility = Patent.objects.get(application_number="201420345678.9")
    assert utility.grant_number == "CN203912345U" and utility.legal_status == "valid"
    assert utility.region == jinzhong["左权县"]
    design = Patent.objects.get(application_number="201530123456.2")
    assert design.legal_status == "invalid" and design.region == jinzhong["平遥县"]
    beijing = Patent.objects.get(application_number="202010001234.3")
    assert beijing.region is None and not beijing.enterprises.exists()
    person = Patent.objects.get(application_number="202120002345.6")
    assert person.region == jinzhong["榆次区"] and not person.enterprises.exists()
    # Local first applicants that are organisations became enterprises; Beijing's did not.
    assert set(Enterprise.objects.values_list("name", flat=True)) == {
        "晋中市禾丰农业科技有限公司",
        "左权县核桃产业有限公司",
        "平遥县冠云牛肉有限公司",
    }
    assert job.events.filter(kind="done").exists()
    assert "3 new local enterprises" in job.message


def test_second_import_of_the_same_file_changes_nothing(jinzhong, fixture):
    with CaptureQueriesContext(connection) as first:
        services.do_import_file(None, "patent_table", fixture("patents.csv"))
    assert len(writes(first.captured_queries, *RECORD_TABLES)) >= 3  # records, links, enterprises
    before = dict(Patent.objects.values_list("application_number", "updated_at"))
    with CaptureQueriesContext(connection) as queries:
        again = services.do_import_file(None, "patent_table", fixture("patents.csv"))
    assert counts(again) == {
        "processed": 8,
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "refused": 3,
        "merged": 0,
    }
    assert writes(queries.captured_queries, *RECORD_TABLES) == []
    assert dict(Patent.objects.values_list("application_number", "updated_at")) == before
    assert Enterprise.objects.count() == 3


def test_a_changed_row_is_updated_and_missing_columns_are_left_alone(jinzhong, fixture, tmp_path):
    services.do_import_file(None, "patent_table", fixture("patents.csv"))
    untouched = Patent.objects.get(application_number="201420345678.9").updated_at
    path = tmp_path / "changed.csv"
    with open(fixture("patents.csv"), encoding="utf-8-sig", newline="") as src:
        rows = list(csv.reader(src))
    rows[1][11] = "授权"  # 当前法律状态 of the first record
    rows = [[cell for i, cell in enumerate(row) if i != 12] for row in rows]  # no 摘要 column
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    job = services.do_import_file(None, "", path)
    assert counts(job) == {
        "processed": 8,
        "created": 0,
        "updated": 1,
        "unchanged": 4,
        "refused": 3,
        "merged": 0,
    }
    first = Patent.objects.get(application_number="201510163325.6")
    assert (first.legal_status, first.legal_status_text) == ("valid", "授权")
    assert first.abstract == "本发明公开了一种微生物菌剂。"  # not in the file: kept
    assert first.source_job == job
    assert Patent.objects.get(application_number="201420345678.9").updated_at == untouched


def test_gb18030_table_links_only_this_city(jinzhong, fixture):
    job = services.do_import_file(None, "", fixture("patents-gb18030.csv"))
    assert job.kind == "patent_table"
    assert counts(job)["created"] == 2
    vinegar = Patent.objects.get(application_number="201610054321.9")
    assert vinegar.region == jinzhong["祁县"] and vinegar.legal_status == "invalid"
    assert vinegar.enterprises.get().normalized_name == "山西某某老陈醋"
    taiyuan = Patent.objects.get(application_number="201920098765.1")
    assert taiyuan.region is None and not taiyuan.enterprises.exists()


def test_xml_records_of_one_application_are_merged(jinzhong, fixture):
    job = services.do_import_file(None, "patent_xml", fixture("patents.xml"))
    assert job.status == "done"
    assert counts(job) == {
        "processed": 4,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "refused": 1,
        "merged": 1,
    }
    patent = Patent.objects.get(application_number="201510163325.6")
    assert patent.publication_number == "CN104805195A" and patent.grant_number == "CN104805195B"
    assert patent.legal_status == "valid" and patent.region == jinzhong["太谷区"]
    error = ImportRowError.objects.get(job=job)
    assert (error.row, error.field) == (4, "申请号")
    again = services.do_import_file(None, "patent_xml", fixture("patents.xml"))
    assert counts(again) == {
        "processed": 4,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "refused": 1,
        "merged": 1,
    }


def test_trademarks(jinzhong, fixture):
    services.do_import_file(None, "patent_table", fixture("patents.csv"))
    job = services.do_import_file(None, "", fixture("trademarks.csv"))
    assert job.kind == "trademark_table"
    assert counts(job) == {
        "processed": 5,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "refused": 3,
        "merged": 0,
    }
    mark = Trademark.objects.get(registration_number="12345678")
    assert (mark.name, mark.nice_class, mark.similar_groups) == ("禾丰", 31, ["3101", "3102"])
    assert mark.registration_date == dt.date(2016, 1, 14) and mark.expiry_date == dt.date(2026, 1, 13)
    assert (mark.status, mark.status_text) == ("registered", "已注册")
    assert mark.region == jinzhong["太谷区"]
    # The same enterprise as the patents', found by its normalised name.
    assert mark.enterprises.get() == Patent.objects.get(application_number="201510163325.6").enterprises.get()
    assert Trademark.objects.get(registration_number="23456789").status == "published"
    reasons = {e.row: (e.field, e.message) for e in ImportRowError.objects.filter(job=job)}
    assert reasons[4] == ("国际分类", "not a Nice class (1 to 45): 46")
    assert reasons[5] == ("类似群", "similar group 3101 is not in class 9")
    assert reasons[6][0] == "注册号"
    again = services.do_import_file(None, "trademark_table", fixture("trademarks.csv"))
    assert counts(again)["unchanged"] == 2 and counts(again)["created"] == 0


def test_rows_with_the_same_number_in_one_batch_are_merged(jinzhong, tmp_path, fixture):
    path = tmp_path / "twice.csv"
    with open(fixture("patents.csv"), encoding="utf-8-sig", newline="") as src:
        rows = list(csv.reader(src))
    repeat = list(rows[1])
    repeat[11] = "有效"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([rows[0], rows[1], repeat])
    job = services.do_import_file(None, "patent_table", path)
    assert counts(job) == {
        "processed": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
        "merged": 1,
    }
    assert Patent.objects.get().legal_status == "valid"  # the later row wins


def _rows(fixture):
    with open(fixture("patents.csv"), encoding="utf-8-sig", newline="") as src:
        return list(csv.reader(src))


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_a_number_repeated_anywhere_in_the_file_is_one_record_counted_once(
    jinzhong, tmp_path, fixture, batch_size
):
    """In one batch or across batches: the later row wins, and the repeat counts as merged."""
    rows = _rows(fixture)
    repeat = list(rows[1])
    repeat[11] = "有效"
    path = tmp_path / "twice.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([rows[0], rows[1], rows[2], repeat])
    job = services.do_import_file(None, "patent_table", path, batch_size=batch_size)
    assert counts(job) == {
        "processed": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
        "merged": 1,
    }
    assert Patent.objects.get(application_number=rows[1][0]).legal_status == "valid"
    again = services.do_import_file(None, "patent_table", path, batch_size=batch_size)
    assert counts(again) == {
        "processed": 3, "created": 0, "updated": 0, "unchanged": 2, "refused": 0, "merged": 1,
    }  # fmt: skip


def test_a_repeat_that_changes_a_record_the_first_row_left_unchanged_counts_as_updated(
    jinzhong, tmp_path, fixture
):
    rows = _rows(fixture)
    first = tmp_path / "first.csv"
    with open(first, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([rows[0], rows[1]])
    services.do_import_file(None, "patent_table", first)
    repeat = list(rows[1])
    repeat[11] = "有效"
    path = tmp_path / "second.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([rows[0], rows[1], rows[2], repeat, repeat])
    job = services.do_import_file(None, "patent_table", path, batch_size=1)
    assert counts(job) == {
        "processed": 4,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "refused": 0,
        "merged": 2,
    }
    assert Patent.objects.get(application_number=rows[1][0]).legal_status == "valid"


def test_a_refused_row_is_not_the_first_of_its_number(jinzhong, tmp_path, fixture):
    rows = _rows(fixture)
    bad = list(rows[1])
    bad[1] = "2018-13-01"
    path = tmp_path / "bad-then-good.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([rows[0], bad, rows[1]])
    job = services.do_import_file(None, "patent_table", path, batch_size=1)
    assert counts(job) == {
        "processed": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "refused": 1,
        "merged": 0,
    }


def test_batches_commit_as_they_go(jinzhong, fixture):
    seen = []
    job = services.do_import_file(
        None,
        "patent_table",
        fixture("patents.csv"),
        batch_size=3,
        progress=lambda j: seen.append(j.processed_rows),
    )
    assert seen == [0, 3, 6, 8]
    assert counts(job)["created"] == 5


def test_a_failed_batch_leaves_nothing_behind(jinzhong, fixture, monkeypatch):
    real = ImportRowError.objects.bulk_create

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ImportRowError.objects, "bulk_create", fail)
    # Batches of two: rows 2–3 are good and kept; rows 4–5 hold a good and a refused row, and the
    # failure comes after the good one was written: that whole batch is rolled back.
    job = services.do_import_file(None, "patent_table", fixture("patents.csv"), batch_size=2)
    monkeypatch.setattr(ImportRowError.objects, "bulk_create", real)
    assert job.status == "failed"
    assert "RuntimeError: disk full" in job.message
    assert set(Patent.objects.values_list("application_number", flat=True)) == {
        "201510163325.6",
        "201420345678.9",
    }
    assert counts(job) == {
        "processed": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
        "merged": 0,
    }
    assert not ImportRowError.objects.filter(job=job).exists()
    assert job.events.filter(kind="failed", to_state="failed").exists()


def test_a_table_without_the_number_column_fails_with_a_message(jinzhong, tmp_path):
    path = tmp_path / "nonumber.csv"
    path.write_text("名称,申请人,地址\n一种装置,甲公司,晋中市\n", encoding="utf-8")
    job = services.do_import_file(None, "patent_table", path)
    assert job.status == "failed"
    assert "has no 申请号 column" in job.message and "名称" in job.message
    assert Patent.objects.count() == 0


def test_a_file_of_the_wrong_format_for_the_kind_fails(jinzhong, fixture):
    job = services.do_import_file(None, "patent_xml", fixture("patents.csv"))
    assert job.status == "failed" and "XML" in job.message


def test_kind_must_be_known_or_guessable(jinzhong, tmp_path):
    from django.core.exceptions import ValidationError

    path = tmp_path / "other.csv"
    path.write_text("姓名,电话\n甲,1\n", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        services.do_import_file(None, "", path)
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.do_import_file(None, "videos", path)
    assert "kind" in refused.value.message_dict
    assert ImportJob.objects.count() == 0


def test_importer_skips_nothing_silently(jinzhong, fixture):
    """Every row is counted once: processed = created + updated + unchanged + merged + refused."""
    job = services.do_import_file(None, "patent_table", fixture("patents.csv"))
    job2 = services.do_import_file(None, "patent_table", fixture("patents-gb18030.csv"))
    for j in (job, job2):
        c = counts(j)
        assert c["processed"] == c["created"] + c["updated"] + c["unchanged"] + c["merged"] + c["refused"]


def test_memory_does_not_grow_with_the_file(jinzhong, tmp_path):
    """The import's peak memory is that of a batch: three times the rows, about the same peak."""
    import tracemalloc

    from zhichan.ipdata import synthetic

    peaks = {}
    for n, seed in ((1000, 1), (3000, 2)):
        path = tmp_path / f"{n}.csv"
        synthetic.write_patent_table(path, synthetic.patents(n, seed=seed), "csv")
        tracemalloc.start()
        try:
            job = services.do_import_file(None, "patent_table", path, batch_size=250)
            _current, peaks[n] = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert job.status == "done" and job.created_count + job.updated_count == n, job.message
    assert peaks[3000] < peaks[1000] * 1.5, peaks


def test_links_do_not_depend_on_the_order_of_rows(jinzhong, tmp_path):
    """A co-applicant that is first applicant (at a local address) only in a later batch is linked
    in the earlier batch too, so the next import of the file finds nothing to change."""
    path = tmp_path / "order.csv"
    path.write_text(
        "申请号,名称,申请人,地址\n"
        "201510163325.6,甲,北京某某有限公司;晋中市后来科技有限公司,北京市海淀区\n"
        "201420345678.9,乙,晋中市后来科技有限公司,山西省晋中市榆次区\n",
        encoding="utf-8",
    )
    job = services.do_import_file(None, "patent_table", path, batch_size=1)
    later = Enterprise.objects.get(normalized_name="晋中市后来科技")
    assert later.region == jinzhong["榆次区"]
    assert list(Patent.objects.get(application_number="201510163325.6").enterprises.all()) == [later]
    assert job.total_rows == 2
    again = services.do_import_file(None, "patent_table", path, batch_size=1)
    assert counts(again) == {
        "processed": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "refused": 0,
        "merged": 0,
    }


def test_refused_rows_register_no_enterprise(jinzhong, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "申请号,名称,申请人,地址\n201510163325.5,甲,晋中市坏行有限公司,晋中市榆次区\n", encoding="utf-8"
    )
    job = services.do_import_file(None, "patent_table", path)
    assert job.error_count == 1 and not Enterprise.objects.exists()
