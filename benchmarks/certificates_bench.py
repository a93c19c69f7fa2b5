"""Benchmark of certificate printing: one batch of every commune of the country, and separate files.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/certificates_bench.py --help``).

1. Builds one certificate per commune of today's official list (engine/data/units-vietnam-2025.csv: 3,321
   communes of 34 provinces, real names), with serial numbers, verification URLs and a decision per province.
2. Batch: all of them in one PDF (``certificates.certificates_batch_pdf``), as ``cfc certificates print`` does;
   prints certificates per second and bytes per certificate; checks the page count.
3. Separate: the first N (200) as one PDF each (``certificates.certificate_pdf``); prints certificates per
   second, mean and largest bytes per file.
4. Determinism: the batch of the first 50 built twice gives the same bytes.
5. Prints the targets (>= 100 certificates/s in batch; <= 40 KB per separate certificate) with PASS/FAIL.
   Exit status 0 when the output is correct (a missed target is a measurement, not a failure); 1 when the
   output is wrong (page count, determinism).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from certificates import CertificateData, Issuer, certificate_pdf, certificates_batch_pdf  # noqa: E402

UNITS = ROOT / "engine" / "data" / "units-vietnam-2025.csv"
BASE_URL = "https://treem.example.gov.vn"
YEAR = 2025
TARGET_RATE = 100.0
TARGET_BYTES = 40 * 1024


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
            issuer=issuer, total=900 + len(out) % 100, max_total=1000, provisional=False))
    return out


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--separate", type=int, default=200, help="certificates printed as separate files")
    parser.add_argument("--limit", type=int, default=None, help="only the first N communes in the batch")
    parser.add_argument("--output", type=Path, help="also write the batch PDF here")
    args = parser.parse_args()

    print(f"Certificates benchmark — Python {platform.python_version()} on {platform.machine()}")
    items = build()
    if args.limit:
        items = items[:args.limit]
    print(f"  {len(items)} communes of {len({i.province for i in items})} provinces "
          f"(longest name: {max((i.commune for i in items), key=len)!r})")

    certificate_pdf(items[0])  # fonts are loaded once per process: not part of the rates

    started = time.perf_counter()
    batch = certificates_batch_pdf(items)
    batch_s = time.perf_counter() - started
    batch_rate = len(items) / batch_s
    per_cert = len(batch) / len(items)
    pages = page_count(batch)
    print(f"\nBatch: {len(items)} certificates in {batch_s:.2f} s = {batch_rate:.0f} certificates/s; "
          f"{len(batch):,} bytes = {per_cert:,.0f} bytes/certificate; {pages} pages")
    if args.output:
        args.output.write_bytes(batch)
        print(f"  written to {args.output}")

    n = min(args.separate, len(items))
    sizes, times = [], []
    for item in items[:n]:
        t = time.perf_counter()
        sizes.append(len(certificate_pdf(item)))
        times.append(time.perf_counter() - t)
    separate_rate = n / sum(times)
    print(f"Separate: {n} files in {sum(times):.2f} s = {separate_rate:.0f} certificates/s; bytes per file: "
          f"mean {statistics.mean(sizes):,.0f}, median {statistics.median(sizes):,.0f}, largest {max(sizes):,}")

    again = certificates_batch_pdf(items[:50]) == certificates_batch_pdf(items[:50])
    print(f"Determinism: the same 50 certificates twice give {'the same' if again else 'DIFFERENT'} bytes")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print("\nTargets")
    print(f"  batch rate >= {TARGET_RATE:.0f} certificates/s{'':<18} {batch_rate:>10.0f}  "
          f"{verdict(batch_rate >= TARGET_RATE)}")
    print(f"  separate certificate <= {TARGET_BYTES // 1024} KB (largest of {n}){'':<9} {max(sizes) / 1024:>8.1f} KB  "
          f"{verdict(max(sizes) <= TARGET_BYTES)}")
    correct = pages == len(items) and again
    print(f"\nResult: {'correct' if correct else 'INCORRECT'}")
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
