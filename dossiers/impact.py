"""What a criteria correction does to a round: every dossier scored under the version as stored and under a
proposed file (an edited copy, or another version), side by side — OpenFisca's "reform" shape.

Each dossier is scored on the values its own stage uses: the commune's self-assessment while it is a draft or
submitted, the appraisal from verification on (as ``dossiers.service.transitions`` stores ``verified_score``).
A dossier whose values are incomplete or invalid under either version cannot be compared and is listed as such.
Scoring goes through ``engine.scoring`` in bulk, in worker processes for a large round (``bulk.scorer``).

Who may look: the procedures' step ``criteria_impact`` (``authority.check``); the dossiers are those within the
user's jurisdiction, and within ``province`` when one is named.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from engine.assessment import Commune, check_values, from_canonical
from engine.errors import AssessmentError, CfcError
from engine.loader import fingerprint
from engine.messages import N_
from engine.models import CriteriaVersion
from engine.workflow import LABELS

from . import authority
from .bulk.progress import Progress, no_progress
from .bulk.scorer import worker_count
from .impact_scoring import CompactScorer
from .impact_text import not_comparable, readable_failed, reason
from .lookup import load_user
from .models import Dossier, IndicatorValue
from .service import DossierService
from .units import code_order, contains, find_unit

SELF_STAGES = ("draft", "submitted")  # scored on the self-assessment; every later state on the appraisal


# ----------------------------------------------------------------------------------------------- results
@dataclass
class Standing:
    """One dossier's result under one version."""

    total: int
    eligible: bool
    failed: list[str]  # Messages when they can be made again (``impact_text``): Vietnamese as strings
    points: dict[str, int] = field(repr=False)

    def readable(self, version: CriteriaVersion) -> Standing:
        """The same standing, its failed conditions as messages to render in the reader's language."""
        return Standing(self.total, self.eligible, readable_failed(self.failed, self.total, self.points, version),
                        self.points)


@dataclass
class Flip:
    """A dossier whose eligibility changes: ``gains`` (not eligible → eligible) or not (loses it)."""

    dossier_id: int
    commune_code: str
    commune_name: str
    district: str
    status: str
    source: str  # "self" | "appraised": the values its stage uses
    gains: bool
    old: Standing
    new: Standing


@dataclass
class Shift:
    """The change in one criterion's points over the compared dossiers."""

    code: str
    title: str
    average: float
    largest: int  # the change of largest size, with its sign
    changed: int  # dossiers whose points changed


@dataclass
class Incomplete:
    dossier_id: int
    commune_code: str
    commune_name: str
    status: str
    reason: str  # a Message (``impact_text``): Vietnamese as a string


@dataclass
class Impact:
    year: int
    province: str | None
    base: str
    base_fingerprint: str
    proposed: str
    proposed_fingerprint: str
    proposed_file: str
    dossiers: int  # in the round, the jurisdiction and the province
    compared: int
    flips: list[Flip]
    shifts: list[Shift]
    incomplete: list[Incomplete]
    other_version: int  # dossiers of the round scored under another criteria version: not compared
    seconds: float = 0.0

    @property
    def gained(self) -> list[Flip]:
        return [f for f in self.flips if f.gains]

    @property
    def lost(self) -> list[Flip]:
        return [f for f in self.flips if not f.gains]

    @property
    def same(self) -> bool:
        return self.base_fingerprint == self.proposed_fingerprint

    def to_dict(self) -> dict:
        out = asdict(self)
        out["gained"], out["lost"] = len(self.gained), len(self.lost)
        out["seconds"] = round(self.seconds, 3)
        return out


# ----------------------------------------------------------------------------------------------- compute
def round_impact(service: DossierService, username: str, base_id: str, proposed: CriteriaVersion, year: int,
                 province: str | None = None, proposed_file: str = "", progress: Progress = no_progress
                 ) -> Impact:
    """Score the round ``year`` under ``base_id`` as stored and under ``proposed``; see the module docstring."""
    start = time.perf_counter()
    base = service.registry.get(base_id)
    with service.transaction(readonly=True) as s:
        user = load_user(s, username)
        place = find_unit(s, province, "province", None) if province else None
        authority.check(service.procedures, user, "criteria_impact", year=year, commune=place)
        count = s.execute(select(func.count()).select_from(Dossier).where(Dossier.year == year)).scalar_one()
        with pair_scorer(service, base, proposed, count) as scorer:
            rows = s.execute(select(Dossier).where(Dossier.year == year)  # the stored scores are not needed
                             .options(defer(Dossier.self_score), defer(Dossier.verified_score))).scalars().all()
            found = [d for d in rows
                     if contains(user.unit, d.commune) and (place is None or contains(place, d.commune))]
            found.sort(key=lambda d: (code_order(d.commune.code), d.id))
            ours = [d for d in found if d.criteria_version == base.id]
            prepared, incomplete = prepare(ours, stage_texts(s, ours), base, proposed)
            shown = score_pairs(scorer, prepared, progress)
    flips, pairs = [], []
    for info, old, new in shown:
        pairs.append((old, new))
        if old.eligible != new.eligible:
            flips.append(Flip(**info, gains=new.eligible, old=old.readable(base), new=new.readable(proposed)))
    flips.sort(key=lambda f: (f.gains, code_order(f.commune_code)))
    return Impact(year=year, province=province, base=base.id, base_fingerprint=fingerprint(base),
                  proposed=proposed.id, proposed_fingerprint=fingerprint(proposed), proposed_file=proposed_file,
                  dossiers=len(found), compared=len(shown), flips=flips, shifts=_shifts(base, proposed, pairs),
                  incomplete=incomplete, other_version=len(found) - len(ours),
                  seconds=time.perf_counter() - start)


def stage_column(status: str) -> str:
    return "self_value" if status in SELF_STAGES else "appraised_value"


def _typed(version: CriteriaVersion, texts: dict[str, str]) -> dict:
    indicators = version.indicator_map()
    return {code: from_canonical(indicators[code].type, text) for code, text in texts.items() if code in indicators}


def stage_texts(session: Session, dossiers: list[Dossier]) -> dict[int, dict[str, str]]:
    """dossier id → the canonical texts its stage uses (``stage_column``; an appraised value only when it was
    appraised for the latest submission, as ``service.view.appraised_text``), read as plain rows: ORM objects
    for the ~130,000 values of a country's round would cost seconds."""
    by_id = {d.id: d for d in dossiers}
    out: dict[int, dict[str, str]] = {d.id: {} for d in dossiers}
    ids = list(by_id)
    for chunk in (ids[i:i + 1000] for i in range(0, len(ids), 1000)):
        rows = session.execute(select(IndicatorValue.dossier_id, IndicatorValue.code, IndicatorValue.self_value,
                                      IndicatorValue.appraised_value, IndicatorValue.appraised_in)
                               .where(IndicatorValue.dossier_id.in_(chunk)))
        for dossier_id, code, own, appraised, appraised_in in rows:
            d = by_id[dossier_id]
            if d.status in SELF_STAGES:
                text = own
            else:
                text = appraised if appraised_in == d.submission else None
            if text is not None:
                out[dossier_id][code] = text
    return out


def prepare(dossiers: list[Dossier], texts_of: dict[int, dict[str, str]], base: CriteriaVersion,
            proposed: CriteriaVersion) -> tuple[list[tuple[dict, Commune, int, dict, dict]], list[Incomplete]]:
    """Per dossier: what a flip names, and its checked values under each version; else why not comparable."""
    ready, incomplete = [], []
    for d in dossiers:
        column = stage_column(d.status)
        texts = texts_of[d.id]
        checked, why = {}, []
        for key, version in (("base", base), ("proposed", proposed)):
            try:
                checked[key] = check_values(version, _typed(version, texts), d.category)
            except (AssessmentError, CfcError) as exc:
                why.append((key, version.id, not_comparable(exc)))
        names = {a.level: a.name for a in d.commune.ancestors()}
        info = {"dossier_id": d.id, "commune_code": d.commune.code, "commune_name": d.commune.name,
                "district": names.get("district", ""), "status": d.status,
                "source": "self" if column == "self_value" else "appraised"}
        if why:
            incomplete.append(Incomplete(d.id, d.commune.code, d.commune.name, d.status, reason(why)))
            continue
        commune = Commune(d.commune.code, d.commune.name, d.category)
        ready.append((info, commune, d.year, checked["base"], checked["proposed"]))
    return ready, incomplete


_KEYS = ("base", "proposed")


def pair_scorer(service: DossierService, base: CriteriaVersion, proposed: CriteriaVersion, dossiers: int
                ) -> CompactScorer:
    """The scorer of ``dossiers`` dossiers under both versions: worker processes for a large round (the setting
    ``import_workers``), started at once so that they import the engine while the dossiers are read."""
    versions = dict(zip(_KEYS, (base, proposed), strict=True))
    workers = worker_count(2 * dossiers, service.settings.import_workers)
    return CompactScorer(versions, workers, service.settings.engine).start()


def score_pairs(scorer: CompactScorer, prepared: list, progress: Progress) -> list[tuple[dict, Standing, Standing]]:
    """Each prepared dossier's standing under the stored version and under the proposal."""
    jobs = len(prepared) * 2
    out = []
    with progress(N_("chấm điểm"), jobs) as bar:
        handles = []
        for _info, commune, year, old_values, new_values in prepared:
            handles.append((scorer.submit(("base", commune, year, old_values)),
                            scorer.submit(("proposed", commune, year, new_values))))
        for (info, *_), (h_old, h_new) in zip(prepared, handles, strict=True):
            old, new = _standing(scorer.result(h_old)), _standing(scorer.result(h_new))
            bar.update(2)
            out.append((info, old, new))
    return out


def _standing(result: tuple) -> Standing:
    total, eligible, failed, points = result
    return Standing(total=total, eligible=eligible, failed=failed, points=points)


def _shifts(base: CriteriaVersion, proposed: CriteriaVersion, pairs: list[tuple[Standing, Standing]]
            ) -> list[Shift]:
    """Per criterion (of either version, in order), the average and the largest change in points."""
    titles = {c.code: c.title for c in base.criteria}
    for c in proposed.criteria:
        titles.setdefault(c.code, c.title)
    out = []
    for code, title in titles.items():
        deltas = [new.points.get(code, 0) - old.points.get(code, 0) for old, new in pairs]
        largest = max(deltas, key=abs, default=0)
        average = sum(deltas) / len(deltas) if deltas else 0.0
        out.append(Shift(code, title, round(average, 2), largest, sum(1 for x in deltas if x)))
    return out


def status_label(status: str) -> str:
    return LABELS.get(status, status)


def iter_rows(impact: Impact) -> Iterator[list]:
    """The communes that change eligibility, as rows (for the terminal and the spreadsheet)."""
    for f in impact.flips:
        yield [f.commune_code, f.commune_name, f.district, status_label(f.status),
               "tự đánh giá" if f.source == "self" else "thẩm định", f.old.total, f.new.total,
               f.new.total - f.old.total, "đạt" if f.old.eligible else "không đạt",
               "đạt" if f.new.eligible else "không đạt", "; ".join(f.old.failed), "; ".join(f.new.failed), f.dossier_id]
