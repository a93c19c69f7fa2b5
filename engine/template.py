"""Assessment files as text: a blank template of a criteria version, and the worked example beside the criteria.

The example (``criteria/examples/<version>.yaml``) is a commune that meets every condition; ``cfc template
--example``, the demo and the acceptance baseline read it from there.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from .assessment import read_assessment_file
from .errors import CfcError
from .models import CriteriaVersion

BLANK_HEADER = {"code": "", "name": "", "category": "other", "year": None, "assessed_on": None}


def examples_directory() -> Path:
    from criteria import DIRECTORY

    return DIRECTORY / "examples"


def load_example(version_id: str, directory: Path | None = None) -> tuple[dict, dict]:
    """(header, indicator values) of the example assessment of ``version_id``."""
    path = (directory or examples_directory()) / f"{version_id}.yaml"
    if not path.exists():
        raise CfcError(f"no example for {version_id}: {path} does not exist")
    data = read_assessment_file(path)
    commune = data.get("commune") or {}
    header = {"code": str(commune.get("code", "")), "name": commune.get("name", ""),
              "category": commune.get("category", "other"), "year": data.get("year"),
              "assessed_on": data.get("assessed_on")}
    return header, dict(data.get("indicators") or {})


def example_values(version_id: str = "qd06-2019") -> dict:
    """The example's indicator values (code → value)."""
    return load_example(version_id)[1]


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def template(version: CriteriaVersion, example: dict | None = None, header: dict | None = None) -> str:
    """A blank (or filled) assessment file: every indicator, with its label as a comment."""
    header = header or BLANK_HEADER
    cats = " | ".join(c.id for c in version.categories)
    out = [f"# Bản tự đánh giá theo bộ tiêu chí {version.id}: {version.title}"]
    if version.provisional:
        out.append(f"# LƯU Ý: {version.id} là bộ tiêu chí TẠM THỜI; điểm số chỉ để tham khảo.")
    out.append("# Giá trị có/không: true/false; số trẻ em, số vụ: số nguyên; điểm khảo sát: 0–100.")
    out.append(
        f"commune: {{code: {_yaml_str(header['code'])}, name: {_yaml_str(header['name'])}, "
        f"category: {header['category']}}}  # category: {cats}"
    )
    out.append(f"year: {header['year'] if header['year'] else 'null'}")
    out.append(f"criteria_version: {version.id}")
    out.append(f"assessed_on: {header['assessed_on'] or 'null'}")
    out.append("indicators:")
    for crit in version.criteria:
        out.append(f"  # {crit.code} — {crit.title} (tối đa {crit.max_points} điểm)")
        for ind in crit.indicators:
            value = "null" if example is None else _scalar(example[ind.code])
            out.append(f"  {ind.code}: {value}  # {ind.label}")
    return unicodedata.normalize("NFC", "\n".join(out) + "\n")


def example_header(version_id: str = "qd06-2019") -> dict:
    """The example's commune header (code, name, category, year, assessed_on)."""
    return load_example(version_id)[0]
