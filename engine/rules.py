"""The only module that imports durable-rules: compiles a criteria version into a ruleset and runs it.

durable-rules has sharp edges, measured in this project, and this module handles each of them:

* Rulesets are process-global and cannot be redefined: a version is compiled once per distinct content, under
  a name that carries a fingerprint of that content (an edited version gets a new ruleset).
* Its background timer threads crash it or lose results when several threads post: the host here never starts
  them (nothing in scoring uses timers), and one lock guards every call into the library.
* A ruleset holds at most 1,024 live sessions: evaluations take turns (the lock) in its one session,
  ``SESSION`` (a session made and deleted per call cost a fifth more). Each event matches exactly one rule
  (checked), which consumes it: nothing is left for the next one; after any failure the state is deleted.
* One fact may match at most 64 conditions: one event is posted per scoring component, and that event can
  only meet its own component's rules (one rule per band; the loader allows at most 30 bands).
* Strings and ``True`` pass its numeric tests and ``Decimal`` crashes it: values are validated and typed by
  ``engine.assessment`` first, then converted to ``float`` here. Thresholds are written as exact ratios
  (``n >= d * 49 / 50`` for 98 %), so counts are compared without rounding.
* Its expression builder drops a right operand that is 0 (``m.d * 0.0 / 1.0`` becomes ``m.d / 1.0``, found by
  the independent evaluator here): a zero bound is compiled as the constant 0.
* An error inside an action is swallowed by the library, and its Python dispatch of each action (a closure, a
  JSON round trip of the session state, two clock reads) costs more than the match itself: ``evaluate`` runs
  no Python action at all. It reads the name of every matched rule through durable's native API
  (``start_action_for_state``, ``complete_and_start_action``) and maps it to its component and outcome; an
  unknown rule, or a component that no rule or several rules matched, is an error.
* The events are written as JSON text from a per-version plan (each component's event with its numbers left
  open), the same text ``json.dumps`` gives for the event dicts.

The outcome of each component is an ``engine.outcome.Outcome``, as in ``engine.evaluate``, so the two compare
with ``==``.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import threading
from fractions import Fraction
from typing import NamedTuple

from .errors import RulesEngineError
from .events import SESSION, event_plan, reader
from .loader import fingerprint
from .models import HIGHER_IS_BETTER, CriteriaVersion, Percentage, Rate, YesNo
from .outcome import EMPTY, NO, YES, Outcome, band_outcome

_LOCK = threading.Lock()
_HOST = None
_RULESETS: dict[str, _Compiled] = {}  # fingerprint → the compiled ruleset


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


class _Compiled(NamedTuple):
    """A version's ruleset as run here: durable's name and handle, each rule's meaning, the events' text."""

    name: str
    handle: int
    meaning: dict[str, tuple[str, Outcome]]  # rule name ("r_12") → (component key, outcome)
    keys: tuple[str, ...]  # every component key, in the version's order
    events: str  # the JSON list of every component's event, its numbers left open (%r)
    numbers: object  # values → the indicator values that fill the openings, in order (a tuple)


def _action(key: str, outcome: Outcome):
    """The rule's action for durable's own dispatch. ``evaluate`` reads the matched rules through durable's native
    API instead and never runs it; it is kept so that the ruleset stays a complete durable ruleset."""

    def act(c):
        return None

    act.meaning = (key, outcome)
    return act


def _compile(version: CriteriaVersion) -> _Compiled:
    """Register the ruleset of ``version`` once; return it. Call with the lock held."""
    fp = fingerprint(version)
    if fp in _RULESETS:
        return _RULESETS[fp]
    host = _host()
    from durable import lang

    name = f"cfc_{version.id}_{fp}"
    rs = lang.ruleset(name)
    events = []
    with rs:
        for crit in version.criteria:
            for comp in crit.components:
                key = f"{crit.code}/{comp.id}"
                for condition, outcome in _component_rules(key, comp):
                    lang.when_all(condition)(_action(key, outcome))
                events.append(event_plan(key, comp, len(events)))
    lang._rulesets.pop(name, None)  # never let lang.get_host() register it a second time
    ruleset_name, definition = rs.define()
    meaning = {rule: spec["run"].meaning for rule, spec in definition.items()}
    host.register_rulesets({ruleset_name: definition})
    codes = [code for _text, event_codes in events for code in event_codes]
    compiled = _Compiled(ruleset_name, host.get_ruleset(ruleset_name)._handle, meaning,
                         tuple(f"{c.code}/{k.id}" for c in version.criteria for k in c.components),
                         "[" + ", ".join(text for text, _ in events) + "]", reader(codes))
    _RULESETS[fp] = compiled
    return compiled


def _events_text(compiled: _Compiled, values: dict) -> str:
    """The JSON list of one event per component (what ``json.dumps`` of the event dicts gives), written from
    the version's one text with its openings filled: every value as a float (a yes/no answer, a bool checked by
    ``engine.assessment``, as 1.0 or 0.0; a survey's Decimal as the nearest float)."""
    return compiled.events % tuple(map(float, compiled.numbers(values)))


def _post(compiled: _Compiled, events: str) -> list[str]:
    """Assert the events in the session and read the name of every rule they matched through durable's native
    API (its Python dispatch would build a closure, a JSON round trip of the state and two clock reads for each
    of them)."""
    import durable_rules_engine as native

    handle = compiled.handle
    matched = []
    code, state = native.assert_events(handle, events)
    if code in (1, 2):  # what durable's Python layer raises as MessageNotHandled or MessageObserved
        raise RulesEngineError(f"durable-rules refused the events (code {code})")
    started = native.start_action_for_state(handle, 0 if code == 3 else state)
    message = started[1] if started else None
    while message:
        matched.append(_rule_name(message))
        message = native.complete_and_start_action(handle, state)
    return matched


def _forget(compiled: _Compiled) -> None:
    """Delete the session's state (after a failure: an event no rule consumed must not meet the next ones)."""
    import durable_rules_engine as native
    with contextlib.suppress(Exception):  # durable raises when there is no state to delete; the failure is reported
        native.delete_state(compiled.handle, SESSION)


def _rule_name(message: str) -> str:
    """The rule of one action message, ``{"r_12":{"m":…}}`` → ``r_12``."""
    if message.startswith('{"'):
        return message[2:message.index('"', 2)]
    return next(iter(json.loads(message)))


def evaluate(version: CriteriaVersion, values: dict) -> dict[str, Outcome]:
    """Outcome of every component according to durable-rules, keyed ``"TC07/immunisation"``."""
    with _LOCK:
        compiled = _compile(version)
        events = _events_text(compiled, values)  # a missing value raises KeyError here, as it always did
        try:
            return _outcomes(compiled, _post(compiled, events))
        except BaseException as exc:  # an interrupt too: whatever is left in the session must go
            _forget(compiled)
            if isinstance(exc, Exception) and not isinstance(exc, RulesEngineError):
                raise RulesEngineError(f"durable-rules failed: {type(exc).__name__}: {exc}") from exc
            raise


def _outcomes(compiled: _Compiled, names: list[str]) -> dict[str, Outcome]:
    """Each component's outcome from the rules matched; RulesEngineError unless each matched exactly one."""
    meaning = compiled.meaning
    found = dict([meaning[name] for name in names if name in meaning])
    if len(found) == len(names) == len(compiled.keys):  # every rule known, each component once: the usual case
        return {key: found[key] for key in compiled.keys}
    matched: dict[str, list[Outcome]] = {}
    for name in names:
        if name not in meaning:
            raise RulesEngineError(f"durable-rules fired an unknown rule {name!r}")
        key, outcome = meaning[name]
        matched.setdefault(key, []).append(outcome)
    for key in compiled.keys:
        got = matched.get(key, ())
        if len(got) != 1:
            raise RulesEngineError(f"{key}: durable-rules matched {len(got)} rules, expected exactly one")
    raise RulesEngineError(f"durable-rules matched {len(names)} rules for {len(compiled.keys)} components")


def session_state(version: CriteriaVersion, sid: str) -> dict:
    """durable's stored state of one session (``{"sid": ..., "$s": 1}`` when none is left); for tests."""
    with _LOCK:
        name = _compile(version).name
        try:
            return _host().get_state(name, sid)
        except Exception as exc:  # durable raises "could not get state" (309) for a deleted session
            if "309" in str(exc):
                return {"sid": sid, "$s": 1}
            raise
