from django.core.management.base import BaseCommand, CommandError

from zhichan.agencies.loaders import AGENCY_COLUMNS, load_agencies
from zhichan.core.dataload import DataFileError


class Command(BaseCommand):
    help = "Load agencies from a CSV file (" + ",".join(AGENCY_COLUMNS) + ")."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            self.stdout.write(f"agencies: {load_agencies(file)}")
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
