"""Who may see a dossier's documents, issue and re-issue certificates: the web pages and the commands ask the
same functions. A certificate or a decision needs a province role (``ISSUING_ROLES``), the minutes also a
district panel role (``DOCUMENT_ROLES``), within whose unit the dossier, the province or the certificate's
commune lies. Each check raises ``AccessDenied`` (or ``NotFound``) with the reason and changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import AccessDenied, CfcError, NotFound

from ..lookup import load_dossier, load_user
from ..models import Dossier, User
from ..units import contains, find_unit
from .fields import samples_allowed
from .serials import lookup

ISSUING_ROLES = ("province_approver", "province_officer")
DOCUMENT_ROLES = {
    "certificate": ISSUING_ROLES,
    "decision": ISSUING_ROLES,
    "minutes": (*ISSUING_ROLES, "district_appraiser", "district_chair"),
}


def check_document_access(session: Session, username: str, dossier_id: int, kind: str) -> Dossier:
    """The dossier whose ``kind`` document (certificate, decision, minutes) ``username`` may see: a role of
    ``DOCUMENT_ROLES[kind]`` first, then the dossier's existence and jurisdiction."""
    user = load_user(session, username)
    allowed = DOCUMENT_ROLES[kind]
    if not set(user.roles) & set(allowed):
        raise AccessDenied(f"{kind}: cần vai trò {' hoặc '.join(allowed)}")
    return load_dossier(session, dossier_id, user)


def check_samples(session: Session, provisional: bool) -> None:
    """A document made under a provisional criteria version is refused unless sample documents are allowed."""
    if provisional and not samples_allowed(session):
        raise CfcError("bộ tiêu chí còn tạm thời và hệ thống không cho phép in văn bản mẫu "
                       "(allow_sample_documents)")


def _issuer(session: Session, username: str) -> User:
    user = load_user(session, username)
    if not set(user.roles) & set(ISSUING_ROLES):
        raise AccessDenied(f"giấy công nhận: cần vai trò {' hoặc '.join(ISSUING_ROLES)}; "
                           f"{username} có {', '.join(user.roles) or 'không vai trò nào'}")
    return user


def check_province_access(session: Session, username: str, province_code: str) -> None:
    """``username`` may issue the certificates of the province ``province_code``."""
    user = _issuer(session, username)
    province = find_unit(session, province_code, "province")  # CfcError when there is no such province
    # nothing lies above a province: only the province itself contains it (by code: a renamed province keeps
    # its code across dated rows)
    if not (user.unit.level == "province" and user.unit.code == province.code):
        raise AccessDenied(f"{province.name} không thuộc địa bàn của {username}")


def check_serial_access(session: Session, username: str, serial: str) -> None:
    """``username`` may re-issue the certificate ``serial``."""
    user = _issuer(session, username)
    cert = lookup(session, serial)
    if cert is None:
        raise NotFound(f"không có giấy công nhận số hiệu {serial}")
    if not contains(user.unit, cert.dossier.commune):
        raise AccessDenied(f"giấy công nhận {serial} không thuộc địa bàn của {username}")

