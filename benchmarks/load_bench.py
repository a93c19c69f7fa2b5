"""Load on the web app: 16 commune officers at once, each opening and saving their self-assessment form.

Starts the real server (`cfc serve`: gunicorn, one worker process per CPU) on a fresh demo database on
loopback, adds 16 officers with a draft each, then every user repeatedly GETs the form and POSTs a save (with its
CSRF token and version). Two runs: users who read and type between actions (a think time, 1 s by default: how
officials use the form) and users who never pause (saturation: 16 requests always in flight on 2 cores, which
measures queueing more than the app). Prints p50/p95 per request kind and the error count for each; the
baseline is GET /login (no database) measured in the same run. Target: p95 <= 100 ms, zero errors. Bounded: a
fixed number of rounds per user and a time limit.

    .venv/bin/python benchmarks/load_bench.py [--users 16] [--rounds 15] [--think 1.0]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TIME_LIMIT = 240  # seconds for the whole load phase


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(instance: Path, users: int) -> list[str]:
    """Demo database plus `users` officers, each with a draft dossier of their own commune."""
    env = dict(os.environ, CFC_INSTANCE_DIR=str(instance))
    env.pop("DATABASE_URL", None)
    subprocess.run([str(BIN / "cfc"), "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "cfc"), "demo", "load"], env=env, check=True, capture_output=True)
    script = f"""
import os
import random
from sqlalchemy import select
from dossiers.config import Settings
from dossiers.db import make_engine, session_factory
from dossiers.models import Dossier, Unit, User
from dossiers.service import DossierService
from dossiers.users import add_user
settings = Settings.from_env()
engine = make_engine(settings.database_url)
svc = DossierService(session_factory(engine), settings=settings)
names = []
with svc.transaction() as s:
    taken = {{u for (u,) in s.execute(select(User.unit_id))}} | {{d for (d,) in s.execute(select(Dossier.commune_id))}}
    free = [u for u in s.execute(select(Unit).where(Unit.level == "commune").order_by(Unit.code)).scalars()
            if u.id not in taken][:{users}]
    for u in free:
        add_user(s, "load" + u.code, "demo", u.code, ["commune_officer"], unit_level="commune")
        names.append((u.code, "load" + u.code))
for code, name in names:
    svc.create(name, code, 2024)
print(" ".join(n for _, n in names))
engine.dispose()
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    return out.stdout.split()


class Client:
    """One user's keep-alive HTTP connection with its session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            resp = self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed this keep-alive connection while the user was idle (gunicorn's keepalive is
            # 2 s): reconnect and send again, as a browser does
            self.conn.close()
            resp = self._send(method, path, body, headers)
        text = resp.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - start
        cookie = resp.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return resp.status, text, elapsed


    def _send(self, method: str, path: str, body, headers: dict) -> http.client.HTTPResponse:
        self.conn.request(method, path, body=body, headers=headers)
        return self.conn.getresponse()


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    return match.group(1) if match else ""


def run_user(port: int, username: str, rounds: int, deadline: float, results: dict, errors: list,
             think: float = 0.0, ready: threading.Barrier | None = None) -> None:
    client = Client(port)
    try:
        status, html, _ = client.request("GET", "/login")
        status, html, _ = client.request("POST", "/login", {"csrf_token": field(html, "csrf_token"),
                                                            "username": username, "password": "demo"})
        if status != 302:
            errors.append(f"{username}: login {status}")
            return
        status, html, _ = client.request("GET", "/commune/")
        dossier = re.search(r'/commune/dossiers/(\d+)', html).group(1)
        client.request("GET", f"/commune/dossiers/{dossier}")  # warm-up, not counted (sign-in, first page)
        if ready is not None:
            ready.wait(timeout=120)  # everybody signed in: the measured phase starts together
        time.sleep(random.uniform(0, think))  # people do not all click in the same millisecond
        for i in range(rounds):
            if time.perf_counter() > deadline:
                break
            status, html, t = client.request("GET", "/login")
            results["baseline GET /login"].append(t)
            status, html, t = client.request("GET", f"/commune/dossiers/{dossier}")
            results["GET form"].append(t)
            time.sleep(think)  # reading and typing
            if status != 200:
                errors.append(f"{username}: GET form {status}")
                continue
            form = {"csrf_token": field(html, "csrf_token"), "lock_version": field(html, "lock_version"),
                    "action": "save", "TC07__children_under_1": str(50 + i), "TC07__fully_immunised": "49",
                    "TC13__satisfaction": "86,5", "TC01__officer": "true"}
            status, html, t = client.request("POST", f"/commune/dossiers/{dossier}", form)
            results["POST save"].append(t)
            if status != 302:
                errors.append(f"{username}: save {status}")
            time.sleep(think)
    except Exception as exc:  # a refused connection or a timeout is an error of the run, not a crash of it
        errors.append(f"{username}: {type(exc).__name__}: {exc}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def load_run(port: int, users: list[str], rounds: int, think: float) -> tuple[dict, list, float]:
    results: dict = {"baseline GET /login": [], "GET form": [], "POST save": []}
    errors: list[str] = []
    deadline = time.perf_counter() + TIME_LIMIT
    ready = threading.Barrier(len(users))
    threads = [threading.Thread(target=run_user, args=(port, u, rounds, deadline, results, errors, think, ready))
               for u in users]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors, time.perf_counter() - start


def report(title: str, users: int, rounds: int, results: dict, errors: list, wall: float) -> bool:
    base = statistics.median(results["baseline GET /login"]) * 1000 if results["baseline GET /login"] else 0
    print(f"{title}: {users} concurrent users, {rounds} rounds each, {wall:.1f} s wall")
    for kind, times in results.items():
        if not times:
            continue
        p50, p95 = pct(times, 50), pct(times, 95)
        ratio = f"p50 {p50 / base:.1f}x baseline" if base else ""
        print(f"  {kind:<20} n={len(times):<4} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {ratio}")
    worst = max((pct(results[k], 95) for k in ("GET form", "POST save") if results[k]), default=0.0)
    print(f"  errors: {len(errors)}" + "".join(f"\n    {e}" for e in errors[:10]))
    print(f"  target p95 <= 100 ms: {'PASS' if worst <= 100 else 'FAIL'} (worst p95 {worst:.1f} ms); "
          f"zero errors: {'PASS' if not errors else 'FAIL'}")
    return not errors


# ------------------------------------------------------------------------------- the preview endpoint
def preview_form(html: str, complete: bool) -> dict:
    """What the form that guides posts to /preview while an officer types: every field (complete: the
    durable-rules score and gap plan are computed too), or half of them (the partial points only)."""
    from engine.template import example_values

    values = {c: v for c, v in example_values().items() if c not in ("TC04.children", "TC05.children")}
    if not complete:
        values = dict(list(values.items())[: len(values) // 2])
    form = {"csrf_token": field(html, "csrf_token"), "lock_version": field(html, "lock_version")}
    for code, value in values.items():
        form[code.replace(".", "__")] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return form


def run_previewer(port: int, username: str, rounds: int, deadline: float, results: dict, errors: list,
                  think: float, ready: threading.Barrier) -> None:
    """One officer typing: a preview per pause in the typing (the page waits 250 ms of quiet), the baseline
    GET /login measured beside it."""
    client = Client(port)
    try:
        status, html, _ = client.request("GET", "/login")
        client.request("POST", "/login", {"csrf_token": field(html, "csrf_token"), "username": username,
                                          "password": "demo"})
        status, html, _ = client.request("GET", "/commune/")
        dossier = re.search(r'/commune/dossiers/(\d+)', html).group(1)
        status, html, _ = client.request("GET", f"/commune/dossiers/{dossier}")
        forms = {True: preview_form(html, True), False: preview_form(html, False)}
        client.request("POST", f"/commune/dossiers/{dossier}/preview", forms[True])  # warm-up
        ready.wait(timeout=120)
        for i in range(rounds):
            if time.perf_counter() > deadline:
                break
            status, _, t = client.request("GET", "/login")
            results["baseline GET /login"].append(t)
            complete = i % 2 == 0
            status, _, t = client.request("POST", f"/commune/dossiers/{dossier}/preview", forms[complete])
            results["POST preview (all values)" if complete else "POST preview (half)"].append(t)
            if status != 200:
                errors.append(f"{username}: preview {status}")
            time.sleep(think)
    except Exception as exc:
        errors.append(f"{username}: {type(exc).__name__}: {exc}")


def preview_load(port: int, users: list[str], rounds: int, think: float) -> bool:
    """The preview endpoint under the same users, against the baseline; p50 and p95 of each."""
    results: dict = {"baseline GET /login": [], "POST preview (all values)": [], "POST preview (half)": []}
    errors: list[str] = []
    deadline = time.perf_counter() + TIME_LIMIT
    ready = threading.Barrier(len(users))
    threads = [threading.Thread(target=run_previewer, args=(port, u, rounds, deadline, results, errors, think,
                                                            ready)) for u in users]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    base = statistics.median(results["baseline GET /login"]) * 1000 if results["baseline GET /login"] else 0
    print(f"preview while typing: {len(users)} users, a preview every {think:g} s each, {wall:.1f} s wall")
    for kind, times in results.items():
        if times:
            p50, p95 = pct(times, 50), pct(times, 95)
            ratio = f"p50 {p50 / base:.1f}x, p95 {p95 / base:.1f}x baseline p50" if base else ""
            print(f"  {kind:<26} n={len(times):<4} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {ratio}")
    print(f"  errors: {len(errors)}" + "".join(f"\n    {e}" for e in errors[:10]))
    return not errors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user pauses between actions")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="cfc-load-"))
    port = free_port()
    print(f"setting up a demo database and {args.users} commune officers…", file=sys.stderr)
    users = setup(instance, args.users)
    env = dict(os.environ, CFC_INSTANCE_DIR=str(instance))
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([str(BIN / "cfc"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = True
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"server: cfc serve (gunicorn, {os.cpu_count()} workers) on 127.0.0.1:{port}")
        results, errors, wall = load_run(port, users, args.rounds, args.think)
        ok &= report(f"users who pause {args.think:g} s between actions", len(users), args.rounds, results,
                     errors, wall)
        results, errors, wall = load_run(port, users, args.rounds, 0.0)
        ok &= report("users who never pause (saturation)", len(users), args.rounds, results, errors, wall)
        ok &= preview_load(port, users, args.rounds, 0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(instance, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
