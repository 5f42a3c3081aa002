"""Batch-scan benchmark on the seeded generator: precision, recall, F1, time, memory.

    .venv/bin/python bench/dedupe/run.py            # 100,000 and 1,000,000 contacts
    .venv/bin/python bench/dedupe/run.py 100000     # one size

Each size runs in a fresh process (so peak memory is that size's own). The CSV is
generated once (seeded) into $VORONKA_BENCH_DIR (default /tmp/voronka-bench). "keys" is the
normalisation done when a record is saved; "scan" is the batch job over stored keys.
"""

import csv
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from voronka.dedupe.matching import Record, make_keys, scan_keys  # noqa: E402

TARGETS = {100_000: (0.99, 0.97, 10, 500), 1_000_000: (0.97, 0.96, 120, 3000)}


def data_file(n: int) -> Path:
    d = Path(os.environ.get("VORONKA_BENCH_DIR", "/tmp/voronka-bench"))
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"contacts_{n}.csv"
    if not path.exists():
        from generate import write_csv

        write_csv(n, str(path))
    return path


def pair_metrics(pred_clusters, truth: np.ndarray):
    """Pairwise precision / recall over the pairs implied by clusters."""
    n = len(truth)
    pred = np.arange(n, dtype=np.int64) + n  # singletons get their own label
    for c, members in enumerate(pred_clusters):
        pred[np.asarray(members)] = c

    def pairs_in(labels):
        _, cnt = np.unique(labels, return_counts=True)
        return int((cnt * (cnt - 1) // 2).sum())

    joint = pred * (truth.max() + 1) + truth
    tp = pairs_in(joint)
    p_all, t_all = pairs_in(pred), pairs_in(truth)
    precision = tp / p_all if p_all else 1.0
    recall = tp / t_all if t_all else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load(path: Path):
    records, truth = [], []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            records.append(
                Record(
                    id=int(row["id"]),
                    name=row["name"],
                    phones=row["phones"],
                    emails=row["emails"],
                    company=row["company"],
                )  # fmt: skip
            )
            truth.append(int(row["cluster"]))
    return records, np.array(truth, dtype=np.int64)


def run_one(n: int) -> dict:
    path = data_file(n)
    t0 = time.perf_counter()
    keys, truth = [], []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            keys.append(
                make_keys(
                    Record(
                        name=row["name"],
                        phones=row["phones"],
                        emails=row["emails"],
                        company=row["company"],
                    )  # fmt: skip
                )
            )
            truth.append(int(row["cluster"]))
    truth = np.array(truth, dtype=np.int64)
    t1 = time.perf_counter()
    result = scan_keys(keys, keep_keys=False)
    t2 = time.perf_counter()
    p, r, f1 = pair_metrics(result.clusters, truth)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "n": len(keys), "precision": p, "recall": r, "f1": f1, "keys_s": t1 - t0,
        "scan_s": t2 - t1, "total_s": t2 - t0, "peak_mb": rss_mb,
        "candidates": result.candidates, "clusters": len(result.clusters),
    }  # fmt: skip


def main(argv):
    if len(argv) > 1 and argv[1] == "--one":
        res = run_one(int(argv[2]))
        print(" ".join(f"{k}={v}" for k, v in res.items()))
        return
    sizes = [int(a) for a in argv[1:]] or [100_000, 1_000_000]
    print(f"{'contacts':>10} {'P':>6} {'R':>6} {'F1':>6} {'keys s':>7} {'scan s':>7} "
          f"{'total s':>7} {'peak MB':>8} {'pairs':>9}")  # fmt: skip
    for n in sizes:
        data_file(n)
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True
        )
        if out.returncode:
            print(out.stderr)
            continue
        res = dict(kv.split("=") for kv in out.stdout.split())
        res = {k: float(v) for k, v in res.items()}
        line = (
            f"{int(res['n']):>10} {res['precision']:.4f} {res['recall']:.4f} {res['f1']:.4f} "
            f"{res['keys_s']:>7.1f} {res['scan_s']:>7.1f} {res['total_s']:>7.1f} "
            f"{res['peak_mb']:>8.0f} {int(res['candidates']):>9}"
        )
        t = TARGETS.get(n)
        if t:
            ok = (res["precision"] >= t[0] and res["recall"] >= t[1] and res["total_s"] <= t[2]
                  and res["peak_mb"] <= t[3])  # fmt: skip
            line += f"  target P>={t[0]} R>={t[1]} <={t[2]}s <={t[3]}MB: {'ok' if ok else 'MISSED'}"
        print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv)
