from django.core.management.base import BaseCommand, CommandError

from zhichan.catalog.loaders import load_catalog
from zhichan.core.dataload import DataFileError


class Command(BaseCommand):
    help = "Load service items and their guides from a YAML file; changed guides get a new version."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            result = load_catalog(options["file"])
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"catalogue: {result}")
