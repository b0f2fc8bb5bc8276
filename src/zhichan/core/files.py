"""Stored files that follow their transaction: a block that rolls back leaves no file behind.

A database rollback cannot take back a file written to disk. Services that store files run
inside `atomic_with_files()` instead of `transaction.atomic()`; every save through a
`TrackedFileSystemStorage` within the block is recorded, and when the block raises, those
files are deleted. A crash between storing and committing is left to a periodic sweep
(`sweep_orphans`), which removes old files that no row names.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.db import transaction

log = logging.getLogger(__name__)

# The open blocks, innermost last; each holds the (storage, name) pairs saved within it.
_blocks: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar("zhichan_file_blocks", default=())


class TrackedFileSystemStorage(FileSystemStorage):
    """A file system storage that reports each saved file to the enclosing atomic_with_files()."""

    def _save(self, name, content):
        name = super()._save(name, content)
        blocks = _blocks.get()
        if blocks:
            blocks[-1].append((self, name))
        return name


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


def sweep_orphans(root, referenced: Callable[[list[str]], set[str]], *, older_than: float, now=None) -> int:
    """Delete files under `root` older than `older_than` seconds whose names `referenced` does
    not return; then empty folders of the same age. Returns how many files went.

    `referenced` gets a batch of names relative to root (with "/") and answers those that a
    row still names. Running twice, or in two workers at once, is harmless.
    """
    root = Path(root)
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - older_than
    removed = 0
    batch: list[tuple[str, Path]] = []

    def flush():
        nonlocal removed
        keep = referenced([name for name, _path in batch])
        for name, path in batch:
            if name in keep:
                continue
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        batch.clear()

    for folder, _dirs, files in os.walk(root):
        for filename in files:
            path = Path(folder, filename)
            try:
                if path.stat().st_mtime >= cutoff:
                    continue
            except FileNotFoundError:
                continue
            batch.append((path.relative_to(root).as_posix(), path))
            if len(batch) >= 500:
                flush()
    if batch:
        flush()
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
    return removed
