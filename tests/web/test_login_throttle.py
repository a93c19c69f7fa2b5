"""Sign-in throttling and per-address rate limits, over real HTTP against gunicorn on a copy of the demo (issue
#11, items 2 and 8).

Reproduces what a security tester found: 30 wrong passwords in a row were all answered and the 31st, correct
one signed in; a known user with a wrong password took 180 ms and an unknown one 6 ms; nothing limited an
address. Now each failure past the third makes the name wait longer, the tenth locks it for 15 minutes (in the
database, so every worker refuses it; audited; lifted by ``cfc users unlock``), an unknown name is answered
exactly like a known one and costs the same time, and an address gets 429 with ``Retry-After`` once it has
failed too often or asked for too many verification pages.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from served import Browser, serve
from sqlalchemy import text

WRONG = "Sai tên đăng nhập hoặc mật khẩu."
WAIT = "Vui lòng thử lại sau"


@pytest.fixture(scope="module")
def site(demo_database, tmp_path_factory):
    with serve(demo_database, tmp_path_factory.mktemp("throttle"), CFC_LOGIN_RATE_LIMIT="1000/minute") as served:
        yield served


@pytest.fixture(scope="module")
def strict(demo_database, tmp_path_factory):
    """One worker (the memory storage counts per worker), 5 failed sign-ins and 3 verification pages a minute."""
    with serve(demo_database, tmp_path_factory.mktemp("limits"), workers=1, CFC_LOGIN_RATE_LIMIT="5/minute",
               CFC_VERIFY_RATE_LIMIT="3/minute") as served:
        yield served


def sql(site, statement: str, **params):
    with site.engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.all() if result.returns_rows else None


def attempt(site, username: str, password: str):
    return site.browser().login(username, password)


def outcome(answer) -> tuple:
    return answer.status, answer.flashes(), answer.headers.get("Retry-After")


# ------------------------------------------------------------------------------------------- per name
def test_wrong_passwords_make_the_name_wait_and_even_the_right_one_waits(site):
    for _ in range(4):
        assert outcome(attempt(site, "commune1", "sai")) == (200, [WRONG], None)
    refused = attempt(site, "commune1", "demo")  # the 4th failure set a wait of 1 s
    assert refused.status == 429 and refused.headers["Retry-After"] == "1"
    assert WAIT in " ".join(refused.flashes())
    time.sleep(1.2)
    assert attempt(site, "commune1", "demo").status == 302
    assert sql(site, "SELECT * FROM login_throttle WHERE username = 'commune1'") == [], "cleared by the success"


def test_the_tenth_failure_locks_the_name_in_every_worker_until_unlocked(site):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    sql(site, "INSERT INTO login_throttle (username, failures, window_start, locked_until) "
              "VALUES ('commune2', 9, :now, :now)", now=now)  # nine failures this quarter-hour, no wait left
    locked = attempt(site, "commune2", "sai")
    assert locked.status == 429 and 890 <= int(locked.headers["Retry-After"]) <= 900
    assert "Vui lòng thử lại sau 15 phút." in " ".join(locked.flashes())
    assert {attempt(site, "commune2", "demo").status for _ in range(6)} == {429}  # both workers refuse it
    actor, action, target = sql(site, "SELECT actor, action, target FROM audit_entries ORDER BY seq DESC")[0]
    assert (actor, action, target) == ("system", "user.lock", "commune2")

    assert site.cfc("users", "unlock", "commune2").stdout.strip() == "đã mở khoá đăng nhập của commune2"
    assert attempt(site, "commune2", "demo").status == 302
    assert sql(site, "SELECT actor, action, target FROM audit_entries ORDER BY seq DESC")[0] == (
        "admin", "user.unlock", "commune2")


def test_an_unknown_name_is_answered_exactly_like_a_known_one(site):
    known = [outcome(attempt(site, "district1", "sai")) for _ in range(5)]
    unknown = [outcome(attempt(site, "khong-co-ai", "sai")) for _ in range(5)]
    assert known == unknown
    assert [status for status, _, _ in known] == [200, 200, 200, 200, 429]


def test_an_unknown_name_costs_as_much_time_as_a_known_one(site):
    """Was 6 ms against 180 ms: account names could be told apart by timing."""
    known, unknown = [], []
    for i, name in enumerate(("chair1", "chair2", "province", "admin", "district2")):
        known.append(attempt(site, name, "sai").seconds)
        unknown.append(attempt(site, f"khong-co-ai-{i}", "sai").seconds)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, f"unknown {statistics.median(unknown):.3f} s, known {statistics.median(known):.3f} s"


@pytest.mark.parametrize("name", ["a" * 500, "admin\u202e"])
def test_a_name_no_user_can_have_is_refused_like_any_other(site, name):
    assert outcome(attempt(site, name, "demo")) == (200, [WRONG], None)


# ------------------------------------------------------------------------------------------- per address
def test_an_address_that_fails_too_often_gets_429_on_the_page_and_the_api(strict):
    for _ in range(6):  # signing in successfully does not count
        assert attempt(strict, "province", "demo").status == 302
    for i in range(5):
        assert attempt(strict, f"ten-doan-{i}", "sai").status == 200
    page = attempt(strict, "ten-doan-5", "sai")
    assert page.status == 429 and 0 < int(page.headers["Retry-After"]) <= 61
    assert "Quá nhiều yêu cầu từ địa chỉ này" in page.text
    assert attempt(strict, "province", "demo").status == 429, "the address waits, whoever it tries"
    api = Browser(strict.url).get("/api/v1/dossiers", headers={"Authorization": "Bearer cfc_doan"})
    assert api.status == 429 and int(api.headers["Retry-After"]) > 0
    assert api.headers["Content-Type"] == "application/json"
    assert '"status":429' in api.text.replace(" ", "")


def test_the_verification_page_is_limited_per_address(strict):
    browser = strict.browser()
    serial = sql(strict, "SELECT serial FROM certificates ORDER BY id")[0][0]
    assert [browser.get(f"/verify/{serial}").status for _ in range(3)] == [200, 200, 200]
    refused = browser.get("/verify/62-2024-000099")
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Quá nhiều yêu cầu từ địa chỉ này" in refused.text
