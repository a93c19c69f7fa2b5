"""Tables read from a CSV or XLSX file: rows of cells, each cell knowing its spreadsheet row and column.

Cells keep what the file holds: text (stripped, Unicode NFC), or, from XLSX, an exact number (``int`` or
``Decimal``) or a boolean; empty cells are ``None``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from engine.errors import CfcError

CellValue = str | int | Decimal | bool | None


class ReadError(CfcError):
    """The file cannot be read as a table (wrong type, broken file, unknown encoding)."""


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Row:
    number: int  # 1-based row of the spreadsheet (the header is row 1)
    cells: list[CellValue]

    def get(self, column: int) -> CellValue:
        """The cell of a 1-based column (None beyond the row's end)."""
        return self.cells[column - 1] if column - 1 < len(self.cells) else None

    @property
    def empty(self) -> bool:
        return all(c is None for c in self.cells)


@dataclass
class Table:
    source: str  # the file name, for reports
    header: list[str]  # row 1, as text ("" for an empty header cell)
    rows: list[Row] = field(default_factory=list)  # the rows after the header that hold anything
    sheet: str | None = None  # the XLSX sheet read


def shown(value: CellValue) -> str:
    """A cell as a report prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)



def clean_text(value: str) -> str | None:
    """A text cell: NFC, without a byte-order mark, stripped; None when nothing is left."""
    text = unicodedata.normalize("NFC", value.replace("\ufeff", "")).strip()
    return text or None


def strip_cells(cells: list) -> list:
    """The cells without the empty ones at the end of the row."""
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def trim_header(header: list[str]) -> list[str]:
    """The header without the empty cells at its end."""
    while header and not header[-1]:
        header.pop()
    return header
