"""Benchmark of the scoring engine: durable-rules against the exact reference evaluator, in one run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/engine_bench.py --help`` for the options).

1. Generates N (10,000) valid synthetic assessments from a seeded ``random.Random``, built from the criteria
   version itself so that every outcome of every component (each band, ``empty``, ``yes``/``no``) is hit, many
   values on a band edge exactly; every assessment passes ``engine.assessment.check_values``.
2. Times each assessment through ``engine.evaluate.evaluate`` (the reference, the baseline) and through
   ``engine.rules.evaluate`` (durable-rules), interleaved; prints median and p95 per assessment and the ratio
   engine / reference; counts every durable result that differs from the reference (must be 0). Prints RSS
   (VmRSS) before and after that run, the growth, and the minor page faults per assessment.
3. Times durable-rules again in a fresh interpreter that holds nothing else (``--fresh N``): a small process can
   be much slower than this big one (README, "Two speeds").
4. Times full scoring (``engine.scoring.score``, with gap analysis) on a subset (every 10th assessment),
   interleaved with the exact evaluator alone on the same assessment (its floor): the ratio of the medians,
   score / evaluator, must be at most 5 (issue #15). Also interleaved: both evaluators compared
   (``engine.scoring.outcomes``, the part of every score that decides the outcomes), so the report splits the
   ratio into theirs and what score adds to them.
5. Runs 8 threads at once over the same list (each a 2,000-assessment share, overlapping) through
   ``engine.rules.evaluate`` (and ``engine.scoring.score`` for the share's scored-subset items) and checks that
   every result is identical to the single-threaded one, and that no thread raised.
6. Prints the targets with PASS/FAIL. Exit status: 0 when results are correct (a missed speed or memory target
   is a measurement, not a failure); 1 when results mismatch or a thread failed; 2 when the run cannot start.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import gc
import hashlib
import json
import math
import os
import platform
import random
import statistics
import sys
import threading
import time
from array import array
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from engine import evaluate as reference
from engine.assessment import check_values, parse_assessment
from engine.loader import Registry
from engine.models import HIGHER_IS_BETTER, Count, CriteriaVersion, Percentage, Rate, YesNo

TARGET_MEDIAN_MS = 0.5
TARGET_RSS_GROWTH_MB = 10.0
TARGET_SCORE_RATIO = 5.0  # score (durable-rules, check, points, gap analysis) / the exact evaluator alone
COUNT_OPEN_TOP = 40  # a count band without max: values up to its lower edge + this


# --------------------------------------------------------------------------------------------------- helpers


def log(text: str = "", end: str = "\n") -> None:
    """Progress goes to stderr, so stdout holds only the report."""
    print(text, end=end, file=sys.stderr, flush=True)


class Progress:
    """``label: 1000 2000 … done (1.2 s)`` on stderr, one counter every ``every`` items."""

    def __init__(self, label: str, total: int, every: int = 1000):
        self.total, self.every, self.start = total, every, time.perf_counter()
        log(f"  {label} ({total}):", end="")

    def tick(self, done: int) -> None:
        if done % self.every == 0 or done == self.total:
            log(f" {done}", end="")

    def close(self) -> None:
        log(f" done ({time.perf_counter() - self.start:.1f} s)")


def rss_mb() -> float:
    """Resident set size now, in MB (VmRSS; falls back to the peak from ``resource`` off Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def minor_faults() -> int:
    """Minor page faults of the process so far (memory handed back to the OS and touched again); 0 off Unix."""
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    busy = " (BUSY machine: timings are inflated, compare the ratios)" if one > (os.cpu_count() or 1) else ""
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min){busy}"


def summary(ns: array) -> dict[str, float]:
    """Median, p95 (nearest rank), mean and max of nanosecond timings, in ms."""
    ordered = sorted(ns)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": statistics.median(ordered) / 1e6,
        "p95_ms": p95 / 1e6,
        "mean_ms": sum(ordered) / len(ordered) / 1e6,
        "max_ms": ordered[-1] / 1e6,
        "total_s": sum(ordered) / 1e9,
    }


def timing_line(label: str, s: dict[str, float]) -> str:
    return (
        f"  {label:<26} median {s['median_ms']:7.3f} ms   p95 {s['p95_ms']:7.3f} ms   "
        f"mean {s['mean_ms']:7.3f} ms   max {s['max_ms']:7.2f} ms   total {s['total_s']:6.2f} s"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def digest(obj) -> str:
    """A stable fingerprint of a result (dicts are built in a fixed order)."""
    return hashlib.sha256(repr(obj).encode()).hexdigest()


# ------------------------------------------------------------------------------------------------ generator


def components(version: CriteriaVersion) -> list[tuple[str, object]]:
    return [(f"{c.code}/{k.id}", k) for c in version.criteria for k in c.components]


def possible_outcomes(comp) -> list[str]:
    if isinstance(comp, YesNo):
        return ["yes", "no"]
    bands = [f"band:{i}" for i in range(len(comp.bands))]
    return ["empty", *bands] if isinstance(comp, Percentage | Rate) else bands


def integer_range(kind: str, band, factor: Fraction, cap: int) -> tuple[int, int] | None:
    """The integers x in [0, cap] whose value x * factor lies in ``band``; None when there is none."""
    lo = None if band.min is None else Fraction(band.min) / factor
    hi = None if band.max is None else Fraction(band.max) / factor
    if kind in HIGHER_IS_BETTER:  # min <= v < max
        first = 0 if lo is None else math.ceil(lo)
        last = cap if hi is None else math.ceil(hi) - 1
    else:  # min < v <= max
        first = 0 if lo is None else math.floor(lo) + 1
        last = cap if hi is None else math.floor(hi)
    first, last = max(first, 0), min(last, cap)
    return (first, last) if first <= last else None


def pick(rng: random.Random, span: tuple[int, int]) -> int:
    """An integer of the span; its edges (often a band edge exactly) are chosen half the time."""
    first, last = span
    roll = rng.random()
    if roll < 0.25:
        return first
    if roll < 0.5:
        return last
    return rng.randint(first, last)


def a_denominator(rng: random.Random) -> int:
    """Commune-sized populations, often round (100, 250, 1000…) so percentages land on band edges exactly."""
    style = rng.random()
    if style < 0.15:
        return rng.randint(1, 20)
    if style < 0.45:
        return rng.choice((50, 100, 200, 250, 400, 500, 1000, 2000, 2500, 5000))
    if style < 0.8:
        return rng.randint(20, 600)
    return rng.randint(600, 6000)


def fill_ratio(rng: random.Random, comp, values: dict, target: str) -> None:
    """Set numerator and denominator (cases and population) of a percentage or rate for ``target``."""
    if isinstance(comp, Percentage):
        top, bottom, scale = comp.numerator, comp.denominator, 100
    else:
        top, bottom, scale = comp.cases, comp.population, comp.per
    if top in values and bottom in values:
        return
    if top in values:  # numerator shared with an earlier component: any denominator at or above it
        values[bottom] = values[top] + rng.choice((0, 1, 5, 50, 500))
        return
    den = values.get(bottom)
    for _ in range(20):
        if den is None:
            d = 0 if target == "empty" else a_denominator(rng)
        else:
            d = den
        if d == 0:
            if target == "empty" or den is not None:
                values[bottom], values[top] = 0, 0
                return
            continue
        spans = {
            f"band:{i}": integer_range(comp.kind, band, Fraction(scale, d), d) for i, band in enumerate(comp.bands)
        }
        if spans.get(target) is None:
            if den is None:
                continue  # try another denominator
            target = rng.choice([k for k, v in spans.items() if v is not None])
        values[bottom], values[top] = d, pick(rng, spans[target])
        return
    values.setdefault(bottom, 0)
    values[top] = 0


def fill_value(rng: random.Random, comp, values: dict, target: str) -> None:
    """Set the value of a count or survey component for ``target`` (band index)."""
    band = comp.bands[int(target.split(":")[1])]
    if isinstance(comp, Count):
        code = comp.count
        floor_ = 0 if band.min is None else math.floor(band.min) + 1
        span = integer_range(comp.kind, band, Fraction(1), floor_ + COUNT_OPEN_TOP)
        if code not in values and span is not None:
            values[code] = pick(rng, span)
        return
    code = comp.score  # surveys: hundredths of a point, 0..100
    span = integer_range(comp.kind, band, Fraction(1, 100), 10000)
    if code not in values and span is not None:
        values[code] = Decimal(pick(rng, span)).scaleb(-2)


def generate(version: CriteriaVersion, count: int, seed: int) -> tuple[list[dict], list[dict]]:
    """``count`` valid assessments: (assessment files as plain data, their typed values)."""
    rng = random.Random(seed)
    comps = components(version)
    outcomes = {key: possible_outcomes(comp) for key, comp in comps}
    categories = [c.id for c in version.categories]
    types = {code: ind.type for code, ind in version.indicator_map().items()}
    data, typed = [], []
    progress = Progress("generate + validate", count)
    for n in range(count):
        raw: dict = {}
        for key, comp in comps:
            target = rng.choice(outcomes[key])
            if isinstance(comp, YesNo):
                raw.setdefault(comp.indicator, target == "yes")
            elif isinstance(comp, Percentage | Rate):
                fill_ratio(rng, comp, raw, target)
            else:
                fill_value(rng, comp, raw, target)
        for code, kind in types.items():  # indicators no component reads (none in qd06-2019)
            if code not in raw:
                raw[code] = {"yes_no": rng.random() < 0.5, "count": rng.randint(0, 500)}.get(
                    kind, Decimal(rng.randint(0, 10000)).scaleb(-2)
                )
        raw = {code: raw[code] for code in types}  # the template's order
        typed.append(check_values(version, raw))  # raises on any invalid value: the generator is wrong
        data.append(
            {
                "commune": {"code": f"{10000 + n}", "name": f"Xã thử {n}", "category": rng.choice(categories)},
                "year": 2024,
                "criteria_version": version.id,
                "indicators": raw,
            }
        )
        progress.tick(n + 1)
    progress.close()
    return data, typed


def on_edge(comp, values: dict) -> bool:
    """Whether the component's measured value sits exactly on one of its band edges."""
    if isinstance(comp, YesNo):
        return False
    value = reference.measured(comp, values)
    if value is None:
        return False
    return any(value == Fraction(b) for band in comp.bands for b in (band.min, band.max) if b is not None)


# ---------------------------------------------------------------------------------------------------- run


def run(args) -> int:
    faulthandler.enable()  # a crash inside the native engine prints a traceback instead of dying silently
    if os.environ.get("CFC_ENGINE", "durable").strip().lower() not in ("", "durable"):
        log(f"note: CFC_ENGINE={os.environ['CFC_ENGINE']!r} ignored: this benchmark measures durable-rules")

    from engine import rules

    problem = rules.import_error()
    if problem:
        print(f"cannot benchmark: {problem}")
        return 2
    from engine import scoring

    version = Registry.load().get(args.version)
    comps = components(version)
    report: dict = {"n": args.n, "seed": args.seed, "version": version.id}

    print("Engine benchmark: durable-rules (engine.rules) vs the exact reference evaluator (engine.evaluate)")
    print(
        f"  python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; durable-rules "
        f"{_durable_version()}; criteria {version.id} ({len(version.criteria)} criteria, {len(comps)} components, "
        f"fingerprint {rules.fingerprint(version)})"
    )
    print(f"  {args.n} assessments, seed {args.seed}; {load()}")
    log(f"engine_bench: {args.n} assessments, seed {args.seed}")

    # 1. data -----------------------------------------------------------------------------------------
    data, typed = generate(version, args.n, args.seed)
    expected = [reference.evaluate(version, values) for values in typed]
    hits: dict[str, dict[str, int]] = {key: dict.fromkeys(possible_outcomes(c), 0) for key, c in comps}
    edges = 0
    for values, result in zip(typed, expected, strict=True):
        for key, comp in comps:
            hits[key][str(result[key])] += 1
            edges += on_edge(comp, values)
    missing = [f"{key} {o}" for key, seen in hits.items() for o, c in seen.items() if c == 0]
    total_outcomes = sum(len(seen) for seen in hits.values())
    rarest = min(((c, f"{key} {o}") for key, seen in hits.items() for o, c in seen.items()))
    print("\nData")
    print(
        f"  outcomes hit: {total_outcomes - len(missing)}/{total_outcomes} (every band, empty, yes/no of every "
        f"component); rarest: {rarest[1]} x{rarest[0]}"
    )
    print(f"  component values exactly on a band edge: {edges} of {args.n * len(comps)}")
    if missing:
        print(f"  NOT HIT: {', '.join(missing)}")

    # 2. both evaluators, interleaved, with RSS before and after ----------------------------------------
    # Each assessment goes through the reference and then durable-rules (the other order every second one),
    # so both see the same machine state: on a shared or throttled machine the ratio stays meaningful.
    print("\nPer assessment (one assessment = all components of the version)")
    t0 = time.perf_counter()
    rules.evaluate(version, typed[0])  # compiles and registers the ruleset (once per process)
    first_ms = (time.perf_counter() - t0) * 1000
    for values in typed[:200]:  # warm-up, untimed
        reference.evaluate(version, values)
        rules.evaluate(version, values)
    ref_ns, durable_ns = array("q", bytes(8 * args.n)), array("q", bytes(8 * args.n))
    wrong: dict[int, object] = {}  # index → durable's result (or error) where it differs from the reference
    perf, ref_eval, rules_eval = time.perf_counter_ns, reference.evaluate, rules.evaluate
    gc.collect()
    rss_before, faults_before = rss_mb(), minor_faults()
    progress = Progress("reference + durable-rules", args.n)
    for i, values in enumerate(typed):
        if i % 2:
            t0 = perf()
            ref_result = ref_eval(version, values)
            t1 = perf()
        t2 = perf()
        try:
            got = rules_eval(version, values)
        except Exception as exc:  # a RulesEngineError is a wrong result too
            got = f"{type(exc).__name__}: {exc}"
        t3 = perf()
        if not i % 2:
            t0 = perf()
            ref_result = ref_eval(version, values)
            t1 = perf()
        ref_ns[i], durable_ns[i] = t1 - t0, t3 - t2
        if got != expected[i] or ref_result != expected[i]:
            wrong[i] = got
        progress.tick(i + 1)
    progress.close()
    gc.collect()
    rss_after, faults = rss_mb(), minor_faults() - faults_before

    ref_s, dur_s = summary(ref_ns), summary(durable_ns)
    print(timing_line("reference (baseline)", ref_s))
    print(timing_line("durable-rules engine", dur_s))
    print(
        f"  ratio engine/reference: median x{dur_s['median_ms'] / ref_s['median_ms']:.1f}, "
        f"p95 x{dur_s['p95_ms'] / ref_s['p95_ms']:.1f}, total x{dur_s['total_s'] / ref_s['total_s']:.1f}"
    )
    print(f"  first durable call (compiles and registers the ruleset): {first_ms:.1f} ms, not in the timings")
    print(f"  mismatches durable vs reference: {len(wrong)} of {args.n}")
    for i, got in list(wrong.items())[:5]:
        diff = {k: (got.get(k) if isinstance(got, dict) else got, v) for k, v in expected[i].items()
                if not isinstance(got, dict) or got.get(k) != v}
        print(f"    #{i}: (durable, reference) {diff}")
    growth = rss_after - rss_before
    print(f"  RSS before {rss_before:.1f} MB, after {rss_after:.1f} MB: growth {growth:+.2f} MB over {args.n} "
          "durable evaluations")
    print(f"  minor page faults during the run: {faults} ({faults / args.n:.1f} per assessment; near 0 is normal, "
          "~200 means freed engine memory is returned to the OS and faulted back every call: see README)")
    report.update(reference=ref_s, durable=dur_s, first_call_ms=first_ms, mismatches=len(wrong),
                  rss_before_mb=rss_before, rss_after_mb=rss_after, rss_growth_mb=growth, page_faults=faults)

    # 3. the same in a fresh, small interpreter ---------------------------------------------------------
    # durable allocates ~1 MB per session and the engine frees it after every call: whether glibc hands that
    # memory back to the OS (and faults it in again on the next call) depends on the heap's layout, so a small
    # process (a CLI call, a web worker) can be much slower than this big one. A second sample shows it.
    fresh = fresh_process(args) if args.fresh > 0 else None
    if fresh is None:
        print("  fresh interpreter: " + ("skipped (--fresh 0)" if args.fresh <= 0 else "could not run (see stderr)"))
    else:
        slow = " — SLOW MODE: memory returned to the OS and faulted back every call" if fresh["faults"] > 50 else ""
        print(
            f"  fresh interpreter ({fresh['n']} assessments, nothing else loaded): durable median "
            f"{fresh['durable_ms']:.3f} ms, reference {fresh['reference_ms']:.3f} ms, ratio "
            f"x{fresh['durable_ms'] / fresh['reference_ms']:.1f}; {fresh['faults']:.1f} page faults per assessment; "
            f"mismatches {fresh['mismatches']}{slow}"
        )
    report["fresh_process"] = fresh

    # 4. full scoring on a subset ---------------------------------------------------------------------
    step = max(1, args.n // args.scored)
    subset = list(range(0, args.n, step))[: args.scored]
    print(f"\nFull scoring (engine.scoring.score: both evaluators, points, recognition, gap analysis) on "
          f"{len(subset)} assessments (every {step}th)")
    parse_ns, score_ns = array("q", bytes(8 * len(subset))), array("q", bytes(8 * len(subset)))
    floor_ns = array("q", bytes(8 * len(subset)))  # the exact evaluator alone on the same assessment
    both_ns = array("q", bytes(8 * len(subset)))  # both evaluators, compared (engine.scoring.outcomes): no results
    scored: dict[int, str] = {}  # index → digest of the single-threaded ScoreResult
    score_errors: dict[int, str] = {}
    for i in subset[:50]:  # warm-up, untimed
        with contextlib.suppress(Exception):  # errors are counted below
            scoring.score(version, parse_assessment(data[i], version))
    gc.collect()
    score_rss = rss_mb()
    progress = Progress("parse + score", len(subset))
    for j, i in enumerate(subset):
        t0 = perf()
        assessment = parse_assessment(data[i], version)
        parse_ns[j] = perf() - t0
        if j % 2:
            f0 = perf()
            ref_eval(version, assessment.values)
            floor_ns[j] = perf() - f0
        else:
            b0 = perf()
            with contextlib.suppress(Exception):  # a mismatch is counted by score below
                scoring.outcomes(version, assessment.values)
            both_ns[j] = perf() - b0
        t1 = perf()
        try:
            result = scoring.score(version, assessment)
        except Exception as exc:  # EngineMismatch included
            score_errors[i] = f"{type(exc).__name__}: {exc}"
            result = None
        t2 = perf()
        if not j % 2:
            f0 = perf()
            ref_eval(version, assessment.values)
            floor_ns[j] = perf() - f0
        else:
            b0 = perf()
            with contextlib.suppress(Exception):
                scoring.outcomes(version, assessment.values)
            both_ns[j] = perf() - b0
        score_ns[j] = t2 - t1
        if result is not None:
            scored[i] = digest(result.to_dict())
        progress.tick(j + 1)
    progress.close()
    parse_s, score_s, floor_s = summary(parse_ns), summary(score_ns), summary(floor_ns)
    both_s = summary(both_ns)
    score_ratio = score_s["median_ms"] / floor_s["median_ms"]
    both_ratio = both_s["median_ms"] / floor_s["median_ms"]
    print(timing_line("parse_assessment", parse_s))
    print(timing_line("score (incl. gap analysis)", score_s))
    print(timing_line("both evaluators, compared", both_s))
    print(timing_line("exact evaluator (floor)", floor_s))
    print(f"  ratio score/evaluator (interleaved, medians): x{score_ratio:.1f} (floor x1.0, target "
          f"<= x{TARGET_SCORE_RATIO:g}): {verdict(score_ratio <= TARGET_SCORE_RATIO)}")
    print(f"  of which: the evaluator and durable-rules, compared (engine.scoring.outcomes, which every score "
          f"runs) x{both_ratio:.1f}; what score adds to them (points, explanations, recognition conditions, gaps, "
          f"the plan) x{score_ratio - both_ratio:.1f} (difference of the medians)")
    gc.collect()
    score_growth = rss_mb() - score_rss
    print(f"  RSS growth over {len(subset)} scores: {score_growth:+.2f} MB (what scoring keeps of results already "
          "made: engine.tables.KEEP per component or criterion)")
    print(f"  scoring errors (EngineMismatch or other): {len(score_errors)}")
    for i, err in list(score_errors.items())[:5]:
        print(f"    #{i}: {err[:300]}")
    report.update(parse=parse_s, score=score_s, score_floor=floor_s, score_ratio=score_ratio, both=both_s,
                  both_ratio=both_ratio,
                  score_errors=len(score_errors), score_rss_growth_mb=score_growth)

    # 5. threads ------------------------------------------------------------------------------------
    thread_ok, thread_report = threads(args, version, typed, data, expected, wrong, scored, score_errors)
    report["threads"] = thread_report

    # 6. targets ------------------------------------------------------------------------------------
    correct = not wrong and not score_errors and not missing and not (fresh and fresh["mismatches"])
    print("\nTargets")
    rows = [
        (f"engine median <= {TARGET_MEDIAN_MS} ms per assessment", f"{dur_s['median_ms']:.3f} ms",
         dur_s["median_ms"] <= TARGET_MEDIAN_MS),
        (f"  the same in a fresh interpreter ({args.fresh} assessments)",
         f"{fresh['durable_ms']:.3f} ms" if fresh else "not run",
         fresh is not None and fresh["durable_ms"] <= TARGET_MEDIAN_MS),
        (f"score / exact evaluator <= x{TARGET_SCORE_RATIO:g} (medians, interleaved)", f"x{score_ratio:.1f}",
         score_ratio <= TARGET_SCORE_RATIO),
        (f"RSS growth < {TARGET_RSS_GROWTH_MB:g} MB over {args.n} evaluations", f"{growth:+.2f} MB",
         growth < TARGET_RSS_GROWTH_MB),
        ("0 mismatches (durable vs reference, and scoring)", f"{len(wrong) + len(score_errors)}", correct),
        (f"{args.threads} threads identical to single-threaded, no exception", thread_report["summary"], thread_ok),
    ]
    for label, value, ok in rows:
        print(f"  {label:<58} {value:>16}  {verdict(ok)}")
    status = 0 if correct and thread_ok else 1
    speed = "" if all(ok for _, _, ok in rows[:4]) else " (a missed speed/memory target is a measurement: exit 0)"
    print(f"\nResult: {'correct' if status == 0 else 'INCORRECT'}; exit status {status}{speed}")
    report["exit_status"] = status
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"  report written to {args.json}")
    return status


def threads(args, version, typed, data, expected, wrong, scored, score_errors) -> tuple[bool, dict]:
    """N threads at once over the same list; every result must equal the single-threaded one."""
    from engine import rules, scoring

    n = len(typed)
    stride = max(1, n // args.threads)
    shares = [[(t * stride + j) % n for j in range(args.per_thread)] for t in range(args.threads)]
    single = {i: wrong.get(i, expected[i]) for i in range(n)}  # single-threaded durable results
    print(
        f"\nThreads: {args.threads} threads at once, {args.per_thread} assessments each (overlapping shares of "
        f"the same list) through engine.rules.evaluate, plus engine.scoring.score for the share's items in the "
        f"scored subset"
    )
    failures: list[str] = []
    differ = [0] * args.threads  # per thread: each thread writes only its own slot
    done = [0] * args.threads
    calls = [0] * args.threads
    barrier = threading.Barrier(args.threads + 1)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in shares[t]:
                got = rules.evaluate(version, typed[i])
                calls[t] += 1
                if got != single[i]:
                    differ[t] += 1
                if i in scored or i in score_errors:
                    try:
                        result = digest(scoring.score(version, parse_assessment(data[i], version)).to_dict())
                    except Exception as exc:
                        result = f"{type(exc).__name__}: {exc}"
                    calls[t] += 1
                    if result != scored.get(i, score_errors.get(i)):
                        differ[t] += 1
                done[t] += 1
        except BaseException as exc:
            failures.append(f"thread {t}: {type(exc).__name__}: {exc}")

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)  # switch threads every 0.1 ms (default 5 ms): more interleavings
    workers = [threading.Thread(target=work, args=(t,), name=f"bench-{t}") for t in range(args.threads)]
    for w in workers:
        w.start()
    total = args.threads * args.per_thread
    progress = Progress(f"{args.threads} threads", total)
    start = time.perf_counter()
    barrier.wait()
    shown = 0
    while any(w.is_alive() for w in workers):
        workers[0].join(0.2)
        now = sum(done)
        while shown + 1000 <= now:
            shown += 1000
            progress.tick(shown)
    wall = time.perf_counter() - start
    if shown < sum(done):
        progress.tick(sum(done))
    progress.close()
    sys.setswitchinterval(switch)

    differences = sum(differ)
    evaluated = sum(calls)
    ok = not failures and differences == 0 and sum(done) == total
    print(
        f"  {evaluated} calls ({total} evaluations + {evaluated - total} full scorings) in {wall:.2f} s wall "
        f"({total / wall:.0f} assessments/s); exceptions: {len(failures)}; results differing from "
        f"single-threaded: {differences}"
    )
    for failure in failures[:5]:
        print(f"    {failure}")
    print(f"  threads: {'identical results, no exception' if ok else 'FAILED'}")
    summary_text = "identical" if ok else f"{differences} diff, {len(failures)} exc"
    return ok, {"wall_s": wall, "calls": evaluated, "exceptions": len(failures), "differences": differences,
                "summary": summary_text}


def _durable_version() -> str:
    try:
        from importlib.metadata import version

        return version("durable-rules")
    except Exception:
        return "?"


def fresh_process(args) -> dict | None:
    """Run ``--probe`` in a new interpreter; its one JSON line, or None when it failed."""
    import subprocess

    command = [sys.executable, __file__, "--probe", "-n", str(args.fresh), "--seed", str(args.seed + 1),
               "--version", args.version]
    log(f"  fresh interpreter ({args.fresh}): ", end="")
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"failed: {exc}")
        return None
    log(f"done ({time.perf_counter() - started:.1f} s)")
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        log(f"failed (exit {done.returncode}): {done.stderr[-2000:]}")
        return None


def probe(args) -> int:
    """``--probe``: time engine.rules.evaluate in this fresh interpreter; print one JSON line."""
    from engine import rules

    version = Registry.load().get(args.version)
    _, typed = generate(version, args.n, args.seed)
    expected = [reference.evaluate(version, values) for values in typed]
    for values in typed[:100]:
        rules.evaluate(version, values)
        reference.evaluate(version, values)
    durable_ns, ref_ns = array("q", bytes(8 * args.n)), array("q", bytes(8 * args.n))
    mismatches, perf, faults = 0, time.perf_counter_ns, minor_faults()
    for i, values in enumerate(typed):
        t0 = perf()
        got = rules.evaluate(version, values)
        t1 = perf()
        reference.evaluate(version, values)
        durable_ns[i], ref_ns[i] = t1 - t0, perf() - t1
        mismatches += got != expected[i]
    faults = (minor_faults() - faults) / args.n
    print(json.dumps({"n": args.n, "durable_ms": summary(durable_ns)["median_ms"],
                      "reference_ms": summary(ref_ns)["median_ms"], "faults": faults, "mismatches": mismatches}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="assessments to generate (default 10000)")
    parser.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    parser.add_argument("--scored", type=int, default=1_000, help="assessments fully scored (default 1000)")
    parser.add_argument("--threads", type=int, default=8, help="threads in the concurrency check (default 8)")
    parser.add_argument("--per-thread", type=int, default=2_000, help="assessments per thread (default 2000)")
    parser.add_argument("--version", default="qd06-2019", help="criteria version (default qd06-2019)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON (e.g. benchmarks/results/…)")
    parser.add_argument("--fresh", type=int, default=1_500, metavar="N",
                        help="assessments timed again in a fresh interpreter (default 1500; 0: skip)")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)  # the fresh interpreter's mode
    args = parser.parse_args(argv)
    if args.probe:
        return probe(args)
    if args.n < 1 or args.scored < 1 or args.threads < 1 or args.per_thread < 1:
        parser.error("counts must be at least 1")
    started = time.perf_counter()
    status = run(args)
    print(f"  whole run: {time.perf_counter() - started:.1f} s; {load()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
