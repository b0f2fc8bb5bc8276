import time

from django.core.management.base import BaseCommand

from zhichan.ipdata.search import service


class Command(BaseCommand):
    help = "The patent search index: rebuild it from the database, or show its status."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status"])
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes that prepare documents during a rebuild (default: CPUs beyond two)",
        )

    def handle(self, *args, action, workers, **options):
        if action == "status":
            for key, value in service.status().items():
                self.stdout.write(f"{key}: {value}")
            return
        started = time.monotonic()

        def progress(n):
            self.stdout.write(f"  {n} documents, {time.monotonic() - started:.0f} s")

        n = service.rebuild(progress=progress if options["verbosity"] >= 1 else None, workers=workers)
        self.stdout.write(
            self.style.SUCCESS(f"search index rebuilt: {n} patents in {time.monotonic() - started:.1f} s")
        )
