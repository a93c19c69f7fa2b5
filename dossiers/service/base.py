"""The plumbing every operation of the dossier service shares: one transaction, the acting user, the dossier
within the user's jurisdiction (locked for writers), the step of the procedure the user must hold, the
optimistic version check, and the audit entry that closes every change."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from sqlalchemy import Integer, String, bindparam, select
from sqlalchemy.orm import Session, joinedload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import AccessDenied, ConflictError
from engine.messages import N_, Message
from engine.workflow import LABELS, Procedure, TransitionRefused, procedure_by_id, step_refusal

from .. import audit
from ..audit_words import action_words, local_time
from ..lookup import load_dossier, load_user
from ..models import AuditEntry, Dossier, Setting, Unit, User
from . import locked_values, versioned


@contextlib.contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction of a session from ``sessions``; a concurrent change found at flush is a ConflictError.
    Values read with the dossier's lock (``locked_values``) that changed are written before the commit, as the
    ORM's flush at commit writes its objects."""
    session = sessions()
    try:
        with session.begin():
            yield session
            locked_values.write(session)
    except StaleDataError:
        raise ConflictError(N_("hồ sơ vừa được người khác thay đổi; hãy tải lại và thử lại")) from None
    finally:
        session.close()


def require_step(procedures: list[Procedure], user: User, dossier: Dossier, action: str) -> None:
    """AccessDenied unless the user has a role and the level that the dossier's procedure gives ``action``."""
    procedure = procedure_by_id(dossier.procedure, procedures)
    refusal = step_refusal(procedure, action, dossier.status, user.roles, user.unit.level, user.username)
    if refusal:
        raise AccessDenied(refusal)


def check_expected(session: Session, dossier: Dossier, expected: int | None) -> None:
    """ConflictError naming who changed what since version ``expected`` (None: the caller showed none)."""
    if expected is None or expected == dossier.lock_version:
        return
    changes = [_change(e) for e in audit.history(session, dossier.id)
               if e.dossier_version is not None and e.dossier_version > expected]
    raise ConflictError(N_(
        "hồ sơ %(id)s đã thay đổi từ phiên bản %(expected)s lên %(current)s: %(changes)s. Không có gì được lưu; "
        "hãy tải lại.", id=str(dossier.id), expected=str(expected), current=str(dossier.lock_version),
        changes=changes or N_("không rõ")))


def _change(entry) -> Message:
    """One change a conflict names: who, when (Vietnam's time, as the history shows it), what in words, and
    what it touched (an indicator code; not the event a transition's name already says)."""
    what = action_words(entry.action)
    target = entry.target or ""
    if entry.action.startswith("transition.") or target == entry.action:
        target = ""
    if target:
        return N_("%(who)s lúc %(when)s: %(what)s (%(target)s)", who=entry.actor, when=local_time(entry.at),
                  what=what, target=target)
    return N_("%(who)s lúc %(when)s: %(what)s", who=entry.actor, when=local_time(entry.at), what=what)


def actor_and_dossier(s: Session, username: str, dossier_id: int, setting: str | None = None,
                      verified: bool = False, values: bool = False) -> tuple[User, Dossier]:
    """The active user (with their unit) and the dossier within their jurisdiction (with its commune, district
    and province), locked for a change, in one statement. Its evidence loads when first used, once the lock is
    held (so that on PostgreSQL a writer that waited reads it as the writer before it left it). Errors as
    ``load_user`` and ``load_dossier`` give them, in that order (an unknown or inactive user, a missing dossier,
    one outside the jurisdiction). ``setting``: a stored setting the change will read
    (``settings.stored_setting``) comes in the same statement, when it is set. ``verified``: so does the time of
    the dossier's latest verification (``decisions.verified_on``), and ``values``: its values
    (``locked_values``), each kept only when the statement's snapshot holds the locked version (its newest
    audit entry is of that version: no writer changed it while this one waited); else read after the lock."""
    query = _locking_statement(setting is not None, verified, values)
    row = s.execute(query, {"username": username, "dossier_id": dossier_id, "setting": setting}).first()
    if row is None or not row[0].active:  # the checks in order, with their messages
        user = load_user(s, username)
        return user, load_dossier(s, dossier_id, user, lock=True)
    user, dossier = row[0], row[1]
    if setting is not None:  # what ``settings.stored_setting`` finds in this transaction
        s.info.setdefault("settings", {})[setting] = row[2]
    if verified and row.newest == dossier.lock_version:  # what ``decisions.verified_on`` finds
        s.info.setdefault("verified_at", {})[dossier_id] = row.verified_at
    if values:
        locked_values.attach(s, dossier, row.value_rows, row.newest)
    return user, load_dossier(s, dossier_id, user)  # the jurisdiction check, on what the session holds


@functools.cache
def _locking_statement(setting: bool, verified: bool, values: bool):
    """``actor_and_dossier``'s statement, made once per kind (reusing one costs SQLAlchemy nothing to build or
    to look up); the user name, the dossier's id and the setting's key are bound at execution."""
    dossier_id = bindparam("dossier_id", type_=Integer)
    query = select(User, Dossier).select_from(User).join(Dossier, Dossier.id == dossier_id) \
        .where(User.username == bindparam("username", type_=String))
    if setting:
        query = query.add_columns(Setting).outerjoin_from(Dossier, Setting,
                                                          Setting.key == bindparam("setting", type_=String))
    if verified or values:
        query = query.add_columns(locked_values.newest_version(dossier_id))
    if verified:
        query = query.add_columns(
            select(AuditEntry.at).where(AuditEntry.dossier_id == dossier_id, AuditEntry.action == "transition.verify")
            .order_by(AuditEntry.seq.desc()).limit(1).scalar_subquery().label("verified_at"))
    if values:
        query = query.add_columns(locked_values.values_column(dossier_id))
    return query.options(joinedload(Dossier.commune).joinedload(Unit.parent).joinedload(Unit.parent), *USER_UNIT) \
        .with_for_update(of=Dossier)


# the acting user's unit without its district and province: a check needs the unit itself (its level; the
# dossier's commune, district and province are compared with it), and anything asking for more loads it then
USER_UNIT = (joinedload(User.unit).lazyload(Unit.parent),)


def writable(s: Session, procedures: list[Procedure], username: str, dossier_id: int, step: str, state: str,
             expected: int | None, event: str, refusal: str, values: bool = False) -> tuple[User, Dossier]:
    """The actor and the locked dossier for a change of its values or evidence, after every check in
    order: jurisdiction, freshness, role and level (the procedure's ``step``), state (else ``event`` is
    refused with ``refusal``, where {status} stands for the dossier's status). ``values``: the change reads
    the dossier's values (they come with the lock, see ``actor_and_dossier``)."""
    user, dossier = actor_and_dossier(s, username, dossier_id, values=values)
    check_expected(s, dossier, expected)
    require_step(procedures, user, dossier, step)
    if dossier.status != state:
        raise TransitionRefused(event, [N_(refusal, status=LABELS.get(dossier.status, dossier.status))])
    return user, dossier


def log(session: Session, user: User, dossier: Dossier, action: str, target: str = "", before=None,
        after=None, reason: str | None = None) -> None:
    """Append the change to the audit chain with the dossier's new version."""
    write_change(session, dossier)
    audit.append_many(session, [entry(user, dossier, action, target, before, after, reason)])


def write_change(session: Session, dossier: Dossier) -> None:
    """Write the dossier's change, bumping its version (the optimistic check happens here), and its changed
    values, before the audit entry that records them."""
    versioned.flush(session, dossier)
    locked_values.write(session)


def entry(user: User, dossier: Dossier, action: str, target: str = "", before=None, after=None,
          reason: str | None = None) -> dict:
    """The audit entry of a change of the dossier (flushed: its new version), as ``audit.append``'s keywords."""
    return {"actor": user.username, "action": action, "target": target, "before": before, "after": after,
            "reason": reason, "dossier_id": dossier.id, "dossier_version": dossier.lock_version,
            "at": audit.now()}


def log_changes(s: Session, user: User, dossier: Dossier, action: str, changed: dict) -> None:
    """Audit a change of values: ``changed`` is code → (before, after)."""
    dossier.updated_at = audit.now()
    before = {c: b for c, (b, _) in changed.items()}
    after = {c: a for c, (_, a) in changed.items()}
    log(s, user, dossier, action, changed_codes(changed), before, after)


def changed_codes(changed: dict) -> str:
    """The changed codes for an audit line; long lists are shortened (before/after keep every code)."""
    codes = sorted(changed)
    values = [c for c in codes if "#" not in c]
    notes = len(codes) - len(values)
    text = ", ".join(values) if len(values) <= 6 else f"{len(values)} chỉ số ({', '.join(values[:4])}, …)"
    return text + (f"; {notes} nhận xét" if notes else "")
