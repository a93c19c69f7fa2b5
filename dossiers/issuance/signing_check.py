"""Checking the signatures of a PDF (pyHanko's validator), offline: is each signature intact (the signed bytes
unchanged), does it cover the whole file, does its certificate chain to a configured trust root, and was the key
expired or revoked (the configured revocation lists) — plainly, for the verification page and ``cfc
certificates check``. Nothing is fetched from the network. Labels and notes are ``Message``s (``engine.messages``):
Vietnamese as strings, rendered again in the reader's language."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from engine.messages import N_

from .keys import KeysConfig
from .pdf_bounds import check_bounds, decode_limits, too_complex

SIGNATURE_LABELS = {
    "valid": N_("Chữ ký số hợp lệ, còn nguyên vẹn, chứng thư do cơ quan chứng thực được tin cậy cấp"),
    "untrusted": N_("Chữ ký số còn nguyên vẹn nhưng chứng thư không thuộc cơ quan chứng thực được cấu hình tin cậy"),
    "expired": N_("Chữ ký số được tạo bằng khóa đã hết hạn"),
    "revoked": N_("Chữ ký số được tạo bằng khóa đã bị thu hồi"),
    "altered": N_("Tệp đã bị sửa sau khi ký: chữ ký số không còn nguyên vẹn"),
    "unsigned": N_("Tệp không có chữ ký số"),
    "unreadable": N_("Không đọc được tệp PDF"),
}


MAX_SIGNATURES = 10  # a document of ours has one; an upload with thousands is not checked one by one


@dataclass
class SignatureCheck:
    status: str  # a key of SIGNATURE_LABELS
    signer: str = ""
    issuer: str = ""
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    whole_file: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return SIGNATURE_LABELS[self.status]

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    def as_dict(self) -> dict:
        return {"status": self.status, "label": self.label, "signer": self.signer, "issuer": self.issuer,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "timestamped": self.timestamped, "whole_file": self.whole_file, "notes": self.notes}


def _load_certs(paths: list[Path]) -> list:
    from asn1crypto import pem, x509

    certs = []
    for path in paths:
        data = path.read_bytes()
        for _kind, _headers, der in (pem.unarmor(data, multiple=True) if pem.detect(data) else [(0, 0, data)]):
            certs.append(x509.Certificate.load(der))
    return certs


def _load_crls(paths: list[Path]) -> list:
    from asn1crypto import crl, pem

    out = []
    for path in paths:
        data = path.read_bytes()
        out.append(crl.CertificateList.load(pem.unarmor(data)[2] if pem.detect(data) else data))
    return out


def revoked_entries(config: KeysConfig | None) -> dict[tuple[bytes, int], dt.datetime]:
    """(issuer name DER, serial number) → revocation time, of every certificate the configured revocation lists
    name. Checked directly: pyHanko's validator consults a list only for certificates that point to one."""
    from cryptography import x509

    out: dict[tuple[bytes, int], dt.datetime] = {}
    for path in config.trust.crls if config else []:
        data = path.read_bytes()
        crl = x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else x509.load_der_x509_crl(data)
        for entry in crl:
            out[(crl.issuer.public_bytes(), entry.serial_number)] = entry.revocation_date_utc
    return out


def validation_context(config: KeysConfig | None, moment: dt.datetime | None = None):
    from pyhanko_certvalidator import ValidationContext

    roots = _load_certs(config.trust.roots) if config else []
    crls = _load_crls(config.trust.crls) if config else []
    return ValidationContext(trust_roots=roots, crls=crls, allow_fetching=False, revocation_mode="soft-fail",
                             moment=moment)


def check_signatures(data: bytes, config: KeysConfig | None) -> list[SignatureCheck]:
    """One check per signature of ``data`` (an empty list: unsigned); ``[unreadable]`` when it is no PDF.
    A file that would take too much work (``pdf_bounds``: too many objects, streams that decompress to too
    much) raises ``TooComplex``, saying why."""
    from pyhanko.pdf_utils.misc import PdfDecodeLimitError
    from pyhanko.pdf_utils.reader import PdfFileReader

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # a hostile file is our answer, not a log line
    check_bounds(data)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False, decode_limits=decode_limits())
        signatures = list(reader.embedded_signatures)
    except PdfDecodeLimitError:
        raise too_complex() from None
    except Exception:  # pyHanko's reader raises many kinds on a damaged or hostile file
        return [SignatureCheck("unreadable")]
    revoked = revoked_entries(config)
    return [_check_one(sig, config, revoked) for sig in signatures[:MAX_SIGNATURES]]


def _check_one(sig, config: KeysConfig | None, revoked: dict) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfDecodeLimitError
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        # no difference analysis of later revisions: on a hostile upload it is the slow part, and a file with
        # anything after the signature is reported anyway (``whole_file``)
        status = validate_pdf_signature(sig, validation_context(config), skip_diff=True)
    except PdfDecodeLimitError:
        raise too_complex() from None
    except Exception as exc:  # a signature dictionary the validator cannot read: not a valid signature
        return SignatureCheck("altered", notes=[f"{type(exc).__name__}: {exc}"[:300]])
    cert = status.signing_cert
    check = SignatureCheck("valid", signer=_common_name(cert.subject), issuer=_common_name(cert.issuer),
                           signed_at=status.signer_reported_dt, timestamped=status.timestamp_validity is not None,
                           whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE")
    if not (status.intact and status.valid):
        check.status = "altered"
    elif status.revoked or (cert.issuer.dump(), cert.serial_number) in revoked:
        check.status = "revoked"
        when = revoked.get((cert.issuer.dump(), cert.serial_number))
        if when is None and status.revocation_details is not None:
            when = status.revocation_details.revocation_date
        if when is not None:
            check.notes.append(N_("thu hồi ngày %(day)s", day=when.strftime("%d/%m/%Y")))
    elif _expired(cert, status):
        check.status = "expired"
        check.notes.append(N_("chứng thư hết hạn ngày %(day)s",
                              day=cert["tbs_certificate"]["validity"]["not_after"].native.strftime("%d/%m/%Y")))
    elif not status.trusted:
        check.status = "untrusted"
    if not check.whole_file and check.status != "altered":  # bytes after the signed ones can change the pages
        check.status = "altered"
        check.notes.append(N_("tệp có thêm nội dung sau chữ ký (không phải toàn bộ tệp được ký)"))
    return check


def _expired(cert, status) -> bool:
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    when = status.signer_reported_dt or dt.datetime.now(dt.UTC)
    indic = status.trust_problem_indic
    return not_after < when or (indic is not None and "EXPIRED" in indic.name)


def _common_name(name) -> str:
    return name.native.get("common_name") or name.human_friendly
