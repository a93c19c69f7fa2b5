"""Import self-assessed indicator values of many communes from one CSV or XLSX file: all of it, or nothing.

One row per commune (``commune_code``), one column per indicator code (``cfc import template`` writes the
layout). Every cell is checked before anything is stored, and every bad cell is reported with its row, column,
value and reason: an unknown commune code or indicator, a negative number, a numerator above its denominator,
text where a number belongs, a commune outside the importer's jurisdiction, a dossier no longer in draft. When
every cell is good, all rows are stored in ONE transaction of the dossier service: each commune's dossier of
the round gets the values (created when the commune has none yet), its self-assessment score is recomputed,
and one audit entry ``values.import`` per dossier changed names the importer, every value before and after,
the file and the row.

Rules of the cells:

* An empty cell gives no value: the dossier keeps what it has (a draft may stay incomplete).
* A cell equal to the stored value is no change. Re-importing the same file changes nothing (no audit entry,
  no new dossier version); a row for a dossier past draft is refused only when it would change a value, so a
  round's export imports back unchanged at any stage.
* Text cells are read like a form field (``engine.assessment.parse_text``: "1.234" = 1234, "86,5" = 86.5,
  có/không); number and boolean cells of an XLSX file are taken exactly as they are.
* Row 2 may be the label row of the template; a ``commune_name`` column is for people and is not read.

Who may import: a user whose unit contains the commune and who has a district or province role
(district_appraiser, district_chair, province_officer), or a commune officer for their own commune.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer

from .. import __version__ as engine_version
from ..assessment import (
    MAX_COUNT,
    Commune,
    canonical_text,
    check_values,
    coerce,
    from_canonical,
    pair_problems,
    parse_text,
)
from ..errors import AccessDenied, AssessmentError, CfcError
from ..models import CriteriaVersion, Percentage, Rate
from ..store import audit
from ..store.models import CommuneCategory, Dossier, IndicatorValue, Unit, User
from ..store.service import DossierService
from ..workflow import LABELS, procedure_for, round_date
from .read import CellValue, Row, Table, column_letter, read_table, shown
from .scorer import PARALLEL_FROM, Scorer, worker_count
from .template import COMMUNE_COLUMN, COMMUNE_LABEL, NAME_COLUMN

IMPORT_ROLES = frozenset({"district_appraiser", "district_chair", "province_officer"})
ACTION = "values.import"

REASONS = {
    "missing_commune_column": "thiếu cột commune_code",
    "missing_header": "cột không có mã chỉ số",
    "duplicate_column": "cột bị lặp",
    "unknown_indicator": "chỉ số không có trong bộ tiêu chí",
    "missing_commune_code": "thiếu mã xã",
    "unknown_commune": "mã xã không tồn tại",
    "duplicate_commune": "xã bị lặp",
    "outside_jurisdiction": "xã ngoài địa bàn của người nhập",
    "not_draft": "hồ sơ không còn ở trạng thái đang soạn",
    "no_category": "xã chưa có phân loại",
    "not_a_number": "không phải là số",
    "negative": "số âm",
    "above_denominator": "tử số lớn hơn mẫu số",
    "invalid": "giá trị không hợp lệ",
}


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: spreadsheet row and column (1-based), the column's header, the value as written, why."""

    row: int
    column: int
    header: str
    value: str
    reason: str  # a key of REASONS
    message: str

    @property
    def letter(self) -> str:
        return column_letter(self.column)

    def __str__(self) -> str:
        value = f" «{self.value}»" if self.value != "" else " (trống)"
        return f"dòng {self.row}, cột {self.letter} ({self.header}){value}: {self.message}"

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.letter, "header": self.header, "value": self.value,
                "reason": self.reason, "message": self.message}


@dataclass
class RowResult:
    """What a row does (or would do) to its commune's dossier."""

    row: int
    commune_code: str
    commune_name: str
    dossier_id: int | None  # None: the dossier is created by the import
    status: str
    changes: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # code → (before, after)
    missing: list[str] = field(default_factory=list)  # indicators still without a value afterwards
    score: dict | None = None  # the self-assessment score afterwards (None while values are missing)
    created: bool = False  # the import creates (or created) the commune's dossier

    def line(self) -> str:
        what = "tạo hồ sơ, " if self.created else ""
        what += f"{len(self.changes)} chỉ số thay đổi" if self.changes else "không thay đổi"
        if self.score:
            verdict = "đủ điều kiện công nhận" if self.score["recognized"] else "chưa đủ điều kiện công nhận"
            result = (f"{self.score['total']}/{self.score['max_total']} điểm, ngưỡng {self.score['threshold']} "
                      f"→ {verdict}")
        elif self.missing:
            result = f"chưa chấm điểm: còn {len(self.missing)} chỉ số chưa nhập"
        else:
            result = "chưa chấm điểm"
        return f"dòng {self.row:<5} {self.commune_code:<6} {self.commune_name}: {what}; {result}"


@dataclass
class ImportReport:
    source: str
    year: int
    actor: str
    criteria_version: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    stored: bool = False  # the rows were stored (False for a dry run or a refusal)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> list[RowResult]:
        return [r for r in self.rows if r.changes]

    @property
    def created(self) -> int:
        return sum(1 for r in self.changed if r.created)

    @property
    def unchanged(self) -> int:
        return len(self.rows) - len(self.changed)

    def summary(self) -> str:
        n_changed = len(self.changed)
        head = "Thử (không lưu)" if self.dry_run else ("Đã nhập" if self.stored else "Không nhập")
        text = (f"{head} {self.source}, năm {self.year}, bộ tiêu chí {self.criteria_version}: {len(self.rows)} dòng; "
                f"{n_changed} hồ sơ thay đổi ({self.created} tạo mới), {self.unchanged} không thay đổi")
        if self.problems:
            text += f"; {len(self.problems)} ô sai"
        return text

    def problem_text(self) -> str:
        return (f"{self.source}: {len(self.problems)} ô sai, không có gì được lưu:\n"
                + "\n".join(str(p) for p in self.problems))


class ImportRefused(CfcError):
    """A file has bad cells: nothing was stored. ``report`` lists every one."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(report.problem_text())


class _Bar:
    def update(self, n: int) -> None:
        pass


@contextlib.contextmanager
def no_progress(label: str, length: int) -> Iterator[_Bar]:
    yield _Bar()


Progress = Callable[[str, int], contextlib.AbstractContextManager]


# ---------------------------------------------------------------------------------------------- entry points
ROW_BYTES = 120  # about the least a row of indicator values takes in a file (XLSX ~150, CSV ~130)


def import_file(service: DossierService, path: Path | str, year: int, username: str, *, dry_run: bool = False,
                progress: Progress | None = None, workers: int | None = None) -> ImportReport:
    """Read and import ``path``; raises ImportRefused (nothing stored) when any cell is bad.

    A dry run returns the report, bad cells included, and stores nothing. A file large enough to be scored in
    worker processes gets them started before it is read, so that they are ready when the first row is.
    """
    try:
        rows = Path(path).stat().st_size // ROW_BYTES
    except OSError:
        rows = 0  # read_table reports it
    with Scorer(service.registry.versions, worker_count(rows, workers)) as scorer:
        if rows >= PARALLEL_FROM:
            scorer.start()
        return import_table(service, read_table(path), year, username, dry_run=dry_run, progress=progress,
                            workers=workers, scorer=scorer)


def import_table(service: DossierService, table: Table, year: int, username: str, *, dry_run: bool = False,
                 progress: Progress | None = None, workers: int | None = None,
                 scorer: Scorer | None = None) -> ImportReport:
    """Check and import the rows of ``table`` (see ``import_file``)."""
    progress = progress or no_progress
    with contextlib.ExitStack() as stack:
        if scorer is None or (not scorer.workers and worker_count(len(table.rows), workers)):
            # for a large file, worker processes start with the first good row and score it as soon as it is
            # checked
            scorer = stack.enter_context(Scorer(service.registry.versions, worker_count(len(table.rows), workers)))
        s = stack.enter_context(service.transaction(readonly=dry_run))  # a dry run never writes, nor waits
        job = _Import(service, s, table, year, username, dry_run, scorer)
        job.check(progress)
        if job.report.problems and not dry_run:
            raise ImportRefused(job.report)
        if dry_run:
            for result, handle in job.to_score:
                result.score = scorer.result(handle)
            for result, _, dossier, _ in job.plans:
                if not result.changes and dossier is not None:
                    result.score = dossier.self_score  # as it stands
            return job.report
        job.store(progress)
        job.report.stored = True
        return job.report


def may_import(user: User, commune: Unit) -> bool:
    """District and province roles within their unit; a commune officer for their own commune."""
    if set(user.roles) & IMPORT_ROLES and user.unit.level in ("district", "province"):
        return commune.id == user.unit.id or any(a.id == user.unit.id for a in commune.ancestors())
    return "commune_officer" in user.roles and user.unit.id == commune.id


# ------------------------------------------------------------------------------------------------- checking
def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def commune_code(value: CellValue) -> str | None:
    """A code cell as text: 70, 70.0, "70" and " 70 " are all "70"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return shown(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    return value.strip()


def parse_cell(kind: str, value: CellValue):
    """A cell to its typed value, or an error message (text as typed by a person, numbers exactly)."""
    if isinstance(value, str):
        return parse_text(kind, value)
    if kind == "yes_no" and not isinstance(value, bool) and value in (0, 1):
        return parse_text(kind, str(int(value)))
    return coerce(kind, value)


def classify(message: str) -> tuple[str, str]:
    """An engine message (English) → (reason key, Vietnamese explanation)."""
    if message.startswith("is negative"):
        return "negative", "số âm"
    if "got text" in message or message.startswith(("expects a number", "expects a finite number")):
        return "not_a_number", "không phải là số"
    if message.startswith(("expects có/không", "expects yes or no")):
        return "invalid", "cần ghi có hoặc không"
    if "whole number" in message:
        return "invalid", "số trẻ em, số vụ phải là số nguyên"
    if "is above" in message:
        return "invalid", f"lớn hơn {MAX_COUNT:,} (không xã nào có nhiều trẻ em hay số vụ như vậy)".replace(",", ".")
    if "at most 100" in message:
        return "invalid", "điểm khảo sát tối đa là 100"
    if "at most 2 decimals" in message:
        return "invalid", "điểm khảo sát có tối đa 2 chữ số thập phân"
    return "invalid", message


def _pairs(version: CriteriaVersion) -> dict[str, list[str]]:
    """Numerator (or cases) code → its denominator (or population) codes."""
    out: dict[str, list[str]] = {}
    for crit in version.criteria:
        for comp in crit.components:
            if isinstance(comp, Percentage):
                out.setdefault(comp.numerator, []).append(comp.denominator)
            elif isinstance(comp, Rate):
                out.setdefault(comp.cases, []).append(comp.population)
    return out


def _valid_on(unit: Unit, day) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


class _Import:
    def __init__(self, service: DossierService, session: Session, table: Table, year: int, username: str,
                 dry_run: bool, scorer: Scorer):
        self.service, self.s, self.table, self.year, self.scorer = service, session, table, year, scorer
        self.day = round_date(year)
        self.user = service._user(session, username)
        roles = set(self.user.roles)
        if not (roles & IMPORT_ROLES or "commune_officer" in roles):
            raise AccessDenied(f"nhập chỉ số: cần vai trò {', '.join(sorted(IMPORT_ROLES))} hoặc commune_officer; "
                               f"{username} có {', '.join(self.user.roles) or 'không vai trò nào'}")
        self.version = service.registry.in_force(self.day)
        self.report = ImportReport(table.source, year, username, self.version.id, dry_run)
        self.columns: dict[int, str] = {}  # 1-based column → indicator code
        self.skipped: set[int] = set()  # commune_name and columns already reported at the header
        self.plans: list[tuple[RowResult, Unit | None, Dossier | None, str | None]] = []
        self.to_score: list[tuple[RowResult, int]] = []  # rows whose new score is wanted, with its handle
        self._maps: dict[str, tuple[CriteriaVersion, dict, dict[str, list[str]]]] = {}

    def version_of(self, dossier: Dossier | None) -> tuple[CriteriaVersion, dict, dict[str, list[str]]]:
        """The criteria version of a row (its dossier's, else the round's), its indicators and ratio pairs."""
        version_id = dossier.criteria_version if dossier else self.version.id
        if version_id not in self._maps:
            version = self.service.registry.get(version_id)
            self._maps[version_id] = (version, version.indicator_map(), _pairs(version))
        return self._maps[version_id]

    def problem(self, row: int, column: int, header: str, value: str, reason: str, message: str) -> None:
        self.report.problems.append(CellProblem(row, column, header, value, reason, message))

    # -------------------------------------------------------------------------------------------- header
    def read_header(self) -> bool:
        header = self.table.header
        if not header or header[0].strip().lower() != COMMUNE_COLUMN:
            self.problem(1, 1, header[0] if header else "", header[0] if header else "", "missing_commune_column",
                         "cột đầu tiên phải là commune_code (tải mẫu bằng `cfc import template`)")
            return False
        codes = {code.lower(): code for code in self.version.indicator_map()}
        seen: dict[str, int] = {}
        for col, text in enumerate(header[1:], start=2):
            if not text:
                continue
            if text.strip().lower() == NAME_COLUMN:
                self.skipped.add(col)
                continue
            code = codes.get(text.strip().lower())
            if code is None:
                self.skipped.add(col)
                self.problem(1, col, text, text, "unknown_indicator",
                             f"không có chỉ số {text} trong bộ tiêu chí {self.version.id}")
            elif code in seen:
                self.skipped.add(col)
                self.problem(1, col, text, text, "duplicate_column",
                             f"chỉ số {code} đã có ở cột {column_letter(seen[code])}")
            else:
                seen[code] = col
                self.columns[col] = code
        return True

    def is_label_row(self, row: Row) -> bool:
        first = row.get(1)
        if isinstance(first, str) and _fold(first) == _fold(COMMUNE_LABEL):
            return True
        if first is not None and not (isinstance(first, str) and not first.isdigit()):
            return False
        labels = self.version.indicator_map()
        return any(isinstance(row.get(col), str) and _fold(row.get(col)).startswith(_fold(labels[code].label))
                   for col, code in self.columns.items())

    # ---------------------------------------------------------------------------------------------- rows
    def load(self) -> None:
        s = self.s
        units = list(s.execute(select(Unit)).scalars())  # all in the identity map: ancestors need no query
        self.communes = {u.code: u for u in units if u.level == "commune" and _valid_on(u, self.day)}
        self.categories = dict(s.execute(select(CommuneCategory.unit_id, CommuneCategory.category)
                                         .where(CommuneCategory.year == self.year)).all())
        # the scores are large JSON documents that checking never reads, and ORM objects of every value would
        # cost more than the rest of the check: load scores only when used, values as plain rows
        dossiers = s.execute(select(Dossier).where(Dossier.year == self.year)
                             .options(defer(Dossier.self_score), defer(Dossier.verified_score))).scalars()
        self.dossiers = {d.commune_id: d for d in dossiers}
        self.stored: dict[int, dict[str, tuple[int, str | None]]] = {}  # dossier id → code → (row id, value)
        rows = s.execute(select(IndicatorValue.dossier_id, IndicatorValue.code, IndicatorValue.id,
                                IndicatorValue.self_value)
                         .join(Dossier, Dossier.id == IndicatorValue.dossier_id).where(Dossier.year == self.year))
        for dossier_id, code, value_id, value in rows:
            self.stored.setdefault(dossier_id, {})[code] = (value_id, value)

    def find(self, code: str) -> Unit | None:
        unit = self.communes.get(code)
        if unit is None and code.isdigit():
            unit = self.communes.get(code.lstrip("0") or "0")
        return unit

    def check(self, progress: Progress) -> None:
        if not self.read_header():
            return
        rows = self.table.rows
        if rows and rows[0].number == 2 and self.is_label_row(rows[0]):
            rows = rows[1:]
        self.load()
        missing_header: set[int] = set()
        seen: dict[int, int] = {}
        with progress("Kiểm tra", len(rows)) as bar:
            for row in rows:
                for col in range(2, len(row.cells) + 1):
                    if (row.get(col) is not None and col not in self.columns and col not in self.skipped
                            and col not in missing_header):
                        missing_header.add(col)
                        self.problem(row.number, col, "không có mã", shown(row.get(col)), "missing_header",
                                     "cột có dữ liệu nhưng dòng 1 không ghi mã chỉ số")
                self.check_row(row, seen)
                bar.update(1)

    def check_row(self, row: Row, seen: dict[int, int]) -> None:
        before = len(self.report.problems)
        code = commune_code(row.get(1))
        commune = dossier = None
        if code is None:
            self.problem(row.number, 1, COMMUNE_COLUMN, "", "missing_commune_code", "thiếu mã xã")
        else:
            commune = self.find(code)
            if commune is None:
                self.problem(row.number, 1, COMMUNE_COLUMN, code, "unknown_commune",
                             f"không có xã, phường, đặc khu nào mã {code} vào ngày {self.day.isoformat()}")
            elif commune.id in seen:
                self.problem(row.number, 1, COMMUNE_COLUMN, code, "duplicate_commune",
                             f"{commune.name} đã có ở dòng {seen[commune.id]}")
                commune = None
            elif not may_import(self.user, commune):
                self.problem(row.number, 1, COMMUNE_COLUMN, code, "outside_jurisdiction",
                             f"{commune.name} không thuộc địa bàn của {self.user.username} ({self.user.unit.name})")
                commune = None
            else:
                seen[commune.id] = row.number
                dossier = self.dossiers.get(commune.id)
        version, indicators, pairs = self.version_of(dossier)
        typed, where = {}, {}
        for col, ind_code in self.columns.items():
            value = row.get(col)
            if value is None:
                continue
            indicator = indicators.get(ind_code)
            if indicator is None:
                self.problem(row.number, col, ind_code, shown(value), "unknown_indicator",
                             f"hồ sơ theo bộ tiêu chí {version.id} không có chỉ số {ind_code}")
                continue
            parsed, message = parse_cell(indicator.type, value)
            if message:
                reason, text = classify(message)
                self.problem(row.number, col, ind_code, shown(value), reason, text)
            else:
                typed[ind_code], where[ind_code] = parsed, col
        stored = {c: v for c, (_, v) in self.stored.get(dossier.id, {}).items()} if dossier else {}
        merged = {c: from_canonical(indicators[c].type, t) for c, t in stored.items()
                  if t is not None and c in indicators}
        merged.update(typed)
        self.check_pairs(row, version, pairs, merged, where)
        changes = {}
        for ind_code, value in typed.items():
            new = canonical_text(value)
            if stored.get(ind_code) != new:
                changes[ind_code] = (stored.get(ind_code), new)
        category = dossier.category if dossier else (self.categories.get(commune.id) if commune else None)
        if commune is not None and changes:
            if dossier is not None and dossier.status != "draft":
                self.problem(row.number, 1, COMMUNE_COLUMN, code, "not_draft",
                             f"hồ sơ {dossier.id} của {commune.name} đang ở trạng thái «{LABELS[dossier.status]}»: "
                             f"chỉ nhập vào hồ sơ đang soạn (sẽ đổi {', '.join(sorted(changes))})")
            if dossier is None and category is None:
                self.problem(row.number, 1, COMMUNE_COLUMN, code, "no_category",
                             f"chưa có phân loại của {commune.name} năm {self.year}: nhập cột category_{self.year} "
                             "bằng `cfc units import`")
        if commune is None or len(self.report.problems) > before:
            return
        result = RowResult(row.number, commune.code, commune.name, dossier.id if dossier else None,
                           dossier.status if dossier else "draft", changes,
                           [c for c in indicators if c not in merged],
                           created=dossier is None and bool(changes))
        self.report.rows.append(result)
        self.plans.append((result, commune, dossier, category))
        if changes and not result.missing:
            try:
                    checked = check_values(version, merged, category)
            except AssessmentError as exc:  # only a category the criteria version does not know is left
                self.problem(row.number, 1, COMMUNE_COLUMN, code, "no_category", "; ".join(map(str, exc.problems)))
                self.report.rows.pop()
                self.plans.pop()
                return
            if self.report.problems and not self.report.dry_run:
                return  # the file is refused: its scores are never wanted
            job = (version.id, Commune(commune.code, commune.name, category), self.year, checked)
            self.to_score.append((result, self.scorer.submit(job)))
        elif changes:
            result.score = None

    def check_pairs(self, row: Row, version: CriteriaVersion, pairs: dict[str, list[str]], merged: dict,
                    where: dict[str, int]) -> None:
        for problem in pair_problems(version, merged):
            top = problem.code
            for bottom in pairs.get(top, []):
                if merged.get(bottom) is None or not merged[top] > merged[bottom]:
                    continue
                col = where.get(top) or where.get(bottom)
                if col is None:
                    continue  # both values were stored before: not this file's doing
                header = self.columns[col]
                note = "" if top in where and bottom in where else " (giá trị kia đang lưu trong hồ sơ)"
                self.problem(row.number, col, header, canonical_text(merged[header]), "above_denominator",
                             f"tử số lớn hơn mẫu số: {top} = {canonical_text(merged[top])} > {bottom} = "
                             f"{canonical_text(merged[bottom])}{note}")

    # --------------------------------------------------------------------------------------------- storing
    def store(self, progress: Progress) -> None:
        """Write every change in bulk, then one audit entry per dossier in row order.

        New dossiers and all values go in with Core executemany statements (the unit of work costs ~0.1 ms a
        row); dossiers that exist are updated through the ORM, so their version is checked and bumped.
        """
        s, user, source = self.s, self.user, self.table.source
        stamp = audit.now()
        proc = procedure_for(self.day, self.service.procedures)
        handles = {id(result): handle for result, handle in self.to_score}
        changed = [p for p in self.plans if p[0].changes]
        new_rows: list[dict] = []
        new_results: list[RowResult] = []
        existing: list[tuple[RowResult, Dossier]] = []
        with progress("Lưu", len(changed)) as bar:
            for result, commune, dossier, category in changed:
                handle = handles.get(id(result))
                result.score = None if handle is None else self.scorer.result(handle)
                if dossier is None:
                    new_rows.append({"commune_id": commune.id, "year": self.year, "status": "draft",
                                     "criteria_version": self.version.id, "procedure": proc.id,
                                     "category": category, "self_score": result.score,
                                     "engine_version": engine_version, "lock_version": 1, "created_at": stamp,
                                     "updated_at": stamp})
                    new_results.append(result)
                else:
                    dossier.self_score = result.score
                    dossier.engine_version = engine_version
                    dossier.updated_at = stamp
                    existing.append((result, dossier))
                bar.update(1)
            s.flush()  # the updates, each checked against the version read (optimistic locking)
            conn = s.connection()
            dossiers, values = Dossier.__table__, IndicatorValue.__table__
            if new_rows:
                ids = conn.execute(dossiers.insert().returning(dossiers.c.id, sort_by_parameter_order=True),
                                   new_rows).scalars().all()
                for result, dossier_id in zip(new_results, ids, strict=True):
                    result.dossier_id, result.status = dossier_id, "draft"
            inserts: list[dict] = []
            updates: list[dict] = []
            all_codes = list(self.version.indicator_map())
            for result in new_results:
                inserts.extend({"dossier_id": result.dossier_id, "code": code,
                                "self_value": result.changes[code][1] if code in result.changes else None}
                               for code in all_codes)
            for result, dossier in existing:
                stored = self.stored.get(dossier.id, {})
                for code, (_, new) in result.changes.items():
                    if code in stored:
                        updates.append({"value_id": stored[code][0], "new_value": new})
                    else:
                        inserts.append({"dossier_id": dossier.id, "code": code, "self_value": new})
                result.dossier_id, result.status = dossier.id, dossier.status
            if inserts:
                conn.execute(values.insert(), inserts)
            if updates:
                conn.execute(values.update().where(values.c.id == bindparam("value_id"))
                             .values(self_value=bindparam("new_value")), updates)
            versions = {d.id: d.lock_version for _, d in existing}
            entries = []
            for result, _, _, _ in changed:
                # one entry per dossier; a dossier the import created has no "before" (None)
                created = result.dossier_id not in versions
                entries.append({
                    "actor": user.username, "action": ACTION,
                    "target": ("tạo hồ sơ; " if created else "") + _codes(result.changes),
                    "before": None if created else {c: b for c, (b, _) in result.changes.items()},
                    "after": {c: a for c, (_, a) in result.changes.items()},
                    "reason": f"nhập từ tệp {source}, dòng {result.row}",
                    "dossier_id": result.dossier_id, "dossier_version": versions.get(result.dossier_id, 1),
                })
            audit.append_many(s, entries)


def _codes(changes: dict) -> str:
    codes = sorted(changes)
    return ", ".join(codes) if len(codes) <= 6 else f"{len(codes)} chỉ số ({', '.join(codes[:4])}, …)"


def report_rows(report: ImportReport) -> list[list]:
    """The bad cells as rows for a CSV report."""
    return [[p.row, p.letter, p.header, p.value, p.reason, p.message] for p in report.problems]

