"""Signed documents, signed once and kept: ``instance/signed/<sha256 of the unsigned PDF>.pdf``, each recorded at
issuance in the database (``signing_records``).

A download looks the document's record up by its data and serves the recorded file, checked against its SHA-256
(a missing or altered file is a ``SignedFileError``, never an unsigned substitute). A document without a record
(signed before the records existed, or never signed) is rendered, and its signed file looked up by the unsigned
bytes, which are deterministic (same data, same bytes); none: the unsigned bytes, saying so. ``Signing`` is the
deployment's setup (``Settings``: the key configuration, the store); ``issue`` signs a document with the key of its
issuing body and date, stores it and makes its record, at issuance only.

Rendering belongs to ``certificates``, which this layer does not import: callers pass ``render(kind, fields)``,
returning the unsigned PDF and where its signature goes (``certificates.signature.signable_pdf``).

Whether a document is signed is known without rendering it (``state``): its record and one read of its file, or,
for a document signed before the records, ``index/<key>`` (a hash of the document's data, ``fields_key``) naming
its signed file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..config import Settings
from ..models import Dossier, SignedDocument
from .issuers import documents_for
from .keys import KeysConfig, OpenKey, load_keys, open_key
from .names import issuing_unit
from .signing import Appearance, Placement, sign_pdf
from .signing_check import revoked_entries
from .signing_records import digest, file_problem, new_record, read_recorded, recorded, save

BODY_OF = {"certificate": "decision", "decision": "decision", "revocation": "decision", "minutes": "minutes"}
Render = Callable[[str, dict], tuple[bytes, object]]


class SignedStore:
    """Signed files in a folder, each named by the SHA-256 of the unsigned document it signs."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, unsigned: bytes) -> Path:
        return self.folder / f"{digest(unsigned)}.pdf"

    def get(self, unsigned: bytes) -> bytes | None:
        path = self.path(unsigned)
        return path.read_bytes() if path.is_file() else None

    def put(self, unsigned: bytes, signed: bytes) -> bytes:
        """Keep ``signed`` as the signed file of ``unsigned``, unless one is kept already (signed at the same time
        elsewhere): the first one written stays, and is returned."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(unsigned)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(signed)
        try:
            os.link(partial, path)  # atomic, and never replaces a kept file
        except FileExistsError:
            pass
        finally:
            partial.unlink()
        return path.read_bytes()

    def is_signed(self, kind: str, fields: dict) -> bool:
        """Whether the document of ``kind`` with ``fields`` was signed before records existed, and its signed file
        is stored (``index/<fields_key>``, written by the signing of that time)."""
        entry = self.folder / "index" / fields_key(kind, fields)
        try:
            name = entry.read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return False
        return len(name) == 68 and (self.folder / name).is_file()


def fields_key(kind: str, fields: dict) -> str:
    """The document's data as a key: its kind and fields (dates as ISO text), canonical JSON, SHA-256."""
    text = json.dumps([kind, fields], sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Signing:
    """The deployment's signing: its key configuration (None: documents stay unsigned) and its store."""

    config_path: Path | None
    config: KeysConfig | None
    store: SignedStore
    secret: Callable[[str], str | None]

    @classmethod
    def from_settings(cls, settings: Settings) -> Signing:
        path = settings.signing_keys_file()
        config = load_keys(path) if path is not None else None
        return cls(path, config, SignedStore(settings.instance_dir / "signed"), settings.environment_secret)

    def key(self, unit: str, body: str, day: dt.date) -> OpenKey | None:
        """The opened key of ``unit``'s ``body`` documents dated ``day``; None when none is configured."""
        if self.config is None:
            return None
        entry = self.config.key_for(unit, body, day)
        if entry is None:
            return None
        return open_key(self.config_path, self.config.keys.index(entry), entry, self.secret)

    def revoked_serials(self) -> set[int]:
        """Serial numbers of the certificates the configured revocation lists name (refused at signing)."""
        return {serial for _issuer, serial in revoked_entries(self.config)}


def document_day(kind: str, fields: dict) -> dt.date:
    return fields["decision_date"] if kind == "certificate" else fields["date"]


def signer_fields(kind: str, fields: dict) -> dict:
    return fields["appraiser"] if kind == "minutes" else fields["issuer"]


def appearance(kind: str, fields: dict, demo: bool) -> Appearance:
    who = signer_fields(kind, fields)
    title = " ".join(x for x in (who.get("signer_capacity", ""), who.get("signer_title", "")) if x)
    return Appearance(who.get("signer_name", ""), title, " ".join([*who.get("parent", []), *who["body"]]), demo)


def issuing_unit_code(dossier: Dossier, kind: str, day: dt.date) -> str:
    entry = documents_for(dossier.procedure, day)
    spec = entry.minutes if kind == "minutes" else entry.decision
    return issuing_unit(dossier.commune, spec.level).code


def served(signing: Signing, session: Session, dossier_id: int, kind: str, fields: dict, render: Render
           ) -> tuple[bytes, bool]:
    """The document to hand out and whether it is signed: the signed file recorded at issuance (checked:
    ``SignedFileError`` when it is missing or altered), else the stored signed file of a fresh render (signed
    before the records), else the unsigned bytes."""
    record = recorded(session, dossier_id, kind, fields)
    if record is not None:
        return read_recorded(signing.store.folder, record), True
    pdf, _spot = render(kind, fields)
    stored = signing.store.get(pdf)
    return (stored, True) if stored is not None else (pdf, False)


def state(store: SignedStore, session: Session, dossier_id: int, kind: str, fields: dict) -> str:
    """What a download of the document would be, without rendering it: "signed", "unsigned", or "missing" /
    "altered" when its recorded signed file is gone or changed (the download is refused then)."""
    record = recorded(session, dossier_id, kind, fields)
    if record is None:
        return "signed" if store.is_signed(kind, fields) else "unsigned"
    return file_problem(store.folder, record)[0] or "signed"


def issue(signing: Signing, session: Session, dossier: Dossier, kind: str, fields: dict, render: Render,
          event: str) -> tuple[bytes, bool, SignedDocument | None]:
    """Sign the document with the key of its issuing body and date and store it (once: a document already
    signed is not signed again); (the document, signed?, the new record to save or None). A document recorded
    already is its recorded file (checked); one signed before the records gets its record now. No key
    configured: the unsigned bytes, False. An expired, not yet valid or revoked key raises ``SigningRefused``."""
    record = recorded(session, dossier.id, kind, fields)
    if record is not None:
        return read_recorded(signing.store.folder, record), True, None
    pdf, spot = render(kind, fields)
    signed = signing.store.get(pdf)
    if signed is None:
        day = document_day(kind, fields)
        signed = sign_and_store(signing, issuing_unit_code(dossier, kind, day), BODY_OF[kind], day, pdf, spot,
                                appearance(kind, fields, signing.config.demo if signing.config else False))
    if signed is None:
        return pdf, False, None
    return signed, True, new_record(dossier.id, kind, fields, pdf, signed, event)


def issue_recorded(signing: Signing, session: Session, dossier: Dossier, kind: str, fields: dict, render: Render,
                   event: str) -> tuple[bytes, bool]:
    """``issue``, its new record saved in ``session`` (a writing transaction's); (the document, signed?)."""
    data, signed, record = issue(signing, session, dossier, kind, fields, render, event)
    if record is not None:
        save(session, [record])
    return data, signed


def sign_and_store(signing: Signing, unit: str, body: str, day: dt.date, pdf: bytes, spot,
                   look: Appearance) -> bytes | None:
    """``pdf`` signed with ``unit``'s key for ``body`` documents dated ``day`` and stored; None without a key."""
    stored = signing.store.get(pdf)
    if stored is not None:
        return stored
    key = signing.key(unit, body, day)
    if key is None:
        return None
    with key:
        signed = sign_pdf(pdf, key, Placement(spot.page, spot.box, spot.font), look, signing.config.timestamp_url,
                          signing.revoked_serials())
    return signing.store.put(pdf, signed)
