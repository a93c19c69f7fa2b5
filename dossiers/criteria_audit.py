"""Criteria edits made on the command line go into the audit trail, when the deployment has a database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from . import audit
from .config import Settings
from .db import make_engine, session_factory


def record_criteria_change(settings: Settings, actor: str, action: str, target: str, after: str) -> bool:
    """Append the change; False when there is no database (yet) to record it in."""
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return False
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("audit_entries"):
            return False
        session = session_factory(engine)()
        try:
            with session.begin():
                audit.append(session, actor=actor, action=action, target=target, after=after)
        finally:
            session.close()
        return True
    finally:
        engine.dispose()
