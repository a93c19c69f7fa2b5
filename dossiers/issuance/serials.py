"""Issuing certificates: a serial number unique per province and round ("62-2024-000123": province code, year of
the round, a sequence), allocated once per dossier in the transaction that recognises it (``allocate``; printing
twice prints the same serial, reading a document never allocates one), replaced by a new one on ``reissue``;
each issue is an audit entry. ``cfc certificates print`` (``issue_round``) allocates the serials of dossiers
recognised before serials were allocated at recognition."""

from __future__ import annotations

import functools

from sqlalchemy import Date, Integer, String, bindparam, case, cast, func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached, selectinload

from engine.errors import CfcError, ConflictError, NotFound
from engine.messages import N_, message_of
from engine.workflow import LABELS

from .. import audit
from ..models import Certificate, Dossier
from ..units import find_unit
from .names import ancestor, province_of


def make_serial(province_code: str, year: int, seq: int) -> str:
    return f"{province_code}-{year}-{seq:06d}"


def verify_url(base_url: str, serial: str) -> str:
    """The address of a serial's public verification page (printed in the certificate's QR code)."""
    return f"{base_url.rstrip('/')}/verify/{serial}"


def revoked_certificate(dossier: Dossier) -> ConflictError:
    """Why a revoked dossier's certificate is neither printed nor downloaded: one sentence naming the revocation
    decision (number and date), or only the revocation when it was revoked before decisions were recorded."""
    where = {"id": str(dossier.id), "commune": dossier.commune.name}
    if dossier.revocation_number and dossier.revocation_date:
        return ConflictError(N_("Giấy công nhận của hồ sơ %(id)s (%(commune)s) không còn hiệu lực: công nhận đã bị "
                                "thu hồi theo Quyết định số %(number)s ngày %(day)s.", **where,
                                number=dossier.revocation_number, day=dossier.revocation_date.strftime("%d/%m/%Y")))
    return ConflictError(N_("Giấy công nhận của hồ sơ %(id)s (%(commune)s) không còn hiệu lực: công nhận đã bị thu "
                            "hồi.", **where))


def _require_recognised(dossier: Dossier) -> None:
    """A certificate is issued and printed only for a recognised dossier with its decision (``ConflictError``
    otherwise: the dossier's state refuses it, and the message says why)."""
    who = N_("hồ sơ %(id)s (%(commune)s)", id=str(dossier.id), commune=dossier.commune.name)
    if dossier.status == "revoked":
        raise revoked_certificate(dossier)
    if dossier.status != "recognized":
        raise ConflictError(N_("%(who)s đang ở trạng thái «%(status)s»: chỉ cấp giấy công nhận cho hồ sơ đã được "
                               "công nhận", who=who, status=LABELS.get(dossier.status, dossier.status)))
    if not dossier.decision_number or dossier.decision_date is None:
        raise ConflictError(N_("%(who)s chưa có số và ngày quyết định công nhận", who=who))


def current_certificate(session: Session, dossier: Dossier) -> Certificate | None:
    return session.execute(
        select(Certificate).where(Certificate.dossier_id == dossier.id, Certificate.superseded_by.is_(None))
        .order_by(Certificate.id.desc())
    ).scalars().first()


class NoCertificate(ConflictError):
    """A recognised dossier has no serial yet (recognised before serials were allocated at recognition)."""


def certificate_of(session: Session, dossier: Dossier) -> Certificate:
    """The current certificate of a recognised dossier, read only: ``NoCertificate`` when it has none, whose
    message says which command allocates it."""
    _require_recognised(dossier)
    cert = current_certificate(session, dossier)
    if cert is None:
        province = province_of(dossier.commune).code
        raise NoCertificate(N_("hồ sơ %(id)s (%(commune)s) đã được công nhận nhưng chưa được cấp số hiệu giấy "
                               "công nhận: cán bộ cấp tỉnh chạy `cfc certificates print --province %(province)s "
                               "--round %(year)s` để cấp số hiệu, rồi tải lại", id=str(dossier.id),
                               commune=dossier.commune.name, province=province, year=str(dossier.year)))
    return cert


def lookup(session: Session, serial: str) -> Certificate | None:
    return session.execute(select(Certificate).where(Certificate.serial == serial.strip())).scalar_one_or_none()


def _serial_of(seq):
    """``make_serial``'s number part in SQL, portable to SQLite and PostgreSQL: ``seq`` zero-padded to 6 digits."""
    pad = case(*((seq < 10 ** n, "0" * (6 - n)) for n in range(1, 6)), else_="")
    return pad.concat(cast(seq, String))


@functools.cache
def _next_statement(dialect_name: str, unless_current: bool):
    """``_insert_next``'s statement, made once per dialect and kind (reusing it costs SQLAlchemy nothing to
    build or to look up); its parameters are bound at execution."""
    table = Certificate.__table__
    last = (select(func.coalesce(func.max(table.c.seq), 0).label("last"))
            .where(table.c.province_code == bindparam("province", type_=String),
                   table.c.year == bindparam("year", type_=Integer)).subquery())
    seq = last.c.last + 1
    current = (select(table.c.id).where(table.c.dossier_id == bindparam("dossier", type_=Integer),
                                        table.c.superseded_by.is_(None)).exists())
    source = select(bindparam("prefix", type_=String).concat(_serial_of(seq)), bindparam("province", type_=String),
                    bindparam("year", type_=Integer), seq, bindparam("dossier", type_=Integer),
                    bindparam("number", type_=String), bindparam("day", type_=Date), bindparam("at", type_=String),
                    bindparam("actor", type_=String)) \
        .select_from(last).where(~current if unless_current else true())
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).from_select(
        ["serial", "province_code", "year", "seq", "dossier_id", "decision_number", "decision_date", "issued_at",
         "issued_by"], source).on_conflict_do_nothing().returning(table.c.id, table.c.serial, table.c.seq)


def _insert_next(session: Session, dossier: Dossier, actor: str, at: str, province_code: str, *,
                 unless_current: bool) -> Certificate | None:
    """One statement: insert the certificate with the next free number of its province and round (the
    largest number + 1), or nothing when that number or serial was just taken by a concurrent issuer, or
    (``unless_current``) when the dossier already has a current certificate. The certificate, else None."""
    statement = _next_statement(session.get_bind().dialect.name, unless_current)
    row = session.connection().execute(statement, {
        "prefix": f"{province_code}-{dossier.year}-", "province": province_code, "year": dossier.year,
        "dossier": dossier.id, "number": dossier.decision_number, "day": dossier.decision_date, "at": at,
        "actor": actor}).first()
    if row is None:
        return None
    cert = Certificate(id=row.id, serial=row.serial, province_code=province_code, year=dossier.year, seq=row.seq,
                       dossier_id=dossier.id, decision_number=dossier.decision_number,
                       decision_date=dossier.decision_date, issued_at=at, issued_by=actor, superseded_by=None)
    make_transient_to_detached(cert)  # the row as inserted: held by the session without reading it back
    session.add(cert)
    return cert


def _new_certificate(session: Session, dossier: Dossier, actor: str, at: str, *, unless_current: bool = False
                     ) -> tuple[Certificate, bool]:
    """Insert a certificate with the next free number of its province and round (``_insert_next``: one
    statement). Concurrent issuers may pick the same number: the loser inserts nothing and tries the next
    number. ``unless_current``: the dossier's current certificate when it has one, nothing inserted. Returns
    the certificate and whether it is new."""
    province_code = province_of(dossier.commune).code
    for _attempt in range(20):
        cert = _insert_next(session, dossier, actor, at, province_code, unless_current=unless_current)
        if cert is not None:
            return cert, True
        existing = current_certificate(session, dossier) if unless_current else None
        if existing is not None:
            return existing, False
    raise CfcError(f"could not allocate a certificate number for province {province_code}, {dossier.year}")


def issue(session: Session, dossier: Dossier, actor: str, *, at: str | None = None) -> Certificate:
    """The dossier's current certificate, issued now when it has none (idempotent: printing twice prints the
    same serial). Runs in the caller's transaction; appends ``certificate.issue`` to the audit trail."""
    _require_recognised(dossier)
    return allocate(session, dossier, actor, at=at)


def allocate(session: Session, dossier: Dossier, actor: str, *, at: str | None = None,
             entries: list[dict] | None = None) -> Certificate:
    """``issue`` without the state check, for the recognition itself (its transaction sets the state): the
    serial is allocated when the dossier is recognised, never when a document is read. ``entries``: the
    ``certificate.issue`` audit entry is added to this list (its caller appends them together) instead of
    being appended now."""
    if not dossier.decision_number or dossier.decision_date is None:
        raise CfcError(N_("%(who)s chưa có số và ngày quyết định công nhận",
                           who=N_("hồ sơ %(id)s (%(commune)s)", id=str(dossier.id), commune=dossier.commune.name)))
    stamp = at or audit.now()
    cert, new = _new_certificate(session, dossier, actor, stamp, unless_current=True)
    if not new:  # the current one, issued before
        return cert
    entry = {"actor": actor, "action": "certificate.issue", "target": cert.serial,
             "after": {"serial": cert.serial, "decision": {"number": cert.decision_number,
                                                           "date": cert.decision_date.isoformat()}},
             "dossier_id": dossier.id, "dossier_version": dossier.lock_version, "at": stamp}
    if entries is None:
        audit.append(session, **entry)
    else:
        entries.append(entry)
    return cert


def reissue(session: Session, serial: str, actor: str, reason: str) -> Certificate:
    """Replace a valid certificate by a new one (new serial); the old one becomes ``superseded``."""
    if not (reason and reason.strip()):
        raise CfcError(N_("cấp lại giấy công nhận cần ghi rõ lý do"))
    old = lookup(session, serial)
    if old is None:
        raise NotFound(N_("không có giấy công nhận số hiệu %(serial)s", serial=serial))
    if old.superseded_by is not None:
        raise CfcError(N_("giấy công nhận %(serial)s đã được thay thế bằng %(successor)s", serial=serial,
                           successor=old.successor.serial))
    dossier = old.dossier
    _require_recognised(dossier)
    stamp = audit.now()
    new, _ = _new_certificate(session, dossier, actor, stamp)
    old.superseded_by = new.id
    session.flush()
    audit.append(session, actor=actor, action="certificate.reissue", target=new.serial,
                 before={"serial": old.serial}, after={"serial": new.serial}, reason=reason.strip(),
                 dossier_id=dossier.id, dossier_version=dossier.lock_version, at=stamp)
    return new


def round_dossiers(session: Session, province_code: str, year: int, statuses: tuple[str, ...] = ("recognized",)
                   ) -> list[Dossier]:
    """The dossiers of a province's round in the given states, ordered by district and commune code."""
    rows = session.execute(
        select(Dossier).where(Dossier.year == year, Dossier.status.in_(statuses))
        .options(selectinload(Dossier.commune))
    ).scalars()
    found = [d for d in rows if province_of(d.commune).code == str(province_code)]
    return sorted(found, key=commune_order)


def commune_order(dossier: Dossier) -> tuple:
    """District code, then commune code (numerically: the official codes are numbers)."""
    district = ancestor(dossier.commune, "district")
    code = dossier.commune.code
    return (int(district.code) if district and district.code.isdigit() else 0,
            int(code) if code.isdigit() else 0, code)


def issue_round(session: Session, province_code: str, year: int, actor: str,
                skipped: list[tuple[Dossier, str]] | None = None) -> list[Certificate]:
    """The current certificate of every recognised dossier of a province's round, issuing the missing ones.
    With a ``skipped`` list, a dossier that cannot have one (e.g. no decision) is added to it with the reason
    and the others are issued; without one, the first such dossier raises its CfcError."""
    find_unit(session, province_code, "province")  # CfcError when there is no such province
    issued = []
    for dossier in round_dossiers(session, province_code, year):
        try:
            with session.begin_nested():  # a refusal leaves nothing of this dossier behind
                issued.append(issue(session, dossier, actor))
        except CfcError as exc:
            if skipped is None:
                raise
            skipped.append((dossier, message_of(exc)))
    return issued
