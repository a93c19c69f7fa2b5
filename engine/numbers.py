"""Numbers the Vietnamese way: the one parser and the one formatter for every number read or shown.

Written (``format_number``, ``format_points``, ``format_fraction``): a dot groups thousands and a comma marks
decimals, as Babel writes them for the locale ``vi``: ``1.000``, ``12.345.678``, ``86,5``, ``97,96``.

Read (``parse_count``, ``parse_decimal``, ``parse_number``):

* A dot groups thousands, only when groups of exactly three digits follow it: ``1.234`` = 1234,
  ``12.345.678``. Spaces (also no-break spaces) may group thousands the same way: ``1 234``.
* A comma is the decimal mark: ``86,5``, ``1.234,5``.
* A comma followed by exactly three digits (``1,000``, ``2,500``) is ambiguous: a thousand as an English
  keyboard writes it, or one with three decimals. It is refused with a message saying how to write it, never
  read as 1. So are English groupings (``1,000,000``, ``1,000.5``).
* A dot followed by one or two digits (``86.5``, ``79.99``) cannot be a thousands group: it is read as the
  decimal 86,5 (as a spreadsheet or an English keyboard writes it). For a count it is refused: not whole.
* A leading sign is kept (the caller decides whether a negative number is allowed).

Every refusal is a ``NumberError`` (a ``ValueError``): ``reason`` says what is wrong (``not_a_number``,
``malformed``, ``ambiguous``, ``not_whole``, ``not_finite``, ``too_many_places``, ``empty``) and the message,
in Vietnamese, quotes the text and says how to write the number.
"""

from __future__ import annotations

import decimal
import functools
import re
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from .messages import N_

LOCALE = "vi"
RULE = N_("dấu chấm ngăn cách hàng nghìn, dấu phẩy là dấu thập phân")
HOW = N_("viết như 1.234 hoặc 86,5 (%(rule)s)", rule=RULE)

_SPACES = "[ \u00a0\u202f]"
_NUMBER = re.compile(
    rf"""(?P<sign>[-+]?)
    (?P<whole>\d{{1,3}}(?:\.\d{{3}})+ | \d{{1,3}}(?:{_SPACES}\d{{3}})+ | \d+)
    (?:,(?P<fraction>\d+))?""",
    re.X,
)
_DOT_DECIMAL = re.compile(r"(?P<sign>[-+]?)(?P<whole>\d+)\.(?P<fraction>\d{1,2})")
_ENGLISH_GROUPS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_NOT_FINITE = re.compile(r"[-+]?(?:nan|inf|infinity)", re.I)
_NUMERIC = re.compile(rf"(?=.*\d)[-+\d.,{_SPACES[1:-1]}]+")  # digits, signs and separators, misplaced


class NumberError(ValueError):
    """A number that cannot be read: ``reason`` (a short key), ``message`` (a ``Message``: how to write it)."""

    def __init__(self, text: str, reason: str, message: str):
        super().__init__(message)
        self.text = text
        self.reason = reason
        self.message = message


# ------------------------------------------------------------------------------------------------ reading
def parse_decimal(text: str, *, places: int | None = None) -> Decimal:
    """A number as a Vietnamese person writes it → an exact Decimal (the digits as typed, ``1,50`` stays
    ``1.50``). ``places``: the most decimals allowed (checked before the ``1,000`` ambiguity: a survey score
    with two decimals at most cannot be a thousand either)."""
    raw = str(text).strip()
    if raw == "":
        raise NumberError(text, "empty", N_("chưa nhập số"))
    match = _NUMBER.fullmatch(raw) or _DOT_DECIMAL.fullmatch(raw)
    if match is None:
        raise _unreadable(raw)
    sign, whole, fraction = match.group("sign"), match.group("whole"), match.group("fraction")
    grouped = not whole.isdigit()
    if fraction is not None and places is not None and len(fraction) > places:
        raise NumberError(raw, "too_many_places", N_("«%(text)s» có quá %(places)s chữ số thập phân: viết tối đa "
                                                     "%(places)s chữ số sau dấu phẩy, ví dụ 86,55",
                                                     text=raw, places=places))
    if grouped and whole[0] == "0":
        written = raw.replace(".", ",")
        raise NumberError(raw, "ambiguous", N_("«%(text)s» không rõ: số thập phân viết %(written)s (%(rule)s)",
                                               text=raw, written=written, rule=RULE))
    if fraction is not None and len(fraction) == 3 and not grouped and whole[0] != "0":
        thousand = sign + whole + fraction
        decimal = format_number(Decimal(f"{sign}{whole}.{fraction}"))
        raise NumberError(raw, "ambiguous", N_("«%(text)s» không rõ là %(thousand)s hay %(decimal)s: viết "
                                               "%(thousand)s hoặc %(grouped)s (%(rule)s)", text=raw,
                                               thousand=thousand, decimal=decimal,
                                               grouped=format_number(int(thousand)), rule=RULE))
    digits = re.sub(r"\D", "", whole)
    return Decimal(f"{sign}{digits}.{fraction}" if fraction is not None else f"{sign}{digits}")


def parse_count(text: str) -> int:
    """A whole number (children, cases, points): ``1.234`` = 1234; ``1,000`` and ``1.5`` are refused."""
    number = parse_decimal(text)
    if number != number.to_integral_value():
        raw = str(text).strip()
        raise NumberError(raw, "not_whole", N_("«%(text)s» không phải là số nguyên: viết như 1234 hoặc 1.234",
                                               text=raw))
    return int(number)


def parse_number(text: str, kind: Literal["count", "decimal"], *, places: int | None = None) -> int | Decimal:
    """``parse_count`` or ``parse_decimal`` by ``kind``."""
    if kind == "count":
        return parse_count(text)
    if kind == "decimal":
        return parse_decimal(text, places=places)
    raise ValueError(f"kind must be 'count' or 'decimal', not {kind!r}")


def _unreadable(raw: str) -> NumberError:
    if _NOT_FINITE.fullmatch(raw):
        return NumberError(raw, "not_finite", N_("«%(text)s» không phải là một số hữu hạn: %(how)s", text=raw, how=HOW))
    if _ENGLISH_GROUPS.fullmatch(raw):
        whole, _, rest = raw.partition(".")
        written = format_number(int(whole.replace(",", ""))) + (f",{rest}" if rest else "")
        return NumberError(raw, "ambiguous", N_("«%(text)s» viết theo kiểu tiếng Anh: viết %(written)s (%(rule)s)",
                                                text=raw, written=written, rule=RULE))
    if _NUMERIC.fullmatch(raw):
        return NumberError(raw, "malformed", N_("«%(text)s» không phải là số viết đúng: %(how)s", text=raw, how=HOW))
    return NumberError(raw, "not_a_number", N_("«%(text)s» không phải là số: %(how)s", text=raw, how=HOW))


# ------------------------------------------------------------------------------------------------ writing
class _Vietnamese:
    """Babel's data for the locale ``vi``, loaded on first use (nothing happens at import time)."""

    def __init__(self) -> None:
        from babel import Locale
        from babel.numbers import get_decimal_symbol, get_group_symbol

        self.locale = Locale.parse(LOCALE)
        self.pattern = self.locale.decimal_formats.get(None)  # "#,##0.###"
        self.group = get_group_symbol(LOCALE)  # "."
        self.decimal = get_decimal_symbol(LOCALE)  # ","


@functools.cache
def vietnamese() -> _Vietnamese:
    return _Vietnamese()


def format_number(value, decimals: int | None = None) -> str:
    """``1.000``, ``86,5``, ``97,96``; ``decimals``: at most that many (rounded half to even), else every
    digit the value has. None gives "—". A Fraction that is no finite decimal needs ``decimals``
    (or ``format_fraction``)."""
    if type(value) is int:  # the common case first: points and counts
        return _whole(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int):
        return _whole(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    elif isinstance(value, Fraction):
        if value.denominator == 1:
            return _whole(value.numerator)
        if decimals is None:
            raise ValueError(f"{value} has no exact decimal form: give decimals or use format_fraction")
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals))
    if value.is_finite() and value == value.to_integral_value():
        return _whole(int(value))
    with decimal.localcontext() as context:  # room for every digit typed (Babel quantizes in this context)
        context.prec = max(context.prec, len(value.as_tuple().digits) + 4)
        return _decimal(value.normalize())


def _whole(value: int) -> str:
    """Whole numbers with the locale's group symbol every three digits: the text of Babel's pattern, written
    directly (scores show many numbers; tests/test_numbers.py checks it against Babel)."""
    if -1000 < value < 1000:  # no group symbol: most points and counts
        return str(value)
    return f"{value:,}".replace(",", vietnamese().group)


@functools.lru_cache(maxsize=4096)
def _decimal(value: Decimal) -> str:
    vi = vietnamese()
    return vi.pattern.apply(value, vi.locale, decimal_quantization=False)


def format_points(points: int) -> str:
    """``35 điểm``, ``1.000 điểm`` (a ``Message``: "35 points" in English). Messages are immutable, so the one
    of each whole number is made once (a score shows many)."""
    if type(points) is int:
        made = _POINTS.get(points)
        if made is None:
            if len(_POINTS) > 4096:
                _POINTS.clear()
            made = _POINTS[points] = N_("%(points)s điểm", points=points)
        return made
    return N_("%(points)s điểm", points=points)


_POINTS: dict[int, str] = {}


def format_fraction(value: Fraction, decimals: int = 2) -> str:
    """Exact when it can be, else cut after ``decimals`` digits (never rounded up: 97,96… stays below 98)
    and marked with '…'."""
    numerator, bottom = value.numerator, value.denominator
    scale = 10**decimals
    top = abs(numerator) * scale
    cut = top // bottom  # toward zero
    whole, rest = divmod(cut, scale)
    text = _whole(whole)
    if rest:
        text += vietnamese().decimal + f"{rest:0{decimals}d}".rstrip("0")
    if numerator < 0 and cut:
        text = "-" + text
    return text if cut * bottom == top else text + "…"
