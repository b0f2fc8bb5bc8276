"""Worker tasks: the alert scan (after each import and hourly) and the daily digests."""

from huey import crontab
from huey.contrib.djhuey import db_task, lock_task

from zhichan.core.periodic import periodic_task
from zhichan.watch import digest, scan


@db_task()
@lock_task("watch-scan")
def scan_after_import():
    return scan.run_scan()


@periodic_task(crontab(minute="17"))
@lock_task("watch-scan")
def scan_hourly():
    return scan.run_scan()


@periodic_task(crontab(hour="8", minute="5"))
def send_digests():
    return digest.send_digests()
