"""Send the deliveries that are due now: what the worker's periodic task does, by hand."""

from django.core.management.base import BaseCommand

from zhichan.notices.services import retry_due


class Command(BaseCommand):
    help = "Send failed e-mail/SMS deliveries whose retry time has come, and any left pending."

    def handle(self, *args, **options):
        count = retry_due()
        self.stdout.write(f"{count} deliveries tried")
