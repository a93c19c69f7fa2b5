"""Server-side sessions with Flask-Login's alternative-token pattern.

The browser's cookie (Flask's signed session) holds, as Flask-Login's user id, a random session token; the
database holds its SHA-256 with the user, the time of sign-in and of the last request (``dossiers.logins``).
Each request loads the user through the token, so signing out (the row is deleted), an idle session
(``CFC_SESSION_IDLE_MINUTES``), an old one (``CFC_SESSION_LIFETIME_HOURS``), a new password or a deactivation
ends it at once, in every worker: a copied cookie then leads to the login page. The rest of the Flask session
(the CSRF token among it) is dropped at sign-in and at sign-out; the chosen language is kept.

Signing in follows ``dossiers.logins``: read, check the password outside any transaction, write.
"""

from __future__ import annotations

import datetime as dt
import math

from flask import session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from dossiers import logins
from dossiers.users import AuthError, new_password_hash, set_password_hash, verify_password
from engine.errors import CfcError
from engine.messages import N_

from .db import service, settings

KEPT = ("lang",)  # what survives sign-in and sign-out in the Flask session


def idle() -> dt.timedelta:
    return dt.timedelta(minutes=settings().session_idle_minutes)


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings().session_lifetime_hours)


def wait_text(seconds: int) -> str:
    """How long to wait, as a person reads it: seconds, or minutes from two minutes on."""
    if seconds >= 120:
        return _("%(minutes)s phút", minutes=math.ceil(seconds / 60))
    return _("%(seconds)s giây", seconds=seconds)


def sign_in(username: str, password: str):
    """The user and a new session token when ``password`` is theirs. Raises ``logins.Throttled`` (with
    ``retry_after``) while the name must wait, ``AuthError`` for a wrong name or password (the same message
    and the same Argon2 work either way)."""
    svc = service()
    with svc.transaction(readonly=True) as s:
        attempt = logins.prepare(s, username)
    if attempt.retry_after:
        raise logins.Throttled(attempt.retry_after)
    if verify_password(attempt.password_hash, password):
        with svc.transaction() as s:
            return logins.open_session(s, attempt, idle(), lifetime())
    with svc.transaction() as s:
        wait = logins.settle_failure(s, attempt)
    if wait >= logins.LOCK.total_seconds():  # this failure locked the name: say so now
        raise logins.Throttled(wait)
    raise AuthError(N_("sai tên đăng nhập hoặc mật khẩu"))


def user_for(token: str):
    """The user of an open session (its ``last_seen`` written again at most once a minute), or None."""
    svc = service()
    try:
        with svc.transaction(readonly=True) as s:
            found = logins.session_user(s, token, idle(), lifetime())
    except CfcError:
        return None
    if found is None:
        return None
    user, stale = found
    if stale:
        with svc.transaction() as s:
            logins.touch(s, token)
    return user


def _fresh_flask_session() -> None:
    kept = {key: session[key] for key in KEPT if key in session}
    session.clear()  # the CSRF token with the rest: a new one is made for the next form
    session.update(kept)


def start(actor) -> None:
    """Signs ``actor`` (whose ``get_id()`` is the new session token) into this browser."""
    _fresh_flask_session()
    login_user(actor)


def end(token: str | None) -> None:
    """Signs out: deletes the session's row, then empties the browser's session."""
    if token:
        with service().transaction() as s:
            logins.close_session(s, token)
    logout_user()
    _fresh_flask_session()


def change_password(username: str, current: str, new: str) -> None:
    """The signed-in user's own new password: ``current`` is checked like a sign-in (a wrong one counts as a
    failed sign-in of the name, and a throttled name is refused), both hashes are made outside any
    transaction, and storing it ends every session and token of the user, this one included."""
    svc = service()
    with svc.transaction(readonly=True) as s:
        attempt = logins.prepare(s, username)
    if attempt.retry_after:
        raise logins.Throttled(attempt.retry_after)
    if not verify_password(attempt.password_hash, current):
        with svc.transaction() as s:
            logins.settle_failure(s, attempt)
        raise AuthError(N_("mật khẩu hiện tại không đúng"))
    new_hash = new_password_hash(new)
    with svc.transaction() as s:
        set_password_hash(s, username, new_hash, actor=username, expected_hash=attempt.password_hash)
    logout_user()
    _fresh_flask_session()
