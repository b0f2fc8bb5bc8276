from django.core.management.base import BaseCommand, CommandError

from zhichan.core.bundles import DEMO_BUNDLE
from zhichan.core.dataload import DataFileError
from zhichan.diagnosis.loaders import load_questionnaire


class Command(BaseCommand):
    help = "Load the risk-diagnosis questionnaire from YAML; a changed file becomes a new version."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default=str(DEMO_BUNDLE / "diagnosis.yaml"),
            help="the questionnaire file (default: the demo city's)",
        )

    def handle(self, *args, **options):
        try:
            result = load_questionnaire(options["file"])
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"diagnosis questionnaire: {result}")
