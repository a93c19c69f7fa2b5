"""The audit trail: every change appended with actor, time, before/after and reason, hash-chained.

``append`` runs inside the caller's transaction and locks the chain head, so entries are numbered without gaps
even with concurrent writers; ``verify_chain`` recomputes every hash and names the first broken entry.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import bindparam, exists, select, union_all
from sqlalchemy.orm import Session

from engine.messages import N_

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def local_date(stamp: str) -> dt.date:
    """The date in Vietnam of a time stamp (``now()``'s, in UTC; one without a zone is taken as UTC)."""
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM).date()


def canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    body = canonical(
        {
            "seq": entry.seq,
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "dossier_id": entry.dossier_id,
            "dossier_version": entry.dossier_version,
            "target": entry.target,
            "before": entry.before,
            "after": entry.after,
            "reason": entry.reason,
        }
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


_HEADS: dict[str, tuple[int, str]] = {}  # database → (seq, hash) of the head this process last wrote or read


def _database(session: Session) -> str:
    bind = session.get_bind()
    return str(getattr(bind, "engine", bind).url)


def _locked_head(session: Session) -> tuple[int, str]:
    """The head, read under its row lock (created when the chain is empty)."""
    table = AuditHead.__table__
    conn = session.connection()
    row = conn.execute(select(table.c.seq, table.c.hash).where(table.c.id == 1).with_for_update()).first()
    if row is None:
        conn.execute(table.insert().values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return row.seq, row.hash


_HEAD = AuditHead.__table__
_MOVE = _HEAD.update().where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
_MOVE_FROM = _MOVE.where(_HEAD.c.seq == bindparam("last_seq"), _HEAD.c.hash == bindparam("last_hash"))
_INSERT = AuditEntry.__table__.insert()
_COLUMNS = [c.name for c in AuditEntry.__table__.columns if c.name != "id"]


def _advance(session: Session, last: tuple[int, str] | None, seq: int, hash_: str) -> bool:
    """Moves the head to (``seq``, ``hash_``). With ``last`` (the head this process last saw) only when the head
    is still ``last`` (compare and set: the row is locked by the update, and another writer's entry since
    makes it change nothing); without, unconditionally (the caller holds the lock). Whether it moved. (The
    statements are made once: reusing one costs SQLAlchemy nothing to build or to look up.)"""
    if last is None:
        return session.connection().execute(_MOVE, {"new_seq": seq, "new_hash": hash_}).rowcount == 1
    return session.connection().execute(_MOVE_FROM, {"new_seq": seq, "new_hash": hash_, "last_seq": last[0],
                                                      "last_hash": last[1]}).rowcount == 1


def _entry(head: tuple[int, str], *, actor: str, action: str, target: str = "", before=None, after=None,
           reason: str | None = None, dossier_id: int | None = None, dossier_version: int | None = None,
           at: str | None = None, make=AuditEntry) -> AuditEntry:
    """The entry after ``head``, numbered, linked and hashed; ``make``: its class (``SimpleNamespace`` for a row
    that is inserted without the ORM)."""
    entry = make(
        seq=head[0] + 1,
        at=at or now(),
        actor=actor,
        action=action,
        dossier_id=dossier_id,
        dossier_version=dossier_version,
        target=target,
        before=canonical(before),
        after=canonical(after),
        reason=reason,
        prev_hash=head[1],
    )
    entry.hash = entry_hash(head[1], entry)
    return entry


def append(session: Session, *, actor: str, action: str, target: str = "", before=None, after=None,
           reason: str | None = None, dossier_id: int | None = None, dossier_version: int | None = None,
           at: str | None = None) -> AuditEntry:
    """Appends one entry after the chain's head, in the caller's transaction. The head this process wrote
    last is tried first (one UPDATE that moves it only if nobody appended since, then the INSERT); when it
    moved, it is read under its lock and the entry numbered and hashed after it."""
    fields = {"actor": actor, "action": action, "target": target, "before": before, "after": after,
              "reason": reason, "dossier_id": dossier_id, "dossier_version": dossier_version, "at": at or now()}
    database = _database(session)
    last = _HEADS.get(database)
    entry = _entry(last, **fields) if last is not None else None
    if entry is None or not _advance(session, last, entry.seq, entry.hash):
        entry = _entry(_locked_head(session), **fields)
        _advance(session, None, entry.seq, entry.hash)
    _HEADS[database] = (entry.seq, entry.hash)
    session.add(entry)
    return entry


def append_many(session: Session, entries: list[dict]) -> None:
    """Append entries (keyword arguments of ``append``) in order, numbered, linked and hashed exactly as
    ``append`` does one by one, in two statements: the head moved once (compare and set, as ``append``; read
    under its lock when it moved) and the entries inserted together; on PostgreSQL in one (``_move_and_insert``)
    when the head had not moved."""
    if not entries:
        return
    session.flush()  # what the entries record is written before them
    fields = [{**item, "at": item.get("at") or now()} for item in entries]
    database = _database(session)
    last, moved = _HEADS.get(database), False
    if last is not None:
        chain = _chain(last, fields)
        if session.get_bind().dialect.name == "postgresql" and len(chain) <= _AT_ONCE:
            if _move_and_insert(session, last, chain):
                _HEADS[database] = (chain[-1].seq, chain[-1].hash)
                return
        else:
            moved = _advance(session, last, chain[-1].seq, chain[-1].hash)
    if not moved:
        chain = _chain(_locked_head(session), fields)
        _advance(session, None, chain[-1].seq, chain[-1].hash)
    _HEADS[database] = (chain[-1].seq, chain[-1].hash)
    session.connection().execute(_INSERT, [{name: getattr(entry, name) for name in _COLUMNS} for entry in chain])


_AT_ONCE = 8  # at most this many entries go with the head's move in one statement (PostgreSQL)


def _move_and_insert(session: Session, last: tuple[int, str], chain: list[SimpleNamespace]) -> bool:
    """PostgreSQL: the head moved from ``last`` (compare and set, as ``_advance``) and the entries inserted in
    one statement (the move in a ``WITH``; the entries inserted only when it moved). Whether it moved."""
    params = {"new_seq": chain[-1].seq, "new_hash": chain[-1].hash, "last_seq": last[0], "last_hash": last[1]}
    for n, entry in enumerate(chain):
        params.update({f"{name}_{n}": getattr(entry, name) for name in _COLUMNS})
    return len(session.connection().execute(_move_and_insert_statement(len(chain)), params).all()) == len(chain)


@functools.lru_cache(maxsize=_AT_ONCE)
def _move_and_insert_statement(count: int):
    """``WITH moved AS (UPDATE audit_head … RETURNING id) INSERT INTO audit_entries SELECT … WHERE EXISTS
    (SELECT … FROM moved) RETURNING seq`` for ``count`` entries (the values of entry n are the parameters
    ``{column}_{n}``; the rows returned say what was inserted: psycopg gives no row count for it)."""
    table = AuditEntry.__table__
    moved = _MOVE_FROM.returning(_HEAD.c.id).cte("moved")
    rows = [select(*(bindparam(f"{name}_{n}", type_=table.c[name].type) for name in _COLUMNS)) for n in range(count)]
    entries = (union_all(*rows) if count > 1 else rows[0]).subquery("entries")
    return table.insert().from_select(_COLUMNS, select(*entries.c).where(exists(select(moved.c.id)))) \
        .add_cte(moved, nest_here=True).returning(table.c.seq)


def _chain(head: tuple[int, str], fields: list[dict]) -> list[SimpleNamespace]:
    """The entries of ``fields`` numbered and linked after ``head`` (plain rows: inserted without the ORM)."""
    chain = []
    for item in fields:
        entry = _entry(head, **item, make=SimpleNamespace)
        head = (entry.seq, entry.hash)
        chain.append(entry)
    return chain


@dataclass
class ChainReport:
    ok: bool
    entries: int
    message: str
    first_broken: int | None = None


def verify_chain(session: Session) -> ChainReport:
    """Recompute the chain; the first entry whose hash, link or number is wrong breaks it."""
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(False, count, N_("thiếu mục %(seq)s (mục tiếp theo là %(next)s)", seq=expected_seq,
                                                  next=entry.seq), expected_seq)
        if entry.prev_hash != prev:
            return ChainReport(False, count, N_("mục %(seq)s: liên kết tới mục %(prev)s bị đứt", seq=entry.seq,
                                                  prev=entry.seq - 1), entry.seq)
        if entry_hash(prev, entry) != entry.hash:
            return ChainReport(False, count, N_("mục %(seq)s: nội dung bị sửa sau khi ghi", seq=entry.seq),
                               entry.seq)
        prev, expected_seq = entry.hash, expected_seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != count or head.hash != prev):
        return ChainReport(False, count, N_("mục %(seq)s: bị xoá (chuỗi dừng ở mục %(last)s nhưng đã ghi %(written)s "
                                            "mục)", seq=count + 1, last=count, written=head.seq), count + 1)
    return ChainReport(True, count, N_("nhật ký kiểm toán nguyên vẹn: %(count)s mục", count=count))


def history(session: Session, dossier_id: int) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry).where(AuditEntry.dossier_id == dossier_id).order_by(AuditEntry.seq)
        ).scalars()
    )


def last_event(session: Session, dossier_id: int, action: str) -> AuditEntry | None:
    """The dossier's latest entry of ``action`` (e.g. ``transition.revoke``), or None."""
    return session.execute(
        select(AuditEntry).where(AuditEntry.dossier_id == dossier_id, AuditEntry.action == action)
        .order_by(AuditEntry.seq.desc())
    ).scalars().first()
