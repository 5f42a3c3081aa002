"""Batch scan of a whole base: blocking on stored keys, vectorised scoring, clusters.

1. Every blocking key of every record is interned to an int; records sharing a key form a
   block. A block larger than ``cap`` (an office switchboard, info@, a very common name) is
   dropped, as Odoo drops a duplicate criterion that matches too many records.
2. All pairs inside the remaining blocks become candidates (numpy, no per-pair Python);
   for each candidate we keep which exact keys it shares and the size of that block.
3. Candidates are scored in chunks by :func:`score.pair_points` (rapidfuzz ``cpdist``).
4. Pairs at or above ``MATCH`` are joined into clusters, strongest first, by average
   linkage: two groups are joined only if the pairs scored between them say so on average
   (at least ``LINK_MEAN`` points), so one link cannot chain two people together when the
   other pairs between their records say they differ. Pairs between ``REVIEW`` and
   ``MATCH`` are returned for the review queue.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from voronka.dedupe.matching.keys import (
    K_DOMAIN,
    K_EMAIL,
    K_IDENT,
    K_INN,
    K_LOCAL,
    K_NAME,
    K_PHONE,
    Keys,
    Record,
    make_keys,
)
from voronka.dedupe.matching.score import (
    DEFAULT_CAP,
    MATCH,
    REVIEW,
    Columns,
    Score,
    Shared,
    pair_points,
    score_keys,
)

# Fuzzy name keys make many more small blocks than identifiers: a tighter cap keeps the
# number of candidate pairs near-linear in the size of the base.
NAME_CAP = 20
_FUZZY = frozenset("ikb")
_SHARED_FIELDS = {
    K_PHONE: "phone", K_EMAIL: "email", K_LOCAL: "local", K_INN: "inn", K_IDENT: "ident",
    K_NAME: "name", K_DOMAIN: "domain",
}  # fmt: skip
CHUNK = 400_000
# Two groups of records are joined only when the pairs scored between them average at
# least this many points (pairs that share no blocking key are not scored and not counted).
LINK_MEAN = -1.0


@dataclass
class ScanResult:
    ids: list  # caller's ids, by position
    left: np.ndarray  # positions of scored pairs (left < right), points >= REVIEW
    right: np.ndarray
    points: np.ndarray
    clusters: list[list] = field(default_factory=list)  # caller ids, confident clusters
    candidates: int = 0  # pairs scored
    keys: list[Keys] | None = None
    _freq: dict | None = None

    def matches(self):
        """(id_a, id_b, points) of pairs at or above MATCH, best first."""
        m = self.points >= MATCH
        return self._listing(m)

    def reviews(self):
        """(id_a, id_b, points) of pairs worth a look but below MATCH, best first."""
        m = self.points < MATCH
        return self._listing(m)

    def _listing(self, mask):
        idx = np.nonzero(mask)[0]
        idx = idx[np.argsort(-self.points[idx], kind="stable")]
        return [
            (self.ids[self.left[k]], self.ids[self.right[k]], float(self.points[k])) for k in idx
        ]

    def explain(self, i: int, j: int) -> Score:
        """Reasons for the pair at positions i, j (same points as the scan gave)."""
        freq = (self._freq or {}).get
        return score_keys(self.keys[i], self.keys[j], lambda k: freq(k, 2))


def _intern(keys: Sequence[Keys]):
    index: dict[str, int] = {}
    rec_parts: list[int] = []
    key_parts: list[int] = []
    types: list[str] = []
    get = index.get
    for r, k in enumerate(keys):
        for b in k.blocks:
            kid = get(b)
            if kid is None:
                kid = index[b] = len(types)
                types.append(b[0])
            rec_parts.append(r)
            key_parts.append(kid)
    rec = np.array(rec_parts, dtype=np.int32)
    kid = np.array(key_parts, dtype=np.int32)
    ktype = (
        np.frombuffer("".join(types).encode("ascii"), dtype="S1") if types else np.array([], "S1")
    )
    return index, rec, kid, ktype


def candidate_pairs(rec, kid, ktype, n_records: int, cap: int, name_cap: int):
    """Unique candidate pairs (left, right) and per-pair shared block sizes by key type."""
    counts = np.bincount(kid, minlength=len(ktype)) if len(kid) else np.zeros(0, np.int64)
    fuzzy = np.isin(ktype, np.array(sorted(_FUZZY), dtype="S1"))
    limit = np.where(fuzzy, name_cap, cap)
    keep_key = (counts >= 2) & (counts <= limit)
    m = keep_key[kid]
    rec, kid = rec[m], kid[m]
    order = np.argsort(kid, kind="stable")
    rec, kid = rec[order], kid[order]
    if len(kid) == 0:
        empty = np.zeros(0, np.int64)
        return empty, {}, counts
    starts = np.flatnonzero(np.r_[True, kid[1:] != kid[:-1]])
    sizes = np.diff(np.r_[starts, len(kid)])
    codes_by_type: dict[bytes, list] = {}
    for s in np.unique(sizes):
        g = starts[sizes == s]
        block = rec[g[:, None] + np.arange(s)]
        iu, ju = np.triu_indices(s, 1)
        a = block[:, iu].astype(np.int64)
        b = block[:, ju].astype(np.int64)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        code = (lo * n_records + hi).ravel()
        t = np.repeat(ktype[kid[g]], len(iu))
        for tv in np.unique(t):
            sel = t == tv
            codes_by_type.setdefault(tv, []).append((code[sel], int(s)))
    per_type = {}
    all_codes = []
    for tv, chunks in codes_by_type.items():
        codes = np.concatenate([c for c, _ in chunks])
        sz = np.concatenate([np.full(len(c), s, np.int32) for c, s in chunks])
        o = np.lexsort((sz, codes))
        codes, sz = codes[o], sz[o]
        first = np.r_[True, codes[1:] != codes[:-1]]
        per_type[tv] = (codes[first], sz[first])
        all_codes.append(codes[first])
    pairs = np.unique(np.concatenate(all_codes))
    return pairs, per_type, counts


def scan_keys(
    keys: Sequence[Keys],
    ids: Sequence | None = None,
    *,
    cap: int = DEFAULT_CAP,
    name_cap: int = NAME_CAP,
    keep_keys: bool = True,
) -> ScanResult:
    """Scan stored keys (one :class:`Keys` per record)."""
    n = len(keys)
    ids = list(ids) if ids is not None else list(range(n))
    index, rec, kid, ktype = _intern(keys)
    pairs, per_type, counts = candidate_pairs(rec, kid, ktype, max(n, 1), cap, name_cap)
    del rec, kid
    cols = Columns(list(keys))
    lefts, rights, pts_all = [], [], []
    other_l, other_r, other_p = [], [], []  # pairs below REVIEW: they still count in clustering
    for start in range(0, len(pairs), CHUNK):
        code = pairs[start : start + CHUNK]
        shared = Shared.zeros(len(code))
        for tv, (tcodes, tsz) in per_type.items():
            f = _SHARED_FIELDS.get(tv.decode())
            if f is None:
                continue
            pos = np.searchsorted(tcodes, code)
            pos = np.minimum(pos, len(tcodes) - 1)
            hit = tcodes[pos] == code
            getattr(shared, f)[hit] = tsz[pos[hit]]
        L = (code // n).astype(np.int64)
        R = (code % n).astype(np.int64)
        pts = pair_points(cols.take(L), cols.take(R), shared)
        keep = pts >= REVIEW
        lefts.append(L[keep].astype(np.int32))
        rights.append(R[keep].astype(np.int32))
        pts_all.append(pts[keep])
        other_l.append(L[~keep].astype(np.int32))
        other_r.append(R[~keep].astype(np.int32))
        other_p.append(pts[~keep])
    if lefts:
        left, right, points = np.concatenate(lefts), np.concatenate(rights), np.concatenate(pts_all)
    else:
        left = right = np.zeros(0, np.int32)
        points = np.zeros(0, np.float32)
    clusters = _clusters(n, left, right, points, ids, (other_l, other_r, other_p))
    del other_l, other_r, other_p
    freq = None
    if keep_keys:
        freq = {k: int(counts[v]) for k, v in index.items() if counts[v] >= 2}
    return ScanResult(
        ids=ids, left=left, right=right, points=points, clusters=clusters,
        candidates=len(pairs), keys=list(keys) if keep_keys else None, _freq=freq,
    )  # fmt: skip


def _components(n, left, right, mask):
    graph = coo_matrix((np.ones(int(mask.sum()), np.int8), (left[mask], right[mask])), shape=(n, n))
    return connected_components(graph, directed=False)


def _average_linkage(pairs, link_mean: float = LINK_MEAN) -> dict:
    """Greedy average linkage inside one group of records: ``pairs`` is [(points, a, b)]
    with every scored pair of the group; links (points >= MATCH) are taken strongest first,
    and a link joins its two clusters only if all scored pairs between them average at
    least ``link_mean``. Returns record -> root."""
    parent: dict = {}

    def find(x):
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:
            parent[x], x = root, parent.get(x, x)
        return root

    # between[root][other] = [sum of points, number of pairs] over pairs between clusters
    between: dict = {}
    seen = set()
    for p, a, b in pairs:
        seen.update((a, b))
        for x, y in ((a, b), (b, a)):
            acc = between.setdefault(x, {}).setdefault(y, [0.0, 0])
            acc[0] += p
            acc[1] += 1
    for p, a, b in sorted(pairs, key=lambda t: -t[0]):
        if p < MATCH:
            break
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        total, count = between[ra][rb]
        if total / count < link_mean:
            continue
        if len(between[ra]) < len(between[rb]):  # fold the smaller neighbour list in
            ra, rb = rb, ra
        parent[rb] = ra
        nb_a, nb_b = between[ra], between.pop(rb)
        nb_a.pop(rb, None)
        for other, (t, c) in nb_b.items():
            if other == ra:
                continue
            row = between[other]
            del row[rb]
            acc = nb_a.setdefault(other, [0.0, 0])
            acc[0] += t
            acc[1] += c
            row[ra] = [acc[0], acc[1]]
    return {x: find(x) for x in seen}


def _clusters(n, left, right, points, ids, others=None):
    mask = points >= MATCH
    if n == 0 or not np.any(mask):
        return []
    n_comp, labels = _components(n, left, right, mask)
    sizes = np.bincount(labels, minlength=n_comp)
    # a component of three or more records may hold a chain: re-cluster it by average
    # linkage over every pair scored inside it, those below REVIEW included
    if others is not None and np.any(sizes >= 3):
        ls = [left, *others[0]]
        rs = [right, *others[1]]
        ps = [points, *others[2]]
        L, R, P = np.concatenate(ls), np.concatenate(rs), np.concatenate(ps)
        inside = (labels[L] == labels[R]) & (sizes[labels[L]] >= 3)
        L, R, P = L[inside], R[inside], P[inside]
        comp = labels[L]
        order = np.argsort(comp, kind="stable")
        L, R, P, comp = L[order].tolist(), R[order].tolist(), P[order].tolist(), comp[order]
        bounds = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1], True])
        next_label = n_comp
        for s, e in zip(bounds[:-1], bounds[1:], strict=False):
            roots = _average_linkage(list(zip(P[s:e], L[s:e], R[s:e], strict=True)))
            relabel: dict = {}
            for x, root in roots.items():
                if root not in relabel:
                    relabel[root] = next_label
                    next_label += 1
                labels[x] = relabel[root]
        sizes = np.bincount(labels, minlength=next_label)
    multi = np.flatnonzero(sizes >= 2)
    members = np.flatnonzero(sizes[labels] >= 2)
    members = members[np.argsort(labels[members], kind="stable")]
    bounds = np.cumsum(sizes[multi])[:-1]
    return [[ids[i] for i in grp] for grp in np.split(members, bounds)]


def scan(records: Iterable[Record], **kwargs) -> ScanResult:
    """Normalise raw records, then :func:`scan_keys`. Ids are taken from ``Record.id``."""
    keys, ids = [], []
    for r in records:
        keys.append(make_keys(r))
        ids.append(r.id)
    return scan_keys(keys, ids, **kwargs)
