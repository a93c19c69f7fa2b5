"""The impact of a criteria correction as a workbook: summary, the communes that change eligibility, the change
per criterion, and the dossiers that could not be compared (Vietnamese labels under the column keys)."""

from __future__ import annotations

from engine.messages import N_

from .bulk.write import Sheet, xlsx_bytes
from .impact import Impact, iter_rows, status_label

FLIP_COLUMNS = ["commune_code", "commune_name", "district", "status", "values_used", "old_total", "new_total",
                "change", "old_eligible", "new_eligible", "old_failed", "new_failed", "dossier_id"]
FLIP_LABELS = ["Mã xã", "Tên xã", "Huyện (đến 30/6/2025)", "Trạng thái hồ sơ", "Số liệu dùng", "Tổng điểm hiện hành",
               "Tổng điểm đề xuất", "Chênh lệch", "Hiện hành", "Đề xuất", "Điều kiện chưa đạt (hiện hành)",
               "Điều kiện chưa đạt (đề xuất)", "Số hồ sơ"]


YEAR = N_("Kỳ đánh giá")  # a year, written without separators


def summary_lines(impact: Impact) -> list[tuple[str, object]]:
    """(label, value) pairs: what the summary of the command and the workbook say. Labels are messages: the
    workbook writes them in Vietnamese, the command in its language."""
    return [
        (YEAR, impact.year),
        (N_("Tỉnh"), impact.province or N_("toàn bộ địa bàn của người xem")),
        (N_("Bộ tiêu chí hiện hành"), f"{impact.base} ({impact.base_fingerprint})"),
        (N_("Bản đề xuất"), f"{impact.proposed} ({impact.proposed_fingerprint}) {impact.proposed_file}".strip()),
        (N_("Tổng số hồ sơ"), impact.dossiers),  # not "Số hồ sơ": that is a dossier's number
        (N_("Số hồ sơ được so sánh"), impact.compared),
        (N_("Trở thành đạt"), len(impact.gained)),
        (N_("Trở thành không đạt"), len(impact.lost)),
        (N_("Không so sánh được (số liệu chưa đủ)"), len(impact.incomplete)),
        (N_("Chấm theo bộ tiêu chí khác"), impact.other_version),
    ]


def impact_sheets(impact: Impact) -> list[Sheet]:
    summary = Sheet("Tóm tắt", ["item", "value"], ["Nội dung", "Giá trị"],
                    [[k, v] for k, v in summary_lines(impact)], {1: 40, 2: 60})
    flips = Sheet("Thay đổi", FLIP_COLUMNS, FLIP_LABELS, list(iter_rows(impact)),
                  {2: 26, 3: 22, 4: 18, 11: 50, 12: 50}, freeze="C3", wrap=True)
    shifts = Sheet("Theo tiêu chí", ["criterion", "title", "average_change", "largest_change", "dossiers_changed"],
                   ["Tiêu chí", "Tên tiêu chí", "Thay đổi bình quân (điểm)", "Thay đổi lớn nhất (điểm)",
                    "Số hồ sơ thay đổi"],
                   [[s.code, s.title, s.average, s.largest, s.changed] for s in impact.shifts], {2: 60}, freeze="B3")
    incomplete = Sheet("Không so sánh được", ["commune_code", "commune_name", "status", "reason", "dossier_id"],
                       ["Mã xã", "Tên xã", "Trạng thái hồ sơ", "Lý do", "Số hồ sơ"],
                       [[i.commune_code, i.commune_name, status_label(i.status), i.reason, i.dossier_id]
                        for i in impact.incomplete], {2: 26, 3: 18, 4: 80}, wrap=True)
    return [summary, flips, shifts, incomplete]


def impact_xlsx(impact: Impact) -> bytes:
    return xlsx_bytes(impact_sheets(impact))
