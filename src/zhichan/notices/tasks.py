"""Worker tasks: send a delivery, and retry the failed ones with backoff."""

from huey import crontab
from huey.contrib.djhuey import db_task

from zhichan.core.periodic import periodic_task
from zhichan.notices import services

# A task that fails (the database restarting) is tried again soon: deliver() claims its row, so a
# retry never sends twice; without it the delivery waited for retry_due's stale limit.
RETRIES = {"retries": 3, "retry_delay": 15}


@db_task(**RETRIES)
def send_delivery(delivery_id: int):
    return services.deliver(delivery_id)


@db_task(**RETRIES)
def send_deliveries(delivery_ids: list[int]):
    # A failure of one is that delivery's own retry (deliver records it); the others still go.
    return [services.deliver(pk) for pk in delivery_ids]


@periodic_task(crontab(minute="*"))
def retry_deliveries():
    return services.retry_due()
