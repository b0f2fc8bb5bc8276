import time

from django.core.management.base import BaseCommand

from zhichan.screening.services import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the trademark screening index from the live trademarks in the database."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = rebuild_index()
        self.stdout.write(f"screening index: {count} marks in {time.perf_counter() - started:.1f} s")
