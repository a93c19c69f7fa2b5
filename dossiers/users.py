"""Users bound to one administrative unit, with roles; Argon2id password hashes; an account's life cycle
(deactivate, activate, new password); API tokens (stored hashed, each with an expiry, revocable).

A password that a person chooses has at least ``MIN_PASSWORD`` characters: ``new_password_hash`` checks it, and
every command and page where one is chosen goes through it (``cfc users add``, ``cfc users password``, the
password page). ``add_user`` itself, with which the demo loader creates its users (actor ``demo``, documented
password "demo") and code sets up users, only refuses fewer than ``MIN_CODE_PASSWORD``. A new password or a
deactivation ends the user's web sessions and API tokens at once (``end_credentials``); every change is
audited. Signing in (throttle, sessions) is ``dossiers.logins``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.errors import CfcError, NotFound
from engine.messages import N_
from engine.workflow import ROLES

from . import audit
from .models import ApiToken, User, UserSession
from .units import find_unit

_HASHER = PasswordHasher()  # Argon2id with the library's current defaults
MIN_PASSWORD = 10  # chosen by a person
MIN_CODE_PASSWORD = 4  # set by code: the demo's documented password is "demo"
MAX_PASSWORD = 1024  # longer text is never a password (nor hashed at sign-in)
TOKEN_DAYS = 90  # default life of an API token
MAX_TOKEN_DAYS = 3650


class AuthError(CfcError):
    """Unknown user, wrong password or invalid token (deliberately not saying which)."""


def utcnow() -> dt.datetime:
    """Now in UTC, without a zone (as the DateTime columns store it on SQLite and PostgreSQL alike)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_new_password(password: str) -> None:
    """The rule for a password a person chooses: ``MIN_PASSWORD`` to ``MAX_PASSWORD`` characters."""
    if len(password) < MIN_PASSWORD:
        raise CfcError(N_("mật khẩu cần ít nhất %(count)s ký tự", count=str(MIN_PASSWORD)))
    if len(password) > MAX_PASSWORD:
        raise CfcError(N_("mật khẩu dài quá %(count)s ký tự", count=str(MAX_PASSWORD)))


def new_password_hash(password: str) -> str:
    """The hash of a password a person chose, after ``check_new_password`` (slow: outside transactions)."""
    check_new_password(password)
    return _in_hash_thread(_HASHER.hash, password)


def hash_password(password: str) -> str:
    """The hash of a password set by code (``add_user``): at least ``MIN_CODE_PASSWORD`` characters."""
    if len(password) < MIN_CODE_PASSWORD:
        raise CfcError(f"a password needs at least {MIN_CODE_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise CfcError(N_("mật khẩu dài quá %(count)s ký tự", count=str(MAX_PASSWORD)))
    return _HASHER.hash(password)


HASH_NICENESS = 19  # how much lower than the app's requests Argon2 runs (Linux thread priority: the lowest)
_checker: tuple[int, ThreadPoolExecutor] | None = None
_checker_lock = threading.Lock()


def _lower_priority() -> None:
    """Run this thread (and the threads Argon2 starts from it) at a lower priority than the app's requests."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + HASH_NICENESS))
    except (AttributeError, OSError):  # not Linux, or not allowed: the same work at the same priority
        pass


def _in_hash_thread(fn, *args):
    """``fn(*args)`` in this process's one Argon2 thread, which runs at a lower priority, so that a sign-in
    (≈ 0.1 s of all cores) never makes another officer's save wait for the CPU; one Argon2 at a time per
    process. A process forked from this one (a server's worker) gets a thread of its own."""
    global _checker
    with _checker_lock:
        if _checker is None or _checker[0] != os.getpid():
            _checker = (os.getpid(), ThreadPoolExecutor(1, "argon2", initializer=_lower_priority))
        pool = _checker[1]
    return pool.submit(fn, *args).result()


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once per process: checked when the user is unknown or inactive, so
    that answering takes as long as for a known user."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; with None (no such user) one Argon2 check is made all
    the same, against a dummy hash, and the answer is False."""
    if len(password) > MAX_PASSWORD:
        password = password[:MAX_PASSWORD]
        password_hash = None
    try:
        return _in_hash_thread(_HASHER.verify, password_hash or _dummy_hash(), password) \
            and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password(user: User, password: str) -> bool:
    return verify_password(user.password_hash, password)


def add_user(session: Session, username: str, password: str, unit_code: str, roles: list[str],
             full_name: str = "", actor: str = "system", unit_level: str | None = None) -> User:
    """A new user bound to one unit (a password a person chose is checked first: ``check_new_password``)."""
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise CfcError(f"unknown roles {bad or '(none)'}; roles are: {', '.join(ROLES)}")
    if not username or len(username) > 80 or not username.isprintable() or username != username.strip():
        raise CfcError(N_("tên đăng nhập: 1 đến 80 ký tự in được, không có khoảng trắng ở đầu hay cuối"))
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise CfcError(f"user {username!r} already exists")
    unit = find_unit(session, unit_code, unit_level)
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                unit_id=unit.id, roles=list(roles), active=True)
    session.add(user)
    session.flush()
    audit.append(session, actor=actor, action="user.add", target=username,
                 after={"unit": f"{unit.level} {unit.code}", "roles": list(roles)})
    return user


def find_user(session: Session, username: str) -> User:
    """The user named ``username``, active or not; NotFound when there is none."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(N_("không có người dùng %(user)s", user=repr(username)))
    return user


def get_user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise AuthError(f"no active user {username!r}")
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user when ``password`` is theirs; AuthError otherwise, after the same Argon2 work whether
    the user exists or not. (The web signs in through ``dossiers.logins``, which also throttles.)"""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    known = user is not None and user.active
    if not verify_password(user.password_hash if known else None, password):
        raise AuthError(N_("sai tên đăng nhập hoặc mật khẩu"))
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


# ------------------------------------------------------------------------------------------- life cycle
def end_credentials(session: Session, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Ends every web session of ``user`` and revokes every API token still in force; how many of each."""
    now = now or utcnow()
    sessions = session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    tokens = session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                             .values(revoked_at=now)).rowcount
    return {"sessions": sessions or 0, "tokens": tokens or 0}


def deactivate(session: Session, username: str, actor: str) -> dict[str, int]:
    """The user can no longer sign in; their sessions end and their tokens are revoked."""
    user = find_user(session, username)
    if not user.active:
        raise CfcError(N_("người dùng %(user)s đã bị vô hiệu hoá", user=username))
    user.active = False
    ended = end_credentials(session, user)
    audit.append(session, actor=actor, action="user.deactivate", target=username, before={"active": True},
                 after={"active": False, **ended})
    return ended


def activate(session: Session, username: str, actor: str) -> None:
    """The user may sign in again (with their password; revoked tokens stay revoked)."""
    user = find_user(session, username)
    if user.active:
        raise CfcError(N_("người dùng %(user)s đang hoạt động", user=username))
    user.active = True
    audit.append(session, actor=actor, action="user.activate", target=username, before={"active": False},
                 after={"active": True})


def set_password_hash(session: Session, username: str, password_hash: str, actor: str,
                      expected_hash: str | None = None) -> dict[str, int]:
    """Stores a new password hash (made by ``new_password_hash``, outside the transaction: it is slow) and ends
    every session and token of the user. ``expected_hash``: the hash the caller checked the current password
    against; an AuthError when it changed meanwhile."""
    user = find_user(session, username)
    if expected_hash is not None and user.password_hash != expected_hash:
        raise AuthError(N_("mật khẩu vừa được đổi ở nơi khác; hãy đăng nhập lại"))
    user.password_hash = password_hash
    ended = end_credentials(session, user)
    audit.append(session, actor=actor, action="user.password", target=username, after=ended)
    return ended


def set_password(session: Session, username: str, password: str, actor: str) -> dict[str, int]:
    """A new password chosen by a person (``check_new_password``) for ``username``."""
    return set_password_hash(session, username, new_password_hash(password), actor)


# ----------------------------------------------------------------------------------------------- tokens
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_token(session: Session, username: str, actor: str = "system", name: str = "",
                days: int = TOKEN_DAYS, now: dt.datetime | None = None) -> str:
    """A new API token for a user, valid ``days`` days; only its hash is stored, so it is shown once."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise CfcError(N_("hạn dùng của khoá API: từ 1 đến %(days)s ngày", days=str(MAX_TOKEN_DAYS)))
    if len(name) > 80 or not name.isprintable():
        raise CfcError(N_("tên khoá API: tối đa 80 ký tự in được"))
    user = get_user(session, username)
    token = "cfc_" + secrets.token_urlsafe(32)
    expires = (now or utcnow()) + dt.timedelta(days=days)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), created_at=audit.now(), name=name,
                   expires_at=expires)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="user.token", target=username,
                 after={"token": row.id, "name": name, "expires": expires.isoformat(timespec="seconds")})
    return token


def list_tokens(session: Session, username: str) -> list[ApiToken]:
    user = find_user(session, username)
    return list(session.execute(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
                .scalars())


def token_state(token: ApiToken, now: dt.datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= (now or utcnow()) else "active"


def revoke_token(session: Session, username: str, token_id: int, actor: str) -> None:
    user = find_user(session, username)
    row = session.execute(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
                          ).scalar_one_or_none()
    if row is None:
        raise NotFound(N_("%(user)s không có khoá API số %(token)s", user=username, token=str(token_id)))
    if row.revoked_at is not None:
        raise CfcError(N_("khoá API số %(token)s của %(user)s đã bị thu hồi", token=str(token_id), user=username))
    row.revoked_at = utcnow()
    audit.append(session, actor=actor, action="user.revoke_token", target=username,
                 after={"token": token_id, "name": row.name})


def user_for_token(session: Session, token: str, now: dt.datetime | None = None) -> User:
    """The active user of a token in force; AuthError for an unknown, expired or revoked token."""
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).scalar_one_or_none()
    if row is None or not row.user.active or token_state(row, now) != "active":
        raise AuthError("invalid token")
    return row.user
