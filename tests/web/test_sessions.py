"""Server-side sessions, over real HTTP against gunicorn (two worker processes) on a copy of the demo (issue #11,
items 1 and 3).

Reproduces what a security tester found: a cookie copied before logout kept working (pages 200, writes
stored); the cookie never expired; the CSRF value survived logout and was accepted in another user's session
in the same browser. Now signing out, an idle or too old session, a new password (on the command line or the
user's own page) and a deactivation end the session on the server, in every worker; a replayed cookie lands on
the login page and stores nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib

import pytest
from served import Browser, lands_on_login, serve
from sqlalchemy import text

ROUTE = "/commune/dossiers/1"  # commune1's draft


@pytest.fixture(scope="module")
def site(demo_database, tmp_path_factory):
    with serve(demo_database, tmp_path_factory.mktemp("sessions"), CFC_LOGIN_RATE_LIMIT="1000/minute") as served:
        yield served


def one(site, sql: str, **params):
    """The first row of ``sql`` on the served database (None for a statement that returns none)."""
    with site.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return result.first() if result.returns_rows else None


def audit_count(site) -> int:
    return one(site, "SELECT count(*) FROM audit_entries")[0]


def last_audit(site) -> tuple:
    return tuple(one(site, "SELECT actor, action, target FROM audit_entries ORDER BY seq DESC LIMIT 1"))


def stored_value(site) -> tuple:
    return one(site, "SELECT self_value, (SELECT lock_version FROM dossiers WHERE id = 1) FROM indicator_values "
                     "WHERE dossier_id = 1 AND code = 'TC13.satisfaction'")


def user_sessions(site, username: str) -> int:
    return one(site, "SELECT count(*) FROM user_sessions s JOIN users u ON u.id = s.user_id "
                     "WHERE u.username = :name", name=username)[0]


def save_form(page) -> dict:
    version = next(line for line in page.text.splitlines() if 'name="lock_version"' in line)
    return {"csrf_token": page.csrf(), "lock_version": version.split('value="')[1].split('"')[0],
            "action": "save", "TC13__satisfaction": "77"}


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(site):
    browser = site.browser().signed_in("commune1")
    page = browser.get(ROUTE)
    assert page.status == 200
    stolen, form = browser.copy(), save_form(page)
    before, entries = stored_value(site), audit_count(site)
    assert user_sessions(site, "commune1") == 1

    assert browser.post("/logout", {"csrf_token": page.csrf()}).location.endswith("/login")
    assert user_sessions(site, "commune1") == 0
    assert lands_on_login(stolen.get(ROUTE), ROUTE)
    assert lands_on_login(stolen.get("/commune/"), "/commune/")
    assert lands_on_login(stolen.post(ROUTE, form), ROUTE)
    assert (stored_value(site), audit_count(site)) == (before, entries), "the replayed write was stored"


def test_the_cookie_carries_a_session_token_not_the_user(site):
    browser = site.browser()
    answer = browser.login("commune2")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    payload = browser.cookies["session"].lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(data) if browser.cookies["session"].startswith(".") else data)
    assert "commune2" not in json.dumps(data) and len(data["_user_id"]) >= 40


def test_the_csrf_token_changes_at_login_and_logout_and_is_refused_in_the_next_session(site):
    browser = site.browser()
    anonymous = browser.csrf()
    browser.signed_in("district1")
    first = browser.csrf("/district/")
    assert first != anonymous
    assert browser.post("/logout", {"csrf_token": first}).status == 302
    after = browser.csrf()
    assert after not in (first, anonymous)
    browser.signed_in("district2")
    refused = browser.post("/logout", {"csrf_token": first})  # district1's token in district2's session
    assert refused.status == 400
    assert browser.get("/district/").status == 200, "still signed in: the refused sign-out did nothing"


def test_every_worker_knows_every_session(site):
    browser = site.browser().signed_in("province")
    assert {browser.get("/province/").status for _ in range(20)} == {200}  # one connection each: both workers


def test_an_idle_session_ends(site):
    browser = site.browser().signed_in("chair1")
    assert browser.get("/district/").status == 200
    one(site, "UPDATE user_sessions SET last_seen = :t WHERE user_id = (SELECT id FROM users WHERE "
              "username = 'chair1')", t=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=121))
    assert lands_on_login(browser.get("/district/"), "/district/")


def test_a_busy_session_is_kept_alive_but_ends_after_its_lifetime(site):
    browser = site.browser().signed_in("chair2")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    where = "WHERE user_id = (SELECT id FROM users WHERE username = 'chair2')"
    one(site, f"UPDATE user_sessions SET last_seen = :t {where}", t=now - dt.timedelta(minutes=119))
    assert browser.get("/district/").status == 200
    seen = one(site, f"SELECT last_seen FROM user_sessions {where}")[0]
    assert dt.datetime.fromisoformat(str(seen)) > now - dt.timedelta(minutes=1), "a request keeps it alive"
    one(site, f"UPDATE user_sessions SET created_at = :t {where}", t=now - dt.timedelta(hours=12))
    assert lands_on_login(browser.get("/district/"), "/district/")


def test_a_new_password_on_the_command_line_ends_every_session_and_token_of_that_user(site):
    first, second = site.browser().signed_in("district2"), site.browser().signed_in("district2")
    other = site.browser().signed_in("commune2")
    token = site.cfc("users", "token", "district2", "--name", "kiểm thử").stdout.strip()
    api = Browser(site.url)
    assert api.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"}).status == 200

    sessions = user_sessions(site, "district2")
    assert sessions >= 2
    out = site.cfc("users", "password", "district2", "--password", "mật khẩu mới 2026")
    assert f"{sessions} phiên đăng nhập đã kết thúc, 1 khoá API đã bị thu hồi" in out.stdout
    assert user_sessions(site, "district2") == 0
    assert lands_on_login(first.get("/district/"), "/district/")
    assert lands_on_login(second.get("/district/"), "/district/")
    assert other.get("/commune/").status == 200, "other users stay signed in"
    assert api.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"}).status == 401
    assert site.browser().login("district2").status == 200  # the old password: refused
    assert site.browser().login("district2", "mật khẩu mới 2026").status == 302
    assert last_audit(site) == ("admin", "user.password", "district2")


def test_a_deactivated_user_is_signed_out_everywhere_and_cannot_sign_in(site):
    browser = site.browser().signed_in("commune2")
    site.cfc("users", "deactivate", "commune2")
    assert lands_on_login(browser.get("/commune/"), "/commune/")
    refused = site.browser().login("commune2")
    assert (refused.status, refused.flashes()) == (200, ["Sai tên đăng nhập hoặc mật khẩu."])
    site.cfc("users", "activate", "commune2")
    assert site.browser().login("commune2").status == 302


def test_a_role_change_applies_on_the_next_request(site):
    browser = site.browser().signed_in("commune2")
    assert browser.get("/commune/").status == 200
    one(site, """UPDATE users SET roles = '["district_appraiser"]' WHERE username = 'commune2'""")
    try:
        assert browser.get("/commune/").status == 403
    finally:
        one(site, """UPDATE users SET roles = '["commune_officer"]' WHERE username = 'commune2'""")
    assert browser.get("/commune/").status == 200


# ---------------------------------------------------------------------------------------- own password
PAGE = "/account/password"


def test_the_password_page_needs_a_session_and_a_csrf_token(site):
    assert lands_on_login(site.browser().get(PAGE), PAGE)
    browser = site.browser().signed_in("admin")
    assert browser.get(PAGE).status == 200
    answer = browser.post(PAGE, {"current": "demo", "new": "mật khẩu rất mới", "again": "mật khẩu rất mới"})
    assert answer.status == 400
    assert site.browser().login("admin").status == 302, "nothing changed"


@pytest.mark.parametrize(("current", "new", "again", "message"), [
    ("sai rồi", "mật khẩu rất mới", "mật khẩu rất mới", "Mật khẩu hiện tại không đúng."),
    ("demo", "ngắn quá", "ngắn quá", "Mật khẩu mới cần từ 10 đến 1024 ký tự."),
    ("demo", "mật khẩu rất mới", "mật khẩu khác", "Hai lần nhập mật khẩu mới không giống nhau."),
])
def test_the_password_page_refuses_with_the_reason(site, current, new, again, message):
    browser = site.browser().signed_in("admin")
    entries = audit_count(site)
    answer = browser.post(PAGE, {"csrf_token": browser.csrf(PAGE), "current": current, "new": new, "again": again})
    assert answer.status == 200 and message in answer.text
    assert audit_count(site) == entries
    assert browser.get(PAGE).status == 200, "still signed in"
    one(site, "DELETE FROM login_throttle")  # the wrong current password counted as a failed sign-in


def test_changing_ones_own_password_signs_out_everywhere(site):
    here, elsewhere = site.browser().signed_in("district1"), site.browser().signed_in("district1")
    new = "bảo mật 2026 của tôi"
    answer = here.post(PAGE, {"csrf_token": here.csrf(PAGE), "current": "demo", "new": new, "again": new})
    assert answer.location.endswith("/login")
    assert "Đã đổi mật khẩu" in " ".join(here.get("/login").flashes())
    assert lands_on_login(here.get("/district/"), "/district/")
    assert lands_on_login(elsewhere.get("/district/"), "/district/")
    assert last_audit(site) == ("district1", "user.password", "district1")
    assert site.browser().login("district1").status == 200
    assert site.browser().login("district1", new).status == 302
