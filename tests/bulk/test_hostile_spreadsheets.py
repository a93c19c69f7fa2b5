"""Hostile spreadsheets (issue 11, item 4): every limit of ``dossiers.bulk.table`` refused with a message that
names it, before the file is read or while it is; no DTD; formulas without a computed value named; reports
that quote at most about 100 characters of a cell; unconfirmed web uploads deleted after a day.

The issue's numbers are reproduced in separate processes whose peak memory is measured (``os.wait4``): a 300 KB
and a 900 KB XLSX holding one huge shared string (a worker went to 1 GB and 2.8 GB), and the 196 KB file that
took ``cfc import --dry-run`` to 2.6 GB and printed its 200-million-character cell back. Each run prints its
figures (``pytest -s``).

The web part runs on the demo world of tests/web/conftest.py (loaded here under another name, so that this
module gets the same fixtures).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from dossiers.bulk import table as limits
from dossiers.bulk.importer import report_rows
from dossiers.bulk.outcome import CellProblem, ImportReport
from dossiers.bulk.read import ReadError, read_csv, read_upload

ROOT = Path(__file__).resolve().parents[2]
CFC = Path(sys.executable).with_name("cfc")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
HEAD = ["commune_code", "TC13.satisfaction"]
PEAK_MB = 300  # generous: the reader itself stays far below (the figures are printed)
QUOTED = 100  # characters of a cell a report may quote
LONG_RUN = re.compile(rf"(.)\1{{{QUOTED + 10},}}")  # a cell quoted whole: the same letter over and over

_web = importlib.util.spec_from_file_location("web_fixtures", ROOT / "tests" / "web" / "conftest.py")
web = sys.modules.setdefault("web_fixtures", importlib.util.module_from_spec(_web))
_web.loader.exec_module(web)
demo_database, instance, app, site = web.demo_database, web.instance, web.app, web.site  # fixtures, reused


# ------------------------------------------------------------------------------------------------ builders
def workbook(rows, title: str = "Chỉ số") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for line in rows:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BASE = workbook([HEAD, ["23284", 88]])


def patched(data: bytes, parts: dict) -> bytes:
    """``data`` with some parts replaced (bytes, or a function of the old bytes) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for item in src.namelist():
            body = src.read(item)
            change = parts.get(item)
            book.writestr(item, change(body) if callable(change) else body if change is None else change)
        for item, body in parts.items():
            if item not in src.namelist():
                book.writestr(item, body)
    return out.getvalue()


def sheet_xml(rows: str) -> bytes:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def in_part(part: str, before: bytes, after: bytes, data: bytes = BASE) -> bytes:
    """``data`` with the first ``before`` of ``part`` replaced by ``after``."""
    return patched(data, {part: lambda body: body.replace(before, after, 1)})


def in_sheet(before: bytes, after: bytes, data: bytes = BASE) -> bytes:
    return in_part("xl/worksheets/sheet1.xml", before, after, data)


def with_shared_strings(data: bytes, strings: bytes | None = None) -> bytes:
    """``data`` with a shared-strings part, declared as Excel declares it (openpyxl writes inline strings)."""
    return patched(data, {
        "[Content_Types].xml": lambda b: b.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                                                f'ContentType="{SST_TYPE}"/></Types>'.encode()),
        "xl/_rels/workbook.xml.rels": lambda b: b.replace(
            b"</Relationships>",
            f'<Relationship Id="rIdS" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>'.encode()),
        **({"xl/sharedStrings.xml": strings} if strings is not None else {}),
    })


def huge_string_xlsx(path: Path, chars: int) -> Path:
    """An import file whose TC13.satisfaction cell of commune 23284 is one shared string of ``chars`` letters,
    written in chunks: it compresses about 1,000 to 1, so 200 million letters make a 195 KB file."""
    base = with_shared_strings(BASE)
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
                      '<row r="2"><c r="A2"><v>23284</v></c><c r="B2" t="s"><v>2</v></c></row>')
    chunk = b"a" * (1 << 20)
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for item in src.namelist():
            book.writestr(item, sheet if item == "xl/worksheets/sheet1.xml" else src.read(item))
        with book.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'<sst xmlns="{MAIN}"><si><t>commune_code</t></si><si><t>TC13.satisfaction</t></si>'
                       '<si><t>'.encode())
            for start in range(0, chars, len(chunk)):
                part.write(chunk[:min(len(chunk), chars - start)])
            part.write(b"</t></si></sst>")
    return path


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = f'<row r="1">{inline("A1", "commune_code")}{inline("B1", "TC13.satisfaction")}</row>'


MEASURED = """
import atexit, runpy, sys
def peak():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nPEAK_KB {kb}\\n")
atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_measured(script: Path, args: list[str], env: dict | None = None,
                 timeout: float = 120) -> tuple[int, str, str, float, float]:
    """Run the Python ``script`` with ``args`` in a new process: exit status, stdout, stderr, seconds, and the
    peak resident memory of that process in MB (VmHWM, written by the process as it exits: a parent's
    ``ru_maxrss`` would count the pytest process it was forked from)."""
    if not Path("/proc/self/status").exists():
        pytest.skip("measures memory through /proc (Linux)")
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", MEASURED, str(script), *args], env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    err, _, kb = done.stderr.rpartition("\nPEAK_KB ")
    return done.returncode, done.stdout, err, seconds, int(kb) / 1024


def assert_quotes_little(*texts: str) -> None:
    for text in texts:
        found = LONG_RUN.search(text)
        assert found is None, f"a cell quoted at length: {len(found.group(0))} × {found.group(1)!r}"


# ---------------------------------------------------------------------------------- the numbers
READ_SCRIPT = """
import sys
from pathlib import Path
from dossiers.bulk.read import ReadError, read_upload
path = Path(sys.argv[1])
try:
    read_upload(path.read_bytes(), path.name)
except ReadError as exc:
    print(exc)
"""


@pytest.mark.parametrize("chars, size_kb", [(310_000_000, 300), (930_000_000, 900)])
def test_an_xlsx_of_a_few_hundred_kb_with_a_huge_shared_string_is_refused_in_little_memory(tmp_path, chars,
                                                                                           size_kb):
    path = huge_string_xlsx(tmp_path / "chuoi-lon.xlsx", chars)
    assert abs(path.stat().st_size / 1024 - size_kb) < size_kb * 0.1  # the file sizes
    script = tmp_path / "read.py"
    script.write_text(READ_SCRIPT, encoding="utf-8")
    code, out, err, seconds, peak = run_measured(script, [str(path)])
    print(f"\n{path.stat().st_size / 1024:.0f} KB file, {chars:,} letters in one cell: refused in "
          f"{seconds:.2f} s, peak {peak:.0f} MB — {out.strip()}")
    assert code == 0, err
    assert "vượt giới hạn 40 MB" in out and "giải nén" in out
    assert peak < PEAK_MB and seconds < 30
    assert_quotes_little(out, err)


@pytest.fixture(scope="module")
def cli_instance(demo_database, tmp_path_factory) -> Path:
    """An instance folder holding a copy of the demo database, for ``cfc`` in a separate process."""
    folder = tmp_path_factory.mktemp("cli-instance")
    for path in demo_database.parent.glob("cfc.sqlite3*"):
        shutil.copy(path, folder / path.name)
    return folder


def dry_run(path: Path, report: Path) -> list[str]:
    return ["import", str(path), "--round", "2024", "--as", "district1", "--dry-run", "--report", str(report)]


def cfc_env(folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CFC_USER")}
    env["CFC_INSTANCE_DIR"] = str(folder)
    return env


def test_the_196_kb_file_is_refused_by_cfc_import_dry_run_quickly_in_little_memory(cli_instance, tmp_path):
    path = huge_string_xlsx(tmp_path / "196kb.xlsx", 200_000_000)
    report = tmp_path / "loi.csv"
    assert 190 < path.stat().st_size / 1024 < 200
    code, out, err, seconds, peak = run_measured(CFC, dry_run(path, report), cfc_env(cli_instance))
    print(f"\ncfc import --dry-run of the {path.stat().st_size / 1024:.0f} KB file: exit {code} in "
          f"{seconds:.2f} s, peak {peak:.0f} MB; {len(out) + len(err)} characters printed — {err.strip()}")
    assert code == 1 and "196kb.xlsx: tệp XLSX giải nén ra 190,8 MB, vượt giới hạn 40 MB" in err
    assert peak < PEAK_MB and seconds < 30
    assert len(out) + len(err) < 500 and not report.exists()


def test_cfc_import_quotes_at_most_100_characters_of_a_bad_cell_on_screen_and_in_the_report(cli_instance,
                                                                                            tmp_path):
    long_text = "x" * 30_000  # within the cell limit: read, then refused as not a number
    path = tmp_path / "o-dai.xlsx"
    path.write_bytes(workbook([HEAD, ["23284", long_text]]))
    report = tmp_path / "loi.csv"
    code, out, err, _, peak = run_measured(CFC, dry_run(path, report), cfc_env(cli_instance))
    assert code == 1, err
    assert "dòng 2, cột B (TC13.satisfaction) «" + "x" * QUOTED + "… (30.000 ký tự)»: không phải là số" in err
    assert_quotes_little(out, err)
    with open(report, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][:3] == ["2", "B", "TC13.satisfaction"]
    assert rows[1][3] == "x" * QUOTED + "… (30.000 ký tự)"
    assert_quotes_little(report.read_text(encoding="utf-8-sig"))
    assert peak < PEAK_MB


# ------------------------------------------------------------------------------------------ every limit
def _many_parts() -> bytes:
    return patched(BASE, {f"xl/media/anh{i}.png": b"" for i in range(limits.MAX_PARTS)})


def _many_elements() -> bytes:
    per_row = 60  # 61 elements a row (a row, 30 cells and their values)
    rows = "".join(f'<row r="{r}">' + '<c><v>1</v></c>' * (per_row // 2) + "</row>"
                   for r in range(1, limits.MAX_XML_ELEMENTS // (per_row + 1) + 2))
    return patched(BASE, {"xl/worksheets/sheet1.xml": sheet_xml(rows)})


JUNK = limits.MAX_HELD_ELEMENTS + 1
LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
REFUSED = {
    "decompressed size": (lambda: patched(BASE, {"xl/media/anh.png": b"\0" * (limits.MAX_UNPACKED_BYTES + 1)}),
                          "tệp XLSX giải nén ra 40,1 MB, vượt giới hạn 40 MB"),
    "size of a part read whole": (
        lambda: in_part("xl/styles.xml", b"</styleSheet>", b" " * limits.MAX_PART_BYTES + b"</styleSheet>"),
        "phần xl/styles.xml của tệp XLSX giải nén ra 5,1 MB, vượt giới hạn 5 MB cho một phần không phải "
        "trang tính"),
    "parts": (_many_parts, "phần, vượt giới hạn 1.000 phần"),
    "XML elements in all": (_many_elements, "tổng số phần tử XML của tệp lên hơn 1.000.000, vượt giới hạn"),
    "elements outside the rows": (lambda: in_sheet(b"<sheetData>", b"<sheetData>" + b"<a/>" * JUNK),
                                  "có hơn 100.000 phần tử XML ngoài các dòng dữ liệu, hoặc trong một dòng"),
    "elements within one row": (lambda: in_sheet(b'<row r="2">', b'<row r="2">' + b"<a/>" * JUNK),
                                "có hơn 100.000 phần tử XML ngoài các dòng dữ liệu, hoặc trong một dòng"),
    "elements nested deep": (lambda: in_sheet(b"<sheetData>", b"<sheetData>" + b"<a>" * JUNK + b"</a>" * JUNK),
                             "có hơn 100.000 phần tử XML"),
    "elements outside the shared strings": (
        lambda: with_shared_strings(BASE, f'<sst xmlns="{MAIN}">'.encode() + b"<x/>" * JUNK + b"</sst>"),
        "phần xl/sharedStrings.xml của tệp XLSX có hơn 100.000 phần tử XML"),
    "elements of the styles": (
        lambda: in_part("xl/styles.xml", b"</styleSheet>", b"<a/>" * JUNK + b"</styleSheet>"),
        "phần xl/styles.xml của tệp XLSX có hơn 100.000 phần tử XML"),
    "rows": (lambda: patched(BASE, {"xl/worksheets/sheet1.xml": sheet_xml(
        HEADER_ROW + '<row r="20001"><c r="A20001"><v>1</v></c></row>')}),
             "trang tính «Chỉ số» có dòng 20.001, vượt giới hạn 20.000 dòng"),
    "an empty row far below": (lambda: patched(BASE, {"xl/worksheets/sheet1.xml": sheet_xml(
        HEADER_ROW + '<row r="1048576"/>')}), "có dòng 20.001, vượt giới hạn 20.000 dòng"),
    "columns": (lambda: patched(BASE, {"xl/worksheets/sheet1.xml": sheet_xml(
        HEADER_ROW + '<row r="2"><c r="A2"><v>23284</v></c><c r="SH2"><v>1</v></c></row>')}),
                "dòng 2 có dữ liệu ở cột SH, vượt giới hạn 500 cột"),
    "cell length": (lambda: patched(BASE, {"xl/worksheets/sheet1.xml": sheet_xml(
        HEADER_ROW + f'<row r="2"><c r="A2"><v>23284</v></c>{inline("B2", "y" * 40_000)}</row>')}),
                    "ô B2 dài 40.000 ký tự, vượt giới hạn 32.767 ký tự của một ô: «" + "y" * QUOTED
                    + "… (40.000 ký tự)»"),
    "entities (billion laughs)": (lambda: in_sheet(b"<worksheet", LAUGHS + b"<worksheet"),
                                  "phần xl/worksheets/sheet1.xml của tệp XLSX có khai báo DTD hoặc thực thể"),
    "an external entity": (
        lambda: in_part("xl/workbook.xml", b"<workbook",
                        b'<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]><workbook'),
        "phần xl/workbook.xml của tệp XLSX có khai báo DTD hoặc thực thể XML"),
    "a DTD alone": (lambda: in_part("[Content_Types].xml", b"<Types", b"<!DOCTYPE Types><Types"),
                    "phần [Content_Types].xml của tệp XLSX có khai báo DTD"),
    "a formula without its value": (lambda: workbook([HEAD, ["23284", "=40+48"]]),
                                    "ô B2 có công thức nhưng không có giá trị đã tính"),
    "many formulas without values": (
        lambda: workbook([HEAD, *[[str(23281 + i), f"={i}+1"] for i in range(12)]]),
        "ô B2, B3, B4, B5, B6, B7, B8, B9, B10, B11 và 2 ô khác có công thức nhưng không có giá trị đã tính"),
    "not a zip": (lambda: b"PK\x03\x04 not really", "không phải tệp .xlsx hợp lệ"),
    "a truncated file": (lambda: BASE[: len(BASE) // 2], "không phải tệp .xlsx hợp lệ"),
    "a part longer than its directory says": (lambda: _understated(BASE), "Bad CRC-32"),
    "a column name beyond ZZZ": (lambda: patched(BASE, {"xl/worksheets/sheet1.xml": sheet_xml(
        HEADER_ROW + '<row r="2"><c r="ZZZZ2"><v>1</v></c></row>')}), "không phải tệp .xlsx hợp lệ (ValueError"),
}


def _understated(data: bytes) -> bytes:
    """``data`` whose central directory says the worksheet is 100 bytes long."""
    raw, at = bytearray(data), 0
    while (at := raw.find(b"PK\x01\x02", at)) >= 0:
        length = int.from_bytes(raw[at + 28:at + 30], "little")
        if raw[at + 46:at + 46 + length] == b"xl/worksheets/sheet1.xml":
            raw[at + 24:at + 28] = (100).to_bytes(4, "little")
        at += 4
    return bytes(raw)


@pytest.mark.parametrize("case", REFUSED)
def test_each_limit_is_refused_with_a_message_that_names_it(case):
    build, expected = REFUSED[case]
    data = build()
    start = time.perf_counter()
    with pytest.raises(ReadError) as refused:
        read_upload(data, "tep.xlsx")
    message = str(refused.value)
    assert message.startswith("tep.xlsx: ") and expected in message, message
    assert len(message) < 400 and time.perf_counter() - start < 30
    assert_quotes_little(message)


def test_openpyxl_parses_through_defusedxml():
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True and functions.iterparse.__module__.startswith("defusedxml")


CSV_REFUSED = {
    "file size": (b"commune_code\n" + b" " * limits.MAX_FILE_BYTES, "vượt giới hạn 20 MB"),
    "rows": (b"commune_code\n" + b"1\n" * limits.MAX_ROWS, "tệp có hơn 20.000 dòng, vượt giới hạn"),
    "columns": (b"commune_code" + b",x" * limits.MAX_COLUMNS + b"\n",
                "dòng 1 có dữ liệu ở cột SG, vượt giới hạn 500 cột"),
    "cell length": (b"commune_code,TC13.satisfaction\n23284," + b"z" * 40_000 + b"\n",
                    "ô B2 dài 40.000 ký tự, vượt giới hạn 32.767 ký tự của một ô: «" + "z" * QUOTED),
    "a cell beyond csv's own limit": (b"commune_code,TC13.satisfaction\n23284," + b"z" * 200_000 + b"\n",
                                      "dòng 2 có một ô dài hơn 32.767 ký tự, vượt giới hạn của một ô"),
}


@pytest.mark.parametrize("case", CSV_REFUSED)
def test_each_limit_of_a_csv_file_is_refused_with_a_message_that_names_it(case):
    data, expected = CSV_REFUSED[case]
    with pytest.raises(ReadError) as refused:
        read_csv(data, "tep.csv")
    assert expected in str(refused.value), str(refused.value)
    assert_quotes_little(str(refused.value))


def test_a_file_at_the_limits_is_read():
    rows = [HEAD, *[[str(20_000 + r), r] for r in range(2, limits.MAX_ROWS + 1)]]
    table = read_upload(workbook(rows), "lon.xlsx")
    assert len(table.rows) == limits.MAX_ROWS - 1 and table.rows[-1].cells == ["40000", 20_000]
    columns = ["commune_code", *[f"c{i}" for i in range(2, limits.MAX_COLUMNS + 1)]]
    wide = read_upload(workbook([columns]), "w.xlsx")
    assert len(wide.header) == limits.MAX_COLUMNS
    long_cell = read_upload(in_sheet(b'<c r="B2" t="n"><v>88</v></c>', inline("B2", "é" * limits.MAX_CELL_CHARS)
                                     .encode()), "dai.xlsx")
    assert long_cell.rows[0].cells[1] == "é" * limits.MAX_CELL_CHARS


# ------------------------------------------------------------------------------------ what stays readable
def test_formulas_give_their_computed_value_and_text_that_looks_like_one_stays_text():
    data = in_sheet(b'<c r="B2" t="n"><v>88</v></c>',
                    b'<c r="B2"><f>40+48</f><v>88</v></c><c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c>'
                    b'<c r="D2" t="str"><f>"86,5"</f><v>86,5</v></c>'
                    + inline("E2", "=không phải công thức").encode())
    table = read_upload(data, "f.xlsx")
    assert table.rows[0].cells == ["23284", 88, None, "86,5", "=không phải công thức"]


def test_a_declared_size_is_not_trusted_and_empty_styled_cells_far_right_are_nothing():
    huge = in_sheet(b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD1048576" />')
    assert read_upload(huge, "f.xlsx").rows[0].cells == ["23284", 88]
    styled = in_sheet(b"</row><row", b'<c r="XFD1" s="0"/></row><row')
    table = read_upload(styled, "f.xlsx")
    assert table.header == HEAD and table.rows[0].cells == ["23284", 88]


def test_a_workbook_with_a_chart_sheet_and_pictures_is_read():
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    sheet.append(["23284", 86.5])
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    book.create_chartsheet("Biểu đồ").add_chart(chart)
    out = io.BytesIO()
    book.save(out)
    data = patched(out.getvalue(), {"xl/media/anh.png": os.urandom(200_000)})
    assert read_upload(data, "f.xlsx").rows[0].cells == ["23284", Decimal("86.5")]


def test_broken_files_are_refusals_never_crashes():
    """Bytes changed at random in the XML of a real file: a table or a ReadError, nothing else."""
    rng = random.Random(11)
    with zipfile.ZipFile(io.BytesIO(BASE)) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    outcomes = {"read": 0, "refused": 0}
    for _ in range(300):
        name = rng.choice(sorted(parts))
        body = bytearray(parts[name])
        for _ in range(rng.randint(1, 4)):
            body[rng.randrange(len(body))] = rng.choice(b'<>/"=&;x0 \xff')
        try:
            read_upload(patched(BASE, {name: bytes(body)}), "f.xlsx")
            outcomes["read"] += 1
        except ReadError as exc:
            assert_quotes_little(str(exc))
            outcomes["refused"] += 1
    for cut in range(0, len(BASE), 97):
        with pytest.raises(ReadError):
            read_upload(BASE[:cut], "f.xlsx")
    assert outcomes["read"] and outcomes["refused"], outcomes


# -------------------------------------------------------------------------------------------- reports
def test_a_report_quotes_at_most_100_characters_of_a_cell_everywhere():
    value, header = "9" * 50_000, "TC99." + "h" * 300
    problem = CellProblem(3, 2, header, value, "unknown_indicator",
                          f"không có chỉ số {header} trong bộ tiêu chí qd06-2019 (giá trị {value})")
    assert problem.value == "9" * QUOTED + "… (50.000 ký tự)"
    assert problem.header == header[:QUOTED] + "… (305 ký tự)"
    assert problem.message.endswith("trong bộ tiêu chí qd06-2019 (giá trị " + problem.value + ")")
    report = ImportReport("tep.xlsx", 2024, "district1", "qd06-2019", True, problems=[problem])
    for text in (str(problem), str(problem.to_dict()), report.problem_text(), str(report_rows(report))):
        assert_quotes_little(text)
        assert len(text) < 1000
    short = CellProblem(2, 2, "TC13.satisfaction", "abc", "not_a_number", "không phải là số")
    assert (short.value, short.header, short.message) == ("abc", "TC13.satisfaction", "không phải là số")


# ---------------------------------------------------------------------------------------------- the web
def upload(site, data: bytes, name: str, user: str = "district1"):
    client = site.client(user)
    return client.post("/import", data={"csrf_token": site.csrf(client, "/import"), "year": "2024",
                                        "file": (io.BytesIO(data), name)})


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, tuple[bytes, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    return {
        "huge shared string": (huge_string_xlsx(folder / "lon.xlsx", 310_000_000).read_bytes(),
                               "vượt giới hạn 40 MB"),
        "billion laughs": (in_sheet(b"<worksheet", LAUGHS + b"<worksheet"), "có khai báo DTD hoặc thực thể"),
        "formula without value": (workbook([HEAD, ["23284", "=40+48"]]), "ô B2 có công thức"),
        "cell too long": (patched(BASE, {"xl/worksheets/sheet1.xml": sheet_xml(
            HEADER_ROW + f'<row r="2"><c r="A2"><v>23284</v></c>{inline("B2", "y" * 40_000)}</row>')}),
                          "vượt giới hạn 32.767 ký tự của một ô"),
        "junk elements": (in_sheet(b"<sheetData>", b"<sheetData>" + b"<a/>" * JUNK), "phần tử XML"),
    }


@pytest.mark.parametrize("case", ["huge shared string", "billion laughs", "formula without value",
                                  "cell too long", "junk elements"])
def test_a_hostile_upload_gets_a_vietnamese_refusal_and_stores_nothing(site, hostile_files, case):
    data, expected = hostile_files[case]
    before = site.state()
    answer = upload(site, data, "so-lieu.xlsx")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400, page[:500]
    assert expected in page
    assert_quotes_little(page)
    assert site.state() == before


def test_the_import_page_quotes_at_most_100_characters_of_a_bad_cell(site):
    answer = upload(site, workbook([HEAD, ["23284", "w" * 30_000]]), "dai.xlsx")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "1 ô sai" in page
    assert "w" * QUOTED + "… (30.000 ký tự)" in page
    assert_quotes_little(page)


def _preview_fields(page: str) -> dict:
    return dict(re.findall(r'name="(token|year|name)"[^>]*value="([^"]*)"', page))


def _age(folder: Path, days: float) -> None:
    when = time.time() - days * 86_400
    for path in folder.iterdir():
        os.utime(path, (when, when))


def test_an_unconfirmed_upload_expires_after_a_day_and_is_deleted(site):
    uploads = site.folder / "uploads"
    page = upload(site, b"commune_code,TC13.satisfaction\n23284,77\n", "so-lieu.csv").get_data(as_text=True)
    fields = _preview_fields(page)
    token = fields["token"]
    assert {p.name for p in uploads.iterdir()} >= {token, f"{token}.json"}  # kept for its confirmation
    _age(uploads, 1.01)
    before = site.state()
    client = site.client("district1")
    answer = client.post("/import/confirm", data={"csrf_token": site.csrf(client, "/import"), **fields})
    assert answer.status_code == 302
    assert "Tệp đã hết hạn, vui lòng tải lên lại." in site.flashes(client.get("/import").get_data(as_text=True))
    assert not (uploads / token).exists() and not (uploads / f"{token}.json").exists()
    assert site.state() == before


def test_old_previews_are_swept_and_a_fresh_one_is_confirmed_then_deleted(site):
    uploads = site.folder / "uploads"
    uploads.mkdir(exist_ok=True)
    (uploads / "bo-quen").write_bytes(b"forgotten")
    (uploads / "bo-quen.json").write_text("{}", encoding="utf-8")
    _age(uploads, 2)
    (uploads / "vua-moi").write_bytes(b"an hour old")
    os.utime(uploads / "vua-moi", (time.time() - 3600, time.time() - 3600))
    page = upload(site, b"commune_code,TC13.satisfaction\n23284,78\n", "so-lieu.csv").get_data(as_text=True)
    fields = _preview_fields(page)
    names = {p.name for p in uploads.iterdir()}
    assert "bo-quen" not in names and "bo-quen.json" not in names  # more than a day old: deleted
    assert {"vua-moi", fields["token"], f"{fields['token']}.json"} <= names
    client = site.client("district1")
    answer = client.post("/import/confirm", data={"csrf_token": site.csrf(client, "/import"), **fields})
    assert answer.status_code == 302
    assert site.dossier(2).values["TC13.satisfaction"]["self"] == "78"
    assert {p.name for p in uploads.iterdir()} == {"vua-moi"}  # the confirmed preview is gone
