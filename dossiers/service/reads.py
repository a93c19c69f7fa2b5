"""Reading dossiers: one, a list, the communes of a jurisdiction, a dossier's history. Read-only transactions
(on SQLite they never wait for writers); every dossier is checked against the reader's jurisdiction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine.workflow import round_date

from .. import audit
from ..lookup import load_dossier, load_user
from ..models import Dossier, Unit
from ..units import contains, path_names, valid_on
from .view import DossierView, view_of

if TYPE_CHECKING:
    from . import DossierService


def get(svc: DossierService, username: str, dossier_id: int) -> DossierView:
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        return view_of(svc.registry, load_dossier(s, dossier_id, user))


def listing(svc: DossierService, username: str, year: int | None = None, status: str | None = None
            ) -> list[DossierView]:
    """The dossiers of the user's jurisdiction, of a round and in a state when given, by id."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        query = select(Dossier)
        if year is not None:
            query = query.where(Dossier.year == year)
        if status is not None:
            query = query.where(Dossier.status == status)
        rows = s.execute(query.order_by(Dossier.id)).scalars()
        return [view_of(svc.registry, d) for d in rows if contains(user.unit, d.commune)]


def commune_counts(svc: DossierService, username: str, year: int) -> dict[str, int]:
    """Communes in the actor's jurisdiction in force on the round's date, per district (or province)."""
    day = round_date(year)
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        counts: dict[str, int] = {}
        for unit in s.execute(select(Unit).where(Unit.level == "commune")).scalars():
            if valid_on(unit, day) and contains(user.unit, unit):
                names = path_names(unit)
                key = names.get("district") or names.get("province", "")
                counts[key] = counts.get(key, 0) + 1
        return counts


def history(svc: DossierService, username: str, dossier_id: int) -> list[dict]:
    """The dossier's audit entries, oldest first, with before and after as data."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        dossier = load_dossier(s, dossier_id, user)
        return [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
             "before": json.loads(e.before), "after": json.loads(e.after), "reason": e.reason,
             "version": e.dossier_version}
            for e in audit.history(s, dossier.id)
        ]
