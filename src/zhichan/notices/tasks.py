"""Worker tasks: send a delivery, and retry the failed ones with backoff."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhichan.notices import services


@db_task()
def send_delivery(delivery_id: int):
    return services.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def retry_deliveries():
    return services.retry_due()
