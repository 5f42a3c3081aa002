"""Cyrillic <-> Latin for names, and the "folded" spelling used for matching.

``fold`` maps a word written in Cyrillic or in Latin under any of the common schemes
(passport ICAO, GOST, BGN, French/German-style, typed by ear) onto one ASCII skeleton, so
that Юлия / Yulia / Julia / Iuliia / Yuliya all become ``iulia`` and Щукин / Shchukin /
Schukin / Shhukin become ``shukin``. The skeleton is for comparison only, never shown.
"""

import re
import unicodedata
from functools import lru_cache

import cyrtranslit

# One canonical romanisation, close to the passport scheme.
_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
_CYR_TABLE = str.maketrans(_CYR)

# Rewrites applied in order to the lower-case ASCII spelling. Each one merges spellings
# that the common schemes use for the same Russian sound.
_RULES = [
    (re.compile(r"shch|sch|shh|ŝ"), "sh"),
    (re.compile(r"tch"), "ch"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ts|tz"), "c"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"^ie"), "e"),
    (re.compile(r"(?<=[bcdfghklmnprstvz])io"), "e"),
    (re.compile(r"(?<=[oe])f$"), "v"),
]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPLIT = re.compile(r"[^\w]+|_")

MAX_TOKEN = 40


def to_ascii(text: str) -> str:
    """Lower-case ASCII letters and digits: Cyrillic romanised, accents dropped."""
    text = text.lower().translate(_CYR_TABLE)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", text)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """The matching skeleton of one word (idempotent: fold(fold(w)) == fold(w))."""
    text = to_ascii(word[:MAX_TOKEN])
    # Repeat until stable so that the result is a fixed point of the rules.
    for _ in range(10):
        before = text
        for pattern, repl in _RULES:
            text = pattern.sub(repl, text)
        if text == before:
            break
    return text[:MAX_TOKEN]


def split_words(text: str, limit: int = 12) -> list[str]:
    """Words of a free-text value (letters and digits), at most ``limit`` of them."""
    words = [w for w in _SPLIT.split(text[:2000]) if w]
    return words[:limit]


def to_latin(text: str) -> str:
    """Readable Latin spelling (for display or e-mail guesses), not the folded skeleton."""
    return cyrtranslit.to_latin(text, "ru")


def to_cyrillic(text: str) -> str:
    return cyrtranslit.to_cyrillic(text, "ru")
