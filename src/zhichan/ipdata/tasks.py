"""The import job, run by the background worker (`zhichan worker`)."""

from huey.contrib.djhuey import db_task

from zhichan.ipdata import services


@db_task()
def run_import(job_id: int):
    """Idempotent: a job that is not queued (running, done or failed) is left as it is."""
    job = services.do_run_import(job_id)
    return job.status if job else None
