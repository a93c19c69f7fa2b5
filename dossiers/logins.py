"""Signing in: the per-name throttle and the server-side web sessions.

A sign-in takes three steps so that no write lock is held through the slow Argon2 check: ``prepare`` reads the
user and the name's throttle in a read-only transaction; ``users.verify_password`` checks the password outside
any transaction (against a dummy hash when the user is unknown or inactive: every name costs the same);
``settle_failure`` or ``open_session`` then writes only what it must in a short transaction.

Throttle, per user name (known or not, so that a lock tells nothing about which names exist), recorded in the
database so that every worker sees it: failures within ``WINDOW`` count; from the ``FREE_FAILURES``-th on each
one makes the name wait longer before its next attempt (1 s, 2 s, 4 s, …); the ``MAX_FAILURES``-th locks it for
``LOCK`` (audited as ``user.lock``). An attempt while the name waits is refused without checking the password.
Time or ``unlock`` (``cfc users unlock``) lifts it; a successful sign-in clears it.

Sessions: a random token in the browser's (signed) cookie, its SHA-256 in ``user_sessions``. A session ends
when signed out, after ``idle`` without a request or ``lifetime`` after sign-in, and when the user's password
changes or the user is deactivated (``users.end_credentials``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.messages import N_

from . import audit
from .models import LoginThrottle, User, UserSession
from .users import AuthError, find_user, utcnow

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 10
FREE_FAILURES = 3  # failures without any wait
LOCK = dt.timedelta(minutes=15)
TOUCH_EVERY = dt.timedelta(seconds=60)  # how stale a session's last_seen may get before it is written again


class Throttled(AuthError):
    """Too many failed sign-ins for this name: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, retry_after)
        minutes = math.ceil(self.retry_after / 60)
        wait = N_("%(seconds)s giây", seconds=str(self.retry_after)) if self.retry_after < 120 \
            else N_("%(minutes)s phút", minutes=str(minutes))
        super().__init__(N_("Đăng nhập sai quá nhiều lần với tên này. Vui lòng thử lại sau %(wait)s.", wait=wait))


@dataclass(frozen=True)
class Attempt:
    """What the read step found for a name: the key it is throttled under (None: it cannot be a user name),
    the active user's id and password hash (None: unknown or inactive), and how long it must still wait."""

    key: str | None
    user_id: int | None
    password_hash: str | None
    retry_after: int


def name_key(username: str) -> str | None:
    """The name as users are stored (NFC, trimmed); None when no user can have it (empty, too long, control
    characters such as NUL)."""
    name = unicodedata.normalize("NFC", username).strip()
    if not name or len(name) > 80 or not name.isprintable():
        return None
    return name


def delay_after(failures: int) -> dt.timedelta:
    """How long a name waits after its ``failures``-th failure within the window."""
    if failures >= MAX_FAILURES:
        return LOCK
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return dt.timedelta(seconds=2 ** (failures - FREE_FAILURES - 1))


def _seconds(until: dt.datetime | None, now: dt.datetime) -> int:
    return 0 if until is None or until <= now else math.ceil((until - now).total_seconds())


def prepare(session: Session, username: str, now: dt.datetime | None = None) -> Attempt:
    """Read step (a read-only transaction will do)."""
    now = now or utcnow()
    key = name_key(username)
    if key is None:
        return Attempt(None, None, None, 0)
    user = session.execute(select(User.id, User.password_hash, User.active).where(User.username == key)).first()
    row = session.get(LoginThrottle, key)
    wait = _seconds(row.locked_until, now) if row is not None else 0
    if user is None or not user.active:
        return Attempt(key, None, None, wait)
    return Attempt(key, user.id, user.password_hash, wait)


def _throttle_row(session: Session, key: str, now: dt.datetime) -> LoginThrottle:
    """The name's row, created when missing (two workers may create it at once) and locked for update."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        session.execute(insert(LoginThrottle).values(username=key, failures=0, window_start=now)
                        .on_conflict_do_nothing(index_elements=["username"]))
    elif session.get(LoginThrottle, key) is None:
        session.add(LoginThrottle(username=key, failures=0, window_start=now))
        session.flush()
    return session.execute(select(LoginThrottle).where(LoginThrottle.username == key)
                           .with_for_update().execution_options(populate_existing=True)).scalar_one()


def settle_failure(session: Session, attempt: Attempt, now: dt.datetime | None = None) -> int:
    """Write step of a failed sign-in: counts it and returns how many seconds the name must now wait (the
    lock, when this failure reaches ``MAX_FAILURES``, is audited)."""
    if attempt.key is None:
        return 0
    now = now or utcnow()
    row = _throttle_row(session, attempt.key, now)
    if row.window_start + WINDOW <= now and _seconds(row.locked_until, now) == 0:
        row.failures, row.window_start = 0, now
    row.failures += 1
    row.locked_until = now + delay_after(row.failures)
    if row.failures == MAX_FAILURES:
        audit.append(session, actor="system", action="user.lock", target=attempt.key,
                     after={"failures": row.failures, "until": row.locked_until.isoformat(timespec="seconds")})
    return _seconds(row.locked_until, now)


def unlock(session: Session, username: str, actor: str) -> bool:
    """Lifts the throttle of a user (``cfc users unlock``); whether there was one. Audited either way."""
    user = find_user(session, username)
    row = session.get(LoginThrottle, user.username)
    before = None if row is None else {"failures": row.failures,
                                       "until": row.locked_until and row.locked_until.isoformat(timespec="seconds")}
    if row is not None:
        session.delete(row)
    audit.append(session, actor=actor, action="user.unlock", target=user.username, before=before)
    return row is not None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def open_session(session: Session, attempt: Attempt, idle: dt.timedelta, lifetime: dt.timedelta,
                 now: dt.datetime | None = None) -> tuple[User, str]:
    """Write step of a successful sign-in: the user and the token of a new session. Clears the name's
    throttle and drops expired sessions. AuthError when the account changed since ``prepare`` (deactivated,
    new password)."""
    now = now or utcnow()
    user = session.get(User, attempt.user_id)
    if user is None or not user.active or user.password_hash != attempt.password_hash:
        raise AuthError(N_("sai tên đăng nhập hoặc mật khẩu"))
    session.execute(delete(LoginThrottle).where(
        (LoginThrottle.username == attempt.key)
        | ((LoginThrottle.window_start < now - WINDOW) & (LoginThrottle.locked_until < now))))
    session.execute(delete(UserSession).where((UserSession.last_seen < now - idle)
                                              | (UserSession.created_at < now - lifetime)))
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen=now))
    return user, token


def session_user(session: Session, token: str, idle: dt.timedelta, lifetime: dt.timedelta,
                 now: dt.datetime | None = None) -> tuple[User, bool] | None:
    """The active user of a session still open, and whether its ``last_seen`` should be written again
    (``touch``); None when there is no such session (signed out, idle, too old, user deactivated)."""
    now = now or utcnow()
    row = session.execute(select(UserSession).where(UserSession.token_hash == _hash(token))).scalar_one_or_none()
    if row is None or not row.user.active or row.last_seen + idle <= now or row.created_at + lifetime <= now:
        return None
    return row.user, row.last_seen + TOUCH_EVERY <= now


def touch(session: Session, token: str, now: dt.datetime | None = None) -> None:
    row = session.execute(select(UserSession).where(UserSession.token_hash == _hash(token))).scalar_one_or_none()
    if row is not None:
        row.last_seen = now or utcnow()


def close_session(session: Session, token: str) -> None:
    """Signing out: the session's row is deleted, so its cookie opens nothing any more."""
    session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))
