"""The audit trail: every change appended with actor, time, before/after and reason, hash-chained.

``append`` runs inside the caller's transaction and locks the chain head, so entries are numbered without gaps
even with concurrent writers; ``verify_chain`` recomputes every hash and names the first broken entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
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


def append(session: Session, *, actor: str, action: str, target: str = "", before=None, after=None,
           reason: str | None = None, dossier_id: int | None = None, dossier_version: int | None = None,
           at: str | None = None) -> AuditEntry:
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    entry = AuditEntry(
        seq=head.seq + 1,
        at=at or now(),
        actor=actor,
        action=action,
        dossier_id=dossier_id,
        dossier_version=dossier_version,
        target=target,
        before=canonical(before),
        after=canonical(after),
        reason=reason,
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(head.hash, entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    return entry


def append_many(session: Session, entries: list[dict]) -> None:
    """Append entries (keyword arguments of ``append``) in order, locking the chain head once and inserting
    them with one statement: numbered, linked and hashed exactly as ``append`` does one by one."""
    if not entries:
        return
    append(session, **entries[0])  # creates and locks the head when needed
    session.flush()
    head = session.get(AuditHead, 1)
    rows = []
    for item in entries[1:]:
        entry = AuditEntry(seq=head.seq + 1, at=item.get("at") or now(), actor=item["actor"],
                           action=item["action"], dossier_id=item.get("dossier_id"),
                           dossier_version=item.get("dossier_version"), target=item.get("target", ""),
                           before=canonical(item.get("before")), after=canonical(item.get("after")),
                           reason=item.get("reason"), prev_hash=head.hash)
        entry.hash = entry_hash(head.hash, entry)
        head.seq, head.hash = entry.seq, entry.hash
        rows.append({c.name: getattr(entry, c.name) for c in AuditEntry.__table__.columns if c.name != "id"})
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)
    session.flush()


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
