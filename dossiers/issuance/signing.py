"""Signing a document with pyHanko: PAdES baseline B-B, B-T when a timestamp server is configured.

The signature is an incremental update: the signed file starts with the unsigned bytes, unchanged (the same
input still gives the same unsigned bytes), and adds a signature field whose visible appearance, in the
document's signature block (``Placement``, from ``certificates.signature``), names the signer, their title, the
issuing body and the date. A key outside its validity period is refused, as is a key the configured revocation
lists name.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from engine.errors import CfcError
from engine.messages import N_

from ..audit import VIETNAM
from .keys import OpenKey

FIELD = "ChuKySo"  # the signature field's name


class SigningRefused(CfcError):
    """The key may not sign now (expired, not yet valid, revoked); nothing is signed. Its message is a ``Message``
    (``engine.messages``): Vietnamese as a string, rendered again in the reader's language."""


@dataclass(frozen=True)
class Placement:
    """Where the appearance goes (page from 0; x1, y1, x2, y2 in PDF points) and the font that draws it."""

    page: int
    box: tuple[float, float, float, float]
    font: str


@dataclass(frozen=True)
class Appearance:
    signer: str  # the person's name ("" when the document names nobody)
    title: str  # "CHỦ TỊCH", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"
    body: str  # the issuing body, "ỦY BAN NHÂN DÂN TỈNH KON TUM"
    demo: bool = False  # signed with the demo's authority

    def text(self, now: dt.datetime) -> str:
        """The lines of the appearance (``%`` escaped for pyHanko's template)."""
        lines = [f"Ký bởi: {self.signer}" if self.signer else "", self.title, self.body,
                 f"Ngày ký: {now.astimezone(VIETNAM):%d/%m/%Y %H:%M} (giờ Việt Nam)"]
        if self.demo:
            lines.append("CHỮ KÝ THỬ của bản demo: không có giá trị pháp lý")
        return "\n".join(line.replace("%", "%%") for line in lines if line)


@functools.cache
def _font_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def font_factory(path: str):
    """pyHanko's TrueType font engine, reading the font from memory: its own factory opens the file and never
    closes it."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class InMemory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(_font_bytes(self.font_file)),
                                    font_size=self.font_size, obj_stream=obj_stream)

    return InMemory(path)


def check_validity(key: OpenKey, now: dt.datetime | None = None, revoked: set[int] | None = None) -> None:
    """Refuse a key whose certificate is expired, not yet valid, or revoked (its serial in ``revoked``)."""
    now = now or dt.datetime.now(dt.UTC)
    cert = key.certificate
    if cert.not_valid_after_utc < now:
        raise SigningRefused(N_("khóa %(key)s đã hết hạn ngày %(day)s (chứng thư %(subject)s): không ký",
                                key=key.where, day=_day(cert.not_valid_after_utc), subject=_subject(cert)))
    if cert.not_valid_before_utc > now:
        raise SigningRefused(N_("khóa %(key)s chỉ có hiệu lực từ ngày %(day)s: không ký", key=key.where,
                                day=_day(cert.not_valid_before_utc)))
    if revoked and cert.serial_number in revoked:
        raise SigningRefused(N_("khóa %(key)s (chứng thư %(subject)s) đã bị thu hồi: không ký", key=key.where,
                                subject=_subject(cert)))


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y")


def _subject(cert) -> str:
    return cert.subject.rfc4514_string()


def sign_pdf(pdf: bytes, key: OpenKey, placement: Placement, appearance: Appearance,
             timestamp_url: str | None = None, revoked: set[int] | None = None) -> bytes:
    """``pdf`` signed by ``key`` (PAdES B-B; B-T with ``timestamp_url``), appearance in ``placement``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.stamp import TextStampStyle

    now = dt.datetime.now(dt.UTC)
    check_validity(key, now, revoked)
    style = TextStampStyle(
        stamp_text=appearance.text(now), border_width=1, background=None,
        text_box_style=TextBoxStyle(font=font_factory(placement.font), font_size=7, leading=9),
        inner_content_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID,
                                                 inner_content_scaling=InnerScaling.SHRINK_TO_FIT))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        name=appearance.signer or None, location=appearance.body or None, reason="Ký số văn bản điện tử")
    box = tuple(round(v) for v in placement.box)  # pyHanko's layout takes whole points
    spec = fields.SigFieldSpec(sig_field_name=FIELD, on_page=placement.page, box=box)
    timestamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    pdf_signer = signers.PdfSigner(meta, signer=key.signer, timestamper=timestamper, stamp_style=style,
                                   new_field_spec=spec)
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    try:
        pdf_signer.sign_pdf(writer, output=out)
    except (OSError, ValueError, CfcError):
        raise
    except Exception as exc:  # the token's or the timestamp server's own errors (PKCS#11, HTTP): a refusal
        error = f"{type(exc).__name__}: {exc}"[:400]
        raise SigningRefused(N_("khóa %(key)s không ký được: %(error)s", key=key.where, error=error)) from exc
    return out.getvalue()
