"""Escaping for markup built in Python on hot paths (board cards, list rows, form fields)."""

import html


def esc(value) -> str:
    """What ``conditional_escape`` gives, as plain text for an f-string: markup already marked
    safe as it is, anything else (lazy translations included) as escaped text. Django's
    version checks every argument for lazy objects first, which a page of cards calls a
    thousand times."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def url_pattern(reverse_one) -> tuple[str, str]:
    """The parts of a record URL around its id, from one ``reverse`` call: a page of rows
    then builds each row's link by joining strings. ``reverse_one(pk)`` must put ``pk`` in
    the path once."""
    marker = 987654321987
    url = reverse_one(marker)
    head, sep, tail = url.partition(str(marker))
    if not sep or str(marker) in tail:
        raise ValueError(f"the id does not appear once in {url!r}")
    return head, tail
