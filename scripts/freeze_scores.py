"""Freeze the scores of a fixed population as test data: ``tests/data/scores-qd06-2019.json``.

The population is every scored acceptance case of ``criteria/tests`` and 1,000 synthetic assessments of
``benchmarks/engine_bench.py``'s seeded generator (every band of every component, many values exactly on a band
edge), the categories in turn. Each is scored in both engine modes; the file keeps the inputs, a digest of the
python mode's whole result and, for the durable mode, a digest of each part of ``ScoreResult.to_dict()``
(criteria, failed conditions, gaps, plan, the rest), so ``tests/test_score_frozen.py`` proves that a change to
the scoring code gives the same results, part by part. Regenerate only when results are *meant* to change (a
message reworded, a new criteria version, a new field):

    .venv/bin/python scripts/freeze_scores.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.assessment import parse_assessment  # noqa: E402
from engine.loader import Registry  # noqa: E402
from engine.scoring import score  # noqa: E402

VERSION = "qd06-2019"
GENERATED = 1000
SEED = 2019
OUTPUT = ROOT / "tests" / "data" / f"scores-{VERSION}.json"


PARTS = ("criteria", "failed_conditions", "gaps", "plan")  # each digested apart; "rest": every other field


def field_digests(result: dict) -> dict[str, str]:
    """A short SHA-256 of each part of a score's JSON form (the big fields apart, every other field together)."""
    parts = {key: result[key] for key in PARTS}
    parts["rest"] = {key: value for key, value in result.items() if key not in PARTS}
    return {key: hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
            for key, value in parts.items()}


def whole_digest(result: dict) -> str:
    return hashlib.sha256(json.dumps(result, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def plain(value):
    """An indicator value as JSON keeps it exactly: a Decimal as its text (read back by parse_assessment)."""
    return str(value) if isinstance(value, Decimal) else value


def population(version) -> list[tuple[str, str, dict]]:
    """(name, category, indicators) of every assessment to freeze."""
    from benchmarks.engine_bench import generate
    from tests.test_acceptance import load_cases

    cases, _ = load_cases()
    out = [(f"case: {c.name}", c.category, c.indicators) for c in cases if c.version == VERSION and not c.rejects]
    categories = [c.id for c in version.categories]
    data, _ = generate(version, GENERATED, SEED)
    for n, item in enumerate(data):
        out.append((f"generated {n}", categories[n % len(categories)], item["indicators"]))
    return out


def main() -> int:
    version = Registry.load().get(VERSION)
    codes = list(version.indicator_map())
    rows = []
    for name, category, indicators in population(version):
        values = [plain(indicators[code]) for code in codes]
        data = {"commune": {"code": "10001", "name": "Xã thử", "category": category}, "year": 2024,
                "criteria_version": VERSION, "indicators": dict(zip(codes, values, strict=True))}
        assessment = parse_assessment(data, version)
        if assessment.values != parse_assessment(json.loads(json.dumps(data)), version).values:
            raise SystemExit(f"{name}: the values do not survive JSON")
        rows.append({"name": name, "category": category, "values": values,
                     "durable": field_digests(score(version, assessment, "durable").to_dict()),
                     "python": whole_digest(score(version, assessment, "python").to_dict())})
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps({"version": VERSION, "codes": codes, "rows": rows}, ensure_ascii=False,
                                 separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(rows)} assessments frozen in {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
