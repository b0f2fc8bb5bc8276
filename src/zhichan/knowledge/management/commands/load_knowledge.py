from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhichan.core.bundles import DEMO_BUNDLE
from zhichan.core.dataload import DataFileError
from zhichan.knowledge.loaders import load_knowledge


class Command(BaseCommand):
    help = "Load statutes (split into articles), policies and Q&A items from a knowledge index.yaml."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default=str(DEMO_BUNDLE / "knowledge" / "index.yaml"),
            help="the index.yaml naming the laws folder, policies and Q&A files (default: the demo city's)",
        )

    def handle(self, *args, **options):
        try:
            load_knowledge(Path(options["file"]), log=self.stdout.write)
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
