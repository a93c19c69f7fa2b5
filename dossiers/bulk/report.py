"""The province report of a round, as data: recognition per district against the national targets, the score
distribution, and the criteria most often below their maximum. ``certificates.province_report_pdf`` draws it.

Definitions used in the report (also printed in it), computed in ``report_figures`` (which the web dashboard
uses too):

* communes: every commune of the province valid on the round's reference date (1 November of the year);
* assessed: a dossier submitted or further (submitted, verified, recognized, not recognized, revoked);
* recognised: a dossier in state ``recognized``;
* share: recognised / communes, compared with the national targets (65 % of communes by 2025, 75 % by 2030);
* scores: the appraisal (``verified_score``) when there is one, else the self-assessment; the criteria
  statistics count assessed dossiers, the score distribution every dossier of the round once (as the dashboard's
  histogram, ``report_figures.score_bins``), a dossier without a total in a bar "Chưa có điểm".

Rounds from 2025 on have no districts (two-level local government since 01/07/2025): the communes directly
under the province form one group. ``collect`` reads the database and returns a ``ProvinceReport``; its
``fields()`` are the plain data of the PDF (the keys of ``certificates.ProvinceReportData``, every printed figure
written as text by ``engine.numbers``): this package does not import ``certificates``, the caller builds the
document::

    report = collect(service, username, province_code, year)
    pdf = certificates.province_report_pdf(certificates.from_dict(certificates.ProvinceReportData,
                                                                  report.fields()))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from engine.numbers import format_number
from engine.result import ScoreResult
from engine.workflow import LABELS, round_date

from .. import authority
from ..audit import VIETNAM
from ..lookup import load_user
from ..models import Dossier, Unit
from ..service import DossierService
from ..units import code_order, contains, find_unit
from .export import round_version, score_of
from .report_figures import (
    ASSESSED,
    BIN,
    NO_SCORE,
    TARGETS,
    bins_for,
    percent_text,
    score_bins,
    share,
    still_needed,
    target_for,
)

__all__ = ["ASSESSED", "BIN", "NO_DISTRICT", "TARGETS", "CommuneLine", "CriterionStat", "GroupRow",
           "ProvinceReport", "bins_for", "collect", "province_report"]

NO_DISTRICT = "Các xã, phường trực thuộc tỉnh (không có cấp huyện)"
SOURCES = {"verified": "thẩm định", "self": "tự đánh giá", "unreadable": "không đọc được điểm đã lưu"}
NO_DOSSIER = "chưa có hồ sơ"


@dataclass
class GroupRow:
    name: str
    code: str | None
    communes: int = 0
    assessed: int = 0
    recognized: int = 0

    @property
    def share(self) -> float:
        return share(self.recognized, self.communes)

    def fields(self) -> dict:
        return {"name": self.name, "communes": format_number(self.communes),
                "assessed": format_number(self.assessed), "recognized": format_number(self.recognized),
                "share": self.share, "share_text": percent_text(self.share)}


@dataclass
class CriterionStat:
    code: str
    title: str
    max_points: int
    met_at: int
    scored: int = 0
    below_max: int = 0
    not_met: int = 0
    points: int = 0

    @property
    def average(self) -> float:
        return self.points / self.scored if self.scored else 0.0

    def fields(self) -> dict:
        return {"code": self.code, "title": self.title, "max_points": format_number(self.max_points),
                "met_at": format_number(self.met_at), "below_max": self.below_max, "not_met": self.not_met,
                "below_max_text": self._with_share(self.below_max), "not_met_text": format_number(self.not_met),
                "average": format_number(self.average, 1)}

    def _with_share(self, count: int) -> str:
        """ "2 (66,7 %)": the count and its share of the dossiers with a score."""
        return format_number(count) + (f" ({percent_text(share(count, self.scored))})" if self.scored else "")


@dataclass
class CommuneLine:
    code: str
    name: str
    group: str
    status: str
    total: int | None
    threshold: int | None
    source: str

    def fields(self) -> dict:
        return {"code": self.code, "name": self.name, "group": self.group,
                "status": LABELS.get(self.status, NO_DOSSIER),
                "total": "" if self.total is None else format_number(self.total),
                "threshold": "" if self.threshold is None else format_number(self.threshold),
                "source": SOURCES.get(self.source, "")}


@dataclass
class ProvinceReport:
    province_code: str
    province_name: str
    year: int
    criteria_version: str
    provisional: bool
    actor: str
    generated_at: str
    groups: list[GroupRow]
    total: GroupRow
    bins: list[tuple[str, int]]
    thresholds: dict[str, int]  # category label → threshold
    max_total: int
    criteria: list[CriterionStat]
    communes: list[CommuneLine] = field(default_factory=list)

    @property
    def target(self) -> tuple[int, int]:
        """The target that applies to the round: the first one not yet past."""
        return target_for(self.year)

    def fields(self) -> dict:
        """The plain data of the PDF: the keys of ``certificates.ProvinceReportData``."""
        year, percent = self.target
        return {
            "province_name": self.province_name, "year": self.year, "criteria_version": self.criteria_version,
            "provisional": self.provisional, "actor": self.actor, "generated_at": self.generated_at,
            "groups": [g.fields() for g in self.groups], "total": self.total.fields(),
            "targets": [{"year": y, "percent": p} for y, p in TARGETS],
            "target": {"year": year, "percent": percent},
            "still_needed": format_number(still_needed(percent, self.total.communes, self.total.recognized)),
            "scored": format_number(sum(n for _, n in self.bins)),
            "bins": [{"label": label, "count": n, "count_text": format_number(n), "no_score": label == NO_SCORE}
                     for label, n in self.bins],
            "thresholds": [{"label": label, "points": format_number(points)}
                           for label, points in self.thresholds.items()],
            "max_total": format_number(self.max_total), "criteria": [st.fields() for st in self.criteria],
            "communes": [line.fields() for line in self.communes],
        }


def _valid_on(unit: Unit, day: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


def _group_of(commune: Unit) -> tuple[str, str | None]:
    parent = commune.parent
    if parent is not None and parent.level == "district":
        return parent.name, parent.code
    return NO_DISTRICT, None


def _count_criteria(stats: dict[str, CriterionStat], result: ScoreResult) -> None:
    for crit in result.criteria:
        st = stats.get(crit.code)
        if st is None:
            continue
        st.scored += 1
        st.points += crit.points
        st.below_max += crit.points < crit.max_points
        st.not_met += crit.points < crit.met_at


def _tally(communes: list[Unit], dossiers: dict[int, Dossier], total: GroupRow,
           stats: dict[str, CriterionStat]) -> tuple[dict[str, GroupRow], list[CommuneLine], list[int | None]]:
    """Counts per group and for the province, one line per commune, the criteria statistics (assessed dossiers
    with a score), and the total of every dossier (None when it has none)."""
    groups: dict[str, GroupRow] = {}
    lines, totals = [], []
    for commune in sorted(communes, key=lambda u: (code_order(_group_of(u)[1]), code_order(u.code))):
        name, code = _group_of(commune)
        group = groups.setdefault(name, GroupRow(name, code))
        d = dossiers.get(commune.id)
        for row in (group, total):
            row.communes += 1
            row.assessed += d is not None and d.status in ASSESSED
            row.recognized += d is not None and d.status == "recognized"
        result, source = score_of(d) if d is not None else (None, "")
        lines.append(CommuneLine(commune.code, commune.name, name, d.status if d else "",
                                 result.total if result else None, result.threshold if result else None, source))
        if d is not None:
            totals.append(result.total if result is not None else None)
        if d is not None and d.status in ASSESSED and result is not None:
            _count_criteria(stats, result)
    return groups, lines, totals


def collect(service: DossierService, username: str, province_code: str, year: int) -> ProvinceReport:
    """The report of ``province_code`` for the round ``year``, as ``username`` may see it (the province must be
    in their jurisdiction)."""
    day = round_date(year)
    with service.transaction(readonly=True) as s:
        user = load_user(s, username)
        province = find_unit(s, province_code, "province", day)
        authority.check(service.procedures, user, "report", commune=province, year=year)
        units = list(s.execute(select(Unit)).scalars())  # one query; ancestors come from the identity map
        communes = [u for u in units if u.level == "commune" and _valid_on(u, day) and contains(province, u)]
        dossiers = {d.commune_id: d for d in s.execute(select(Dossier).where(Dossier.year == year)).scalars()}
        version = round_version(service, year, [dossiers[c.id] for c in communes if c.id in dossiers])
        total = GroupRow(f"Toàn tỉnh: {province.name}", province.code)
        stats = [CriterionStat(c.code, c.title, c.max_points, c.met_at) for c in version.criteria]
        groups, lines, totals = _tally(communes, dossiers, total, {st.code: st for st in stats})
        thresholds = {c.label: c.threshold for c in version.categories}
        stats.sort(key=lambda st: (-st.below_max, -st.not_met, st.code))
        return ProvinceReport(
            province_code=province.code, province_name=province.name, year=year, criteria_version=version.id,
            provisional=version.provisional, actor=user.full_name or username,
            generated_at=dt.datetime.now(VIETNAM).isoformat(timespec="minutes"),  # Vietnam's local time
            groups=sorted(groups.values(), key=lambda g: (g.code is None, code_order(g.code), g.name)), total=total,
            bins=[(str(label), n) for label, n in score_bins(totals, version)],
            thresholds=thresholds, max_total=version.max_total.points, criteria=stats, communes=lines,
        )


def province_report(service: DossierService, username: str, province_code: str, year: int) -> dict:
    """The plain data of the province report's PDF (``collect(...).fields()``)."""
    return collect(service, username, province_code, year).fields()
