from django.core.management.base import BaseCommand

from zhichan.training.services import finish_ended_events


class Command(BaseCommand):
    help = "Finish published training events that have ended: those not checked in become no-shows."

    def handle(self, *args, **options):
        self.stdout.write(f"finished {finish_ended_events()} training event(s)")
