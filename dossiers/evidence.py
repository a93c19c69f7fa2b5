"""Evidence files: size and type limits, content checked by its first bytes, stored by sha256."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from engine.errors import CfcError
from engine.messages import N_
from engine.numbers import format_number

from . import audit
from .models import Dossier, Evidence

# extension → (content type, signature the file must start with)
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
}


class UploadRefused(CfcError):
    """A file is too large or not of an accepted type; ``too_large`` tells the web layer to answer 413."""

    def __init__(self, message: str, too_large: bool = False):
        self.too_large = too_large
        super().__init__(message)


def safe_name(filename: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(filename or "")).strip()
    name = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", "_", name)
    return name[:200] or "file"


def check_upload(filename: str, content: bytes, limit: int) -> tuple[str, str]:
    """(safe file name, content type), or UploadRefused saying why; ``limit`` in bytes
    (``Settings.max_upload_bytes``)."""
    if len(content) > limit:
        raise UploadRefused(N_("%(file)s: %(size)s byte, vượt giới hạn %(limit)s MB", file=filename,
                               size=len(content), limit=format_number(limit / (1024 * 1024), decimals=2)),
                            too_large=True)
    if not content:
        raise UploadRefused(N_("%(file)s: tệp rỗng", file=filename))
    name = safe_name(filename)
    stem, _, ext = name.rpartition(".")
    ext = ext.lower() if stem.strip() else ""
    if ext not in ALLOWED:
        raise UploadRefused(N_("%(file)s: không nhận tệp loại .%(ext)s (chỉ nhận: %(accepted)s)", file=name,
                               ext=ext or "?", accepted=", ".join(sorted(ALLOWED))))
    content_type, magic = ALLOWED[ext]
    if not content.startswith(magic):
        raise UploadRefused(N_("%(file)s: nội dung không phải là tệp .%(ext)s thật", file=name, ext=ext))
    return name, content_type


def store_evidence(instance: Path, limit: int, dossier: Dossier, criterion: str, filename: str, content: bytes,
                   actor: str) -> Evidence:
    """Check the file, write it under ``instance``/evidence/<dossier>/<sha256> and return its row."""
    name, content_type = check_upload(filename, content, limit)
    digest = hashlib.sha256(content).hexdigest()
    folder = instance / "evidence" / str(dossier.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / digest
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(path)
    return Evidence(dossier_id=dossier.id, criterion=criterion, filename=name, content_type=content_type,
                    size=len(content), sha256=digest, stored_path=str(path.relative_to(instance)),
                    uploaded_by=actor, uploaded_at=audit.now())
