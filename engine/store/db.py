"""Database connection: SQLite in the instance folder by default (WAL, foreign keys), PostgreSQL by DATABASE_URL.

``CFC_INSTANCE_DIR`` (default ``./instance``) holds the SQLite file, evidence files and generated documents.
SQLite write transactions start with ``BEGIN IMMEDIATE`` so that two writers queue instead of failing halfway;
read-only sessions (``readonly_factory``) start with a plain ``BEGIN`` and never wait for writers.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def instance_dir() -> Path:
    path = Path(os.environ.get("CFC_INSTANCE_DIR") or "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{instance_dir() / 'cfc.sqlite3'}"


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

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
    return create_engine(url, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def readonly_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read: on SQLite they start with a plain BEGIN, so readers never queue behind
    writers (WAL gives them a consistent snapshot)."""
    return sessionmaker(bind=engine.execution_options(cfc_readonly=True), expire_on_commit=False)
