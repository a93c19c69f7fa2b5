"""Deployment settings stored with the data (the ``settings`` table, e.g. ``allow_sample_documents``) and
changes that are not a dossier's (e.g. a criteria publication): both go to the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from .. import audit
from ..models import Setting

if TYPE_CHECKING:
    from . import DossierService


def stored_setting(s: Session, key: str, default=None):
    """A setting's value within the caller's transaction; ``default`` when it was never set. A writer's first
    statement may have read it already (``base.actor_and_dossier``)."""
    known = s.info.get("settings", {})
    row = known[key] if key in known else s.get(Setting, key)
    return default if row is None else row.value


def setting(svc: DossierService, key: str, default=None):
    with svc.transaction(readonly=True) as s:
        return stored_setting(s, key, default)


def set_setting(svc: DossierService, actor: str, key: str, value) -> None:
    with svc.transaction() as s:
        row = s.get(Setting, key)
        before = None if row is None else row.value
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value
        audit.append(s, actor=actor, action="setting.set", target=key, before=before, after=value)


def record(svc: DossierService, actor: str, action: str, target: str, before=None, after=None,
           reason=None) -> None:
    """Append a change that is not a dossier's (e.g. a criteria publication) to the audit trail."""
    with svc.transaction() as s:
        audit.append(s, actor=actor, action=action, target=target, before=before, after=after, reason=reason)
