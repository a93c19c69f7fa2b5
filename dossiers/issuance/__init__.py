"""Certificates of recognised communes: serial numbers, their public status, and the plain data of the documents.

A ``Certificate`` row (``dossiers.models``) is issued for a recognised dossier, with a serial number unique per
province and round; anyone may check a serial, whose status is computed from the dossier. The modules:

* ``serials``: issuing and re-issuing serial numbers, a province's round in commune order;
* ``status``: verification of a serial (valid, revoked, superseded, invalid) and the verify page's data;
* ``fields``: the plain data of the certificate, the decision and the minutes (keys of ``certificates.data``;
  this package does not import ``certificates``, nor may ``certificates`` import ``dossiers``);
* ``revocation``: the plain data of a revocation decision;
* ``issuers``: who issues and signs, from ``criteria/procedures/documents/*.yaml`` (per procedure, dated);
* ``signers``: who signs a dossier's decisions (as recorded, else as configured) and its minutes (the panel);
* ``names``: how documents write the names of administrative units;
* ``access``: who may see a dossier's documents, issue and re-issue certificates (web and command line);
* ``keys`` (the signing keys per issuing body and date; ``keys_demo``: the demo's authority), ``signing`` (PAdES
  with pyHanko), ``signing_store`` (signed once, kept by the unsigned document's hash), ``signing_records`` (each
  issued signed file recorded per dossier and kind, checked at every download), ``signing_issue`` (when: right
  after the issuing event), ``signing_check`` and ``signing_verify`` (a PDF's signatures; an upload against a
  serial's documents).
"""

from __future__ import annotations

from ..audit import VIETNAM
from ..models import Certificate
from .access import (
    DOCUMENT_KINDS,
    check_document_access,
    check_province_access,
    check_samples,
    check_serial_access,
)
from .fields import certificate_fields, decision_fields, minutes_fields, samples_allowed, version_label
from .issuers import DocumentsEntry, default_signer, documents_directory, documents_for, load_documents
from .names import full_name, in_sentence, place_name, province_of
from .revocation import revocation_fields
from .serials import (
    NoCertificate,
    allocate,
    certificate_of,
    current_certificate,
    issue,
    issue_round,
    lookup,
    make_serial,
    reissue,
    round_dossiers,
    verify_url,
)
from .signers import decision_signer, panel_signers, revocation_signer
from .status import STATUS_LABELS, CertificateStatus, status_of, to_json, verification

__all__ = [
    "NoCertificate", "allocate", "certificate_of",
    "DOCUMENT_KINDS", "STATUS_LABELS", "VIETNAM", "Certificate", "CertificateStatus", "DocumentsEntry",
    "certificate_fields", "check_document_access", "check_province_access", "check_samples",
    "check_serial_access", "current_certificate",
    "decision_fields", "decision_signer", "default_signer", "documents_directory", "documents_for", "full_name",
    "in_sentence", "issue", "issue_round", "load_documents", "lookup", "make_serial", "minutes_fields",
    "panel_signers", "place_name", "province_of", "reissue", "revocation_fields", "revocation_signer",
    "round_dossiers", "samples_allowed", "status_of", "to_json", "verification", "verify_url", "version_label",
]
