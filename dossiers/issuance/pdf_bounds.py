"""Bounds on the work of reading an untrusted PDF (an upload on the verification page, ``cfc certificates check``).

A small file can hold a stream that decompresses to gigabytes, or declare millions of objects. Before pyHanko
reads a file, ``check_bounds`` counts its objects from the raw bytes (object headers, the ``/Size`` of its
cross-reference sections, the ``/N`` of its object streams) and refuses more than ``MAX_OBJECTS``; while pyHanko
reads it, ``decode_limits`` caps what its stream decoders may produce (per stream and for the whole file,
pyHanko's own ``DecodeLimits``), and ``too_complex`` turns pyHanko's refusal into the same error. Our documents
are far below both caps: a decision for a whole province has a few hundred objects and decodes to under 1 MB.
"""

from __future__ import annotations

import re

from engine.errors import CfcError
from engine.messages import N_

MAX_OBJECTS = 20_000  # objects a checked PDF may declare
MAX_STREAM = 16 * 1024 * 1024  # bytes one stream may decode to
MAX_DECODED = 32 * 1024 * 1024  # bytes all streams of a file may decode to together

_HEADER = re.compile(rb"(?<![0-9])[0-9]{1,10}[ \t\r\n\f\0]+[0-9]{1,5}[ \t\r\n\f\0]+obj\b")
_DECLARED = re.compile(rb"/(Size|N)[ \t\r\n\f\0]*([0-9]{1,20})")


class TooComplex(CfcError):
    """A PDF that would take too much work to check; its message says why, in words."""


def check_bounds(data: bytes) -> None:
    """Raise ``TooComplex`` when ``data`` declares more than ``MAX_OBJECTS`` objects (cheap: two scans of the raw
    bytes, nothing decompressed)."""
    headers = sum(1 for _ in _HEADER.finditer(data))
    # a cross-reference section's /Size counts the free entry of object 0 too
    declared = max((int(n) - (key == b"Size") for key, n in _DECLARED.findall(data)), default=0)
    count = max(headers, declared)
    if count > MAX_OBJECTS:
        raise TooComplex(N_("Tệp PDF có quá nhiều đối tượng (%(n)s, tối đa %(max)s): không kiểm tra tệp này.",
                            n=count, max=MAX_OBJECTS))


def decode_limits():
    """pyHanko's decoding limits for an untrusted file: at most ``MAX_STREAM`` bytes from one stream, stacked
    compression refused, at most ``MAX_DECODED`` bytes in all."""
    from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget, StreamDecodeLimits

    return DecodeLimits(per_stream=StreamDecodeLimits(max_output_size=MAX_STREAM),
                        document_budget=DocumentDecodeBudget(base_allowance=MAX_DECODED, max_ratio=0))


def too_complex() -> TooComplex:
    """The error for a file whose streams decompress to more than the limits allow, or to more than their
    dictionaries declare (a cross-reference stream)."""
    return TooComplex(N_("Tệp PDF có dữ liệu nén giải nén ra quá lớn hoặc lớn hơn khai báo (giới hạn %(mb)s MB): "
                         "không kiểm tra tệp này.", mb=MAX_DECODED // (1024 * 1024)))
