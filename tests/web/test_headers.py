"""Security headers and cookie flags, seen over real HTTP from gunicorn (``cfc serve``) and in a real browser.

Two servers run on copies of the demo database: one whose public address is the stored https
``public_base_url`` of the demo (no ``CFC_BASE_URL``), one whose ``CFC_BASE_URL`` is its own http address.
Every kind of answer (pages, errors, API, PDFs, exports, evidence, static files) carries the CSP, the frame,
nosniff and referrer headers, and all but the static files ``Cache-Control: no-store``; the https address makes
the cookies Secure and https requests get HSTS. Headless Chromium (Debian's, driven by Playwright) then opens
the main pages of every demo role on the http server and sees no Content-Security-Policy violation.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from flask import request

CFC = Path(sys.executable).with_name("cfc")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_TIMEOUT = 90
STRICT_CSP = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
              "base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'"}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# ------------------------------------------------------------------------------------------------ server
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_demo(demo_database: Path, folder: Path) -> Path:
    for path in demo_database.parent.glob("cfc.sqlite3*"):
        shutil.copy(path, folder / path.name)
    return folder


@contextmanager
def serving(folder: Path, base_url: str | None, log: Path):
    """``cfc serve`` (gunicorn) on ``folder``; ``base_url`` None: the stored public_base_url applies."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CFC_MAX_UPLOAD_MB", "CFC_BASE_URL", "CFC_TRUSTED_PROXIES")}
    env["CFC_INSTANCE_DIR"] = str(folder)
    if base_url:
        env["CFC_BASE_URL"] = base_url.format(port=port)
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen([str(CFC), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"cfc serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if Client(f"http://127.0.0.1:{port}").get("/login").status == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"cfc serve did not answer within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}")


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []


class Client:
    """Plain HTTP to one server: keeps the cookies it is given, sends them back, follows no redirect."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.jar: dict[str, str] = {}

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = dict(headers or {})
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            connection.close()
        for line in answer.cookies():
            self.jar.update({name: morsel.value for name, morsel in SimpleCookie(line).items()})
        return answer

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.send("GET", path, headers=headers)

    def login(self, username: str, password: str = "demo") -> Answer:
        token = CSRF_RE.search(self.get("/login").body.decode()).group(1)
        form = urlencode({"csrf_token": token, "username": username, "password": password}).encode()
        answer = self.send("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status == 302, f"login of {username}: {answer.status}"
        return answer


@pytest.fixture(scope="module")
def https_server(site, instance):
    """The module's demo instance (public_base_url https://…, stored) served by gunicorn, evidence 1 on
    dossier 1."""
    site.service.add_evidence("commune1", 1, "TC01", "bien-ban-hop.pdf", PDF)
    with serving(instance, None, instance / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def http_server(demo_database, tmp_path_factory):
    """Another copy of the demo served by gunicorn with CFC_BASE_URL its own http address."""
    folder = copy_demo(demo_database, tmp_path_factory.mktemp("http-instance"))
    with serving(folder, "http://127.0.0.1:{port}", folder / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def clients(https_server) -> dict:
    """Anonymous and signed-in clients of the https server."""
    out = {None: Client(https_server)}
    for user in ("commune1", "district1", "province"):
        out[user] = Client(https_server)
        out[user].login(user)
    return out


# -------------------------------------------------------------------------------------- headers on the wire
def csp(answer: Answer) -> dict[str, str]:
    value = answer.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in value.split(";") if part.strip()}


ANSWERS = [  # method, path, who (a user, "token:USER" for the API), expected status, cached (static files)
    ("GET", "/login", None, 200, False),
    ("GET", "/", None, 302, False),
    ("GET", "/nope", None, 404, False),
    ("DELETE", "/login", None, 405, False),
    ("POST", "/logout", "commune1", 400, False),  # no CSRF token
    ("GET", "/verify/62-2024-999999", None, 404, False),
    ("GET", "/static/style.css", None, 200, True),
    ("GET", "/static/select-all.js", None, 200, True),
    ("GET", "/commune/dossiers/1", "commune1", 200, False),
    ("GET", "/dossiers/1", "commune1", 200, False),
    ("GET", "/dossiers/1/evidence/1", "commune1", 200, False),
    ("GET", "/district/dossiers/3", "district1", 200, False),
    ("GET", "/export?what=results&format=csv", "district1", 200, False),
    ("GET", "/export?what=audit&format=xlsx", "district1", 200, False),
    ("GET", "/province/dashboard", "province", 200, False),
    ("GET", "/dossiers/7/certificate.pdf", "province", 200, False),
    ("GET", "/dossiers/7/decision.pdf", "province", 200, False),
    ("GET", "/province/report.pdf", "province", 200, False),
    ("GET", "/api/v1/dossiers/1", "token:commune1", 200, False),
    ("GET", "/api/v1/dossiers", "token:province", 200, False),
    ("GET", "/api/v1/dossiers/1", None, 401, False),
    ("GET", "/api/v1/openapi.json", None, 200, False),
]


@pytest.mark.parametrize(("method", "path", "who", "status", "cached"), ANSWERS,
                         ids=[f"{m} {p} {w or 'anonymous'}" for m, p, w, _, _ in ANSWERS])
def test_every_answer_carries_the_security_headers(site, clients, method, path, who, status, cached):
    headers = {}
    client = clients[None]
    if who and who.startswith("token:"):
        headers["Authorization"] = f"Bearer {site.token(who.split(':', 1)[1])}"
    elif who:
        client = clients[who]
    answer = client.send(method, path, headers=headers)
    assert answer.status == status, answer.body[:300]
    policy = csp(answer)
    for directive, value in STRICT_CSP.items():
        assert policy.get(directive) == value, f"{directive}: {policy}"
    assert "unsafe" not in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if cached:  # public static files may be cached (and revalidated)
        assert "no-store" not in answer.headers.get("Cache-Control", "")
    else:
        assert answer.headers["Cache-Control"] == "no-store"


def test_an_https_address_makes_the_cookies_secure_and_https_answers_carry_hsts(https_server):
    client = Client(https_server)
    first = client.get("/login")
    assert first.cookies() and all("Secure" in line for line in first.cookies())
    assert all("HttpOnly" in line and "SameSite=Lax" in line for line in first.cookies())
    signed_in = client.login("commune1")
    assert signed_in.cookies() and all("Secure" in line for line in signed_in.cookies())
    # HSTS only on https answers (RFC 6797 §7.2): the TLS proxy in front says so with X-Forwarded-Proto
    assert "Strict-Transport-Security" not in first.headers
    secure = client.get("/commune/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_an_http_address_sets_no_secure_flag_and_no_hsts(http_server):
    client = Client(http_server)
    first = client.get("/login")
    assert first.cookies() and not any("Secure" in line for line in first.cookies())
    assert not any("Secure" in line for line in client.login("commune1").cookies())
    answer = client.get("/commune/", headers={"X-Forwarded-Proto": "https"})
    assert answer.status == 200 and "Strict-Transport-Security" not in answer.headers
    assert csp(answer)["frame-ancestors"] == "'none'" and answer.headers["Cache-Control"] == "no-store"


# ------------------------------------------------------------------------------------------- proxies (ProxyFix)
@pytest.mark.parametrize(("proxies", "address", "secure"), [(0, "10.0.0.1", False), (1, "203.0.113.9", True)])
def test_trusted_proxies_are_believed_about_the_client_and_https(instance, proxies, address, secure):
    from dossiers.config import Settings
    from webforms import create_app

    settings = Settings.from_env({"CFC_TRUSTED_PROXIES": str(proxies)}, instance_dir=str(instance))
    app = create_app(settings, {"TESTING": True})
    app.add_url_rule("/seen", "seen", lambda: f"{request.remote_addr} {request.is_secure}")
    try:
        answer = app.test_client().get("/seen", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                       headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        assert answer.get_data(as_text=True) == f"{address} {secure}"
    finally:
        app.extensions["cfc.engine"].dispose()


def test_each_app_keeps_its_own_https_setting(instance):
    """CFC_BASE_URL comes before the stored address; two apps in one process do not share their headers."""
    from dossiers.config import Settings
    from webforms import create_app

    apps = {url: create_app(Settings.from_env({"CFC_BASE_URL": url} if url else {}, instance_dir=str(instance)),
                            {"TESTING": True}) for url in (None, "http://127.0.0.1:5000")}
    try:
        seen = {url: app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
                for url, app in apps.items()}
        assert "Strict-Transport-Security" in seen[None].headers  # the stored https://treem.kontum.example.vn
        assert "Secure" in seen[None].headers["Set-Cookie"]
        assert "Strict-Transport-Security" not in seen["http://127.0.0.1:5000"].headers
        assert "Secure" not in seen["http://127.0.0.1:5000"].headers["Set-Cookie"]
    finally:
        for app in apps.values():
            app.extensions["cfc.engine"].dispose()


def test_a_bad_number_of_proxies_names_the_variable():
    from dossiers.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="CFC_TRUSTED_PROXIES='many'"):
        Settings.from_env({"CFC_TRUSTED_PROXIES": "many"})


# ------------------------------------------------------------------------------------------------ templates
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)


def test_no_template_holds_inline_script_or_style():
    """Also the pages the browser below does not open: scripts and styles live in webforms/static/."""
    root = Path(__file__).resolve().parents[2] / "webforms"
    found = [f"{path.relative_to(root)}:{number}: {line.strip()}"
             for path in sorted(root.rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if INLINE.search(line)]
    assert found == []


# ---------------------------------------------------------------------------------------------- the browser
PAGES = {  # role: the main pages it works on
    None: ["/login", "/verify/62-2024-999999"],
    "commune1": ["/commune/", "/commune/dossiers/1", "/dossiers/1"],
    "district1": ["/district/", "/district/dossiers/3", "/import"],
    "chair1": ["/district/dossiers/5"],
    "province": ["/province/", "/province/dashboard", "/dossiers/7", "/import"],
    "admin": ["/admin/", "/admin/criteria/qd06-2019", "/admin/diff"],
}
WATCH = """document.addEventListener("securitypolicyviolation",
  (e) => (window.__violations = window.__violations || []).push(`${e.violatedDirective} ${e.blockedURI}`));"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def watched_page(browser, url: str):
    """A page in a fresh context that records every CSP violation: the DOM event and the console's report."""
    context = browser.new_context(base_url=url, locale="vi-VN")
    context.set_default_timeout(20_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        yield page, lambda: page.evaluate("window.__violations || []") + reports
    finally:
        context.close()


def sign_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert page.locator("header.top .who").is_visible(), page.url


@pytest.mark.parametrize("role", list(PAGES), ids=[r or "anonymous" for r in PAGES])
def test_the_main_pages_load_in_a_browser_with_no_csp_violation(browser, http_server, role):
    with watched_page(browser, http_server) as (page, violations):
        if role:
            sign_in(page, role)
        for path in PAGES[role]:
            answer = page.goto(path)
            assert answer.status == (404 if path.startswith("/verify/") else 200), path
            page.wait_for_load_state("load")
            # the stylesheet applied (a blocked style-src would leave the header unstyled)
            assert page.eval_on_selector("header.top", "e => getComputedStyle(e).display") == "flex", path
            assert violations() == [], path
            if path == "/province/dashboard":
                assert page.locator("svg.chart").count() >= 2


def test_the_policy_is_enforced_and_the_watch_sees_it(browser, http_server):
    """Inline script and style are refused, and reported: so an empty report above means none was refused."""
    with watched_page(browser, http_server) as (page, violations):
        page.goto("/login")
        page.evaluate("""() => {
            const s = document.createElement("script"); s.textContent = "window.__ran = true";
            document.body.append(s);
            document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: rgb(255, 0, 0)">x</p>');
        }""")
        page.wait_for_function("(window.__violations || []).length >= 2")
        assert page.evaluate("window.__ran === undefined")
        assert page.eval_on_selector("#styled", "e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
        seen = " ".join(violations())
        assert "script-src" in seen and "style-src" in seen


def test_select_all_works_from_its_script_file(browser, http_server):
    """The province's "select all" box, once an inline onclick, works from static/select-all.js."""
    with watched_page(browser, http_server) as (page, violations):
        sign_in(page, "province")
        page.goto("/province/")
        boxes = page.locator("input[name=dossier]")
        assert boxes.count() > 0
        page.get_by_label("all").check()
        assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
        page.get_by_label("all").uncheck()
        assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
        assert violations() == []
