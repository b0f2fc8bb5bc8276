"""Worker tasks (`zhichan worker`): the import job, failing import jobs whose worker died and
removing old uploads; building a patent navigation report and picking up reports whose task
was lost."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_task, on_startup

from zhichan.core.periodic import periodic_task
from zhichan.ipdata import industry_services, services

logger = logging.getLogger(__name__)


@db_task()
def run_import(job_id: int):
    """Idempotent: a job that is not queued (running, done or failed) is left as it is."""
    job = services.do_run_import(job_id)
    return job.status if job else None


@periodic_task(crontab(minute="*/5"))
def fail_stale_imports():
    return services.fail_stale_jobs()


@on_startup()
def fail_stale_imports_at_start():
    # A worker starting after a crash or a restart: the jobs its predecessor left running end
    # now rather than at the next periodic check. Never stops the worker from starting. (The
    # thread's database connection is closed after its first task, as after every task.)
    try:
        services.fail_stale_jobs()
    except Exception:
        logger.exception("checking for import jobs without a worker failed")


@periodic_task(crontab(minute="23", hour="3"))
def remove_old_import_files():
    return services.remove_old_files()


@db_task()
def build_navigation_report(report_id: int):
    return industry_services.build_report(report_id)


@periodic_task(crontab(minute="*/10"))
def requeue_navigation_reports():
    return industry_services.requeue_waiting()
