"""Scoring many assessments for an import: in this process, or in worker processes while the importer goes on.

Kept apart from the importer so that a worker process imports only what scoring needs (no SQLAlchemy, no
spreadsheet code). ``Scorer`` hands out scores in the order the jobs were submitted.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from engine.assessment import Assessment
from engine.models import CriteriaVersion
from engine.scoring import score
from engine.workflow import round_date

PARALLEL_FROM = 300  # rows in a file from which scoring is spread over worker processes


_VERSIONS: dict[str, CriteriaVersion] = {}
_MODE = {"engine": "durable"}  # a worker's setting ``engine``, set by its initializer


def _init_worker(versions: dict[str, CriteriaVersion], mode: str = "durable") -> None:
    _VERSIONS.update(versions)
    _MODE["engine"] = mode


def _score(job: tuple, versions: dict[str, CriteriaVersion] | None = None, mode: str | None = None) -> dict:
    version_id, commune, year, values = job
    version = (versions or _VERSIONS)[version_id]
    # exactly as dossiers.service.scores builds the assessment, so the stored score is the same
    assessment = Assessment(commune, year, round_date(year), version.id, values)
    return score(version, assessment, mode or _MODE["engine"]).to_dict()


def worker_count(rows: int, workers: int | None = None) -> int:
    """0 (score in this process) or the number of worker processes for a file of ``rows`` rows: ``workers``
    (the setting ``import_workers``) when given, else one per CPU, at most 4, from ``PARALLEL_FROM`` rows."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if rows >= PARALLEL_FROM else 0
    return 0 if workers <= 1 or rows < 2 else workers


class Scorer:
    """Scores assessments in this process, or in worker processes that start with the first job (or ``start``)
    and score in batches while the importer goes on checking rows; ``result`` gives each score, asked in order."""

    BATCH = 32

    def __init__(self, versions: dict[str, CriteriaVersion], workers: int = 0, mode: str = "durable"):
        self.versions = dict(versions)
        self.mode = mode
        self.workers = workers if workers > 1 else 0
        self.pool = None
        self.jobs: list[tuple] = []
        self.pending: list[tuple] = []  # jobs not yet sent to a worker
        self.batches: list = []  # futures, each of BATCH scores
        self.done: dict[int, list[dict]] = {}

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool, self.workers = None, 0

    def start(self) -> Scorer:
        """Start the worker processes now (they take ~0.5 s to import the engine): while the caller reads the
        file, for instance, which keeps one CPU busy and leaves the others idle."""
        if self.workers and self.pool is None:
            # spawn, not fork: the parent holds database connections and durable-rules' native state
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_init_worker, initargs=(self.versions, self.mode))
            for _ in range(self.workers):
                self.pool.submit(_ready)  # each idle-less submit spawns one more worker
        return self

    def submit(self, job: tuple) -> int:
        handle = len(self.jobs)
        self.jobs.append(job)
        self.start()
        if self.pool is not None:
            self.pending.append(job)
            if len(self.pending) == self.BATCH:
                self._send()
        return handle

    def _send(self) -> None:
        self.batches.append(self.pool.submit(_score_batch, self.pending))
        self.pending = []

    def result(self, handle: int) -> dict:
        if not self.workers:
            return _score(self.jobs[handle], self.versions, self.mode)
        batch, offset = divmod(handle, self.BATCH)
        if batch >= len(self.batches) and self.pending:
            self._send()
        if batch not in self.done:
            self.done = {batch: self.batches[batch].result()}  # keep one batch: the results are large
        return self.done[batch][offset]


def _ready() -> None:
    """A first task: the worker is up and has imported the engine (its initializer ran)."""


def _score_batch(jobs: list[tuple]) -> list[dict]:
    return [_score(job) for job in jobs]
