"""Russian company identifiers (ИНН, КПП, ОГРН), checked by python-stdnum. Pure: no Django."""

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as inn_mod
from stdnum.ru import ogrn as ogrn_mod


class TaxIdError(ValueError):
    pass


def clean_inn(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if not value:
        return ""
    try:
        return inn_mod.validate(value)
    except StdnumError as exc:
        raise TaxIdError(type(exc).__name__) from exc


def clean_ogrn(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if not value:
        return ""
    try:
        return ogrn_mod.validate(value)
    except StdnumError as exc:
        raise TaxIdError(type(exc).__name__) from exc


def clean_kpp(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if not value:
        return ""
    if len(value) != 9 or not value[:4].isdigit() or not value[6:].isdigit():
        raise TaxIdError("InvalidFormat")
    return value.upper()
