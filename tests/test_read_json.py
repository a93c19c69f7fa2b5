"""The database's JSON columns are read back by ``dossiers.db.read_json`` (orjson, json for what orjson refuses):
whatever the application stores reads back exactly as json would read it, types included."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dossiers.db import read_json
from engine.assessment import parse_assessment
from engine.loader import Registry
from engine.scoring import score


def same(a, b) -> bool:
    """Equal, with the same types all the way down (1 and 1.0 differ; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@pytest.fixture(scope="module")
def stored_scores() -> list[dict]:
    """Scores as the application stores them: the example's, and those of every third frozen assessment (every
    band of every component; tests/test_score_frozen.py)."""
    version = Registry.load().get("qd06-2019")
    example = Path(__file__).resolve().parents[1] / "criteria" / "examples" / "qd06-2019.yaml"
    out = [score(version, parse_assessment(YAML(typ="safe").load(example.read_text(encoding="utf-8")),
                                           version)).to_dict()]
    frozen = json.loads((Path(__file__).parent / "data" / "scores-qd06-2019.json").read_text(encoding="utf-8"))
    for row in frozen["rows"][::3]:
        data = {"commune": {"code": "10001", "name": "Xã thử", "category": row["category"]}, "year": 2024,
                "criteria_version": frozen["version"], "indicators": dict(zip(frozen["codes"], row["values"],
                                                                              strict=True))}
        out.append(score(version, parse_assessment(data, version), "python").to_dict())
    return out


def test_stored_scores_read_back_as_json_reads_them(stored_scores):
    assert len(stored_scores) > 300
    for stored in stored_scores:
        text = json.dumps(stored)  # what SQLAlchemy's JSON type writes
        assert same(read_json(text), json.loads(text))
        assert same(read_json(text.encode()), json.loads(text))  # a driver may hand bytes


@pytest.mark.parametrize("text", [
    '{"roles": ["commune_officer"], "value": "1.234", "n": 10000000, "x": 0.1, "neg": -0.0}',
    '[true, false, null, "Xã Đắk Tô — ạ ễ ữ", 1.5e-07, 18446744073709551615]',  # the largest integer orjson reads exactly (2**64 - 1)
    '{"a": NaN, "b": Infinity, "c": -Infinity}',  # json writes these for float nan/inf: orjson refuses, json reads
    '"\\ud800"',  # a lone surrogate
    '{"a": 1, "a": 2}',
])
def test_documents_read_as_json_reads_them(text):
    assert same(read_json(text), json.loads(text))


def test_invalid_json_is_json_error():
    with pytest.raises(json.JSONDecodeError, match="line 1 column 2"):
        read_json("{bad")
