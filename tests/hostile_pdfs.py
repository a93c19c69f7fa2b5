"""Hostile PDFs built in memory for the tests of ``dossiers.issuance.pdf_bounds``: small files that would make a
reader do a great deal of work (a stream that decompresses to hundreds of megabytes, hundreds of thousands of
objects). Each is a well-formed PDF that a reader must decode to find the document's signature fields."""

from __future__ import annotations

import zlib

MiB = 1024 * 1024


def _deflated(head: bytes, padding: int) -> bytes:
    """``head`` followed by ``padding`` spaces, deflated, without building the padding in memory."""
    c = zlib.compressobj(9)
    out = [c.compress(head)]
    block = b" " * MiB
    for _ in range(padding // MiB):
        out.append(c.compress(block))
    out.append(c.flush())
    return b"".join(out)


def object_stream_bomb(padding: int = 200 * MiB) -> bytes:
    """The form dictionary (object 4) sits in an object stream that decompresses to ``padding`` bytes more; a
    cross-reference stream says where it is."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {1: len(out)}
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>\nendobj\n"
    offsets[2] = len(out)
    out += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    body = _deflated(b"4 0 << /Fields [] >>", padding)
    offsets[3] = len(out)
    out += b"3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(body)
    out += body + b"\nendstream\nendobj\n"
    offsets[5] = len(out)
    rows = [b"\x00" + b"\x00" * 4 + b"\xff\xff"]
    rows += [b"\x01" + offsets[i].to_bytes(4, "big") + b"\x00\x00" for i in (1, 2, 3)]
    rows += [b"\x02" + (3).to_bytes(4, "big") + b"\x00\x00", b"\x01" + offsets[5].to_bytes(4, "big") + b"\x00\x00"]
    xref = zlib.compress(b"".join(rows))
    out += (b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(xref)) + xref + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[5]
    return bytes(out)


def many_objects(n: int = 100_000) -> bytes:
    """``n`` objects, each a signature field the form lists, in a classic cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = [len(out)]
    fields = b" ".join(b"%d 0 R" % i for i in range(3, n + 1))
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] >> >>\nendobj\n" % fields
    offsets.append(len(out))
    out += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    for i in range(3, n + 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n<< /FT /Sig >>\nendobj\n" % i
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (n + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n + 1, start)
    return bytes(out)
