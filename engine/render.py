"""Plain-text renderings for the command line: a score as a Vietnamese table, an assessment template."""

from __future__ import annotations

import unicodedata

from .models import CriteriaVersion
from .scoring import ScoreResult


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def score_table(result: ScoreResult) -> str:
    r = result
    lines = []
    status = " [TẠM THỜI — chưa đối chiếu văn bản chính thức]" if r.provisional else ""
    lines.append(f"{r.commune['name']} ({r.commune['code']}) — {r.category['label']}")
    lines.append(f"Bộ tiêu chí: {r.criteria_version}{status}; năm {r.year or '—'}; máy chấm: {r.engine}")
    lines.append("")
    lines.append(f"{'Mã':<5} {'Tiêu chí':<58} {'Điểm':>5} {'Tối đa':>6}  Đạt")
    for crit in r.criteria:
        title = crit.title if len(crit.title) <= 58 else crit.title[:57] + "…"
        mark = "✓" if crit.met else "✗"
        lines.append(f"{crit.code:<5} {title:<58} {crit.points:>5} {crit.max_points:>6}  {mark}")
        for comp in crit.components:
            lines.append(f"      · {comp.explanation.split(': ', 1)[1]}")
    lines.append("")
    verdict = "ĐỦ ĐIỀU KIỆN CÔNG NHẬN" if r.recognized else "CHƯA ĐỦ ĐIỀU KIỆN CÔNG NHẬN"
    lines.append(f"Tổng điểm: {r.total}/{r.max_total} — ngưỡng {r.threshold} → {verdict}")
    for failed in r.failed_conditions:
        lines.append(f"  ✗ {failed.message}")
    if r.gaps:
        lines.append("Có thể cải thiện:")
        for gap in r.gaps:
            lines.append(f"  - {gap.message}")
    if r.plan.steps:
        lines.append(f"Đề xuất: {r.plan.message}")
    for notice in r.notices:
        lines.append(f"LƯU Ý: {notice}")
    return nfc("\n".join(lines))


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def template(version: CriteriaVersion, example: dict | None = None, header: dict | None = None) -> str:
    """A blank (or filled) assessment file: every indicator, with its label as a comment."""
    header = header or {"code": "", "name": "", "category": "other", "year": None, "assessed_on": None}
    cats = " | ".join(c.id for c in version.categories)
    out = [f"# Bản tự đánh giá theo bộ tiêu chí {version.id}: {version.title}"]
    if version.provisional:
        out.append(f"# LƯU Ý: {version.id} là bộ tiêu chí TẠM THỜI; điểm số chỉ để tham khảo.")
    out.append("# Giá trị có/không: true/false; số trẻ em, số vụ: số nguyên; điểm khảo sát: 0–100.")
    out.append(
        f"commune: {{code: {_yaml_str(header['code'])}, name: {_yaml_str(header['name'])}, "
        f"category: {header['category']}}}  # category: {cats}"
    )
    out.append(f"year: {header['year'] if header['year'] else 'null'}")
    out.append(f"criteria_version: {version.id}")
    out.append(f"assessed_on: {header['assessed_on'] or 'null'}")
    out.append("indicators:")
    for crit in version.criteria:
        out.append(f"  # {crit.code} — {crit.title} (tối đa {crit.max_points} điểm)")
        for ind in crit.indicators:
            value = "null" if example is None else _scalar(example[ind.code])
            out.append(f"  {ind.code}: {value}  # {ind.label}")
    return nfc("\n".join(out) + "\n")


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# A commune that meets every condition under qd06-2019 (935 points, category "other"): the README walk-through.
EXAMPLE_HEADER = {"code": "23284", "name": "Xã Đắk Rơ Wa", "category": "other", "year": 2024,
                  "assessed_on": "2024-11-15"}
EXAMPLE_VALUES = {
    "TC01.officer": True, "TC01.collaborators": True, "TC01.board": True, "TC01.budget": True,
    "TC02.children_born": 120, "TC02.registered_on_time": 119,
    "TC03.children": 2400, "TC03.abused": 1,
    "TC04.children": 2400, "TC04.offending": 0,
    "TC05.children": 2400, "TC05.injured": 3, "TC05.deaths": 0,
    "TC06.special_children": 40, "TC06.special_children_supported": 39, "TC06.cases": 2, "TC06.cases_with_plan": 2,
    "TC07.children_under_1": 50, "TC07.fully_immunised": 49,
    "TC08.children_under_5": 600, "TC08.underweight": 45, "TC08.stunted": 96,
    "TC09.children": 2400, "TC09.health_checked": 2200,
    "TC10.children_3_5": 360, "TC10.attending_preschool": 350,
    "TC11.children_forum": True, "TC11.consulted": True, "TC11.children_clubs": True,
    "TC12.play_area": True, "TC12.cultural_sports": True, "TC12.summer_activities": False,
    "TC13.satisfaction": 86.5,
}
