"""Exports (results, values, audit trail), the round trip export → import → no change, the province report,
and the ``cfc import|export|report`` commands, on SQLite and PostgreSQL.

Rounds used: 2025 (Quảng Ngãi after the merger: one recognised dossier, imported drafts) for exports and the
round trip; the first free 2019–2024 round of C1 for the district report of Kon Tum; 2027 for the commands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata

import pytest
from click.testing import CliRunner
from conftest import C1, DATA
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

import certificates as docs
from cfc import main as cfc_main
from dossiers.audit import local_date, now
from dossiers.bulk import export
from dossiers.bulk.importer import import_file
from dossiers.bulk.read import read_table
from dossiers.bulk.report import NO_DISTRICT, collect
from dossiers.models import AuditEntry, Dossier
from engine.errors import AccessDenied
from engine.loader import Registry
from engine.template import example_values

VERSION = Registry.load().get("qd06-2019")
CODES = [i.code for _, i in VERSION.indicators()]
KINDS = {i.code: i.type for _, i in VERSION.indicators()}
CRITERIA = [c.code for c in VERSION.criteria]
TWO_LEVELS = "Quy trình đánh giá, công nhận (chính quyền địa phương hai cấp)"  # procedure-2025



def cells(**changes) -> list:
    values = {c: ("có" if v else "không") if KINDS[c] == "yes_no" else v for c, v in example_values().items()}
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return [values.get(code) for code in CODES]


def write_xlsx(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["commune_code", *CODES])
    for line in rows:
        book.active.append(line)
    book.save(path)
    return path


def audit_count(world) -> int:
    with world.service.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def csv_rows(path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel users starts with a BOM"
    text = data.decode("utf-8-sig")
    assert unicodedata.is_normalized("NFC", text)
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def round_2025(world, tmp_path_factory):
    """Round 2025 of Quảng Ngãi: commune 0 recognised through the service, communes 1–3 imported complete,
    commune 4 with one value; commune 5 has no dossier."""
    recognised = world.dossier_2025("recognized")
    year = world.service.get(world.users["province_officer_2025"], recognised).year
    assert year == 2025
    communes = world.communes_2025
    path = write_xlsx(tmp_path_factory.mktemp("r25") / "r25.xlsx", [
        [communes[1], *cells()],
        [communes[2], *cells(TC13__satisfaction=60)],
        [communes[3], *cells(TC01__officer="không", TC07__fully_immunised=40)],
        [communes[4], "có"],
    ])
    import_file(world.service, path, 2025, world.users["province_officer_2025"])
    return {"recognised": recognised, "communes": communes, "officer": world.users["province_officer_2025"]}


# ---------------------------------------------------------------------------------------------------- results
def test_results_per_commune_with_points_total_threshold_status_and_decision(world, round_2025, tmp_path):
    officer, communes = round_2025["officer"], round_2025["communes"]
    summary = export.export_results(world.service, officer, 2025, tmp_path / "r.csv")
    assert summary.rows == 5
    rows = csv_rows(tmp_path / "r.csv")
    header, labels, body = rows[0], rows[1], rows[2:]
    assert header[:9] == ["commune_code", "commune_name", "district", "province", "category", "status",
                          "status_label", "criteria_version", "score_source"]
    assert header[9:9 + len(CRITERIA)] == CRITERIA
    assert header[9 + len(CRITERIA):] == ["total", "max_total", "threshold", "meets_conditions",
                                          "failed_conditions", "decision_number", "decision_date", "dossier_id"]
    assert labels[0] == "Mã xã" and labels[9].startswith("TC01: ")
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_code) == set(communes[:5])
    recognised = by_code[communes[0]]
    view = world.service.get(officer, round_2025["recognised"])
    assert recognised["status"] == "recognized" and recognised["status_label"] == "Được công nhận"
    assert recognised["score_source"] == "thẩm định"
    assert recognised["province"].endswith("Quảng Ngãi") and recognised["district"] == ""
    for crit in view.verified_score.criteria:
        assert recognised[crit.code] == str(crit.points)
    assert (recognised["total"], recognised["max_total"], recognised["threshold"]) == ("935", "1000", "850")
    assert recognised["meets_conditions"] == "có" and recognised["failed_conditions"] == ""
    assert (recognised["decision_number"], recognised["decision_date"]) == ("1/QĐ-UBND", local_date(now()).isoformat())
    low = by_code[communes[2]]
    assert low["score_source"] == "tự đánh giá" and low["status"] == "draft"
    assert low["meets_conditions"] == "không" and "TC13 chưa đạt" in low["failed_conditions"]
    partial = by_code[communes[4]]
    assert partial["total"] == "" and partial["TC01"] == "" and partial["score_source"] == ""


def test_results_workbook_has_results_values_and_notes(world, round_2025, tmp_path):
    officer = round_2025["officer"]
    export.export_results(world.service, officer, 2025, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Kết quả", "Chỉ số", "Ghi chú"]
    results = book["Kết quả"]
    assert results["A1"].value == "commune_code" and results["B2"].value == "Tên xã"
    assert results.max_row == 2 + 5
    decision = [c.value for c in results[3]][-2]
    assert decision == dt.datetime.combine(local_date(now()), dt.time())
    assert book["Chỉ số"]["A1"].value == "commune_code" and book["Chỉ số"]["B1"].value == "commune_name"
    assert "TẠM THỜI" in " ".join(str(r[0].value) for r in book["Ghi chú"].iter_rows())
    book.close()


def test_exports_cover_only_the_users_jurisdiction(world, round_2025, tmp_path):
    summary = export.export_results(world.service, world.users["other_province_officer_2025"], 2025,
                                    tmp_path / "r.csv")
    assert summary.rows == 0 and len(csv_rows(tmp_path / "r.csv")) == 2


# ------------------------------------------------------------------------------------------------ round trip
@pytest.mark.parametrize("how", ["results.xlsx", "values.csv", "values.xlsx"])
def test_export_then_import_changes_nothing(world, round_2025, tmp_path, how):
    officer = round_2025["officer"]
    kind, suffix = how.split(".")
    path = tmp_path / f"round.{suffix}"
    if kind == "results":
        export.export_results(world.service, officer, 2025, path)
    else:
        export.export_values(world.service, officer, 2025, path)
    table = read_table(path)
    assert table.header[:2] == ["commune_code", "commune_name"]
    with world.service.transaction() as s:
        versions = {d.id: d.lock_version for d in s.execute(select(Dossier).where(Dossier.year == 2025)).scalars()}
    before = audit_count(world)
    report = import_file(world.service, path, 2025, officer)
    assert report.stored and report.changed == [] and report.unchanged == 5
    assert {r.status for r in report.rows} == {"draft", "recognized"}
    assert audit_count(world) == before
    with world.service.transaction() as s:
        assert {d.id: d.lock_version for d in s.execute(select(Dossier).where(Dossier.year == 2025)).scalars()} \
            == versions


# ----------------------------------------------------------------------------------------------------- audit
def test_audit_trail_of_a_round_and_of_a_dossier(world, round_2025, tmp_path):
    officer, recognised = round_2025["officer"], round_2025["recognised"]
    summary = export.export_audit(world.service, officer, tmp_path / "a.csv", year=2025)
    rows = csv_rows(tmp_path / "a.csv")
    header, body = rows[0], rows[2:]
    assert header == export.AUDIT_COLUMNS and len(body) == summary.rows
    seqs = [int(r[0]) for r in body]
    assert seqs == sorted(seqs)
    actions = [(r[3], r[6]) for r in body if r[4] == str(recognised)]
    assert [a for a, _ in actions] == ["dossier.create", "values.set", "transition.submit", "values.appraise",
                                       "transition.verify", "transition.recognize", "certificate.issue"]
    imports = [dict(zip(header, r, strict=True)) for r in body if r[3] == "values.import"]
    assert len(imports) == 4 and {r["actor"] for r in imports} == {officer}
    assert json.loads(imports[-1]["after"]) == {"TC01.officer": "true"} and imports[-1]["before"] == ""
    assert imports[0]["commune_name"] and imports[0]["year"] == "2025"

    one = export.export_audit(world.service, officer, tmp_path / "d.xlsx", dossier_id=recognised)
    assert one.rows == 7  # the six steps, and the serial allocated at recognition
    sheet = load_workbook(tmp_path / "d.xlsx")["Nhật ký"]
    assert sheet["D3"].value == "dossier.create" and sheet["B2"].value == "Thời điểm (giờ Việt Nam, UTC+07:00)"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", sheet["B3"].value)
    with pytest.raises(AccessDenied):
        export.export_audit(world.service, world.users["other_province_officer_2025"], tmp_path / "x.csv",
                            dossier_id=recognised)


# ---------------------------------------------------------------------------------------------------- report
def kon_tum_communes() -> dict[str, int]:
    with open(DATA / "units-kontum-2019.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] == "commune"]
    out: dict[str, int] = {}
    for r in rows:
        out[r["parent_code"]] = out.get(r["parent_code"], 0) + 1
    return out


def test_province_report_per_district_against_the_targets(world, tmp_path):
    recognised = world.dossier_2019("recognized")
    year = world.service.get(world.users["province_officer"], recognised).year
    path = write_xlsx(tmp_path / "k.xlsx", [["23281", *cells()], ["23284", *cells(TC13__satisfaction=60)]])
    import_file(world.service, path, year, world.users["district_appraiser"])  # drafts: not assessed
    report = collect(world.service, world.users["province_officer"], "62", year)
    (tmp_path / "k.pdf").write_bytes(docs.province_report_pdf(docs.from_dict(docs.ProvinceReportData,
                                                                            report.fields())))
    counts = kon_tum_communes()
    assert report.total.communes == sum(counts.values())
    assert (report.total.assessed, report.total.recognized) == (1, 1)
    city = next(g for g in report.groups if g.code == "608")
    assert (city.name, city.communes, city.assessed, city.recognized) == ("Thành phố Kon Tum", counts["608"], 1, 1)
    assert [g.code for g in report.groups] == sorted(counts, key=int)
    assert sum(n for _, n in report.bins) == 3 and dict(report.bins)["900–949"] >= 1  # every dossier once, drafts too
    assert all(st.scored == 1 for st in report.criteria)
    assert report.criteria[0].below_max == 1  # criteria below their maximum come first
    assert {st.code for st in report.criteria if st.below_max} == {
        c.code for c in world.service.get("po", recognised).verified_score.criteria
        if c.points < c.max_points}
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(tmp_path / "k.pdf").pages).split())
    share = f"{100 / counts['608']:.1f}".replace(".", ",") + " %"
    for expected in ("Tỉnh Kon Tum — kỳ đánh giá năm", "Thành phố Kon Tum", "Huyện Đắk Glei", share,
                     "Xã Đắk Rơ Wa", "Được công nhận", "Đang soạn"):
        assert expected in text, expected
    with pytest.raises(AccessDenied):
        collect(world.service, world.users["district_appraiser"], "62", year)


def test_province_report_after_2025_has_no_districts(world, round_2025, tmp_path):
    report = collect(world.service, round_2025["officer"], "51", 2025)
    (tmp_path / "q.pdf").write_bytes(docs.province_report_pdf(docs.from_dict(docs.ProvinceReportData,
                                                                            report.fields())))
    assert [g.name for g in report.groups] == [NO_DISTRICT]
    assert (report.total.communes, report.total.assessed, report.total.recognized) == (6, 1, 1)
    assert report.target == (2025, 65)
    assert (tmp_path / "q.pdf").read_bytes().startswith(b"%PDF")


# -------------------------------------------------------------------------------------------------- commands
@pytest.fixture
def cfc(world, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", world.url)
    monkeypatch.delenv("CFC_USER", raising=False)

    def run(*args: str):
        return CliRunner().invoke(cfc_main, [str(a) for a in args])

    return run


def test_commands_template_import_export_report(world, cfc, tmp_path):
    officer, communes = world.users["province_officer_2025"], world.communes_2025
    assert "cfc import FILE --round YEAR" in cfc("import", "--help").output
    assert "template VERSION" in cfc("import", "--help").output

    result = cfc("import", "template", "qd06-2019", "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "t.xlsx")
    sheet = book["Chỉ số"]
    sheet.append([communes[1], *cells()])
    sheet.append([communes[2], *cells(TC13__satisfaction="86,5")])
    book.save(tmp_path / "t.xlsx")
    assert cfc("import", "template", "qd06-2019", "-o", tmp_path / "t.txt").exit_code == 2
    assert cfc("import", "template", "nope", "-o", tmp_path / "t.csv").exit_code == 1

    dry = cfc("import", tmp_path / "t.xlsx", "--round", 2027, "--as", officer, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "935/1.000 điểm, ngưỡng 850 → đủ điều kiện công nhận" in dry.stdout
    assert "Thử (không lưu) t.xlsx, năm 2027" in dry.stdout
    with world.service.transaction() as s:
        assert s.execute(select(func.count()).select_from(Dossier).where(Dossier.year == 2027)).scalar_one() == 0

    done = cfc("import", "--round", 2027, tmp_path / "t.xlsx", "--as", officer)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Đã nhập t.xlsx, năm 2027") and "2 hồ sơ thay đổi (2 tạo mới)" in done.stdout
    again = cfc("import", "file", tmp_path / "t.xlsx", "--round", 2027, "--as", officer, "--quiet")
    assert again.exit_code == 0 and "0 hồ sơ thay đổi" in again.stdout

    write_xlsx(tmp_path / "bad.xlsx", [[communes[3], *cells(TC03__abused=-2)], ["99999", *cells()]])
    bad = cfc("import", tmp_path / "bad.xlsx", "--round", 2027, "--as", officer, "--report", tmp_path / "bad.csv")
    assert bad.exit_code == 1
    assert "bad.xlsx: 2 ô sai, không có gì được lưu:" in bad.stderr
    assert "dòng 2, cột I (TC03.abused) «-2»: số âm" in bad.stderr
    assert [r[:5] for r in csv_rows(tmp_path / "bad.csv")[1:]] == [
        ["2", "I", "TC03.abused", "-2", "negative"], ["3", "A", "commune_code", "99999", "unknown_commune"]]
    assert cfc("import", tmp_path / "t.xlsx", "--as", officer).exit_code == 2  # no --round
    assert cfc("import", tmp_path / "t.xlsx", "--round", 2027).exit_code == 2  # nobody acts
    denied = cfc("import", tmp_path / "t.xlsx", "--round", 2027, "--as", world.users["province_approver_2025"])
    assert denied.exit_code == 1 and "province_approver" in denied.stderr

    out = cfc("export", "--round", 2027, "-o", tmp_path / "r.csv", "--as", officer)
    assert out.exit_code == 0, out.output
    assert len(csv_rows(tmp_path / "r.csv")) == 4
    assert cfc("export", "--round", 2027, "--values", "-o", tmp_path / "v.xlsx", "--as", officer).exit_code == 0
    assert cfc("import", tmp_path / "v.xlsx", "--round", 2027, "--as", officer).stdout.count("0 hồ sơ thay đổi") == 1
    audit_out = cfc("export", "--round", 2027, "--audit", "-o", tmp_path / "a.csv", "--as", officer)
    assert audit_out.exit_code == 0 and "mục nhật ký: 2 dòng" in audit_out.stderr
    assert cfc("export", "--dossier", 1, "-o", tmp_path / "a.csv", "--as", officer).exit_code == 2
    assert cfc("export", "--audit", "-o", tmp_path / "a.csv", "--as", officer).exit_code == 2
    assert cfc("export", "--round", 2027, "-o", tmp_path / "a.pdf", "--as", officer).exit_code == 2

    pdf = cfc("report", "--province", "51", "--round", 2027, "-o", tmp_path / "r.pdf", "--as", officer)
    assert pdf.exit_code == 0, pdf.output
    assert "Quảng Ngãi, 6 xã, 0 đã đánh giá, 0 được công nhận" in pdf.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert cfc("report", "--province", "51", "--round", 2027, "-o", tmp_path / "r.txt", "--as", officer).exit_code == 2
    other = cfc("report", "--province", "1", "--round", 2027, "-o", tmp_path / "o.pdf", "--as", officer)
    assert other.exit_code == 1 and "không thuộc địa bàn" in other.stderr

    # the procedure's export and report steps decide, for the command line as for the web
    commune = world.users["officer_2025"]
    refused = cfc("export", "--round", 2027, "-o", tmp_path / "c.csv", "--as", commune)
    assert refused.exit_code == 1 and f"xuất dữ liệu: theo quy trình ({TWO_LEVELS}) cần vai trò" in refused.stderr
    refused = cfc("report", "--province", "51", "--round", 2027, "-o", tmp_path / "c.pdf", "--as", commune)
    assert refused.exit_code == 1 and f"báo cáo tỉnh: theo quy trình ({TWO_LEVELS})" in refused.stderr
    assert not (tmp_path / "c.csv").exists() and not (tmp_path / "c.pdf").exists()


def test_template_prefilled_with_the_communes_of_a_unit(world, cfc, tmp_path):
    result = cfc("import", "template", "qd06-2019", "-o", tmp_path / "t.csv", "--unit", "608", "--round", 2024)
    assert result.exit_code == 0, result.output
    rows = csv_rows(tmp_path / "t.csv")
    assert rows[0][:2] == ["commune_code", "commune_name"]
    assert len(rows) == 2 + kon_tum_communes()["608"]
    assert [C1, "Xã Đắk Rơ Wa"] in [r[:2] for r in rows]
