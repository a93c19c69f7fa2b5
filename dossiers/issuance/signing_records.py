"""The signed documents issued, recorded in the database (``SignedDocument``): which signed file is the document of
a dossier, whatever changes later.

A signed file is kept as ``signed/<SHA-256 of the unsigned PDF>.pdf``. Finding it again by rendering the document
afresh works only while the rendering gives the same bytes: a new base URL (it is in the certificate's QR code), a
template or a font changes them. So issuance records, per dossier and kind, the document's data as a key
(``document_key``: kind and fields, the verification address left out), the unsigned digest that names the file
and the file's own SHA-256. A download looks the record up by the document's data and serves the recorded file
after checking its SHA-256: a file missing or altered is a ``SignedFileError`` (logged), never an unsigned
substitute. When the data no longer match (the issuer's wording or a unit's name corrected since), the dossier's
latest record of the kind is still the document if no event has issued that kind anew since it was recorded
(``ISSUING_ACTIONS``; a certificate: under the same serial). Documents signed before the records existed have
none: they are still found by a fresh render, and recorded by ``cfc signing issue``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import ConflictError
from engine.messages import N_

from ..audit import local_date, now
from ..models import AuditEntry, SignedDocument

LOG = logging.getLogger("cfc.signing")
ADDRESS_FIELDS = ("verify_url",)  # where the deployment is reached, not what the document says
ISSUING_ACTIONS = {  # the audit actions after which a dossier's document of the kind is a new document
    "minutes": ("transition.verify",),
    "decision": ("transition.recognize", "decision.amend"),
    "certificate": ("transition.recognize", "decision.amend"),
    "revocation": ("transition.revoke", "decision.amend"),
}


class SignedFileError(ConflictError):
    """The signed file recorded at issuance is missing, or is no longer the file recorded (its SHA-256 differs)."""


@dataclass(frozen=True)
class Recorded:
    """A ``SignedDocument`` row, read (usable after its session closed)."""

    dossier_id: int
    kind: str
    serial: str | None
    unsigned_sha256: str
    signed_sha256: str
    event: str
    issued_at: str

    @property
    def filename(self) -> str:
        return f"{self.unsigned_sha256}.pdf"

    @classmethod
    def of(cls, row: SignedDocument) -> Recorded:
        return cls(row.dossier_id, row.kind, row.serial, row.unsigned_sha256, row.signed_sha256, row.event,
                   row.issued_at)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_key(kind: str, fields: dict) -> str:
    """The document's data as a key: its kind and fields without the verification address (dates as ISO text),
    canonical JSON, SHA-256. Templates and fonts are not data: they do not change it either."""
    data = {k: v for k, v in fields.items() if k not in ADDRESS_FIELDS}
    text = json.dumps([kind, data], sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded(session: Session, dossier_id: int, kind: str, fields: dict) -> Recorded | None:
    """The signed document recorded for the dossier's document of ``kind`` with ``fields`` (found by its data),
    else the dossier's latest one of the kind while no event has issued the kind anew; or None."""
    row = session.execute(select(SignedDocument).where(
        SignedDocument.kind == kind, SignedDocument.document_key == document_key(kind, fields))).scalar_one_or_none()
    return Recorded.of(row) if row is not None else _still_current(session, dossier_id, kind, fields)


def _still_current(session: Session, dossier_id: int, kind: str, fields: dict) -> Recorded | None:
    row = session.execute(select(SignedDocument).where(SignedDocument.dossier_id == dossier_id,
                                                       SignedDocument.kind == kind)
                          .order_by(SignedDocument.id.desc()).limit(1)).scalar_one_or_none()
    if row is None or (kind == "certificate" and row.serial != fields.get("serial")):
        return None
    issued = session.execute(select(AuditEntry.at).where(
        AuditEntry.dossier_id == dossier_id, AuditEntry.action.in_(ISSUING_ACTIONS[kind]))
        .order_by(AuditEntry.seq.desc()).limit(1)).scalar_one_or_none()
    if issued is not None and _moment(issued) >= _moment(row.issued_at):
        return None  # issued anew since (e.g. an amendment left unsigned): the record is not the document
    return Recorded.of(row)


def _moment(stamp: str) -> dt.datetime:
    """A stored time stamp (UTC when it names no zone); one that is not a time counts as the latest possible."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def recorded_for(session: Session, dossier_id: int, serial: str) -> list[Recorded]:
    """Every signed document recorded for the dossier, its certificates only under ``serial``: what the
    verification page of that serial recognises."""
    rows = session.execute(select(SignedDocument).where(SignedDocument.dossier_id == dossier_id)
                           .order_by(SignedDocument.id)).scalars()
    return [Recorded.of(r) for r in rows if r.kind != "certificate" or r.serial == serial]


def file_problem(folder: Path, record: Recorded) -> tuple[str, bytes | None]:
    """("", the file) when the recorded file is there and is the one recorded; else ("missing"|"altered", None)."""
    try:
        data = (folder / record.filename).read_bytes()
    except FileNotFoundError:
        return "missing", None
    return ("", data) if digest(data) == record.signed_sha256 else ("altered", None)


def read_recorded(folder: Path, record: Recorded) -> bytes:
    """The recorded file, checked against its SHA-256; ``SignedFileError`` (and a log line) when it is missing
    or altered."""
    problem, data = file_problem(folder, record)
    if not problem:
        return data
    LOG.error("hồ sơ %s: tệp đã ký của %s (%s, cấp lúc %s) %s: %s", record.dossier_id, record.kind,
              record.filename, record.issued_at, "bị thiếu" if problem == "missing" else "đã bị thay đổi",
              folder / record.filename)
    if problem == "missing":
        raise SignedFileError(N_("Tệp đã ký số của văn bản này (cấp ngày %(day)s) không còn trong thư mục lưu trữ "
                                 "(%(name)s): không tải được văn bản đã cấp. Quản trị hệ thống cần khôi phục tệp "
                                 "từ bản sao lưu.", day=_day(record.issued_at), name=record.filename))
    raise SignedFileError(N_("Tệp đã ký số của văn bản này (cấp ngày %(day)s) đã bị thay đổi sau khi cấp (%(name)s: "
                             "mã SHA-256 không khớp với bản đã ghi nhận): không tải được văn bản đã cấp. Quản trị hệ "
                             "thống cần khôi phục tệp từ bản sao lưu.", day=_day(record.issued_at),
                             name=record.filename))


def _day(stamp: str) -> str:
    return f"{local_date(stamp):%d/%m/%Y}"


def new_record(dossier_id: int, kind: str, fields: dict, unsigned: bytes, signed: bytes, event: str
               ) -> SignedDocument:
    """The row recording that ``signed`` (the file kept for ``unsigned``) was issued as the document of ``kind``
    with ``fields``, by ``event``; not added to any session."""
    return SignedDocument(dossier_id=dossier_id, kind=kind, serial=fields.get("serial") if kind == "certificate"
                          else None, document_key=document_key(kind, fields), unsigned_sha256=digest(unsigned),
                          signed_sha256=digest(signed), event=event, issued_at=now())


def save(session: Session, rows: list[SignedDocument]) -> None:
    """Add the rows whose document is not recorded yet (a document is recorded once)."""
    for row in rows:
        exists = session.execute(select(SignedDocument.id).where(
            SignedDocument.kind == row.kind, SignedDocument.document_key == row.document_key)).first()
        if exists is None:
            session.add(row)
    session.flush()


def save_apart(service, rows: list[SignedDocument]) -> None:
    """``save`` in a transaction of its own; a concurrent issuance that recorded the same document first wins
    (the kept file is the first one written, ``SignedStore.put``)."""
    if not rows:
        return
    try:
        with service.transaction() as s:
            save(s, rows)
    except IntegrityError:
        LOG.info("văn bản đã ký vừa được ghi nhận bởi một lần cấp khác")
