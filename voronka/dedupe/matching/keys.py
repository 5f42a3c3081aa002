"""Records in, matching keys out: computed once per record (on save), stored, reused.

``make_keys(record)`` is the only place where raw values are normalised. The scan and the
check on create work from :class:`Keys` alone, so a scan of the whole base never
re-normalises it.
"""

import re
from dataclasses import asdict, dataclass, field

from voronka.dedupe.matching import names as _names
from voronka.dedupe.matching.normalize import (
    PUBLIC_DOMAINS,
    company_tokens,
    email_domain,
    email_local_key,
    email_norm,
    inn_norm,
    is_role_email,
    kpp_norm,
    phone_e164,
)
from voronka.dedupe.matching.translit import fold, split_words

PERSON = "person"
COMPANY = "company"

MAX_VALUES = 8  # phones / e-mails / ids kept per record

# Prefixes of blocking keys (one inverted index holds them all).
K_PHONE = "p"
K_EMAIL = "e"
K_LOCAL = "l"
K_INN = "t"
K_IDENT = "x"
K_NAME = "n"
K_INITIAL = "i"
K_SKELETON = "k"
K_BIRTH = "b"
K_DOMAIN = "d"
KEY_TYPES = (K_PHONE, K_EMAIL, K_LOCAL, K_INN, K_IDENT, K_NAME, K_INITIAL, K_SKELETON,
             K_BIRTH, K_DOMAIN)  # fmt: skip


@dataclass(frozen=True)
class Record:
    """A contact or a company as the caller knows it (raw, as typed)."""

    id: object = None
    name: str = ""  # full name of a person, or the name of a company (kind=company)
    first_name: str = ""  # optional split name; used instead of parsing ``name``
    last_name: str = ""
    middle_name: str = ""
    company: str = ""  # employer of a person; legal name of a company
    phones: tuple[str, ...] | str = ()
    emails: tuple[str, ...] | str = ()
    inn: str = ""
    kpp: str = ""
    website: str = ""
    address: str = ""
    birth_date: str = ""
    ids: tuple[str, ...] | str = ()  # other strong identifiers (passport, SSN, ...)
    kind: str = PERSON


@dataclass(frozen=True, slots=True)
class Keys:
    """Normalised, folded values of one record: what is stored and compared."""

    kind: str = PERSON
    given: str = ""  # folded canonical given name ("aleksandr"), or one initial ("a")
    surname: str = ""  # folded surname(s), feminine endings stemmed, sorted, space-separated
    middle: str = ""  # folded patronymic or its initial
    gender: int = 0  # 1 male, 2 female, 0 unknown
    company: str = ""  # folded company name without legal form
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    locals: tuple[str, ...] = ()
    inn: str = ""
    kpp: str = ""
    domain: str = ""
    address: str = ""
    birth: str = ""
    ident: str = ""
    blocks: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def display_name(self) -> str:
        return " ".join(x for x in (self.given, self.middle, self.surname) if x)


def _values(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = re.split(r"[\n;]+", value)
    out = []
    for v in value:
        if isinstance(v, str) and v.strip():
            out.append(v)
        if len(out) >= MAX_VALUES:
            break
    return out


_APOSTROPHES = re.compile(r"['’`ʼ]")
_PATRONYMIC_ENDINGS = ("ovich", "evich", "ovna", "evna", "ichna", "inichna", "ilich", "ich")
# folded: -ская / -ский fold to -skaia / -ski, -цкая / -цкий to -kaia / -ki (ц -> c, ck -> k)
_FEMININE = (("skaia", "ski"), ("kaia", "ki"), ("ova", "ov"), ("eva", "ev"), ("ina", "in"))
_MASC_ENDING = ("ov", "ev", "in", "ski", "ki")
_FEM_ENDING = ("ova", "eva", "ina", "skaia", "kaia")


# Folded endings of Russian and Ukrainian surnames (-ов/-ева, -ин/-ина, -ский/-цкая, -енко,
# -ук, -ян, -их): used only to tell which of two unknown words is the given name.
_SURNAME_ENDINGS = ("ov", "ova", "ev", "eva", "in", "ina", "ski", "ki", "kaia", "aia", "enko",
                    "uk", "ian", "ih")  # fmt: skip


def _surname_like(token: str) -> bool:
    return len(token) > 4 and token.endswith(_SURNAME_ENDINGS)


def _is_patronymic(token: str) -> bool:
    return len(token) >= 6 and token.endswith(_PATRONYMIC_ENDINGS)


def stem_surname(token: str) -> str:
    for ending, repl in _FEMININE:
        if token.endswith(ending) and len(token) > len(ending) + 2:
            return token[: -len(ending)] + repl
    return token


def _surname_gender(tokens: list[str]) -> int:
    for t in tokens:
        if t.endswith(_FEM_ENDING) and len(t) > 5:
            return 2
        if t.endswith(_MASC_ENDING) and len(t) > 4:
            return 1
    return 0


def parse_person(name: str, first: str = "", last: str = "", middle: str = ""):
    """(given, surname, middle, gender) folded; order of words in ``name`` does not matter."""
    if first or last or middle:
        given_words = [fold(w) for w in split_words(first, 3)]
        given_words = [w for w in given_words if w]
        given_raw = given_words[0] if given_words else ""
        given = _names.canonical_given(given_raw)
        sur = [fold(w) for w in split_words(last, 4)] + given_words[1:]
        mid = [fold(w) for w in split_words(middle, 2)]
        raw_surnames = [t for t in sur if t]
        middle_f = mid[0] if mid and mid[0] else ""
    else:
        words = split_words(_APOSTROPHES.sub("", name), 8)
        initials = [fold(w)[:1] for w in words if len(w) == 1 and w.isalpha()]
        tokens = [fold(w) for w in words if len(w) > 1 or w.isdigit()]
        tokens = [t for t in tokens if t]
        middle_f = ""
        given = given_raw = ""
        rest = tokens
        if len(tokens) >= 2:
            for i in range(len(tokens) - 1, 0, -1):
                if _is_patronymic(tokens[i]):
                    middle_f = tokens[i]
                    rest = tokens[:i] + tokens[i + 1 :]
                    break
        for i, t in enumerate(rest):
            if t in _names.KNOWN_GIVEN:
                given_raw, given = t, _names.canonical_given(t)
                rest = rest[:i] + rest[i + 1 :]
                break
        if not given and middle_f and len(rest) >= 2 and middle_f in tokens:
            # "Surname Given Patronymic": the given name stands right before the patronymic
            i = tokens.index(middle_f) - 1
            if 0 < i < len(tokens) and tokens[i] in rest:
                given = tokens[i]
                rest = [t for t in rest if t is not tokens[i]]
        if not given:
            if initials and rest:
                given = initials[0]
                if len(initials) > 1 and not middle_f:
                    middle_f = initials[1]
            elif len(rest) >= 2:
                # neither word is a known given name: the one shaped like a surname is not it
                i = 1 if _surname_like(rest[0]) and not _surname_like(rest[1]) else 0
                given, rest = rest[i], rest[:i] + rest[i + 1 :]
        raw_surnames = rest
    # gender from the spelling typed, not the canonical form: Саша may be Александр or
    # Александра, so it tells no gender even though it is keyed under Александр
    gender = _names.gender_of_given(given_raw or given) if len(given) > 1 else 0
    if not gender and middle_f.endswith(("ovna", "evna", "ichna")):
        gender = 2
    elif not gender and middle_f.endswith(("ovich", "evich", "ich")):
        gender = 1
    if not gender:
        gender = _surname_gender(raw_surnames)
    surname = " ".join(sorted(stem_surname(t) for t in raw_surnames[:4]))
    return given, surname, middle_f, gender


def _skeleton(token: str) -> str:
    return token[:1] + re.sub(r"[aeiou]", "", token[1:])


def person_blocks(given: str, surname: str) -> list[str]:
    tokens = ([given] if given else []) + surname.split()
    if not tokens:
        return []
    out = [K_NAME + ":" + "|".join(sorted(tokens))]
    if len(tokens) >= 2:
        for t in tokens[:4]:
            if len(t) < 2:
                continue
            for u in tokens[:4]:
                if u is not t:
                    out.append(f"{K_INITIAL}:{t}|{u[:1]}")
        out.append(K_SKELETON + ":" + "|".join(sorted(_skeleton(t) for t in tokens)))
    return out


def _ident(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.lower())[:40]


def _domain_of_site(url: str) -> str:
    url = url.strip().lower()
    url = re.sub(r"^[a-z]+://", "", url)
    host = url.split("/", 1)[0].split(":", 1)[0]
    if host.startswith("www."):
        host = host[4:]
    return host if "." in host else ""


def make_keys(record: Record) -> Keys:
    """Normalise one record. Never raises on odd input; unusable values are left out."""
    phones = []
    for p in _values(record.phones):
        e = phone_e164(p)
        if e and e not in phones:
            phones.append(e)
    emails = []
    for m in _values(record.emails):
        e = email_norm(m)
        # role mailboxes (info@, sales@) belong to a company, not to a person
        if e and e not in emails and (record.kind == COMPANY or not is_role_email(e)):
            emails.append(e)
    locals_ = []
    for e in emails:
        k = email_local_key(e)
        if k and k not in locals_:
            locals_.append(k)
    inn = inn_norm(record.inn)
    kpp = kpp_norm(record.kpp) if inn else ""
    ident = ""
    for v in _values(record.ids):
        ident = _ident(v)
        if ident:
            break
    birth = re.sub(r"\D", "", record.birth_date or "")[:8]
    address = " ".join(fold(w) for w in split_words(record.address or "", 12))

    blocks: list[str] = [f"{K_PHONE}:{p}" for p in phones]
    blocks += [f"{K_EMAIL}:{e}" for e in emails]
    blocks += [f"{K_LOCAL}:{k}" for k in locals_]
    if inn:
        blocks.append(f"{K_INN}:{inn}")
    if ident:
        blocks.append(f"{K_IDENT}:{ident}")

    if record.kind == COMPANY:
        ctoks = company_tokens(record.name) or company_tokens(record.company)
        company = " ".join(ctoks)
        domain = _domain_of_site(record.website or "")
        if not domain:
            for e in emails:
                d = email_domain(e)
                if d not in PUBLIC_DOMAINS:
                    domain = d
                    break
        if ctoks:
            blocks.append(K_NAME + ":" + "|".join(sorted(ctoks)))
            blocks.append(K_SKELETON + ":" + "|".join(sorted(_skeleton(t) for t in ctoks)))
            for t in ctoks[:3]:
                if len(t) >= 4:
                    blocks.append(f"{K_INITIAL}:{t}")
        if domain:
            blocks.append(f"{K_DOMAIN}:{domain}")
        return Keys(
            kind=COMPANY, company=company, phones=tuple(phones), emails=tuple(emails),
            locals=tuple(locals_), inn=inn, kpp=kpp, domain=domain, address=address,
            ident=ident, blocks=tuple(dict.fromkeys(blocks)),
        )  # fmt: skip

    given, surname, middle, gender = parse_person(
        record.name or "", record.first_name or "", record.last_name or "",
        record.middle_name or "",
    )  # fmt: skip
    company = " ".join(company_tokens(record.company))
    blocks += person_blocks(given, surname)
    if birth:
        if surname:
            blocks.append(f"{K_BIRTH}:{birth}|{surname[:1]}")
        if given:
            blocks.append(f"{K_BIRTH}:{birth}|{given[:1]}")
    return Keys(
        kind=PERSON, given=given, surname=surname, middle=middle, gender=gender,
        company=company, phones=tuple(phones), emails=tuple(emails), locals=tuple(locals_),
        inn=inn, kpp=kpp, address=address, birth=birth, ident=ident,
        blocks=tuple(dict.fromkeys(blocks)),
    )  # fmt: skip
