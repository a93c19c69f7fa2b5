"""Who may do what: the one question the web pages, the API and the commands ask before anything is shown or
done, answered from the dated procedures (``criteria/procedures/*.yaml``), never from role lists in code.

An action (``engine.workflow.ACTIONS``) is taken on a dossier (its own procedure decides) or on a round (the
procedure in force on the round's date decides). It needs, in this order:

1. a role and a level of local government the procedure's step gives it (``AccessDenied``);
2. jurisdiction: the commune lies within the user's unit, or within a unit the user's unit succeeded after a
   merger (``units.contains``): a province officer of Quảng Ngãi (51) acts on Kon Tum (62) dossiers of earlier
   rounds (``AccessDenied``);
3. for an action on a dossier, a state the step applies to (``TransitionRefused``, answered 409).

Changing who does what is an edit of the procedure files, not of code.
"""

from __future__ import annotations

import datetime as dt

from engine.errors import AccessDenied
from engine.messages import N_
from engine.workflow import (
    ACTIONS,
    EVENTS,
    TRANSITIONS,
    Procedure,
    TransitionRefused,
    procedure_by_id,
    procedure_for,
    round_date,
    state_refusal,
    step_refusal,
)

from .models import Dossier, Unit, User
from .units import contains

DOCUMENT_ACTIONS = {"certificate": "download_certificate", "decision": "download_decision",
                    "revocation": "download_revocation", "minutes": "download_minutes"}


def procedure_of(procedures: list[Procedure], dossier: Dossier | None = None, year: int | None = None,
                 on: dt.date | None = None) -> Procedure:
    """The dossier's own procedure, else the one in force on the round's date, else on the day ``on`` (the
    criteria steps concern neither a dossier nor a round)."""
    if dossier is not None:
        return procedure_by_id(dossier.procedure, procedures)
    if year is None and on is None:
        raise ValueError("an action is taken on a dossier, on a round or on a day")
    return procedure_for(round_date(year) if year is not None else on, procedures)


def check(procedures: list[Procedure], user: User, action: str, *, dossier: Dossier | None = None,
          commune: Unit | None = None, year: int | None = None, on: dt.date | None = None) -> None:
    """Raise unless ``user`` may take ``action`` on ``dossier`` (or on round ``year``, for ``commune`` when one
    is named; or under the procedure in force ``on`` a day); see the module's docstring for the order of the
    checks."""
    procedure = procedure_of(procedures, dossier, year, on)
    status = dossier.status if dossier is not None else None
    refusal = step_refusal(procedure, action, status, user.roles, user.unit.level, user.username)
    if refusal:
        raise AccessDenied(refusal)
    place = dossier.commune if dossier is not None else commune
    if place is not None and not contains(user.unit, place):
        what = N_("hồ sơ %(id)s", id=str(dossier.id)) if dossier is not None else place.name
        raise AccessDenied(N_("%(what)s không thuộc địa bàn của %(who)s", what=what, who=user.username))
    if dossier is not None and action not in EVENTS:
        reason = state_refusal(procedure, action, dossier.status)
        if reason:
            raise TransitionRefused(action, [reason])


def allows(procedures: list[Procedure], user: User, action: str, **where) -> bool:
    """Whether ``check`` lets the user take ``action``."""
    try:
        check(procedures, user, action, **where)
    except (AccessDenied, TransitionRefused):
        return False
    return True


def allowed_actions(procedures: list[Procedure], user: User, dossier: Dossier) -> set[str]:
    """Everything the user may do to the dossier now (guards aside): the pages show only these buttons, and
    every action is checked again when it is taken. Transitions appear by their event name (``return``)."""
    out = {a for a in ACTIONS if a not in _TRANSITION_KEYS and allows(procedures, user, a, dossier=dossier)}
    for event in EVENTS:
        if dossier.status in TRANSITIONS[event] and allows(procedures, user, event, dossier=dossier):
            out.add(event)
    return out


def roles_for(procedures: list[Procedure], *actions: str) -> tuple[str, ...]:
    """Every role any procedure gives one of ``actions``: who may open the page that offers them (each action
    on the page is checked again with the dossier or the round)."""
    roles: set[str] = set()
    for procedure in procedures:
        for action in actions:
            keys = ("return_submitted", "return_verified") if action == "return" else (action,)
            for key in keys:
                roles.update(procedure.steps[key].roles)
    return tuple(sorted(roles))


_TRANSITION_KEYS = frozenset({*EVENTS, "return_submitted", "return_verified"})
