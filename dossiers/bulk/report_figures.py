"""The figures the province report (PDF) and the province dashboard (web) both show, computed in one place: the
national targets, which dossiers count as assessed, the share of recognised communes, and the score
distribution's bins. Plain Python: no database, no PDF, no web.

* targets: 65 % of communes recognised by 2025, 75 % by 2030 (the national programme); a round is measured
  against the first target not yet past;
* assessed: a dossier submitted or further (submitted, verified, recognized, not recognized, revoked);
* share: recognised / communes, in per cent;
* bins: bars of 50 points from 100 below the lowest threshold to the maximum (the last one includes it), and
  one bar for everything below;
* score distribution (``score_bins``): every dossier of the round once, by the score that stands (the appraisal
  when there is one, else the self-assessment), and a last bar "Chưa có điểm" for the dossiers without a total
  (values missing): the bars add up to the number of dossiers.

Labels and shares are written by ``engine.numbers`` ("950–1.000", "66,7 %"), the same in both places.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.messages import N_
from engine.models import CriteriaVersion
from engine.numbers import format_number

TARGETS = ((2025, 65), (2030, 75))  # (by year, % of communes recognised): the national targets
ASSESSED = frozenset({"submitted", "verified", "recognized", "not_recognized", "revoked"})
BIN = 50  # points per bar of the score distribution
NO_SCORE = N_("Chưa có điểm")  # the bar of the dossiers without a total


def target_for(year: int) -> tuple[int, int]:
    """The target that applies to a round: the first one not yet past (the last one after 2030)."""
    return next(((y, p) for y, p in TARGETS if year <= y), TARGETS[-1])


def share(recognized: int, communes: int) -> float:
    """The share of recognised communes, in per cent (0 when there are no communes)."""
    return 100.0 * recognized / communes if communes else 0.0


def percent_text(value: float) -> str:
    """A share as the report and the dashboard print it: one decimal at most, a decimal comma: "66,7 %"."""
    return f"{format_number(value, 1)} %"


def still_needed(percent: int, communes: int, recognized: int) -> int:
    """How many more communes must be recognised to reach ``percent`` of ``communes`` (rounded up)."""
    return max(0, -(-percent * communes // 100) - recognized)


def bins_for(max_total: int, thresholds: list[int]) -> list[tuple[int, int]]:
    """Bars of BIN points from 100 below the lowest threshold to the maximum (the last one includes it), and
    one bar for everything below: for 1000 points and 800 → <700, 700–749, …, 900–949, 950–1000."""
    start = max(0, (min(thresholds, default=max_total) - 100) // BIN * BIN)
    lows = list(range(start, max(start, max_total - BIN) + 1, BIN))
    edges = [(low, low + BIN - 1) for low in lows]
    edges[-1] = (edges[-1][0], max_total)
    return ([(0, start - 1)] if start > 0 else []) + edges


def bin_label(low: int, high: int, first: bool) -> str:
    """ "< 700" for the bar of everything below, else "700–749", "950–1.000"."""
    if first and low == 0 and high > BIN:
        return f"< {format_number(high + 1)}"
    return f"{format_number(low)}–{format_number(high)}"


def distribution(totals: Iterable[int], max_total: int, thresholds: list[int]) -> list[tuple[str, int]]:
    """(bar label, number of totals in it) for every bar of ``bins_for``, in order, empty bars included."""
    edges = bins_for(max_total, thresholds)
    counts = [0] * len(edges)
    for total in totals:
        for n, (low, high) in enumerate(edges):
            if low <= total <= high:
                counts[n] += 1
    return [(bin_label(low, high, n == 0), counts[n]) for n, (low, high) in enumerate(edges)]


def score_bins(totals: Iterable[int | None], version: CriteriaVersion | None) -> list[tuple[str, int]]:
    """The score distribution of a round, as the report and the dashboard draw it: ``totals`` has one entry per
    dossier of the round, its total or None when it has none yet; ``version`` is the round's criteria version
    (None: none is known, every dossier goes to the last bar). The bars of ``distribution`` and, when a dossier
    has no total, a last bar ``NO_SCORE``: the counts add up to the number of dossiers."""
    totals = list(totals)
    unscored = sum(1 for t in totals if t is None)
    if version is None:
        return [(NO_SCORE, unscored)] if unscored else []
    bars = distribution([t for t in totals if t is not None], version.max_total.points,
                        [c.threshold for c in version.categories])
    return bars + [(NO_SCORE, unscored)] if unscored else bars


def target_lines() -> list[tuple[int, str]]:
    """The targets as the dashboard's chart marks them: (percent, "2025: 65%")."""
    return [(percent, f"{year}: {percent}%") for year, percent in TARGETS]
