"""What only the embedded backend has: its directory, its writer lock, worker processes."""

import pytest

from tests.ipdata.search.test_backends import CORPUS
from zhichan.ipdata.search.backends import tantivy_backend
from zhichan.ipdata.search.backends.tantivy_backend import TantivyBackend
from zhichan.ipdata.search.documents import document_from_record


def docs():
    return [document_from_record(r) for r in CORPUS]


def test_a_second_instance_sees_commits_at_once(tmp_path):
    writer = TantivyBackend(tmp_path, writer_heap=20_000_000, writer_threads=1)
    reader = TantivyBackend(tmp_path)  # as another process would open it
    assert reader.search("电池").total == 0
    writer.index(docs())
    writer.commit()
    assert reader.search("电池").total == 3
    writer.delete([1])
    writer.commit()
    assert reader.search("电池").total == 2


def test_uncommitted_changes_are_not_seen_and_can_be_rolled_back(tmp_path):
    engine = TantivyBackend(tmp_path, writer_heap=20_000_000, writer_threads=1)
    engine.index(docs())
    assert engine.search("电池").total == 0
    engine.rollback()
    engine.commit()
    assert engine.count() == 0


def test_a_writer_waits_for_another_writer(tmp_path, monkeypatch):
    first = TantivyBackend(tmp_path, writer_heap=20_000_000, writer_threads=1)
    second = TantivyBackend(tmp_path, writer_heap=20_000_000, writer_threads=1)
    first.index(docs()[:2])  # holds the lock until it commits
    monkeypatch.setattr(tantivy_backend, "LOCK_WAIT_SECONDS", 0.5)
    with pytest.raises(ValueError, match="LockBusy"):
        second.index(docs()[2:])
    first.commit()
    second.index(docs()[2:])
    second.commit()
    assert first.count() == 5


def test_worker_processes_build_the_same_index(tmp_path):
    serial = TantivyBackend(tmp_path / "a", writer_heap=20_000_000, writer_threads=1)
    parallel = TantivyBackend(tmp_path / "b", writer_heap=20_000_000, writer_threads=1)
    records = [dict(r, id=r["id"] + 10 * k) for k in range(30) for r in CORPUS]
    serial.index([document_from_record(r) for r in records], replace=False)
    seen = []
    parallel.index((document_from_record(r) for r in records), replace=False, workers=2, progress=seen.append)
    serial.commit()
    parallel.commit()
    for query in ("电池", "TI~=电池", "PA=华为", "IPC=H01M", "AD=[2015 TO 2019]", "LS=有效"):
        a, b = serial.search(query, limit=200), parallel.search(query, limit=200)
        assert a.total == b.total > 0
        assert sorted(h.id for h in a.hits) == sorted(h.id for h in b.hits)


def test_an_index_of_another_version_asks_for_a_rebuild(tmp_path):
    engine = TantivyBackend(tmp_path, writer_heap=20_000_000, writer_threads=1)
    engine.index(docs())
    engine.commit()
    (tmp_path / "zhichan-schema").write_text("0")
    with pytest.raises(RuntimeError, match="search_index rebuild"):
        TantivyBackend(tmp_path)


def test_top_lists_are_exact_across_segments_that_cut_their_lists(tmp_path, monkeypatch):
    # Three segments; in the first, "目标" is one name among 300 commoner ones and falls outside
    # that segment's first list. Asked again with more values, its count is complete.
    monkeypatch.setattr(tantivy_backend, "FIRST_SEGMENT_SIZE", 1)
    engine = TantivyBackend(tmp_path, writer_heap=20_000_000, writer_threads=1)
    ids = iter(range(1, 10_000))

    def batch(names):
        records = [{"id": i, "application_number": f"20101{i:07d}", "title": "装置", "applicants": [name]}
                   for i, name in zip(ids, names, strict=False)]  # fmt: skip
        engine.index(document_from_record(r) for r in records)
        engine.commit()

    batch([f"甲{i:03d}" for i in range(300)] * 2 + ["目标"])
    batch(["目标"] * 50 + [f"乙{i:03d}" for i in range(150)])
    batch(["目标"] * 50 + [f"丙{i:03d}" for i in range(150)])
    assert engine.searcher().num_segments == 3
    got = engine.aggregate("装置", top=5)
    assert got.top_applicants == [("目标", 101), ("甲000", 2), ("甲001", 2), ("甲002", 2), ("甲003", 2)]
    engine.close()
