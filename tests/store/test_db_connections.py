"""Pooled PostgreSQL connections (``dossiers.db.check_out``): one the server closed (a restart, an idle
timeout, ``pg_terminate_backend``) is replaced as it leaves the pool, so the next request works; a healthy
one leaves the pool without a round trip. On the real server tests/postgres.py starts."""

from __future__ import annotations

import time

import pytest
from conftest import _fresh_postgres
from sqlalchemy import create_engine, text
from sqlalchemy.exc import InvalidatePoolError

from dossiers.db import PING_AFTER, check_out, make_engine, quiet


@pytest.fixture
def pg_url(postgres_server):
    url, drop = _fresh_postgres(postgres_server)
    yield url
    drop()


def backend_pid(engine) -> int:
    with engine.begin() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(url: str, pid: int) -> None:
    """Close one server process from another connection, as a restart or an idle timeout closes them all."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


def wait_until_closed(engine, timeout: float = 5.0) -> None:
    """Until the pooled connection's socket shows the server's hang-up."""
    record = engine.pool._pool.queue[0]  # the one idle connection
    deadline = time.monotonic() + timeout
    while quiet(record.dbapi_connection) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_connection_the_server_closed_is_replaced_as_it_leaves_the_pool(pg_url):
    engine = make_engine(pg_url)
    try:
        first = backend_pid(engine)
        assert backend_pid(engine) == first  # the pooled connection is reused while it is healthy
        terminate(pg_url, first)
        wait_until_closed(engine)
        assert not quiet(engine.pool._pool.queue[0].dbapi_connection)
        second = backend_pid(engine)  # no error: a new connection took its place
        assert second != first
        assert backend_pid(engine) == second
    finally:
        engine.dispose()


class Watched:
    """A real driver connection whose cursors are counted (a statement needs one)."""

    def __init__(self, conn):
        self.conn, self.cursors = conn, 0

    @property
    def closed(self):
        return self.conn.closed

    def fileno(self) -> int:
        return self.conn.fileno()

    def cursor(self):
        self.cursors += 1
        return self.conn.cursor()

    def rollback(self) -> None:
        self.conn.rollback()


def test_a_healthy_connection_leaves_the_pool_without_a_round_trip(pg_url):
    engine = make_engine(pg_url)
    try:
        pid = backend_pid(engine)
        record = engine.pool._pool.queue[0]
        pooled = Watched(record.dbapi_connection)
        check_out(pooled, record, None)
        assert pooled.cursors == 0  # back in the pool a moment ago, nothing on its socket: nothing sent
        terminate(pg_url, pid)
        wait_until_closed(engine)
        with pytest.raises(InvalidatePoolError, match="closed this pooled connection"):
            check_out(pooled, record, None)
        assert pooled.cursors == 1  # the SELECT 1 that found it closed
    finally:
        engine.dispose()


def test_a_connection_idle_for_a_while_must_answer_before_it_is_used(pg_url):
    """A firewall or load balancer that forgot an idle flow answers only what is sent: after PING_AFTER
    seconds in the pool a connection is pinged, as pool_pre_ping did, and used when it answers."""
    engine = make_engine(pg_url)
    try:
        pid = backend_pid(engine)
        record = engine.pool._pool.queue[0]
        record.info["cfc_idle_since"] -= PING_AFTER + 1  # as if it had sat there that long
        pooled = Watched(record.dbapi_connection)
        check_out(pooled, record, None)
        assert pooled.cursors == 1
        assert record.dbapi_connection.info.transaction_status == 0  # left idle, not inside a transaction
        assert backend_pid(engine) == pid  # and used
    finally:
        engine.dispose()
