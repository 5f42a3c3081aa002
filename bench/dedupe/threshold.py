"""Precision of the scored pairs above a points threshold (for the automatic merge).

    .venv/bin/python bench/dedupe/threshold.py [N]     # default 100,000 contacts

Pairs are judged one by one (not through clusters): the automatic merge merges pairs.
Prints precision and the number of true pairs kept at each threshold, and the lowest
threshold whose precision is at least 0.999.
"""

import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import data_file  # noqa: E402

from voronka.dedupe.matching import Record, make_keys, scan_keys  # noqa: E402


def main(n: int) -> None:
    keys, truth = [], []
    with open(data_file(n), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rec = Record(name=row["name"], phones=row["phones"], emails=row["emails"],
                         company=row["company"])  # fmt: skip
            keys.append(make_keys(rec))
            truth.append(int(row["cluster"]))
    truth = np.array(truth)
    res = scan_keys(keys, keep_keys=False)
    same = truth[res.left] == truth[res.right]
    _, cnt = np.unique(truth, return_counts=True)
    all_true = int((cnt * (cnt - 1) // 2).sum())
    print(f"{'points >=':>9} {'pairs':>8} {'precision':>9} {'recall':>7}")
    best = None
    for t in np.arange(1.0, 16.01, 0.5):
        m = res.points >= t
        k = int(m.sum())
        p = float(same[m].mean()) if k else 1.0
        r = float(same[m].sum()) / all_true
        print(f"{t:>9.1f} {k:>8} {p:>9.4f} {r:>7.4f}")
        if best is None and p >= 0.999:
            best = t
    print(f"lowest threshold with pair precision >= 0.999: {best}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
