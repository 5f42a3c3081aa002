"""Check on create: candidates for a new (or edited) record from an inverted index.

The index maps blocking keys to record ids. In production the caller answers the same
questions from indexed DB columns; :class:`CheckIndex` is the in-memory version used by
tests, benchmarks and small tools. Lookup cost is bounded: a key carried by more than
``cap`` records (a switchboard, info@) is skipped, as in the batch scan.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from voronka.dedupe.matching.keys import K_BIRTH, K_INITIAL, K_SKELETON, Keys
from voronka.dedupe.matching.score import (
    DEFAULT_CAP,
    REVIEW,
    Columns,
    Score,
    Shared,
    pair_points,
    score_keys,
    shared_between,
)

_FUZZY = (K_INITIAL, K_SKELETON, K_BIRTH)
NAME_CAP = 20


@dataclass(frozen=True)
class Candidate:
    id: Hashable
    score: Score


class CheckIndex:
    """In-memory inverted index: blocking key -> ids, id -> keys."""

    def __init__(self, cap: int = DEFAULT_CAP, name_cap: int = NAME_CAP):
        self.cap = cap
        self.name_cap = name_cap
        self._postings: dict[str, list] = {}
        self._keys: dict[Hashable, Keys] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, record_id: Hashable, keys: Keys) -> None:
        if record_id in self._keys:
            self.remove(record_id)
        self._keys[record_id] = keys
        for b in keys.blocks:
            self._postings.setdefault(b, []).append(record_id)

    def add_many(self, items: Iterable[tuple[Hashable, Keys]]) -> None:
        for rid, k in items:
            self.add(rid, k)

    def remove(self, record_id: Hashable) -> None:
        keys = self._keys.pop(record_id, None)
        if keys is None:
            return
        for b in keys.blocks:
            ids = self._postings.get(b)
            if ids is not None:
                try:
                    ids.remove(record_id)
                except ValueError:
                    pass
                if not ids:
                    del self._postings[b]

    def freq(self, key: str) -> int:
        return len(self._postings.get(key, ()))

    def keys_of(self, record_id: Hashable) -> Keys:
        return self._keys[record_id]

    def lookup(self, key: str) -> list:
        return self._postings.get(key, [])

    def candidates(self, keys: Keys, limit: int = 10, exclude: Hashable = None):
        return check(keys, self.lookup, self.keys_of, self.freq, limit=limit, exclude=exclude,
                     cap=self.cap, name_cap=self.name_cap)  # fmt: skip


def check(
    keys: Keys,
    lookup: Callable[[str], list],
    keys_of: Callable[[Hashable], Keys],
    freq: Callable[[str], int],
    *,
    limit: int = 10,
    exclude: Hashable = None,
    cap: int = DEFAULT_CAP,
    name_cap: int = NAME_CAP,
    min_points: float = REVIEW,
) -> list[Candidate]:
    """Likely duplicates of ``keys``, best first, each with its explained score.

    ``lookup(key) -> ids`` and ``freq(key) -> int`` are the caller's index (DB columns in
    production); ``keys_of(id)`` returns the stored keys of a candidate.
    """
    seen: dict[Hashable, None] = {}
    for b in keys.blocks:
        n = freq(b)
        limit_b = name_cap if b[0] in _FUZZY else cap
        if n == 0 or n > limit_b:
            continue
        for rid in lookup(b):
            if rid != exclude:
                seen[rid] = None
    if not seen:
        return []
    ids = list(seen)
    others = [keys_of(i) for i in ids]
    # one vectorised pass over all candidates, then reasons only for the shown ones
    shared = Shared.zeros(len(ids))
    for k, o in enumerate(others):
        s = shared_between(keys, o, freq, cap)
        for f in ("phone", "email", "local", "inn", "ident", "name", "domain"):
            getattr(shared, f)[k] = getattr(s, f)[0]
    A = Columns([keys]).take(np.zeros(len(ids), dtype=np.int64))
    pts = pair_points(A, Columns(others), shared)
    order = np.argsort(-pts, kind="stable")
    out = []
    for k in order[:limit]:
        if pts[k] < min_points:
            break
        out.append(Candidate(ids[k], score_keys(keys, others[k], freq, cap)))
    return out
