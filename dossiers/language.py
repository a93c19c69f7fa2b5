"""The reader's language outside a web request (the CLI, documents, tests): Vietnamese by default, English
from the catalogue ``translations/en`` (``make translations``).

``reader(lang)`` gives what ``engine.messages.render`` needs: the catalogue's gettext and the numbers with
that language's separators (``1.234,5`` in Vietnamese, ``1,234.5`` in English)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from engine.messages import render
from engine.numbers import format_number

LANGUAGES = ("vi", "en")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


SOURCE = {"messages": "vi", "wtforms": "en"}  # each catalogue's source language (its msgids): no translation


@functools.cache
def catalogue(lang: str, domain: str = "messages"):
    """The compiled catalogue of ``domain`` in ``lang`` under ``translations/``: ours (Vietnamese msgids, English
    in ``en``) or WTForms' own messages (English msgids, Vietnamese in ``vi``)."""
    from babel.support import NullTranslations, Translations

    if lang == SOURCE[domain]:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang], domain=domain)


def number_in(lang: str, value) -> str:
    """A number with the separators of ``lang``."""
    if lang == "vi" or value is None or isinstance(value, bool):
        return format_number(value)
    from babel.numbers import format_decimal

    return format_decimal(value, locale=lang, decimal_quantization=False)


@dataclass(frozen=True)
class Reader:
    """Renders messages and numbers for one language."""

    lang: str = "vi"

    def gettext(self, msgid: str) -> str:
        return catalogue(self.lang).gettext(msgid)

    def number(self, value) -> str:
        return number_in(self.lang, value)

    def __call__(self, text) -> str:
        """``text`` (a ``Message``, a list of them, or plain text) in this language."""
        return render(text, self.gettext, self.number)


def reader(lang: str | None = None) -> Reader:
    """The reader of ``lang`` (``vi`` or ``en``; anything else: Vietnamese)."""
    return Reader(lang if lang in LANGUAGES else "vi")
