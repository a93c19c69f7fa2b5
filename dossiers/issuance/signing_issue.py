"""When documents are signed: at issuance, right after the event that issues them commits — recognition (the
decision and the certificate), an amended decision (both again), revocation (the revocation decision),
verification (the appraisal minutes), a certificate reissued under a new serial (``reissue_certificate``). The dossier service calls ``after_event`` when a renderer was given to it
(``DossierService.renderer``: the web app and the commands pass ``certificates.signature.signable_pdf``). Each
signed document is recorded (``signing_records``) in a short transaction of its own, after the signing: a key
on a token or a timestamp server never holds the database's write lock.

A document that cannot be signed (no key configured, no public address for the certificate's QR code, a key
expired or revoked) stays unsigned: the download says so, ``cfc signing issue DOSSIER`` signs it later, and the
reason is logged (``cfc.signing``). The event itself stands.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from engine.errors import CfcError
from engine.messages import N_, message_of

from ..config import public_base_url
from ..models import Dossier
from .access import check_samples, check_serial_access
from .fields import certificate_fields, decision_fields, minutes_fields
from .revocation import revocation_fields
from .serials import current_certificate, reissue
from .signing_records import save_apart
from .signing_store import Render, Signing, issue

LOG = logging.getLogger("cfc.signing")
ISSUED_BY = {"recognize": ("decision", "certificate"), "revoke": ("revocation",), "verify": ("minutes",),
             "amend_decision": ("decision", "certificate", "revocation"),  # those the dossier's state has
             "reissue": ("certificate",)}
KINDS_OF_STATE = {"verified": ("minutes",), "recognized": ("minutes", "decision", "certificate"),
                  "revoked": ("minutes", "decision", "revocation")}


def fields_of(session: Session, dossier: Dossier, kind: str, base_url: str | None, registry) -> dict:
    """The plain data of the dossier's ``kind`` document; a certificate needs ``base_url`` (its QR code)."""
    if kind == "certificate":
        cert = current_certificate(session, dossier)
        if cert is None:
            raise CfcError(N_("hồ sơ %(id)s chưa có số hiệu giấy công nhận", id=str(dossier.id)))
        if not base_url:
            raise CfcError(N_("chưa đặt địa chỉ công khai (CFC_BASE_URL hoặc public_base_url) cho mã QR"))
        return certificate_fields(session, cert, base_url, registry)
    if kind == "decision":
        return decision_fields(session, dossier, registry)
    if kind == "revocation":
        return revocation_fields(session, dossier, registry)
    return minutes_fields(session, dossier, registry)


def issue_documents(service, dossier_id: int, kinds: tuple[str, ...], render: Render,
                    signing: Signing | None = None, event: str = "signing_issue") -> dict[str, str]:
    """Sign, store and record the dossier's ``kinds`` documents (``event``: what issues them); kind → "signed",
    "unsigned" (no key) or the reason it could not be signed (a ``Message`` when the refusal carries one)."""
    signing = signing or Signing.from_settings(service.settings)
    if signing.config is None:  # no key configured: nothing to render or sign
        return dict.fromkeys(kinds, "unsigned")
    out: dict[str, str] = {}
    records = []
    with service.transaction(readonly=True) as s:
        dossier = s.get(Dossier, dossier_id)
        try:
            url = public_base_url(service.settings, s)
        except CfcError:
            url = None
        for kind in kinds:
            if event == "amend_decision" and kind not in KINDS_OF_STATE.get(dossier.status, ()):
                continue  # an amended revocation re-signs the revocation, an amended recognition the others
            try:
                fields = fields_of(s, dossier, kind, url, service.registry)
                check_samples(s, fields["provisional"])
                _pdf, signed, record = issue(signing, s, dossier, kind, fields, render, event)
                out[kind] = "signed" if signed else "unsigned"
                records += [record] if record is not None else []
            except CfcError as exc:
                out[kind] = message_of(exc)
    save_apart(service, records)
    return out


def after_event(service, dossier_id: int, event: str) -> None:
    """Sign what ``event`` issued (``ISSUED_BY``); problems are logged, never raised: the event stands."""
    kinds = ISSUED_BY.get(event)
    if not kinds or service.renderer is None:
        return
    try:
        results = issue_documents(service, dossier_id, kinds, service.renderer, event=event)
    except CfcError as exc:  # the key configuration itself is invalid
        LOG.warning("hồ sơ %s: không ký số được văn bản: %s", dossier_id, exc)
        return
    for kind, result in results.items():
        if result not in ("signed", "unsigned"):
            LOG.warning("hồ sơ %s: %s chưa được ký số: %s", dossier_id, kind, result)


def reissue_certificate(service, username: str, serial: str, reason: str) -> str:
    """Replace the certificate ``serial`` by a new serial (``serials.reissue``: the old one shows as superseded),
    when ``username`` may (``check_serial_access``), in one transaction; then sign and record the new certificate
    as the recognition signed the first (``after_event``). Returns the new serial."""
    with service.transaction() as s:
        check_serial_access(s, username, serial, service.procedures)
        new = reissue(s, serial, username, reason)
        dossier_id, new_serial = new.dossier_id, new.serial
    after_event(service, dossier_id, "reissue")
    return new_serial

