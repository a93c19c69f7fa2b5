"""Text typed by people, made fit to store: one rule for every boundary (web forms, the JSON API, the CLI, the
import).

- Text is stored in Unicode NFC: "có" typed decomposed (NFD, as some keyboards and macOS send it) is the same
  text as "có" precomposed, so saving it again changes nothing.
- Control characters are refused (tab and line breaks aside), and so are lone surrogates (a JSON ``\\ud800``),
  which no database can store: PostgreSQL refuses a NUL byte with an error of its own.
- Text made only of invisible characters (zero-width spaces, a byte-order mark) is refused: it says nothing.

``text_problem`` says why a text cannot be stored (in Vietnamese, naming the character by its code point,
never echoing the text); ``clean_text`` returns the NFC text or raises ``AssessmentError`` naming the field,
which the web and the API answer with 422 and the CLI prints.
"""

from __future__ import annotations

import unicodedata

from .errors import AssessmentError, InputProblem
from .messages import N_

ALLOWED_CONTROLS = frozenset("\t\n\r")
INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})  # controls, format characters, spaces and separators


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, None when it can: a control character (tab and line breaks aside), a
    lone surrogate, or nothing but invisible characters (white space alone is left to the caller: blank)."""
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" and char not in ALLOWED_CONTROLS:
            return N_("có ký tự điều khiển (U+%(code)s), không lưu được", code=format(ord(char), "04X"))
        if category == "Cs":
            return N_("có ký tự không hợp lệ (U+%(code)s), không lưu được", code=format(ord(char), "04X"))
    if text.strip() and all(unicodedata.category(c) in INVISIBLE for c in text):
        return N_("chỉ gồm ký tự không nhìn thấy được")
    return None


def clean_text(text: str, field: str) -> str:
    """``text`` in NFC; ``AssessmentError`` naming ``field`` when it cannot be stored (``text_problem``)."""
    problem = text_problem(text)
    if problem:
        raise AssessmentError([InputProblem(field, problem)])
    return nfc(text)
