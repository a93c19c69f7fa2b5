"""The revocation decision (Quyết định thu hồi công nhận): A4 portrait, laid out as the recognition decision.

The body that recognised revokes: its header and number beside the national name and the place and date; the
summary; who decides; the legal grounds in italics; "QUYẾT ĐỊNH:"; article 1 revokes the commune's recognition
by the recognition decision it names (number and date) and gives the reason; article 2 says when it takes
effect and that the certificate loses its validity; article 3 says who carries it out; then the recipients
beside the signer's capacity, title and name.
"""

from __future__ import annotations

from reportlab.platypus import Paragraph

from .canvas import sample_notice
from .data import Metadata, RevocationData
from .dates import long_date
from .decision import closing, opening
from .document import build_document, styles
from .page import PORTRAIT, PORTRAIT_MARGINS, content_box
from .text import escape


def summary(data: RevocationData) -> str:
    return (f"Về việc thu hồi công nhận {data.commune} đạt tiêu chuẩn {data.unit_phrase} phù hợp với trẻ em "
            f"năm {data.year}")


def _where(data: RevocationData) -> str:
    return ", ".join(p for p in (data.district, data.province) if p)


def _articles(data: RevocationData, st: dict) -> list:
    first = (f"<b>Điều 1.</b> Thu hồi công nhận {escape(data.commune)} ({escape(_where(data))}) đạt tiêu chuẩn "
             f"{escape(data.unit_phrase)} phù hợp với trẻ em năm {data.year} tại Quyết định số "
             f"{escape(data.recognition_number)} {long_date(data.recognition_date)}.")
    out = [Paragraph(first, st["body"])]
    if data.reason.strip():
        out.append(Paragraph(f"Lý do thu hồi: {escape(data.reason.strip().rstrip('.'))}.", st["body"]))
    second = "<b>Điều 2.</b> Quyết định này có hiệu lực kể từ ngày ký."
    if data.certificate_serial:
        second += (f" Giấy công nhận số hiệu {escape(data.certificate_serial)} cấp cho {escape(data.commune)} "
                   "hết hiệu lực kể từ ngày Quyết định này có hiệu lực.")
    out.append(Paragraph(second, st["body"]))
    out.append(Paragraph(f"<b>Điều 3.</b> {escape(data.executors)}/.", st["body"]))
    return out


def revocation_flowables(data: RevocationData, avail_width: float) -> list:
    st = styles()
    articles = _articles(data, st)
    return [*opening(data, summary(data), st, avail_width), *articles[:-1], closing(articles[-1], data)]


def revocation_pdf(data: RevocationData, spots: list | None = None) -> bytes:
    """The revocation decision as PDF bytes (same data, same bytes)."""
    avail = content_box(PORTRAIT, PORTRAIT_MARGINS).width
    meta = Metadata(title=f"Quyết định số {data.number}: {summary(data)}", author=" ".join(data.issuer.body),
                    subject=summary(data), keywords=(data.number, data.recognition_number))
    notice = sample_notice(data.criteria_version) if data.provisional else None
    return build_document(revocation_flowables(data, avail), created=data.date, metadata=meta, notice=notice,
                          spots=spots)
