"""The text a deal is found by: its title, its company's and its contacts' names, folded.

Kept in ``Deal.search_text`` (case-folded, so one plain ``LIKE`` finds Cyrillic in any case
on SQLite and PostgreSQL alike, without a per-row function or a join at search time).
Pure: no Django.
"""

from collections.abc import Iterable


def build_search_text(title: str, company_name: str = "", contact_names: Iterable[str] = ()):
    parts = [title or "", company_name or "", *[n for n in contact_names if n]]
    return "\n".join(" ".join(p.split()) for p in parts if p).casefold()


def fold_query(text: str) -> str:
    return " ".join((text or "").split()).casefold()
