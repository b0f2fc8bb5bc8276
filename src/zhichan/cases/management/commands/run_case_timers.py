from django.core.management.base import BaseCommand

from zhichan.cases.tasks import run_timers


class Command(BaseCommand):
    help = "Warn of cases due soon, flag overdue ones, withdraw cases whose supplement never came."

    def handle(self, *args, **options):
        result = run_timers()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))
