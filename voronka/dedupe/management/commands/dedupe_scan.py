import json
import time

from django.core.management.base import BaseCommand, CommandError

from voronka.dedupe import keystore
from voronka.dedupe.services import keys_backfill, queue_fill


class Command(BaseCommand):
    help = (
        "Score every contact and company for duplicates and fill the review queue; "
        "--json FILE also writes every candidate pair."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=["contact", "company"], default=None)
        parser.add_argument("--json", dest="json_path", default=None, metavar="FILE")
        parser.add_argument(
            "--no-queue", action="store_true", help="only report; leave the review queue as it is"
        )

    def handle(self, *args, kind=None, json_path=None, no_queue=False, **options):
        out = []
        kinds = [kind] if kind else ["contact", "company"]
        try:
            fh = open(json_path, "w", encoding="utf-8") if json_path else None  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot write {json_path}: {exc}") from exc
        try:
            for k in kinds:
                t0 = time.perf_counter()
                keys_backfill(k)
                result = keystore.scan(k)
                matches, reviews = result.matches(), result.reviews()
                pairs = matches + reviews
                stats = {} if no_queue else queue_fill(k, pairs, result.clusters)
                ext = dict(
                    keystore.model_of(k)
                    .all_objects.filter(pk__in={i for a, b, _ in pairs for i in (a, b)})
                    .values_list("pk", "external_id")
                ) if fh else {}  # fmt: skip
                for a, b, points in pairs:
                    out.append(
                        {
                            "kind": k,
                            "a_id": a,
                            "b_id": b,
                            "a_external_id": ext.get(a, ""),
                            "b_external_id": ext.get(b, ""),
                            "score": round(points, 3),
                            "match": points >= 1.0,
                        }
                    )
                self.stdout.write(
                    f"{k}: {len(result.ids)} records, {len(matches)} matching pairs, "
                    f"{len(reviews)} to review, {len(result.clusters)} clusters "
                    f"({time.perf_counter() - t0:.1f} s) {stats}"
                )
            if fh:
                json.dump(out, fh, ensure_ascii=False, indent=1)
        finally:
            if fh:
                fh.close()
