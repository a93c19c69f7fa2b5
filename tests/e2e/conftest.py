"""End-to-end fixtures: the real server (``cfc serve``) on a fresh demo database, and a real browser.

The browser is Debian's Chromium (/usr/bin/chromium; scripts/install-browser.sh installs it), driven headless by
Playwright for Python with a fresh profile; no browser is ever downloaded. Screenshots and the server's log go
to tests/e2e/artifacts/ (emptied at the start of each run, kept afterwards).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CFC = Path(sys.executable).with_name("cfc")
START_TIMEOUT = 90  # seconds for the server to answer


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def _env(instance: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CFC_MAX_UPLOAD_MB")}
    env["CFC_INSTANCE_DIR"] = str(instance)
    env["CFC_BASE_URL"] = url  # as `make demo` does: the QR codes point at this server
    return env


def _cfc(instance: Path, url: str, *args: str) -> None:
    out = subprocess.run([str(CFC), *args], env=_env(instance, url), capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        pytest.fail(f"cfc {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"cfc serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"cfc serve did not answer on {url} within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server(tmp_path_factory, artifacts):
    """``cfc serve --port FREE_PORT`` on a fresh demo database (``cfc db upgrade`` + ``cfc demo load``)."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    _cfc(instance, url, "db", "upgrade")
    _cfc(instance, url, "demo", "load")
    log = artifacts / "server.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen([str(CFC), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   env=_env(instance, url), stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # what Ctrl+C does: waitress stops cleanly
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    """A page of a headless Chromium with a fresh profile, its base URL set to the server."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, base_url=server,
            locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=False,
        )
        context.set_default_timeout(20_000)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            try:
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{item.name}.png"), full_page=True)
            except Exception as exc:  # the browser may be gone; the failure itself is what matters
                report.sections.append(("screenshot", f"no screenshot of the failure: {exc}"))
