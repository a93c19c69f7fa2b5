"""The rules administrator's edits of the criteria on the web: correct a value, verify it, publish the version.

Each edit is the command line's (``cfc criteria set|verify|publish``): the same ``engine.edit`` function (the
same checks: the whole version validated before anything is written, official versions never edited in place,
publication refused while a value is unverified), recorded in the file's ``history`` and in the audit trail
under the same action names (``criteria.set``, ``criteria.verify``, ``criteria.publish``). In addition:

* who may do it is the dated procedure's ``edit_criteria`` / ``publish_criteria`` step, in force today
  (``dossiers.authority``);
* the form carries the content version of the file the administrator saw (``file_version``): when someone else
  changed the file since, the edit is refused (``ConflictError``), not applied over their change. The check and
  the write hold a lock on the criteria folder, so two edits never interleave.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from engine.edit import publish, set_value, verify
from engine.errors import ConflictError, CriteriaError
from engine.loader import Registry, read_yaml
from engine.messages import N_, Message

from . import audit, authority
from .audit import local_date, now
from .criteria_audit import folder_lock, put_back
from .lookup import load_user

if TYPE_CHECKING:
    from .service import DossierService


def file_version(path: Path) -> str:
    """The content version of a criteria file (16 hex digits of its SHA-256): what an edit form carries."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def reload(svc: DossierService) -> Registry:
    """Read the deployment's criteria folder again (an edit may have just changed it) and give it to the
    service, so scores use what the files now say."""
    svc.registry = svc.settings.registry()
    return svc.registry


def folder_stamp(svc: DossierService) -> tuple:
    """What the criteria folder holds now, cheaply (name, size, modification time of each file): a change by
    another process (`cfc criteria set`, another web worker) changes it."""
    from engine.loader import default_directory

    folder = Path(svc.settings.criteria_dir or default_directory())
    try:
        return tuple(sorted((p.name, st.st_size, st.st_mtime_ns) for p in folder.glob("*.yaml")
                            for st in [p.stat()]))
    except OSError:  # a file removed while listing: the next request looks again
        return ()


def refresh(svc: DossierService) -> None:
    """Reload the criteria when their folder changed since this process last read it, so that every worker scores
    with what the files say (each keeps its own registry)."""
    stamp = folder_stamp(svc)
    if stamp != getattr(svc, "criteria_stamp", None):
        if getattr(svc, "criteria_stamp", None) is not None:
            try:
                svc.registry = svc.settings.registry()
            except CriteriaError as exc:  # a file being written, or broken: keep scoring with what was valid
                logging.getLogger(__name__).warning("criteria not reloaded: %s", exc)
                return
        svc.criteria_stamp = stamp


def may(svc: DossierService, username: str, step: str) -> bool:
    """Whether the procedure in force today gives ``username`` the criteria ``step``."""
    with svc.transaction(readonly=True) as s:
        return authority.allows(svc.procedures, load_user(s, username), step, on=local_date(now()))


def correct(svc: DossierService, username: str, version_id: str, locator: str, value: str, *, seen: str,
            source: str | None = None, verified: bool | None = None) -> str:
    """``cfc criteria set``: one number changed (and optionally its source and verified flag)."""
    return _edit(svc, username, "edit_criteria", "criteria.set", version_id, seen,
                 lambda path, by, today: set_value(path, locator, value, by=by, source=source, verified=verified,
                                                   today=today))


def confirm(svc: DossierService, username: str, version_id: str, locator: str, *, seen: str, source: str) -> str:
    """``cfc criteria verify``: the value marked verified against the official text named in ``source``."""
    return _edit(svc, username, "edit_criteria", "criteria.verify", version_id, seen,
                 lambda path, by, today: verify(path, locator, by=by, source=source, today=today))


def publish_version(svc: DossierService, username: str, version_id: str, *, seen: str) -> str:
    """``cfc criteria publish``: the version made official, refused while a value is unverified."""
    return _edit(svc, username, "publish_criteria", "criteria.publish", version_id, seen,
                 lambda path, by, today: publish(path, by=by, today=today), audited="official")


def _edit(svc: DossierService, username: str, step: str, action: str, version_id: str, seen: str,
          change: Callable, audited: str | None = None) -> str:
    """Check, change the file and append the audit entry. The folder is locked before the write transaction
    begins (as the command line's edits lock it) and until the entry is committed; the file is put back as it
    was when the transaction fails, so the file and the trail never disagree."""
    today = local_date(now())
    with svc.transaction(readonly=True) as s:  # who may, before anything is looked up or locked
        authority.check(svc.procedures, load_user(s, username), step, on=today)
    path = svc.registry.files.get(version_id) or reload(svc).files.get(version_id)
    if path is None:
        reload(svc).get(version_id)  # UnknownVersion naming the known ones
    with folder_lock(path.parent):
        if file_version(path) != seen:
            raise ConflictError(_stale(path, version_id))
        before = path.read_bytes()
        try:
            with svc.transaction() as s:
                authority.check(svc.procedures, load_user(s, username), step, on=today)  # still, as it writes
                summary = change(path, by=username, today=today)
                audit.append(s, actor=username, action=action, target=version_id, after=audited or summary)
        except BaseException:
            if path.read_bytes() != before:
                put_back(path, before)
            raise
    reload(svc)
    return summary


def _stale(path: Path, version_id: str) -> Message:
    history = (read_yaml(path) or {}).get("history") or []
    last = history[-1] if history else None
    who = f" ({last['by']}, {last['on']}: {last['change']})" if last else ""
    return N_("Bộ tiêu chí %(id)s đã được thay đổi sau khi bạn mở trang%(who)s; thay đổi của bạn chưa được ghi. Hãy "
              "xem lại giá trị hiện tại rồi thực hiện lại.", id=version_id, who=who)
