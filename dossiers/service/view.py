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
from dataclasses import dataclass, field
from functools import cached_property

from engine.loader import Registry, fingerprint
from engine.result import ScoreResult, StoredScoreError

from ..lookup import read_score
from ..models import Dossier
from ..units import path_names

log = logging.getLogger(__name__)

SCORES = {"self_score": "điểm tự đánh giá", "verified_score": "điểm thẩm định",
          "rescored_score": "điểm tính lại"}
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
    values: dict = field(default_factory=dict)  # code → {"self", "appraised", "comment"} as canonical text
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
    evidence: list = field(default_factory=list)
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
        return [f"Không đọc được {SCORES[which]} đã lưu ({why}); lưu lại số liệu để tính lại."
                for which, why in self.unreadable.items()]

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


def view_of(registry: Registry, d: Dossier, *, values: list | None = None, evidence: list | None = None
            ) -> DossierView:
    """The view of a loaded dossier (its criteria version says whether it is provisional). ``values`` and
    ``evidence``: what the caller's transaction knows they are (a new dossier's), instead of loading them."""
    version = registry.get(d.criteria_version)
    values = d.values if values is None else values
    evidence = d.evidence if evidence is None else evidence
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
        values={v.code: {"self": v.self_value, "appraised": appraised_text(v, d), "comment": v.comment}
                for v in values},
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
        evidence=[{"id": e.id, "criterion": e.criterion, "filename": e.filename, "size": e.size,
                   "sha256": e.sha256, "content_type": e.content_type, "uploaded_by": e.uploaded_by,
                   "uploaded_at": e.uploaded_at} for e in evidence],
        provisional=version.provisional,
        criteria_fingerprint=fingerprint(version),  # cached per version: which stored scores are older
        stale_scores=stale_scores(d, fingerprint(version)),
    )
