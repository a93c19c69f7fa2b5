"""Write tables as XLSX (every sheet, styled) or CSV (the first sheet; UTF-8 with BOM so Excel shows Vietnamese).

A sheet has a row of column keys (what the importer and programs read) and, optionally, a second row of
Vietnamese labels for people. Text that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) is
kept as text: forced to a string cell in XLSX, prefixed with ``'`` in CSV (a plain number such as "-2" is not).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from engine.errors import CfcError
from engine.messages import N_

FORMATS = (".xlsx", ".csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d[\d.,]*")  # "-2" as typed in a cell: a number to a spreadsheet, not a formula


@dataclass
class Validation:
    """An Excel data validation on every data cell of one column (1-based)."""

    column: int
    kind: str  # yes_no | count | score


@dataclass
class Sheet:
    title: str
    columns: list[str]
    labels: list[str] | None = None
    rows: list[list] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column → width in characters
    validations: list[Validation] = field(default_factory=list)
    freeze: str | None = None  # e.g. "B3": rows above and columns left of it stay in view
    wrap: bool = False  # wrap long text in data cells (notes, audit trails)


def output_format(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise CfcError(N_("%(file)s: hãy ghi ra tệp .xlsx hoặc .csv", file=Path(path).name))
    return suffix[1:]


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def write_tables(path: Path | str, sheets: list[Sheet]) -> Path:
    """Write ``sheets`` to ``path`` (.xlsx: all of them; .csv: the first). Returns the path."""
    path = Path(path)
    kind = output_format(path)
    data = xlsx_bytes(sheets) if kind == "xlsx" else csv_bytes(sheets[0])
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------------------ CSV
def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = _nfc(value)
        return "'" + text if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text) else text
    return str(value)


def csv_bytes(sheet: Sheet) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(c) for c in sheet.columns])
    if sheet.labels:
        writer.writerow([_csv_text(c) for c in sheet.labels])
    for row in sheet.rows:
        writer.writerow([_csv_text(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ----------------------------------------------------------------------------------------------------- XLSX
def _put(ws, row: int, column: int, value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", _nfc(value))
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, not a formula
    return cell


def _validation(kind: str, first_row: int, column: int):
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind == "yes_no":
        dv = DataValidation(type="list", formula1='"có,không"', allow_blank=True)
        dv.error, dv.prompt = "Nhập có hoặc không", "có / không"
    elif kind == "count":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error, dv.prompt = "Nhập số nguyên không âm", "Số nguyên ≥ 0"
    else:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
        dv.error, dv.prompt = "Nhập điểm từ 0 đến 100", "0–100, tối đa 2 chữ số thập phân"
    dv.errorStyle = "warning"  # the importer checks every cell anyway; Excel only warns
    dv.showErrorMessage = dv.showInputMessage = True
    letter = get_column_letter(column)
    dv.add(f"{letter}{first_row}:{letter}1048576")
    return dv


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    label_font = Font(italic=True, color="444444")
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        for col, key in enumerate(sheet.columns, start=1):
            cell = _put(ws, 1, col, key)
            cell.font, cell.fill = bold, fill
        first = 2
        if sheet.labels:
            for col, label in enumerate(sheet.labels, start=1):
                cell = _put(ws, 2, col, label)
                cell.font, cell.alignment = label_font, wrap
            first = 3
        for r, row in enumerate(sheet.rows, start=first):
            for col, value in enumerate(row, start=1):
                if value is not None:
                    cell = _put(ws, r, col, value)
                    if sheet.wrap and isinstance(value, str):
                        cell.alignment = wrap
        for col in range(1, len(sheet.columns) + 1):
            ws.column_dimensions[get_column_letter(col)].width = sheet.widths.get(col, 14)
        for v in sheet.validations:
            ws.add_data_validation(_validation(v.kind, first, v.column))
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
