"""The only module that imports durable-rules: compiles a criteria version into a ruleset and runs it.

durable-rules has sharp edges, measured in this project, and this module handles each of them:

* Rulesets are process-global and cannot be redefined: a version is compiled once per distinct content, under
  a name that carries a fingerprint of that content (an edited version gets a new ruleset).
* Its background timer threads crash it or lose results when several threads post: the host here never starts
  them (nothing in scoring uses timers), and one lock guards every call into the library.
* A ruleset holds at most 1,024 live sessions: every evaluation uses a fresh session id and deletes its state
  in ``finally``.
* One fact may match at most 64 conditions: one event is posted per scoring component, and that event can
  only meet its own component's rules (one rule per band; the loader allows at most 30 bands).
* Strings and ``True`` pass its numeric tests and ``Decimal`` crashes it: values are validated and typed by
  ``engine.assessment`` first, then converted to ``float`` here. Thresholds are written as exact ratios
  (``n >= d * 49 / 50`` for 98 %), so counts are compared without rounding.
* Its expression builder drops a right operand that is 0 (``m.d * 0.0 / 1.0`` becomes ``m.d / 1.0``, found by
  the independent evaluator here): a zero bound is compiled as the constant 0.
* An error inside an action is swallowed by the library: actions here record errors themselves and
  ``evaluate`` raises them, and a component that no rule or several rules matched is an error too.

The outcome of each component is an ``engine.outcome.Outcome``, as in ``engine.evaluate``, so the two compare
with ``==``.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
from fractions import Fraction

from .errors import RulesEngineError
from .loader import fingerprint
from .models import HIGHER_IS_BETTER, Count, CriteriaVersion, Percentage, Rate, Survey, YesNo
from .outcome import EMPTY, NO, YES, Outcome, band_outcome

_LOCK = threading.Lock()
_HOST = None
_RULESETS: dict[str, str] = {}  # fingerprint → ruleset name
_FOUND: list[tuple[str, Outcome]] = []  # (component key, outcome) of the evaluation under way (lock held)
_ERRORS: list[str] = []  # errors raised inside actions during that evaluation
_SESSION = itertools.count(1)


def import_error() -> str | None:
    """Why durable-rules cannot be used here, or None when it can."""
    try:
        import durable.engine  # noqa: F401
        import durable.lang  # noqa: F401
    except Exception as exc:  # ImportError, or a broken native extension
        return f"durable-rules is not available ({exc}); set CFC_ENGINE=python to use the reference evaluator"
    return None


def _keep_freed_memory() -> None:
    """Each session allocates about 0.9 MB in durable's C engine. Depending on where that lands, glibc gives
    it back to the operating system when the session is deleted and faults it in again on the next call (about
    290 page faults and 3 times slower per evaluation, measured in benchmarks/engine_bench.py). Raising glibc's
    trim and mmap thresholds keeps that memory in the process. No effect where the C library is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(-1, 64 * 1024 * 1024)  # M_TRIM_THRESHOLD: keep up to 64 MB of freed heap
    libc.mallopt(-3, 4 * 1024 * 1024)  # M_MMAP_THRESHOLD: blocks below 4 MB come from the heap


def _host():
    global _HOST
    if _HOST is None:
        problem = import_error()
        if problem:
            raise RulesEngineError(problem)
        _keep_freed_memory()
        from durable import engine

        class QuietHost(engine.Host):
            """A host that never starts durable's dispatch timer threads."""

            def _run(self):
                return None

        _HOST = QuietHost()
    return _HOST


def _ratio(value) -> tuple[int, int]:
    frac = Fraction(value)
    return frac.numerator, frac.denominator


def _component_rules(key: str, comp):
    """(condition, outcome) pairs of one component, built with durable's DSL."""
    from durable.lang import m

    this = m.k == key
    if isinstance(comp, YesNo):
        return [(this & (m.v == 1.0), YES), (this & (m.v == 0.0), NO)]
    rules = []
    if isinstance(comp, Percentage | Rate):
        # Percentage: pct = n*100/d. Rate: r = n*per/d. Both test n against d * t / scale exactly.
        scale = 100 if isinstance(comp, Percentage) else comp.per
        rules.append((this & (m.d == 0.0), EMPTY))
        for index, band in enumerate(comp.bands):
            cond = this & (m.d > 0.0)
            for edge in ("min", "max"):
                bound = getattr(band, edge)
                if bound is None:
                    continue
                p, q = _ratio(Fraction(bound) / scale)
                if p == 0:
                    rhs = 0.0  # durable drops an operand that is 0: `m.d * 0.0 / 1.0` would become `m.d / 1.0`
                elif q == 1:
                    rhs = m.d * float(p)
                else:
                    rhs = m.d * float(p) / float(q)
                cond = cond & _compare(comp.kind, edge, m.n, rhs)
            rules.append((cond, band_outcome(index)))
        return rules
    for index, band in enumerate(comp.bands):  # Count and Survey test the value itself
        cond = this & (m.v >= 0.0)
        for edge in ("min", "max"):
            bound = getattr(band, edge)
            if bound is not None:
                cond = cond & _compare(comp.kind, edge, m.v, float(bound))
        rules.append((cond, band_outcome(index)))
    return rules


def _compare(kind: str, edge: str, left, right):
    """Higher-is-better bands hold min <= v < max; lower-is-better bands hold min < v <= max."""
    if kind in HIGHER_IS_BETTER:
        return left >= right if edge == "min" else left < right
    return left > right if edge == "min" else left <= right


def _action(key: str, outcome: Outcome):
    def act(c):
        try:
            _FOUND.append((key, outcome))
        except BaseException as exc:  # durable would swallow it: keep it for evaluate() to raise
            _ERRORS.append(f"{key}: {type(exc).__name__}: {exc}")

    return act


def _compile(version: CriteriaVersion) -> str:
    """Register the ruleset of ``version`` once; return its name. Call with the lock held."""
    fp = fingerprint(version)
    if fp in _RULESETS:
        return _RULESETS[fp]
    host = _host()
    from durable import lang

    name = f"cfc_{version.id}_{fp}"
    rs = lang.ruleset(name)
    with rs:
        for crit in version.criteria:
            for comp in crit.components:
                key = f"{crit.code}/{comp.id}"
                for condition, outcome in _component_rules(key, comp):
                    lang.when_all(condition)(_action(key, outcome))
    lang._rulesets.pop(name, None)  # never let lang.get_host() register it a second time
    ruleset_name, definition = rs.define()
    host.register_rulesets({ruleset_name: definition})
    _RULESETS[fp] = ruleset_name
    return ruleset_name


def _event(key: str, comp, values: dict) -> dict:
    if isinstance(comp, YesNo):
        return {"k": key, "v": 1.0 if values[comp.indicator] is True else 0.0}
    if isinstance(comp, Percentage):
        return {"k": key, "n": float(values[comp.numerator]), "d": float(values[comp.denominator])}
    if isinstance(comp, Rate):
        return {"k": key, "n": float(values[comp.cases]), "d": float(values[comp.population])}
    if isinstance(comp, Count):
        return {"k": key, "v": float(values[comp.count])}
    if isinstance(comp, Survey):
        return {"k": key, "v": float(values[comp.score])}
    raise TypeError(comp.kind)


def evaluate(version: CriteriaVersion, values: dict) -> dict[str, Outcome]:
    """Outcome of every component according to durable-rules, keyed ``"TC07/immunisation"``."""
    components = [(f"{c.code}/{k.id}", k) for c in version.criteria for k in c.components]
    with _LOCK:
        name = _compile(version)
        sid = f"s{os.getpid()}-{next(_SESSION)}"
        events = [dict(_event(key, comp, values), sid=sid, id=i) for i, (key, comp) in enumerate(components)]
        _FOUND.clear()
        _ERRORS.clear()
        try:
            _host().post_batch(name, events)
            found, errors = list(_FOUND), list(_ERRORS)
        except Exception as exc:
            raise RulesEngineError(f"durable-rules failed: {type(exc).__name__}: {exc}") from exc
        finally:
            _FOUND.clear()
            _ERRORS.clear()
            _host().delete_state(name, sid)
    if errors:
        raise RulesEngineError("an action failed inside durable-rules: " + "; ".join(errors))
    matched: dict[str, list[Outcome]] = {}
    for key, outcome in found:
        matched.setdefault(key, []).append(outcome)
    outcomes: dict[str, Outcome] = {}
    for key, _ in components:
        got = matched.get(key, [])
        if len(got) != 1:
            raise RulesEngineError(f"{key}: durable-rules matched {len(got)} rules, expected exactly one")
        outcomes[key] = got[0]
    return outcomes


def session_state(version: CriteriaVersion, sid: str) -> dict:
    """durable's stored state of one session (``{"sid": ..., "$s": 1}`` when none is left); for tests."""
    with _LOCK:
        name = _compile(version)
        try:
            return _host().get_state(name, sid)
        except Exception as exc:  # durable raises "could not get state" (309) for a deleted session
            if "309" in str(exc):
                return {"sid": sid, "$s": 1}
            raise
