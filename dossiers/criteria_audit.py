"""Criteria edits made on the command line go into the audit trail, when the deployment has a database; the
criteria folder's lock and the undo of a change whose audit entry could not be written, shared with the web's
edits (``criteria_admin``)."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from engine.errors import CfcError
from engine.messages import N_

from . import audit
from .config import Settings
from .db import make_engine, session_factory

LOG = logging.getLogger(__name__)


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the criteria folder (held by one edit at a time, across worker processes and the
    command line)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def put_back(path: Path, content: bytes) -> None:
    """The file as it was before an edit whose audit entry could not be committed."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
    LOG.warning("%s: thay đổi chưa được ghi vào nhật ký nên đã được hoàn lại", path)


def edit_recorded(settings: Settings, path: Path, change: Callable[[Path], str], actor: str, action: str,
                  target: str, audited: str | None = None) -> tuple[str, bool]:
    """Apply ``change`` to the criteria file ``path`` under the folder's lock and append its audit entry
    (``after``: ``audited``, else the change's summary); when the entry cannot be written the file is put back
    and the error raised. Returns (the summary, whether it was recorded: False without a database)."""
    with folder_lock(path.parent):
        before = path.read_bytes()
        summary = change(path)
        try:
            recorded = record_criteria_change(settings, actor, action, target, audited or summary)
        except BaseException as exc:
            if path.read_bytes() != before:
                put_back(path, before)
            if isinstance(exc, SQLAlchemyError):
                raise CfcError(N_("không ghi được nhật ký thay đổi vào cơ sở dữ liệu nên tệp bộ tiêu chí được giữ "
                                  "nguyên: %(error)s", error=str(getattr(exc, "orig", None) or exc).strip())) from exc
            raise
    return summary, recorded


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
