from django.core.management.base import BaseCommand, CommandError

from zhichan.cases.loaders import ROUTING_COLUMNS, load_routing_rules
from zhichan.core.dataload import DataFileError


class Command(BaseCommand):
    help = "Load case routing rules from a CSV file (" + ",".join(ROUTING_COLUMNS) + ")."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            self.stdout.write(f"routing rules: {load_routing_rules(file)}")
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
