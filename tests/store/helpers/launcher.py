"""A warm process that forks the test's worker processes: racers (concurrency) and churners (crash test).

Importing the engine and loading the criteria takes seconds; the launcher does it once, then forks a fresh
process per worker. Each worker opens its own database connections after the fork and ends with
``os._exit``; the launcher itself never connects to a database. Commands on stdin, one JSON object a line:

  {"cmd": "fork", "job": "race"|"churn", "spec": {...}}  → prints {"pid": N}
  {"cmd": "wait", "pid": N}                             → waits for it, prints {"pid": N, "status": S}
                                                          (S = exit code, or -signal number when killed)
End of input ends the launcher. Workers report through files, never through the launcher's stdout.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from pathlib import Path

from sqlalchemy.orm import configure_mappers

from dossiers.db import make_engine, session_factory
from dossiers.service import DossierService
from engine.errors import CfcError
from engine.loader import Registry
from engine.workflow import load_procedures

REGISTRY = Registry.load()
PROCEDURES = load_procedures()
configure_mappers()


def service_for(url: str):
    engine = make_engine(url)
    return engine, DossierService(session_factory(engine), REGISTRY, PROCEDURES)


# ------------------------------------------------------------------------------------------------ racer
def race(spec: dict) -> None:
    """Load the dossier, meet the others at the file barrier, then write with the version loaded."""
    sync = Path(spec["sync"])
    name = spec["name"]
    engine, service = service_for(spec["url"])
    try:
        loaded = service.get(spec["user"], spec["dossier"]).lock_version
        (sync / f"{name}.ready").write_text(str(loaded))
        deadline = time.monotonic() + 60
        while not (sync / "go").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("no go at the barrier within 60 s")
            time.sleep(0.002)
        (sync / f"{name}.going").write_text("")
        try:
            if spec["op"] == "set":
                view = service.set_values(spec["user"], spec["dossier"], spec["values"], expected_version=loaded)
            elif spec["op"] == "appraise":
                view = service.appraise(spec["user"], spec["dossier"], spec["values"], expected_version=loaded)
            else:
                view = service.transition(spec["user"], spec["dossier"], spec["event"], reason=spec.get("reason"),
                                          expected_version=loaded, panel_members=spec.get("panel"))
            result = {"loaded": loaded, "ok": True, "version": view.lock_version, "status": view.status}
        except CfcError as exc:
            result = {"loaded": loaded, "ok": False, "error": type(exc).__name__, "message": str(exc)}
        (sync / f"{name}.result.part").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        (sync / f"{name}.result.part").replace(sync / f"{name}.result")
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------- churner
def churn(spec: dict) -> None:
    """Edit and move the given dossiers through the workflow, at random, until killed (or bounded out).

    Cycle: draft → (set values | submit) → submitted → (appraise | verify | return) → verified → return → draft.
    Every call passes the version it just read. Touches ``ready`` once connected, then works silently.
    """
    rng = random.Random(spec["seed"])
    ids = spec["dossiers"]
    engine, service = service_for(spec["url"])
    deadline = time.monotonic() + spec.get("seconds", 30)
    try:
        service.get("po", ids[0])
        Path(spec["ready"]).write_text("")
        for _ in range(spec.get("max_ops", 100_000)):
            if time.monotonic() > deadline:
                break
            d = rng.choice(ids)
            view = service.get("po", d)
            v = view.lock_version
            try:
                if view.status == "draft":
                    if rng.random() < 0.6:
                        n = rng.randint(30, 90)
                        service.set_values("c1", d, {
                            "TC07.children_under_1": n, "TC07.fully_immunised": n - rng.randint(0, 1),
                            "TC13.satisfaction": rng.choice(["82", "85,5", "91.25", "97"]),
                            "TC12.summer_activities": rng.choice([True, False]),
                            "TC05.injured": rng.randint(0, 9),
                        }, expected_version=v)
                    else:
                        service.transition("c1", d, "submit", expected_version=v)
                elif view.status == "submitted":
                    r = rng.random()
                    if r < 0.4:
                        n = rng.randint(30, 90)
                        service.appraise("d1", d, {
                            "TC07.children_under_1": n, "TC07.fully_immunised": n - 1,
                            "TC05.injured": rng.randint(0, 9),
                        }, expected_version=v)
                    elif r < 0.7:
                        service.transition("chair1", d, "verify", expected_version=v,
                                           panel_members=["Chủ tịch hội đồng", f"Thành viên {rng.randint(1, 9)}"])
                    else:
                        service.transition("d1", d, "return", reason=f"Bổ sung số liệu ({rng.randint(1, 99)})",
                                           expected_version=v)
                elif view.status == "verified":
                    service.transition("po", d, "return", reason="Kiểm tra lại", expected_version=v)
            except CfcError:
                pass  # a refused step (e.g. verify before appraisal) changes nothing; go on
    finally:
        engine.dispose()


JOBS = {"race": race, "churn": churn}


def main() -> None:
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        if command["cmd"] == "fork":
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    JOBS[command["job"]](command["spec"])
                except BaseException:
                    traceback.print_exc()
                    code = 1
                finally:
                    sys.stderr.flush()
                    os._exit(code)
            print(json.dumps({"pid": pid}), flush=True)
        elif command["cmd"] == "wait":
            _, status = os.waitpid(command["pid"], 0)
            print(json.dumps({"pid": command["pid"], "status": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    main()
