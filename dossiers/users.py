"""Users bound to one administrative unit, with roles; Argon2id password hashes; API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import CfcError
from engine.workflow import ROLES

from . import audit
from .models import ApiToken, User
from .units import find_unit

_HASHER = PasswordHasher()  # Argon2id with the library's current defaults


class AuthError(CfcError):
    """Unknown user, wrong password or invalid token (deliberately not saying which)."""


def hash_password(password: str) -> str:
    if len(password) < 4:
        raise CfcError("a password needs at least 4 characters")
    return _HASHER.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(session: Session, username: str, password: str, unit_code: str, roles: list[str],
             full_name: str = "", actor: str = "system", unit_level: str | None = None) -> User:
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise CfcError(f"unknown roles {bad or '(none)'}; roles are: {', '.join(ROLES)}")
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise CfcError(f"user {username!r} already exists")
    unit = find_unit(session, unit_code, unit_level)
    user = User(username=username, full_name=full_name, password_hash=hash_password(password), unit_id=unit.id,
                roles=list(roles), active=True)
    session.add(user)
    session.flush()
    audit.append(session, actor=actor, action="user.add", target=username,
                 after={"unit": f"{unit.level} {unit.code}", "roles": list(roles)})
    return user


def get_user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise AuthError(f"no active user {username!r}")
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active or not check_password(user, password):
        raise AuthError("sai tên đăng nhập hoặc mật khẩu")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, username: str, actor: str = "system") -> str:
    """A new API token for a user; only its hash is stored, so it is shown once."""
    user = get_user(session, username)
    token = "cfc_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), created_at=audit.now()))
    audit.append(session, actor=actor, action="user.token", target=username)
    return token


def user_for_token(session: Session, token: str) -> User:
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).scalar_one_or_none()
    if row is None or not row.user.active:
        raise AuthError("invalid token")
    return row.user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())
