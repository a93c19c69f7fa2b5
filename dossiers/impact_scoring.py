"""Scoring for the impact of a criteria correction, in this process or in ``bulk.scorer``'s worker processes:
``engine.scoring.standing``, the decisions of ``engine.scoring.score`` (same outcomes, durable-rules checked by
the evaluator as the setting ``engine`` says) without the explanations and gap analysis the impact does not show:
total, eligibility, failed conditions, points per criterion.
Imports only the engine, like ``bulk.scorer``, so a worker stays light."""

from __future__ import annotations

from engine.assessment import Assessment
from engine.models import CriteriaVersion
from engine.scoring import standing
from engine.workflow import round_date

from .bulk import scorer
from .bulk.scorer import Scorer

Compact = tuple[int, bool, list[str], dict[str, int]]


def compact(job: tuple, versions: dict[str, CriteriaVersion] | None = None, mode: str | None = None) -> Compact:
    key, commune, year, values = job
    version = (versions or scorer._VERSIONS)[key]
    return standing(version, Assessment(commune, year, round_date(year), version.id, values),
                    mode or scorer._MODE["engine"])


def _compact_batch(jobs: list[tuple]) -> list[Compact]:
    return [compact(job) for job in jobs]


class CompactScorer(Scorer):
    """``bulk.scorer.Scorer`` (same workers, batches and order) giving ``compact`` results."""

    def _send(self) -> None:
        self.batches.append(self.pool.submit(_compact_batch, self.pending))
        self.pending = []

    def result(self, handle: int) -> Compact:
        if not self.workers:
            return compact(self.jobs[handle], self.versions, self.mode)
        return super().result(handle)
