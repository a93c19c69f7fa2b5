"""What scoring needs of a criteria version that depends on the version alone, computed once per content.

``tables(version)`` gives, for every component, its key, inputs and maximum, and for each of its outcomes the
points, the band's range as shown (``band_range``), whether it is verified and the end of its explanation
(``": 95 ≤ tỷ lệ % < 98 → 50 điểm"``); for a yes/no item also the whole ``ComponentResult`` of each answer.
``engine.scoring`` builds results from them and ``engine.gaps`` its moves. Results, moves and plan options made
for one set of input values are kept in the tables and shared (they are frozen; a dossier is scored again and
again with the same values), at most ``KEEP`` per component or criterion. The tables are keyed by
``engine.loader.fingerprint`` (a version's content), so an edited version gets its own, and a long-running
process that reloads criteria keeps only recent ones.
"""

from __future__ import annotations

import threading
from operator import itemgetter
from typing import NamedTuple

from .checks import band_range
from .evaluate import exact
from .loader import fingerprint
from .models import CriteriaVersion, YesNo, component_inputs, component_max
from .numbers import format_points

KEEP = 64  # results, moves or options kept per component or criterion (``remember``): enough for the dossiers
# being edited or previewed at once; 4,096 made a process that scores many different dossiers hold 100–180 MB more
# and pause up to 0.5 s in garbage collection (measured: 30,000 assessments; benchmarks/README.md)
EMPTY_MATCHED = "mẫu số bằng 0 (không có trường hợp nào trong kỳ)"


class Component(NamedTuple):
    key: str  # "TC07/immunisation"
    prefix: str  # "TC07/immunisation: ", the start of its explanation
    comp: object  # the criteria model (YesNo, Percentage, Rate, Count, Survey)
    inputs: tuple[str, ...]  # the indicator codes it reads (component_inputs)
    max_points: int
    band_points: tuple[int, ...]  # per band
    band_matched: tuple[str, ...]  # per band: its range as shown
    band_verified: tuple[bool, ...]
    band_tail: tuple[str, ...]  # per band: ": {matched} → {points}"
    empty: tuple[int, str, bool, str] | None  # denominator zero: (points, matched, verified, tail)
    band_edges: tuple[tuple[tuple[int, int] | None, tuple[int, int] | None], ...]  # per band: min, max as p/q
    answers: dict  # its input values (``answer_keys``) → its ComponentResult, made on first use
    moves: dict  # the same key → its better outcomes (``engine.gaps.Move``) and its shape, made on first use


class Criterion(NamedTuple):
    crit: object  # the criteria model
    head: str  # "TC07: "
    tail: str  # "/50 điểm (": after the points, before the components
    components: tuple[Component, ...]
    floor: int  # the least points the recognition conditions allow it (met_at, or 1 for "no criterion zero")
    results: dict  # the components' keys (as ``Component.answers``) → CriterionResult, made on first use
    options: dict  # its components' shapes (``engine.gaps``) → its options in the gap plan, made on first use
    said: dict  # its components' points → (its points, whether met, its explanation), made on first use
    pick: object  # a dict keyed by component key → its components' entries, as a tuple in their order


class Tables(NamedTuple):
    criteria: tuple[Criterion, ...]
    components: dict[str, Component]
    readers: tuple[tuple[str, itemgetter | None, str], ...]  # per component: key, reader of 2+ inputs, 1st input


_TABLES: dict[str, Tables] = {}
_LOCK = threading.Lock()


def tables(version: CriteriaVersion) -> Tables:
    fp = fingerprint(version)
    found = _TABLES.get(fp)
    if found is None:
        with _LOCK:
            if len(_TABLES) > 64:
                _TABLES.clear()
            found = _TABLES[fp] = _build(version)
    return found


def _build(version: CriteriaVersion) -> Tables:
    criteria = []
    conditions = set(version.recognition.conditions)
    for crit in version.criteria:
        comps = tuple(_component(crit.code, comp) for comp in crit.components)
        floor = max(crit.met_at if "all_criteria_met" in conditions else 0,
                    1 if "no_criterion_zero" in conditions else 0)
        criteria.append(Criterion(crit, f"{crit.code}: ", f"/{format_points(crit.max_points)} (", comps, floor,
                                  {}, {}, {}, _picker(tuple(c.key for c in comps))))
    components = {c.key: c for crit in criteria for c in crit.components}
    readers = tuple((c.key, itemgetter(*c.inputs) if len(c.inputs) > 1 else None, c.inputs[0])
                    for c in components.values())
    return Tables(tuple(criteria), components, readers)


def _component(code: str, comp) -> Component:
    key = f"{code}/{comp.id}"
    if isinstance(comp, YesNo):
        return Component(key, f"{key}: ", comp, tuple(component_inputs(comp)), component_max(comp),
                         (), (), (), (), None, (), {}, {})
    points = tuple(b.points for b in comp.bands)
    matched = tuple(band_range(comp.kind, b) for b in comp.bands)
    empty = None
    zero = getattr(comp, "if_denominator_zero", None)
    if zero is not None:
        empty = (zero.points, EMPTY_MATCHED, zero.verified, f": {EMPTY_MATCHED} → {format_points(zero.points)}")
    return Component(key, f"{key}: ", comp, tuple(component_inputs(comp)), component_max(comp), points, matched,
                     tuple(b.verified for b in comp.bands),
                     tuple(f": {m} → {format_points(p)}" for m, p in zip(matched, points, strict=True)), empty,
                     tuple((_ratio(b.min), _ratio(b.max)) for b in comp.bands), {}, {})


def remember(cache: dict, key, made):
    """Keep ``made`` in one of the tables' caches under ``key`` (emptied when it holds ``KEEP``); return it."""
    if len(cache) >= KEEP:
        cache.clear()
    cache[key] = made
    return made


def answer_keys(version: CriteriaVersion, values: dict) -> dict[str, tuple]:
    """Component key → its input values, what its outcome (a function of them), its result and its moves
    depend on; with the other components of its criterion, what the criterion's result and plan options depend
    on (the outcomes used with them must be those computed from the same ``values``)."""
    return {key: read(values) if read else (values[code],) for key, read, code in tables(version).readers}


def _picker(keys: tuple[str, ...]):
    """``d`` → ``tuple(d[k] for k in keys)``, made once (itemgetter gives a tuple from two keys on)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    key = keys[0]
    return lambda found: (found[key],)


def _ratio(edge) -> tuple[int, int] | None:
    """A band edge (Decimal) as (numerator, denominator) in lowest terms; None for an open edge."""
    return None if edge is None else exact(edge).as_integer_ratio()
