"""Make the administrative-unit CSV files in dossiers/data/ from the official lists on PyPI.

The lists are facts published by the package ``vietnam-provinces``: release 0.6.0 holds the list in force until
30/06/2025, release 2025.10.1 the list from 01/07/2025. Nothing here is typed by hand. To remake the files:

    pip download --no-deps vietnam-provinces==0.6.0 vietnam-provinces==2025.10.1 -d /tmp/vp
    python scripts/make_unit_csv.py /tmp/vp/vietnam_provinces-0.6.0-py3-none-any.whl \
        /tmp/vp/vietnam_provinces-2025.10.1-py3-none-any.whl

The CSV format is the one ``cfc units import`` reads (README, "Administrative units").
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "dossiers" / "data"
FIELDS = ["level", "code", "name", "parent_code", "valid_from", "valid_to", "successor_code"]
REFORM = "2025-07-01"  # two levels of local government from this day
LAST_DAY_OLD = "2025-06-30"
KON_TUM, QUANG_NGAI = 62, 51


def divisions(wheel: str) -> list[dict]:
    with zipfile.ZipFile(wheel) as zf:
        return json.loads(zf.read("vietnam_provinces/data/nested-divisions.json"))


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{path}: {len(rows)} units")


def kon_tum_2019(data: list[dict]) -> list[dict]:
    province = next(p for p in data if p["code"] == KON_TUM)
    rows = [dict(level="province", code=KON_TUM, name=province["name"], parent_code="", valid_from="",
                 valid_to=LAST_DAY_OLD, successor_code=QUANG_NGAI)]
    for district in province["districts"]:
        rows.append(dict(level="district", code=district["code"], name=district["name"], parent_code=KON_TUM,
                         valid_from="", valid_to=LAST_DAY_OLD, successor_code=""))
        for ward in district["wards"]:
            rows.append(dict(level="commune", code=ward["code"], name=ward["name"], parent_code=district["code"],
                             valid_from="", valid_to=LAST_DAY_OLD, successor_code=""))
    return rows


def national_2025(data: list[dict]) -> list[dict]:
    rows = []
    for province in data:
        rows.append(dict(level="province", code=province["code"], name=province["name"], parent_code="",
                         valid_from=REFORM, valid_to="", successor_code=""))
        for ward in province["wards"]:
            rows.append(dict(level="commune", code=ward["code"], name=ward["name"], parent_code=province["code"],
                             valid_from=REFORM, valid_to="", successor_code=""))
    return rows


if __name__ == "__main__":
    old, new = sys.argv[1:3]
    write(OUT / "units-kontum-2019.csv", kon_tum_2019(divisions(old)))
    write(OUT / "units-vietnam-2025.csv", national_2025(divisions(new)))
