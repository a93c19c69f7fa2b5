"""``DossierView``: a dossier as plain data (values as canonical text, scores typed), what every operation returns.

A stored score (the JSON column ``self_score`` or ``verified_score``) is read through
``engine.result.ScoreResult.from_stored`` the first time a view's score is asked for, so an operation whose view
nobody reads pays nothing for it. A stored score that cannot be read (written by a broken or foreign writer, or
edited by hand) never breaks a page: the view gives None for it, names it in ``score_problems`` and logs a
warning; saving the values again scores them anew.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property, partial

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from engine.loader import Registry, fingerprint
from engine.messages import N_
from engine.result import ScoreResult, StoredScoreError

from ..lookup import read_score
from ..models import Dossier, Evidence, IndicatorValue
from ..units import path_names
from . import locked_values

log = logging.getLogger(__name__)


class Later:
    """What a view's field will be, loaded the first time the field is read (``read`` takes no argument)."""

    def __init__(self, read: Callable[[], list | dict]):
        self.read = read


class _Deferred:
    """A field of ``DossierView`` that may be given as ``Later``: an operation whose view nobody reads pays
    nothing for it (the values and evidence of a transition, read after its transaction, in a read-only one)."""

    def __init__(self, empty: Callable[[], list | dict]):
        self.empty = empty

    def __set_name__(self, owner, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, view, owner=None):
        if view is None:  # the dataclass asks for the default: None, read as empty
            return None
        value = view.__dict__.get(self.slot, None)
        if value is None:
            value = self.empty()
        elif isinstance(value, Later):
            value = value.read()
        view.__dict__[self.slot] = value
        return value

    def __set__(self, view, value) -> None:
        view.__dict__[self.slot] = value

SCORES = {"self_score": N_("điểm tự đánh giá"), "verified_score": N_("điểm thẩm định"),
          "rescored_score": N_("điểm tính lại")}
DECIDED = ("recognized", "not_recognized", "revoked")  # a re-score is recorded beside the decision's score


def readable_score(stored: dict | None) -> tuple[ScoreResult | None, str | None]:
    """(the score, None), (None, None) when there is none, or (None, why) when it cannot be read."""
    try:
        return read_score(stored), None
    except StoredScoreError as exc:
        return None, str(exc)


@dataclass
class DossierView:
    """A dossier as plain data for pages, the API and the CLI. ``self_score`` and ``verified_score`` are
    ``ScoreResult`` (or None); ``to_dict()`` is the JSON form the API and ``cfc dossier show --json`` print."""

    id: int
    commune_code: str
    commune_name: str
    units: dict
    year: int
    status: str
    category: str
    criteria_version: str
    procedure: str
    lock_version: int
    values: dict = _Deferred(dict)  # code → {"self", "appraised", "comment"} as canonical text
    stored_scores: dict = field(default_factory=dict, repr=False)  # "self_score"/"verified_score" → stored JSON
    engine_version: str | None = None
    panel_members: list | None = None
    decision_number: str | None = None
    decision_date: str | None = None
    decision_signer: str | None = None
    decision_signer_title: str | None = None
    revocation_number: str | None = None
    revocation_date: str | None = None
    revocation_signer: str | None = None
    revocation_signer_title: str | None = None
    revocation_public_reason: str | None = None
    submission: int = 0
    evidence: list = _Deferred(list)
    provisional: bool = False
    criteria_fingerprint: str = ""  # the criteria content of today (engine.loader.fingerprint)
    stale_scores: list = field(default_factory=list)  # scores computed from other content: "chấm theo bộ tiêu chí cũ"
    unreadable: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # which → why

    @cached_property
    def self_score(self) -> ScoreResult | None:
        return self._read("self_score")

    @cached_property
    def verified_score(self) -> ScoreResult | None:
        return self._read("verified_score")

    @cached_property
    def rescored_score(self) -> ScoreResult | None:
        return self._read("rescored_score")

    @property
    def score(self) -> ScoreResult | None:
        """The score that stands: the appraisal once there is one, else the self-assessment."""
        return self.verified_score or self.self_score

    @property
    def score_problems(self) -> list[str]:
        """One line (Vietnamese) per stored score that cannot be read."""
        for which in SCORES:
            getattr(self, which)
        return [N_("Không đọc được %(score)s đã lưu (%(why)s); lưu lại số liệu để tính lại.", score=SCORES[which],
                   why=why) for which, why in self.unreadable.items()]

    def _read(self, which: str) -> ScoreResult | None:
        result, why = readable_score(self.stored_scores.get(which))
        if why is not None:
            self.unreadable[which] = why
            log.warning("dossier %s: %s cannot be read: %s", self.id, which, why)
        return result

    def to_dict(self) -> dict:
        """The JSON form: every field as before the scores were typed, scores in ``ScoreResult.to_dict()``
        form (null when there is none or it cannot be read)."""
        out = {}
        for f in dataclasses.fields(self):
            if f.name == "stored_scores":
                for which in SCORES:
                    score = getattr(self, which)
                    out[which] = score.to_dict() if score is not None else None
            elif f.name != "unreadable":
                out[f.name] = getattr(self, f.name)
        return out


def appraised_text(item, dossier: Dossier) -> str | None:
    """An appraised value as canonical text, only when it was appraised for the latest submission."""
    return item.appraised_value if item.appraised_in == dossier.submission else None


def stale_scores(d: Dossier, current: str) -> list[str]:
    """Which stored scores were computed from criteria content other than ``current`` (a fingerprint). A decided
    dossier's scores count as current once a re-score from the current content is recorded beside them; a
    score stored before fingerprints (None) cannot be told apart and is not marked."""
    def old(stored: dict | None) -> bool:
        mark = stored.get("fingerprint") if isinstance(stored, dict) else None
        return mark is not None and mark != current

    if d.status in DECIDED and d.rescored_score is not None:
        return ["rescored_score"] if old(d.rescored_score) else []
    return [which for which in ("self_score", "verified_score") if old(getattr(d, which))]


def view_of(registry: Registry, d: Dossier, *, values: list | None = None, evidence: list | None = None,
            reader: Callable[[], AbstractContextManager[Session]] | None = None) -> DossierView:
    """The view of a loaded dossier (its criteria version says whether it is provisional). ``values`` and
    ``evidence``: what the caller's transaction knows they are (a new dossier's), instead of loading them.
    ``reader`` (a writer's): opens a read-only transaction; the values or evidence the writer's transaction
    did not load are read in one, the first time the view's field is read, after the writer's commit."""
    version = registry.get(d.criteria_version)
    values = locked_values.held(d) if values is None else values
    unloaded = inspect(d).unloaded if reader is not None else ()
    if values is not None or "values" not in unloaded:
        values = _values(d.values if values is None else values, d.submission)
    else:
        values = Later(partial(_read_values, reader, d.id, d.submission))
    if evidence is not None or "evidence" not in unloaded:
        evidence = [_evidence(e) for e in (d.evidence if evidence is None else evidence)]
    else:
        evidence = Later(partial(_read_evidence, reader, d.id))
    return DossierView(
        id=d.id,
        commune_code=d.commune.code,
        commune_name=d.commune.name,
        units=path_names(d.commune),
        year=d.year,
        status=d.status,
        category=d.category,
        criteria_version=d.criteria_version,
        procedure=d.procedure,
        lock_version=d.lock_version,
        values=values,
        stored_scores={"self_score": d.self_score, "verified_score": d.verified_score,
                       "rescored_score": d.rescored_score},
        engine_version=d.engine_version,
        panel_members=d.panel_members,
        decision_number=d.decision_number,
        decision_date=d.decision_date.isoformat() if d.decision_date else None,
        decision_signer=d.decision_signer,
        decision_signer_title=d.decision_signer_title,
        revocation_number=d.revocation_number,
        revocation_date=d.revocation_date.isoformat() if d.revocation_date else None,
        revocation_signer=d.revocation_signer,
        revocation_signer_title=d.revocation_signer_title,
        revocation_public_reason=d.revocation_public_reason,
        submission=d.submission,
        evidence=evidence,
        provisional=version.provisional,
        criteria_fingerprint=fingerprint(version),  # cached per version: which stored scores are older
        stale_scores=stale_scores(d, fingerprint(version)),
    )


def _values(items: list, submission: int) -> dict:
    """The view's values: code → self-assessed, appraised (of the latest submission only) and comment."""
    return {v.code: {"self": v.self_value, "appraised": v.appraised_value if v.appraised_in == submission else None,
                     "comment": v.comment} for v in items}


def _evidence(e: Evidence) -> dict:
    return {"id": e.id, "criterion": e.criterion, "filename": e.filename, "size": e.size, "sha256": e.sha256,
            "content_type": e.content_type, "uploaded_by": e.uploaded_by, "uploaded_at": e.uploaded_at}


def _read_values(reader: Callable[[], AbstractContextManager[Session]], dossier_id: int, submission: int) -> dict:
    with reader() as s:
        return _values(s.execute(select(IndicatorValue).where(IndicatorValue.dossier_id == dossier_id)
                                 .order_by(IndicatorValue.code)).scalars(), submission)


def _read_evidence(reader: Callable[[], AbstractContextManager[Session]], dossier_id: int) -> list:
    with reader() as s:
        return [_evidence(e) for e in s.execute(select(Evidence).where(Evidence.dossier_id == dossier_id)
                                                 .order_by(Evidence.id)).scalars()]
