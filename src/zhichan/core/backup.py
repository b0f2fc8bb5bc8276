"""Backup and restore: one archive holding the database, every stored file and a manifest.

    zhichan backup --output DIR [--keep N]
    zhichan restore ARCHIVE [--force] [--accept-key-change]

An archive is one gzipped tar file, `zhichan-backup-<UTC time>.tar.gz`:

    manifest.json                  what is inside and what is needed to read it back (below)
    database/zhichan.sqlite3       SQLite: a consistent copy made with SQLite's backup API
    database/zhichan.pgdump        PostgreSQL: `pg_dump -Fc` (custom format, compressed)
    files/<ROOT>/<path>            every stored file, ROOT naming the setting of its folder
                                   (MEDIA_ROOT, ZHICHAN_CASE_FILES_ROOT, ZHICHAN_CUSTODY_FILES_ROOT)

With ZHICHAN_FILE_STORE=s3 the files are read from the bucket through the storage API and kept
under the same names, and a restore writes them back into the bucket: an archive moves between
a local store and a bucket either way. (A bucket's own versioning or replication is still the
better guard against a deleted object between two backups.)

The manifest holds the format version, the application version, the time, the database engine,
the applied migrations, a SHA-256 checksum and size of every other member, and fingerprints of
the secrets the data depends on (never the secrets): SECRET_KEY signs sessions and password
links; the survey key (ZHICHAN_SURVEY_KEY, else SECRET_KEY) makes the keyed hashes that stop a
respondent answering twice. A restore under other keys is refused unless accepted explicitly.

Not in an archive: the search indexes (rebuilt from the database by restore), the task queue
and the cache (transient), static files (`collectstatic` writes them again), the settings
themselves (they live in the environment, see docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField

import zhichan
from zhichan.core.files import file_store, stored_names

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "zhichan-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/zhichan.sqlite3"
PG_MEMBER = "database/zhichan.pgdump"
# Named folders whose files are kept; FileFields with a storage elsewhere are found too.
ROOT_SETTINGS = ("MEDIA_ROOT", "ZHICHAN_CASE_FILES_ROOT", "ZHICHAN_CUSTODY_FILES_ROOT")
# Tables that migrating an empty database fills by itself: rows there do not make it "in use".
_MIGRATE_FILLED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
_FINGERPRINT_SALT = b"zhichan-backup-key-fingerprint-v1"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- what is kept ---------------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """Every folder a FileField or the upload helpers store into, by a stable name.

    The named settings first; any other FileField storage location gets the field's name.
    A folder inside another one is kept with the outer one only.
    """
    roots: dict[str, Path] = {name: Path(getattr(settings, name)).resolve() for name in ROOT_SETTINGS}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, FileField):
                location = getattr(f.storage, "location", None)
                if location is None or not isinstance(f.storage, FileSystemStorage):
                    continue  # in a bucket, location is a key prefix: file_stores() has those
                path = Path(location).resolve()
                if path not in roots.values():
                    roots[f"{model._meta.label}.{f.name}"] = path
    kept = {}
    for name, path in roots.items():
        inside = any(path != other and path.is_relative_to(other) for other in roots.values())
        if not inside:
            kept[name] = path
    return kept


def in_bucket() -> bool:
    return settings.ZHICHAN_FILE_STORE == "s3"


def file_stores() -> dict:
    """With the files in a bucket: the storage of each area, by the labels of file_roots()."""
    return {label: file_store(label) for label in ROOT_SETTINGS}


def key_fingerprint(secret: str) -> str:
    """A short, slow-to-invert fingerprint of a secret: equal keys give equal fingerprints."""
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), _FINGERPRINT_SALT, 100_000)[:8].hex()


def key_settings() -> dict:
    survey_key = settings.ZHICHAN_SURVEY_KEY or settings.SECRET_KEY
    return {
        "secret_key_fingerprint": key_fingerprint(settings.SECRET_KEY),
        "survey_key_fingerprint": key_fingerprint(survey_key),
        "survey_key_from": "ZHICHAN_SURVEY_KEY" if settings.ZHICHAN_SURVEY_KEY else "SECRET_KEY",
    }


def _other_settings() -> dict:
    """Settings worth knowing when reading the data back elsewhere (no secrets)."""
    return {
        "TIME_ZONE": settings.TIME_ZONE,
        "ZHICHAN_CITY_CODE": settings.ZHICHAN_CITY_CODE,
        "ZHICHAN_CASE_PREFIX": settings.ZHICHAN_CASE_PREFIX,
        "ZHICHAN_SEARCH_BACKEND": settings.ZHICHAN_SEARCH_BACKEND,
    }


def applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# Working folders of a restore inside a file folder; never kept in an archive.
_WORK_PREFIX = ".zhichan-restore-"


def _walk(root: Path):
    """(relative posix name, path) of every regular file under root, sorted; a restore's
    working folders (.zhichan-restore-*) left out."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if not d.startswith(_WORK_PREFIX)]
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


# --- the database engines -------------------------------------------------------------------------


def _engine() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # nosec B603  # argv: the program shutil.which found and a fixed flag, no shell
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"cannot read the version of {path}: {out.strip()!r}")
    return int(match.group(1))


def _pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program at least as new as the server."""
    path = shutil.which(name)
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if not path:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client programs of version "
            f"{server} or newer (Debian: apt-get install postgresql-client-{server})"
        )
    major = _tool_major(path)
    if major < server:
        raise BackupError(
            f"{path} is version {major} but the server is version {server}; "
            f"install postgresql-client-{server} (or newer) and put it first on PATH"
        )
    return path


def _pg_env() -> dict:
    """The connection settings as libpq environment variables (the password never on argv)."""
    sd = connection.settings_dict
    env = dict(os.environ)
    for var, value in (
        ("PGDATABASE", sd["NAME"]),
        ("PGUSER", sd.get("USER")),
        ("PGPASSWORD", sd.get("PASSWORD")),
        ("PGHOST", sd.get("HOST")),
        ("PGPORT", sd.get("PORT")),
        ("PGSSLMODE", (sd.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[var] = str(value)
    return env


def _run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, env=_pg_env(), **kwargs)  # noqa: S603  # nosec B603  # argv: the PostgreSQL client found on PATH, fixed options and our own paths, no shell
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(argv[0]).name} failed: {message}")
    return result


def _dump_database(target_dir: Path) -> tuple[str, Path, dict]:
    """Write the database into target_dir; (member name, file, engine description)."""
    engine = _engine()
    if engine == "sqlite":
        target = target_dir / Path(SQLITE_MEMBER).name
        if connection.in_atomic_block:
            raise BackupError("backup must not run inside a transaction")
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # One step: the copy is the database as of one moment, while the application writes.
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
        return SQLITE_MEMBER, target, {"engine": "sqlite", "version": sqlite3.sqlite_version}
    pg_dump = _pg_tool("pg_dump")
    target = target_dir / Path(PG_MEMBER).name
    _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)])
    return PG_MEMBER, target, {"engine": "postgresql", "version": connection.pg_version}


# --- backup ---------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    files: int
    size: int
    removed: list[Path] = field(default_factory=list)


def archives_in(directory: Path) -> list[Path]:
    """The archives in a folder, oldest first."""
    found = [
        p
        for p in Path(directory).glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}")
        if p.is_file() and not p.name.endswith(".part")
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _archive_name(directory: Path, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"{ARCHIVE_PREFIX}{stamp}-{n}{ARCHIVE_SUFFIX}"
    return path


def backup(output: Path | str, keep: int | None = None) -> BackupResult:
    """Write one archive into `output` (created when missing); with `keep`, delete all but the
    newest `keep` archives there afterwards. The archive appears complete or not at all."""
    if keep is not None and keep < 1:
        raise BackupError("--keep must be 1 or more")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    final = _archive_name(output, now)
    part = final.with_name(final.name + ".part")
    checksums: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix=".zhichan-backup-", dir=output) as scratch:
        member, db_file, engine = _dump_database(Path(scratch))
        migrations = applied_migrations()
        try:
            with tarfile.open(part, "w:gz", compresslevel=6) as tar:
                checksums[member] = {"sha256": _sha256(db_file), "size": db_file.stat().st_size}
                tar.add(db_file, arcname=member, recursive=False)
                # Files after the database: every file a row names was stored before the dump.
                if in_bucket():
                    roots = file_stores()
                    _add_stored_files(tar, roots, Path(scratch), checksums)
                else:
                    roots = file_roots()
                    for label, root in roots.items():
                        for name, path in _walk(root):
                            arcname = f"files/{label}/{name}"
                            checksums[arcname] = {"sha256": _sha256(path), "size": path.stat().st_size}
                            tar.add(path, arcname=arcname, recursive=False)
                manifest = {
                    "format": FORMAT_VERSION,
                    "app": "zhichan",
                    "app_version": zhichan.__version__,
                    "created_at": now.isoformat(),
                    "database": {**engine, "member": member},
                    "migrations": migrations,
                    "file_roots": sorted(roots),
                    "file_store": settings.ZHICHAN_FILE_STORE,
                    "settings": {**key_settings(), **_other_settings()},
                    "members": checksums,
                }
                data = json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(now.timestamp())
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(data))
            os.chmod(part, 0o600)  # personal data: readable by the owner only
            with open(part, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(part, final)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    removed = []
    if keep is not None:
        for old in archives_in(output)[:-keep]:
            if old != final:
                old.unlink()
                removed.append(old)
    files = sum(1 for m in checksums if m.startswith("files/"))
    return BackupResult(path=final, files=files, size=final.stat().st_size, removed=removed)


def _add_stored_files(tar, stores: dict, scratch: Path, checksums: dict) -> None:
    """Every object of the bucket's areas into the archive, each copied to scratch first (its
    checksum and size are needed before tar writes it)."""
    copy = scratch / "stored-file"
    for label, storage in stores.items():
        for name in stored_names(storage):
            with storage.open(name, "rb") as source, open(copy, "wb") as target:
                shutil.copyfileobj(source, target, _CHUNK)
            arcname = f"files/{label}/{name}"
            checksums[arcname] = {"sha256": _sha256(copy), "size": copy.stat().st_size}
            tar.add(copy, arcname=arcname, recursive=False)
            copy.unlink()


# --- restore --------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    archive: Path
    manifest: dict
    files: dict[str, int] = field(default_factory=dict)
    migrated: list[str] = field(default_factory=list)
    indexes: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        db = self.manifest["database"]
        out = [
            f"restored {self.archive.name} (written {self.manifest['created_at']} by zhichan "
            f"{self.manifest['app_version']})",
            f"database: {db['engine']}, {len(self.manifest['migrations'])} migrations in the archive",
        ]
        for label, count in sorted(self.files.items()):
            out.append(f"files: {count} into {label}")
        if self.migrated:
            out.append(f"migrations applied after the restore: {', '.join(self.migrated)}")
        else:
            out.append("migrations: the archive was up to date")
        for name, count in self.indexes.items():
            out.append(f"index rebuilt: {name} ({count} entries)")
        out.extend(f"warning: {w}" for w in self.warnings)
        return out


def _plain_members(archive: Path, tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The members, when all are plain files and folders inside the archive: no absolute paths,
    no "..", no links or devices. A backup never holds anything else."""
    members = tar.getmembers()
    for member in members:
        parts = PurePosixPath(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"{archive} holds {member.name!r}, which no backup holds; nothing was restored")
    return members


def read_archive(archive: Path | str, into: Path) -> dict:
    """Unpack an archive into `into` and check it: the manifest, then every member's size and
    checksum, and that nothing is missing or added. Returns the manifest."""
    archive = Path(archive)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = _plain_members(archive, tar)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(into, members=members, filter="data")
            else:  # Python before 3.11.4 (Debian 12 has 3.11.2): the check above has to do
                tar.extractall(into, members=members)  # noqa: S202  # nosec B202  # members checked above
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive: {exc}") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive} has no readable {MANIFEST}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("app") != "zhichan":
        raise BackupError(f"{archive} is not a zhichan backup")
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} has format version {manifest.get('format')!r}; this version reads {FORMAT_VERSION}"
        )
    for key in ("database", "migrations", "file_roots", "settings", "members", "created_at", "app_version"):
        if key not in manifest:
            raise BackupError(f"{archive}: the manifest lacks {key!r}")
    members = manifest["members"]
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    problems = [f"missing: {m}" for m in sorted(set(members) - present)]
    problems += [f"not in the manifest: {m}" for m in sorted(present - set(members))]
    for name in sorted(set(members) & present):
        path = into / name
        if path.stat().st_size != members[name]["size"] or _sha256(path) != members[name]["sha256"]:
            problems.append(f"checksum mismatch: {name}")
    if manifest["database"].get("member") not in members:
        problems.append("no database in the archive")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BackupError(f"{archive} is damaged, nothing was restored: {shown}")
    return manifest


def database_in_use() -> list[str]:
    """The tables that hold rows, leaving out those migrating an empty database fills itself."""
    tables = set(connection.introspection.table_names())
    used = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.label_lower in _MIGRATE_FILLED:
                continue
            if meta.db_table not in tables:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(meta.db_table)} LIMIT 1")  # noqa: S608  # nosec B608  # a table name from the model registry, quoted
            if cursor.fetchone():
                used.append(meta.db_table)
    return used


def _check_migrations(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    known |= {f"{app}.{name}" for app, name in loader.replacements}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            "the archive was written by a newer version of zhichan (migrations unknown here: "
            + ", ".join(unknown[:5])
            + (" …" if len(unknown) > 5 else "")
            + "); install that version or a newer one, then restore"
        )


def _key_mismatches(manifest: dict) -> list[str]:
    theirs, ours = manifest["settings"], key_settings()
    out = []
    if theirs.get("secret_key_fingerprint") != ours["secret_key_fingerprint"]:
        out.append(
            "ZHICHAN_SECRET_KEY differs from the one the archive was written with: everyone is "
            "logged out and password-reset and set-password links sent before no longer work"
        )
    if theirs.get("survey_key_fingerprint") != ours["survey_key_fingerprint"]:
        out.append(
            f"the survey key ({theirs.get('survey_key_from', 'SECRET_KEY')} when the archive was "
            "written) differs: people who answered an open survey could answer it again"
        )
    return out


PG_PROLOGUE = b"""SET client_min_messages = warning;
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
"""


def _restore_postgres(dump: Path, pg_restore: str, psql: str) -> None:
    """Replace the database's public schema by the dump's, in one transaction: on any error
    the database is left as it was."""
    env = _pg_env()
    connection.close()  # its prepared statements name the tables about to be replaced
    with tempfile.TemporaryFile() as err_out, tempfile.TemporaryFile() as err_in:
        producer = subprocess.Popen(  # noqa: S603  # nosec B603  # argv: pg_restore found on PATH, fixed options, the archive path, no shell
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=err_out,
            env=env,
        )
        consumer = subprocess.Popen(  # noqa: S603  # nosec B603  # argv: psql found on PATH and fixed options, no shell
            [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=err_in,
            env=env,
        )
        try:
            consumer.stdin.write(PG_PROLOGUE)
            shutil.copyfileobj(producer.stdout, consumer.stdin, _CHUNK)
        except BrokenPipeError:
            pass  # psql stopped at an error; its message follows
        producer.stdout.close()
        producer.wait()
        if producer.returncode != 0:
            consumer.kill()  # before it reads the end of input: its transaction never commits
        with contextlib.suppress(BrokenPipeError):
            consumer.stdin.close()
        consumer.wait()
        if producer.returncode != 0 or consumer.returncode != 0:
            err_out.seek(0)
            err_in.seek(0)
            message = (err_out.read() + err_in.read()).decode(errors="replace").strip()
            raise BackupError(f"the database restore failed and was rolled back: {message[-2000:]}")


def _restore_sqlite(copy: Path) -> None:
    """Replace the whole database by the copy with SQLite's backup API: one step, one write
    transaction on the live database, so an error leaves it as it was."""
    if connection.in_atomic_block:
        raise BackupError("restore must not run inside a transaction")
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"the database restore failed and was rolled back: {exc}") from exc
    finally:
        source.close()


def _move(source: Path, target: Path) -> None:
    """Move a folder, renaming when it can and copying across file systems otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.move(str(source), str(target))
    else:
        target.mkdir()


def _swap_in(root: Path, staged: Path, old: Path) -> None:
    """Replace root's contents by staged's, both inside root: renames on one file system, which
    also works when root is a mount point (a shared file store)."""
    old.mkdir()
    for entry in list(root.iterdir()):
        if entry not in (staged, old):
            os.rename(entry, old / entry.name)
    for entry in list(staged.iterdir()):
        os.rename(entry, root / entry.name)
    staged.rmdir()


def _rebuild_indexes(report: RestoreReport) -> None:
    from zhichan.ipdata.search import service as patent_search
    from zhichan.knowledge import search as knowledge_search
    from zhichan.screening.services import rebuild_index as rebuild_screening

    steps = (
        ("patent search", lambda: patent_search.rebuild(workers=1), "zhichan search_index rebuild"),
        ("trademark screening", rebuild_screening, "zhichan screening_index"),
        ("knowledge search", knowledge_search.rebuild_and_count, "zhichan rebuild_knowledge_index"),
    )
    patent_search.reset_backends()
    for name, step, command in steps:
        try:
            report.indexes[name] = step()
        except Exception as exc:  # the data is back; the index can be rebuilt by hand
            report.warnings.append(f"the {name} index was not rebuilt ({exc}); run `{command}`")


def restore(archive: Path | str, *, force: bool = False, accept_key_change: bool = False) -> RestoreReport:
    """Restore an archive written by backup(): check everything first, then replace the
    database (atomically), then the files (prepared inside their folders, then swapped in),
    apply newer migrations and rebuild the search indexes."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    bucket = in_bucket()
    roots = file_stores() if bucket else file_roots()
    for label, root in ({} if bucket else roots).items():
        if archive.resolve().is_relative_to(root):
            raise BackupError(
                f"{archive} lies in a folder the restore replaces ({label}); move it elsewhere first"
            )
    if connection.in_atomic_block:
        raise BackupError("restore must not run inside a transaction")
    engine = _engine()
    work_parent = Path(settings.DATA_DIR)
    work_parent.mkdir(parents=True, exist_ok=True)
    token = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
    staged: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix=".zhichan-restore-", dir=work_parent) as scratch:
        scratch = Path(scratch)
        manifest = read_archive(archive, scratch)
        report = RestoreReport(archive=archive, manifest=manifest)

        # 1. Everything that can refuse, before anything changes.
        theirs = manifest["database"]["engine"]
        if theirs != engine:
            raise BackupError(
                f"the archive holds a {theirs} database but DATABASE_URL points at {engine}; "
                "restore into the same engine"
            )
        unknown_roots = sorted(set(manifest["file_roots"]) - set(roots))
        if unknown_roots:
            raise BackupError(
                f"the archive has files for folders this version does not know: {unknown_roots}"
            )
        _check_migrations(manifest)
        mismatches = _key_mismatches(manifest)
        if mismatches and not accept_key_change:
            raise BackupError(
                "the keys differ from the archive's, nothing was restored: "
                + "; ".join(mismatches)
                + ". Set the same keys, or run again with --accept-key-change"
            )
        report.warnings.extend(mismatches)
        in_use = database_in_use()
        if bucket:
            full_roots = [label for label, store in roots.items() if any(True for _ in stored_names(store))]
        else:
            full_roots = [label for label, root in roots.items() if any(True for _ in _walk(root))]
        if (in_use or full_roots) and not force:
            what = []
            if in_use:
                what.append(f"the database is not empty ({len(in_use)} tables hold rows, e.g. {in_use[0]})")
            if full_roots:
                what.append(f"file folders hold files ({', '.join(full_roots)})")
            raise BackupError(
                "; ".join(what)
                + ". Restoring replaces all of it with the archive's contents; nothing was changed. "
                "Run again with --force to replace it"
            )
        if engine == "postgresql":
            pg_tools = (_pg_tool("pg_restore"), _pg_tool("psql"))

        # 2. The files, into a working folder inside each file folder (same file system: the
        # swap below renames).
        try:
            for label, root in ({} if bucket else roots).items():
                staged[label] = root / f"{_WORK_PREFIX}{token}"
                _move(scratch / "files" / label, staged[label])
                report.files[label] = sum(1 for _ in _walk(staged[label]))
        except OSError as exc:
            _discard(staged.values())
            raise BackupError(f"could not prepare the files ({exc}); nothing was changed") from exc

        # 3. The database, in one transaction.
        db_copy = scratch / manifest["database"]["member"]
        try:
            if engine == "sqlite":
                _restore_sqlite(db_copy)
            else:
                _restore_postgres(db_copy, *pg_tools)
        except BaseException:
            _discard(staged.values())
            raise
        if bucket:
            # 4. (bucket) The objects, written back from the unpacked archive.
            _put_stored_files(roots, scratch / "files", report)

    # 4. Swap the files in.
    swapped, old = [], []
    for label, root in ({} if bucket else roots).items():
        previous = root / f"{_WORK_PREFIX}{token}-previous"
        try:
            _swap_in(root, staged[label], previous)
            old.append(previous)
            swapped.append(label)
        except OSError as exc:
            waiting = {lb: str(staged[lb]) for lb in roots if lb not in swapped}
            raise BackupError(
                f"the database was restored but moving the files into place failed ({exc}). "
                f"Folders restored: {swapped or 'none'}; the archive's files still waiting: "
                f"{waiting}; the previous files were moved to {previous} (and the same name in "
                "the restored folders). Move them into place by hand, or restore again with --force"
            ) from exc
    _discard(old)

    # 5. Migrations newer than the archive, then the indexes.
    before = set(applied_migrations())
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        report.migrated = sorted(set(applied_migrations()) - before)
    _rebuild_indexes(report)
    return report


def _put_stored_files(stores: dict, unpacked: Path, report: RestoreReport) -> None:
    """Make each area of the bucket hold exactly the archive's files: write them (replacing
    objects of the same name), then delete the objects the archive does not have."""
    from zhichan.core.s3 import TrackedS3Storage

    done = []
    for label, store in stores.items():
        # A writer of its own that keeps the archive's names, replacing what is there.
        storage = TrackedS3Storage(location=store.location, file_overwrite=True)
        folder = unpacked / label
        names = [name for name, _path in _walk(folder)]
        try:
            for name in names:
                with open(folder / name, "rb") as fh:
                    stored = storage.save(name, File(fh, name=name))
                if stored != name:
                    raise OSError(f"the store kept {name} as {stored}")
            for name in set(stored_names(storage)) - set(names):
                storage.delete(name)
        except Exception as exc:
            raise BackupError(
                f"the database was restored but writing the files into the store failed ({exc}). "
                f"Areas restored: {done or 'none'}; restore again with --force"
            ) from exc
        report.files[label] = len(names)
        done.append(label)


def _discard(paths) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
