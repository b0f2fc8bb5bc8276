"""Two imports writing the same numbers at once: neither fails, nothing is written twice."""

import csv
import threading

import pytest
from django.db import IntegrityError, connection

from zhichan.ipdata import services
from zhichan.ipdata.importers.engine import Importer
from zhichan.ipdata.linking import Linker
from zhichan.ipdata.models import ImportRowError, Patent


def _rows(fixture):
    with open(fixture("patents.csv"), encoding="utf-8-sig", newline="") as src:
        return list(csv.reader(src))


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


@pytest.mark.django_db
def test_a_batch_that_meets_a_conflict_is_written_again_whole(jinzhong, fixture, monkeypatch):
    """The insert fails as it would when another import committed the same number after this
    batch read the database: the batch is rolled back (refused rows too) and written again."""
    real = Importer._insert
    calls = []

    def conflict_once(self, objs):
        calls.append(len(objs))
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: ipdata_patent.application_number")
        return real(self, objs)

    monkeypatch.setattr(Importer, "_insert", conflict_once)
    job = services.do_import_file(None, "patent_table", fixture("patents.csv"))
    assert job.status == "done", job.message
    assert calls == [5, 5]
    assert (job.processed_rows, job.created_count, job.error_count) == (8, 5, 3)
    assert ImportRowError.objects.filter(job=job).count() == 4  # once, not twice
    assert Patent.objects.count() == 5


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite: the test database is in memory, one per thread, and writers are serialized "
    "(BEGIN IMMEDIATE), so a batch's read and insert cannot interleave with another's",
)
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_numbers_at_once_both_succeed(jinzhong, fixture, tmp_path, monkeypatch):
    rows = _rows(fixture)
    header, x, y, z = rows[0], rows[1], rows[2], rows[3]
    first = _write(tmp_path / "a.csv", [header, x, y])
    second = _write(tmp_path / "b.csv", [header, y, z])

    # Both jobs read the database (finding none of the numbers) before either inserts.
    barrier = threading.Barrier(2, timeout=30)
    waited = threading.local()
    real_link = Linker.link

    def link(self, records):
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return real_link(self, records)

    monkeypatch.setattr(Linker, "link", link)
    jobs, errors = {}, []

    def run(name, path):
        try:
            jobs[name] = services.do_import_file(None, "patent_table", path)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=a) for a in (("a", first), ("b", second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert {j.status for j in jobs.values()} == {"done"}, [j.message for j in jobs.values()]
    assert Patent.objects.count() == 3
    # The shared number was created by one job and found unchanged by the other.
    assert sum(j.created_count for j in jobs.values()) == 3
    assert sum(j.unchanged_count for j in jobs.values()) == 1
