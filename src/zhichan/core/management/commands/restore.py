from django.core.management.base import BaseCommand, CommandError

from zhichan.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `zhichan backup`: check it, replace the database and the "
        "stored files, apply newer migrations, rebuild the search indexes. Stop the application "
        "and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz file written by `zhichan backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that holds data and file folders that hold files",
        )
        parser.add_argument(
            "--accept-key-change",
            action="store_true",
            help="restore although the secret key or the survey key differs from the archive's",
        )

    def handle(self, *args, archive, force, accept_key_change, **options):
        try:
            report = restore(archive, force=force, accept_key_change=accept_key_change)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            style = self.style.WARNING if line.startswith("warning:") else (lambda s: s)
            self.stdout.write(style(line))
        self.stdout.write(self.style.SUCCESS("restore finished"))
