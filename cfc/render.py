"""Plain-text renderings for the terminal, in the run's language (``cfc --lang``): a score as a table, a dossier
as a few lines (or as JSON, scores in their ``ScoreResult.to_dict()`` form, as stored). Numbers have the reader's
separators (1.000, 86,5 in Vietnamese)."""

from __future__ import annotations

import json

import click

from dossiers.language import number_in
from engine.messages import N_
from engine.scoring import ScoreResult
from engine.wording import failed_message, gap_message, plan_message, readable_component
from engine.workflow import LABELS

from .common import language, nfc, registry, say, tr


def _explainers(result: ScoreResult):
    """(the version scored, indicator labels, rate per component id); (None, {}, {}) when it is not known here."""
    from engine.errors import CfcError
    from engine.models import Rate

    try:
        version = registry().get(result.criteria_version)
    except (CfcError, SystemExit):
        return None, {}, {}
    labels = {code: ind.label for code, ind in version.indicator_map().items()}
    per = {(crit.code, comp.id): comp.per for crit in version.criteria for comp in crit.components
           if isinstance(comp, Rate)}
    return version, labels, per


def _notice(text: str, version_id: str) -> str:
    """A score's notice as a message when it is the provisional one, word for word; else as stored."""
    made = N_("Phiên bản tiêu chí %(id)s là TẠM THỜI (provisional): có giá trị chưa được đối chiếu với văn bản "
              "chính thức; điểm số chỉ để tham khảo.", id=version_id)
    return made if made == text else text


def score_table(result: ScoreResult) -> str:
    """A score as a table, in the run's language (``cfc --lang``); what the score stores in Vietnamese (gaps,
    plan, failed conditions, notices) is remade in it when it can be word for word (``engine.wording``)."""
    r = result
    version, labels, per = _explainers(r)
    lines = []
    status = N_(" [TẠM THỜI — chưa đối chiếu văn bản chính thức]") if r.provisional else ""
    lines.append(f"{r.commune.name} ({r.commune.code}) — {r.category.label}")
    lines.append(tr(N_("Bộ tiêu chí: %(version)s%(status)s; năm %(year)s; máy chấm: %(engine)s",
                       version=r.criteria_version, status=status, year=str(r.year or "—"), engine=r.engine)))
    lines.append("")
    lines.append(f"{tr(N_('Mã')):<5} {tr(N_('Tiêu chí')):<58} {tr(N_('Điểm')):>5} {tr(N_('Tối đa')):>6}  "
                 f"{tr(N_('Đạt'))}")
    for crit in r.criteria:
        title = crit.title if len(crit.title) <= 58 else crit.title[:57] + "…"
        mark = "✓" if crit.met else "✗"
        lines.append(f"{crit.code:<5} {title:<58} {number(crit.points):>5} {number(crit.max_points):>6}  {mark}")
        for comp in crit.components:
            lines.append("      · " + tr(readable_component(comp, version).describe(labels, per.get((crit.code, comp.id)))
                                            if labels else comp.describe()))
    lines.append("")
    verdict = N_("ĐỦ ĐIỀU KIỆN CÔNG NHẬN") if r.recognized else N_("CHƯA ĐỦ ĐIỀU KIỆN CÔNG NHẬN")
    lines.append(tr(N_("Tổng điểm: %(total)s/%(max)s — ngưỡng %(threshold)s → %(verdict)s", total=r.total,
                       max=r.max_total, threshold=r.threshold, verdict=verdict)))
    lines.extend(f"  ✗ {tr(failed_message(failed, r))}" for failed in r.failed_conditions)
    if r.gaps:
        lines.append(tr(N_("Có thể cải thiện:")))
        lines.extend(f"  - {tr(gap_message(gap, version))}" for gap in r.gaps)
    if r.plan.steps:
        lines.append(tr(N_("Đề xuất: %(plan)s", plan=plan_message(r.plan, version))))
    lines.extend(tr(N_("LƯU Ý: %(notice)s", notice=_notice(notice, r.criteria_version))) for notice in r.notices)
    return nfc("\n".join(lines))


def number(value) -> str:
    """A number with the separators of the run's language."""
    return number_in(language(), value)


def _category(view) -> str:
    """The dossier's category as its criteria version names it, with its id ("Xã, phường, thị trấn còn lại
    (other)"); the id alone when the version is not known here."""
    from engine.errors import CfcError

    try:
        category = registry().get(view.criteria_version).category(view.category)
    except (CfcError, SystemExit):
        category = None
    return view.category if category is None else f"{category.label} ({view.category})"


def print_dossier(view, as_json: bool) -> None:
    """A dossier view (``dossiers.service.DossierView``) as JSON or as a few lines in the run's language."""
    if as_json:
        click.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    units = view.units
    say(N_("Hồ sơ %(id)s: %(commune)s (%(code)s), %(district)s %(province)s — năm %(year)s", id=str(view.id),
           commune=view.commune_name, code=view.commune_code, district=units.get("district", ""),
           province=units.get("province", ""), year=str(view.year)))
    prov = N_(" [TẠM THỜI]") if view.provisional else ""
    say(N_("Trạng thái: %(state)s (%(status)s); phiên bản %(version)s; tiêu chí %(criteria)s%(prov)s; quy trình "
           "%(procedure)s; loại %(category)s", state=LABELS[view.status], status=view.status,
           version=str(view.lock_version), criteria=view.criteria_version, prov=prov, procedure=view.procedure,
           category=_category(view)))
    for which, label in (("self_score", N_("Tự đánh giá")), ("verified_score", N_("Thẩm định"))):
        score = getattr(view, which)
        if score:
            verdict = N_("đạt") if score.recognized else N_("chưa đạt")
            say(N_("%(label)s: %(total)s/%(max)s điểm, ngưỡng %(threshold)s → %(verdict)s", label=label,
                   total=score.total, max=score.max_total, threshold=score.threshold, verdict=verdict))
    if view.rescored_score:
        r = view.rescored_score
        holds = "" if view.status != "recognized" else (
            N_(" (công nhận vẫn đủ điều kiện)") if r.recognized else
            N_(" (công nhận không còn đủ điều kiện; quyết định giữ nguyên)"))
        say(N_("Tính lại: %(total)s/%(max)s điểm%(holds)s", total=r.total, max=r.max_total, holds=holds))
    if view.stale_scores:
        say(N_("CHẤM THEO BỘ TIÊU CHÍ CŨ (%(which)s): `cfc dossier rescore %(id)s`",
               which=", ".join(view.stale_scores), id=str(view.id)))
    for problem in view.score_problems:
        click.echo(tr(problem), err=True)
    missing = [c for c, v in view.values.items() if v["self"] is None]
    if missing:
        say(N_("Chưa nhập: %(count)s chỉ số", count=len(missing)))
