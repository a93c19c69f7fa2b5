"""Numbers in URLs and forms, checked at the edge before any database sees them.

- An id in a path (``<int:dossier_id>``) is 1 to 10 ASCII digits up to ``ID_MAX``, the largest value of the
  integer id columns on PostgreSQL (2^31 − 1; SQLite holds more, PostgreSQL answers an error): anything else
  matches no route, so it is a 404 like an id nobody has. ``init_app`` makes this the app's ``int``.
- A round (``?round=2024``) is a year from ``ROUND_MIN`` to ``ROUND_MAX``; any other value, "abc" or
  "-5" or one with 5,000 digits, is a 400 naming the parameter (``round_arg``).
- Ids posted by a form (the province's batch decision) are read by ``form_ids``: one that is not an id is a 400.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, ValidationError

ID_MAX = 2**31 - 1  # PostgreSQL `integer`, the type of every id column
ROUND_MIN, ROUND_MAX = 1990, 2100  # as the CLI's --round (cfc.common.ROUND)
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII digits only: Python's \d also matches "١٢"


def parse_id(text: str) -> int | None:
    """``text`` as an id (1 … ``ID_MAX``), None when it is not one."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= ID_MAX else None


class IdConverter(BaseConverter):
    """``<int:name>``: an id the database can hold, else no route matches (404)."""

    regex = r"[0-9]{1,10}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def round_arg(name: str = "round", blank: bool = True) -> int | None:
    """The round asked for in the query string; None when not given (or blank, where ``blank`` allows it: a
    page's filter form sends ``round=`` for "the current round"), 400 when it is not one year."""
    given = request.args.getlist(name)
    if not given:
        return None
    text = given[0].strip()
    if len(given) == 1 and not text and blank:
        return None
    if len(given) > 1 or not (text.isascii() and text.isdigit() and len(text) == 4
                              and ROUND_MIN <= int(text) <= ROUND_MAX):
        abort(400, description=_("%(name)s: một năm đánh giá từ %(min)s đến %(max)s, không phải %(given)s", name=name,
                                 min=str(ROUND_MIN), max=str(ROUND_MAX),
                                 given=", ".join(repr(t[:20]) for t in given)))
    return int(text)


def form_ids(name: str) -> list[int]:
    """The ids a form posted under ``name`` (checkboxes); 400 when one is not an id."""
    ids = [parse_id(text) for text in request.form.getlist(name)]
    if None in ids:
        abort(400, description=_("%(name)s: mã hồ sơ không hợp lệ", name=name))
    return ids


def init_app(app: Flask) -> None:
    """Every ``<int:…>`` of the app's routes is an id (register before the blueprints)."""
    app.url_map.converters["int"] = IdConverter
