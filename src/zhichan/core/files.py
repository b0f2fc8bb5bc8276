"""Stored files that follow their transaction: a block that rolls back leaves no file behind.

A database rollback cannot take back a stored file. Services that store files run inside
`atomic_with_files()` instead of `transaction.atomic()`; every save through a tracked storage
(`TrackedFileSystemStorage` on disk, `zhichan.core.s3.TrackedS3Storage` in an S3 bucket) within
the block is recorded, and when the block raises, those files are deleted. A crash between
storing and committing is left to a periodic sweep (`sweep_orphans`), which removes old files
that no row names.

Where files live is one setting, ZHICHAN_FILE_STORE (local or s3): `file_store()` gives the
storage of each file area, so the default storage and the private per-model ones switch together.
"""

from __future__ import annotations

import contextvars
import logging
import os
import posixpath
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction

log = logging.getLogger(__name__)

# The open blocks, innermost last; each holds the (storage, name) pairs saved within it.
_blocks: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar("zhichan_file_blocks", default=())


# The file areas: the setting naming each one's folder on disk, and its key prefix in a bucket.
AREAS = {
    "MEDIA_ROOT": "media",
    "ZHICHAN_CASE_FILES_ROOT": "case-files",
    "ZHICHAN_CUSTODY_FILES_ROOT": "custody-files",
}


class TrackedStorageMixin:
    """Reports each saved file to the enclosing atomic_with_files(); for any Storage class."""

    def _save(self, name, content):
        name = super()._save(name, content)
        blocks = _blocks.get()
        if blocks:
            blocks[-1].append((self, name))
        return name


class TrackedFileSystemStorage(TrackedStorageMixin, FileSystemStorage):
    """A file system storage that reports each saved file to the enclosing atomic_with_files()."""

    def prune_empty_folders(self, cutoff: float) -> None:
        """Remove empty folders last changed before `cutoff` (a time stamp), deepest first."""
        root = Path(self.location)
        for folder, _dirs, _files in os.walk(root, topdown=False):
            path = Path(folder)
            if path == root:
                continue
            try:
                # A fresh folder may be about to receive a file; an old empty one is left over.
                if path.stat().st_mtime < cutoff and not any(path.iterdir()):
                    path.rmdir()
            except OSError:
                pass


def s3_location(root_setting: str) -> str:
    """The key prefix of a file area in the bucket: ZHICHAN_S3_PREFIX/<area>."""
    prefix = settings.ZHICHAN_S3_PREFIX.strip("/")
    return "/".join(p for p in (prefix, AREAS[root_setting]) if p)


def file_store(root_setting: str) -> Storage:
    """The private storage of one file area (a key of AREAS), where ZHICHAN_FILE_STORE says.

    No public address either way: these files are served only by views that check access.
    """
    if settings.ZHICHAN_FILE_STORE == "s3":
        from zhichan.core.s3 import s3_store

        return s3_store(s3_location(root_setting))
    return TrackedFileSystemStorage(location=getattr(settings, root_setting), base_url=None)


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in a storage (below `folder`), through the storage API: the same walk for
    a folder on disk and for a bucket prefix. A missing folder holds nothing."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(dirs):
        yield from stored_names(storage, posixpath.join(folder, sub) if folder else sub)


@contextmanager
def local_copy(storage: Storage, name: str) -> Iterator[Path]:
    """A path on local disk holding the stored file, for code that reads files by path: the
    file itself when the storage is a folder, else a temporary copy removed afterwards.
    FileNotFoundError when it is not stored."""
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        path = None
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(name)
        yield path
        return
    with storage.open(name, "rb") as source, tempfile.TemporaryDirectory(prefix="zhichan-") as folder:
        copy = Path(folder) / f"copy{Path(name).suffix}"
        with open(copy, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        yield copy


def _remove(stored: Iterable) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the disk refuses: the sweep tries again later
            log.warning("could not remove %s after a rollback", name, exc_info=True)


@contextmanager
def atomic_with_files(using=None, savepoint=True):
    """transaction.atomic() that deletes the files stored inside it when it rolls back.

    Nested blocks hand their files to the enclosing block, so an outer rollback removes
    them too. Files kept by a block that commits into a plain outer transaction.atomic()
    which later rolls back are not seen here; the sweep removes those.
    """
    stored: list = []
    token = _blocks.set((*_blocks.get(), stored))
    try:
        with transaction.atomic(using=using, savepoint=savepoint):
            yield
    except BaseException:
        _blocks.reset(token)
        _remove(stored)
        raise
    _blocks.reset(token)
    outer = _blocks.get()
    if outer:
        outer[-1].extend(stored)


def sweep_orphans(store, referenced: Callable[[list[str]], set[str]], *, older_than: float, now=None) -> int:
    """Delete the files of `store` (a storage, or a folder on disk) older than `older_than`
    seconds whose names `referenced` does not return; then empty folders of the same age.
    Returns how many files went.

    `referenced` gets a batch of storage names (with "/") and answers those that a row still
    names. Everything goes through the storage API (listdir, get_modified_time, delete), so a
    bucket is swept like a folder. Running twice, or in two workers at once, is harmless.
    """
    if isinstance(store, (str, os.PathLike)):
        store = TrackedFileSystemStorage(location=store)
    cutoff = (now if now is not None else time.time()) - older_than
    removed = 0
    batch: list[str] = []

    def flush():
        nonlocal removed
        keep = referenced(list(batch))
        for name in batch:
            if name in keep:
                continue
            try:
                store.delete(name)
                removed += 1
            except FileNotFoundError:
                pass
        batch.clear()

    for name in stored_names(store):
        try:
            if store.get_modified_time(name).timestamp() >= cutoff:
                continue
        except FileNotFoundError:
            continue
        batch.append(name)
        if len(batch) >= 500:
            flush()
    if batch:
        flush()
    prune = getattr(store, "prune_empty_folders", None)
    if prune is not None:
        prune(cutoff)
    return removed
