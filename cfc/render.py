"""Plain-text renderings for the terminal: a score as a Vietnamese table, a dossier as a few lines (or as JSON,
scores in their ``ScoreResult.to_dict()`` form). Numbers are written by ``engine.numbers`` (1.000, 86,5)."""

from __future__ import annotations

import json

import click

from engine.numbers import format_number
from engine.scoring import ScoreResult
from engine.workflow import LABELS

from .common import nfc, registry, tr


def _explainers(result: ScoreResult):
    """(indicator labels, rate per component id) of the version scored; empty when it is not known here."""
    from engine.errors import CfcError
    from engine.models import Rate

    try:
        version = registry().get(result.criteria_version)
    except (CfcError, SystemExit):
        return {}, {}
    labels = {code: ind.label for code, ind in version.indicator_map().items()}
    per = {(crit.code, comp.id): comp.per for crit in version.criteria for comp in crit.components
           if isinstance(comp, Rate)}
    return labels, per


def score_table(result: ScoreResult) -> str:
    r = result
    labels, per = _explainers(r)
    lines = []
    status = " [TẠM THỜI — chưa đối chiếu văn bản chính thức]" if r.provisional else ""
    lines.append(f"{r.commune.name} ({r.commune.code}) — {r.category.label}")
    lines.append(f"Bộ tiêu chí: {r.criteria_version}{status}; năm {r.year or '—'}; máy chấm: {r.engine}")
    lines.append("")
    lines.append(f"{'Mã':<5} {'Tiêu chí':<58} {'Điểm':>5} {'Tối đa':>6}  Đạt")
    for crit in r.criteria:
        title = crit.title if len(crit.title) <= 58 else crit.title[:57] + "…"
        mark = "✓" if crit.met else "✗"
        lines.append(f"{crit.code:<5} {title:<58} {format_number(crit.points):>5} "
                     f"{format_number(crit.max_points):>6}  {mark}")
        for comp in crit.components:
            lines.append("      · " + tr(comp.describe(labels, per.get((crit.code, comp.id))) if labels
                                            else comp.describe()))
    lines.append("")
    verdict = "ĐỦ ĐIỀU KIỆN CÔNG NHẬN" if r.recognized else "CHƯA ĐỦ ĐIỀU KIỆN CÔNG NHẬN"
    lines.append(f"Tổng điểm: {format_number(r.total)}/{format_number(r.max_total)} — "
                 f"ngưỡng {format_number(r.threshold)} → {verdict}")
    lines.extend(f"  ✗ {failed.message}" for failed in r.failed_conditions)
    if r.gaps:
        lines.append("Có thể cải thiện:")
        lines.extend(f"  - {gap.message}" for gap in r.gaps)
    if r.plan.steps:
        lines.append(f"Đề xuất: {r.plan.message}")
    lines.extend(f"LƯU Ý: {notice}" for notice in r.notices)
    return nfc("\n".join(lines))


def print_dossier(view, as_json: bool) -> None:
    """A dossier view (``dossiers.service.DossierView``) as JSON or as a few Vietnamese lines."""
    if as_json:
        click.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    units = view.units
    click.echo(nfc(f"Hồ sơ {view.id}: {view.commune_name} ({view.commune_code}), {units.get('district', '')} "
                   f"{units.get('province', '')} — năm {view.year}"))
    prov = " [TẠM THỜI]" if view.provisional else ""
    click.echo(nfc(f"Trạng thái: {LABELS[view.status]} ({view.status}); phiên bản {view.lock_version}; "
                   f"tiêu chí {view.criteria_version}{prov}; quy trình {view.procedure}; loại {view.category}"))
    for which, label in (("self_score", "Tự đánh giá"), ("verified_score", "Thẩm định")):
        score = getattr(view, which)
        if score:
            verdict = "đạt" if score.recognized else "chưa đạt"
            click.echo(nfc(f"{label}: {format_number(score.total)}/{format_number(score.max_total)} điểm, "
                           f"ngưỡng {format_number(score.threshold)} → {verdict}"))
    if view.rescored_score:
        r = view.rescored_score
        holds = "" if view.status != "recognized" else \
            (" (công nhận vẫn đủ điều kiện)" if r.recognized else " (công nhận không còn đủ điều kiện; quyết định giữ nguyên)")
        click.echo(nfc(f"Tính lại: {format_number(r.total)}/{format_number(r.max_total)} điểm{holds}"))
    if view.stale_scores:
        click.echo(nfc(f"CHẤM THEO BỘ TIÊU CHÍ CŨ ({', '.join(view.stale_scores)}): `cfc dossier rescore {view.id}`"))
    for problem in view.score_problems:
        click.echo(tr(problem), err=True)
    missing = [c for c, v in view.values.items() if v["self"] is None]
    if missing:
        click.echo(f"Chưa nhập: {len(missing)} chỉ số")
