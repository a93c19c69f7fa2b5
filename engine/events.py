"""The events durable-rules is given for one evaluation, written as JSON text (no durable import here).

A version's events are one text with the numbers left open (``event_plan`` per component), filled for each
evaluation with the component values as floats (``reader`` picks them); ``engine.rules`` posts them in its one
session, ``SESSION``.
"""

from __future__ import annotations

import json
from operator import itemgetter

from .models import Count, Percentage, Rate, Survey, YesNo

SESSION = "scoring"  # the one session of every ruleset (engine.rules)


def reader(codes: list[str]):
    """values → the values of ``codes``, a tuple (itemgetter gives a tuple from two codes on)."""
    return itemgetter(*codes) if len(codes) > 1 else lambda values, code=codes[0]: (values[code],)


def event_plan(key: str, comp, index: int) -> tuple[str, tuple[str, ...]]:
    """The JSON text of the component's event with its numbers (floats, written by ``repr`` as ``json.dumps``
    writes them) left open: ``{"k": key, "n": n, "d": d, "sid": SESSION, "id": index}``; and the indicators
    that fill them."""
    if isinstance(comp, YesNo):
        fields, codes = ("v",), (comp.indicator,)
    elif isinstance(comp, Percentage):
        fields, codes = ("n", "d"), (comp.numerator, comp.denominator)
    elif isinstance(comp, Rate):
        fields, codes = ("n", "d"), (comp.cases, comp.population)
    elif isinstance(comp, Count):
        fields, codes = ("v",), (comp.count,)
    elif isinstance(comp, Survey):
        fields, codes = ("v",), (comp.score,)
    else:
        raise TypeError(comp.kind)
    numbers = "".join(f', "{field}": %r' for field in fields)
    text = ('{"k": ' + json.dumps(key).replace("%", "%%") + numbers + ', "sid": ' + json.dumps(SESSION)
            + f', "id": {index}}}')
    return text, codes
