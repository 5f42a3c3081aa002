"""Normalisation of the values duplicates are matched on. Pure: no Django.

Every function accepts any text (empty, huge, garbage) and returns a normal form or "" when
the value cannot serve as a key; none raises.
"""

import re
import unicodedata

import phonenumbers

from voronka.dedupe.matching.translit import fold, split_words

# --- phones -----------------------------------------------------------------------------

_EXT = re.compile(r"(доб|внутр|вн|ext|extension|x|#|,|;|\(доб)", re.IGNORECASE)
_DIGITS = re.compile(r"\D+")
_LETTER = re.compile(r"[^\W\d_]")
_EDGES = re.compile(r"^[^\d+]+|\D+$")


def phone_e164(text: str, region: str = "RU") -> str:
    """E.164 form of a phone ("+79123456789"), extension dropped; "" when not a phone.

    Russian numbers are read on a fast path (+7 / 8 / bare ten digits); anything else goes
    through ``phonenumbers``.
    """
    if not text:
        return ""
    text = text[:64]
    main = _EXT.split(text, maxsplit=1)[0]
    # A label before the number ("тел.", "моб:") is fine; letters among the digits are not.
    main = _EDGES.sub("", main)
    if _LETTER.search(main):
        return ""
    digits = _DIGITS.sub("", main)
    plus = main.startswith("+")
    n = len(digits)
    if plus:
        if n == 11 and digits[0] == "7":
            return "+" + digits
    elif n == 11 and digits[0] in "78" and region == "RU":
        return "+7" + digits[1:]
    elif n == 10 and digits[0] in "3489" and region == "RU":
        return "+7" + digits
    if len(digits) < 7 or len(digits) > 15:
        return ""
    try:
        number = phonenumbers.parse(main, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- e-mails ----------------------------------------------------------------------------

_DOMAIN_ALIASES = {
    "googlemail.com": "gmail.com",
    "ya.ru": "yandex.ru",
    "yandex.com": "yandex.ru",
    "yandex.by": "yandex.ru",
    "yandex.kz": "yandex.ru",
    "yandex.ua": "yandex.ru",
    "narod.ru": "yandex.ru",
}
# Providers where "name+tag@" reaches "name@".
_PLUS_TAGS = {"gmail.com", "yandex.ru", "outlook.com", "hotmail.com", "live.com", "icloud.com",
              "me.com", "proton.me", "protonmail.com", "fastmail.com"}  # fmt: skip
PUBLIC_DOMAINS = frozenset(
    {"gmail.com", "yandex.ru", "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru",
     "outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com", "yahoo.com",
     "proton.me", "protonmail.com", "gmx.de", "gmx.net", "aol.com", "internet.ru",
     "fastmail.com", "ukr.net", "qip.ru", "lenta.ru", "autorambler.ru", "myrambler.ru"}
)  # fmt: skip
# Local parts that name a role, not a person: never evidence across domains.
GENERIC_LOCALS = frozenset(
    "info mail office admin administrator sales sale support help contact contacts hello "
    "hr buh buhgalter buhgalteria accounting finance zakaz order orders shop manager "
    "director secretary reception priemnaya noreply no-reply postmaster webmaster marketing "
    "pr press team service client clients kadry ok snab supply tender tenders logist "
    "logistics it dev test post general".split()
)
_EMAIL_SPACE = re.compile(r"\s+")


def _idn_to_unicode(domain: str) -> str:
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                return ""
        labels.append(label)
    return ".".join(labels)


def email_norm(text: str) -> str:
    """Canonical e-mail: case and spaces, IDN domains in Unicode, provider aliases
    (googlemail -> gmail, ya.ru -> yandex.ru), gmail dots and "+tags" where the provider
    delivers them to the same mailbox. "" when not an address."""
    if not text:
        return ""
    text = text[:320]
    for _ in range(3):  # case folding and space removal can leave a non-NFKC string
        before = text
        text = unicodedata.normalize("NFKC", text).strip().strip("<>").lower()
        text = _EMAIL_SPACE.sub("", text)
        if text == before:
            break
    if text.startswith("mailto:"):
        text = text[7:]
    local, sep, domain = text.rpartition("@")
    domain = domain.strip(".")
    if not sep or not local or "." not in domain:
        return ""
    domain = _idn_to_unicode(domain)
    if not domain or "." not in domain:
        return ""
    domain = _DOMAIN_ALIASES.get(domain, domain)
    if domain in _PLUS_TAGS and "+" in local:
        local = local.split("+", 1)[0] or local
    if domain == "gmail.com":
        local = local.replace(".", "")
    elif domain == "yandex.ru":
        local = local.replace(".", "-")
    if not local:
        return ""
    return f"{local}@{domain}"


def email_local_key(email: str) -> str:
    """The personal part of a normalised address, comparable across domains
    ("ivan.petrov@mail.ru" and "ivanpetrov@gmail.com" -> "ivanpetrov"); "" for role
    addresses (info@, sales@) and very short locals."""
    local = email.rpartition("@")[0]
    if not local:
        return ""
    local = local.split("+", 1)[0]
    if local in GENERIC_LOCALS:
        return ""
    key = re.sub(r"[^0-9a-zа-яё]", "", local)
    if len(key) < 5 or key.isdigit() or key in GENERIC_LOCALS:
        return ""
    return fold(key) if not key.isascii() else key


def is_role_email(email: str) -> bool:
    return email.rpartition("@")[0] in GENERIC_LOCALS


def email_domain(email: str) -> str:
    return email.rpartition("@")[2]


# --- tax ids ----------------------------------------------------------------------------


def inn_norm(text: str) -> str:
    """ИНН as 10 (legal entity) or 12 (person) digits when the check digits agree; else ""."""
    digits = _DIGITS.sub("", (text or "")[:40])
    if len(digits) == 10:
        w = (2, 4, 10, 3, 5, 9, 4, 6, 8)
        ok = sum(int(d) * k for d, k in zip(digits, w, strict=False)) % 11 % 10 == int(digits[9])
    elif len(digits) == 12:
        w1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
        w2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
        c1 = sum(int(d) * k for d, k in zip(digits, w1, strict=False)) % 11 % 10
        c2 = sum(int(d) * k for d, k in zip(digits, w2, strict=False)) % 11 % 10
        ok = c1 == int(digits[10]) and c2 == int(digits[11])
    else:
        return ""
    return digits if ok and digits.strip("0") else ""


def kpp_norm(text: str) -> str:
    value = re.sub(r"\s+", "", (text or "")[:40]).upper()
    if len(value) == 9 and value[:4].isdigit() and value[6:].isdigit():
        return value
    return ""


# --- companies --------------------------------------------------------------------------

_LEGAL_PHRASES = [
    "общество с ограниченной ответственностью",
    "публичное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "непубличное акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "некоммерческая организация",
    "limited liability company",
    "public joint stock company",
    "joint stock company",
]
LEGAL_FORMS = frozenset(
    "ооо оао зао пао ао нао ип нко ано тоо чп оо фгуп гуп муп ук тсж снт пк кфх "
    "llc ltd limited inc incorporated corp corporation co gmbh ag sa sas sarl bv nv plc "
    "jsc ojsc cjsc pjsc ooo oao zao pao ip llp lp oy ab as spa srl kg ohg ug".split()
)
_QUOTES = re.compile(r"[«»\"'“”„‘’`]")


def company_tokens(text: str) -> list[str]:
    """Folded words of a company name without legal forms and quotes:
    'ООО «Ромашка»', 'Romashka LLC' and 'ромашка' all give ['romashka']."""
    if not text:
        return []
    text = _QUOTES.sub(" ", text[:500].lower().replace("ё", "е"))
    for phrase in _LEGAL_PHRASES:
        if phrase in text:
            text = text.replace(phrase, " ")
    out = []
    for word in split_words(text, limit=12):
        if word in LEGAL_FORMS:
            continue
        f = fold(word)
        if f and f not in LEGAL_FORMS:
            out.append(f)
    return out


def company_norm(text: str) -> str:
    return " ".join(company_tokens(text))
