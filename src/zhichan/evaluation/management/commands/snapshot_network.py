"""`zhichan snapshot_network [--day YYYY-MM-DD]`: record the network as it is now (what the worker
does once a day)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhichan.evaluation.snapshots import record


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--day: {text!r} is not a date (write YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = (
        "Record the network figures (outlets operating, functions covered, catalogue items) as they are "
        "now, replacing that day's snapshot. --day names the day they are recorded for (default: today)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="the day to record the present figures for, YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, day=None, **options):
        day = _day(day) if day else timezone.localdate()
        rows = record(day)
        self.stdout.write(f"network snapshot of {day.isoformat()}: {rows} rows")
