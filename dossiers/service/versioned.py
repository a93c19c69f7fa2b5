"""A new dossier inserted, and a dossier's change written, as the ORM's flush writes them, without the unit of
work's bookkeeping around the one statement (it cost 0.3 ms of every change, four times the statement itself).

A change is one ``UPDATE dossiers SET … , lock_version = :new WHERE id = :id AND lock_version = :old`` of the
columns that changed, a row that did not match being the ORM's ``StaleDataError``; anything else pending in the
session (a new or deleted object, another changed one, a changed relationship) goes through the ORM's flush, as
before. A new dossier is one ``INSERT`` of the same columns as the ORM's, its row then held by the session as
inserted, without reading it back (as ``issuance.serials`` holds a new certificate)."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement

from ..models import Dossier

_MAPPER = inspect(Dossier)
_TABLE = Dossier.__table__
_VERSION = _MAPPER.version_id_col.key
_ID, _OLD = _TABLE.c.id._label, _MAPPER.version_id_col._label  # the parameters' names in the ORM's statement
_COLUMNS = {prop.key: prop.columns[0].key for prop in _MAPPER.column_attrs}  # attribute → column
_EQUAL = {prop.key: prop.columns[0].type.compare_values for prop in _MAPPER.column_attrs}
# the columns the ORM's INSERT names as NULL when no value is given: no default, and None is not a value of
# their type (a JSON column left out stays SQL NULL, where None would be the JSON text 'null')
_AS_NONE = tuple(c.key for c in _TABLE.columns if not c.primary_key and c.default is None
                 and c.server_default is None and not c.type.should_evaluate_none)
_INSERT = _TABLE.insert().return_defaults(_TABLE.c.id)  # the new id by RETURNING where the database has it, as the ORM


def _plain() -> bool:
    """Whether the ORM's flush of a dossier is only its statement: no mapper event on insert or update and no
    column value computed on update. Else (a later model adding one) every write goes through the ORM's flush."""
    events = _MAPPER.dispatch
    return not (_COMPUTED or len(events.before_update) or len(events.after_update) or len(events.before_insert)
                or len(events.after_insert))


_COMPUTED = any(c.onupdate is not None or c.server_onupdate is not None for c in _TABLE.columns)


def insert(session: Session, **given) -> Dossier:
    """A new dossier with the column values ``given`` (none of them None), inserted as the ORM's flush inserts
    it: the same columns (the others NULL or their default), version 1; held by the session as inserted."""
    if not _plain():
        dossier = Dossier(**given)
        session.add(dossier)
        session.flush()
        return dossier
    params = dict.fromkeys(_AS_NONE)
    params.update(given)
    params[_VERSION] = _MAPPER.version_id_generator(None)
    result = session.connection().execute(_INSERT, params)
    row = dict.fromkeys(_COLUMNS)
    row.update(result.last_inserted_params())  # with the defaults the statement computed
    row["id"] = result.inserted_primary_key[0]
    dossier = Dossier(**row)
    make_transient_to_detached(dossier)  # every attribute as inserted: nothing left to write or to read back
    session.add(dossier)
    return dossier


def flush(session: Session, dossier: Dossier) -> None:
    """Write what changed in ``dossier`` and bump its version (the optimistic check), as ``session.flush()``
    would; through the ORM's flush when anything else is pending or the change is not plain column values."""
    state = inspect(dossier)
    changed = _changed_columns(session, state)
    if changed is None:
        session.flush()
        return
    if not changed:  # no net change: the ORM sends nothing either, and the version stays
        return
    old = dossier.lock_version
    new = _MAPPER.version_id_generator(old)
    params = {_ID: dossier.id, _OLD: old, _VERSION: new}
    params.update({_COLUMNS[key]: state.dict[key] for key in changed})
    result = session.connection().execute(_update(tuple(_COLUMNS[key] for key in changed)), params)
    if result.rowcount != 1 and session.get_bind().dialect.supports_sane_rowcount:
        raise StaleDataError(f"UPDATE statement on table '{_TABLE.name}' expected to update 1 row(s); "
                             f"{result.rowcount} were matched.")
    set_committed_value(dossier, _VERSION, new)
    # what the ORM's flush does to a row it wrote: every attribute committed, the object no longer modified
    state._commit_all(state.dict, session.identity_map)


def _changed_columns(session: Session, state) -> list[str] | None:
    """The dossier's column attributes whose value differs from the one loaded (in the mapper's order);
    None when the ORM's flush must write: something else is pending, or what changed is not a plain value of
    a column (a relationship, an SQL expression, the version itself)."""
    if session.new or session.deleted or not state.persistent or state.session is not session or not _plain():
        return None
    dirty = session.dirty
    if not dirty:
        return []
    if len(dirty) != 1 or state.obj() not in dirty:
        return None
    keys = set(state.committed_state)
    if not keys.issubset(_COLUMNS) or _VERSION in keys:
        return None
    changed = []
    for key in _COLUMNS:  # the mapper's order, so that one set of columns is always one statement
        if key in keys:
            value = state.dict.get(key, ClauseElement)  # (a value deleted: the ORM's flush knows what to do)
            if isinstance(value, ClauseElement) or value is ClauseElement or hasattr(value, "__clause_element__"):
                return None
            # the ORM's test: the column type's comparison of the value with the one loaded
            if _EQUAL[key](value, state.committed_state[key]) is not True:
                changed.append(key)
    return changed


@functools.lru_cache(maxsize=64)
def _update(columns: tuple[str, ...]):
    """The versioned UPDATE of ``columns`` (made once per set of columns)."""
    return _TABLE.update().where(_TABLE.c.id == bindparam(_ID), _TABLE.c[_VERSION] == bindparam(_OLD)) \
        .values({name: bindparam(name, type_=_TABLE.c[name].type) for name in (*columns, _VERSION)})
