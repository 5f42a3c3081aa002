from django.core.management.base import BaseCommand

from voronka.dedupe.services import keys_backfill


class Command(BaseCommand):
    help = "Store the matching keys of contacts and companies that have none (--all: every one)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true")

    def handle(self, *args, **options):
        for kind in ("contact", "company"):
            n = keys_backfill(kind, only_missing=not options["all"])
            self.stdout.write(f"{kind}: {n} records keyed")
