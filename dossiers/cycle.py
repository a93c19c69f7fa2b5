"""The recognition cycle applied to stored recognitions: how long each stands (its procedure's ``cycle``,
``engine.cycle``), and which recognitions of a province expire by the end of the next reassessment round, for
the province dashboard and its spreadsheet.

A commune's latest recognition counts: one recognised again in a later round is listed by the later one. A
date computed from a provisional cycle (a part not verified against the legal text) says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.workflow import Procedure, procedure_by_id, procedure_for

from . import authority
from .bulk.write import Sheet, xlsx_bytes
from .lookup import load_user

if TYPE_CHECKING:
    from .service import DossierService, DossierView


@dataclass(frozen=True)
class Validity:
    """The last day a recognition stands, and whether the rule that gave it is provisional."""

    until: dt.date
    provisional: bool


@dataclass(frozen=True)
class Expiring:
    dossier_id: int
    commune_code: str
    commune_name: str
    district: str
    year: int
    decision_number: str | None
    decision_date: str | None
    valid_until: dt.date
    expired: bool  # already past on the day asked
    provisional: bool


@dataclass(frozen=True)
class ExpiryList:
    round_year: int  # the next reassessment round (under way or to come)
    round_end: dt.date
    provisional: bool  # the rounds or the validity are not verified against the legal text
    rows: list[Expiring]


def validity(procedures: list[Procedure], procedure_id: str, year: int, decision_date: dt.date | None
             ) -> Validity:
    """How long the recognition of a dossier of ``procedure_id`` in round ``year`` stands."""
    cycle = procedure_by_id(procedure_id, procedures).cycle
    return Validity(cycle.validity_end(year, decision_date), cycle.provisional)


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def expiring(svc: DossierService, username: str, today: dt.date) -> ExpiryList:
    """The recognitions in the user's jurisdiction that stand no later than the end of the next round (those
    already past included), soonest first. Needs the ``report`` step of the procedure in force today."""
    cycle = procedure_for(today, svc.procedures).cycle
    year = cycle.upcoming_round(today)
    end = cycle.round_end(year)
    with svc.transaction(readonly=True) as s:
        authority.check(svc.procedures, load_user(s, username), "report", year=year)
    latest: dict[str, DossierView] = {}
    for view in svc.list(username, status="recognized"):
        if view.commune_code not in latest or latest[view.commune_code].year < view.year:
            latest[view.commune_code] = view
    rows = []
    for v in latest.values():
        valid = validity(svc.procedures, v.procedure, v.year, _day(v.decision_date))
        if valid.until <= end:
            rows.append(Expiring(v.id, v.commune_code, v.commune_name, v.units.get("district", ""), v.year,
                                 v.decision_number, v.decision_date, valid.until, valid.until < today,
                                 valid.provisional))
    rows.sort(key=lambda r: (r.valid_until, r.commune_code))
    return ExpiryList(year, end, cycle.provisional or any(r.provisional for r in rows), rows)


def expiry_xlsx(found: ExpiryList) -> bytes:
    """The list as a spreadsheet: one row per recognition, and a note when the dates are provisional."""
    sheet = Sheet(
        title=f"Het han truoc dot {found.round_year}",
        columns=["dossier_id", "commune_code", "commune_name", "district", "year", "decision_number",
                 "decision_date", "valid_until", "expired", "provisional"],
        labels=["Hồ sơ", "Mã xã", "Xã, phường", "Huyện", "Năm đánh giá", "Quyết định công nhận", "Ngày quyết định",
                "Hiệu lực đến", "Đã hết hạn", "Tạm tính"],
        rows=[[r.dossier_id, r.commune_code, r.commune_name, r.district, r.year, r.decision_number or "",
               r.decision_date or "", r.valid_until.isoformat(), "có" if r.expired else "không",
               "có" if r.provisional else "không"] for r in found.rows],
        widths={3: 28, 4: 24, 6: 18, 7: 14, 8: 14},
        freeze="A3",
    )
    note = Sheet(title="Ghi chu", columns=["note"], rows=[
        [f"Đợt đánh giá lại kế tiếp: tháng {found.round_end.month}/{found.round_year} "
         f"(đến {found.round_end.isoformat()})"],
        ["Thời hạn công nhận và lịch đánh giá lại là TẠM TÍNH, chưa đối chiếu văn bản chính thức"
         if found.provisional else "Thời hạn công nhận và lịch đánh giá lại đã đối chiếu văn bản chính thức"],
    ], widths={1: 90}, wrap=True)
    return xlsx_bytes([sheet, note])
