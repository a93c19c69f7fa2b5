"""A dossier's values read inside the statement that locks it (``base.actor_and_dossier``): one JSON array per
dossier instead of one row per value (a joined load would repeat the dossier's row, stored scores included, for
every value), held as plain ``Value`` rows instead of ORM objects, their changes written by ``write`` in one
UPDATE per set of changed columns (what the ORM's flush sends for them).

On PostgreSQL a writer that waited on the dossier's row lock gets the locked row as the writer before it left
it, but the rest of its statement (these values included) as they were when the statement started. So the
values are kept only when that snapshot already holds the locked version: the dossier's newest audit entry,
read in the same statement, is of the locked row's ``lock_version`` (every change of a dossier bumps it and
appends its entry in the same transaction). Otherwise the ``values`` relationship loads them after the lock,
as before; ``of`` gives whichever the transaction holds.
"""

from __future__ import annotations

import functools
import json
from operator import attrgetter, itemgetter

from sqlalchemy import Integer, Text, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.functions import FunctionElement

from ..models import AuditEntry, Dossier, IndicatorValue

COLUMNS = ("id", "code", "self_value", "appraised_value", "comment", "appraised_in")
CHANGEABLE = COLUMNS[2:]


class values_array(FunctionElement):
    """Every value row of a dossier as one JSON array (text) of ``COLUMNS``; an aggregate over
    ``indicator_values``."""

    type = Text()
    inherit_cache = True
    name = "values_array"


def _columns(compiler, kw) -> str:
    return ", ".join(compiler.process(IndicatorValue.__table__.c[name], **kw) for name in COLUMNS)


@compiles(values_array, "sqlite")
def _sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({_columns(compiler, kw)}))"


@compiles(values_array, "postgresql")
def _postgresql(element, compiler, **kw):
    return f"CAST(json_agg(json_build_array({_columns(compiler, kw)})) AS TEXT)"


def newest_version(dossier_id: int):
    """The version of the dossier's newest audit entry, as a column: whether the statement's snapshot holds the
    locked version."""
    return select(func.max(AuditEntry.dossier_version)).where(AuditEntry.dossier_id == dossier_id) \
        .scalar_subquery().label("newest")


def values_column(dossier_id: int):
    """The dossier's values as one JSON array, as a column."""
    return select(values_array()).where(IndicatorValue.dossier_id == dossier_id).scalar_subquery() \
        .label("value_rows")


_current = attrgetter(*CHANGEABLE)  # a value's changeable columns as they are now


class Value:
    """One stored value of a dossier (the columns of ``IndicatorValue``); what changed since it was read
    (``read``: its ``CHANGEABLE`` columns then) is written by ``write``."""

    __slots__ = (*COLUMNS, "read")

    def __init__(self, row: list):
        self.id, self.code, self.self_value, self.appraised_value, self.comment, self.appraised_in = row
        self.read = tuple(row[2:])


def attach(s: Session, dossier: Dossier, array: str | None, newest: int | None) -> None:
    """Keep the values read with the lock (ordered by code, as the relationship orders them) for ``of``, when
    the snapshot held the locked version."""
    if newest == dossier.lock_version:
        rows = [Value(row) for row in sorted(json.loads(array or "[]"), key=itemgetter(1))]
        s.info.setdefault("values", {})[dossier.id] = rows


def held(dossier: Dossier) -> list[Value] | None:
    """The values read with the dossier's lock in its session's transaction; None when none were."""
    s = object_session(dossier)
    return s.info.get("values", {}).get(dossier.id) if s is not None else None


def of(dossier: Dossier) -> list:
    """The dossier's values: those read with its lock in this transaction, else its ``values`` relationship."""
    rows = held(dossier)
    return dossier.values if rows is None else rows


def write(s: Session) -> None:
    """Write what changed in the values read with the lock: one UPDATE per set of changed columns, every row of
    it in one batch (``_update``). A row that is gone is a conflict, as the ORM's flush would say."""
    batches: dict[tuple, list] = {}
    for rows in s.info.get("values", {}).values():
        for row in rows:
            now = _current(row)
            if now == row.read:  # most rows: unchanged
                continue
            changes = {name: new for name, new, old in zip(CHANGEABLE, now, row.read, strict=True) if new != old}
            batches.setdefault(tuple(changes), []).append({"_id": row.id, **changes})
            row.read = now
    for names, params in batches.items():
        matched = _update(s, names, params)
        if matched != len(params) and s.get_bind().dialect.supports_sane_multi_rowcount:
            raise StaleDataError(f"UPDATE of indicator_values expected {len(params)} rows, matched {matched}")


def _update(s: Session, names: tuple, params: list[dict]) -> int:
    """One UPDATE of the columns ``names`` of the rows ``params`` (``_id`` and the new values); how many rows
    it matched. SQLite runs the statement once per row inside its driver (``executemany``); PostgreSQL gets one
    statement whose rows come as arrays (psycopg would send a statement per row)."""
    if s.get_bind().dialect.name != "postgresql":
        return s.connection().execute(_update_each(names), params).rowcount
    arrays = {key: [row[key] for row in params] for key in ("_id", *names)}
    return s.connection().execute(_update_from_arrays(names), arrays).rowcount


@functools.lru_cache(maxsize=32)
def _update_each(names: tuple):
    table = IndicatorValue.__table__
    return table.update().where(table.c.id == bindparam("_id")).values({n: bindparam(n) for n in names})


@functools.lru_cache(maxsize=32)
def _update_from_arrays(names: tuple):
    """``UPDATE indicator_values … FROM unnest(:_id, :name…)``: each column's new values as one array
    parameter, the same statement for any number of rows."""
    table = IndicatorValue.__table__
    types = {"_id": Integer(), **{n: table.c[n].type for n in names}}
    rows = func.unnest(*(bindparam(key, type_=postgresql.ARRAY(kind)) for key, kind in types.items())) \
        .table_valued(*types).render_derived(name="changed")
    return table.update().where(table.c.id == rows.c._id) \
        .values({n: rows.c[n] for n in names})
