"""Accounts, tokens, the sign-in throttle and server-side sessions in the store (issue #11, items 1–3), on SQLite
and PostgreSQL.

The throttle and the sessions take ``now`` as an argument, so time is simulated: failures 1–3 cost no wait,
4–9 a growing one, the 10th locks the name for 15 minutes (audited once); an unknown name behaves exactly like a
known one. A new password or a deactivation ends every session and token of the user. The ``cfc users`` commands
run in-process (click's runner) on the same database; the audit chain is intact at the end.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from helpers.storekit import build_light
from sqlalchemy import select

from cfc.admin import users as users_cli
from dossiers import audit, logins
from dossiers import users as accounts
from dossiers.models import ApiToken, AuditEntry, Base, LoginThrottle, User, UserSession
from engine.errors import CfcError, NotFound

T0 = dt.datetime(2026, 3, 2, 8, 0, 0)
IDLE, LIFETIME = dt.timedelta(hours=2), dt.timedelta(hours=12)
MINE = ("user_sessions", "login_throttle", "api_tokens")


class Store:
    """The service over a light world (users ``secret``), with its URL and engine."""

    def __init__(self, url: str):
        self.url = url
        self.engine, self.service = build_light(url, users=("c1", "c2", "po", "pa", "d1", "chair1"))

    def transaction(self, readonly: bool = False):
        return self.service.transaction(readonly)


@pytest.fixture(scope="module")
def store(db_url):
    built = Store(db_url)
    yield built
    built.engine.dispose()


def cli(store, *args: str):
    return CliRunner().invoke(users_cli, list(args), env={"DATABASE_URL": store.url, "CFC_USER": "admin"},
                              catch_exceptions=False)


def actions(store, since: int) -> list[tuple[str, str, str]]:
    with store.transaction(readonly=True) as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.seq > since).order_by(AuditEntry.seq)).scalars()
        return [(e.actor, e.action, e.target) for e in rows]


def last_seq(store) -> int:
    with store.transaction(readonly=True) as s:
        return max([e.seq for e in s.execute(select(AuditEntry)).scalars()] or [0])


def fail(store, name: str, now: dt.datetime) -> int:
    """One failed sign-in of ``name`` at ``now`` (read step, then write step); the wait it leaves."""
    with store.transaction(readonly=True) as s:
        attempt = logins.prepare(s, name, now)
    assert attempt.retry_after == 0, f"{name} was still waiting at {now}"
    with store.transaction() as s:
        return logins.settle_failure(s, attempt, now)


def waits(store, name: str, now: dt.datetime) -> int:
    with store.transaction(readonly=True) as s:
        return logins.prepare(s, name, now).retry_after


def sign_in(store, name: str, password: str, now: dt.datetime):
    with store.transaction(readonly=True) as s:
        attempt = logins.prepare(s, name, now)
    assert attempt.retry_after == 0
    assert accounts.verify_password(attempt.password_hash, password)
    with store.transaction() as s:
        return logins.open_session(s, attempt, IDLE, LIFETIME, now)


# ------------------------------------------------------------------------------------------- the schema
def test_the_migration_matches_the_model(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if any(table in repr(d) for table in MINE)] == []


# ------------------------------------------------------------------------------------------- passwords
@pytest.mark.parametrize("password", ["", "demo", "123456789", "a" * 1025])
def test_a_password_a_person_chooses_has_10_to_1024_characters(password):
    with pytest.raises(CfcError, match="mật khẩu"):
        accounts.check_new_password(password)
    accounts.check_new_password("0123456789")
    accounts.check_new_password("mật khẩu tỉnh")


def test_an_unknown_name_costs_one_argon2_check_like_a_known_one(store, monkeypatch):
    """Item 2: unknown users were answered without hashing (6 ms against 180 ms)."""
    calls = []
    real = accounts._HASHER
    accounts._dummy_hash()  # made once per process

    class Counting:
        def verify(self, hashed, password):
            calls.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(accounts, "_HASHER", Counting())
    with store.transaction(readonly=True) as s:
        known = logins.prepare(s, "po", T0)
        unknown = logins.prepare(s, "không-có-ai", T0)
        inactive_like = logins.prepare(s, "x" * 81, T0)
    assert known.password_hash and unknown.password_hash is None and inactive_like.key is None
    for attempt in (known, unknown, inactive_like):
        assert accounts.verify_password(attempt.password_hash, "wrong password") is False
    assert len(calls) == 3 and all(h.startswith("$argon2id$") for h in calls)
    assert accounts.verify_password(None, "secret") is False  # the dummy hash never lets anybody in


# ------------------------------------------------------------------------------------------- throttle
def test_ten_failures_lock_the_name_with_a_growing_delay_before(store):
    since = last_seq(store)
    now, seen = T0, []
    for _ in range(10):
        wait = fail(store, "c1", now)
        seen.append(wait)
        if wait:
            assert waits(store, "c1", now) == wait  # refused before the password is looked at
            assert waits(store, "c1", now + dt.timedelta(seconds=wait - 1)) == 1
        now += dt.timedelta(seconds=wait)
    assert seen == [0, 0, 0, 1, 2, 4, 8, 16, 32, 900]
    assert actions(store, since) == [("system", "user.lock", "c1")]
    with store.transaction(readonly=True) as s:
        assert s.get(LoginThrottle, "c1").failures == 10


def test_the_lock_ends_with_time_and_the_count_starts_again(store):
    now = T0 + dt.timedelta(hours=1)
    for _ in range(3):
        fail(store, "c2", now)
    assert waits(store, "c2", now) == 0
    later = now + logins.WINDOW
    assert fail(store, "c2", later) == 0, "failures older than the window no longer count"


def test_an_unknown_name_is_throttled_exactly_like_a_known_one(store):
    now = T0 + dt.timedelta(hours=2)
    known, unknown = [], []
    for _ in range(6):
        known.append(fail(store, "d1", now))
        unknown.append(fail(store, "ai-đó-không-có", now))
        now += dt.timedelta(seconds=max(known[-1], unknown[-1]))
    assert known == unknown == [0, 0, 0, 1, 2, 4]


def test_names_that_no_user_can_have_are_never_stored(store):
    with store.transaction(readonly=True) as s:
        for name in ("admin\x00", "", "   ", "a" * 81, "po\x1b"):
            attempt = logins.prepare(s, name, T0)
            assert attempt.key is None and attempt.password_hash is None
    with store.transaction() as s:
        assert logins.settle_failure(s, attempt, T0) == 0
    with store.transaction(readonly=True) as s:
        assert s.get(LoginThrottle, "") is None


def test_unlock_lifts_the_lock_and_is_audited(store):
    now = T0 + dt.timedelta(hours=3)
    with store.transaction() as s:
        s.merge(LoginThrottle(username="pa", failures=10, window_start=now, locked_until=now + logins.LOCK))
    assert waits(store, "pa", now) == 900
    since = last_seq(store)
    with store.transaction() as s:
        assert logins.unlock(s, "pa", actor="admin") is True
    assert waits(store, "pa", now) == 0
    assert actions(store, since) == [("admin", "user.unlock", "pa")]
    with store.transaction() as s, pytest.raises(NotFound):
        logins.unlock(s, "không-có-ai", actor="admin")


def test_a_successful_sign_in_clears_the_count(store):
    now = T0 + dt.timedelta(hours=4)
    for _ in range(2):
        fail(store, "chair1", now)
    sign_in(store, "chair1", "secret", now)
    with store.transaction(readonly=True) as s:
        assert s.get(LoginThrottle, "chair1") is None


def test_concurrent_failures_are_all_counted(store):
    """Two workers failing at once: the row is created once and neither count is lost."""
    now = T0 + dt.timedelta(hours=5)
    errors = []

    def one():
        try:
            fail(store, "race-name", now)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.transaction(readonly=True) as s:
        assert s.get(LoginThrottle, "race-name").failures == 4


# ------------------------------------------------------------------------------------------- sessions
def test_a_session_ends_when_idle_too_long_or_too_old(store):
    user, token = sign_in(store, "po", "secret", T0)
    with store.transaction(readonly=True) as s:
        assert logins.session_user(s, token, IDLE, LIFETIME, T0)[0].username == "po"
        assert logins.session_user(s, token, IDLE, LIFETIME, T0 + IDLE) is None
        found, stale = logins.session_user(s, token, IDLE, LIFETIME, T0 + dt.timedelta(seconds=61))
        assert stale and found.unit.code == "62"  # the unit comes with the user
        assert logins.session_user(s, "made-up", IDLE, LIFETIME, T0) is None
    now = T0
    while now < T0 + LIFETIME - dt.timedelta(hours=1):  # kept busy: the idle clock restarts
        now += dt.timedelta(hours=1, minutes=30)
        with store.transaction() as s:
            logins.touch(s, token, now)
    with store.transaction(readonly=True) as s:
        assert logins.session_user(s, token, IDLE, LIFETIME, T0 + LIFETIME - dt.timedelta(minutes=1))
        assert logins.session_user(s, token, IDLE, LIFETIME, T0 + LIFETIME) is None  # however busy


def test_signing_out_deletes_the_session(store):
    _, token = sign_in(store, "po", "secret", T0)
    with store.transaction() as s:
        logins.close_session(s, token)
    with store.transaction(readonly=True) as s:
        assert logins.session_user(s, token, IDLE, LIFETIME, T0) is None


def test_a_password_changed_meanwhile_opens_no_session(store):
    with store.transaction(readonly=True) as s:
        attempt = logins.prepare(s, "pa", T0)
    with store.transaction() as s:
        stale = logins.Attempt(attempt.key, attempt.user_id, "$argon2id$other", 0)
        with pytest.raises(accounts.AuthError):
            logins.open_session(s, stale, IDLE, LIFETIME, T0)


# ------------------------------------------------------------------------------------------- life cycle
def credentials(store, name: str) -> tuple[int, list[str]]:
    with store.transaction(readonly=True) as s:
        user = accounts.find_user(s, name)
        sessions = len(s.execute(select(UserSession).where(UserSession.user_id == user.id)).all())
        return sessions, [accounts.token_state(t) for t in accounts.list_tokens(s, name)]


def test_a_new_password_ends_every_session_and_token_of_the_user_only(store):
    now = accounts.utcnow()
    for _ in range(2):
        sign_in(store, "d1", "secret", now)
    _, other = sign_in(store, "chair1", "secret", now)
    with store.transaction() as s:
        token = accounts.issue_token(s, "d1", actor="admin", name="script")
    since = last_seq(store)
    with store.transaction() as s:
        assert accounts.set_password(s, "d1", "mật khẩu mới 2026", actor="admin") == {"sessions": 2, "tokens": 1}
    assert credentials(store, "d1") == (0, ["revoked"])
    with store.transaction(readonly=True) as s:
        with pytest.raises(accounts.AuthError):
            accounts.user_for_token(s, token)
        assert accounts.authenticate(s, "d1", "mật khẩu mới 2026").username == "d1"
        assert logins.session_user(s, other, IDLE, LIFETIME, now), "another user's session stays"
    assert actions(store, since) == [("admin", "user.password", "d1")]
    with store.transaction() as s, pytest.raises(CfcError, match="ít nhất 10"):
        accounts.set_password(s, "d1", "short", actor="admin")


def test_deactivation_ends_everything_and_activation_lets_the_password_in_again(store):
    now = accounts.utcnow()
    _, session_token = sign_in(store, "c2", "secret", now)
    with store.transaction() as s:
        token = accounts.issue_token(s, "c2", actor="admin")
    since = last_seq(store)
    with store.transaction() as s:
        assert accounts.deactivate(s, "c2", actor="admin") == {"sessions": 1, "tokens": 1}
    with store.transaction(readonly=True) as s:
        assert logins.session_user(s, session_token, IDLE, LIFETIME, now) is None
        assert logins.prepare(s, "c2", now).password_hash is None  # checked against the dummy hash
        with pytest.raises(accounts.AuthError):
            accounts.user_for_token(s, token)
        with pytest.raises(accounts.AuthError):
            accounts.authenticate(s, "c2", "secret")
    with store.transaction() as s, pytest.raises(CfcError, match="vô hiệu"):
        accounts.deactivate(s, "c2", actor="admin")
    with store.transaction() as s:
        accounts.activate(s, "c2", actor="admin")
    sign_in(store, "c2", "secret", now)
    assert credentials(store, "c2")[1] == ["revoked"], "a revoked token stays revoked"
    assert actions(store, since) == [("admin", "user.deactivate", "c2"), ("admin", "user.activate", "c2")]


# ------------------------------------------------------------------------------------------- tokens
def test_every_token_expires(store):
    with store.transaction() as s:
        token = accounts.issue_token(s, "pa", actor="admin", name="báo cáo", days=1, now=T0)
        forever = s.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars().first()
        assert forever.expires_at == T0 + dt.timedelta(days=1) and forever.name == "báo cáo"
        with pytest.raises(accounts.AuthError):
            accounts.user_for_token(s, token)  # T0 + 1 day is long past
        assert accounts.user_for_token(s, token, now=T0 + dt.timedelta(hours=23)).username == "pa"
        for days in (0, -1, 3651):
            with pytest.raises(CfcError, match="hạn dùng"):
                accounts.issue_token(s, "pa", days=days)


def test_a_revoked_token_is_refused_and_revoking_is_audited(store):
    with store.transaction() as s:
        token = accounts.issue_token(s, "po", actor="admin", name="đồng bộ")
        token_id = s.execute(select(ApiToken.id).order_by(ApiToken.id.desc())).scalars().first()
    since = last_seq(store)
    with store.transaction() as s:
        with pytest.raises(NotFound):
            accounts.revoke_token(s, "pa", token_id, actor="admin")  # not pa's token
        accounts.revoke_token(s, "po", token_id, actor="admin")
    with store.transaction() as s:
        with pytest.raises(accounts.AuthError):
            accounts.user_for_token(s, token)
        with pytest.raises(CfcError, match="đã bị thu hồi"):
            accounts.revoke_token(s, "po", token_id, actor="admin")
    assert actions(store, since) == [("admin", "user.revoke_token", "po")]


# ------------------------------------------------------------------------------------------- commands
def test_cfc_users_manages_the_whole_life_cycle(store):
    since = last_seq(store)
    out = cli(store, "token", "chair1", "--name", "máy chủ báo cáo", "--expires-days", "30")
    assert out.exit_code == 0, out.output
    token = out.output.strip()
    assert token.startswith("cfc_")
    listing = cli(store, "tokens", "chair1").output
    assert "máy chủ báo cáo" in listing and "còn hiệu lực" in listing  # state words are Vietnamese by default
    token_id = listing.split()[0]
    assert cli(store, "revoke-token", "chair1", token_id).exit_code == 0
    assert "đã thu hồi" in cli(store, "tokens", "chair1").output
    assert cli(store, "token", "chair1", "--expires-days", "0").exit_code == 2

    assert cli(store, "password", "chair1", "--password", "ngắn").exit_code == 1
    out = cli(store, "password", "chair1", "--password", "chủ tịch 2026!")
    assert out.exit_code == 0 and "phiên đăng nhập đã kết thúc" in out.output
    assert cli(store, "deactivate", "chair1").exit_code == 0
    assert "(inactive)" in cli(store, "list").output
    assert cli(store, "deactivate", "chair1").exit_code == 1
    assert cli(store, "activate", "chair1").exit_code == 0
    with store.transaction() as s:
        s.merge(LoginThrottle(username="chair1", failures=10, window_start=accounts.utcnow(),
                              locked_until=accounts.utcnow() + logins.LOCK))
    assert cli(store, "unlock", "chair1").output.strip() == "đã mở khoá đăng nhập của chair1"
    assert cli(store, "unlock", "chair1").output.strip() == "chair1 không bị khoá đăng nhập"
    assert cli(store, "unlock", "không-có-ai").exit_code == 1
    assert [a for _, a, _ in actions(store, since)] == [
        "user.token", "user.revoke_token", "user.password", "user.deactivate", "user.activate", "user.unlock",
        "user.unlock"]
    assert {actor for actor, _, _ in actions(store, since)} == {"admin"}


def test_cfc_users_add_asks_for_10_characters(store):
    out = cli(store, "add", "newbie", "--unit", "608", "--role", "district_appraiser", "--password", "123456789")
    assert out.exit_code == 1 and "ít nhất 10" in out.output
    out = cli(store, "add", "newbie", "--unit", "608", "--role", "district_appraiser", "--password", "1234567890")
    assert out.exit_code == 0, out.output
    with store.transaction(readonly=True) as s:
        assert s.execute(select(User).where(User.username == "newbie")).scalar_one().active


def test_the_audit_chain_is_intact(store):
    with store.transaction(readonly=True) as s:
        assert audit.verify_chain(s).ok
