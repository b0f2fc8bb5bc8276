"""Starting imports: who may, which files, the queued job and its worker task."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhichan.core.permissions import PermissionDenied
from zhichan.ipdata import services, tasks
from zhichan.ipdata.models import ImportJob, ImportJobEvent, Patent

pytestmark = pytest.mark.django_db
NOT_IMPORTERS = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a"]


def upload(fixture, name="patents.csv", as_name=None):
    return SimpleUploadedFile(as_name or name, fixture(name).read_bytes())


@pytest.mark.parametrize("role", NOT_IMPORTERS)
def test_only_administrators_start_imports(world, media, fixture, role):
    with pytest.raises(PermissionDenied):
        services.do_start_import(getattr(world.users, role), "patent_table", upload(fixture), "patents.csv")
    assert ImportJob.objects.count() == 0
    assert not (media / "imports").exists() or not any((media / "imports").iterdir())


@pytest.mark.parametrize("role", ["county_admin_a", "city_admin"])
def test_administrators_start_a_queued_job(
    world, jinzhong, media, fixture, role, django_capture_on_commit_callbacks
):
    user = getattr(world.users, role)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.do_start_import(user, "", upload(fixture, as_name="导出.txt"), "C:\\下载\\导出.txt")
    assert (job.status, job.kind, job.original_name, job.created_by) == (
        "queued",
        "patent_table",
        "导出.txt",
        user,
    )
    assert job.file.name.startswith("imports/") and job.file.name.endswith(".csv")  # named by content
    assert (media / job.file.name).read_bytes() == fixture("patents.csv").read_bytes()
    assert list(job.events.values_list("kind", "to_state")) == [("queued", "queued")]
    assert len(callbacks) == 1 and Patent.objects.count() == 0  # the worker starts after commit
    callbacks[0]()  # the worker runs the task (immediate in tests)
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 5 and job.error_count == 3
    assert list(job.events.values_list("kind", flat=True)) == ["queued", "running", "done"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!doctype html><html><script>alert(1)</script></html>", "web page"),
        (b"MZ\x90\x00" + b"\x00" * 64, "binary"),
        (b"", "empty"),
    ],
)
def test_files_are_judged_by_content(world, media, content, message):
    with pytest.raises(ValidationError) as refused:
        services.do_start_import(world.users.city_admin, "", SimpleUploadedFile("p.csv", content), "p.csv")
    assert message in refused.value.message_dict["file"][0]
    assert ImportJob.objects.count() == 0


def test_size_limit(world, media, settings, fixture):
    settings.ZHICHAN_IMPORT_MAX_MB = 0.0001
    with pytest.raises(ValidationError, match="limit for imports"):
        services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "patents.csv")


def test_kind_must_fit_the_format(world, media, fixture):
    with pytest.raises(ValidationError) as refused:
        services.do_start_import(world.users.city_admin, "patent_xml", upload(fixture), "patents.csv")
    assert "needs a XML file" in refused.value.message_dict["file"][0]


def test_unguessable_kind_leaves_no_file(world, media):
    data = SimpleUploadedFile("x.csv", "姓名,电话\n甲,1\n".encode())
    with pytest.raises(ValidationError) as refused:
        services.do_start_import(world.users.city_admin, "", data, "x.csv")
    assert "kind" in refused.value.message_dict
    assert ImportJob.objects.count() == 0
    assert not any((media / "imports").iterdir())


def test_the_task_runs_a_job_once(world, jinzhong, media, fixture):
    job = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "p.csv")
    assert tasks.run_import.call_local(job.pk) == "done"
    events = ImportJobEvent.objects.filter(job=job).count()
    # Again (a retry, a second worker): nothing happens.
    assert tasks.run_import.call_local(job.pk) == "done"
    job.refresh_from_db()
    assert job.created_count == 5 and job.processed_rows == 8
    assert ImportJobEvent.objects.filter(job=job).count() == events
    assert tasks.run_import.call_local(999999) is None


def test_a_crash_marks_the_job_failed(world, jinzhong, media, fixture, monkeypatch):
    from zhichan.ipdata.importers import engine

    def boom(self, progress=None):
        raise MemoryError("out of memory")

    monkeypatch.setattr(engine.Importer, "run", boom)
    job = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "p.csv")
    assert tasks.run_import.call_local(job.pk) == "failed"
    job.refresh_from_db()
    assert "MemoryError: out of memory" in job.message and job.finished_at is not None


def test_a_missing_file_fails_the_job(world, media, fixture):
    job = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "p.csv")
    (media / job.file.name).unlink()
    job = services.do_run_import(job.pk)
    assert job.status == "failed" and "missing" in job.message


def test_county_admin_sees_own_jobs_only(world, media, fixture):
    own = services.do_start_import(world.users.county_admin_a, "patent_table", upload(fixture), "a.csv")
    other = services.do_start_import(world.users.county_admin_b, "patent_table", upload(fixture), "b.csv")
    city = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "c.csv")
    visible = lambda role: set(ImportJob.objects.restrict(getattr(world.users, role), "view"))  # noqa: E731
    assert visible("county_admin_a") == {own}
    assert visible("county_admin_b") == {other}
    assert visible("city_admin") == {own, other, city}
    for role in NOT_IMPORTERS:
        assert visible(role) == set()


def test_uploaded_stream_without_size(world, media, fixture):
    """A file object without .size (the API's spooled upload) is still checked by content."""

    class Stream(io.BytesIO):
        name = "p.csv"

    job = services.do_start_import(
        world.users.city_admin, "", Stream(fixture("patents.csv").read_bytes()), "p.csv"
    )
    assert job.kind == "patent_table"
