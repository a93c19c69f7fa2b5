"""Who may see a dossier's documents, issue and re-issue certificates: the web pages and the commands ask the
same functions, which ask ``dossiers.authority`` (the dated procedures' ``download_*`` and ``issue_certificate``
steps: roles, level, jurisdiction, the dossier's state). Each check raises ``AccessDenied``, ``NotFound`` or
``TransitionRefused`` with the reason and changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import AccessDenied, CfcError, NotFound
from engine.messages import N_
from engine.workflow import Procedure, TransitionRefused

from .. import authority
from ..lookup import load_dossier, load_user
from ..models import Dossier
from ..units import contains, find_unit
from .fields import samples_allowed
from .serials import lookup, revoked_certificate

DOCUMENT_KINDS = tuple(authority.DOCUMENT_ACTIONS)


def check_document_access(session: Session, username: str, dossier_id: int, kind: str,
                          procedures: list[Procedure]) -> Dossier:
    """The dossier whose ``kind`` document (certificate, decision, revocation, minutes) ``username`` may see
    now: the procedure's ``download_<kind>`` step (role, level, jurisdiction, the dossier's state). The
    certificate of a revoked dossier, to whoever may download certificates, is refused naming the revocation
    decision."""
    user = load_user(session, username)
    dossier = load_dossier(session, dossier_id, user)
    _check(procedures, user, authority.DOCUMENT_ACTIONS[kind], dossier, certificate=kind == "certificate")
    return dossier


def _check(procedures: list[Procedure], user, action: str, dossier: Dossier, certificate: bool) -> None:
    """``authority.check``; for a certificate of a revoked dossier, its state's refusal names the revocation."""
    try:
        authority.check(procedures, user, action, dossier=dossier)
    except TransitionRefused:  # role, level and jurisdiction hold: only the dossier's state refuses
        if certificate and dossier.status == "revoked":
            raise revoked_certificate(dossier) from None
        raise


def check_samples(session: Session, provisional: bool) -> None:
    """A document made under a provisional criteria version is refused unless sample documents are allowed."""
    if provisional and not samples_allowed(session):
        raise CfcError(N_("bộ tiêu chí còn tạm thời và hệ thống không cho phép in văn bản mẫu "
                          "(allow_sample_documents)"))


def check_province_access(session: Session, username: str, province_code: str, year: int,
                          procedures: list[Procedure]) -> None:
    """``username`` may issue the certificates of the province ``province_code`` for round ``year``."""
    user = load_user(session, username)
    province = find_unit(session, province_code, "province")  # CfcError when there is no such province
    authority.check(procedures, user, "issue_certificate", year=year)  # role and level
    # jurisdiction: the province itself, by code (a renamed province keeps its code across dated rows), or one
    # the user's province succeeded after a merger
    same = user.unit.level == "province" and user.unit.code == province.code
    if not (same or contains(user.unit, province)):
        raise AccessDenied(N_("%(what)s không thuộc địa bàn của %(who)s", what=province.name, who=username))


def check_serial_access(session: Session, username: str, serial: str,
                        procedures: list[Procedure]) -> None:
    """``username`` may re-issue the certificate ``serial`` (a revoked one is refused naming the revocation)."""
    user = load_user(session, username)
    cert = lookup(session, serial)
    if cert is None:
        raise NotFound(N_("không có giấy công nhận số hiệu %(serial)s", serial=serial))
    _check(procedures, user, "issue_certificate", cert.dossier, certificate=True)
