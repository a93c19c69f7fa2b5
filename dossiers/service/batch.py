"""A decision on several dossiers at once (the province's batch form): each dossier is its own transition.

A recognition decision is one act of one issuing body (``issuance.issuers``: the body of the dated documents
configuration that decides for the dossier's commune, e.g. the district's People's Committee under
procedure-2019). A batch of recognitions whose dossiers belong to different issuing bodies would print one
number and one signer on several bodies' decisions: it is refused as a whole, naming the bodies and their
dossiers, before anything changes. Otherwise each dossier is decided in its own transaction, and one refusal
does not stop the others.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from engine.errors import CfcError
from engine.messages import N_
from engine.workflow import TransitionRefused

from .. import audit
from ..issuance.issuers import documents_for, issuer_fields, placeholder_values
from ..issuance.names import issuing_unit
from ..lookup import load_dossier, load_user
from ..models import Dossier

if TYPE_CHECKING:
    from . import DossierService


def issuing_body(dossier: Dossier, day: dt.date) -> str:
    """The name of the body that issues the recognition decision of ``dossier`` dated ``day``, as the decision
    prints it ("ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM"); ``CfcError`` when the configuration names none."""
    entry = documents_for(dossier.procedure, day)
    unit = issuing_unit(dossier.commune, entry.decision.level)
    values = placeholder_values(entry, unit, dossier.commune)
    return " ".join(issuer_fields(entry.decision, values)["body"])  # the lines the decision prints


def check_one_body(svc: DossierService, username: str, ids: list[int], day: dt.date | None) -> None:
    """Refuse a recognition of ``ids`` whose dossiers have different issuing bodies on ``day`` (today when
    none: the date is refused anyway). A dossier outside the user's jurisdiction, unknown, or with no issuing
    body configured is left to its own transition, which refuses it with its reason."""
    day = day or audit.local_date(audit.now())
    bodies: dict[str, list[int]] = {}
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        for dossier_id in ids:
            try:
                body = issuing_body(load_dossier(s, dossier_id, user), day)
            except CfcError:
                continue
            bodies.setdefault(body, []).append(dossier_id)
    if len(bodies) > 1:
        named = "; ".join(f"{body} ({', '.join(f'#{i}' for i in found)})" for body, found in bodies.items())
        raise TransitionRefused("recognize", [N_(
            "các hồ sơ đã chọn thuộc %(count)s cơ quan ban hành quyết định khác nhau: %(bodies)s. Một quyết định "
            "là văn bản của một cơ quan: hãy ra quyết định riêng cho hồ sơ của từng cơ quan",
            count=str(len(bodies)), bodies=named)])


def decide(svc: DossierService, username: str, ids: list[int], event: str, versions: dict[int, int | None],
           reason: str | None = None, decision_number: str | None = None, decision_date: dt.date | None = None,
           signer_name: str | None = None, signer_title: str | None = None
           ) -> tuple[list[int], list[tuple[int, CfcError]]]:
    """Perform ``event`` (``recognize`` with the decision, or ``reject`` with the reason) on each dossier of
    ``ids`` at the version the caller showed (``versions``). Returns the dossiers done and those refused with
    their error. A recognition of dossiers of several issuing bodies raises ``TransitionRefused`` first."""
    if event == "recognize":
        check_one_body(svc, username, ids, decision_date)
    done, refused = [], []
    for dossier_id in ids:
        try:
            if event == "recognize":
                svc.transition(username, dossier_id, "recognize", expected_version=versions.get(dossier_id),
                               decision_number=decision_number, decision_date=decision_date,
                               signer_name=signer_name, signer_title=signer_title)
            else:
                svc.transition(username, dossier_id, event, reason=reason, expected_version=versions.get(dossier_id))
            done.append(dossier_id)
        except CfcError as exc:  # each dossier is its own transaction
            refused.append((dossier_id, exc))
    return done, refused
