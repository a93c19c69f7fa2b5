"""Load criteria versions from YAML, with every problem named by file, line and field.

ruamel.yaml keeps the line of every key; pydantic and ``engine.checks`` give the path of every problem; this
module joins the two. ``Registry`` holds the versions of a folder and picks the one in force on a date;
``fingerprint`` is a digest of a version's content (a score carries it, durable-rules names rulesets by it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .checks import check_parts, check_version
from .errors import CriteriaError, NoVersionInForce, Problem, UnknownVersion
from .models import CriteriaVersion

_FINGERPRINTS: dict[int, tuple[CriteriaVersion, str]] = {}  # id(version) → (version, fingerprint)


def default_directory() -> Path:
    """The criteria shipped with the package (a deployment names another folder in its settings)."""
    from criteria import DIRECTORY

    return DIRECTORY


def fingerprint(version: CriteriaVersion) -> str:
    """A digest of the version's content (16 hex digits); cached per object (versions are frozen)."""
    cached = _FINGERPRINTS.get(id(version))
    if cached is None or cached[0] is not version:
        if len(_FINGERPRINTS) > 64:  # a long-running process that reloads criteria keeps only recent ones
            _FINGERPRINTS.clear()
        digest = hashlib.sha256(version.model_dump_json().encode()).hexdigest()[:16]
        cached = _FINGERPRINTS[id(version)] = (version, digest)
    return cached[1]


def round_trip_yaml() -> YAML:
    """The one YAML configuration for criteria files: loading and dumping give back the same text."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def read_yaml(path: Path):
    """Round-trip load (keeps comments, quotes and lines). Raises CriteriaError on a YAML syntax error."""
    yaml = round_trip_yaml()
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise CriteriaError([Problem(str(path), line, "yaml", _one_line(exc.problem or str(exc)))]) from None
    except OSError as exc:
        raise CriteriaError([Problem(str(path), 0, "file", exc.strerror or str(exc))]) from None
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise CriteriaError([Problem(str(path), line, "file", f"not UTF-8 text (byte {exc.start})")]) from None
    except ValueError as exc:  # ruamel builds dates itself: 2019-02-30 raises here, without a position
        line, text = _bad_date(path)
        raise CriteriaError([Problem(str(path), line, "date", f"{text}: {exc}")]) from None


def _bad_date(path: Path) -> tuple[int, str]:
    """The first YYYY-MM-DD in the file that is not a real date, with its line."""
    import datetime as dt
    import re

    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        for match in re.finditer(r"\b\d{4}-\d{2}-\d{2}\b", line):
            try:
                dt.date.fromisoformat(match.group(0))
            except ValueError:
                return number, match.group(0)
    return 0, "a date"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _key(node, key):
    """The document's own key for ``key`` (pydantic reports a YAML key 5 as '5')."""
    if key in node:
        return key
    return next((k for k in node if str(k) == str(key)), key)


def line_of(data, path: Iterable) -> int:
    """1-based line of the deepest node of ``path`` that exists in the document (0 when unknown)."""
    node, line = data, 1
    for key in path:
        if isinstance(node, CommentedMap):
            key = _key(node, key)
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedMap):
            continue  # a pydantic union tag such as 'percentage': not in the document, skip it
        else:
            break
    return line


def _field(path: Iterable) -> str:
    parts: list[str] = []
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        else:
            parts.append(("." if parts else "") + str(key))
    return "".join(parts) or "(document)"


def _pydantic_problems(path: Path, data, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = _readable_loc(data, item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        problems.append(Problem(str(path), line_of(data, loc), _field(loc), message))
    return problems


def _readable_loc(data, loc) -> tuple:
    """Drop pydantic's internal tags (union kinds, validator names) that are not keys of the document."""
    out: list = []
    node = data
    for key in loc:
        if isinstance(node, CommentedMap) and _key(node, key) in node:
            out.append(str(key))  # a mapping key, even a number, is named as written
            node = node[_key(node, key)]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            out.append(key)
            node = node[key]
        elif isinstance(node, CommentedMap) and isinstance(key, str) and ("[" in key or key in _KINDS):
            continue
        else:
            out.append(key)
            node = None
    return tuple(out)


_KINDS = {"yes_no", "percentage", "rate", "count", "survey"}


def parse_version(path: Path, data, *, named: bool = True) -> CriteriaVersion:
    """Validate loaded YAML into a CriteriaVersion, or raise CriteriaError listing every problem. ``named``:
    the file name must be the version's id (every file of a criteria folder; not a proposed copy elsewhere)."""
    if not isinstance(data, CommentedMap):
        raise CriteriaError([Problem(str(path), 1, "(document)", "a criteria file must be a mapping")])
    plain = _plain(data)
    try:
        version = CriteriaVersion.model_validate(plain)
    except ValidationError as exc:
        problems = _pydantic_problems(path, data, exc)
        problems += [Problem(str(path), line_of(data, p), _field(p), msg) for p, msg in check_parts(plain)]
        raise CriteriaError(problems) from None
    problems = [Problem(str(path), line_of(data, p), _field(p), msg) for p, msg in check_version(version)]
    if named and path.stem != version.id:
        problems.append(Problem(str(path), line_of(data, ("id",)), "id", f"id {version.id} differs from the file name"))
    if problems:
        raise CriteriaError(problems)
    return version


def _plain(node):
    """ruamel containers → plain dicts and lists (pydantic's strictness about types stays)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def load_version(path: Path | str) -> CriteriaVersion:
    path = Path(path)
    return parse_version(path, read_yaml(path))


def version_files(directory: Path) -> list[Path]:
    return sorted(p for p in Path(directory).glob("*.yaml") if p.is_file())


class Registry:
    """The criteria versions of one folder."""

    def __init__(self, versions: dict[str, CriteriaVersion], files: dict[str, Path]):
        self.versions = versions
        self.files = files

    @classmethod
    def load(cls, directory: Path | str | None = None) -> Registry:
        """Every version of ``directory`` (default: the criteria shipped with the package)."""
        directory = Path(directory) if directory else default_directory()
        versions: dict[str, CriteriaVersion] = {}
        files: dict[str, Path] = {}
        problems: list[Problem] = []
        paths = version_files(directory)
        if not paths:
            raise CriteriaError([Problem(str(directory), 0, "(folder)", "no criteria file (*.yaml) found")])
        for path in paths:
            try:
                version = load_version(path)
            except CriteriaError as exc:
                problems.extend(exc.problems)
                continue
            versions[version.id] = version
            files[version.id] = path
        problems.extend(_overlaps(versions, files))
        if problems:
            raise CriteriaError(problems)
        return cls(versions, files)

    def get(self, version_id: str) -> CriteriaVersion:
        try:
            return self.versions[version_id]
        except KeyError:
            known = ", ".join(sorted(self.versions)) or "none"
            raise UnknownVersion(f"no criteria version {version_id!r} (known: {known})") from None

    def in_force(self, day: dt.date) -> CriteriaVersion:
        for version in self.versions.values():
            if version.covers(day):
                return version
        spans = "; ".join(
            f"{v.id} from {v.effective_from}" + (f" to {v.effective_to}" if v.effective_to else "")
            for v in sorted(self.versions.values(), key=lambda v: v.effective_from)
        )
        raise NoVersionInForce(f"no criteria version is in force on {day.isoformat()} (versions: {spans})")

    def resolve(self, version_id: str | None, day: dt.date | None) -> CriteriaVersion:
        """The named version, else the one in force on ``day``, else the one in force today."""
        if version_id:
            return self.get(version_id)
        return self.in_force(day or dt.date.today())


def _overlaps(versions: dict[str, CriteriaVersion], files: dict[str, Path]) -> list[Problem]:
    problems = []
    ordered = sorted(versions.values(), key=lambda v: v.effective_from)
    for prev, cur in zip(ordered, ordered[1:], strict=False):
        if prev.effective_to is None or prev.effective_to >= cur.effective_from:
            path = files[cur.id]
            problems.append(
                Problem(
                    str(path),
                    line_of(read_yaml(path), ("effective_from",)),
                    "effective_from",
                    f"{cur.id} starts on {cur.effective_from} while {prev.id} is still in force",
                )
            )
    return problems
