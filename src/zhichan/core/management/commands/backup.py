from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhichan.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database, every stored file and a manifest "
        "(see docs/deployment.md, Backup and restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default="backups", help="folder the archive is written to (default: ./backups)"
        )
        parser.add_argument(
            "--keep", type=int, default=None, help="then delete all but the newest N archives in that folder"
        )

    def handle(self, *args, output, keep, **options):
        try:
            result = backup(Path(output), keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"backup written: {result.path} ({result.size} bytes, {result.files} files)")
        )
        for path in result.removed:
            self.stdout.write(f"removed old backup: {path}")
