"""A proposed criteria file (an edited copy, or another version), loaded and checked like any version under any
file name, for ``dossiers.impact``. Refused with every problem as file:line: field: message."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent

from engine.errors import CriteriaError, Problem
from engine.loader import parse_version, read_yaml
from engine.models import CriteriaVersion

MAX_PROPOSAL_BYTES = 2 * 1024 * 1024  # a criteria file is ~60 KB
MAX_FLOW_DEPTH = 32  # brackets inside brackets: the criteria nest a few levels; thousands cost the parser minutes


def _flow_depth(text: str) -> tuple[int, int]:
    """(the deepest nesting of [ and { outside quotes and comments, its line): a cheap look before the parser,
    whose time grows with the square of the nesting."""
    depth = deepest = line_of = 0
    for number, line in enumerate(text.splitlines(), 1):
        quote = None
        for char in line:
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if depth > deepest:
                    deepest, line_of = depth, number
            elif char in "]}":
                depth = max(0, depth - 1)
    return deepest, line_of


def load_proposal(path: Path | str) -> CriteriaVersion:
    """A proposed criteria file, checked like any version (CriteriaError naming file:line and field), under any
    file name. YAML anchors and aliases are refused: a criteria file has none, and they can make a small
    upload expand to gigabytes."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CriteriaError([Problem(str(path), 0, "file", exc.strerror or str(exc))]) from None
    if size > MAX_PROPOSAL_BYTES:
        raise CriteriaError([Problem(str(path), 0, "file", f"{size} bytes: a criteria file is at most "
                                                             f"{MAX_PROPOSAL_BYTES} bytes")])
    try:
        text = path.read_text(encoding="utf-8")
        deepest, line = _flow_depth(text)
        if deepest > MAX_FLOW_DEPTH:
            raise CriteriaError([Problem(str(path), line, "yaml", f"brackets nested {deepest} deep (at most "
                                                                  f"{MAX_FLOW_DEPTH})")])
        for event in YAML(typ="safe").parse(io.StringIO(text)):
            if isinstance(event, AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise CriteriaError([Problem(str(path), line, "yaml", "anchors and aliases (*name) are not allowed")])
    except (YAMLError, UnicodeDecodeError):
        pass  # read_yaml names the line of a syntax or encoding error
    except RecursionError:
        raise CriteriaError([Problem(str(path), 0, "yaml", "nested too deeply")]) from None
    try:
        return parse_version(path, read_yaml(path), named=False)
    except RecursionError:
        raise CriteriaError([Problem(str(path), 0, "yaml", "nested too deeply")]) from None
