"""Texts a person reads, kept translatable: a Vietnamese msgid marked with ``N_`` and its parameters.

``N_("«%(text)s» không phải là số", text=raw)`` is a ``Message``: a ``str`` whose value is the Vietnamese text
(so everything that prints, logs, joins or compares it keeps working), which also remembers its ``msgid`` and
``params``. Whoever knows the reader's language renders it again with ``render(text, gettext, number)``: the
web (``webforms.i18n``) with the catalogue of the request's language, the CLI with the one of ``--lang``.

``pybabel extract`` (``make translations``) finds every ``N_("…")`` and puts its msgid in the catalogue. Params
are rendered too: a ``Message`` in the reader's language, a number with the reader's separators (``number``),
anything else as text. The engine imports no Flask and no Babel here: ``gettext`` and ``number`` are given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

Gettext = Callable[[str], str]
NumberFormat = Callable[[object], str]


def _same(text: str) -> str:
    return text


def format_number(value) -> str:
    """Vietnamese separators (``engine.numbers``, imported here late: it uses these messages itself)."""
    from .numbers import format_number as vietnamese

    return vietnamese(value)


class Message(str):
    """A translatable text: ``str(m)`` is Vietnamese; ``m.msgid`` and ``m.params`` let it be rendered again."""

    msgid: str
    params: Mapping[str, object]

    def __new__(cls, msgid: str, **params: object) -> Message:
        msgid = str(msgid)
        text = _fill(msgid, params, _same, format_number)
        made = super().__new__(cls, text)
        made.msgid = msgid
        made.params = params
        return made

    def __reduce__(self):  # pickling (the import's worker processes) keeps the message
        return (_rebuild, (self.msgid, dict(self.params)))

    def render(self, gettext: Gettext = _same, number: NumberFormat = format_number) -> str:
        return _fill(gettext(self.msgid), self.params, gettext, number)


def _rebuild(msgid: str, params: dict) -> Message:
    return Message(msgid, **params)


def message_of(exc: BaseException) -> str:
    """An error's message as it was raised: its ``Message`` (to render in the reader's language) or text, else
    ``str(exc)``."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)


def N_(msgid: str, **params: object) -> Message:  # noqa: N802 (the name pybabel extracts)
    """Mark ``msgid`` (Vietnamese, ``%(name)s`` placeholders) for the catalogue and fill it with ``params``."""
    return Message(msgid, **params)


def render(text: object, gettext: Gettext = _same, number: NumberFormat = format_number) -> str:
    """``text`` in the reader's language: a Message translated, a list joined with "; ", else as it is."""
    if isinstance(text, Message):
        return text.render(gettext, number)
    if isinstance(text, list | tuple):
        return "; ".join(render(t, gettext, number) for t in text)
    return "" if text is None else str(text)


def _fill(template: str, params: Mapping[str, object], gettext: Gettext, number: NumberFormat) -> str:
    if not params:
        return template
    shown = {key: _param(value, gettext, number) for key, value in params.items()}
    try:
        return template % shown
    except (KeyError, ValueError, TypeError):  # a broken translation must not hide the message
        return _fill(template, {}, gettext, number) + " (" + ", ".join(f"{k}={v}" for k, v in shown.items()) + ")"


def _param(value: object, gettext: Gettext, number: NumberFormat) -> str:
    if isinstance(value, Message):
        return value.render(gettext, number)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return number(value)
    if isinstance(value, list | tuple):
        return "; ".join(_param(v, gettext, number) for v in value)
    return str(value)
