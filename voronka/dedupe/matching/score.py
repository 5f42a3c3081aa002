"""Explainable pairwise score, computed for many pairs at once (numpy + rapidfuzz).

A score is a sum of log-odds points: each field that agrees adds points, each field that
disagrees takes some away, a missing value counts zero. The same code scores one pair
(:func:`score`, with reasons) and millions of pairs in the batch scan (:func:`pair_points`),
so the review queue and the warning while typing always agree with the scan.

Exact agreements (same phone, same e-mail, same ИНН...) come in as ``Shared`` counts: how
many records carry the shared key. A phone shared by two records is strong evidence; an
office switchboard shared by thirty is weak.
"""

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from voronka.dedupe.matching import names as _names
from voronka.dedupe.matching.keys import (
    COMPANY,
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
from voronka.dedupe.matching.translit import fold

MATCH = 1.0  # points at or above: the same record
REVIEW = -2.5  # points at or above (and below MATCH): worth a look

PRIOR = -6.0

# Points, by field and verdict. Tuned on the generator in bench/dedupe and on FEBRL.
W = {
    "phone_rare": 6.5, "phone_few": 5.0, "phone_hub": 3.0, "phone_differ": -1.0,
    "phone_close": 2.0,
    "email_rare": 7.5, "email_hub": 4.0, "local_rare": 5.0, "local_name": 0.5, "local_hub": 0.5,
    "email_differ": -0.5,
    "inn_same": 8.0, "inn_differ": -10.0, "kpp_differ": -9.0,
    "ident_same": 7.5, "ident_close": 2.0, "ident_differ": -1.5,
    "surname_same": 3.0, "surname_close": 1.5, "surname_far": -1.0, "surname_differ": -4.0,
    "given_same": 2.5, "given_close": 1.0, "given_far": -0.5, "given_differ": -3.0,
    "initial_same": 0.5, "initial_differ": -3.0,
    "gender_differ": -5.0, "lone_differ": -0.5,
    "middle_same": 1.0, "middle_initial": 0.3, "middle_differ": -2.5,
    "name_rare": 1.0, "name_uncommon": 0.5,
    "company_same": 0.5, "company_differ": -1.0, "name_company": 0.5,
    "org_same": 4.0, "org_close": 2.5, "org_far": 0.0, "org_differ": -4.0,
    "domain_same": 2.0,
    "birth_same": 3.0, "birth_close": 1.5, "birth_far": 0.5, "birth_differ": -2.5,
    "given_birth": 1.0,
    "address_same": 2.0, "address_close": 0.5, "address_differ": -1.5,
}  # fmt: skip

# Independent identifiers whose agreement corroborates a pair. When two or more agree, a
# disagreeing name is likely a replaced or mistyped field, not another person: the name
# penalties (codes in NAME_PENALTIES) are scaled by CORROBORATED_NAME_SCALE.
CORROBORATING = (
    "phone_rare", "email_rare", "local_rare", "inn_same", "ident_same", "birth_same",
    "address_same",
)  # fmt: skip
NAME_PENALTIES = frozenset(
    ("surname_far", "surname_differ", "given_far", "given_differ", "lone_differ",
     "initial_differ", "gender_differ", "middle_differ")
)  # fmt: skip
CORROBORATED_NAME_SCALE = 0.4
# The first name and the birth date tell the members of one family apart (twins differ in
# first name, parents and children in birth date); the surname and the address are what
# they share. When the first name (the same, or one typo away) and the birth date both
# agree, the pair is not two relatives: it gets W["given_birth"] on top of the two fields,
# and with the same first name a different surname (married, maiden) counts zero.

_STR_FIELDS = (
    "given", "surname", "middle", "company", "address", "birth", "ident", "inn", "kpp", "phone",
    "locals",
)  # fmt: skip


class Columns:
    """Keys of many records as parallel arrays (strings as numpy object arrays)."""

    __slots__ = ("n", "is_company", "gender", "has_phone", "has_email", *_STR_FIELDS)

    def __init__(self, keys: list[Keys] | None = None):
        keys = keys or []
        self.n = len(keys)
        for f in _STR_FIELDS:
            arr = np.empty(self.n, dtype=object)
            if f == "phone":
                arr[:] = [k.phones[0] if k.phones else "" for k in keys]
            elif f == "locals":
                arr[:] = [" ".join(k.locals) for k in keys]
            else:
                arr[:] = [getattr(k, f) for k in keys]
            setattr(self, f, arr)
        self.is_company = np.fromiter((k.kind == COMPANY for k in keys), bool, self.n)
        self.gender = np.fromiter((k.gender for k in keys), np.int8, self.n)
        self.has_phone = np.fromiter((bool(k.phones) for k in keys), bool, self.n)
        self.has_email = np.fromiter((bool(k.emails) for k in keys), bool, self.n)

    def take(self, idx) -> "Columns":
        out = Columns.__new__(Columns)
        out.n = len(idx)
        for f in ("is_company", "gender", "has_phone", "has_email", *_STR_FIELDS):
            setattr(out, f, getattr(self, f)[idx])
        return out


@dataclass
class Shared:
    """Exact keys two records share, as the size of the smallest such block (0: none)."""

    phone: np.ndarray
    email: np.ndarray
    local: np.ndarray
    inn: np.ndarray
    ident: np.ndarray
    name: np.ndarray
    domain: np.ndarray

    @classmethod
    def zeros(cls, n: int) -> "Shared":
        return cls(*(np.zeros(n, np.int32) for _ in range(7)))


def _sim(a, b, scorer, workers) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(0, np.float32)
    return process.cpdist(a, b, scorer=scorer, workers=workers, dtype=np.float32)


def _present(arr) -> np.ndarray:
    return np.fromiter((bool(x) for x in arr), bool, len(arr))


def _len1(arr) -> np.ndarray:
    return np.fromiter((len(x) == 1 for x in arr), bool, len(arr))


def _first(arr) -> np.ndarray:
    return np.array([x[:1] for x in arr], dtype=object)


_DIGITS = re.compile(r"[0-9]")
_LONG_GIVEN = sorted((w for w in _names.KNOWN_GIVEN if len(w) >= 4), key=len, reverse=True)


def _name_rest(rest: str, words: list[str]) -> str:
    for w in words:
        if len(rest) < 4:
            break
        # fuzzy, so that Шубская / shubskaya and Чернов / schernov line up
        al = fuzz.partial_ratio_alignment(w, rest, score_cutoff=80)
        if al is not None:
            rest = rest[: al.dest_start] + rest[al.dest_end :]
    if len(rest) >= 4:  # a given name the record gives only as an initial ("Кузнецян С.")
        for w in _LONG_GIVEN:
            if w in rest:
                return rest.replace(w, "", 1)
    return rest


@lru_cache(maxsize=100_000)
def _own_local(local: str, names: str) -> bool:
    """Whether an e-mail name says more than the person's name: a number of three digits
    or more ("sunnad59047", "ivan.petrov1985") or a nickname left after taking out the
    name words (any spelling of the given name), not just "d.taylor" or "ivanpetrov14"."""
    if len(_DIGITS.findall(local)) >= 3:
        return True
    letters = _DIGITS.sub("", local)
    words = set()
    for w in names.split():
        words.add(w)
        words.update(_names.VARIANTS.get(w, ()))
    words = sorted((w for w in words if len(w) >= 3), key=len, reverse=True)
    # the local is folded as one word, the name word by word: try both spellings
    return min(len(_name_rest(x, words)) for x in {letters, fold(letters)}) >= 4


def _shared_own_local(A: "Columns", B: "Columns", mask: np.ndarray) -> np.ndarray:
    out = np.zeros(len(mask), bool)
    for i in np.flatnonzero(mask):
        common = set(A.locals[i].split()) & set(B.locals[i].split())
        names = " ".join(
            sorted({A.given[i], B.given[i], *A.surname[i].split(), *B.surname[i].split()})
        )
        out[i] = any(_own_local(loc, names) for loc in common)
    return out


def _no_spaces(arr) -> np.ndarray:
    return np.array([x.replace(" ", "") for x in arr], dtype=object)


def _same_digits(a, b, mask) -> np.ndarray:
    """Whether the two strings carry the same digits in the same order (house, postcode)."""
    out = np.zeros(len(mask), bool)
    for i in np.flatnonzero(mask):
        out[i] = _DIGITS.findall(a[i]) == _DIGITS.findall(b[i])
    return out


def _day_month_swapped(a, b, mask) -> np.ndarray:
    """Dates as YYYYMMDD whose day and month are swapped (20240102 / 20240201)."""
    out = np.zeros(len(mask), bool)
    for i in np.flatnonzero(mask):
        x, y = a[i], b[i]
        out[i] = len(x) == len(y) == 8 and x[:4] == y[:4] and x[4:6] == y[6:] and x[6:] == y[4:6]
    return out


def pair_points(A: Columns, B: Columns, shared: Shared, explain: bool = False):
    """Points for aligned pairs (A[i], B[i]). With ``explain`` also the per-field points."""
    n = A.n
    workers = -1 if n >= 20_000 else 1
    pts = np.full(n, PRIOR, np.float32)
    parts: dict[str, np.ndarray] = {}
    name_pen = np.zeros(n, np.float32)
    agree = np.zeros(n, np.int8)

    def add(name, mask, value):
        if not np.any(mask):
            return
        v = np.where(mask, np.float32(value), np.float32(0))
        pts.__iadd__(v)
        if name in NAME_PENALTIES:
            name_pen.__iadd__(v)
        elif name in CORROBORATING:
            agree.__iadd__(mask.astype(np.int8))
        if explain:
            parts[name] = parts.get(name, 0) + v

    # --- identifiers -------------------------------------------------------------------
    add("phone_rare", (shared.phone > 0) & (shared.phone <= 4), W["phone_rare"])
    add("phone_few", (shared.phone > 4) & (shared.phone <= 10), W["phone_few"])
    add("phone_hub", shared.phone > 10, W["phone_hub"])
    p_both = (shared.phone == 0) & A.has_phone & B.has_phone
    if np.any(p_both):
        # one mistyped digit in the first number: close, not different
        ps = _sim(A.phone, B.phone, fuzz.ratio, workers)
        close = p_both & (ps >= 90)
        add("phone_close", close, W["phone_close"])
        add("phone_differ", p_both & ~close, W["phone_differ"])
    add("email_rare", (shared.email > 0) & (shared.email <= 6), W["email_rare"])
    add("email_hub", shared.email > 6, W["email_hub"])
    no_email = shared.email == 0
    # the same e-mail name at another domain: strong when it is the person's own (digits,
    # a nickname), weak when it only spells the name, which the name fields already count
    local_few = no_email & (shared.local > 0) & (shared.local <= 6)
    own = _shared_own_local(A, B, local_few) if np.any(local_few) else local_few
    add("local_rare", local_few & own, W["local_rare"])
    add("local_name", local_few & ~own, W["local_name"])
    add("local_hub", no_email & (shared.local > 6), W["local_hub"])
    add(
        "email_differ",
        no_email & (shared.local == 0) & A.has_email & B.has_email,
        W["email_differ"],
    )
    inn_a, inn_b = _present(A.inn), _present(B.inn)
    inn_same = shared.inn > 0
    add("inn_same", inn_same, W["inn_same"])
    add("inn_differ", inn_a & inn_b & ~inn_same, W["inn_differ"])
    if np.any(inn_same):
        kpp_both = _present(A.kpp) & _present(B.kpp)
        kpp_diff = np.array([a != b for a, b in zip(A.kpp, B.kpp, strict=True)], bool)
        add("kpp_differ", inn_same & kpp_both & kpp_diff, W["kpp_differ"])
    id_a, id_b = _present(A.ident), _present(B.ident)
    id_same = shared.ident > 0
    add("ident_same", id_same, W["ident_same"])
    id_both = id_a & id_b & ~id_same
    if np.any(id_both):
        s = _sim(A.ident, B.ident, fuzz.ratio, workers)
        # one digit mistyped or two swapped in a long identifier: close, as for phones
        d = process.cpdist(A.ident, B.ident, scorer=OSA.distance, workers=workers)
        long_id = np.fromiter(
            (min(len(x), len(y)) >= 6 for x, y in zip(A.ident, B.ident, strict=True)), bool, n
        )
        close = id_both & long_id & (d <= 1)
        add("ident_close", close, W["ident_close"])
        # two keystrokes away in a long one: a worse typo, or the next number of a
        # sequence (account numbers): neither for nor against
        add("ident_differ", id_both & ~close & (s < 80) & ~(long_id & (d <= 2)), W["ident_differ"])

    # --- names of people ---------------------------------------------------------------
    person = ~(A.is_company | B.is_company)
    ga, gb = _present(A.given), _present(B.given)
    sa, sb = _present(A.surname), _present(B.surname)
    full_name_same = np.zeros(n, bool)  # both a full given name and a surname agree
    # the first name (not an initial, not matched across against a surname) agrees, or
    # nearly; and the surname penalty given, for a changed surname
    first_close = np.zeros(n, bool)
    first_same = np.zeros(n, bool)
    surname_pen = np.zeros(n, np.float32)
    if np.any(person & ((ga | sa) & (gb | sb))):
        g = _sim(A.given, B.given, fuzz.ratio, workers)
        s = _sim(A.surname, B.surname, fuzz.token_set_ratio, workers)
        gx = _sim(A.given, B.surname, fuzz.ratio, workers)
        sx = _sim(A.surname, B.given, fuzz.ratio, workers)
        # initials compare by their letter
        ia, ib = _len1(A.given), _len1(B.given)
        init = ga & gb & (ia | ib)
        if np.any(init):
            same_first = _first(A.given) == _first(B.given)
            g = np.where(init, np.where(same_first, 100, 0), g).astype(np.float32)
        g_ok, s_ok = ga & gb, sa & sb
        gx_ok, sx_ok = ga & sb & ~init & ~ia, sa & gb & ~init & ~ib
        straight = np.where(g_ok, g, 50) + np.where(s_ok, s, 50)
        crossed = np.where(gx_ok, gx, 50) + np.where(sx_ok, sx, 50)
        use_x = (crossed > straight + 1) & (gx_ok | sx_ok)  # cross only on a real comparison
        G = np.where(use_x, sx, g)
        S = np.where(use_x, gx, s)
        G_ok = np.where(use_x, sx_ok, g_ok) & person
        S_ok = np.where(use_x, gx_ok, s_ok) & person
        G_init = init & ~use_x
        # "Surname Given" (a given name the table does not know is taken for a surname)
        # against "Surname I.": the initial may belong to the other word. Crossed only when
        # the initial then agrees and the surnames compare better.
        xi_a = init & ia & ~ib & sa & (_first(A.given) == _first(B.surname))
        xi_b = init & ib & ~ia & sb & (_first(B.given) == _first(A.surname))
        x_sur = np.where(xi_a, sx, np.where(xi_b, gx, 0)).astype(np.float32)
        use_xi = (xi_a | xi_b) & (x_sur > np.where(s_ok, s, 0) + 1) & person
        if np.any(use_xi):
            S = np.where(use_xi, x_sur, S)
            G = np.where(use_xi, 100, G).astype(np.float32)
            S_ok = S_ok | use_xi
            G_ok = G_ok | use_xi

        # a lone word ("Василиса", "Петров") may be either name: disagreement weighs less
        lone = (ga ^ sa) | (gb ^ sb)
        # a lone word matched across (given against surname) has no side of its own: it is
        # weighed as a surname whichever record comes first (keeps the score symmetric)
        xl = use_x & lone & person
        if np.any(xl):
            S = np.where(xl, np.where(gx_ok, gx, sx), S)
            S_ok = np.where(xl, gx_ok | sx_ok, S_ok)
            G_ok = G_ok & ~xl
        add("surname_same", S_ok & (S >= 92), W["surname_same"])
        add("surname_close", S_ok & (S >= 78) & (S < 92), W["surname_close"])
        s_far = S_ok & (S >= 62) & (S < 78)
        s_differ = S_ok & (S < 62) & ~lone
        add("surname_far", s_far, W["surname_far"])
        add("surname_differ", s_differ, W["surname_differ"])
        surname_pen = np.where(
            s_far,
            np.float32(W["surname_far"]),
            np.where(s_differ, np.float32(W["surname_differ"]), np.float32(0)),
        )
        add("lone_differ", (S_ok | G_ok) & lone & (np.where(S_ok, S, 100) < 62), W["lone_differ"])
        full = G_ok & ~G_init
        add("initial_same", G_ok & G_init & (G >= 100), W["initial_same"])
        add("initial_differ", G_ok & G_init & (G < 100), W["initial_differ"])
        add("given_same", full & (G >= 92), W["given_same"])
        add("given_close", full & (G >= 75) & (G < 92), W["given_close"])
        add("given_far", full & (G >= 60) & (G < 75), W["given_far"])
        add("given_differ", full & (G < 60) & ~lone, W["given_differ"])
        full_name_same = full & (G >= 92) & S_ok & (S >= 92) & ~lone
        straight_first = full & ~use_x & ~use_xi
        first_close = straight_first & (G >= 75)
        first_same = straight_first & (G >= 92)
        add("lone_differ", full & lone & (G < 60), W["lone_differ"])
        add(
            "gender_differ",
            person & (A.gender > 0) & (B.gender > 0) & (A.gender != B.gender),
            W["gender_differ"],
        )
        ma, mb = _present(A.middle), _present(B.middle)
        m_both = person & ma & mb
        if np.any(m_both):
            m = _sim(A.middle, B.middle, fuzz.ratio, workers)
            m_init = _len1(A.middle) | _len1(B.middle)
            m_first = _first(A.middle) == _first(B.middle)
            add("middle_initial", m_both & m_init & m_first, W["middle_initial"])
            add(
                "middle_differ",
                m_both & ((m_init & ~m_first) | (~m_init & (m < 67))),
                W["middle_differ"],
            )
            add("middle_same", m_both & ~m_init & (m >= 85), W["middle_same"])

    add("name_rare", (shared.name > 0) & (shared.name <= 2), W["name_rare"])
    add("name_uncommon", (shared.name > 2) & (shared.name <= 5), W["name_uncommon"])

    # --- companies -----------------------------------------------------------------------
    ca, cb = _present(A.company), _present(B.company)
    c_both = ca & cb
    if np.any(c_both):
        cs = _sim(A.company, B.company, fuzz.token_sort_ratio, workers)
        ct = _sim(A.company, B.company, fuzz.token_set_ratio, workers)
        c = np.maximum(cs, ct - 5)
        org = c_both & A.is_company & B.is_company  # a person is never the same as a company
        add("org_same", org & (c >= 95), W["org_same"])
        add("org_close", org & (c >= 88) & (c < 95), W["org_close"])
        add("org_differ", org & (c < 75), W["org_differ"])
        add("company_same", c_both & person & (c >= 90), W["company_same"])
        # a full name few records carry, at the same employer: namesakes rarely work together
        add(
            "name_company",
            c_both & person & (c >= 90) & full_name_same & (shared.name > 0) & (shared.name <= 5),
            W["name_company"],
        )
        add("company_differ", c_both & person & (c < 50), W["company_differ"])
    add("domain_same", shared.domain > 0, W["domain_same"])

    # --- birth date, address -------------------------------------------------------------
    ba, bb = _present(A.birth), _present(B.birth)
    b_both = ba & bb
    birth_same = np.zeros(n, bool)
    if np.any(b_both):
        bs = _sim(A.birth, B.birth, fuzz.ratio, workers)
        same = b_both & (bs >= 100)
        # one keystroke away (a digit changed, two neighbours swapped) or day and month
        # swapped (02.01 typed for 01.02): a typo, nearly as good as the same date
        d = process.cpdist(A.birth, B.birth, scorer=OSA.distance, workers=workers)
        close = b_both & ~same & ((d <= 1) | _day_month_swapped(A.birth, B.birth, b_both))
        add("birth_same", same, W["birth_same"])
        add("given_birth", same & first_close, W["given_birth"])
        birth_same = same
        add("birth_close", close, W["birth_close"])
        add("birth_far", b_both & ~same & ~close & (bs >= 75), W["birth_far"])
        add("birth_differ", b_both & ~close & (bs < 75), W["birth_differ"])
    aa, ab = _present(A.address), _present(B.address)
    a_both = aa & ab
    if np.any(a_both):
        ad = _sim(A.address, B.address, fuzz.token_set_ratio, workers)
        # a space lost or typed inside a word ("rose vale" / "rosevale") splits or joins
        # tokens: compare the letters without spaces too, when the numbers (house,
        # postcode) are the same, so that house 12 and house 21 do not come closer
        nums = _same_digits(A.address, B.address, a_both)
        glued = _sim(_no_spaces(A.address), _no_spaces(B.address), fuzz.ratio, workers)
        ad = np.where(nums, np.maximum(ad, glued), ad)
        add("address_same", a_both & (ad >= 90), W["address_same"])
        add("address_close", a_both & (ad >= 75) & (ad < 90), W["address_close"])
        add("address_differ", a_both & (ad < 50), W["address_differ"])

    # --- corroboration: several independent identifiers outweigh a different name --------
    corroborated = (agree >= 2) & (name_pen < 0)
    add("corroborated", corroborated, -(1.0 - CORROBORATED_NAME_SCALE) * name_pen)
    # --- a changed surname: the same first name and birth date, another surname ---------
    left = np.where(corroborated, np.float32(CORROBORATED_NAME_SCALE), np.float32(1)) * surname_pen
    add("surname_changed", first_same & birth_same & (surname_pen < 0), -left)
    return (pts, parts) if explain else pts


# --- one pair, with reasons ------------------------------------------------------------

_REASON_TEXT = {
    "phone_rare": "same phone", "phone_few": "same phone (shared by a few records)",
    "phone_hub": "same phone (shared by many records)", "phone_differ": "different phones",
    "email_rare": "same e-mail", "email_hub": "same e-mail (shared by several records)",
    "local_rare": "same e-mail name at another domain",
    "local_name": "same e-mail name (only the person's name) at another domain",
    "local_hub": "common e-mail name at another domain", "email_differ": "different e-mails",
    "inn_same": "same INN", "inn_differ": "different INN", "kpp_differ": "different KPP",
    "ident_same": "same identifier", "ident_differ": "different identifier",
    "ident_close": "identifier differs by one digit",
    "surname_same": "same surname", "surname_close": "similar surname",
    "surname_far": "somewhat similar surname", "surname_differ": "different surname",
    "given_same": "same first name", "given_close": "similar first name",
    "given_far": "somewhat similar first name", "given_differ": "different first name",
    "lone_differ": "name differs",
    "phone_close": "phone differs by one digit",
    "initial_same": "initial agrees", "initial_differ": "initial differs",
    "gender_differ": "different gender", "middle_same": "same patronymic",
    "middle_initial": "patronymic initial agrees", "middle_differ": "different patronymic",
    "name_rare": "rare name", "name_uncommon": "uncommon name",
    "company_same": "same company", "company_differ": "different company",
    "name_company": "same uncommon name at the same company",
    "org_same": "same company name", "org_close": "similar company name",
    "org_far": "company name partly alike", "org_differ": "different company name",
    "domain_same": "same web domain", "birth_same": "same birth date",
    "birth_close": "birth date differs by one digit, or day and month swapped",
    "birth_far": "similar birth date", "birth_differ": "different birth date",
    "address_same": "same address", "address_close": "similar address",
    "address_differ": "different address",
    "corroborated": "several identifiers agree, name difference discounted",
    "given_birth": "same first name and birth date (not a relative)",
    "surname_changed": "same first name and birth date: the surname may have changed",
}  # fmt: skip


@dataclass(frozen=True)
class Reason:
    code: str  # stable identifier, e.g. "phone_rare"
    text: str  # English explanation (translate in the UI by ``code``)
    points: float


@dataclass(frozen=True)
class Score:
    points: float
    reasons: tuple[Reason, ...] = field(default=())
    name_similarity: int = 0  # 0..100, shown as "name 92 % alike"

    @property
    def probability(self) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.points))))

    @property
    def is_match(self) -> bool:
        return self.points >= MATCH

    @property
    def needs_review(self) -> bool:
        return REVIEW <= self.points < MATCH


DEFAULT_CAP = 50  # a key carried by more records than this is no evidence at all


def _count(a: tuple, b: tuple, freq, kind: str, cap: int, unknown: int = 2) -> int:
    """Size of the smallest block of a key both records carry (0: none, or all too big)."""
    best = 0
    for v in set(a) & set(b):
        c = unknown if freq is None else max(2, int(freq(f"{kind}:{v}")))
        if c <= cap and (best == 0 or c < best):
            best = c
    return best


def _opt(v: str) -> tuple:
    return (v,) if v else ()


def shared_between(a: Keys, b: Keys, freq=None, cap: int = DEFAULT_CAP) -> Shared:
    """What two records share exactly. ``freq(key) -> int`` tells how many records carry a
    blocking key; without it identifiers count as rare and names as common."""

    def one(x):
        return np.array([x], np.int32)

    def names(k: Keys):
        return tuple(x[2:] for x in k.blocks if x.startswith(K_NAME + ":"))

    return Shared(
        phone=one(_count(a.phones, b.phones, freq, K_PHONE, cap)),
        email=one(_count(a.emails, b.emails, freq, K_EMAIL, cap)),
        local=one(_count(a.locals, b.locals, freq, K_LOCAL, cap)),
        inn=one(_count(_opt(a.inn), _opt(b.inn), freq, K_INN, cap)),
        ident=one(_count(_opt(a.ident), _opt(b.ident), freq, K_IDENT, cap)),
        name=one(_count(names(a), names(b), freq, K_NAME, cap, unknown=cap)),
        domain=one(_count(_opt(a.domain), _opt(b.domain), freq, K_DOMAIN, cap)),
    )


def name_similarity(a: Keys, b: Keys) -> int:
    sa = " ".join(x for x in (a.given, a.surname) if x) or a.company
    sb = " ".join(x for x in (b.given, b.surname) if x) or b.company
    if not sa or not sb:
        return 0
    return int(round(fuzz.token_sort_ratio(sa, sb)))


def score_keys(a: Keys, b: Keys, freq=None, cap: int = DEFAULT_CAP) -> Score:
    """Score of one pair of stored keys, with the reasons behind it."""
    shared = shared_between(a, b, freq, cap)
    pts, parts = pair_points(Columns([a]), Columns([b]), shared, True)
    reasons = tuple(
        Reason(code, _REASON_TEXT.get(code, code), float(v[0]))
        for code, v in sorted(parts.items(), key=lambda kv: -abs(float(kv[1][0])))
        if float(v[0]) != 0.0
    )
    return Score(float(pts[0]), reasons, name_similarity(a, b))


def score(a: Record | Keys, b: Record | Keys, freq=None, cap: int = DEFAULT_CAP) -> Score:
    """Score of two records (raw or already keyed). Symmetric: score(a, b) == score(b, a)."""
    ka = a if isinstance(a, Keys) else make_keys(a)
    kb = b if isinstance(b, Keys) else make_keys(b)
    return score_keys(ka, kb, freq, cap)
