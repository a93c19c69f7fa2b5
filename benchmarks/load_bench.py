"""Load on the web app: 16 commune officers at once, each opening and saving their self-assessment form.

Starts the real server (`cfc serve`: gunicorn, one worker process per CPU) on a fresh demo database on
loopback, adds 16 officers with a draft each, then every user repeatedly GETs the form and POSTs a save (with its
CSRF token and version). Two runs: users who read and type between actions (a think time, 1 s by default: how
officials use the form) and users who never pause (saturation: 16 requests always in flight on 2 cores, which
measures queueing more than the app). Prints p50/p95 per request kind and the error count for each; the
baseline is GET /login (no database) measured in the same run. Target: p95 <= 100 ms, zero errors. Bounded: a
fixed number of rounds per user and a time limit.

A third run (issue #15) measures what signing in costs the others: one officer saves their form again and
again (``--save-think`` between saves), in blocks that alternate between nobody else active and
``--login-users`` users who keep signing in (each sign-in a fresh browser: GET /login, POST /login, an Argon2id
check). Prints the p95 of a save while they sign in ÷ the p95 of a save with nobody signing in (target <= 1.5×)
and the sign-ins per second. The server runs with the per-address limit of failed sign-ins raised
(``CFC_LOGIN_RATE_LIMIT``), since every benchmark user comes from 127.0.0.1.

    .venv/bin/python benchmarks/load_bench.py [--users 16] [--rounds 15] [--think 1.0]
        [--scenario all|think|saturation|preview|login] [--login-users 4] [--saves 120] [--save-think 0.05]
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
LOGIN_RATE_LIMIT = "100000/minute"  # CFC_LOGIN_RATE_LIMIT of the server: every user signs in from 127.0.0.1
LOGIN_TARGET = 1.5  # p95 of a save while others sign in ÷ p95 of a save with nobody signing in (issue #15)
BLOCKS = 6  # quiet and busy blocks of the sign-in run, alternating


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


def sign_in(client: Client, username: str) -> bool:
    """GET the login form and POST it (CSRF token included); whether it signed in."""
    status, html, _ = client.request("GET", "/login")
    status, html, _ = client.request("POST", "/login", {"csrf_token": field(html, "csrf_token"),
                                                        "username": username, "password": "demo"})
    return status == 302


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


def open_form(port: int, username: str) -> tuple[Client, str]:
    """A signed-in officer's client and the path of their dossier's form (first page already loaded)."""
    client = Client(port)
    if not sign_in(client, username):
        raise RuntimeError(f"{username}: cannot sign in")
    status, html, _ = client.request("GET", "/commune/")
    path = "/commune/dossiers/" + re.search(r'/commune/dossiers/(\d+)', html).group(1)
    client.request("GET", path)  # warm-up
    return client, path


def save(client: Client, path: str, n: int, errors: list) -> float | None:
    """GET the form, POST a save of it; the seconds of the save (None when it failed)."""
    status, html, _ = client.request("GET", path)
    if status != 200:
        errors.append(f"GET form {status}")
        return None
    form = {"csrf_token": field(html, "csrf_token"), "lock_version": field(html, "lock_version"),
            "action": "save", "TC07__children_under_1": str(50 + n % 40), "TC07__fully_immunised": "49",
            "TC13__satisfaction": "86,5", "TC01__officer": "true"}
    status, _, seconds = client.request("POST", path, form)
    if status != 302:
        errors.append(f"save {status}")
        return None
    return seconds


def keep_signing_in(port: int, username: str, stop: threading.Event, signed: list, errors: list) -> None:
    """Sign in again and again, each time as a new browser, until ``stop``."""
    while not stop.is_set():
        try:
            if sign_in(Client(port), username):
                signed.append(time.perf_counter())
            else:
                errors.append(f"{username}: sign-in refused")
        except Exception as exc:  # a refused connection or a timeout is an error of the run
            errors.append(f"{username}: {type(exc).__name__}: {exc}")


def login_run(port: int, saver: str, signers: list[str], saves: int, think: float) -> dict:
    """Saves of one officer in alternating blocks: nobody else active (``quiet``), then ``signers`` signing in
    again and again (``busy``). Returns the save times of each, sign-ins per busy second and the errors."""
    client, path = open_form(port, saver)
    times: dict = {"quiet": [], "busy": []}
    errors: list[str] = []
    signed: list[float] = []
    busy_seconds = 0.0
    per_block = max(1, saves // BLOCKS)
    for block in range(BLOCKS):
        kind = "quiet" if block % 2 == 0 else "busy"
        stop = threading.Event()
        threads = [threading.Thread(target=keep_signing_in, args=(port, u, stop, signed, errors))
                   for u in signers] if kind == "busy" else []
        for t in threads:
            t.start()
        if threads:
            time.sleep(0.5)  # the sign-ins are under way before the first save of the block
        start = time.perf_counter()
        for i in range(per_block):
            seconds = save(client, path, block * per_block + i, errors)
            if seconds is not None:
                times[kind].append(seconds)
            time.sleep(think)
        if threads:
            busy_seconds += time.perf_counter() - start
        stop.set()
        for t in threads:
            t.join()
    return {"times": times, "errors": errors, "rate": len(signed) / busy_seconds if busy_seconds else 0.0}


def login_report(result: dict, signers: int) -> bool:
    quiet, busy = result["times"]["quiet"], result["times"]["busy"]
    print(f"a save while {signers} users keep signing in (blocks alternate: nobody / {signers} signing in)")
    for kind, times in (("nobody signing in", quiet), (f"{signers} signing in", busy)):
        if times:
            print(f"  POST save, {kind:<18} n={len(times):<4} p50 {pct(times, 50):7.1f} ms  "
                  f"p95 {pct(times, 95):7.1f} ms")
    print(f"  sign-ins: {result['rate']:.1f} a second while they ran")
    errors = result["errors"]
    print(f"  errors: {len(errors)}" + "".join(f"\n    {e}" for e in errors[:10]))
    if not quiet or not busy:
        print("  p95 ratio: no saves measured FAIL")
        return False
    ratio = pct(busy, 95) / pct(quiet, 95)
    print(f"  p95 with sign-ins ÷ p95 without: {pct(busy, 95):.1f} / {pct(quiet, 95):.1f} ms = {ratio:.2f}× "
          f"(floor 1×, target <= {LOGIN_TARGET:g}×: {'PASS' if ratio <= LOGIN_TARGET else 'FAIL'})")
    return not errors


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
    parser.add_argument("--scenario", choices=("all", "think", "saturation", "preview", "login"), default="all")
    parser.add_argument("--login-users", type=int, default=4, help="users who keep signing in (login run)")
    parser.add_argument("--saves", type=int, default=120, help="saves measured in the login run")
    parser.add_argument("--save-think", type=float, default=0.05, help="seconds between saves (login run)")
    args = parser.parse_args()
    if args.scenario == "login" or args.scenario == "all":
        args.users = max(args.users, args.login_users + 1)  # one who saves, the others sign in
    instance = Path(tempfile.mkdtemp(prefix="cfc-load-"))
    port = free_port()
    print(f"setting up a demo database and {args.users} commune officers…", file=sys.stderr)
    users = setup(instance, args.users)
    env = dict(os.environ, CFC_INSTANCE_DIR=str(instance), CFC_LOGIN_RATE_LIMIT=LOGIN_RATE_LIMIT)
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
        if args.scenario in ("all", "think"):
            results, errors, wall = load_run(port, users, args.rounds, args.think)
            ok &= report(f"users who pause {args.think:g} s between actions", len(users), args.rounds, results,
                         errors, wall)
        if args.scenario in ("all", "saturation"):
            results, errors, wall = load_run(port, users, args.rounds, 0.0)
            ok &= report("users who never pause (saturation)", len(users), args.rounds, results, errors, wall)
        if args.scenario in ("all", "preview"):
            ok &= preview_load(port, users, args.rounds, 0.5)
        if args.scenario in ("all", "login"):
            signers = users[1:1 + args.login_users]
            ok &= login_report(login_run(port, users[0], signers, args.saves, args.save_think), len(signers))
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(instance, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
