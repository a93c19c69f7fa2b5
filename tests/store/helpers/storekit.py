"""Shared helpers for this folder's store tests (imported as ``helpers.storekit``; free of pytest).

A *light world* is a migrated database with Kon Tum's units (2019) and only the users a test needs: argon2
hashing costs about half a second per user, so the full ``world`` fixture is too slow to build in every module.
Worker processes (racers, churners) are forked by helpers/launcher.py, a separate, warm Python process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DATA = ROOT / "dossiers" / "data"
PYTHON = sys.executable
CFC = str(Path(sys.executable).with_name("cfc"))

C1, C2 = "23335", "23284"  # Xã Đắk Rơ Wa, Phường Duy Tân (both in Thành phố Kon Tum, 608)

# username → (unit code, unit level, roles)
USERS = {
    "c1": (C1, "commune", ["commune_officer"]),
    "c1b": (C1, "commune", ["commune_officer"]),
    "c2": (C2, "commune", ["commune_officer"]),
    "c2b": (C2, "commune", ["commune_officer"]),
    "d1": ("608", "district", ["district_appraiser"]),
    "chair1": ("608", "district", ["district_chair"]),
    "po": ("62", "province", ["province_officer"]),
    "pa": ("62", "province", ["province_approver"]),
}
PANEL = ["Chủ tịch hội đồng", "Thành viên"]


def example_values() -> dict:
    from engine.template import example_values

    return dict(example_values())


def text_values(values: dict) -> dict:
    """Typed values → the canonical text a person would type (``true``, ``49``, ``86.5``)."""
    from engine.assessment import canonical_text

    return {code: canonical_text(v) if not isinstance(v, float) else str(v) for code, v in values.items()}


def build_light(url: str, users: tuple[str, ...] = ("c1",), years: range = range(2019, 2025)):
    """Kon Tum's units, a category for C1 and C2 in ``years``, the named users. Returns (engine, service)."""
    from dossiers import units as unit_store
    from dossiers.db import make_engine, session_factory
    from dossiers.models import CommuneCategory, Unit
    from dossiers.service import DossierService
    from dossiers.users import add_user

    engine = make_engine(url)
    service = DossierService(session_factory(engine))
    with service.transaction() as s:
        unit_store.import_csv(s, DATA / "units-kontum-2019.csv")
        for unit in s.query(Unit).filter(Unit.level == "commune", Unit.code.in_([C1, C2])):
            for year in years:
                s.add(CommuneCategory(unit_id=unit.id, year=year, category="other"))
        for username in users:
            code, level, roles = USERS[username]
            add_user(s, username, "secret", code, roles, unit_level=level)
    service.set_setting("test", "allow_sample_documents", True)
    return engine, service


def walk(service, dossier_id: int, status: str, values: dict | None = None, officer: str = "c1") -> None:
    """Move a new 2019 dossier of a commune of 608 to ``status`` with its ``officer``, d1 and chair1.

    Statuses: draft (no values), filled (draft with every value), submitted, appraised (submitted with every
    appraised value), verified.
    """
    values = values or example_values()
    if status == "draft":
        return
    service.set_values(officer, dossier_id, values)
    if status == "filled":
        return
    service.transition(officer, dossier_id, "submit")
    if status == "submitted":
        return
    service.appraise("d1", dossier_id, values)
    if status == "appraised":
        return
    service.transition("chair1", dossier_id, "verify", panel_members=PANEL)


# ------------------------------------------------------------------------------------------- databases
def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> str:
    return make_url(url).database


@contextlib.contextmanager
def fresh_database(like_url: str, folder: Path, migrate: bool = True) -> Iterator[str]:
    """A new database of the same kind (and PostgreSQL server) as ``like_url``, migrated unless told not to;
    a PostgreSQL database is dropped afterwards."""
    from dossiers.migrate import upgrade

    if is_sqlite(like_url):
        url = f"sqlite:///{folder / f'fresh-{uuid.uuid4().hex[:8]}.sqlite3'}"
        if migrate:
            upgrade(url)
        yield url
        return
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(like_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(like_url).set(database=name).render_as_string(hide_password=False)
        if migrate:
            upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def write_lock(url: str) -> Iterator[object]:
    """Hold the database's write path while concurrent writers start, so that their transactions overlap.

    SQLite: an open ``BEGIN IMMEDIATE`` (every writer then waits at its own BEGIN). PostgreSQL: a row lock on
    the audit chain head, which every change takes last (the first writer gets that far, the others wait
    behind it).
    Yields a callable ``waiting()``: how many other sessions wait on a lock (PostgreSQL; None for SQLite).
    """
    if is_sqlite(url):
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield lambda: None
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")).all()

            def waiting() -> int:
                with engine.connect() as probe:
                    return probe.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )).scalar_one()

            yield waiting
            conn.rollback()
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------- processes
class Launcher:
    """The test's handle on helpers/launcher.py: forks worker processes from a warm interpreter."""

    def __init__(self, folder: Path):
        self.log = open(folder / f"launcher-{uuid.uuid4().hex[:6]}.log", "w+", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen([PYTHON, str(HERE / "launcher.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=str(folder))
        self._read()  # {"ready": true}

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.log.seek(0)
            raise RuntimeError(f"the launcher died: {self.log.read()[-4000:]}")
        return json.loads(line)

    def _send(self, command: dict) -> dict:
        self.proc.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def fork(self, job: str, spec: dict) -> int:
        return self._send({"cmd": "fork", "job": job, "spec": spec})["pid"]

    def wait(self, pid: int) -> int:
        """Wait for a worker to end: its exit code, or minus the signal that killed it."""
        return self._send({"cmd": "wait", "pid": pid})["status"]

    def errors(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.log.close()


def _wait_for(paths: list[Path], alive, deadline: float, what: str) -> None:
    while not all(p.exists() for p in paths):
        if not alive():
            raise RuntimeError(f"a racer ended before {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.01)


def race(launcher: Launcher, url: str, jobs: list[dict], folder: Path, overlap: bool = True,
         timeout: float = 60) -> list[dict]:
    """Run each job in its own process; all load the dossier, meet at a file barrier, then write at once.

    A job is {"user", "dossier", "op": "set"|"appraise"|"transition", "values", "event", "reason", "panel"}.
    Each racer writes its loaded version to ``<name>.ready`` and waits for ``go``; it then calls the service
    with ``expected_version`` = that version. With ``overlap`` the parent holds :func:`write_lock` while the
    racers start, so their transactions really overlap. Returns each racer's result:
    {"loaded": version, "ok": bool, "error": exception class name, "message": str, "version", "status"}.
    """
    sync = folder / f"race-{uuid.uuid4().hex[:8]}"
    sync.mkdir()
    names = [f"r{i}" for i in range(len(jobs))]
    pids = [launcher.fork("race", {**job, "url": url, "sync": str(sync), "name": name})
            for job, name in zip(jobs, names, strict=True)]
    done: dict[int, int] = {}

    try:
        deadline = time.monotonic() + timeout
        _wait_for([sync / f"{n}.ready" for n in names], lambda: launcher.proc.poll() is None, deadline,
                  "the barrier")
        lock = write_lock(url) if overlap else contextlib.nullcontext(lambda: None)
        with lock as waiting:
            (sync / "go").write_text("go")
            _wait_for([sync / f"{n}.going" for n in names], lambda: launcher.proc.poll() is None, deadline,
                      "the start")
            if overlap:
                # let every racer reach the lock: PostgreSQL tells us, SQLite's writers queue at BEGIN
                settle = time.monotonic() + 15
                while time.monotonic() < settle:
                    count = waiting()
                    if count is None:
                        time.sleep(0.3)
                        break
                    if count >= len(jobs) or any((sync / f"{n}.result").exists() for n in names):
                        break
                    time.sleep(0.02)
        for pid in pids:
            done[pid] = launcher.wait(pid)
        if any(done.values()):
            raise RuntimeError(f"a racer failed: {done}\n{launcher.errors()}")
        return [json.loads((sync / f"{n}.result").read_text(encoding="utf-8")) for n in names]
    finally:
        for pid in pids:
            if pid not in done:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                done[pid] = launcher.wait(pid)


def run_cfc(args: list[str], env: dict, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``cfc`` as a separate process with exactly ``env`` on top of a clean copy of this environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CFC_INSTANCE_DIR", "CFC_USER")}
    return subprocess.run([CFC, *args], env={**base, **env}, cwd=str(cwd), capture_output=True, text=True,
                          timeout=timeout)

