from django.core.management.base import BaseCommand

from zhichan.custody.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the reminders of custody deadlines that are due (what the worker runs daily)."

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"{sent} reminders sent")
