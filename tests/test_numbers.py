"""Vietnamese numbers (engine/numbers.py) as tables: text → value, text → refusal, value → text."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from babel.numbers import format_decimal

from engine.assessment import parse_text
from engine.numbers import (
    NumberError,
    format_fraction,
    format_number,
    format_points,
    parse_count,
    parse_decimal,
    parse_number,
)

# (text, kind, value): kind "count" → parse_count, "decimal" → parse_decimal
PARSED = [
    ("0", "count", 0),
    ("49", "count", 49),
    ("1000", "count", 1000),
    ("1.000", "count", 1000),  # a dot groups thousands
    ("1.234", "count", 1234),
    ("12.345.678", "count", 12_345_678),
    ("1 234", "count", 1234),  # spaces group thousands too
    ("1\u00a0234", "count", 1234),  # no-break space
    ("1\u202f234", "count", 1234),  # narrow no-break space
    ("  2.400  ", "count", 2400),
    ("1,0", "count", 1),  # a whole number with a zero decimal
    ("1.000,00", "count", 1000),
    ("-3", "count", -3),  # the sign is kept: the caller refuses negatives with its own message
    ("86,5", "decimal", Decimal("86.5")),  # a comma is the decimal mark
    ("97,96", "decimal", Decimal("97.96")),
    ("0,125", "decimal", Decimal("0.125")),  # a leading 0 is no thousand: not ambiguous
    ("1.234,5", "decimal", Decimal("1234.5")),
    ("1 234,5", "decimal", Decimal("1234.5")),
    ("86.5", "decimal", Decimal("86.5")),  # a dot and one or two digits: the decimal 86,5
    ("79.99", "decimal", Decimal("79.99")),
    ("1.000", "decimal", Decimal(1000)),
    ("100", "decimal", Decimal(100)),
    ("+5", "decimal", Decimal(5)),
]

# (text, kind, reason, fragment of the Vietnamese message)
REFUSED = [
    ("1,000", "count", "ambiguous", "«1,000» không rõ là 1000 hay 1: viết 1000 hoặc 1.000"),
    ("1,000", "decimal", "ambiguous", "«1,000» không rõ là 1000 hay 1: viết 1000 hoặc 1.000"),
    ("2,500", "count", "ambiguous", "«2,500» không rõ là 2500 hay 2,5: viết 2500 hoặc 2.500"),
    ("-1,000", "count", "ambiguous", "«-1,000» không rõ là -1000 hay -1"),
    ("1,000,000", "count", "ambiguous", "«1,000,000» viết theo kiểu tiếng Anh: viết 1.000.000"),
    ("1,000.5", "decimal", "ambiguous", "«1,000.5» viết theo kiểu tiếng Anh: viết 1.000,5"),
    ("0.125", "decimal", "ambiguous", "«0.125» không rõ: số thập phân viết 0,125"),
    ("1.5", "count", "not_whole", "«1.5» không phải là số nguyên: viết như 1234 hoặc 1.234"),
    ("86,5", "count", "not_whole", "«86,5» không phải là số nguyên"),
    ("1.2345", "count", "malformed", "«1.2345» không phải là số viết đúng: viết như 1.234 hoặc 86,5"),
    ("1.23.4", "decimal", "malformed", "không phải là số viết đúng"),
    ("12.34", "count", "not_whole", "không phải là số nguyên"),  # 12,34: a decimal, so no count
    ("1 23", "count", "malformed", "không phải là số viết đúng"),
    (",5", "decimal", "malformed", "không phải là số viết đúng"),
    ("5,", "decimal", "malformed", "không phải là số viết đúng"),
    ("--5", "count", "malformed", "không phải là số viết đúng"),
    ("mười", "count", "not_a_number", "«mười» không phải là số: viết như 1.234 hoặc 86,5"),
    ("12 trẻ", "count", "not_a_number", "không phải là số"),
    ("1e3", "decimal", "not_a_number", "không phải là số"),
    ("nan", "decimal", "not_finite", "«nan» không phải là một số hữu hạn"),
    ("-Infinity", "decimal", "not_finite", "không phải là một số hữu hạn"),
    ("", "count", "empty", "chưa nhập số"),
    ("   ", "decimal", "empty", "chưa nhập số"),
]


@pytest.mark.parametrize(("text", "kind", "value"), PARSED, ids=[f"{k}:{t!r}" for t, k, _ in PARSED])
def test_text_to_value(text, kind, value):
    got = parse_count(text) if kind == "count" else parse_decimal(text)
    assert got == value
    assert type(got) is type(value)
    assert parse_number(text, kind) == value


@pytest.mark.parametrize(("text", "kind", "reason", "fragment"), REFUSED,
                         ids=[f"{k}:{t!r}" for t, k, _, _ in REFUSED])
def test_text_refused_with_a_vietnamese_message(text, kind, reason, fragment):
    with pytest.raises(NumberError) as info:
        parse_number(text, kind)
    assert info.value.reason == reason
    assert fragment in info.value.message
    assert str(info.value) == info.value.message
    assert isinstance(info.value, ValueError)


def test_one_comma_one_never_becomes_one():
    for text in ("1,000", "10,000", "100,000", "1,234"):
        with pytest.raises(NumberError, match="không rõ"):
            parse_count(text)


@pytest.mark.parametrize(
    ("text", "places", "value", "fragment"),
    [
        ("86,55", 2, Decimal("86.55"), None),
        ("86,555", 2, None, "«86,555» có quá 2 chữ số thập phân"),
        ("1,000", 2, None, "có quá 2 chữ số thập phân"),  # a survey score is neither 1,000 nor a thousand
        ("86.5", 2, Decimal("86.5"), None),
    ],
)
def test_decimal_places(text, places, value, fragment):
    if value is not None:
        assert parse_decimal(text, places=places) == value
        return
    with pytest.raises(NumberError) as info:
        parse_decimal(text, places=places)
    assert info.value.reason == "too_many_places" and fragment in info.value.message


def test_decimals_keep_the_digits_typed():
    assert str(parse_decimal("1,50")) == "1.50"
    assert parse_decimal("1,50").as_tuple().exponent == -2


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="kind must be 'count' or 'decimal'"):
        parse_number("1", "score")


# (value, decimals, text)
FORMATTED = [
    (0, None, "0"),
    (49, None, "49"),
    (1000, None, "1.000"),
    (1234567, None, "1.234.567"),
    (-1234, None, "-1.234"),
    (Decimal("86.5"), None, "86,5"),
    (Decimal("86.50"), None, "86,5"),
    (Decimal("97.96"), None, "97,96"),
    (Decimal("1234.5"), None, "1.234,5"),
    (Decimal("1E+3"), None, "1.000"),
    (Decimal("0.125"), None, "0,125"),
    (Decimal("-0"), None, "0"),
    (86.5, None, "86,5"),
    (79.99, None, "79,99"),  # through repr: never 79,98999…
    (12.0, None, "12"),
    (Fraction(98), None, "98"),
    (Fraction(1, 4), 2, "0,25"),
    (Decimal("2.345"), 2, "2,34"),  # half to even
    (Decimal("2.355"), 2, "2,36"),
    (Decimal("10.5"), 0, "10"),
    (None, None, "—"),
]


@pytest.mark.parametrize(("value", "decimals", "text"), FORMATTED, ids=[repr(v) for v, _, _ in FORMATTED])
def test_value_to_text(value, decimals, text):
    assert format_number(value, decimals) == text


def test_booleans_and_inexact_fractions_are_refused():
    with pytest.raises(TypeError):
        format_number(True)
    with pytest.raises(ValueError, match="format_fraction"):
        format_number(Fraction(2, 3))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(98), "98"),
        (Fraction(4900, 50), "98"),
        (Fraction(2449, 25), "97,96"),  # exact
        (Fraction(4800, 49), "97,95…"),  # 97,959…: cut, never rounded up to 97,96 (nor 98)
        (Fraction(2, 3), "0,66…"),
        (Fraction(-2, 3), "-0,66…"),
        (Fraction(1, 8), "0,12…"),
        (Fraction(123456789, 100), "1.234.567,89"),
        (Fraction(1000), "1.000"),
    ],
)
def test_format_fraction(value, text):
    assert format_fraction(value) == text


def test_format_points():
    assert format_points(35) == "35 điểm"
    assert format_points(1000) == "1.000 điểm"


def test_whole_numbers_are_written_as_babel_writes_them():
    rng = random.Random(9)
    numbers = [0, 1, 999, 1000, 9999, 10_000, 999_999, 10**12, -1, -1000]
    numbers += [rng.randint(-10**9, 10**9) for _ in range(300)]
    for n in numbers:
        assert format_number(n) == format_decimal(n, locale="vi"), n
    for d in ("0.5", "86.5", "1234.56", "1000000.25"):
        assert format_number(Decimal(d)) == format_decimal(Decimal(d), locale="vi"), d


@pytest.mark.parametrize("value", [0, 7, 1000, 1234, 98765, 12_345_678])
def test_what_is_written_reads_back(value):
    assert parse_count(format_number(value)) == value
    assert parse_decimal(format_number(Decimal(value) / 4)) == Decimal(value) / 4


def test_cut_fractions_are_written_as_babel_writes_them():
    for n in [*range(-2000, 2000, 7), *range(2000, 20_000_000, 99_991)]:
        assert format_fraction(Fraction(n, 100)) == format_decimal(Decimal(n) / 100, locale="vi"), n


@pytest.mark.parametrize("kind", ["count", "score"])
def test_a_number_of_many_digits_is_refused_in_words(kind):
    """A field holding 400 nines was a 500 on the form: Babel could not write the number back in the message."""
    value, message = parse_text(kind, "9" * 400)
    assert value is None and "9.999.999" in message
    assert format_number(Decimal("9" * 30 + ".5")).endswith("999,5")
