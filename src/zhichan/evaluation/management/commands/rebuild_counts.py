"""`zhichan rebuild_counts`: empty the evaluation's daily counts and count every source again."""

import time

from django.core.management.base import BaseCommand

from zhichan.evaluation.counts import rebuild_counts


class Command(BaseCommand):
    help = "Empty the evaluation's daily counts and refill them from every source's first row."

    def handle(self, *args, **options):
        started = time.perf_counter()
        done = rebuild_counts()
        for source, rows in done.items():
            self.stdout.write(f"{source}: {rows} rows counted")
        self.stdout.write(f"rebuilt in {time.perf_counter() - started:.1f} s")
