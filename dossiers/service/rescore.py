"""Re-scoring: computing a dossier's scores again from its stored values under the criteria content of today,
after a version was corrected in place (``cfc criteria set``) and its fingerprint changed.

A dossier still at work (draft, submitted, verified) gets its self-assessed and appraised scores replaced. A
decided dossier (recognised, not recognised, revoked) keeps the score its decision was taken on, and with it
its certificate and minutes: the new score of its appraised values is recorded beside it (``rescored_score``)
and the page says whether the recognition would still hold. A re-score never changes a dossier's state: a
recognition is a legal act that only a revocation ends.

Each re-score is one audited transaction (``dossier.rescore``) with the old and new totals, checked like every
operation: jurisdiction, the version shown, the procedures' ``rescore`` step (role, level, state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine import __version__ as engine_version
from engine.errors import CfcError
from engine.loader import fingerprint
from engine.messages import N_, Message
from engine.workflow import TransitionRefused

from .. import audit, authority
from ..lookup import load_dossier, load_user
from ..models import Dossier
from .base import check_expected, log
from .scores import problems, score_result
from .view import DECIDED, DossierView, stale_scores, view_of

if TYPE_CHECKING:
    from . import DossierService

COLUMNS = {"self_score": "self_value", "verified_score": "appraised_value", "rescored_score": "appraised_value"}


@dataclass(frozen=True)
class Rescored:
    """One dossier's re-score, for the round's summary: totals and eligibility before and after, per score."""

    dossier_id: int
    commune: str
    status: str
    before: dict  # which score → {"total", "recognized", "fingerprint"} (None: there was none)
    after: dict

    @property
    def changed(self) -> bool:
        return any(_total(self.before.get(k)) != _total(v) for k, v in self.after.items())


def _total(summary: dict | None):
    return summary["total"] if summary else None


def _summary(stored: dict | None) -> dict | None:
    if not isinstance(stored, dict):
        return None
    return {"total": stored.get("total"), "recognized": stored.get("recognized"),
            "fingerprint": stored.get("fingerprint")}


def previous(dossier: Dossier, which: str) -> dict | None:
    """The score a re-score of ``which`` replaces: a decided dossier's first re-score follows its decision's."""
    stored = getattr(dossier, which)
    return dossier.verified_score if stored is None and which == "rescored_score" else stored


def targets(dossier: Dossier) -> list[str]:
    """The scores a re-score computes: the decision's score stays on a decided dossier; its re-score is new."""
    if dossier.status in DECIDED:
        return ["rescored_score"] if dossier.verified_score is not None else []
    return [which for which in ("self_score", "verified_score") if getattr(dossier, which) is not None]


def _checked(svc: DossierService, user, dossier: Dossier):
    """The dossier's criteria version, once the user may re-score it and it has an old score to re-score."""
    authority.check(svc.procedures, user, "rescore", dossier=dossier)
    version = svc.version_of(dossier)
    if not stale_scores(dossier, fingerprint(version)):
        raise TransitionRefused("rescore", [N_("điểm đã được chấm theo nội dung hiện hành của bộ tiêu chí "
                                               "%(version)s: không có gì để tính lại", version=version.id)])
    if not targets(dossier):
        raise TransitionRefused("rescore", [N_("hồ sơ chưa có điểm thẩm định để tính lại")])
    return version


def check_rescore(svc: DossierService, username: str, dossier_id: int) -> None:
    """The re-score's checks without changing anything (a dry run): refused as the re-score would be."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        _checked(svc, user, load_dossier(s, dossier_id, user))


def rescore(svc: DossierService, username: str, dossier_id: int, expected_version: int | None = None
            ) -> DossierView:
    """Score the dossier again under the criteria content of today and audit the old and new totals."""
    with svc.transaction() as s:
        user = load_user(s, username)
        dossier = load_dossier(s, dossier_id, user, lock=True)
        check_expected(s, dossier, expected_version)
        version = _checked(svc, user, dossier)
        before, after = {}, {}
        for which in targets(dossier):
            column = COLUMNS[which]
            result = score_result(version, dossier, column, svc.settings.engine)
            if result is None:
                raise TransitionRefused("rescore", [N_("không tính lại được theo %(version)s: %(problems)s",
                                                       version=version.id,
                                                       problems=problems(version, dossier, column))])
            before[which] = _summary(previous(dossier, which))
            setattr(dossier, which, result.to_dict())
            after[which] = _summary(getattr(dossier, which))
        if dossier.status == "recognized":
            after["recognition_holds"] = after["rescored_score"]["recognized"]
        dossier.engine_version = engine_version
        dossier.updated_at = audit.now()
        log(s, user, dossier, "dossier.rescore", version.id, before, after)
        return view_of(svc.registry, dossier, reader=svc.view_reader)


@dataclass(frozen=True)
class Candidate:
    """A dossier a round's re-score will look at, with its scores as they are."""

    dossier_id: int
    commune: str
    status: str
    before: dict


def stale_dossiers(svc: DossierService, username: str, year: int) -> list[Candidate]:
    """The dossiers of round ``year`` scored under older criteria content that the user may re-score."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        authority.check(svc.procedures, user, "rescore", year=year)  # role and level in the round's procedure
        out = []
        for d in s.execute(select(Dossier).where(Dossier.year == year).order_by(Dossier.id)).scalars():
            if stale_scores(d, fingerprint(svc.version_of(d))) and authority.allows(
                    svc.procedures, user, "rescore", dossier=d):
                out.append(Candidate(d.id, d.commune.name, d.status, {w: _summary(previous(d, w)) for w in targets(d)}))
        return out


def rescore_all(svc: DossierService, username: str, candidates: list[Candidate],
                progress: Callable[[int], None] | None = None) -> tuple[list[Rescored], list[str]]:
    """Re-score each candidate in its own transaction. Returns what was re-scored and, one line each, what was
    refused (nothing of those changed). ``progress(1)`` is called after each."""
    done, refused = [], []
    for c in candidates:
        try:
            view = rescore(svc, username, c.dossier_id)
        except CfcError as exc:  # one refusal does not stop the round; each is reported
            refused.append(Message("#%(id)s %(commune)s: %(error)s", id=str(c.dossier_id), commune=c.commune,
                                   error=exc.args[0] if exc.args else str(exc)))
        else:
            after = {w: _summary(view.stored_scores.get(w)) for w in c.before}
            done.append(Rescored(c.dossier_id, c.commune, c.status, c.before, after))
        if progress is not None:
            progress(1)
    return done, refused
