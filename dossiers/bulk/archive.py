"""The checks of an XLSX archive before openpyxl reads any of it, each refused with a ``ReadError`` that names
its limit (``table`` holds the limits):

1. its number of parts and its decompressed size, from the zip's central directory (``zipfile`` never
   decompresses a part beyond the size given there: a part that says less fails its CRC check);
2. no part declares a DTD (parsed with defusedxml up to its root element): without one no part can declare an
   entity, whatever parser reads it afterwards (openpyxl parses through defusedxml too);
3. the size of every part openpyxl reads whole (all but the worksheets), and the XML elements of every part:
   in all (time) and held at once by a parser (memory). openpyxl streams the rows of a worksheet and the
   strings of the shared-strings part, one at a time, and holds everything else of a part until its end,
   whatever its tags; so a 200 KB file of empty elements is refused here rather than held as gigabytes.

The worksheets and the shared strings are found as openpyxl finds them (content types, workbook relationships).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from engine.messages import N_

from .table import (
    MAX_HELD_ELEMENTS,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_UNPACKED_BYTES,
    MAX_XML_ELEMENTS,
    ReadError,
    megabytes,
    quote,
)

CONTENT_TYPES = "[Content_Types].xml"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CHUNK = 64 * 1024
WHOLE_PARTS = {CONTENT_TYPES, "xl/styles.xml", "docProps/core.xml", "docProps/custom.xml"}  # fixed in openpyxl


@dataclass
class Scan:
    """What the checks of one archive counted so far."""

    book: zipfile.ZipFile
    name: str
    elements: int = 0  # in every part counted so far
    counted: set[str] = field(default_factory=set)

    def refuse(self, part: str, what: str) -> ReadError:
        return ReadError(N_("%(file)s: phần %(part)s của tệp XLSX %(what)s", file=self.name, part=quote(part), what=what))

    def check_size(self, part: str, size: int) -> None:
        """A part openpyxl reads whole."""
        if size > MAX_PART_BYTES:
            raise self.refuse(part, N_("giải nén ra %(size)s MB, vượt giới hạn %(limit)s MB cho một phần không "
                                       "phải trang tính", size=megabytes(size), limit=megabytes(MAX_PART_BYTES)))


def check_sizes(book: zipfile.ZipFile, name: str) -> dict[str, int]:
    """The first check (the central directory only: nothing is decompressed); part name → size."""
    parts = {info.filename: info.file_size for info in book.infolist()}
    if len(parts) > MAX_PARTS:
        raise ReadError(N_("%(file)s: tệp XLSX có %(count)s phần, vượt giới hạn %(limit)s phần", file=name,
                           count=len(parts), limit=MAX_PARTS))
    total = sum(parts.values())
    if total > MAX_UNPACKED_BYTES:
        raise ReadError(N_("%(file)s: tệp XLSX giải nén ra %(size)s MB, vượt giới hạn %(limit)s MB", file=name,
                           size=megabytes(total), limit=megabytes(MAX_UNPACKED_BYTES)))
    return parts


def check_book(book: zipfile.ZipFile, name: str) -> None:
    """Every check of the module's docstring, in its order."""
    parts = check_sizes(book, name)
    scan = Scan(book, name)
    for part in parts:  # every part: openpyxl finds some by their content type, whatever their name
        refuse_dtd(scan, part)
    sheets, strings = streamed_parts(scan, parts)
    for part, size in parts.items():
        if part not in sheets:
            scan.check_size(part, size)
        count(scan, part, f"{MAIN}row" if part in sheets else f"{MAIN}si" if part == strings else None)


def refuse_dtd(scan: Scan, part: str) -> None:
    """Parse ``part`` up to its root element, refusing a DTD (a real spreadsheet never has one)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        with scan.book.open(part) as stream:
            next(iter(iterparse(stream, events=("start",), forbid_dtd=True)), None)
    except DefusedXmlException:
        raise scan.refuse(part, N_("có khai báo DTD hoặc thực thể XML; Excel và LibreOffice không bao giờ ghi "
                                   "như vậy, tệp bị từ chối để bảo vệ máy chủ")) from None
    except ParseError:
        pass  # not XML (an image…): openpyxl refuses it if it reads it


class Counter:
    """A parser target that counts the elements of a part as a parser that streams ``streamed`` elements one by
    one (and holds the rest until the end of the part) holds them; it builds nothing."""

    def __init__(self, scan: Scan, part: str, streamed: str | None):
        self.scan, self.part, self.streamed = scan, part, streamed
        self.depth = self.unit = 0  # unit: the depth of the streamed element being read, 0 outside one
        self.held = self.inside = 0

    def start(self, tag: str, attrib: dict) -> None:
        self.depth += 1
        self.scan.elements += 1
        if not self.unit and tag == self.streamed:
            self.unit, self.inside = self.depth, 0
        elif self.unit:
            self.inside += 1
        else:
            self.held += 1
        if self.held > MAX_HELD_ELEMENTS or self.inside > MAX_HELD_ELEMENTS:
            raise self.scan.refuse(self.part, N_("có hơn %(limit)s phần tử XML ngoài các dòng dữ liệu, hoặc trong "
                                                 "một dòng, vượt giới hạn", limit=MAX_HELD_ELEMENTS))
        if self.scan.elements > MAX_XML_ELEMENTS:
            raise self.scan.refuse(self.part, N_("đưa tổng số phần tử XML của tệp lên hơn %(limit)s, vượt giới hạn",
                                                 limit=MAX_XML_ELEMENTS))

    def end(self, tag: str) -> None:
        if self.depth == self.unit:
            self.unit = 0
        self.depth -= 1


def count(scan: Scan, part: str, streamed: str | None) -> None:
    """Count the elements of ``part`` (``Counter``), refusing it beyond the limits."""
    from xml.etree.ElementTree import ParseError, XMLParser  # the C parser: no DTD is left, so no entity

    if part in scan.counted:
        return
    scan.counted.add(part)
    parser = XMLParser(target=Counter(scan, part, streamed))
    try:
        with scan.book.open(part) as stream:
            while chunk := stream.read(CHUNK):
                parser.feed(chunk)
            parser.close()
    except ParseError:
        pass  # not XML, or broken: openpyxl refuses it if it reads it


def streamed_parts(scan: Scan, parts: dict[str, int]) -> tuple[set[str], str | None]:
    """The worksheets of the workbook and its shared-strings part, found as openpyxl finds them (the parts it
    reads to find them are checked first)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.xml.constants import SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX
    from openpyxl.xml.functions import fromstring

    if CONTENT_TYPES not in parts:
        return set(), None  # openpyxl refuses it
    _whole(scan, CONTENT_TYPES, parts)
    manifest = Manifest.from_tree(fromstring(scan.book.read(CONTENT_TYPES)))
    found = [manifest.find(kind) for kind in (XLTM, XLTX, XLSM, XLSX)]
    workbook = next((p.PartName[1:] for p in found if p), "xl/workbook.xml")
    shared = manifest.find(SHARED_STRINGS)
    strings = shared.PartName[1:] if shared else None
    rels = get_rels_path(workbook)
    if rels not in parts:
        return set(), strings
    _whole(scan, rels, parts)
    links = get_dependents(scan.book, rels)
    if any("chartsheet" in (r.Type or "") for r in links):
        return set(), strings  # openpyxl reads chart sheets, and their drawings, whole
    whole = WHOLE_PARTS | {workbook, rels, strings}
    whole |= {r.target for r in links if not (r.Type or "").endswith("/worksheet")}
    sheets = {r.target for r in links if (r.Type or "").endswith("/worksheet")}
    return {s for s in sheets if s not in whole and not s.endswith(".rels")}, strings


def _whole(scan: Scan, part: str, parts: dict[str, int]) -> None:
    """Check a part openpyxl reads whole, before it is read here to find the others."""
    scan.check_size(part, parts[part])
    count(scan, part, None)
