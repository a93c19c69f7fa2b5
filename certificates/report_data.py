"""The province report's input as plain, frozen dataclasses: counts, shares and labels already computed and
worded by the application (``dossiers.bulk.report``), so that drawing the report is only layout.

Every figure the report prints comes as text written the Vietnamese way ("1.234", "66,7 %"); a figure a chart
also draws comes twice, as the number (the bar's length) and as the text (its label and its table cell).

``from_dict(ProvinceReportData, report.fields())`` builds it from the plain dicts the application hands over.
"""

from __future__ import annotations

from dataclasses import dataclass

from .data import _Plain


@dataclass(frozen=True)
class ReportGroup(_Plain):
    """A district (or, from 2025, the communes directly under the province), or the whole province."""

    name: str
    communes: str  # as printed: "1.234"
    assessed: str
    recognized: str
    share: float  # recognised / communes, in per cent: the bar's length, compared with the targets
    share_text: str  # as printed: "66,7 %"


@dataclass(frozen=True)
class ReportTarget(_Plain):
    """A national target: ``percent`` of communes recognised by ``year``."""

    year: int
    percent: int


@dataclass(frozen=True)
class ReportBin(_Plain):
    """One bar of the score distribution: "< 700", "700–749", …, "950–1000", and "Chưa có điểm"."""

    label: str
    count: int  # the bar's height
    count_text: str  # as printed
    no_score: bool = False  # the bar of the dossiers without a total (drawn in grey)


@dataclass(frozen=True)
class ReportThreshold(_Plain):
    label: str  # the category of commune
    points: str  # as printed: "850"


@dataclass(frozen=True)
class ReportCriterion(_Plain):
    code: str
    title: str
    max_points: str  # as printed
    met_at: str
    below_max: int  # assessed dossiers with a score below the criterion's maximum: the bar's length
    not_met: int  # of them, below the criterion's pass mark
    below_max_text: str  # as printed: "2 (66,7 %)", the share of the assessed dossiers with a score
    not_met_text: str
    average: str  # as printed: "66,7"


@dataclass(frozen=True)
class ReportCommune(_Plain):
    code: str
    name: str
    group: str
    status: str  # as shown: "Được công nhận", "chưa có hồ sơ"
    total: str  # as printed; "" when there is no score
    threshold: str
    source: str  # as shown: "thẩm định", "tự đánh giá" or empty


@dataclass(frozen=True)
class ProvinceReportData(_Plain):
    """The report of one province for one round."""

    province_name: str
    year: int
    criteria_version: str
    provisional: bool
    actor: str
    generated_at: str  # ISO date and time, e.g. "2024-12-01T10:00+07:00"; the PDF's creation date
    groups: tuple[ReportGroup, ...]
    total: ReportGroup
    targets: tuple[ReportTarget, ...]
    target: ReportTarget  # the one the round is measured against
    still_needed: str  # as printed: communes still to be recognised to reach it
    scored: str  # as printed: the dossiers of the round (the bins' sum)
    bins: tuple[ReportBin, ...]
    thresholds: tuple[ReportThreshold, ...]
    max_total: str  # as printed: "1.000"
    criteria: tuple[ReportCriterion, ...]  # most often below their maximum first
    communes: tuple[ReportCommune, ...] = ()
