"""Benchmark of certificate printing: one batch of every commune of the country, and separate files.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/certificates_bench.py --help``).

1. Builds one certificate per commune of today's official list (dossiers/data/units-vietnam-2025.csv: 3,321
   communes of 34 provinces, real names), with serial numbers, verification URLs and a decision per province.
2. Separate: the first N (200) as one PDF each (``certificates.certificate_pdf``); prints certificates per
   second, mean and largest bytes per file.
3. Baseline: the whole batch with the QR codes left out (the pages alone: text, frame, fonts, compression).
4. Batch: all of them in one PDF (``certificates.certificates_batch_pdf``), as ``cfc certificates print`` does;
   prints certificates per second and bytes per certificate, the ratio of its time to the baseline's (what
   the QR codes cost), and checks the page count.
5. QR codes alone, for the first N (1,000) verification URLs: as the documents encode them with segno (fixed
   mask, level M, byte mode: no search), against segno's defaults (it scores all eight masks and raises the
   error level when the version allows): milliseconds per code and the ratio.
6. Determinism: the batch of the first 50 built twice gives the same bytes.
7. Floor (issue #15): batches of 100 certificates against batches of 100 *bare pages* (``bare_page``): a plain
   reportlab canvas with the same settings (invariant, Flate-compressed, no ASCII85), the same fonts and the same
   lines of text, and a QR code of the same URL made by segno with a fixed mask and drawn as one path. The two
   alternate, one batch each, for ``--rounds`` (15) rounds of different communes; the ratio is of the medians of
   the time per page.
8. Prints the targets (>= 100 certificates/s in batch; <= 40 KB per separate certificate; a certificate <= 1.2x
   a bare page) with PASS/FAIL, and the load average (on a busy machine the rates drop: compare the ratios).
   Exit status 0 when the output is correct (a missed target is a measurement, not a failure); 1 when the
   output is wrong (page count, determinism).

The package remembers the widths and fits of the lines it measures (a batch repeats the same lines on every
page); each timed phase starts with them forgotten, so no phase profits from another.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import segno  # noqa: E402

from certificates import CertificateData, Issuer, certificate_pdf, certificates_batch_pdf  # noqa: E402
from certificates import certificate as certificate_module  # noqa: E402
from certificates.dates import long_date, place_date, short_date  # noqa: E402
from certificates.flowables import QUOC_HIEU, TIEU_NGU  # noqa: E402
from certificates.fonts import BOLD, REGULAR, register_fonts  # noqa: E402
from certificates.qr import qr_matrix  # noqa: E402
from certificates.text import forget_measurements  # noqa: E402
from engine.numbers import format_number  # noqa: E402

UNITS = ROOT / "dossiers" / "data" / "units-vietnam-2025.csv"
BASE_URL = "https://treem.example.gov.vn"
YEAR = 2025
TARGET_RATE = 100.0
TARGET_BYTES = 40 * 1024
TARGET_FLOOR_RATIO = 1.2
FLOOR_BATCH = 100


def _place(name: str) -> str:
    for kind in ("Thành phố ", "Tỉnh "):
        if name.startswith(kind) and name[len(kind):] != "Hồ Chí Minh":
            return name[len(kind):]
    return name


def build() -> list[CertificateData]:
    with open(UNITS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # the 2025 list names provinces without "Tỉnh" (cities keep "Thành phố"): documents write the type
    provinces = {r["code"]: r["name"] if r["name"].startswith("Thành phố ") else f"Tỉnh {r['name']}"
                 for r in rows if r["level"] == "province"}
    seq: dict[str, int] = {}
    out = []
    for r in rows:
        if r["level"] != "commune":
            continue
        province = provinces[r["parent_code"]]
        seq[r["parent_code"]] = seq.get(r["parent_code"], 0) + 1
        serial = f"{r['parent_code']}-{YEAR}-{seq[r['parent_code']]:06d}"
        issuer = Issuer(body=("ỦY BAN NHÂN DÂN", province.upper()), place=_place(province),
                        authority=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {province.upper()}", signer_title="CHỦ TỊCH")
        out.append(CertificateData(
            serial=serial, verify_url=f"{BASE_URL}/verify/{serial}", commune=r["name"], district="",
            province=province, year=YEAR, unit_phrase="xã, phường, đặc khu",
            criteria_version="Quyết định 06/QĐ-TTg ngày 03/01/2019 (qd06-2019)",
            decision_number=f"{100 + int(r['parent_code'])}/QĐ-UBND", decision_date=dt.date(YEAR, 12, 20),
            issuer=issuer, total=format_number(900 + len(out) % 100), max_total=format_number(1000),
            provisional=False))
    return out


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def load() -> str:
    one, five, _ = os.getloadavg()
    busy = " (BUSY machine: timings are inflated, compare the ratios)" if one > (os.cpu_count() or 1) else ""
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min){busy}"


def batch_without_qr(items: list[CertificateData]) -> float:
    """Seconds to print the batch with the QR codes left out: the baseline."""
    drawn = certificate_module.draw_qr
    certificate_module.draw_qr = lambda *args, **kwargs: None
    try:
        forget_measurements()
        started = time.perf_counter()
        certificates_batch_pdf(items)
        return time.perf_counter() - started
    finally:
        certificate_module.draw_qr = drawn


def separate(items: list[CertificateData]) -> tuple[list[int], float]:
    """Bytes of each certificate printed alone, and the seconds it took them all."""
    forget_measurements()
    sizes, seconds = [], 0.0
    for item in items:
        started = time.perf_counter()
        sizes.append(len(certificate_pdf(item)))
        seconds += time.perf_counter() - started
    print(f"Separate: {len(items)} files in {seconds:.2f} s = {len(items) / seconds:.0f} certificates/s; bytes per "
          f"file: mean {statistics.mean(sizes):,.0f}, median {statistics.median(sizes):,.0f}, largest {max(sizes):,}")
    return sizes, seconds


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def qr_timings(urls: list[str]) -> tuple[float, float]:
    """Seconds per code: as the documents encode them, and with segno's defaults."""
    started = time.perf_counter()
    for url in urls:
        qr_matrix(url)
    ours = (time.perf_counter() - started) / len(urls)
    started = time.perf_counter()
    for url in urls:
        segno.make_qr(url)
    return ours, (time.perf_counter() - started) / len(urls)


def page_lines(data: CertificateData) -> list[tuple[str, str, float]]:
    """(text, font, size) of every line a certificate shows, as ``certificates.certificate`` writes them."""
    lines = [(QUOC_HIEU, BOLD, 14), (TIEU_NGU, BOLD, 14.5), ("GIẤY CÔNG NHẬN", BOLD, 36),
             (data.issuer.authority or " ".join(data.issuer.body), BOLD, 15), (data.commune.upper(), BOLD, 30),
             (", ".join(p for p in (data.district, data.province) if p), REGULAR, 16),
             (f"Đạt tiêu chuẩn {data.unit_phrase} phù hợp với trẻ em năm {data.year}", BOLD, 17),
             (f"Theo Quyết định số {data.decision_number} {long_date(data.decision_date)}", REGULAR, 13.5),
             (f"Bộ tiêu chí: {data.criteria_version}; tổng điểm thẩm định: {data.total}/{data.max_total}", REGULAR, 12),
             (f"Số hiệu: {data.serial}", BOLD, 13), ("Kiểm tra tính hợp lệ tại:", REGULAR, 10.5),
             (data.verify_url, REGULAR, 10), (f"Cấp ngày {short_date(data.decision_date)}", REGULAR, 10),
             (place_date(data.issuer.place, data.decision_date), REGULAR, 13)]
    return lines + [(line, BOLD, 13) for line in (data.issuer.signer_capacity, data.issuer.signer_title) if line]


def bare_page(c, data: CertificateData) -> None:
    """The floor: the same lines in the same fonts, one under the other, and the QR code of the same URL made by
    segno (fixed mask) and drawn as one path of one rectangle per dark run. No fitting, no frame, no form."""
    y = 570.0
    for text, font, size in page_lines(data):
        y -= size * 1.25
        c.setFont(font, size)
        c.drawCentredString(421, y, text)
    matrix = segno.make_qr(data.verify_url, error="M", mask=2, mode="byte", boost_error=False).matrix
    n = len(matrix)
    runs = []
    for r, row in enumerate(matrix):
        start = None
        for x, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                runs.append(f"{start} {n - 1 - r} {x - start} 1 re")
                start = None
    c.saveState()
    c.translate(60, 60)
    c.scale(96 / (n + 8), 96 / (n + 8))
    c.addLiteral(" ".join(runs) + " f")
    c.restoreState()


def bare_batch(items: list[CertificateData]) -> bytes:
    """Bare pages, one per certificate, in one PDF with the documents' settings (invariant, Flate, no ASCII85)."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(842, 595), invariant=1, pageCompression=1, initialFontName=REGULAR)
    for item in items:
        bare_page(c, item)
        c.showPage()
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        c.save()
    finally:
        rl_config.useA85 = saved
    return buffer.getvalue()


def against_floor(items: list[CertificateData], rounds: int) -> tuple[float, float]:
    """Median seconds per page of a certificate in a batch and of a bare page, alternating batches of
    ``FLOOR_BATCH`` different communes (which goes first alternates too)."""
    ours, floor = [], []
    for r in range(rounds):
        chunk = [items[(r * FLOOR_BATCH + k) % len(items)] for k in range(FLOOR_BATCH)]
        for first in ((True, False) if r % 2 else (False, True)):
            forget_measurements()
            started = time.perf_counter()
            certificates_batch_pdf(chunk) if first else bare_batch(chunk)
            (ours if first else floor).append((time.perf_counter() - started) / len(chunk))
    return statistics.median(ours), statistics.median(floor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--separate", type=int, default=200, help="certificates printed as separate files")
    parser.add_argument("--limit", type=int, default=None, help="only the first N communes in the batch")
    parser.add_argument("--codes", type=int, default=1000, help="QR codes encoded alone, each way")
    parser.add_argument("--output", type=Path, help="also write the batch PDF here")
    parser.add_argument("--rounds", type=int, default=15, help="batches of 100 against bare pages, each way")
    args = parser.parse_args()

    print(f"Certificates benchmark — Python {platform.python_version()} on {platform.machine()}, "
          f"segno {segno.__version__}; {load()}")
    items = build()
    if args.limit:
        items = items[:args.limit]
    print(f"  {len(items)} communes of {len({i.province for i in items})} provinces "
          f"(longest name: {max((i.commune for i in items), key=len)!r})")

    certificate_pdf(items[0])  # fonts are loaded once per process: not part of the rates

    print()
    n = min(args.separate, len(items))
    sizes, _ = separate(items[:n])
    baseline_s = batch_without_qr(items)
    print(f"Baseline (the pages without their QR codes): {len(items)} in {baseline_s:.2f} s = "
          f"{len(items) / baseline_s:.0f} certificates/s")
    forget_measurements()
    started = time.perf_counter()
    batch = certificates_batch_pdf(items)
    batch_s = time.perf_counter() - started
    batch_rate = len(items) / batch_s
    per_cert = len(batch) / len(items)
    pages = page_count(batch)
    print(f"Batch: {len(items)} certificates in {batch_s:.2f} s = {batch_rate:.0f} certificates/s "
          f"(×{batch_s / baseline_s:.2f} the baseline); {len(batch):,} bytes = {per_cert:,.0f} bytes/certificate; "
          f"{pages} pages")
    if args.output:
        args.output.write_bytes(batch)
        print(f"  written to {args.output}")

    ours, defaults = qr_timings([i.verify_url for i in items[:args.codes]])
    print(f"QR codes alone ({min(args.codes, len(items))}): {ours * 1e3:.3f} ms a code as printed (fixed mask), "
          f"{defaults * 1e3:.3f} ms with segno's defaults (mask search): ×{ours / defaults:.2f}")

    again = certificates_batch_pdf(items[:50]) == certificates_batch_pdf(items[:50])
    print(f"Determinism: the same 50 certificates twice give {'the same' if again else 'DIFFERENT'} bytes")

    bare_batch(items[:2])  # the bare page's first use of the fonts is not timed either
    ours_page, floor_page = against_floor(items, args.rounds)
    floor_ratio = ours_page / floor_page
    print(f"Floor: a certificate in a batch {ours_page * 1e3:.2f} ms, a bare page with the same fonts, text and a "
          f"segno QR {floor_page * 1e3:.2f} ms (medians of {args.rounds} batches of {FLOOR_BATCH} each, "
          f"alternating): ×{floor_ratio:.2f}")

    print("\nTargets")
    print(f"  batch rate >= {TARGET_RATE:.0f} certificates/s{'':<18} {batch_rate:>10.0f}  "
          f"{verdict(batch_rate >= TARGET_RATE)}")
    print(f"  separate certificate <= {TARGET_BYTES // 1024} KB (largest of {n}){'':<9} {max(sizes) / 1024:>8.1f} KB  "
          f"{verdict(max(sizes) <= TARGET_BYTES)}")
    print(f"  certificate / bare page (floor x1.0) <= x{TARGET_FLOOR_RATIO}{'':<11} {floor_ratio:>9.2f}x  "
          f"{verdict(floor_ratio <= TARGET_FLOOR_RATIO)}")
    correct = pages == len(items) and again
    print(f"\nResult: {'correct' if correct else 'INCORRECT'}; {load()}")
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
