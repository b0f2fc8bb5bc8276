"""Worker tasks (`zhichan worker`): the import job; building a patent navigation report and
picking up reports whose task was lost."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhichan.ipdata import industry_services, services


@db_task()
def run_import(job_id: int):
    """Idempotent: a job that is not queued (running, done or failed) is left as it is."""
    job = services.do_run_import(job_id)
    return job.status if job else None


@db_task()
def build_navigation_report(report_id: int):
    return industry_services.build_report(report_id)


@db_periodic_task(crontab(minute="*/10"))
def requeue_navigation_reports():
    return industry_services.requeue_waiting()
