"""Checking an import file, every cell before anything is stored: the header (indicator codes of the round's
criteria version), then each row (its commune, the importer's jurisdiction, each value, ratio pairs, the
dossier's state). Each good row becomes a plan for ``storing``; its new score is computed by the ``Scorer``
while the rest of the file is checked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine.assessment import Commune, canonical_text, check_values, from_canonical, pair_problems
from engine.errors import AssessmentError
from engine.messages import N_
from engine.models import CriteriaVersion
from engine.numbers import format_number
from engine.shared import shared_sources
from engine.workflow import LABELS, round_date

from .. import authority
from ..lookup import load_user
from ..models import CommuneCategory, Dossier, IndicatorValue, Unit, User
from ..units import valid_on
from .cells import classify, commune_code, fold, parse_cell, ratio_pairs, shown_value
from .outcome import CellProblem, ImportReport, RowResult
from .progress import Progress
from .read import Row, Table, column_letter, shown
from .scorer import Scorer
from .template import COMMUNE_COLUMN, COMMUNE_LABEL, NAME_COLUMN

if TYPE_CHECKING:
    from ..service import DossierService

def may_import(service: DossierService, user: User, commune: Unit, year: int) -> bool:
    """The procedure of the round gives the user ``import`` and the commune lies within their unit."""
    return authority.allows(service.procedures, user, "import", commune=commune, year=year)


class ImportJob:
    """One import of ``table`` into round ``year`` by ``username``, in the session ``s``: what ``check`` found
    (``report``, ``plans``, ``to_score``) and what ``storing.store`` needs (units, dossiers, stored values)."""

    def __init__(self, service: DossierService, session: Session, table: Table, year: int, username: str,
                 dry_run: bool, scorer: Scorer):
        self.service, self.s, self.table, self.year, self.scorer = service, session, table, year, scorer
        self.day = round_date(year)
        self.user = load_user(session, username)
        authority.check(service.procedures, self.user, "import", year=year)  # role and level; rows: jurisdiction
        self.version = service.registry.in_force(self.day)
        self.report = ImportReport(table.source, year, username, self.version.id, dry_run)
        self.columns: dict[int, str] = {}  # 1-based column → indicator code
        self.skipped: set[int] = set()  # commune_name and columns already reported at the header
        self.plans: list[tuple[RowResult, Unit | None, Dossier | None, str | None]] = []
        self.to_score: list[tuple[RowResult, int]] = []  # rows whose new score is wanted, with its handle
        self._maps: dict[str, tuple[CriteriaVersion, dict, dict[str, list[str]]]] = {}
        self.dossiers: dict[int, Dossier] | None = None  # commune id → dossier of the round, once loaded

    def version_of(self, dossier: Dossier | None) -> tuple[CriteriaVersion, dict, dict[str, list[str]]]:
        """The criteria version of a row (its dossier's, else the round's), its indicators and ratio pairs."""
        version_id = dossier.criteria_version if dossier else self.version.id
        if version_id not in self._maps:
            version = self.service.registry.get(version_id)
            self._maps[version_id] = (version, version.indicator_map(), ratio_pairs(version))
        return self._maps[version_id]

    def problem(self, row: int, column: int, header: str, value: str, reason: str, message: str) -> None:
        self.report.problems.append(CellProblem(row, column, header, value, reason, message))

    # -------------------------------------------------------------------------------------------- header
    def read_header(self) -> bool:
        header = self.table.header
        if not header or header[0].strip().lower() != COMMUNE_COLUMN:
            self.problem(1, 1, header[0] if header else "", header[0] if header else "", "missing_commune_column",
                         N_("cột đầu tiên phải là commune_code (tải mẫu bằng `cfc import template`)"))
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
                             N_("không có chỉ số %(code)s trong bộ tiêu chí %(version)s", code=text,
                                version=self.version.id))
            elif code in seen:
                self.skipped.add(col)
                self.problem(1, col, text, text, "duplicate_column",
                             N_("chỉ số %(code)s đã có ở cột %(column)s", code=code, column=column_letter(seen[code])))
            else:
                seen[code] = col
                self.columns[col] = code
        return True

    def is_label_row(self, row: Row) -> bool:
        first = row.get(1)
        if isinstance(first, str) and fold(first) == fold(COMMUNE_LABEL):
            return True
        if first is not None and not (isinstance(first, str) and not first.isdigit()):
            return False
        labels = self.version.indicator_map()
        return any(isinstance(row.get(col), str) and fold(row.get(col)).startswith(fold(labels[code].label))
                   for col, code in self.columns.items())

    # ---------------------------------------------------------------------------------------------- rows
    def load(self) -> None:
        s = self.s
        units = list(s.execute(select(Unit)).scalars())  # all in the identity map: ancestors need no query
        self.communes = {u.code: u for u in units if u.level == "commune" and valid_on(u, self.day)}
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
        with progress(N_("Kiểm tra"), len(rows)) as bar:
            for row in rows:
                for col in range(2, len(row.cells) + 1):
                    if (row.get(col) is not None and col not in self.columns and col not in self.skipped
                            and col not in missing_header):
                        missing_header.add(col)
                        self.problem(row.number, col, N_("không có mã"), shown(row.get(col)), "missing_header",
                                     N_("cột có dữ liệu nhưng dòng 1 không ghi mã chỉ số"))
                self.check_row(row, seen)
                bar.update(1)

    def check_row(self, row: Row, seen: dict[int, int]) -> None:
        """Every cell of a row; a good row is planned (and its new score submitted)."""
        before = len(self.report.problems)
        code, commune, dossier = self.commune_of(row, seen)
        version, indicators, pairs = self.version_of(dossier)
        typed, where = self.typed_cells(row, version, indicators)
        self.check_shared(row, version, typed, where)
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
            self.check_dossier(row, code, commune, dossier, category, changes)
        if commune is None or len(self.report.problems) > before:
            return
        result = RowResult(row.number, commune.code, commune.name, dossier.id if dossier else None,
                           dossier.status if dossier else "draft", changes,
                           [c for c in indicators if c not in merged],
                           created=dossier is None and bool(changes),
                           version=dossier.lock_version if dossier else None)
        self.report.rows.append(result)
        self.plans.append((result, commune, dossier, category))
        if changes and not result.missing:
            self.submit(row, code, result, category, version, merged)

    def commune_of(self, row: Row, seen: dict[int, int]) -> tuple[str | None, Unit | None, Dossier | None]:
        """The row's commune code, the commune (None when refused: unknown, repeated, outside the importer's
        jurisdiction) and its dossier of the round (None when it has none yet)."""
        code = commune_code(row.get(1))
        if code is None:
            self.problem(row.number, 1, COMMUNE_COLUMN, "", "missing_commune_code", N_("thiếu mã xã"))
            return None, None, None
        commune = self.find(code)
        if commune is None:
            self.problem(row.number, 1, COMMUNE_COLUMN, code, "unknown_commune",
                         N_("không có xã, phường, đặc khu nào mã %(code)s vào ngày %(day)s", code=code,
                            day=self.day.isoformat()))
            return code, None, None
        if commune.id in seen:
            self.problem(row.number, 1, COMMUNE_COLUMN, code, "duplicate_commune",
                         N_("%(commune)s đã có ở dòng %(row)s", commune=commune.name, row=str(seen[commune.id])))
            return code, None, None
        if not may_import(self.service, self.user, commune, self.year):
            self.problem(row.number, 1, COMMUNE_COLUMN, code, "outside_jurisdiction",
                         N_("%(commune)s không thuộc địa bàn của %(user)s (%(unit)s)", commune=commune.name,
                            user=self.user.username, unit=self.user.unit.name))
            return code, None, None
        seen[commune.id] = row.number
        return code, commune, self.dossiers.get(commune.id)

    def typed_cells(self, row: Row, version: CriteriaVersion, indicators: dict) -> tuple[dict, dict[str, int]]:
        """The row's values as code → typed value, and code → column; every bad cell is reported."""
        typed, where = {}, {}
        for col, ind_code in self.columns.items():
            value = row.get(col)
            if value is None:
                continue
            indicator = indicators.get(ind_code)
            if indicator is None:
                self.problem(row.number, col, ind_code, shown_value(value), "unknown_indicator",
                             N_("hồ sơ theo bộ tiêu chí %(version)s không có chỉ số %(code)s", version=version.id,
                                code=ind_code))
                continue
            parsed, message = parse_cell(indicator.type, value)
            if message:
                reason, text = classify(message)
                self.problem(row.number, col, ind_code, shown_value(value), reason, text)
            else:
                typed[ind_code], where[ind_code] = parsed, col
        return typed, where

    def check_dossier(self, row: Row, code: str, commune: Unit, dossier: Dossier | None, category: str | None,
                      changes: dict) -> None:
        """A row that changes values needs a dossier in draft, or a commune category to create one."""
        if dossier is not None and dossier.status != "draft":
            self.problem(row.number, 1, COMMUNE_COLUMN, code, "not_draft",
                         N_("hồ sơ %(id)s của %(commune)s đang ở trạng thái «%(status)s»: chỉ nhập vào hồ sơ đang "
                            "soạn (sẽ đổi %(codes)s)", id=str(dossier.id), commune=commune.name,
                            status=LABELS[dossier.status], codes=", ".join(sorted(changes))))
        if dossier is None and category is None:
            self.problem(row.number, 1, COMMUNE_COLUMN, code, "no_category",
                         N_("chưa có phân loại của %(commune)s năm %(year)s: nhập cột category_%(year)s bằng "
                            "`cfc units import`", commune=commune.name, year=str(self.year)))

    def submit(self, row: Row, code: str, result: RowResult, category: str | None, version: CriteriaVersion,
               merged: dict) -> None:
        """Send a complete row's values to the scorer (unless the file is refused anyway)."""
        try:
            checked = check_values(version, merged, category)
        except AssessmentError as exc:  # only a category the criteria version does not know is left
            self.problem(row.number, 1, COMMUNE_COLUMN, code, "no_category", "; ".join(map(str, exc.problems)))
            self.report.rows.pop()
            self.plans.pop()
            return
        if self.report.problems and not self.report.dry_run:
            return  # the file is refused: its scores are never wanted
        job = (version.id, Commune(result.commune_code, result.commune_name, category), self.year, checked)
        self.to_score.append((result, self.scorer.submit(job)))

    def check_shared(self, row: Row, version: CriteriaVersion, typed: dict, where: dict[str, int]) -> None:
        """A shared number (``same_as``: the commune's children) is one number. A file with one column for it
        gives it to every criterion that shares it; a file with the old columns (TC03, TC04, TC05) must give
        equal values: an unequal one is refused naming both cells."""
        for copy, source in shared_sources(version).items():
            if source in where and copy not in where:
                typed[copy] = typed[source]
            elif source in where and typed[copy] != typed[source]:
                here, there = where[copy], where[source]
                self.problem(row.number, here, copy, format_number(typed[copy]), "shared_differs",
                             N_("%(copy)s (ô %(here)s) = %(copy_value)s khác %(source)s (ô %(there)s) = "
                                "%(source_value)s: cùng một số (tổng số trẻ em trên địa bàn), ghi giống nhau ở mọi "
                                "cột", copy=copy, here=f"{column_letter(here)}{row.number}", copy_value=typed[copy],
                                source=source, there=f"{column_letter(there)}{row.number}",
                                source_value=typed[source]))

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
                note = "" if top in where and bottom in where else N_(" (giá trị kia đang lưu trong hồ sơ)")
                self.problem(row.number, col, header, format_number(merged[header]), "above_denominator",
                             N_("tử số lớn hơn mẫu số: %(top)s = %(top_value)s > %(bottom)s = %(bottom_value)s%(note)s",
                                top=top, top_value=merged[top], bottom=bottom, bottom_value=merged[bottom],
                                note=note))
