"""Reading dossiers: one, a list, the communes of a jurisdiction, a dossier's history. Read-only transactions
(on SQLite they never wait for writers). A reader sees a dossier when its procedure's ``read`` step gives them
a role and level and the dossier lies in their jurisdiction (``authority``): an administrator whom no procedure
lets read sees no dossier content, no history and no evidence."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine.workflow import round_date

from .. import audit, authority
from ..lookup import load_dossier, load_user
from ..models import Dossier, Evidence, IndicatorValue, Unit, User
from ..units import contains, path_names, valid_on, within
from .view import DossierView, view_of

if TYPE_CHECKING:
    from . import DossierService


def readable(svc: DossierService, user: User, dossier: Dossier) -> Dossier:
    """The dossier, when the procedure lets ``user`` read it (AccessDenied otherwise)."""
    authority.check(svc.procedures, user, "read", dossier=dossier)
    return dossier


def get(svc: DossierService, username: str, dossier_id: int) -> DossierView:
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        return view_of(svc.registry, readable(svc, user, load_dossier(s, dossier_id, user)))


def listing(svc: DossierService, username: str, year: int | None = None, status: str | None = None
            ) -> list[DossierView]:
    """The dossiers of the user's jurisdiction, of a round and in a state when given, by id. The database
    gives only the dossiers of communes within the user's unit (``units.within``); each is checked again. Their
    values and evidence come in one query each, as plain rows (a list holds many dossiers)."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        query = select(Dossier).where(Dossier.commune_id.in_(within(user.unit_id)))
        if year is not None:
            query = query.where(Dossier.year == year)
        if status is not None:
            query = query.where(Dossier.status == status)
        shown = [d for d in s.execute(query.order_by(Dossier.id)).scalars()
                 if authority.allows(svc.procedures, user, "read", dossier=d)]
        ids = [d.id for d in shown]
        values = _rows_by_dossier(s, ids, select(IndicatorValue.dossier_id, IndicatorValue.code,
                                                 IndicatorValue.self_value, IndicatorValue.appraised_value,
                                                 IndicatorValue.appraised_in, IndicatorValue.comment),
                                  IndicatorValue.dossier_id, IndicatorValue.code)
        evidence = _rows_by_dossier(s, ids, select(Evidence), Evidence.dossier_id, Evidence.id)
        return [view_of(svc.registry, d, values=values.get(d.id, []), evidence=evidence.get(d.id, []))
                for d in shown]


CHUNK = 500  # dossier ids bound in one query (SQLite allows 32,766 parameters; a national list may hold more)


def _rows_by_dossier(s, ids: list[int], query, dossier_id, order) -> dict[int, list]:
    """The rows of ``query`` (an entity, or columns that include ``dossier_id``) of the dossiers ``ids``, per
    dossier, ordered by ``order``: one query for each ``CHUNK`` dossiers."""
    out: dict[int, list] = {}
    for start in range(0, len(ids), CHUNK):
        for row in s.execute(query.where(dossier_id.in_(ids[start:start + CHUNK])).order_by(order)):
            item = row[0] if len(row) == 1 else row
            out.setdefault(item.dossier_id, []).append(item)
    return out


def commune_counts(svc: DossierService, username: str, year: int) -> dict[str, int]:
    """Communes in the actor's jurisdiction in force on the round's date, per district (or province); the
    database gives those within the actor's unit (``units.within``), each checked again."""
    day = round_date(year)
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        counts: dict[str, int] = {}
        query = select(Unit).where(Unit.level == "commune", Unit.id.in_(within(user.unit_id)))
        for unit in s.execute(query).scalars():
            if valid_on(unit, day) and contains(user.unit, unit):
                names = path_names(unit)
                key = names.get("district") or names.get("province", "")
                counts[key] = counts.get(key, 0) + 1
        return counts


def history(svc: DossierService, username: str, dossier_id: int) -> list[dict]:
    """The dossier's audit entries, oldest first, with before and after as data."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        dossier = readable(svc, user, load_dossier(s, dossier_id, user))
        return [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
             "before": json.loads(e.before), "after": json.loads(e.after), "reason": e.reason,
             "version": e.dossier_version}
            for e in audit.history(s, dossier.id)
        ]
