"""`zhichan import_ipdata FILE [--kind ...]`: import patents or trademarks now, with a progress bar."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from zhichan.ipdata import services
from zhichan.ipdata.models import ImportKind, ImportStatus


class Command(BaseCommand):
    help = (
        "Import patent or trademark records from a CSV/XLSX export or an ST.36 XML file. "
        "Records are matched on their number: importing a file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV, XLSX or XML file")
        parser.add_argument(
            "--kind",
            choices=ImportKind.values,
            default="",
            help="what the file holds (default: read from the file)",
        )
        parser.add_argument("--user", default="", help="user name recorded as having started the import")
        parser.add_argument("--batch-size", type=int, default=None, help="rows written per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        actor = None
        if options["user"]:
            from zhichan.accounts.models import User

            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        bar = None if options["no_progress"] else _Progress(getattr(self.stderr, "_out", sys.stderr))
        try:
            job = services.do_import_file(
                actor,
                options["kind"],
                options["file"],
                progress=bar.update if bar else None,
                batch_size=options["batch_size"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        finally:
            if bar:
                bar.close()
        self.stdout.write(
            f"{job.get_kind_display()} {job.original_name}: {job.processed_rows} rows — "
            f"{job.created_count} created, {job.updated_count} updated, {job.unchanged_count} unchanged, "
            f"{job.error_count} refused"
        )
        if job.message:
            self.stdout.write(job.message)
        if job.error_count:
            self.stdout.write(
                f"refused rows: import job {job.pk}, {reverse('ipdata:import_errors_csv', args=[job.pk])} "
                "(or the job's page)"
            )
        if job.status != ImportStatus.DONE:
            raise CommandError(f"import job {job.pk} failed: {job.message}")


class _Progress:
    """A tqdm bar over rows; the total is known once the file has been counted."""

    def __init__(self, stream):
        self.stream = stream
        self.bar = None
        self.seen = 0

    def update(self, job):
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=job.total_rows, unit="rows", file=self.stream, dynamic_ncols=True)
        self.bar.update(job.processed_rows - self.seen)
        self.seen = job.processed_rows
        self.bar.set_postfix(refused=job.error_count, refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.close()
