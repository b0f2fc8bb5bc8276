from django.core.management.base import BaseCommand, CommandError

from zhichan.core.bundles import DEMO_BUNDLE, load_bundle
from zhichan.core.dataload import DataFileError


class Command(BaseCommand):
    help = "Load a city bundle (a folder with city.yaml); without a folder, the Jinzhong demo."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=str(DEMO_BUNDLE))

    def handle(self, *args, folder, **options):
        try:
            load_bundle(folder, log=self.stdout.write)
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
