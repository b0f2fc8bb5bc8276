from django.core.management.base import BaseCommand, CommandError

from zhichan.core.dataload import DataFileError
from zhichan.core.workdays import load_overrides


class Command(BaseCommand):
    help = (
        "Load working-day overrides from a CSV (date,is_workday,note): holidays and make-up "
        "working days of years the packaged calendar does not know yet, or local decisions."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            self.stdout.write(f"working-day overrides: {load_overrides(file)}")
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
