"""Signed documents, signed once and kept: ``instance/signed/<sha256 of the unsigned PDF>.pdf``.

The unsigned bytes of a document are deterministic (same data, same bytes), so they name its signed file: a
download renders the document, looks its signed file up and serves that (or the unsigned bytes, saying so,
when none was signed). ``Signing`` is the deployment's setup (``Settings``: the key configuration, the store);
``issue`` signs a document with the key of its issuing body and date and stores it, at issuance only.

Rendering belongs to ``certificates``, which this layer does not import: callers pass ``render(kind, fields)``,
returning the unsigned PDF and where its signature goes (``certificates.signature.signable_pdf``).

Whether a document is signed is known without rendering it: signing also writes ``index/<key>``, the key a hash
of the document's data (``fields_key``: kind and fields, from which the unsigned bytes follow), holding the
name of the signed file. A page asks ``is_signed(kind, fields)``: one small read and one stat, no PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..config import Settings
from ..models import Dossier
from .issuers import documents_for
from .keys import KeysConfig, OpenKey, load_keys, open_key
from .names import issuing_unit
from .signing import Appearance, Placement, sign_pdf
from .signing_check import revoked_entries

BODY_OF = {"certificate": "decision", "decision": "decision", "revocation": "decision", "minutes": "minutes"}
Render = Callable[[str, dict], tuple[bytes, object]]


def digest(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


class SignedStore:
    """Signed files in a folder, each named by the SHA-256 of the unsigned document it signs."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, unsigned: bytes) -> Path:
        return self.folder / f"{digest(unsigned)}.pdf"

    def get(self, unsigned: bytes) -> bytes | None:
        path = self.path(unsigned)
        return path.read_bytes() if path.is_file() else None

    def put(self, unsigned: bytes, signed: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(unsigned)
        _write(path, signed)
        return path

    def remember(self, kind: str, fields: dict, unsigned: bytes) -> None:
        """Note that the document of ``kind`` with ``fields`` renders to ``unsigned`` (whose signed file is
        stored), so that ``is_signed`` need not render it."""
        entry = self.folder / "index" / fields_key(kind, fields)
        name = self.path(unsigned).name
        if not entry.is_file() or entry.read_text(encoding="ascii") != name:
            entry.parent.mkdir(parents=True, exist_ok=True)
            _write(entry, name.encode("ascii"))

    def is_signed(self, kind: str, fields: dict) -> bool:
        """Whether the document of ``kind`` with ``fields`` was signed and its signed file is stored."""
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


def _write(path: Path, data: bytes) -> None:
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)  # atomic: a reader sees the whole file or none


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


def served(signing: Signing, kind: str, fields: dict, render: Render) -> tuple[bytes, bool]:
    """The document to hand out: its stored signed file, else the unsigned bytes; and whether it is signed."""
    pdf, _spot = render(kind, fields)
    stored = signing.store.get(pdf)
    return (stored, True) if stored is not None else (pdf, False)


def issue(signing: Signing, session: Session, dossier: Dossier, kind: str, fields: dict, render: Render
          ) -> tuple[bytes, bool]:
    """Sign the document with the key of its issuing body and date and store it (once: a document already
    signed is not signed again); (the document, signed?). No key configured: the unsigned bytes, False. An
    expired, not yet valid or revoked key raises ``SigningRefused``."""
    pdf, spot = render(kind, fields)
    stored = signing.store.get(pdf)
    if stored is not None:
        signing.store.remember(kind, fields, pdf)
        return stored, True
    day = document_day(kind, fields)
    signed = sign_and_store(signing, issuing_unit_code(dossier, kind, day), BODY_OF[kind], day, pdf, spot,
                            appearance(kind, fields, signing.config.demo if signing.config else False))
    if signed is None:
        return pdf, False
    signing.store.remember(kind, fields, pdf)
    return signed, True


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
    signing.store.put(pdf, signed)
    return signed
