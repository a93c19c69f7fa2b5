"""Benchmark of the dossier store: one dossier per commune of today's Vietnam through its whole life, in batch.

Run with ``.venv/bin/python benchmarks/dossier_bench.py`` (``--limit 100`` for a quick run, ``--backend sqlite``
or ``--backend postgres`` for one backend only, ``--help`` for the options).

For each backend (SQLite in a temporary instance folder; PostgreSQL started with ``scripts/pg.sh`` and stopped
at the end, even on error, Ctrl-C, SIGTERM or SIGHUP):

1. Setup, timed apart from the lifecycle: migrate, import ``dossiers/data/units-vietnam-2025.csv`` (34 provinces,
   3,321 communes), category ``other`` for every commune in round 2025, users, ``allow_sample_documents`` on.
   procedure-2025 gives edit and submit to a commune_officer at commune level, so every commune gets its own
   officer; each province gets a province_officer (appraise, verify) and a province_approver (recognize).
   Argon2id costs 0.1–0.4 s a hash on 2 cores (the run prints its measure), so 3,389 hashes would take
   6–20 minutes per backend: the setup measures the hash, then creates every user through the real
   ``add_user`` (with its audit entry) but with that one hash reused (same password for everyone).
2. Timed: for each commune, create → set_values (``example_values()``) → submit → appraise (same values) →
   verify (panel members) → recognize (decision number, date, signer), each a call of the real
   ``DossierService`` (one transaction each) with the version the previous call returned (optimistic locking).
   Prints total time, median and p95 per dossier (the whole lifecycle), dossiers per second, this process's
   CPU time and SQL statements per dossier (so a busy machine shows as CPU well under the wall time), and
   median / p95 of each step. SQL statements are counted per step with an event listener
   (``before_cursor_execute``; SQLite's BEGIN not counted, PostgreSQL's is implicit): the most of each step and
   of a whole dossier, against the target (at most ``STATEMENT_TARGET``). After each dossier the floor is timed
   once, interleaved: one ``engine.scoring.score`` of the example values plus one plain INSERT+COMMIT on the
   same engine (``Floor``); prints median lifecycle ÷ median floor against ``RATIO_TARGET``, PASS or FAIL.
   Then its shape alone, also interleaved (``Floor.skeleton``): one score and six transactions sending the
   statements the dossier's steps sent (a locking read, UPDATEs of one row of the benchmark's own table, one
   INSERT) through SQLAlchemy Core, ÷ the floor: a bare equivalent of six transactions of that many statements,
   with none of the code around them.
   On PostgreSQL, after the checks: one bare transaction through a pooled connection with ``pool_pre_ping``,
   with the app's check (``dossiers.db.check_out``) and with none, in alternating blocks (``pool_check``).
3. Checks: every dossier of round 2025 is recognized, the audit chain verifies
   (``dossiers.audit.verify_chain``), and it holds exactly one entry per user, the setting and each of the
   six steps of every dossier; prints the number of audit entries.

Finally prints PostgreSQL / SQLite (SQLite, measured in the same run, is the baseline). Progress goes to stderr
(a counter every 250 dossiers); the report goes to stdout. Exit status: 0 when every check passes, 1 when a
check fails, 2 when a backend cannot start.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import sqlalchemy
from sqlalchemy import event, func, select, text

from dossiers import audit
from dossiers import users as user_store
from dossiers.db import make_engine, session_factory
from dossiers.migrate import upgrade
from dossiers.models import AuditEntry, CommuneCategory, Dossier, Unit
from dossiers.service import DossierService
from dossiers.units import import_csv
from engine.template import example_values

ROOT = Path(__file__).resolve().parents[1]
UNITS_CSV = ROOT / "dossiers" / "data" / "units-vietnam-2025.csv"
PG_SH = ROOT / "scripts" / "pg.sh"
YEAR = 2025
PASSWORD = "bench-secret"
PANEL = ["Chủ tịch hội đồng thẩm định", "Thành viên hội đồng"]
STEPS = ("create", "set_values", "submit", "appraise", "verify", "recognize")
SIGNER = "Nguyễn Văn Ký"  # who signs the recognition decisions
ENTRIES_PER_DOSSIER = len(STEPS) + 1  # one audit entry per step, and the certificate's serial at recognition
PROGRESS_EVERY = 250
STATEMENT_TARGET = 30  # SQL statements for a dossier's whole lifecycle (issue #15)
RATIO_TARGET = 5.0  # lifecycle ÷ (one score + one INSERT+COMMIT), medians (issue #15)


# --------------------------------------------------------------------------------------------------- helpers


def log(text: str = "", end: str = "\n") -> None:
    """Progress goes to stderr, so stdout holds only the report."""
    print(text, end=end, file=sys.stderr, flush=True)


def out(text: str = "") -> None:
    print(text, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 10 else f"{seconds:.2f} s"


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


class CannotStart(Exception):
    """A backend could not be started (exit status 2)."""


@dataclass
class Result:
    backend: str
    n: int
    setup: dict[str, float] = field(default_factory=dict)
    users: int = 0
    total: float = 0.0
    per_dossier: list[float] = field(default_factory=list)
    per_step: dict[str, list[float]] = field(default_factory=dict)
    recognized: int = 0
    dossiers: int = 0
    chain_ok: bool = False
    chain_message: str = ""
    audit_entries: int = 0
    verify_seconds: float = 0.0
    server: str = ""
    cpu: float = 0.0  # CPU seconds of this process during the lifecycle (the database server's not included)
    statements: int = 0  # SQL statements sent during the lifecycle (BEGIN, COMMIT and pool pings not counted)
    step_statements: dict[str, list[int]] = field(default_factory=dict)  # step → statements of each dossier
    floor: list[float] = field(default_factory=list)  # one score + one plain INSERT+COMMIT, after each dossier
    skeleton: list[float] = field(default_factory=list)  # the lifecycle's transactions and statements, bare
    pool_check: dict[str, float] = field(default_factory=dict)  # PostgreSQL: one bare transaction per pool check
    wall: float = 0.0  # the whole backend: server start, setup, lifecycle, checks

    @property
    def ok(self) -> bool:
        return (self.chain_ok and self.recognized == self.n and self.dossiers == self.n
                and self.audit_entries == self.users + 1 + ENTRIES_PER_DOSSIER * self.n)

    @property
    def ratio(self) -> float:
        """Median lifecycle ÷ median floor (one score + one plain INSERT+COMMIT), measured interleaved."""
        return self.median / statistics.median(self.floor) if self.floor else 0.0

    @property
    def worst_statements(self) -> int:
        """The most statements one dossier's lifecycle sent."""
        per_dossier = [sum(counts) for counts in zip(*self.step_statements.values(), strict=True)]
        return max(per_dossier, default=0)

    @property
    def median(self) -> float:
        return statistics.median(self.per_dossier)

    @property
    def p95(self) -> float:
        return p95(self.per_dossier)

    @property
    def rate(self) -> float:
        return self.n / self.total if self.total else 0.0


# ---------------------------------------------------------------------------------------------- backends


@contextlib.contextmanager
def sqlite_backend() -> Iterator[tuple[str, str]]:
    """A fresh SQLite file in a temporary instance folder (CFC_INSTANCE_DIR points there meanwhile)."""
    with tempfile.TemporaryDirectory(prefix="cfc-bench-sqlite-") as folder:
        old = os.environ.get("CFC_INSTANCE_DIR")
        os.environ["CFC_INSTANCE_DIR"] = folder
        try:
            yield f"sqlite:///{Path(folder) / 'cfc.sqlite3'}", f"SQLite {sqlite_version()}"
        finally:
            if old is None:
                os.environ.pop("CFC_INSTANCE_DIR", None)
            else:
                os.environ["CFC_INSTANCE_DIR"] = old


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


_STARTED: set[Path] = set()  # PostgreSQL folders not yet stopped (atexit stops them if unwinding did not)


def pg_start(folder: Path) -> str:
    """``scripts/pg.sh start`` in a process group of its own: if we are interrupted meanwhile, the whole group
    (pg.sh, initdb, pg_ctl) is ended and waited for, so that nothing it left running acts after the stop."""
    _STARTED.add(folder)
    proc = subprocess.Popen([str(PG_SH), "start", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate()
    except BaseException:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=20)
                break
            except subprocess.TimeoutExpired:
                continue
        raise
    if proc.returncode != 0 or not stdout.strip():
        raise CannotStart(f"scripts/pg.sh start failed:\n{stderr.strip()}")
    return stdout.strip().splitlines()[-1]


def pg_stop(folder: Path) -> None:
    """``scripts/pg.sh stop``: stops the server (if it runs) and removes its folder; once per folder."""
    if folder in _STARTED:
        _STARTED.discard(folder)
        subprocess.run([str(PG_SH), "stop", str(folder)], capture_output=True, text=True, check=False)
        log(f"postgres: server stopped, {folder} removed")


atexit.register(lambda: [pg_stop(folder) for folder in list(_STARTED)])


@contextlib.contextmanager
def postgres_backend() -> Iterator[tuple[str, str]]:
    """A throw-away PostgreSQL server from scripts/pg.sh (its folder directly under /tmp), always stopped."""
    folder = Path("/tmp") / f"cfc-bench-pg-{uuid.uuid4().hex[:8]}"
    log(f"postgres: starting a throw-away server in {folder} …")
    try:
        url = pg_start(folder)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                version = conn.execute(text("SHOW server_version")).scalar_one()
        finally:
            engine.dispose()
        yield url, f"PostgreSQL {version} (fsync=off, synchronous_commit=off, as scripts/pg.sh starts it)"
    finally:
        pg_stop(folder)


BACKENDS = {"sqlite": sqlite_backend, "postgres": postgres_backend}


# ------------------------------------------------------------------------------------------------- the run


def communes_of_csv() -> list[tuple[str, str]]:
    """(commune code, province code) of every commune in the 2025 list, in file order."""
    with open(UNITS_CSV, encoding="utf-8-sig", newline="") as fh:
        return [(row["code"], row["parent_code"]) for row in csv.DictReader(fh) if row["level"] == "commune"]


def pick(communes: list[tuple[str, str]], limit: int | None) -> list[tuple[str, str]]:
    """All communes, or ``limit`` of them spread evenly over the list (so over every province)."""
    if limit is None or limit >= len(communes):
        return communes
    step = len(communes) / limit
    return [communes[int(i * step)] for i in range(limit)]


def time_argon2(rounds: int = 3) -> tuple[float, str]:
    """Seconds per Argon2id hash with the project's hasher, and one hash of PASSWORD to reuse."""
    start = time.perf_counter()
    hashed = ""
    for _ in range(rounds):
        hashed = user_store.hash_password(PASSWORD)
    return (time.perf_counter() - start) / rounds, hashed


def setup(service: DossierService, url: str, chosen: list[tuple[str, str]], hashed: str, result: Result) -> dict:
    """Migrate, import units, categories, users, setting; returns commune code → officer username."""
    start = time.perf_counter()
    upgrade(url)
    result.setup["migrate"] = time.perf_counter() - start

    start = time.perf_counter()
    with service.transaction() as s:
        report = import_csv(s, UNITS_CSV)
    result.setup[f"units ({report.created:,})"] = time.perf_counter() - start

    start = time.perf_counter()
    with service.transaction() as s:
        ids = s.execute(select(Unit.id).where(Unit.level == "commune", Unit.valid_from.isnot(None))).scalars()
        s.add_all([CommuneCategory(unit_id=i, year=YEAR, category="other") for i in ids])
    result.setup["categories"] = time.perf_counter() - start

    # every user through the real add_user (audit entry included); one Argon2id hash, measured apart, reused
    start = time.perf_counter()
    officers = {}
    with service.transaction() as s, mock.patch.object(user_store, "hash_password", lambda _password: hashed):
        for province in sorted({p for _, p in communes_of_csv()}, key=int):
            user_store.add_user(s, f"po-{province}", PASSWORD, province, ["province_officer"],
                                unit_level="province", actor="bench")
            user_store.add_user(s, f"pa-{province}", PASSWORD, province, ["province_approver"],
                                unit_level="province", actor="bench")
            result.users += 2
        for code, _ in chosen:
            officers[code] = f"co-{code}"
            user_store.add_user(s, officers[code], PASSWORD, code, ["commune_officer"], unit_level="commune",
                                actor="bench")
            result.users += 1
    result.setup[f"users ({result.users:,})"] = time.perf_counter() - start

    start = time.perf_counter()
    service.set_setting("bench", "allow_sample_documents", True)
    result.setup["setting"] = time.perf_counter() - start
    return officers


class Floor:
    """What the lifecycle is compared with: one ``engine.scoring.score`` of the example values (the mode the
    service scores with, assessment checked beforehand) and one plain INSERT of a row and its COMMIT, on the
    same engine, into a table of the benchmark's own (``bench_floor``)."""

    def __init__(self, service: DossierService, engine: sqlalchemy.Engine):
        from engine.assessment import Assessment, Commune, check_values
        from engine.workflow import round_date

        self.engine, self.mode = engine, service.settings.engine
        day = round_date(YEAR)
        self.version = service.registry.in_force(day)
        checked = check_values(self.version, example_values(), "other")
        self.assessment = Assessment(Commune("00001", "Xã Mẫu", "other"), YEAR, day, self.version.id, checked)
        self.table = sqlalchemy.Table("bench_floor", sqlalchemy.MetaData(),
                                      sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
                                      sqlalchemy.Column("at", sqlalchemy.String(40)),
                                      sqlalchemy.Column("payload", sqlalchemy.String(200)))
        self.table.create(engine, checkfirst=True)

    def __call__(self, n: int) -> float:
        """Seconds of one score plus one INSERT+COMMIT."""
        from engine.scoring import score

        start = time.perf_counter()
        score(self.version, self.assessment, self.mode)
        with self.engine.begin() as conn:
            conn.execute(self.table.insert().values(at=audit.now(), payload=f"floor {n}"))
        return time.perf_counter() - start

    def skeleton(self, n: int, counts: list[int]) -> float:
        """Seconds of what the lifecycle's shape costs with nothing else: one score, then for each step one
        transaction sending as many statements as the step did (``counts``): a locking read of one row of
        ``bench_floor`` (FOR UPDATE on PostgreSQL; SQLite's write transaction holds the lock), UPDATEs of it,
        one INSERT, and the COMMIT, through SQLAlchemy Core."""
        from engine.scoring import score

        table = self.table
        start = time.perf_counter()
        score(self.version, self.assessment, self.mode)
        for count in counts:
            with self.engine.begin() as conn:
                row = conn.execute(select(table.c.id).order_by(table.c.id).limit(1).with_for_update()).scalar_one()
                for _ in range(max(0, count - 2)):
                    conn.execute(table.update().where(table.c.id == row).values(at=audit.now()))
                conn.execute(table.insert().values(at=audit.now(), payload=f"skeleton {n}"))
        return time.perf_counter() - start


def lifecycle(service: DossierService, chosen: list[tuple[str, str]], officers: dict, result: Result,
              counted: list[int], floor: Floor) -> None:
    """The timed part: every dossier from creation to recognition, one after the other; after each, the floor
    (one score + one INSERT+COMMIT), so both are measured side by side, interleaved."""
    steps = {name: [] for name in STEPS}
    statements = {name: [] for name in STEPS}
    clock = time.perf_counter
    decision_date = audit.local_date(audit.now())  # not before the verification (today), not in the future
    values = example_values()  # read once from criteria/examples, outside the timed steps
    cpu_started = time.process_time()
    started = clock()
    log(f"{result.backend}: ", end="")
    for n, (code, province) in enumerate(chosen, start=1):
        officer, appraiser, approver = officers[code], f"po-{province}", f"pa-{province}"
        c0 = counted[0]
        t0 = clock()
        view = service.create(officer, code, YEAR)  # each step sends the version the previous one returned
        dossier_id = view.id
        t1, c1 = clock(), counted[0]
        view = service.set_values(officer, dossier_id, values, view.lock_version)
        t2, c2 = clock(), counted[0]
        view = service.transition(officer, dossier_id, "submit", expected_version=view.lock_version)
        t3, c3 = clock(), counted[0]
        view = service.appraise(appraiser, dossier_id, values, expected_version=view.lock_version)
        t4, c4 = clock(), counted[0]
        view = service.transition(appraiser, dossier_id, "verify", panel_members=PANEL,
                                  expected_version=view.lock_version)
        t5, c5 = clock(), counted[0]
        view = service.transition(approver, dossier_id, "recognize", decision_number=f"{n}/QĐ-UBND",
                                  decision_date=decision_date, signer_name=SIGNER,
                                  expected_version=view.lock_version)
        t6, c6 = clock(), counted[0]
        result.floor.append(floor(n))
        result.skeleton.append(floor.skeleton(n, [c1 - c0, c2 - c1, c3 - c2, c4 - c3, c5 - c4, c6 - c5]))
        if view.status != "recognized":
            raise RuntimeError(f"dossier {dossier_id} of commune {code} ended as {view.status}")
        for name, a, b in zip(STEPS, (t0, t1, t2, t3, t4, t5), (t1, t2, t3, t4, t5, t6), strict=True):
            steps[name].append(b - a)
        for name, a, b in zip(STEPS, (c0, c1, c2, c3, c4, c5), (c1, c2, c3, c4, c5, c6), strict=True):
            statements[name].append(b - a)
        result.per_dossier.append(t6 - t0)
        if n % PROGRESS_EVERY == 0:
            log(f"{n:,} ", end="")
    result.total = clock() - started
    result.cpu = time.process_time() - cpu_started
    result.per_step = steps
    result.step_statements = statements
    result.statements = sum(sum(v) for v in statements.values())
    log(f"done ({secs(result.total)})")


def check(service: DossierService, result: Result) -> None:
    with service.transaction() as s:
        result.dossiers = s.execute(select(func.count()).select_from(Dossier).where(Dossier.year == YEAR)
                                    ).scalar_one()
        result.recognized = s.execute(
            select(func.count()).select_from(Dossier).where(Dossier.year == YEAR, Dossier.status == "recognized")
        ).scalar_one()
        rows = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    start = time.perf_counter()
    with service.transaction() as s:
        chain = audit.verify_chain(s)
    result.verify_seconds = time.perf_counter() - start
    result.chain_ok = chain.ok and chain.entries == rows
    result.chain_message = chain.message if not chain.ok or result.chain_ok else (
        f"verify_chain read {chain.entries:,} entries but audit_entries holds {rows:,}")
    result.audit_entries = chain.entries


def run_backend(name: str, chosen: list[tuple[str, str]], hashed: str) -> Result:
    result = Result(name, len(chosen))
    started = time.perf_counter()
    with BACKENDS[name]() as (url, server):
        result.server = server
        engine = make_engine(url)
        try:
            service = DossierService(session_factory(engine), lazy_views=True)  # as the web app's
            log(f"{name}: setup (migrate, {UNITS_CSV.name}, categories, users) …")
            officers = setup(service, url, chosen, hashed, result)
            floor = Floor(service, engine)
            counted = [0]

            def count(_conn, _cursor, statement, *_args):
                if not statement.startswith("BEGIN"):  # SQLite's BEGIN (IMMEDIATE); PostgreSQL's is implicit
                    counted[0] += 1

            event.listen(engine, "before_cursor_execute", count)
            lifecycle(service, chosen, officers, result, counted, floor)
            event.remove(engine, "before_cursor_execute", count)
            log(f"{name}: checking states and the audit chain …")
            check(service, result)
            if name == "postgres":
                log(f"{name}: timing the pool's connection check …")
                result.pool_check = pool_check(url)
        finally:
            engine.dispose()
    result.wall = time.perf_counter() - started
    return result


def pool_check(url: str, rounds: int = 6, block: int = 400) -> dict[str, float]:
    """Seconds of one bare transaction (BEGIN; SELECT 2; COMMIT) through a pooled connection, the median of
    ``rounds`` blocks of ``block`` in a row, the engines taking turns: ``pool_pre_ping`` (SELECT 1 on every
    checkout), ``dossiers.db.check_out`` (the app's engine) and no check at all."""
    engines = {"pool_pre_ping": sqlalchemy.create_engine(url, pool_pre_ping=True), "check_out": make_engine(url),
               "no check": sqlalchemy.create_engine(url)}
    medians: dict[str, list[float]] = {name: [] for name in engines}
    try:
        for _ in range(rounds):
            for name, engine in engines.items():
                times = []
                for _ in range(block):
                    start = time.perf_counter()
                    with engine.begin() as conn:
                        conn.execute(text("SELECT 2"))
                    times.append(time.perf_counter() - start)
                medians[name].append(statistics.median(times[block // 8:]))
    finally:
        for engine in engines.values():
            engine.dispose()
    return {name: statistics.median(values) for name, values in medians.items()}


# ---------------------------------------------------------------------------------------------- the report


def report(result: Result) -> None:
    r = result
    out(f"[{r.backend}] {r.server}")
    out("  setup (not timed below): " + ", ".join(f"{k} {secs(v)}" for k, v in r.setup.items()))
    out(f"  lifecycle: {r.n:,} dossiers in {secs(r.total)} — {r.rate:.1f} dossiers/s; "
        f"per dossier median {ms(r.median)}, p95 {ms(r.p95)}")
    out(f"  lifecycle CPU of this process: {ms(r.cpu / r.n)} a dossier ({r.cpu / r.total:.0%} of the wall time); "
        f"{r.statements / r.n:.0f} SQL statements a dossier")
    out("  per step (median / p95): " + ", ".join(
        f"{name} {statistics.median(v) * 1000:.1f}/{p95(v) * 1000:.1f}" for name, v in r.per_step.items()) + " ms")
    out("  SQL statements per step (most in one dossier): " + ", ".join(
        f"{name} {max(v)}" for name, v in r.step_statements.items())
        + f"; a whole dossier at most {r.worst_statements} (target <= {STATEMENT_TARGET}: "
        + f"{'PASS' if r.worst_statements <= STATEMENT_TARGET else 'FAIL'})")
    out(f"  lifecycle / (one score + one INSERT+COMMIT), medians, interleaved: {ms(r.median)} / "
        f"{ms(statistics.median(r.floor))} = {r.ratio:.1f}× (floor 1×, target <= {RATIO_TARGET:g}×: "
        f"{'PASS' if r.ratio <= RATIO_TARGET else 'FAIL'})")
    if r.skeleton:
        bare = statistics.median(r.skeleton)
        out(f"  its shape alone (one score; per step one transaction with as many statements as it sent: a locking "
            f"read, UPDATEs, an INSERT of one row, through SQLAlchemy Core): {ms(bare)} = "
            f"{bare / statistics.median(r.floor):.1f}× the floor; the lifecycle is {r.median / bare:.1f}× its shape")
    if r.pool_check:
        out("  a bare transaction (BEGIN; SELECT 2; COMMIT) by the pool's check of the connection it takes, medians of "
            "6 blocks of 400: " + ", ".join(f"{name} {seconds * 1e6:.0f} µs" for name, seconds in r.pool_check.items()))
    out(f"  check: {r.recognized:,} of {r.n:,} dossiers recognized ({r.dossiers:,} in round {YEAR}) "
        f"{'OK' if r.recognized == r.n == r.dossiers else 'FAIL'}")
    chain = f"audit chain intact: {r.audit_entries:,} entries" if r.chain_ok else r.chain_message
    out(f"  check: {chain} (verify_chain {secs(r.verify_seconds)}) {'OK' if r.chain_ok else 'FAIL'}")
    expected = r.users + 1 + ENTRIES_PER_DOSSIER * r.n
    out(f"  check: audit entries = {r.users:,} users + 1 setting + {ENTRIES_PER_DOSSIER} × {r.n:,} dossiers = "
        f"{expected:,} "
        f"{'OK' if r.audit_entries == expected else 'FAIL'}")
    out(f"  whole backend (server, setup, lifecycle, checks): {secs(r.wall)}")


def ratio(pg: Result, base: Result) -> None:
    out(f"PostgreSQL / SQLite (baseline SQLite, same run): total {pg.total / base.total:.2f}×, "
        f"median {pg.median / base.median:.2f}×, p95 {pg.p95 / base.p95:.2f}×, "
        f"throughput {pg.rate:.1f} vs {base.rate:.1f} dossiers/s")
    steps = ", ".join(f"{name} {statistics.median(pg.per_step[name]) / statistics.median(base.per_step[name]):.2f}×"
                      for name in STEPS)
    out(f"  per step (median): {steps}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="only N communes, spread over the list (default: all 3,321)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")

    # SIGTERM and SIGHUP unwind like Ctrl-C, so the PostgreSQL server is stopped on the way out
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))

    chosen = pick(communes_of_csv(), args.limit)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    seconds, hashed = time_argon2()
    out(f"Dossier benchmark — {len(chosen):,} dossiers (one per commune of today's Vietnam), round {YEAR}, "
        f"procedure-2025, criteria in force on {YEAR}-11-01")
    out(f"machine: Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; SQLAlchemy {sqlalchemy.__version__}")
    n_users = len(chosen) + 2 * len({p for _, p in communes_of_csv()})
    out(f"argon2id: {ms(seconds)} a hash → {n_users:,} users would take {n_users * seconds / 60:.1f} min per "
        "backend; setup hashes once and reuses it")
    out()

    results = {}
    for name in backends:
        try:
            results[name] = run_backend(name, chosen, hashed)
        except CannotStart as exc:
            out(f"[{name}] cannot start: {exc}")
            return 2
        report(results[name])
        out()
    if "sqlite" in results and "postgres" in results:
        ratio(results["postgres"], results["sqlite"])
    return 0 if all(r.ok for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
