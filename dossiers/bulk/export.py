"""Exports of a round: results per commune, the self-assessed values (in the import layout) and the audit trail.

Every export covers the dossiers in the acting user's jurisdiction only (their unit contains the commune).

* results: per commune its unit path, category, status, each criterion's points, the total, the maximum, the
  threshold, whether every recognition condition holds, and the recognition decision. Points come from the
  appraisal (``verified_score``) once there is one, else from the self-assessment (``self_score``); the column
  ``score_source`` says which. A dossier still without a complete set of values has empty points; so has one
  whose stored score cannot be read (``score_source`` says so). Numbers stay numbers in the cells.
* values: the layout of ``cfc import template`` filled with each dossier's self-assessed values, so the file
  imports back with no change.
* audit: every audit entry of a dossier or of a round's dossiers, in chain order.

XLSX workbooks hold results, values and notes as sheets; CSV files hold one table (UTF-8 with BOM).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.errors import CfcError, NotFound
from engine.messages import N_, Message
from engine.models import CriteriaVersion
from engine.numbers import format_number
from engine.result import ScoreResult
from engine.workflow import LABELS, round_date

from .. import authority
from ..audit import VIETNAM
from ..lookup import load_user
from ..models import AuditEntry, Dossier, Unit, User
from ..service import DossierService
from ..service.view import readable_score
from ..units import code_order, contains, within
from .template import values_sheet
from .write import Sheet, output_format, write_tables

log = logging.getLogger(__name__)
SOURCE_LABELS = {"verified": "thẩm định", "self": "tự đánh giá", "unreadable": "không đọc được điểm đã lưu"}


WHAT = {"results": N_("kết quả"), "values": N_("chỉ số"), "audit entries": N_("mục nhật ký")}


@dataclass
class ExportSummary:
    path: Path
    rows: int
    what: str

    def __str__(self) -> str:
        return self.message()

    def message(self) -> Message:
        what = WHAT.get(self.what, self.what)
        return N_("đã ghi %(file)s (%(what)s: %(rows)s dòng)", file=str(self.path), what=what, rows=self.rows)


def _dossiers(session: Session, user: User, year: int) -> list[Dossier]:
    rows = session.execute(select(Dossier).where(Dossier.year == year, Dossier.commune_id.in_(within(user.unit_id)))
                           .options(selectinload(Dossier.values))).scalars()
    found = [d for d in rows if contains(user.unit, d.commune)]
    return sorted(found, key=lambda d: _sort_key(d.commune))


def _sort_key(commune: Unit) -> tuple:
    path = [commune, *commune.ancestors()][::-1]
    return tuple((u.level, code_order(u.code)) for u in path)


def _parents(commune: Unit) -> tuple[str, str]:
    names = {a.level: a.name for a in commune.ancestors()}
    return names.get("district", ""), names.get("province", "")


def round_version(service: DossierService, year: int, dossiers: list[Dossier]) -> CriteriaVersion:
    """The criteria version of a round: the one of its dossiers (all alike), else the one in force then."""
    ids = sorted({d.criteria_version for d in dossiers})
    if len(ids) > 1:
        raise CfcError(N_("hồ sơ năm đánh giá %(year)s theo nhiều bộ tiêu chí (%(versions)s): không xuất chung một "
                          "bảng được", year=str(year), versions=", ".join(ids)))
    return service.registry.get(ids[0]) if ids else service.registry.in_force(round_date(year))


def score_of(dossier: Dossier) -> tuple[ScoreResult | None, str]:
    """The score that stands (the appraisal once there is one, else the self-assessment) and which it is;
    (None, "unreadable") when the stored score cannot be read."""
    for source, stored in (("verified", dossier.verified_score), ("self", dossier.self_score)):
        if stored:
            result, why = readable_score(stored)
            if why is not None:
                log.warning("dossier %s: stored %s score cannot be read: %s", dossier.id, source, why)
                return None, "unreadable"
            return result, source
    return None, ""


# -------------------------------------------------------------------------------------------------- results
def results_sheet(version: CriteriaVersion, dossiers: list[Dossier]) -> Sheet:
    crit = [c.code for c in version.criteria]
    columns = ["commune_code", "commune_name", "district", "province", "category", "status", "status_label",
               "criteria_version", "score_source", *crit, "total", "max_total", "threshold",
               "meets_conditions", "failed_conditions", "decision_number", "decision_date", "dossier_id"]
    labels = ["Mã xã", "Tên xã", "Huyện (đến 30/6/2025)", "Tỉnh, thành phố", "Loại xã", "Trạng thái (mã)",
              "Trạng thái", "Bộ tiêu chí", "Nguồn điểm",
              *[f"{c.code}: {c.title} (tối đa {format_number(c.max_points)})" for c in version.criteria],
              "Tổng điểm", "Điểm tối đa", "Ngưỡng công nhận", "Đủ điều kiện công nhận",
              "Điều kiện chưa đạt", "Số quyết định", "Ngày quyết định", "Số hồ sơ"]
    rows = []
    for d in dossiers:
        result, source = score_of(d)
        district, province = _parents(d.commune)
        points = {c.code: c.points for c in result.criteria} if result else {}
        rows.append([
            d.commune.code, d.commune.name, district, province, d.category, d.status, LABELS.get(d.status, d.status),
            d.criteria_version, SOURCE_LABELS.get(source, ""),
            *[points.get(code) for code in crit],
            result.total if result else None, result.max_total if result else None,
            result.threshold if result else None,
            ("có" if result.recognized else "không") if result else None,
            "; ".join(f.message for f in result.failed_conditions) if result else None,
            d.decision_number, d.decision_date, d.id,
        ])
    widths = {1: 10, 2: 26, 3: 22, 4: 22, 5: 18, 7: 18, 14 + len(crit): 50}
    return Sheet("Kết quả", columns, labels, rows, widths, freeze="C3")


ZONE = "giờ Việt Nam, UTC+07:00"  # stated in every file that carries a time


def local_stamp(stamp: str | None) -> str:
    """An ISO UTC stamp as Vietnam's local time, ``dd/mm/yyyy hh:mm:ss`` (the zone is stated in the header)."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")


def notes_sheet(version: CriteriaVersion, year: int, actor: str, what: str, count: int) -> Sheet:
    made = dt.datetime.now(VIETNAM).strftime("%d/%m/%Y %H:%M")
    lines = [
        f"{what} — kỳ đánh giá năm {year}",
        f"Người xuất: {actor}; lúc {made} ({ZONE})",
        f"Bộ tiêu chí: {version.id} ({version.title}); {count} hồ sơ thuộc địa bàn của người xuất.",
        "Điểm lấy từ kết quả thẩm định khi đã có, nếu chưa thì từ kết quả tự đánh giá (cột score_source).",
        "Sheet «Chỉ số» có định dạng của mẫu nhập: nhập lại tệp này bằng `cfc import` không thay đổi gì.",
    ]
    if version.provisional:
        lines.append(f"LƯU Ý: {version.id} là bộ tiêu chí TẠM THỜI; điểm số chỉ để tham khảo.")
    return Sheet("Ghi chú", ["Ghi chú"], None, [[t] for t in lines], {1: 120}, wrap=True)


def export_results(service: DossierService, username: str, year: int, path: Path | str) -> ExportSummary:
    """XLSX: results, values and notes sheets; CSV: the results table."""
    return _export_round(service, username, year, path, "results", "Kết quả đánh giá xã, phường phù hợp với trẻ em")


def export_values(service: DossierService, username: str, year: int, path: Path | str) -> ExportSummary:
    """The self-assessed values of a round in the import layout (imports back unchanged)."""
    return _export_round(service, username, year, path, "values", "Chỉ số tự đánh giá")


def _export_round(service: DossierService, username: str, year: int, path: Path | str, what: str, title: str
                  ) -> ExportSummary:
    """The round's dossiers in the user's jurisdiction: the results sheet first (``what`` = "results"), then
    the values in the import layout and the notes headed ``title``."""
    output_format(path)
    with service.transaction(readonly=True) as s:
        user = load_user(s, username)
        authority.check(service.procedures, user, "export", year=year)
        dossiers = _dossiers(s, user, year)
        version = round_version(service, year, dossiers)
        sheets = [results_sheet(version, dossiers)] if what == "results" else []
        sheets += [_values(version, dossiers),
                   notes_sheet(version, year, user.full_name or username, title, len(dossiers))]
    write_tables(path, sheets)
    return ExportSummary(Path(path), len(dossiers), what)


def _values(version: CriteriaVersion, dossiers: list[Dossier]) -> Sheet:
    rows = [(d.commune.code, d.commune.name, {v.code: v.self_value for v in d.values}) for d in dossiers]
    return values_sheet(version, rows, with_names=True)


# ---------------------------------------------------------------------------------------------------- audit
AUDIT_COLUMNS = ["seq", "at", "actor", "action", "dossier_id", "dossier_version", "commune_code", "commune_name",
                 "year", "target", "before", "after", "reason", "hash"]
AUDIT_LABELS = ["Số thứ tự", f"Thời điểm ({ZONE})", "Người thực hiện", "Thao tác", "Số hồ sơ", "Phiên bản hồ sơ",
                "Mã xã", "Tên xã", "Năm", "Đối tượng", "Trước", "Sau", "Lý do", "Mã băm (chuỗi kiểm toán)"]


def _json_text(stored: str) -> str:
    """Audit before/after are canonical JSON; keep them, with Vietnamese shown as letters, not escapes."""
    try:
        value = json.loads(stored)
    except (TypeError, ValueError):
        return stored
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_sheet(entries: list[AuditEntry], dossiers: dict[int, Dossier]) -> Sheet:
    rows = []
    for e in entries:
        d = dossiers.get(e.dossier_id)
        rows.append([e.seq, local_stamp(e.at), e.actor, e.action, e.dossier_id, e.dossier_version,
                     d.commune.code if d else None, d.commune.name if d else None, d.year if d else None,
                     e.target, _json_text(e.before), _json_text(e.after), e.reason, e.hash])
    widths = {2: 28, 3: 16, 4: 20, 8: 24, 10: 30, 11: 50, 12: 50, 13: 40, 14: 20}
    return Sheet("Nhật ký", AUDIT_COLUMNS, AUDIT_LABELS, rows, widths, freeze="A3", wrap=True)


def export_audit(service: DossierService, username: str, path: Path | str, *, year: int | None = None,
                 dossier_id: int | None = None) -> ExportSummary:
    """The audit trail of one dossier, or of every dossier of a round in the user's jurisdiction."""
    output_format(path)
    if (year is None) == (dossier_id is None):
        raise CfcError(N_("hãy xuất nhật ký của một năm đánh giá (--round NĂM) hoặc của một hồ sơ (--dossier SỐ)"))
    with service.transaction(readonly=True) as s:
        user = load_user(s, username)
        if dossier_id is not None:
            dossier = s.get(Dossier, dossier_id)
            if dossier is None:
                raise NotFound(N_("không có hồ sơ %(id)s", id=str(dossier_id)))
            authority.check(service.procedures, user, "export", dossier=dossier)
            dossiers = {dossier.id: dossier}
        else:
            authority.check(service.procedures, user, "export", year=year)
            found = s.execute(select(Dossier).where(Dossier.year == year,
                                                    Dossier.commune_id.in_(within(user.unit_id)))).scalars()
            dossiers = {d.id: d for d in found if contains(user.unit, d.commune)}
        entries = []
        ids = sorted(dossiers)
        for start in range(0, len(ids), 500):  # IN lists of bounded length
            chunk = ids[start:start + 500]
            entries.extend(s.execute(select(AuditEntry).where(AuditEntry.dossier_id.in_(chunk))).scalars())
        entries.sort(key=lambda e: e.seq)
        sheet = audit_sheet(entries, dossiers)
    write_tables(path, [sheet])
    return ExportSummary(Path(path), len(entries), "audit entries")
