"""Worker tasks: build a patent navigation report; pick up reports whose task was lost."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhichan.ipdata import services


@db_task()
def build_navigation_report(report_id: int):
    return services.build_report(report_id)


@db_periodic_task(crontab(minute="*/10"))
def requeue_navigation_reports():
    return services.requeue_waiting()
