"""Database connection: SQLite (WAL, foreign keys) or PostgreSQL, from ``Settings.database_url``.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so that two writers queue instead of failing halfway;
read-only sessions (``readonly_factory``) start with a plain ``BEGIN`` and never wait for writers.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
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
    return create_engine(url, pool_pre_ping=True, json_deserializer=read_json)


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
