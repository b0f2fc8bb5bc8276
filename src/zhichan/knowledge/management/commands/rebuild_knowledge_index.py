from django.core.management.base import BaseCommand

from zhichan.knowledge import search


class Command(BaseCommand):
    help = "Bring the knowledge search index in step with the laws, policies, Q&A items and guides."

    def handle(self, *args, **options):
        changed = search.rebuild()
        search.optimize()
        self.stdout.write(f"knowledge index: {changed} entries written or removed")
