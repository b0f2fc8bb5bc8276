from django.core.management.base import BaseCommand, CommandError

from zhichan.core.dataload import DataFileError
from zhichan.regions.loaders import load_boundaries, load_regions


class Command(BaseCommand):
    help = "Load regions from a CSV file (code,name,name_en,kind,parent_code,lng,lat)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--boundaries", help="GeoJSON with county boundaries")
        parser.add_argument(
            "--rename",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="map a feature code in the GeoJSON to a region code",
        )

    def handle(self, *args, **options):
        try:
            renames = dict(r.split("=", 1) for r in options["rename"])
        except ValueError as exc:
            raise CommandError("--rename takes OLD=NEW") from exc
        try:
            result = load_regions(options["file"])
            self.stdout.write(f"regions: {result}")
            if options["boundaries"]:
                self.stdout.write(f"boundaries: {load_boundaries(options['boundaries'], renames)}")
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
