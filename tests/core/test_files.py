"""Files stored inside a block that rolls back are removed; the sweep removes old orphans only."""

import os
import time

import pytest
from django.core.files.base import ContentFile

from zhichan.core.files import TrackedFileSystemStorage, atomic_with_files, sweep_orphans


class Boom(Exception):
    pass


@pytest.fixture
def storage(tmp_path):
    return TrackedFileSystemStorage(location=tmp_path / "files")


def files_under(path):
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_a_block_that_raises_removes_its_files(storage, tmp_path):
    with pytest.raises(Boom), atomic_with_files():
        storage.save("a/one.txt", ContentFile(b"1"))
        storage.save("a/two.txt", ContentFile(b"2"))
        raise Boom
    assert files_under(tmp_path / "files") == []


@pytest.mark.django_db
def test_a_block_that_commits_keeps_its_files(storage, tmp_path):
    with atomic_with_files():
        name = storage.save("a/one.txt", ContentFile(b"1"))
    assert files_under(tmp_path / "files") == [name]


@pytest.mark.django_db
def test_an_outer_rollback_removes_what_an_inner_block_kept(storage, tmp_path):
    with pytest.raises(Boom), atomic_with_files():
        with atomic_with_files():
            storage.save("inner.txt", ContentFile(b"1"))
        assert files_under(tmp_path / "files") == ["inner.txt"]
        raise Boom
    assert files_under(tmp_path / "files") == []


@pytest.mark.django_db
def test_an_inner_rollback_caught_outside_keeps_the_outer_files(storage, tmp_path):
    with atomic_with_files():
        kept = storage.save("outer.txt", ContentFile(b"1"))
        with pytest.raises(Boom), atomic_with_files():
            storage.save("inner.txt", ContentFile(b"2"))
            raise Boom
    assert files_under(tmp_path / "files") == [kept]


def test_saves_outside_a_block_are_not_tracked(storage, tmp_path):
    name = storage.save("free.txt", ContentFile(b"1"))
    assert files_under(tmp_path / "files") == [name]


def _old(path, age):
    moment = time.time() - age
    os.utime(path, (moment, moment))


def test_sweep_removes_old_unreferenced_files_only_and_twice_is_harmless(tmp_path):
    root = tmp_path / "root"
    (root / "7").mkdir(parents=True)
    (root / "8").mkdir()
    orphan = root / "7" / "orphan.pdf"
    kept = root / "7" / "kept.pdf"
    young = root / "8" / "young.pdf"
    for path in (orphan, kept, young):
        path.write_bytes(b"x")
    _old(orphan, 2 * 86400)
    _old(kept, 2 * 86400)
    asked = []

    def referenced(names):
        asked.extend(names)
        return {"7/kept.pdf"} & set(names)

    assert sweep_orphans(root, referenced, older_than=86400) == 1
    assert sorted(asked) == ["7/kept.pdf", "7/orphan.pdf"]  # the young file is not even asked about
    assert files_under(root) == ["7/kept.pdf", "8/young.pdf"]
    assert sweep_orphans(root, referenced, older_than=86400) == 0
    assert files_under(root) == ["7/kept.pdf", "8/young.pdf"]


def test_sweep_removes_old_empty_folders_and_tolerates_a_missing_root(tmp_path):
    root = tmp_path / "root"
    empty = root / "9"
    empty.mkdir(parents=True)
    fresh = root / "10"
    fresh.mkdir()
    _old(empty, 2 * 86400)
    assert sweep_orphans(root, lambda names: set(), older_than=86400) == 0
    assert not empty.exists() and fresh.exists() and root.exists()
    assert sweep_orphans(tmp_path / "missing", lambda names: set(), older_than=86400) == 0
