"""Schemathesis against the live API (issue #11): every operation of the OpenAPI document, fuzzed with valid and
invalid input, as a commune officer and as the province, with every check enabled. It must find nothing.

The server is the real one, ``cfc serve`` (gunicorn, two workers), on a copy of the demo database made by the
real commands (``demo_database``): whatever the fuzzer stores stays in that copy. Tokens come from
``dossiers.users.issue_token``. The number of examples is bounded (``MAX_EXAMPLES`` per operation and phase) and
the seed fixed, so a run takes about a minute and fails the same way twice. Afterwards the server's log is
read: not one traceback.

Checks that need a setting:

- ``positive_data_acceptance``: a request the schema calls valid may still be refused by what a schema cannot
  say, so 422 (a value the criteria refuse, an unknown indicator code) and 428 (a write without the version it
  saw) are expected answers besides Schemathesis's defaults (2xx, 401, 403, 404, 409).
- ``ignored_auth`` sends refused tokens, which count as failed sign-ins of the address: the server runs with
  a limit the run cannot reach (``CFC_LOGIN_RATE_LIMIT``), else every answer after the 30th would be a 429.
- ``max_response_time``: ``MAX_SECONDS`` per answer (a PDF is rendered in well under a second).
- schemathesis_hooks.py skips generated requests that break a rule no schema can state (two different
  versions in one write).

One Schemathesis worker: its coverage phase parses Python source in threads, which CPython 3.11 does not
survive ("AST constructor recursion depth mismatch").
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from served import serve

from dossiers.db import session_factory
from dossiers.users import issue_token

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
MAX_EXAMPLES = 50
MAX_SECONDS = 10
SEED = 11
CONFIG = f"""
[checks]
max_response_time = {MAX_SECONDS}

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "428", "429"]
"""


@pytest.fixture(scope="module")
def live(demo_database, tmp_path_factory):
    """(base URL, server log, tokens by user) of ``cfc serve`` on a copy of the demo database (``served``)."""
    folder = tmp_path_factory.mktemp("schemathesis-instance")
    # the fuzzer's refused tokens count as failed sign-ins of its address: a limit the run cannot reach
    with serve(demo_database, folder, CFC_LOGIN_RATE_LIMIT="100000/minute") as server:
        with session_factory(server.engine).begin() as s:
            tokens = {user: issue_token(s, user, actor="schemathesis") for user in ("commune1", "province")}
        yield server.url, folder / "server.log", tokens


@pytest.mark.parametrize("user", ["commune1", "province"])
def test_schemathesis_finds_nothing(live, tmp_path, user):
    url, log, tokens = live
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    out = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(config), "--no-color", "run", f"{url}/api/v1/openapi.json",
         "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
         "--generation-database", "none", "--header", f"Authorization: Bearer {tokens[user]}",
         "--request-timeout", "30"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": HOOKS.stem, "PYTHONPATH": str(HOOKS.parent)})
    report = out.stdout + out.stderr
    assert out.returncode == 0, report[-6000:]
    assert re.search(r"\b0 failures\b|No issues found", report) or "FAILURES" not in report, report[-3000:]
    server = log.read_text(errors="replace")
    assert "Traceback" not in server and "Exception on" not in server, server[-6000:]


def _http(url: str, method: str, path: str, token: str | None = None, body: bytes | None = None,
          content_type: str = "application/json") -> tuple[int, dict, bytes]:
    """One request over real HTTP: (status, headers, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": content_type} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def test_the_live_server_answers_hostile_requests_as_documented(live):
    """Over real HTTP, through gunicorn: 414 for a request line over 4 KiB (documented, as HTML), 405 with
    Allow, 404 for an id beyond the database, 400 for JSON nested 100,000 deep, 413 over 256 KiB."""
    url, log, tokens = live
    token = tokens["province"]
    status, headers, _ = _http(url, "GET", "/api/v1/criteria/" + "x" * 5000, token)
    assert status == 414 and headers["content-type"].startswith("text/html")
    status, headers, _ = _http(url, "DELETE", "/api/v1/dossiers/7", token)
    assert status == 405 and "GET" in headers["allow"]
    status, _, body = _http(url, "GET", f"/api/v1/dossiers/{2**64}", token)
    assert status == 404 and json.loads(body)["status"] == 404
    status, _, body = _http(url, "POST", "/api/v1/dossiers/6/transitions", token, b"[" * 100_000 + b"]" * 100_000)
    assert status == 400 and "JSON" in json.loads(body)["error"]
    status, _, _ = _http(url, "PUT", "/api/v1/dossiers/6/indicators", token, b'{"a": "' + b"x" * 300_000 + b'"}')
    assert status == 413
    status, _, body = _http(url, "POST", "/api/v1/dossiers/6/transitions", token,
                            json.dumps({"event": "reject", "reason": "\x00"}).encode())
    assert status == 422 and json.loads(body)["codes"] == ["reason"]
    server = log.read_text(errors="replace")
    assert "Traceback" not in server and "Exception on" not in server, server[-6000:]

