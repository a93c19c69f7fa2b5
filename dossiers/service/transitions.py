"""Moving a dossier through the workflow: every check of an event in order (freshness, state, role and level,
guards), the dry run that performs them without changing anything, the events a user may offer now, and the
transition itself (scores, panel, decision, audit entry)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from engine import __version__ as engine_version
from engine.messages import N_
from engine.text import nfc
from engine.workflow import (
    GuardContext,
    TransitionRefused,
    authorize,
    guard_reasons,
    procedure_by_id,
)

from .. import audit, authority
from ..issuance.serials import allocate as allocate_certificate
from ..lookup import load_dossier, load_user
from ..models import Dossier, User
from . import decisions, locked_values
from .base import actor_and_dossier, check_expected, entry, write_change
from .scores import problems, try_score, verified_score
from .settings import stored_setting
from .view import DossierView, readable_score, view_of

if TYPE_CHECKING:
    from . import DossierService

READS_VALUES = ("submit", "verify", "return")  # the events whose checks or change read the dossier's values


def prepare(svc: DossierService, s: Session, user: User, dossier: Dossier, event: str, reason: str | None,
            expected_version: int | None, panel_members: list[str] | None,
            decision: tuple[str | None, dt.date | None, str, str] | None = None,
            public_reason: str | None = None) -> str:
    """Every check of an event, in order: freshness, state, role and level, guards. Returns the new state.
    ``decision`` (number, date, signer's name, signer's title) is checked for ``recognize`` and ``revoke``
    (see ``decisions``); None leaves it unchecked (a dry run asking whether the event may happen before the
    decision is written)."""
    check_expected(s, dossier, expected_version)
    procedure = procedure_by_id(dossier.procedure, svc.procedures)
    new_status = authorize(procedure, event, dossier.status, user.roles, user.unit.level, user.username)
    version = svc.version_of(dossier)
    verified, unreadable = readable_score(dossier.verified_score) if event == "recognize" else (None, None)
    ctx = GuardContext(
        missing_self=tuple(problems(version, dossier, "self_value")) if event == "submit" else (),
        missing_appraised=(tuple(problems(version, dossier, "appraised_value")) if event == "verify" else ()),
        verified_failures=tuple(f.message for f in verified.failed_conditions) if verified else (),
        provisional=version.provisional,
        allow_samples=event == "recognize" and stored_setting(s, "allow_sample_documents", False) is True,
    )
    reasons = guard_reasons(event, ctx, reason)
    if event == "recognize" and verified is None:
        reasons.append(N_("không đọc được kết quả thẩm định đã lưu (%(why)s): trả lại để thẩm định lại",
                          why=unreadable) if unreadable else N_("chưa có kết quả thẩm định"))
    if event == "verify" and not [m for m in panel_members or [] if m and m.strip()]:
        reasons.append(N_("cần ghi thành phần hội đồng thẩm định có mặt"))
    # what was typed (lengths, the decision) is judged once the guards let the event happen
    reasons = reasons or _input_reasons(s, dossier, event, reason, panel_members, decision, public_reason)
    if reasons:
        raise TransitionRefused(event, reasons)
    return new_status


def check_transition(svc: DossierService, username: str, dossier_id: int, event: str, reason: str | None = None,
                     panel_members: list[str] | None = None) -> str:
    """Whether ``username`` may perform ``event`` now (the new state), else the refusal; changes nothing."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        dossier = load_dossier(s, dossier_id, user)
        return prepare(svc, s, user, dossier, event, reason, None, panel_members)


def _input_reasons(s: Session, dossier: Dossier, event: str, reason: str | None, panel_members: list[str] | None,
                   decision: tuple[str | None, dt.date | None, str, str] | None,
                   public_reason: str | None = None) -> list[str]:
    """Why the text and decision given with ``event`` cannot be stored (lengths, control characters, the
    decision's number, date and signer)."""
    found = [decisions.text_problem(N_("lý do"), reason, decisions.REASON_MAX)] if reason else []
    if event == "verify":
        found += decisions.panel_problems(panel_members)
    if event in decisions.KIND and decision is not None:
        number, day, name, title = decision
        found += decisions.decision_problems(s, dossier, number, day, event)
        found += decisions.signer_problems(name, title)
    if event == "revoke" and decision is not None:
        found += decisions.public_reason_problems(public_reason)
    return [p for p in found if p]


def allowed(svc: DossierService, username: str, dossier_id: int) -> set[str]:
    """What ``username`` may do to the dossier now (``authority.allowed_actions``, guards aside): the pages
    show only these buttons; every action is checked again when it is performed."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        dossier = load_dossier(s, dossier_id, user)
        return authority.allowed_actions(svc.procedures, user, dossier)


def transition(svc: DossierService, username: str, dossier_id: int, event: str, reason: str | None = None,
               expected_version: int | None = None, panel_members: list[str] | None = None,
               decision_number: str | None = None, decision_date: dt.date | None = None,
               signer_name: str | None = None, signer_title: str | None = None,
               public_reason: str | None = None) -> DossierView:
    """Perform ``event`` on the locked dossier after every check of ``prepare``, and audit it. A recognition
    and a revocation are decisions: number, date and signer (``signer_name``/``signer_title`` default to
    the dated issuer configuration). A revocation also needs ``public_reason``, what the public verification
    page says; ``reason`` is the internal note the audit trail keeps."""
    with svc.transaction() as s:
        recognize = event == "recognize"
        user, dossier = actor_and_dossier(s, username, dossier_id, "allow_sample_documents" if recognize else None,
                                          verified=recognize, values=event in READS_VALUES)
        signer = decisions.signer_of(dossier, decision_date, signer_name, signer_title) \
            if event in decisions.KIND else ("", "")
        new_status = prepare(svc, s, user, dossier, event, reason, expected_version, panel_members,
                             (decision_number, decision_date, *signer), public_reason)
        before = {"status": dossier.status}
        version = svc.version_of(dossier)
        verified_total = None
        if event == "submit":
            dossier.submission += 1  # a new submission: nothing is appraised for it yet
            if dossier.self_score is None:  # every save scores complete values already
                dossier.self_score = try_score(version, dossier, "self_value", svc.settings.engine)
        if event == "verify":
            dossier.verified_score, verified_total = verified_score(version, dossier, svc.settings.engine)
            dossier.panel_members = [m.strip() for m in panel_members or [] if m and m.strip()]
        if event == "return":
            before.update(_clear_appraisal(dossier))
        if event in decisions.KIND:
            _record_decision(dossier, event, decision_number, decision_date, signer)
        if event == "revoke":
            dossier.revocation_public_reason = unicodedata.normalize("NFC", public_reason.strip())
        dossier.status = new_status
        dossier.engine_version = engine_version
        dossier.updated_at = audit.now()
        write_change(s, dossier)
        entries = [entry(user, dossier, f"transition.{event}", event, before,
                         _after(event, new_status, dossier, verified_total), nfc(reason.strip()) if reason else reason)]
        if event == "recognize":  # the serial is allocated by the recognition, never by a GET
            allocate_certificate(s, dossier, user.username, entries=entries)
        audit.append_many(s, entries)  # the transition's entry, then the certificate's
        return view_of(svc.registry, dossier, reader=svc.view_reader)


def _clear_appraisal(dossier: Dossier) -> dict:
    """A return ends the submission's appraisal: the appraised values and comments, the verified score and
    the panel are cleared. Returns what they were, for the audit entry (the history keeps them)."""
    values = locked_values.of(dossier)
    kept = {
        "appraised": {v.code: v.appraised_value for v in values
                      if v.appraised_value is not None and v.appraised_in == dossier.submission},
        "comments": {v.code: v.comment for v in values if v.comment},
        "verified_total": (dossier.verified_score or {}).get("total"),
        "panel_members": dossier.panel_members,
    }
    for v in values:
        v.appraised_value = v.comment = v.appraised_in = None
    dossier.verified_score = None
    dossier.panel_members = None
    return {k: v for k, v in kept.items() if v}


def _record_decision(dossier: Dossier, event: str, number: str, day: dt.date, signer: tuple[str, str]) -> None:
    """Store the decision of a recognition or a revocation on the dossier."""
    number = unicodedata.normalize("NFC", number.strip())
    if event == "recognize":
        dossier.decision_number, dossier.decision_date = number, day
        dossier.decision_signer, dossier.decision_signer_title = signer
    else:
        dossier.revocation_number, dossier.revocation_date = number, day
        dossier.revocation_signer, dossier.revocation_signer_title = signer


def _after(event: str, new_status: str, dossier: Dossier, verified_total: int | None) -> dict:
    """What the audit entry of a transition records as its result (``verified_total``: the total of the score a
    verification computed)."""
    after = {"status": new_status}
    if event == "verify":
        after["verified_total"] = verified_total
        after["panel_members"] = dossier.panel_members
    if event == "recognize":
        after["decision"] = {"number": dossier.decision_number,
                             "date": dossier.decision_date.isoformat() if dossier.decision_date else None,
                             "signer": dossier.decision_signer, "signer_title": dossier.decision_signer_title}
    if event == "revoke":
        after["decision"] = {"number": dossier.revocation_number,
                             "date": dossier.revocation_date.isoformat() if dossier.revocation_date else None,
                             "signer": dossier.revocation_signer, "signer_title": dossier.revocation_signer_title}
        after["public_reason"] = dossier.revocation_public_reason
    return after
