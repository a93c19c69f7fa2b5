"""Read the table of an XLSX file with openpyxl in read-only mode: the first sheet laid out for import (A1
``commune_code``, indicator codes in row 1), so a results workbook imports from its values sheet.

Before openpyxl reads anything, the archive is checked (``check_archive``, see ``archive``): its decompressed
size, the size and the XML elements of its parts, no DTD. While the sheet is read, its rows, columns and cell
lengths are checked (the limits are in ``table``).

A formula cell gives the value it had when last computed (Excel and LibreOffice store it); a formula without
one (a file written by a program that does not compute) is refused, naming the cell, not read as empty.
The sheet is read with its formulas first; only when it has any is it read a second time for their values.

A float cell 86.5 gives ``Decimal("86.5")``, never 86.4999…; a date gives its ISO text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator

from engine.messages import N_

from .archive import check_book, check_sizes
from .table import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    CellValue,
    ReadError,
    Row,
    Table,
    clean_text,
    column_letter,
    quote,
    shown,
    strip_cells,
    trim_header,
)

INDICATOR = re.compile(r"TC\d{2}\.", re.IGNORECASE)  # how indicator codes start (engine.models.Indicator)
SHOWN_CELLS = 10  # formula cells named in a refusal


def read_xlsx(data: bytes, name: str = "data.xlsx") -> Table:
    """The table of an XLSX file (see the module's docstring); ``ReadError`` when it cannot or may not be
    read."""
    check_archive(data, name)
    table, formulas = _read(data, name)
    if formulas:
        _computed_values(data, name, table, formulas)
    return table


# ----------------------------------------------------------------------------------------- before reading
def check_archive(data: bytes, name: str, *, sizes_only: bool = False) -> None:
    """Refuse an archive beyond the limits, or whose XML declares a DTD, before openpyxl reads any of it
    (``archive``); ``sizes_only``: only what its central directory tells (number and sizes of its parts)."""
    with _refusals(name):
        book = zipfile.ZipFile(io.BytesIO(data))
    with book, _refusals(name):
        (check_sizes if sizes_only else check_book)(book, name)


@contextlib.contextmanager
def _refusals(name: str) -> Iterator[None]:
    """openpyxl and zipfile were not written for hostile files: whatever they raise on one is a refusal that
    names the error (never a 500). Their warnings (Excel extensions openpyxl drops) concern nothing read
    here."""
    from defusedxml import DefusedXmlException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except ReadError:
        raise
    except DefusedXmlException:
        raise ReadError(N_("%(file)s: tệp XLSX có thực thể XML; tệp bị từ chối để bảo vệ máy chủ", file=name)) from None
    except Exception as exc:  # noqa: BLE001 (see the docstring)
        error = f"{type(exc).__name__}: {quote(str(exc))}"  # the library's own words, as they are
        raise ReadError(N_("%(file)s: không phải tệp .xlsx hợp lệ (%(error)s)", file=name, error=error)) from None


# ----------------------------------------------------------------------------------------------- reading
def _open(data: bytes, name: str, computed: bool):
    from openpyxl import load_workbook

    with _refusals(name):
        return load_workbook(io.BytesIO(data), read_only=True, data_only=computed, keep_links=False)


def _read(data: bytes, name: str) -> tuple[Table, set[tuple[int, int]]]:
    """The table, and the (row, column) of every cell that holds a formula (or text that starts with "=",
    which only the computed values tell apart)."""
    book = _open(data, name, computed=False)
    try:
        with _refusals(name):
            if not book.worksheets:
                raise ReadError(N_("%(file)s: sổ làm việc không có trang tính nào", file=name))
            for sheet in book.worksheets:
                sheet.reset_dimensions()  # the size a file declares is not trusted (nor needed)
            chosen = _choose([(s, next(s.iter_rows(min_row=1, max_row=1, values_only=True), ()))
                              for s in book.worksheets])
            formulas: set[tuple[int, int]] = set()
            lines = _lines(chosen, name, formulas)
            head = next(lines, None)
            if head is None:
                raise ReadError(N_("%(file)s: trang tính «%(sheet)s» trống", file=name, sheet=quote(chosen.title)))
            rows = [Row(number, cells) for number, cells in lines if any(c is not None for c in cells)]
            return Table(name, trim_header([shown(c) for c in head[1]]), rows, chosen.title), formulas
    finally:
        book.close()


def _lines(sheet, name: str, formulas: set[tuple[int, int]] | None) -> Iterator[tuple[int, list[CellValue]]]:
    """(row number, cells) of every row of ``sheet``, within the limits; with ``formulas``, the place of each
    formula is added to it."""
    for number, line in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise ReadError(N_("%(file)s: trang tính «%(sheet)s» có dòng %(row)s, vượt giới hạn %(limit)s dòng; hãy "
                               "xóa các dòng thừa ở cuối bảng", file=name, sheet=quote(sheet.title), row=number,
                               limit=MAX_ROWS))
        raw = strip_cells(list(line))
        if len(raw) > MAX_COLUMNS:
            raise ReadError(N_("%(file)s: dòng %(row)s có dữ liệu ở cột %(column)s, vượt giới hạn %(limit)s cột",
                               file=name, row=str(number), column=column_letter(len(raw)), limit=str(MAX_COLUMNS)))
        cells = [_cell(value, name, number, column, formulas) for column, value in enumerate(raw, 1)]
        yield number, strip_cells(cells)


def _cell(value, name: str, row: int, column: int, formulas: set[tuple[int, int]] | None) -> CellValue:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        from decimal import Decimal

        return Decimal(repr(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if not isinstance(value, str):  # an array or data-table formula
        value = str(getattr(value, "text", None) or "=")
    if len(value) > MAX_CELL_CHARS:
        raise ReadError(N_("%(file)s: ô %(cell)s dài %(length)s ký tự, vượt giới hạn %(limit)s ký tự của một "
                           "ô: «%(text)s»", file=name, cell=f"{column_letter(column)}{row}", length=len(value),
                           limit=MAX_CELL_CHARS, text=quote(value)))
    if formulas is not None and value.startswith("="):
        formulas.add((row, column))
    return clean_text(value)


def _computed_values(data: bytes, name: str, table: Table, formulas: set[tuple[int, int]]) -> None:
    """Put the last computed value of each formula in ``table`` (text that starts with "=" gives itself);
    refuse the file, naming the cells, when formulas have none."""
    book = _open(data, name, computed=True)
    missing, rows, places = [], {r.number: r for r in table.rows}, {}
    for row, column in sorted(formulas):
        places.setdefault(row, []).append(column)
    try:
        with _refusals(name):
            sheet = book[table.sheet]
            sheet.reset_dimensions()
            for number, line in enumerate(sheet.iter_rows(max_row=max(places)), start=1):
                for column in places.get(number, ()):
                    cell = line[column - 1]
                    if cell.value is None and cell.data_type != "str":  # "str" and no value: computed as ""
                        missing.append(f"{column_letter(column)}{number}")
                    value = _cell(cell.value, name, number, column, None)
                    if number == 1:
                        table.header[column - 1] = shown(value)
                    else:
                        rows[number].cells[column - 1] = value
    finally:
        book.close()
    if missing:
        cells = ", ".join(missing[:SHOWN_CELLS])
        if len(missing) > SHOWN_CELLS:
            cells = N_("%(cells)s và %(count)s ô khác", cells=cells, count=str(len(missing) - SHOWN_CELLS))
        raise ReadError(N_("%(file)s: ô %(cells)s có công thức nhưng không có giá trị đã tính (tệp do một chương "
                           "trình ghi mà không tính); hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi nhập lại",
                           file=name, cells=cells))
    table.header[:] = trim_header(table.header)
    table.rows[:] = [Row(r.number, strip_cells(r.cells)) for r in table.rows if not r.empty]


def _choose(sheets: list[tuple]):
    """Of (sheet, first row) pairs: the first sheet laid out for import (A1 commune_code, indicator codes in
    row 1), else the first whose A1 is commune_code (a results sheet), else the first sheet."""
    starts = []
    for sheet, head in sheets:
        if head and isinstance(head[0], str) and head[0].strip().lower() == "commune_code":
            if any(isinstance(c, str) and INDICATOR.match(c.strip()) for c in head[1:]):
                return sheet
            starts.append(sheet)
    return (starts or [sheet for sheet, _ in sheets])[0]
