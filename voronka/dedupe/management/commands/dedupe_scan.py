import itertools
import json
import time

from django.core.management.base import BaseCommand, CommandError

from voronka.dedupe import keystore
from voronka.dedupe.services import keys_backfill, queue_fill


def json_pairs(kind: str, pairs, clusters) -> list[dict]:
    """Every pair worth a look (score at or above REVIEW), and every pair of records the
    scan put in one cluster: ids, external ids, score (null for a pair joined only through
    its cluster, not scored as a candidate), ``match`` (true when the two are in one
    cluster: the product's verdict, what "Merge all" joins) and the cluster (its smallest
    record id; null when the two are not in one)."""
    cluster_of = {i: min(members) for members in clusters for i in members}
    rows: dict[tuple[int, int], float | None] = {}
    for a, b, points in pairs:
        rows[(min(a, b), max(a, b))] = round(points, 3)
    for members in clusters:
        for a, b in itertools.combinations(sorted(members), 2):
            rows.setdefault((a, b), None)
    ids = sorted({i for pair in rows for i in pair})
    model = keystore.model_of(kind)
    ext = {}
    for n in range(0, len(ids), 5000):
        chunk = ids[n : n + 5000]
        ext.update(model.all_objects.filter(pk__in=chunk).values_list("pk", "external_id"))
    out = []
    for (a, b), points in rows.items():
        same = a in cluster_of and cluster_of.get(a) == cluster_of.get(b)
        out.append(
            {
                "kind": kind,
                "a_id": a,
                "b_id": b,
                "a_external_id": ext.get(a, ""),
                "b_external_id": ext.get(b, ""),
                "score": points,
                "match": same,
                "cluster": cluster_of[a] if same else None,
            }
        )
    return out


class Command(BaseCommand):
    help = (
        "Score every contact and company for duplicates and fill the review queue; "
        "--json FILE also writes every candidate pair and every pair of one cluster."
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
                if fh:
                    out.extend(json_pairs(k, pairs, result.clusters))
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
