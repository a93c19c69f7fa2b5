"""The app served for real (``cfc serve``: gunicorn, its worker processes) on a copy of the demo database, and a
minimal browser over plain HTTP that keeps its cookies, for tests where cookies and headers matter.

``serve(demo_database, folder, **env)`` copies the demo database into ``folder``, starts the server with the
given ``CFC_*`` settings and yields a ``Served`` (its URL, the instance folder, a SQLAlchemy engine on its
database, ``cfc`` on it). ``Browser`` sends one request per connection (so the workers share the requests) and
never follows redirects.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from sqlalchemy import create_engine

CFC = Path(sys.executable).with_name("cfc")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def flashes(self) -> list[str]:
        found = re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', self.text, re.S)
        return [html.unescape(m).strip() for m in found]

    def csrf(self) -> str:
        found = CSRF_RE.search(self.text)
        assert found, f"no csrf_token in the answer ({self.status})"
        return found.group(1)


@dataclass
class Browser:
    url: str
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Answer:
        parts = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        for header in resp.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Answer(resp.status, resp.headers, text, elapsed)

    def get(self, path: str, **kw) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict | None = None, **kw) -> Answer:
        return self.request("POST", path, form or {}, **kw)

    def csrf(self, path: str = "/login") -> str:
        return self.get(path).csrf()

    def login(self, username: str, password: str = "demo") -> Answer:
        return self.post("/login", {"csrf_token": self.csrf(), "username": username, "password": password})

    def signed_in(self, username: str, password: str = "demo") -> Browser:
        answer = self.login(username, password)
        assert answer.status == 302, f"login of {username}: {answer.status} {answer.flashes()}"
        return self

    def copy(self) -> Browser:
        return Browser(self.url, dict(self.cookies))


def lands_on_login(answer: Answer, path: str) -> bool:
    location = urllib.parse.urlsplit(answer.location)
    back = urllib.parse.parse_qs(location.query).get("next", [""])[0]
    return answer.status == 302 and location.path == "/login" and back == path


@dataclass
class Served:
    url: str
    folder: Path
    engine: object

    def browser(self) -> Browser:
        return Browser(self.url)

    def cfc(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CFC_") and k != "DATABASE_URL"}
        env.update(CFC_INSTANCE_DIR=str(self.folder), CFC_USER="admin")  # the sysadmin acts
        out = subprocess.run([str(CFC), *args], env=env, capture_output=True, text=True, timeout=300)
        if check and out.returncode != 0:
            pytest.fail(f"cfc {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        return out


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"cfc serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError):
            if Browser(url).get("/login").status == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"cfc serve did not answer on {url} within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def serve(demo_database: Path, folder: Path, workers: int = 2, **settings: str):
    """``cfc serve`` on a copy of the demo database in ``folder``, with ``settings`` as environment variables."""
    for path in demo_database.parent.glob("cfc.sqlite3*"):
        shutil.copy(path, folder / path.name)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CFC_") and k != "DATABASE_URL"}
    env.update(CFC_INSTANCE_DIR=str(folder), **settings)
    log = folder / "server.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen([str(CFC), "serve", "--host", "127.0.0.1", "--port", str(port),
                                    "--workers", str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT)
    engine = create_engine(f"sqlite:///{folder / 'cfc.sqlite3'}")
    try:
        _wait_until_up(url, process, log)
        yield Served(url, folder, engine)
    finally:
        engine.dispose()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
