"""A rules administrator's edits of a criteria file: correct a value, mark it verified, publish.

Edits go through ruamel.yaml's round-trip mode, so the file keeps its comments, quotes and key order and the
diff shows only the edited lines. Each edit is validated as a whole version before anything is written, is
recorded in the version's ``history`` (who, when, what), and is refused on an official version: official
versions are never edited in place, a change is a new version.

Locators name a number the way the YAML nests it:
``max_total/points``, ``categories/other/threshold``, ``TC07/max_points``, ``TC07/met_at``, ``TC01/officer/points``,
``TC07/immunisation/bands/1/min``, ``TC07/immunisation/if_denominator_zero/points``, ``TC03/abuse_rate/per``.
Verifying takes the object that holds the number (``TC07/immunisation/bands/1``) or any of its fields.

Values are read the Vietnamese way (``engine.numbers``): ``1.234`` is 1234, ``97,5`` (or ``97.5``) is 97.5,
and an ambiguous ``1,000`` is refused.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .checks import unverified
from .errors import CriteriaError, EditError
from .loader import parse_version, read_yaml, round_trip_yaml
from .messages import N_, Message
from .numbers import NumberError, parse_decimal

NUMBER_FIELDS = {"points", "threshold", "max_points", "met_at", "min", "max", "per"}


def dump(data) -> str:
    buf = io.StringIO()
    round_trip_yaml().dump(data, buf)
    return buf.getvalue()


def resolve(data: CommentedMap, locator: str) -> tuple[CommentedMap, str | None, str]:
    """(holder mapping, field or None, readable name) for a locator; EditError when it names nothing."""
    parts = [p for p in locator.strip("/").split("/") if p]
    if not parts:
        raise EditError(N_("chưa ghi vị trí của giá trị (ví dụ TC07/max_points)"))
    node: object = data
    trail: list[str] = []
    head = parts[0]
    if head == "max_total":
        node = data["max_total"]
        parts = parts[1:]
    elif head == "categories":
        if len(parts) < 2:
            raise EditError(N_("hãy ghi mã nhóm xã: categories/MÃ/threshold"))
        node = _find(data["categories"], "id", parts[1], N_("nhóm xã"))
        parts = parts[2:]
    else:
        node = _find(data["criteria"], "code", head, N_("tiêu chí"))
        parts = parts[1:]
        if parts and parts[0] not in node:
            node = _find(node["components"], "id", parts[0], N_("thành phần của %(code)s", code=head))
            parts = parts[1:]
    trail.append(head)
    while parts:
        key = parts.pop(0)
        if isinstance(node, CommentedSeq):
            try:
                node = node[int(key)]
            except (ValueError, IndexError):
                raise EditError(N_("%(locator)s: không có mục «%(key)s»", locator=locator, key=key)) from None
        elif isinstance(node, CommentedMap) and key in node:
            if not parts and not isinstance(node[key], CommentedMap | CommentedSeq):
                return node, key, locator
            node = node[key]
        elif isinstance(node, CommentedMap) and not parts and key in NUMBER_FIELDS:
            return node, key, locator  # a field that is absent now (e.g. a band's open edge)
        else:
            raise EditError(N_("%(locator)s: không có trường «%(key)s»", locator=locator, key=key))
    if not isinstance(node, CommentedMap):
        raise EditError(N_("%(locator)s không chỉ tới một đối tượng hay một trường", locator=locator))
    return node, None, locator


def _find(seq, key: str, value: str, what) -> CommentedMap:
    for item in seq:
        if str(item.get(key)) == value:
            return item
    known = ", ".join(str(i.get(key)) for i in seq)
    raise EditError(N_("không có %(what)s «%(value)s» (có: %(known)s)", what=what, value=value, known=known))


def _number(text: str):
    """The typed value of an edit: None (``null``), an int, or a float (YAML writes 97.5)."""
    if text.strip().lower() in ("null", "none", ""):
        return None
    try:
        value = parse_decimal(text)
    except NumberError as exc:
        if exc.reason == "not_finite":
            raise EditError(N_("«%(text)s» không phải là một số hữu hạn, có độ lớn hợp lý", text=text)) from None
        raise EditError(exc.message) from None  # it names the text and says how to write a number
    if abs(value) > 10**9:
        raise EditError(N_("«%(text)s» quá lớn: một giá trị của bộ tiêu chí không vượt quá 1.000.000.000", text=text))
    return int(value) if value == value.to_integral_value() else float(value)


def _holder_with_provenance(data: CommentedMap, holder: CommentedMap, locator: str) -> CommentedMap:
    if "verified" in holder:
        return holder
    raise EditError(N_("%(locator)s: đối tượng này không ghi nguồn gốc (source, verified)", locator=locator))


def _record(data: CommentedMap, by: str, change: str, today: dt.date) -> None:
    history = data.get("history")
    if not isinstance(history, CommentedSeq):
        history = CommentedSeq()
        data["history"] = history
    history.fa.set_block_style()
    entry = CommentedMap([("on", today), ("by", by), ("change", change)])
    entry.fa.set_flow_style()
    history.append(entry)


def _load(path: Path):
    data = read_yaml(path)
    if not isinstance(data, CommentedMap):
        raise EditError(N_("%(path)s: không phải là tệp bộ tiêu chí", path=str(path)))
    if data.get("status") == "official":
        raise EditError(N_("%(id)s là phiên bản chính thức: phiên bản chính thức không bao giờ được sửa tại chỗ; hãy chép "
                           "sang một tệp phiên bản mới, với mã và ngày hiệu lực mới", id=str(data.get("id"))))
    return data


def lines(items: list) -> Message:
    """Several messages, one a line, that a reader's language renders line by line."""
    return Message("\n".join(f"%(l{i})s" for i in range(len(items))), **{f"l{i}": t for i, t in enumerate(items)})


def _problem_lines(exc: CriteriaError) -> Message:
    return lines([Message("%(where)s: %(field)s: %(message)s", where=f"{p.file}:{p.line}" if p.line else p.file,
                          field=p.field, message=p.message) for p in exc.problems])


def _write(path: Path, data) -> None:
    text = dump(data)
    try:
        parse_version(path, round_trip_yaml().load(text))
    except CriteriaError as exc:
        raise EditError(N_("sửa như vậy làm phiên bản không hợp lệ, chưa ghi gì:\n%(problems)s",
                           problems=_problem_lines(exc))) from None
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def set_value(path: Path, locator: str, raw: str, *, by: str, source: str | None = None,
              verified: bool | None = None, today: dt.date | None = None) -> str:
    """Set one number; optionally update the holder's source and verified flag. Returns a summary."""
    path = Path(path)
    data = _load(path)
    holder, field, name = resolve(data, locator)
    if field is None or field not in NUMBER_FIELDS:
        raise EditError(N_("%(locator)s: hãy chỉ tới một trường số (%(fields)s)", locator=locator,
                           fields=", ".join(sorted(NUMBER_FIELDS))))
    old = holder.get(field)
    new = _number(raw)
    if new is None:
        if field not in ("min", "max"):
            raise EditError(N_("%(locator)s: %(field)s không được để trống", locator=locator, field=field))
        holder.pop(field, None)
    else:
        holder[field] = new
    moved = _move_shared_edge(data, locator, field, old, new) if field in ("min", "max") else ""
    prov = _holder_with_provenance(data, holder, locator)
    if source is not None:
        prov["source"] = source
    if verified is not None:
        prov["verified"] = verified
    change = f"{name}: {old} → {new}{moved}"
    if verified is not None:
        change += ", verified" if verified else ", unverified"
    _record(data, by, change, today or dt.date.today())
    _write(path, data)
    return change


def _move_shared_edge(data: CommentedMap, locator: str, field: str, old, new) -> str:
    """Bands tile the range, so an edge is shared with a neighbour: moving a band's ``min`` moves the
    neighbour's ``max`` that equalled it (and the other way round). Returns a note for the history."""
    parts = [p for p in locator.strip("/").split("/") if p]
    if "bands" not in parts or old is None or new is None:
        return ""
    at = parts.index("bands")
    component, _, _ = resolve(data, "/".join(parts[:at]))
    bands = component.get("bands")
    index = int(parts[at + 1])
    other = "max" if field == "min" else "min"
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(bands) and bands[neighbour].get(other) == old:
            bands[neighbour][other] = new
            return f" (and bands/{neighbour}/{other}, the shared edge)"
    return ""


def verify(path: Path, locator: str, *, by: str, source: str, today: dt.date | None = None) -> str:
    """Mark the object holding a number as verified against the official text, naming the source."""
    path = Path(path)
    data = _load(path)
    holder, _field, name = resolve(data, locator)
    prov = _holder_with_provenance(data, holder, locator)
    prov["verified"] = True
    prov["source"] = source
    change = f"{name}: verified ({source})"
    _record(data, by, change, today or dt.date.today())
    _write(path, data)
    return change


def publish(path: Path, *, by: str, today: dt.date | None = None) -> str:
    """Make a version official; refused, listing every unverified number, unless all are verified."""
    path = Path(path)
    data = _load(path)
    version = parse_version(path, data)
    missing = unverified(version)
    if missing:
        raise EditError(N_("chưa công bố được %(id)s: %(count)s giá trị chưa được xác minh:\n%(values)s", id=version.id,
                           count=len(missing), values=lines([Message("  - %(value)s", value=t) for _, t in missing])))
    data["status"] = "official"
    _record(data, by, "published as official", today or dt.date.today())
    _write(path, data)
    return N_("%(id)s đã là phiên bản chính thức", id=version.id)
