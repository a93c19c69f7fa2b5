"""Database connection: SQLite (WAL, foreign keys) or PostgreSQL, from ``Settings.database_url``.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so that two writers queue instead of failing halfway;
read-only sessions (``readonly_factory``) start with a plain ``BEGIN`` and never wait for writers. A PostgreSQL
connection leaving the pool is checked without a round trip (``check_out``).
"""

from __future__ import annotations

import json
import select
import time
from pathlib import Path

import orjson
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``Settings.database_url``); a SQLite file's folder is created when missing."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               json_deserializer=read_json)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            readonly = conn.get_execution_options().get("cfc_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    # TCP keepalives: a peer or a middlebox that drops the flow silently shows as an error on the socket
    engine = create_engine(url, json_deserializer=read_json, connect_args=KEEPALIVES)
    event.listen(engine, "connect", checked_in)  # a new connection leaves the pool without a ping
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", check_out)
    return engine


KEEPALIVES = {"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10, "keepalives_count": 3}
PING_AFTER = 5.0  # seconds a connection may sit in the pool and still leave it without SELECT 1


def checked_in(_dbapi_conn, record) -> None:
    record.info["cfc_idle_since"] = time.monotonic()


def check_out(dbapi_conn, record, _proxy) -> None:
    """A pooled PostgreSQL connection as it leaves the pool. It must answer ``SELECT 1`` when it sat there
    longer than ``PING_AFTER`` (a firewall or load balancer that forgot an idle flow answers only what is sent:
    the ping finds it, as ``pool_pre_ping`` did) or when something arrived on its socket (the server closing it:
    a restart, an idle timeout, ``pg_terminate_backend``); else it leaves as it is, without a round trip (a busy
    server's connections come back within milliseconds; ``pool_pre_ping``'s SELECT on every checkout cost
    348 µs a bare transaction against 277: benchmarks/README.md). One that does not answer makes the pool drop every connection it holds
    and open a new one (``InvalidatePoolError``: after a restart they are all closed), as ``pool_pre_ping``
    did."""
    idle_since = record.info.get("cfc_idle_since") if record is not None else None
    if idle_since is not None and time.monotonic() - idle_since <= PING_AFTER and quiet(dbapi_conn):
        return
    try:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_conn.rollback()
    except Exception as exc:  # whatever the driver raises, this connection cannot be used
        raise InvalidatePoolError(f"the database closed this pooled connection ({exc})") from exc


def quiet(dbapi_conn) -> bool:
    """Whether an idle connection is open and nothing waits on its socket (no data, no hang-up), without
    reading from it; False when that cannot be known (no ``select.poll`` on this system)."""
    if getattr(dbapi_conn, "closed", True) or not hasattr(select, "poll"):
        return False
    try:
        fd = dbapi_conn.fileno()
    except Exception:  # a closed or broken connection has no socket
        return False
    poller = select.poll()  # not select.select: a socket numbered above 1023 is fine
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


def read_json(text: str | bytes):
    """A JSON column's text as Python data, read by orjson (a stored score of ~25 KB: 37 µs instead of json's
    94 µs; every load of a scored dossier reads one or two). What orjson refuses and json reads (NaN, Infinity,
    lone surrogates) is read by json, so those read as before; writing stays json's (the same bytes). One
    difference is left: orjson reads an integer beyond 64 bits as a float. None is ever stored: values stop at
    10,000,000 (``engine.assessment.MAX_COUNT``), and scores, roles, panels and settings hold no larger number."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def readonly_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read: on SQLite they start with a plain BEGIN, so readers never queue behind
    writers (WAL gives them a consistent snapshot)."""
    return sessionmaker(bind=engine.execution_options(cfc_readonly=True), expire_on_commit=False)
