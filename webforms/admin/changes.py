"""The changed lines between two criteria files (``difflib``): only what differs, each run of changes under the
criterion it belongs to, ready to be shown as a table that wraps (no line wider than the page)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_CRITERION = re.compile(r"^\s*-\s*code:\s*(TC\d\d)\b")


@dataclass(frozen=True)
class Line:
    number: int | None  # 1-based, in its own file
    text: str


@dataclass(frozen=True)
class Hunk:
    where: str  # the criterion the lines belong to (``TC07``), or "" before the first criterion
    removed: list[Line]
    added: list[Line]


def hunks(left: list[str], right: list[str]) -> list[Hunk]:
    """The runs of changed lines from ``left`` to ``right``; empty when the texts are identical."""
    out = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        out.append(Hunk(_criterion_at(left, i1) or _criterion_at(right, j1),
                        [Line(i + 1, left[i]) for i in range(i1, i2)],
                        [Line(j + 1, right[j]) for j in range(j1, j2)]))
    return out


def _criterion_at(lines: list[str], index: int) -> str:
    for line in reversed(lines[:index + 1] if index < len(lines) else lines):
        found = _CRITERION.match(line)
        if found:
            return found.group(1)
    return ""
