"""The signed documents issued, recorded in the database (``SignedDocument``): which signed file is the document of
a dossier, whatever changes later.

A signed file is kept as ``signed/<SHA-256 of the unsigned PDF>.pdf``. Finding it again by rendering the document
afresh works only while the rendering gives the same bytes: a new base URL (it is in the certificate's QR code), a
template or a font changes them. So issuance records, per dossier and kind, the document's data as a key
(``document_key``: kind and fields, the verification address left out), the unsigned digest that names the file
and the file's own SHA-256. A download looks the record up by the document's data and serves the recorded file
after checking its SHA-256: a file missing or altered is a ``SignedFileError`` (logged), never an unsigned
substitute. Documents signed before the records existed have none: they are still found by a fresh render, and
recorded by ``cfc signing issue``.
"""

from __future__ import annotations

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
from ..models import SignedDocument

LOG = logging.getLogger("cfc.signing")
ADDRESS_FIELDS = ("verify_url",)  # where the deployment is reached, not what the document says


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


def recorded(session: Session, kind: str, fields: dict) -> Recorded | None:
    """The signed document recorded for the document of ``kind`` with ``fields``, or None."""
    row = session.execute(select(SignedDocument).where(
        SignedDocument.kind == kind, SignedDocument.document_key == document_key(kind, fields))).scalar_one_or_none()
    return Recorded.of(row) if row is not None else None


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
