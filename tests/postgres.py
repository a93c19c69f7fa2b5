"""The PostgreSQL server the tests run against: ``CFC_TEST_POSTGRES_URL`` when set, else a throw-away server that
scripts/pg.sh starts (as root in CI, with no network) and stops afterwards. One place for tests/store's fixtures
and the web tests that need PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_SH = Path(__file__).resolve().parents[1] / "scripts" / "pg.sh"


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    """The URL of a running server's administrative database, for as long as the block runs."""
    url = os.environ.get("CFC_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    # directly under /tmp: the `postgres` user must be able to reach it (pytest's tmp folders are private)
    folder = Path(tempfile.gettempdir()) / f"cfc-pg-{uuid.uuid4().hex[:8]}"
    out = subprocess.run([str(PG_SH), "start", str(folder)], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.fail(f"could not start PostgreSQL with scripts/pg.sh:\n{out.stderr}")
    try:
        yield out.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(PG_SH), "stop", str(folder)], check=False, capture_output=True)
