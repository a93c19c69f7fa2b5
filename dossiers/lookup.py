"""Loading what every operation starts from, below the service and issuance alike: the acting user, a dossier
within the user's jurisdiction, a stored score as the typed model."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import AccessDenied, NotFound
from engine.messages import N_
from engine.result import ScoreResult

from .models import Dossier, User
from .units import contains


def load_user(session: Session, username: str) -> User:
    """The active user named ``username``; AccessDenied when there is none."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise AccessDenied(N_("không có người dùng %(user)s", user=repr(username)))
    return user


def load_dossier(session: Session, dossier_id: int, user: User, lock: bool = False) -> Dossier:
    """The dossier, within the user's jurisdiction. ``lock`` (writers) takes its row lock, so a second
    writer waits for the first to commit and then sees what changed (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises writers)."""
    dossier = session.get(Dossier, dossier_id, with_for_update={"of": Dossier} if lock else None)
    if dossier is None:
        raise NotFound(N_("không có hồ sơ %(id)s", id=str(dossier_id)))
    if not contains(user.unit, dossier.commune):
        raise AccessDenied(N_("%(what)s không thuộc địa bàn của %(who)s", what=N_("hồ sơ %(id)s", id=str(dossier_id)),
                              who=user.username))
    return dossier


def read_score(stored: dict | None) -> ScoreResult | None:
    """A stored score as the typed model; None when there is none. Raises ``StoredScoreError`` when it cannot
    be read."""
    return ScoreResult.from_stored(stored) if stored else None
