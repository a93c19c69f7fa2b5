"""The dossier service: the one place where dossiers change. Used by the CLI and the web app alike.

Every public method is one transaction: it loads the actor and the dossier, checks jurisdiction and role
against the dossier's dated procedure, validates, changes, appends to the audit chain and commits, or changes
nothing. Optimistic locking: a caller that passes ``expected_version`` (the version it showed the user) gets a
``ConflictError`` naming who changed what since; two concurrent writers never both win.

``DossierService`` holds the database sessions, the criteria registry and the procedures; each method hands
over to a module of one concern: ``reads``, ``values`` (creating a dossier, saving and appraising values),
``transitions``, ``batch`` (a decision on several dossiers, of one issuing body), ``decisions`` (the
recognition decision and its repair, text lengths), ``evidence``,
``settings``, ``rescore`` (scoring again under corrected criteria), ``preview`` (typed values scored, nothing
stored); ``scores`` computes scores, ``base`` is the shared plumbing
(transaction, actor, dossier in jurisdiction, procedure step, version check, audit entry) and ``view`` the
``DossierView`` every operation returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from engine.loader import Registry
from engine.models import CriteriaVersion
from engine.preview import Preview
from engine.result import ScoreResult
from engine.workflow import Procedure

from ..config import Settings
from ..db import readonly_factory
from ..issuance import signing_issue
from ..models import Dossier
from . import base, batch, decisions, evidence, preview, reads, rescore, scores, transitions, values
from . import settings as settings_table
from .view import DossierView

__all__ = ["DossierService", "DossierView"]


class DossierService:
    """Operations on dossiers over one database, each checked and audited (see the module's docstring).
    ``settings`` is the deployment's (``dossiers.config``; default: built from the environment)."""

    def __init__(self, sessions: sessionmaker[Session], registry: Registry | None = None,
                 procedures: list[Procedure] | None = None, *, settings: Settings | None = None,
                 lazy_views: bool = False):
        self.sessions = sessions
        bind = sessions.kw.get("bind")
        self._readers = readonly_factory(bind) if bind is not None else sessions
        self.settings = settings or Settings.from_env()
        self.registry = registry or self.settings.registry()
        self.procedures = procedures if procedures is not None else self.settings.procedures()
        # renders a document for signing at issuance (``issuance.signing_issue``); set by the web app and the
        # commands to ``certificates.signature.signable_pdf``; None: nothing is signed
        self.renderer = None
        # the views a change returns read what its transaction did not (the evidence, a recognition's values)
        # the first time they are shown, in a read-only transaction: for a caller whose database outlives the
        # views (the web app); False: read within the change's transaction, as a command that closes its
        # connections right after the change needs
        self.lazy_views = lazy_views

    def transaction(self, readonly: bool = False) -> AbstractContextManager[Session]:
        """One transaction; ``readonly`` ones must not write (on SQLite they do not take the write lock)."""
        return base.transaction(self._readers if readonly else self.sessions)

    @property
    def view_reader(self) -> Callable[[], AbstractContextManager[Session]] | None:
        """What a change's view reads later with (``lazy_views``; ``view.view_of``), else None."""
        return partial(self.transaction, True) if self.lazy_views else None

    def version_of(self, dossier: Dossier) -> CriteriaVersion:
        return self.registry.get(dossier.criteria_version)


    # ---------------------------------------------------------------------------------------------- reads
    def get(self, username: str, dossier_id: int) -> DossierView:
        return reads.get(self, username, dossier_id)

    def list(self, username: str, year: int | None = None, status: str | None = None) -> list[DossierView]:
        return reads.listing(self, username, year, status)

    def commune_counts(self, username: str, year: int) -> dict[str, int]:
        return reads.commune_counts(self, username, year)

    def history(self, username: str, dossier_id: int) -> list[dict]:
        return reads.history(self, username, dossier_id)

    # --------------------------------------------------------------------------------------------- values
    def create(self, username: str, commune_code: str, year: int) -> DossierView:
        return values.create(self, username, commune_code, year)

    def set_values(self, username: str, dossier_id: int, raw: dict, expected_version: int | None = None
                   ) -> DossierView:
        return values.set_values(self, username, dossier_id, raw, expected_version)

    def appraise(self, username: str, dossier_id: int, raw: dict, comments: dict | None = None,
                 expected_version: int | None = None) -> DossierView:
        return values.appraise(self, username, dossier_id, raw, comments, expected_version)

    def typed_values(self, dossier: Dossier, column: str) -> dict:
        return scores.typed_values(self.version_of(dossier), dossier, column)

    def preview_appraisal(self, view: DossierView) -> ScoreResult | None:
        return scores.preview_appraisal(self.registry, view, self.settings.engine)

    def preview_values(self, username: str, dossier_id: int, raw: dict, full: bool = True
                       ) -> tuple[Preview, ScoreResult | None]:
        """What typed values would give, stored nowhere (``service.preview``)."""
        return preview.preview_values(self, username, dossier_id, raw, full)

    # ---------------------------------------------------------------------------------------- transitions
    def check_transition(self, username: str, dossier_id: int, event: str, reason: str | None = None,
                         panel_members: list[str] | None = None) -> str:
        return transitions.check_transition(self, username, dossier_id, event, reason, panel_members)

    def allowed(self, username: str, dossier_id: int) -> set[str]:
        return transitions.allowed(self, username, dossier_id)

    def transition(self, username: str, dossier_id: int, event: str, reason: str | None = None,
                   expected_version: int | None = None, panel_members: list[str] | None = None,
                   decision_number: str | None = None, decision_date: dt.date | None = None,
                   signer_name: str | None = None, signer_title: str | None = None,
                   public_reason: str | None = None) -> DossierView:
        view = transitions.transition(self, username, dossier_id, event, reason, expected_version, panel_members,
                                      decision_number, decision_date, signer_name, signer_title, public_reason)
        signing_issue.after_event(self, dossier_id, event)
        return view

    def check_batch(self, username: str, ids: list[int], decision_date: dt.date | None) -> None:
        batch.check_one_body(self, username, ids, decision_date)

    def decide_batch(self, username: str, ids: list[int], event: str, versions: dict[int, int | None],
                     reason: str | None = None, decision_number: str | None = None,
                     decision_date: dt.date | None = None, signer_name: str | None = None,
                     signer_title: str | None = None) -> tuple[list[int], list]:
        return batch.decide(self, username, ids, event, versions, reason, decision_number, decision_date,
                            signer_name, signer_title)

    def amend_decision(self, username: str, dossier_id: int, number: str | None, day: dt.date | None,
                       reason: str | None, expected_version: int | None = None, signer_name: str | None = None,
                       signer_title: str | None = None) -> DossierView:
        view = decisions.amend(self, username, dossier_id, number, day, reason, expected_version, signer_name,
                               signer_title)
        signing_issue.after_event(self, dossier_id, "amend_decision")
        return view

    def rescore(self, username: str, dossier_id: int, expected_version: int | None = None) -> DossierView:
        return rescore.rescore(self, username, dossier_id, expected_version)

    def check_rescore(self, username: str, dossier_id: int) -> None:
        rescore.check_rescore(self, username, dossier_id)

    # ------------------------------------------------------------------------------- evidence and settings
    def add_evidence(self, username: str, dossier_id: int, criterion: str, filename: str, content: bytes,
                     expected_version: int | None = None) -> DossierView:
        return evidence.add_evidence(self, username, dossier_id, criterion, filename, content, expected_version)

    def delete_evidence(self, username: str, dossier_id: int, evidence_id: int,
                        expected_version: int | None = None) -> DossierView:
        return evidence.delete_evidence(self, username, dossier_id, evidence_id, expected_version)

    def record(self, actor: str, action: str, target: str, before=None, after=None, reason=None) -> None:
        settings_table.record(self, actor, action, target, before, after, reason)

    def setting(self, key: str, default=None):
        return settings_table.setting(self, key, default)

    def set_setting(self, actor: str, key: str, value) -> None:
        settings_table.set_setting(self, actor, key, value)
