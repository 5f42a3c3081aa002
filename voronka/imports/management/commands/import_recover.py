from django.core.management.base import BaseCommand

from voronka.imports.tasks import recover_stale_jobs


class Command(BaseCommand):
    help = "Queue again the import jobs whose worker died (nothing of them was saved)."

    def handle(self, *args, **opts):
        n = recover_stale_jobs()
        self.stdout.write(f"{n} import jobs recovered")
