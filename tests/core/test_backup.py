"""`zhichan backup` and `zhichan restore`: a round trip gives back every row and every file.

The tests dump and restore the test database itself (connection.settings_dict["NAME"]), so they
run as transactional tests: SQLite's backup API and pg_dump both read committed data only.
"""

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.functional import empty

from tests.factories import UserFactory, make_world
from zhichan.core import backup as B

TRANSACTIONAL = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _roots(settings, tmp_path):
    """Every file folder and the data folder in this test's own directory."""
    from zhichan.cases.models import case_files
    from zhichan.custody.models import custody_files

    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.ZHICHAN_CASE_FILES_ROOT = tmp_path / "data" / "case-files"
    settings.ZHICHAN_CUSTODY_FILES_ROOT = tmp_path / "elsewhere" / "custody-files"
    case_files._wrapped = empty
    custody_files._wrapped = empty
    yield
    case_files._wrapped = empty
    custody_files._wrapped = empty


@pytest.fixture
def out(tmp_path):
    return tmp_path / "backups"


@pytest.fixture
def fake_dump(monkeypatch):
    """backup() without a real database dump, for tests of what happens around it."""

    def dump(target_dir):
        path = target_dir / "zhichan.sqlite3"
        path.write_bytes(b"not a database")
        return B.SQLITE_MEMBER, path, {"engine": connection.vendor, "version": "test"}

    monkeypatch.setattr(B, "_dump_database", dump)


def snapshot_rows() -> dict:
    """Every row of every table, all fields, in primary-key order."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return rows


def snapshot_files() -> dict:
    return {
        label: {name: path.read_bytes() for name, path in B._walk(root)}
        for label, root in B.file_roots().items()
    }


def wipe():
    call_command("flush", interactive=False, verbosity=0)
    for root in B.file_roots().values():
        shutil.rmtree(root, ignore_errors=True)


def build_dataset():
    """A small but varied world: regions, agencies, catalogue, users of every role, a case with
    attachments, a good practice with an image, an answered survey, patents and a trademark."""
    from zhichan.cases import services as cases
    from zhichan.cases.models import RoutingRule
    from zhichan.ipdata.models import Patent, Trademark
    from zhichan.knowledge import search as knowledge_search
    from zhichan.practices import services as practices
    from zhichan.surveys import services as surveys
    from zhichan.surveys.models import Question, Survey

    world = make_world()
    RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    case = cases.do_intake(
        None,
        "web",
        type="complaint",
        subject="展位侵权",
        description="有人冒用我的商标",
        requester_name="张三",
        requester_phone="13800000000",
        region="990102",
    )
    cases.do_accept(world.users.staff_a, case)
    cases.do_attach(world.users.staff_a, case, [SimpleUploadedFile("证据.pdf", PDF)])
    cases.do_reply(world.users.staff_a, case, "已处理", files=[SimpleUploadedFile("答复.pdf", PDF + b"2")])
    practices.do_create_practice(
        world.users.staff_a,
        title="甲区“商标品牌指导站+企业”服务模式",
        summary="指导站上门服务。",
        body="第一段。",
        county=world.county_a,
        agency=world.centre_a,
        category="network_building",
        tags="商标, 品牌",
        files=[SimpleUploadedFile("photo.png", PNG)],
    )
    survey = Survey.objects.create(
        title="满意度调查",
        opens_on=case.created_at.date(),
        closes_on=case.created_at.date().replace(year=case.created_at.year + 1),
        audience="everyone",
        region=world.city,
        status="open",
    )
    question = Question.objects.create(survey=survey, order=1, kind="scale", text="满意吗？")
    surveys.do_submit(survey, {question.pk: 5}, browser_token="browser-1")
    Patent.objects.create(
        application_number="202410000001.X",
        title="一种备份装置",
        patent_type="invention",
        legal_status="valid",
    )
    Trademark.objects.create(registration_number="88000001", name="备份牌", nice_class=9, status="registered")
    # A custody evidence file in a folder outside the data folder.
    custody_root = B.file_roots()["ZHICHAN_CUSTODY_FILES_ROOT"]
    (custody_root / "7").mkdir(parents=True)
    (custody_root / "7" / "证据.pdf").write_bytes(PDF + b"custody")
    knowledge_search.rebuild()  # the knowledge index (rows in the database) in step, as in use
    return world


@TRANSACTIONAL
def test_round_trip_gives_back_every_row_and_every_file(out, settings):
    from zhichan.ipdata.search import service as patent_search

    build_dataset()
    before_rows, before_files = snapshot_rows(), snapshot_files()
    assert before_files["ZHICHAN_CASE_FILES_ROOT"] and before_files["MEDIA_ROOT"]
    assert before_files["ZHICHAN_CUSTODY_FILES_ROOT"]
    recorder = MigrationRecorder(connection)
    recorder.record_unapplied("finance", "0002_application_withdrawn")  # as if written before it
    try:
        result = B.backup(out)
    finally:
        recorder.record_applied("finance", "0002_application_withdrawn")
    assert result.path.name.startswith("zhichan-backup-") and result.path.name.endswith(".tar.gz")
    assert result.files == 4
    with tarfile.open(result.path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        everything = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    assert manifest["format"] == B.FORMAT_VERSION
    assert manifest["database"]["engine"] == connection.vendor
    assert "practices.0001_good_practice" in manifest["migrations"]
    assert "finance.0002_application_withdrawn" not in manifest["migrations"]
    assert manifest["settings"]["secret_key_fingerprint"] == B.key_fingerprint(settings.SECRET_KEY)
    assert settings.SECRET_KEY.encode() not in everything  # fingerprints only, never the key

    wipe()
    assert not B.database_in_use() and not any(snapshot_files().values())
    report = B.restore(result.path)

    assert snapshot_rows() == before_rows
    assert snapshot_files() == before_files
    assert report.files == {"MEDIA_ROOT": 1, "ZHICHAN_CASE_FILES_ROOT": 2, "ZHICHAN_CUSTODY_FILES_ROOT": 1}
    # The archive was older than the code: the missing migration ran after the restore.
    assert report.migrated == ["finance.0002_application_withdrawn"]
    assert ("finance", "0002_application_withdrawn") in recorder.applied_migrations()
    assert report.indexes == {
        "patent search": 1,
        "trademark screening": 1,
        "knowledge search": 2,
    }  # the entries the fixture makes
    assert [p.title for p, _hit in patent_search.patents_for(patent_search.search_patents("TI=备份"))] == [
        "一种备份装置"
    ]
    assert not report.warnings
    # No scratch, staged or previous folder left behind (_walk would not show them).
    assert not list(settings.DATA_DIR.glob(".zhichan-restore-*"))
    assert not [p for root in B.file_roots().values() for p in root.glob(".zhichan-restore-*")]
    assert any("migrations applied after the restore" in line for line in report.lines())


def _rewrite(archive: Path, change) -> Path:
    """A copy of the archive with `change(name, data) -> data` applied to each member."""
    copy = archive.with_name("changed" + B.ARCHIVE_SUFFIX)
    with tarfile.open(archive) as src, tarfile.open(copy, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return copy


def _newer(name, data):
    if name != B.MANIFEST:
        return data
    manifest = json.loads(data)
    manifest["migrations"].append("cases.9999_from_the_future")
    return json.dumps(manifest).encode()


@TRANSACTIONAL
def test_restore_refuses_until_everything_checks_out_then_replaces_all(out, settings):
    from zhichan.accounts.models import User

    UserFactory(username="kept")
    media = B.file_roots()["MEDIA_ROOT"]
    media.mkdir(parents=True)
    (media / "kept.txt").write_bytes(b"kept")
    archive = B.backup(out).path
    UserFactory(username="later")
    (media / "later.txt").write_bytes(b"later")

    def unchanged():
        assert set(User.objects.values_list("username", flat=True)) == {"kept", "later"}
        assert sorted(p.name for p in media.iterdir()) == ["kept.txt", "later.txt"]

    flipped = _rewrite(archive, lambda name, data: b"tampered" if name.endswith("kept.txt") else data)
    with pytest.raises(B.BackupError, match="checksum mismatch: files/MEDIA_ROOT/kept.txt"):
        B.restore(flipped, force=True)
    with pytest.raises(B.BackupError, match="newer version of zhichan.*cases.9999_from_the_future"):
        B.restore(_rewrite(archive, _newer), force=True)
    with pytest.raises(B.BackupError, match="not a readable backup archive"):
        B.read_archive(Path(__file__), out / "x")
    with pytest.raises(B.BackupError, match="does not exist"):
        B.restore(out / "missing.tar.gz")
    with pytest.raises(B.BackupError, match="--force") as refused:
        B.restore(archive)
    assert "the database is not empty" in str(refused.value) and "nothing was changed" in str(refused.value)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(B.BackupError, match="ZHICHAN_SECRET_KEY differs.*--accept-key-change"):
        B.restore(archive, force=True)
    unchanged()

    report = B.restore(archive, force=True, accept_key_change=True)
    assert list(User.objects.values_list("username", flat=True)) == ["kept"]
    assert sorted(p.name for p in media.iterdir()) == ["kept.txt"]
    assert any("ZHICHAN_SECRET_KEY differs" in w for w in report.warnings)


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_an_archive_with_members_outside_its_folder_is_refused(tmp_path, monkeypatch, kind):
    # Also where tarfile has no extraction filter (Python before 3.11.4, as on Debian 12).
    monkeypatch.delattr(B.tarfile, "data_filter", raising=False)
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(
            {"dotdot": "files/../../escaped", "absolute": "/zhichan-escaped"}.get(kind, "link")
        )
        if kind == "symlink":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(B.BackupError, match="which no backup holds"):
        B.read_archive(archive, tmp_path / "into")
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "into" / "link").exists()


@TRANSACTIONAL
def test_a_failed_database_restore_leaves_files_and_database_as_they_were(out, monkeypatch):
    from zhichan.accounts.models import User

    media = B.file_roots()["MEDIA_ROOT"]
    media.mkdir(parents=True)
    (media / "old.txt").write_bytes(b"old")
    archive = B.backup(out).path
    (media / "new.txt").write_bytes(b"new")
    UserFactory(username="new")

    def fail(*args):
        raise B.BackupError("the database restore failed and was rolled back: boom")

    monkeypatch.setattr(B, "_restore_postgres" if POSTGRES else "_restore_sqlite", fail)
    with pytest.raises(B.BackupError, match="rolled back"):
        B.restore(archive, force=True)
    assert sorted(p.name for p in media.iterdir()) == ["new.txt", "old.txt"]
    assert User.objects.get().username == "new"


@pytest.mark.django_db
def test_keep_deletes_all_but_the_newest_archives(out, fake_dump):
    out.mkdir()
    (out / "notes.txt").write_text("not an archive")
    first = B.backup(out).path
    second = B.backup(out).path
    third = B.backup(out, keep=2)
    assert third.removed == [first]
    assert sorted(p.name for p in out.iterdir()) == sorted(["notes.txt", second.name, third.path.name])
    assert oct(third.path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(B.BackupError, match="--keep"):
        B.backup(out, keep=0)


def test_every_file_field_stores_inside_a_kept_folder():
    from django.db.models import FileField

    roots = list(B.file_roots().values())
    fields = [f for model in apps.get_models() for f in model._meta.get_fields() if isinstance(f, FileField)]
    assert len(fields) >= 4
    for f in fields:
        location = Path(f.storage.location).resolve()
        assert any(location.is_relative_to(root) for root in roots), f


@pytest.mark.django_db
def test_the_commands_report_in_plain_words(out, fake_dump, capsys):
    from django.core.management.base import CommandError

    UserFactory(username="kept")
    call_command("backup", "--output", str(out), "--keep", "3")
    assert "backup written:" in capsys.readouterr().out
    archive = next(out.glob("*.tar.gz"))
    with pytest.raises(CommandError, match="restore must not run inside a transaction"):
        call_command("restore", str(archive))  # this test runs inside one
    with pytest.raises(CommandError, match="--keep must be 1 or more"):
        call_command("backup", "--output", str(out), "--keep", "0")
    inside = B.file_roots()["MEDIA_ROOT"] / archive.name
    inside.parent.mkdir(parents=True)
    shutil.copy(archive, inside)
    with pytest.raises(CommandError, match="lies in a folder the restore replaces \\(MEDIA_ROOT\\)"):
        call_command("restore", str(inside))


@pytest.mark.django_db
@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL client programs")
def test_pg_tools_missing_or_older_than_the_server_are_refused(monkeypatch):
    monkeypatch.setattr(B.shutil, "which", lambda name: None)
    with pytest.raises(B.BackupError, match="pg_dump was not found.*postgresql-client-"):
        B._pg_tool("pg_dump")
    monkeypatch.setattr(B.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(B, "_tool_major", lambda path: 9)
    with pytest.raises(B.BackupError, match="version 9 but the server is version"):
        B._pg_tool("pg_dump")


@TRANSACTIONAL
@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only")
def test_pg_restore_that_breaks_off_rolls_the_whole_restore_back(tmp_path):
    from zhichan.accounts.models import User

    UserFactory(username="kept")
    dump = tmp_path / "any.pgdump"
    dump.write_bytes(b"PGDMP not really")
    with pytest.raises(B.BackupError, match="rolled back"):
        # pg_restore fails at once; psql has already read the DROP SCHEMA of the prologue
        B._restore_postgres(dump, shutil.which("pg_restore"), shutil.which("psql"))
    assert User.objects.get().username == "kept"


def bucket_files(bucket) -> dict:
    return {o.key: o.get()["Body"].read() for o in bucket.objects.all()}


@TRANSACTIONAL
def test_files_in_a_bucket_are_archived_and_written_back_and_archives_move_between_stores(out, request):
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    users = get_user_model().objects
    UserFactory(username="kept")
    media = B.file_roots()["MEDIA_ROOT"]
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "a.pdf").write_bytes(PDF)
    local_archive = B.backup(out / "local").path

    # The same archive restores into a bucket: the files land under the area's prefix.
    bucket = request.getfixturevalue("s3_store")
    report = B.restore(local_archive, force=True)
    assert bucket_files(bucket) == {"zhichan/media/evidence/a.pdf": PDF}
    assert report.files == {"MEDIA_ROOT": 1, "ZHICHAN_CASE_FILES_ROOT": 0, "ZHICHAN_CUSTODY_FILES_ROOT": 0}

    stores = B.file_stores()
    stores["ZHICHAN_CASE_FILES_ROOT"].save("7/答复.pdf", ContentFile(PDF + b"case"))
    stores["ZHICHAN_CUSTODY_FILES_ROOT"].save("3/证据.pdf", ContentFile(PDF + b"custody"))
    before = bucket_files(bucket)
    result = B.backup(out / "bucket")
    assert result.files == 3
    with tarfile.open(result.path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.extractfile("files/ZHICHAN_CASE_FILES_ROOT/7/答复.pdf").read() == PDF + b"case"
    assert manifest["file_store"] == "s3"
    assert manifest["file_roots"] == ["MEDIA_ROOT", "ZHICHAN_CASE_FILES_ROOT", "ZHICHAN_CUSTODY_FILES_ROOT"]

    UserFactory(username="later")
    stores["MEDIA_ROOT"].save("evidence/later.pdf", ContentFile(PDF + b"later"))
    stores["MEDIA_ROOT"].save("evidence/a.pdf", ContentFile(b"a new file of the same name"))
    bucket.Object("zhichan/custody-files/3/证据.pdf").delete()
    with pytest.raises(B.BackupError, match="file folders hold files"):
        B.restore(result.path)
    assert set(users.values_list("username", flat=True)) == {"kept", "later"}  # nothing changed
    report = B.restore(result.path, force=True)
    assert set(users.values_list("username", flat=True)) == {"kept"}
    assert bucket_files(bucket) == before
    assert report.files == {"MEDIA_ROOT": 1, "ZHICHAN_CASE_FILES_ROOT": 1, "ZHICHAN_CUSTODY_FILES_ROOT": 1}
    # The local folder is not the store: the restores left it alone.
    assert (media / "evidence" / "a.pdf").read_bytes() == PDF
