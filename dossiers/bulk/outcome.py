"""What an import finds and does: every bad cell (``CellProblem``, with a reason key of ``REASONS``), what each
row does to its commune's dossier (``RowResult``), and the whole file's ``ImportReport``; ``ImportRefused``
carries the report of a file that was not stored, ``ImportConflict`` the dossiers that changed since the preview
a confirmation is bound to. A row's score is kept as it is stored (the JSON form) and read through
``engine.result.ScoreResult`` to be shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import CfcError, ConflictError
from engine.messages import N_, Message
from engine.numbers import format_number
from engine.result import ScoreResult, StoredScoreError

from .table import QUOTE_CHARS, column_letter, quote

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
    "shared_differs": "cùng một số nhưng ghi khác nhau",
    "invalid": "giá trị không hợp lệ",
}


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: spreadsheet row and column (1-based), the column's header, the value as written, why.

    The header and value are kept quoted (at most ``QUOTE_CHARS`` characters, then their length), in the
    message too, so that no report (command line, web page, CSV) prints a cell of 30,000 characters back."""

    row: int
    column: int
    header: str
    value: str
    reason: str  # a key of REASONS
    message: str

    def __post_init__(self):
        message = self.message
        for text in (self.value, self.header):
            if len(text) > QUOTE_CHARS:
                message = message.replace(text, quote(text))
        object.__setattr__(self, "header", quote(self.header))
        object.__setattr__(self, "value", quote(self.value))
        object.__setattr__(self, "message", quote(message, 4 * QUOTE_CHARS))

    @property
    def letter(self) -> str:
        return column_letter(self.column)

    def __str__(self) -> str:
        return str(self.describe())

    def describe(self) -> Message:
        """The problem as a report line says it (rendered in the reader's language)."""
        value = f" «{self.value}»" if self.value != "" else N_(" (trống)")
        return N_("dòng %(row)s, cột %(column)s (%(header)s)%(value)s: %(message)s", row=str(self.row),
                  column=self.letter, header=self.header, value=value, message=self.message)

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
    score: dict | None = None  # the self-assessment score afterwards, as stored (None while values are missing)
    created: bool = False  # the import creates (or created) the commune's dossier
    version: int | None = None  # the dossier's lock_version when the row was checked (None: it had none)

    def outcome(self) -> Message:
        """What the row does and the score afterwards: "3 chỉ số thay đổi; 935/1.000 điểm, ngưỡng 850 → …"."""
        created = N_("tạo hồ sơ, ") if self.created else ""
        changes = N_("%(count)s chỉ số thay đổi", count=str(len(self.changes))) if self.changes \
            else N_("không thay đổi")
        return Message("%(created)s%(changes)s; %(result)s", created=created, changes=changes, result=self._result())

    def _result(self) -> Message:
        if self.score:
            try:
                score = ScoreResult.from_stored(self.score)
            except StoredScoreError as exc:
                return N_("không đọc được điểm đã lưu (%(why)s)", why=str(exc))
            verdict = N_("đủ điều kiện công nhận") if score.recognized else N_("chưa đủ điều kiện công nhận")
            return N_("%(total)s/%(max)s điểm, ngưỡng %(threshold)s → %(verdict)s", total=score.total,
                      max=score.max_total, threshold=score.threshold, verdict=verdict)
        if self.missing:
            return N_("chưa chấm điểm: còn %(count)s chỉ số chưa nhập", count=str(len(self.missing)))
        return N_("chưa chấm điểm")

    def line(self) -> Message:
        return N_("dòng %(row)s %(code)s %(name)s: %(outcome)s", row=f"{self.row:<5}", code=f"{self.commune_code:<6}",
                  name=self.commune_name, outcome=self.outcome())


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

    def seen_versions(self) -> dict[int, int]:
        """Dossier id → the lock_version this check saw, for the dossier of every row: what a confirmation of
        this preview passes as ``expected_versions`` (a row that changes nothing now may change something once
        its dossier changed, so every row counts)."""
        return {r.dossier_id: r.version for r in self.rows if r.version is not None}

    def seen_new(self) -> set[str]:
        """The communes of the rows that had no dossier yet (``expect_new`` of a confirmation)."""
        return {r.commune_code for r in self.rows if r.version is None}

    def summary(self) -> Message:
        head = N_("Thử (không lưu)") if self.dry_run else (N_("Đã nhập") if self.stored else N_("Không nhập"))
        bad = N_("; %(count)s ô sai", count=len(self.problems)) if self.problems else ""
        return N_("%(head)s %(source)s, năm %(year)s, bộ tiêu chí %(version)s: %(rows)s dòng; %(changed)s hồ sơ thay "
                  "đổi (%(created)s tạo mới), %(unchanged)s không thay đổi%(bad)s", head=head, source=self.source,
                  year=str(self.year), version=self.criteria_version, rows=len(self.rows),
                  changed=len(self.changed), created=self.created, unchanged=self.unchanged, bad=bad)

    def problem_lines(self) -> list[Message]:
        """The refusal of a file with bad cells: a head line, then one line per bad cell."""
        head = N_("%(file)s: %(count)s ô sai, không có gì được lưu:", file=self.source, count=len(self.problems))
        return [head, *(p.describe() for p in self.problems)]

    def problem_text(self) -> str:
        return "\n".join(str(line) for line in self.problem_lines())


class ImportRefused(CfcError):
    """A file has bad cells: nothing was stored. ``report`` lists every one."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(report.problem_text())


class ImportConflict(ConflictError):
    """Dossiers changed since the preview that a confirmation is bound to: nothing was stored. ``conflicts``
    names each dossier, its commune and who changed what since the preview."""

    def __init__(self, report: ImportReport, conflicts: list[str]):
        self.report, self.conflicts = report, conflicts
        super().__init__(f"{report.source}: {format_number(len(conflicts))} hồ sơ đã thay đổi sau khi xem trước, "
                         "không có gì được lưu; hãy kiểm tra lại tệp:\n" + "\n".join(conflicts))
