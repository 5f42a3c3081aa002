"""How far a matcher can go on the generator's data: the pairs only a name links.

For every true duplicate pair of the generated file this counts what the two records share
after normalisation (the same keys the matcher stores): an exact phone, e-mail or e-mail
name, a phone one digit away, or nothing but the name. Then it looks at the other side:
every pair of records with the same folded name (given name and surname, in any order) and
no shared phone, e-mail or e-mail name, and how often such a pair is one person, overall,
when nothing they hold disagrees (no two different phones, e-mails or companies), and by
how many records carry the name. Nothing here depends on the matcher's weights.

    .venv/bin/python bench/dedupe/ceiling.py            # 100,000 contacts
    .venv/bin/python bench/dedupe/ceiling.py 1000000
"""

import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import data_file, load  # noqa: E402

from voronka.dedupe.matching import make_keys  # noqa: E402
from voronka.dedupe.matching.keys import K_NAME  # noqa: E402


def near_phone(a: tuple, b: tuple) -> bool:
    """One digit changed in numbers of the same length."""
    return any(
        len(x) == len(y) and sum(c != d for c, d in zip(x, y, strict=True)) == 1
        for x in a
        for y in b
    )


def shares_identifier(a, b) -> str:
    if set(a.phones) & set(b.phones):
        return "phone"
    if set(a.emails) & set(b.emails):
        return "e-mail"
    if set(a.locals) & set(b.locals):
        return "e-mail name"
    if near_phone(a.phones, b.phones):
        return "phone one digit away"
    return ""


def conflicts(a, b) -> bool:
    """Both hold a phone, an e-mail or a company and the values differ."""
    return bool(
        (a.phones and b.phones)
        or (a.emails and b.emails)
        or (a.company and b.company and a.company != b.company)
    )


def name_key(k) -> str:
    return next((b for b in k.blocks if b.startswith(K_NAME + ":")), "")


def main(n: int) -> None:
    records, truth = load(data_file(n))
    keys = [make_keys(r) for r in records]
    truth = truth.tolist()

    by_cluster = defaultdict(list)
    for i, c in enumerate(truth):
        by_cluster[c].append(i)
    kinds = Counter()
    same_name_only = 0
    for members in by_cluster.values():
        for i, j in combinations(members, 2):
            kind = shares_identifier(keys[i], keys[j])
            kinds[kind or "nothing but the name, or nothing"] += 1
            if not kind and name_key(keys[i]) and name_key(keys[i]) == name_key(keys[j]):
                same_name_only += 1
    total = sum(kinds.values())
    print(f"{len(keys):,} records, {total:,} true duplicate pairs; what a pair shares:")
    for kind, count in kinds.most_common():
        print(f"  {kind:<36} {count:>8,}  {100 * count / total:5.1f}%")
    linked = total - kinds["nothing but the name, or nothing"]
    print(f"  recall of a matcher that needs one of these: at most {linked / total:.4f}")
    print(f"  of the rest, the same folded name: {same_name_only:,}")

    by_name = defaultdict(list)
    for i, k in enumerate(keys):
        key = name_key(k)
        if key:
            by_name[key].append(i)
    rows = []  # (records carrying the name, same person, no conflicting value)
    for members in by_name.values():
        for i, j in combinations(members, 2):
            if shares_identifier(keys[i], keys[j]):
                continue
            rows.append((len(members), truth[i] == truth[j], not conflicts(keys[i], keys[j])))
    print(f"\npairs with the same folded name and no shared phone, e-mail or e-mail name: "
          f"{len(rows):,}")  # fmt: skip

    def line(label, sel):
        same = sum(1 for r in sel if r[1])
        share = same / len(sel) if sel else 0.0
        print(f"  {label:<44} {len(sel):>9,} pairs, one person: {same:>6,} ({100 * share:.1f}%)")

    line("all", rows)
    calm = [r for r in rows if r[2]]
    line("nothing they hold disagrees", calm)
    for lo, hi in ((2, 2), (3, 3), (4, 5), (6, 10), (11, 10**9)):
        label = f"  ... and the name on {lo}" + (f"-{hi}" if hi != lo else "") + " records"
        if hi == 10**9:
            label = f"  ... and the name on more than {lo - 1} records"
        line(label, [r for r in calm if lo <= r[0] <= hi])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
