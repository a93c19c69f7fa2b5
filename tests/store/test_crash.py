"""kill -9 in the middle of changes: every dossier is wholly before or after, and the audit chain is intact.

A churner process (forked by helpers/launcher.py) edits, appraises, submits, verifies and returns several
dossiers at random as fast as it can; the test kills it with SIGKILL at a random moment, several rounds, then
checks every dossier against its audit trail: its version is the version of its last audit entry, its status
is the "after" status of its last transition, its values and panel are those its last entries recorded, and
``verify_chain`` is OK. Run on SQLite and PostgreSQL. No hook in the production code: the kill is real.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest
from helpers.storekit import C1, Launcher, build_light, walk
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from dossiers import audit
from dossiers.models import AuditEntry, Dossier

ROUNDS = 6
BUDGET_SECONDS = 30  # per database: rounds stop early when this is spent (at least 3 rounds always run)


@pytest.fixture(scope="module")
def launcher(tmp_path_factory):
    started = Launcher(tmp_path_factory.mktemp("launcher"))
    yield started
    started.close()


@pytest.fixture(scope="module")
def light(db_url):
    engine, service = build_light(db_url, users=("c1", "d1", "chair1", "po"))
    ids = []
    for year, status in zip(range(2019, 2024), ("filled", "filled", "submitted", "appraised", "verified"),
                            strict=True):
        view = service.create("c1", C1, year)
        walk(service, view.id, status)
        ids.append(view.id)
    yield service, ids
    engine.dispose()


def snapshot_sessions(service):
    """Sessions that see one snapshot of the database for their whole transaction.

    On PostgreSQL a killed client's last COMMIT may still land while the check runs; under the default READ
    COMMITTED each query would see its own moment, so the check reads at REPEATABLE READ.
    """
    engine = service.sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    return sessionmaker(bind=engine)


def check_consistent(service, ids: list[int]) -> dict:
    """Every dossier agrees with its own audit trail; the whole chain verifies. Returns status counts."""
    statuses: dict[str, int] = {}
    with snapshot_sessions(service).begin() as s:
        report = audit.verify_chain(s)
        assert report.ok, report.message
        for dossier_id in ids:
            d = s.get(Dossier, dossier_id)
            entries = audit.history(s, dossier_id)
            versions = [e.dossier_version for e in entries]
            assert versions == sorted(set(versions)), f"dossier {dossier_id}: versions out of order {versions}"
            assert d.lock_version == entries[-1].dossier_version, (
                f"dossier {dossier_id} is at version {d.lock_version} but its last audit entry "
                f"(#{entries[-1].seq} {entries[-1].action}) recorded version {entries[-1].dossier_version}")
            moves = [e for e in entries if e.action.startswith("transition.")]
            expected = json.loads(moves[-1].after)["status"] if moves else "draft"
            assert d.status == expected, f"dossier {dossier_id}: status {d.status}, audit says {expected}"
            verifies = [e for e in moves if e.action == "transition.verify"]
            returns = [i for i, e in enumerate(moves) if e.action == "transition.return"]
            if verifies and returns and returns[-1] > moves.index(verifies[-1]):  # a return cleared the appraisal
                assert d.panel_members is None and d.verified_score is None
            elif verifies:
                after = json.loads(verifies[-1].after)
                assert d.panel_members == after["panel_members"]
                assert d.verified_score["total"] == after["verified_total"]
            for column, action in (("self_value", "values.set"), ("appraised_value", "values.appraise")):
                recorded: dict = {}
                for e in entries:
                    if column == "appraised_value" and e.action == "transition.return":
                        recorded = {c: None for c in recorded}  # a return clears the appraisal
                    if e.action == action:
                        recorded.update({c: v for c, v in json.loads(e.after).items() if "#" not in c})
                stored = {v.code: getattr(v, column) for v in d.values}
                wrong = {c: (stored[c], v) for c, v in recorded.items() if stored[c] != v}
                assert not wrong, f"dossier {dossier_id}: {column} differs from its audit trail: {wrong}"
            statuses[d.status] = statuses.get(d.status, 0) + 1
    return statuses


def entry_count(service) -> int:
    with service.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_kill_9_during_changes_leaves_dossiers_whole_and_the_chain_intact(light, launcher, db_url, tmp_path):
    service, ids = light
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    check_consistent(service, ids)
    start_entries = entry_count(service)
    end = time.monotonic() + BUDGET_SECONDS
    rounds = 0
    for rounds in range(1, ROUNDS + 1):  # noqa: B007
        ready = tmp_path / f"ready-{rounds}"
        pid = launcher.fork("churn", {"url": db_url, "dossiers": ids, "seed": rng.randrange(10**9),
                                      "ready": str(ready), "seconds": 30})
        try:
            limit = time.monotonic() + 30
            while not ready.exists():
                assert time.monotonic() < limit, f"the churner did not start:\n{launcher.errors()}"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.05, 0.6))
        finally:
            os.kill(pid, signal.SIGKILL)
            status = launcher.wait(pid)
        assert status == -signal.SIGKILL, f"the churner ended by itself ({status}):\n{launcher.errors()}"
        check_consistent(service, ids)
        if rounds >= 3 and time.monotonic() > end:
            break
    done = entry_count(service) - start_entries
    assert done >= rounds, f"the churner made only {done} changes in {rounds} rounds (seed {seed})"

    # nothing was left locked or half-done: the service still moves every dossier
    for dossier_id in ids:
        view = service.get("po", dossier_id)
        if view.status == "verified":
            service.transition("po", dossier_id, "return", reason="sau sự cố", expected_version=view.lock_version)
        elif view.status == "submitted":
            service.transition("d1", dossier_id, "return", reason="sau sự cố", expected_version=view.lock_version)
        else:
            service.set_values("c1", dossier_id, {"TC05.injured": 2}, expected_version=view.lock_version)
    check_consistent(service, ids)
