"""The ``cfc`` store commands as separate processes, configured only by CFC_INSTANCE_DIR and DATABASE_URL.

A whole round against a fresh instance folder: ``db upgrade``, ``demo load``, ``dossier list --as province``,
``dossier show/set/submit`` as commune1 (with a stale ``--expect`` refused), ``audit verify``. Once with the
SQLite file the instance folder holds, once with DATABASE_URL naming a fresh PostgreSQL database (written
``postgresql://…``, as hosting platforms give it).
"""

from __future__ import annotations

import contextlib
import json
import re

import pytest
from helpers.storekit import example_values, fresh_database, run_cfc, text_values
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from dossiers.db import make_engine
from dossiers.models import AuditEntry, Dossier, Unit, User

DEMO_DOSSIERS = 16


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_round_through_the_cli_against_a_fresh_instance(backend, request, tmp_path):
    instance = tmp_path / "instance"
    work = tmp_path / "work"
    work.mkdir()
    env = {"CFC_INSTANCE_DIR": str(instance)}
    with contextlib.ExitStack() as stack:
        if backend == "postgres":
            server = request.getfixturevalue("postgres_server")
            url = stack.enter_context(fresh_database(server, tmp_path, migrate=False))
            env["DATABASE_URL"] = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            assert env["DATABASE_URL"].startswith("postgresql://")
        else:
            url = f"sqlite:///{instance / 'cfc.sqlite3'}"

        def cfc(*args, code: int = 0):
            out = run_cfc([str(a) for a in args], env, cwd=work)
            assert out.returncode == code, f"cfc {' '.join(map(str, args))}: rc={out.returncode}\n{out.stdout}\n{out.stderr}"
            return out

        assert "phiên bản mới nhất" in cfc("db", "upgrade").stdout
        assert f"{DEMO_DOSSIERS} hồ sơ" in cfc("demo", "load").stdout

        lines = cfc("dossier", "list", "--as", "province").stdout.splitlines()
        assert len(lines) == DEMO_DOSSIERS
        mine = [line.split() for line in lines if " 23335 " in line]
        assert len(mine) == 1 and mine[0][2] == "draft", mine
        dossier_id = int(mine[0][0])

        shown = json.loads(cfc("dossier", "show", dossier_id, "--as", "commune1", "--json").stdout)
        version = shown["lock_version"]
        assert shown["status"] == "draft" and shown["commune_code"] == "23335"

        pairs = [f"{code}={value}" for code, value in text_values(example_values()).items()]
        saved = cfc("dossier", "set", dossier_id, *pairs, "--expect", version, "--as", "commune1").stdout
        assert f"phiên bản {version + 1}" in saved
        stale = cfc("dossier", "set", dossier_id, "TC05.injured=5", "--expect", version, "--as", "commune1", code=1)
        assert re.search(r"\bcommune1\b", stale.stderr) and "Nhập số liệu" in stale.stderr, stale.stderr

        submitted = cfc("dossier", "submit", dossier_id, "--as", "commune1").stdout
        assert "(submitted)" in submitted and f"phiên bản {version + 2}" in submitted

        assert "nhật ký kiểm toán nguyên vẹn" in cfc("audit", "verify").stdout

        # everything went where the environment said, and nowhere else
        assert not (work / "instance").exists(), "the default ./instance must not be used"
        assert (instance / "cfc.sqlite3").exists() == (backend == "sqlite")
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(select(Dossier.status).where(Dossier.id == dossier_id)).scalar_one() == "submitted"
                assert conn.execute(select(func.count()).select_from(Dossier)).scalar_one() == DEMO_DOSSIERS
                assert conn.execute(select(func.count()).select_from(Unit)).scalar_one() == 113
                assert conn.execute(select(User.password_hash).where(User.username == "commune1")
                                    ).scalar_one().startswith("$argon2id$")
                actions = conn.execute(select(AuditEntry.action, AuditEntry.actor)
                                       .where(AuditEntry.dossier_id == dossier_id).order_by(AuditEntry.seq)).all()
                assert [tuple(a) for a in actions] == [("dossier.create", "commune1"), ("values.set", "commune1"),
                                                       ("transition.submit", "commune1")]
        finally:
            engine.dispose()
