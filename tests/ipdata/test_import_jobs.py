"""Import jobs over time: workers that die, running a job again, removing old uploads."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhichan.core.permissions import PermissionDenied
from zhichan.ipdata import services, tasks
from zhichan.ipdata.importers import engine
from zhichan.ipdata.models import ImportJob, ImportRowError, ImportStatus, Patent

pytestmark = pytest.mark.django_db
NOT_IMPORTERS = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a"]


def upload(fixture, name="patents.csv"):
    return SimpleUploadedFile(name, fixture(name).read_bytes())


def running_job(user, minutes_ago: int, heartbeat=True) -> ImportJob:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return ImportJob.objects.create(
        kind="patent_table",
        file="imports/x.csv",
        original_name="x.csv",
        created_by=user,
        status=ImportStatus.RUNNING,
        started_at=at,
        heartbeat_at=at if heartbeat else None,
        attempt=1,
        processed_rows=3000,
    )


# --- a worker that died ---------------------------------------------------------------------


def test_a_job_without_a_heartbeat_is_marked_failed_with_the_reason(world, settings):
    settings.ZHICHAN_IMPORT_STALE_MINUTES = 10
    lost = running_job(world.users.city_admin, 11)
    alive = running_job(world.users.city_admin, 2)
    old_row = running_job(world.users.city_admin, 30, heartbeat=False)  # from before heartbeats
    ImportJob.objects.filter(pk=old_row.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=30))
    queued = ImportJob.objects.create(kind="patent_table", file="imports/y.csv", original_name="y.csv")
    ImportJob.objects.filter(pk=queued.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))

    assert services.fail_stale_jobs() == 2
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.finished_at is not None
    assert "no sign of life" in lost.message and "3000 rows" in lost.message and "again" in lost.message
    event = lost.events.get(kind="stale")
    assert (event.from_state, event.to_state, event.actor) == ("running", "failed", None)
    assert ImportJob.objects.get(pk=old_row.pk).status == "failed"
    assert ImportJob.objects.get(pk=alive.pk).status == "running"
    assert ImportJob.objects.get(pk=queued.pk).status == "queued"
    assert services.fail_stale_jobs() == 0  # once
    assert lost.events.filter(kind="stale").count() == 1


def test_the_periodic_task_and_the_worker_start_check_stale_jobs(world):
    first = running_job(world.users.city_admin, 60)
    assert tasks.fail_stale_imports.call_local() == 1
    second = running_job(world.users.city_admin, 60)
    tasks.fail_stale_imports_at_start()
    assert {j.status for j in ImportJob.objects.filter(pk__in=[first.pk, second.pk])} == {"failed"}
    from huey.contrib.djhuey import HUEY

    assert tasks.fail_stale_imports_at_start in HUEY._startup.values()


def test_batches_keep_the_job_alive(jinzhong, fixture, settings):
    beats = []

    def progress(job):
        beats.append(ImportJob.objects.get(pk=job.pk).heartbeat_at)

    services.do_import_file(None, "patent_table", fixture("patents.csv"), batch_size=3, progress=progress)
    assert None not in beats and beats == sorted(beats) and len(set(beats)) > 1


def test_a_worker_taken_for_dead_stops_without_writing(jinzhong, fixture):
    """The job was failed as lost while its worker was only slow: that worker's next batch is
    rolled back and the job stays as the check left it."""
    seen = []

    def progress(job):
        seen.append(job.processed_rows)
        if job.processed_rows == 3:
            old = timezone.now() - dt.timedelta(hours=1)
            ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=old)
            assert services.fail_stale_jobs() == 1

    job = services.do_import_file(
        None, "patent_table", fixture("patents.csv"), batch_size=3, progress=progress
    )
    assert job.status == "failed" and "no sign of life" in job.message
    assert job.processed_rows == 3 and seen == [0, 3]
    assert Patent.objects.count() == 3  # the first batch (rows 2–4) only
    assert not job.events.filter(kind="done").exists()
    assert list(job.events.values_list("kind", flat=True)) == ["queued", "running", "stale"]


# --- running a failed job again -------------------------------------------------------------


def failing_second_batch(monkeypatch):
    real = engine.Importer.write_batch
    calls = []

    def write_batch(self, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise OSError("the worker's disk went away")
        return real(self, batch)

    monkeypatch.setattr(engine.Importer, "write_batch", write_batch)
    return calls


def test_a_failed_job_runs_again_resuming_after_the_saved_rows(world, jinzhong, media, fixture, monkeypatch):
    job = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "p.csv")
    calls = failing_second_batch(monkeypatch)
    job = services.do_run_import(job.pk, batch_size=3)
    assert job.status == "failed" and job.processed_rows == 3 and job.created_count == 3
    assert job.can_rerun

    job = services.do_rerun_import(world.users.city_admin, job.pk)
    assert job.status == "queued" and job.message == "" and job.finished_at is None
    event = job.events.get(kind="requeued")
    assert (event.from_state, event.to_state, event.actor) == ("failed", "queued", world.users.city_admin)
    assert event.data == {"resume_after": 3}
    again = services.do_rerun_import(world.users.city_admin, job.pk)  # a double click
    assert again.status == "queued" and job.events.filter(kind="requeued").count() == 1

    calls.clear()
    monkeypatch.undo()
    written = []
    real = engine.Importer.write_batch
    monkeypatch.setattr(engine.Importer, "write_batch", lambda self, b: (written.append(b), real(self, b))[1])
    assert tasks.run_import.call_local(job.pk) == "done"
    job.refresh_from_db()
    # The first batch's rows were not written again; the counts are those of one whole run.
    assert [row for row, _values in written[0]][0] == 5
    assert (job.processed_rows, job.created_count, job.unchanged_count, job.error_count) == (8, 5, 0, 3)
    assert job.attempt == 2
    assert ImportRowError.objects.filter(job=job).count() == 4
    assert Patent.objects.count() == 5


def test_only_failed_jobs_with_their_file_run_again(world, jinzhong, media, fixture):
    job = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "p.csv")
    assert services.do_rerun_import(world.users.city_admin, job.pk).status == "queued"  # nothing to do
    assert not job.events.filter(kind="requeued").exists()
    services.do_run_import(job.pk)
    with pytest.raises(ValidationError, match="Only a failed import"):
        services.do_rerun_import(world.users.city_admin, job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status="failed", file="", file_removed_at=timezone.now())
    with pytest.raises(ValidationError, match="file is still kept"):
        services.do_rerun_import(world.users.city_admin, job.pk)
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


@pytest.mark.parametrize("role", [*NOT_IMPORTERS, "county_admin_b"])
def test_who_may_run_a_job_again(world, media, fixture, role):
    job = services.do_start_import(world.users.county_admin_a, "patent_table", upload(fixture), "p.csv")
    ImportJob.objects.filter(pk=job.pk).update(status="failed", finished_at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.do_rerun_import(getattr(world.users, role), job.pk)
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
    for allowed in ("county_admin_a", "city_admin"):
        ImportJob.objects.filter(pk=job.pk).update(status="failed")
        assert services.do_rerun_import(getattr(world.users, allowed), job.pk).status == "queued"


def test_the_page_runs_a_failed_job_again(client, world, media, fixture):
    job = services.do_start_import(world.users.county_admin_a, "patent_table", upload(fixture), "p.csv")
    ImportJob.objects.filter(pk=job.pk).update(
        status="failed", finished_at=timezone.now(), message="The worker gave no sign of life"
    )
    url = reverse("ipdata:import_detail", args=[job.pk])
    rerun = reverse("ipdata:import_rerun", args=[job.pk])
    client.force_login(world.users.county_admin_b)
    assert client.post(rerun).status_code == 404
    client.force_login(world.users.county_admin_a)
    page = client.get(url).content.decode()
    assert 'data-testid="rerun"' in page and "no sign of life" in page
    assert "kept until" in page
    assert client.get(rerun).status_code == 405
    response = client.post(rerun, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "queued again" in response.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == "queued"
    assert 'data-testid="rerun"' not in client.get(url).content.decode()
    response = client.post(rerun, follow=True)  # a second submission
    assert response.status_code == 200 and job.events.filter(kind="requeued").count() == 1


# --- uploaded files -------------------------------------------------------------------------


def test_old_uploads_are_removed_and_the_job_kept(
    world, media, fixture, settings, django_capture_on_commit_callbacks
):
    settings.ZHICHAN_IMPORT_KEEP_DAYS = 30
    now = timezone.now()
    jobs = {}
    for name, status, days in (
        ("old-done", "done", 31),
        ("old-failed", "failed", 40),
        ("recent", "done", 29),
        ("queued", "queued", None),
    ):
        job = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), f"{name}.csv")
        finished = now - dt.timedelta(days=days) if days else None
        ImportJob.objects.filter(pk=job.pk).update(status=status, finished_at=finished)
        jobs[name] = ImportJob.objects.get(pk=job.pk)
    paths = {name: media / job.file.name for name, job in jobs.items()}
    assert all(p.is_file() for p in paths.values())

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are marked
        assert services.remove_old_files(now) == 2
    for name in ("old-done", "old-failed"):
        job = ImportJob.objects.get(pk=jobs[name].pk)
        assert not paths[name].exists()
        assert job.file.name == "" and job.file_removed_at == now and job.status == jobs[name].status
        event = job.events.get(kind="file_removed")
        assert event.note == jobs[name].file.name and event.data == {"keep_days": 30}
        assert not job.can_rerun
    for name in ("recent", "queued"):
        assert paths[name].is_file() and ImportJob.objects.get(pk=jobs[name].pk).file
    assert services.remove_old_files(now) == 0
    assert jobs["recent"].file_kept_until == jobs["recent"].finished_at + dt.timedelta(days=30)


def test_the_page_says_when_the_file_was_removed(client, world, media, fixture):
    job = services.do_start_import(world.users.city_admin, "patent_table", upload(fixture), "p.csv")
    ImportJob.objects.filter(pk=job.pk).update(
        status="done", finished_at=timezone.now() - dt.timedelta(days=31)
    )
    assert tasks.remove_old_import_files.call_local() == 1
    client.force_login(world.users.city_admin)
    page = client.get(reverse("ipdata:import_detail", args=[job.pk])).content.decode()
    assert "The uploaded file was removed on" in page and "30 days after" in page
    assert 'data-kind="file_removed"' in page


def test_an_import_reads_its_file_from_a_bucket(world, jinzhong, fixture, s3_store, english):
    # No kind given: it is read from the stored file's headers, as the job runs it, by local copy.
    job = services.do_start_import(world.users.city_admin, "", upload(fixture), "p.csv")
    assert job.kind == "patent_table"
    assert [o.key for o in s3_store.objects.all()] == [f"zhichan/media/{job.file.name}"]
    job = services.do_run_import(job.pk)
    assert job.status == "done" and Patent.objects.count() == 5
    gone = ImportJob.objects.create(kind="patent_table", file="imports/gone.csv", original_name="gone.csv")
    gone = services.do_run_import(gone.pk)
    assert gone.status == "failed" and "missing" in gone.message
