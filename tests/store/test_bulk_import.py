"""Spreadsheet import of indicator values (dossiers.bulk.importer) on SQLite and PostgreSQL, with real XLSX and CSV
files written here with openpyxl and csv: every bad-cell reason, all or nothing, scores, audit, re-import,
dry run, who may import.

Rounds used (one module-scoped world per backend): 2019 the main flow, 2020 atomicity, 2021 dry run, 2022
jurisdiction, 2023 CSV formats and layout, then a confirmation bound to its preview (C1 and C2), 2024 bad
cells (C1 has a submitted dossier there).
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from conftest import C1, C2
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from dossiers import audit
from dossiers.bulk.importer import ImportConflict, ImportRefused, import_file
from dossiers.bulk.read import ReadError, column_letter
from dossiers.bulk.template import COMMUNE_LABEL
from dossiers.models import AuditEntry, Dossier
from dossiers.service.scores import try_score
from engine.errors import AccessDenied
from engine.loader import Registry
from engine.template import example_values

VERSION = Registry.load().get("qd06-2019")
CODES = [i.code for _, i in VERSION.indicators()]
KINDS = {i.code: i.type for _, i in VERSION.indicators()}
LABELS = {i.code: i.label for _, i in VERSION.indicators()}
CITY = ["23281", "23284", "23287", "23290", "23293", "23296"]  # communes of Thành phố Kon Tum (608)
OUTSIDE = "23344"  # Xã Đắk Blô, Huyện Đắk Glei (610)


def cell(code: str, value):
    """A value as a person puts it in a spreadsheet: có/không, whole numbers, 86.5."""
    if KINDS[code] == "yes_no":
        return "có" if value else "không"
    return value


EXAMPLE = {code: cell(code, v) for code, v in example_values().items()}


def row(commune, **changes) -> list:
    values = dict(EXAMPLE)
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return [commune, *[values.get(code) for code in CODES]]


def xlsx(path, rows, header=None, labels=True):
    book = Workbook()
    sheet = book.active
    sheet.title = "Chỉ số"
    sheet.append(header or ["commune_code", *CODES])
    if labels:
        sheet.append([COMMUNE_LABEL, *[LABELS[c] for c in CODES]])
    for line in rows:
        sheet.append(line)
    book.save(path)
    return path


def dossiers(world, year: int) -> dict[str, Dossier]:
    with world.service.transaction() as s:
        found = s.execute(select(Dossier).where(Dossier.year == year)).scalars()
        return {d.commune.code: d for d in found}


def audit_count(world) -> int:
    with world.service.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def entries(world, dossier_id: int) -> list[AuditEntry]:
    with world.service.transaction() as s:
        return audit.history(s, dossier_id)


def service_score(world, dossier_id: int):
    """The score the dossier service itself computes from the stored values."""
    with world.service.transaction() as s:
        dossier = s.get(Dossier, dossier_id)
        return try_score(world.service.version_of(dossier), dossier, "self_value")


# --------------------------------------------------------------------------------------------- the main flow
def test_import_creates_dossiers_scores_them_and_audits_each_once(world, tmp_path):
    d1 = world.users["district_appraiser"]
    path = xlsx(tmp_path / "round-2019.xlsx", [
        row(CITY[0]),
        row(CITY[1], TC13__satisfaction=60, TC01__officer="không"),
        [CITY[2], "có"],  # one value only: TC01.officer
    ])
    before = audit_count(world)
    report = import_file(world.service, path, 2019, d1)
    assert report.stored and report.ok
    assert (len(report.rows), len(report.changed), report.created, report.unchanged) == (3, 3, 3, 0)
    assert [r.row for r in report.rows] == [3, 4, 5]

    found = dossiers(world, 2019)
    assert set(found) == set(CITY[:3])
    full, low, partial = (found[c] for c in CITY[:3])
    assert full.status == "draft" and full.criteria_version == "qd06-2019" and full.category == "other"
    assert full.procedure == "procedure-2019"
    view = world.service.get(d1, full.id)
    assert view.values["TC13.satisfaction"]["self"] == "86.5"
    assert view.values["TC01.officer"]["self"] == "true"
    assert view.values["TC07.fully_immunised"] == {"self": "49", "appraised": None, "comment": None}
    assert view.self_score.total == 935 and view.self_score.recognized is True
    assert view.self_score.to_dict() == service_score(world, full.id)
    low_view = world.service.get(d1, low.id)
    assert low_view.self_score.to_dict() == service_score(world, low.id) and low_view.self_score.total < 935
    part_view = world.service.get(d1, partial.id)
    assert part_view.values["TC01.officer"]["self"] == "true"
    assert sum(v["self"] is not None for v in part_view.values.values()) == 1
    assert part_view.self_score is None
    assert report.rows[2].missing and len(report.rows[2].missing) == len(CODES) - 1

    assert audit_count(world) == before + 3
    for dossier in (full, low, partial):
        (entry,) = entries(world, dossier.id)
        assert (entry.actor, entry.action, entry.dossier_version) == (d1, "values.import", 1)
        assert entry.before == "null"
        assert entry.reason.startswith("nhập từ tệp round-2019.xlsx, dòng ")
        assert entry.target.startswith("tạo hồ sơ; ")
    (entry,) = entries(world, partial.id)
    assert entry.after == '{"TC01.officer":"true"}'
    with world.service.transaction() as s:
        assert audit.verify_chain(s).ok

    # the same file again: nothing changes, not even a dossier's version
    again = import_file(world.service, path, 2019, d1)
    assert again.stored and again.changed == [] and again.unchanged == 3
    assert audit_count(world) == before + 3
    assert {c: d.lock_version for c, d in dossiers(world, 2019).items()} == {c: 1 for c in CITY[:3]}

    # one changed cell and empty cells: one entry with that value before and after, empty cells keep values
    path2 = xlsx(tmp_path / "fix.xlsx", [[CITY[1], *[None] * len(CODES)]])
    book = load_workbook(path2)
    book.active.cell(row=3, column=CODES.index("TC13.satisfaction") + 2, value=95)
    book.save(path2)
    fixed = import_file(world.service, path2, 2019, d1)
    assert [r.changes for r in fixed.changed] == [{"TC13.satisfaction": ("60", "95")}]
    after = world.service.get(d1, low.id)
    assert after.lock_version == 2 and after.values["TC07.fully_immunised"]["self"] == "49"
    assert after.self_score.to_dict() == service_score(world, low.id)
    assert after.self_score.total > low_view.self_score.total
    last = entries(world, low.id)[-1]
    assert (last.before, last.after, last.dossier_version) == ('{"TC13.satisfaction":"60"}',
                                                             '{"TC13.satisfaction":"95"}', 2)
    assert last.target == "TC13.satisfaction"


def test_a_failure_while_storing_leaves_nothing(world, tmp_path, monkeypatch):
    """Dossiers, values and the first audit entry are written when the second entry fails: all roll back."""
    path = xlsx(tmp_path / "f.xlsx", [row(CITY[0]), row(CITY[1]), row(CITY[2])])
    real, calls = audit.entry_hash, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "entry_hash", failing)
    before = audit_count(world)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(world.service, path, 2020, world.users["district_appraiser"])
    monkeypatch.undo()
    assert len(calls) == 2
    assert dossiers(world, 2020) == {} and audit_count(world) == before
    with world.service.transaction() as s:
        assert audit.verify_chain(s).ok


# ------------------------------------------------------------------------------------------------ bad cells
@pytest.fixture(scope="module")
def submitted_2024(world):
    """C1's dossier of round 2024, submitted (no longer in draft)."""
    world._used.add((C1, 2024))
    return world.dossier_2019("submitted", commune=C1)


def col(code: str) -> str:
    return column_letter(CODES.index(code) + 2)


BAD = {
    # name: (rows, header or None, expected (row, column, reason, value))
    "unknown commune": ([row("99999")], None, (3, "A", "unknown_commune", "99999")),
    "unknown indicator": ([row(CITY[0]) + ["1"]], ["commune_code", *CODES, "TC99.nothing"],
                          (1, None, "unknown_indicator", "TC99.nothing")),
    "negative": ([row(CITY[0], TC03__abused=-1)], None, (3, col("TC03.abused"), "negative", "-1")),
    "numerator above denominator": ([row(CITY[0], TC02__registered_on_time=130)], None,
                                    (3, col("TC02.registered_on_time"), "above_denominator", "130")),
    # the commune's children, one number (same_as) in the old three columns: equal, or refused naming the cells
    "a shared number typed differently": ([row(CITY[0], TC05__children=2399)], None,
                                          (3, col("TC05.children"), "shared_differs", "2.399")),
    "text in a number": ([row(CITY[0], TC07__children_under_1="năm mươi")], None,
                         (3, col("TC07.children_under_1"), "not_a_number", "năm mươi")),
    "outside the jurisdiction": ([row(OUTSIDE)], None, (3, "A", "outside_jurisdiction", OUTSIDE)),
    "dossier no longer in draft": ([row(C1, TC13__satisfaction=90)], None, (3, "A", "not_draft", C1)),
    "a commune twice": ([row(CITY[0]), row(CITY[0])], None, (4, "A", "duplicate_commune", CITY[0])),
    "no commune code": ([row(None)], None, (3, "A", "missing_commune_code", "")),
    "not a yes or no": ([row(CITY[0], TC01__budget="có lẽ")], None, (3, col("TC01.budget"), "invalid", "có lẽ")),
    "a fraction of a child": ([row(CITY[0], TC10__children_3_5=360.5)], None,
                              (3, col("TC10.children_3_5"), "invalid", "360,5")),  # the number as Vietnamese write it
    "an ambiguous thousand": ([row(CITY[0], TC03__children="1,000")], None,
                              (3, col("TC03.children"), "invalid", "1,000")),  # a thousand or one: never stored as 1
    "a column without header": ([row(CITY[0]) + ["5"]], None, (3, None, "missing_header", "5")),
    "a column twice": ([row(CITY[0]) + [1]], ["commune_code", *CODES, "TC01.officer"],
                       (1, None, "duplicate_column", "TC01.officer")),
    "a cell of 30,000 letters": ([row(CITY[0], TC13__satisfaction="x" * 30_000)], None,
                                 (3, col("TC13.satisfaction"), "not_a_number", "x" * 100 + "… (30.000 ký tự)")),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_each_bad_cell_refuses_the_whole_file_naming_row_column_value_and_reason(case, world, tmp_path,
                                                                                 submitted_2024):
    rows, header, (line, column, reason, value) = BAD[case]
    rows = [row(CITY[5])] + rows  # a good row first: it is not stored either
    line = line + 1 if line > 1 else line
    if header is None and case == "a column without header":
        header = ["commune_code", *CODES]
    path = xlsx(tmp_path / "bad.xlsx", rows, header=header)
    before_dossiers = {c: d.lock_version for c, d in dossiers(world, 2024).items()}
    before = audit_count(world)
    with pytest.raises(ImportRefused) as refused:
        import_file(world.service, path, 2024, world.users["district_appraiser"])
    (problem,) = refused.value.report.problems
    assert (problem.row, problem.reason, problem.value) == (line, reason, value)
    if column:
        assert problem.letter == column
    assert problem.message and problem.header
    assert str(problem).startswith(f"dòng {line}, cột {problem.letter} (")
    if case == "an ambiguous thousand":  # the Vietnamese message says how to write it
        assert problem.message.startswith("«1,000» không rõ là 1000 hay 1: viết 1000 hoặc 1.000"), problem.message
    assert {c: d.lock_version for c, d in dossiers(world, 2024).items()} == before_dossiers
    assert audit_count(world) == before
    assert not refused.value.report.stored


def test_every_bad_cell_of_a_file_is_reported_at_once(world, tmp_path, submitted_2024):
    path = xlsx(tmp_path / "many.xlsx", [
        row("99999"),
        row(CITY[0], TC03__abused=-1, TC07__children_under_1="abc", TC02__registered_on_time=130),
        row(OUTSIDE),
        row(C1, TC13__satisfaction=90),
        row(CITY[1], TC13__satisfaction="86,5"),  # good
    ])
    with pytest.raises(ImportRefused) as refused:
        import_file(world.service, path, 2024, world.users["district_appraiser"])
    report = refused.value.report
    got = sorted((p.row, p.letter, p.reason) for p in report.problems)
    assert got == sorted([
        (3, "A", "unknown_commune"),
        (4, col("TC03.abused"), "negative"),
        (4, col("TC07.children_under_1"), "not_a_number"),
        (4, col("TC02.registered_on_time"), "above_denominator"),
        (5, "A", "outside_jurisdiction"),
        (6, "A", "not_draft"),
    ])
    text = str(refused.value)
    assert text.startswith("many.xlsx: 6 ô sai, không có gì được lưu:")
    assert "dòng 5, cột A (commune_code) «23344»: Xã Đắk Blô không thuộc địa bàn của d1 (Thành phố Kon Tum)" in text
    assert "tử số lớn hơn mẫu số: TC02.registered_on_time = 130 > TC02.children_born = 120" in text
    assert "«Đã nộp»" in text
    assert CITY[1] not in dossiers(world, 2024)


def test_a_formula_without_its_computed_value_refuses_the_file_naming_the_cell(world, tmp_path):
    path = xlsx(tmp_path / "cong-thuc.xlsx", [row(CITY[0], TC13__satisfaction="=80+6")])  # openpyxl computes nothing
    before = audit_count(world)
    with pytest.raises(ReadError, match=f"ô {col('TC13.satisfaction')}3 có công thức nhưng không có giá trị đã tính"):
        import_file(world.service, path, 2020, world.users["district_appraiser"], dry_run=True)
    assert audit_count(world) == before and CITY[0] not in dossiers(world, 2020)


def test_a_file_without_commune_code_column_is_refused_at_once(world, tmp_path):
    path = xlsx(tmp_path / "f.xlsx", [["23281", "có"]], header=["ma_xa", "TC01.officer"], labels=False)
    with pytest.raises(ImportRefused) as refused:
        import_file(world.service, path, 2020, world.users["district_appraiser"])
    (problem,) = refused.value.report.problems
    assert (problem.row, problem.letter, problem.reason) == (1, "A", "missing_commune_column")


def test_unchanged_rows_of_a_submitted_dossier_are_no_change(world, tmp_path, submitted_2024):
    path = xlsx(tmp_path / "same.xlsx", [row(C1)])  # the values it was submitted with
    report = import_file(world.service, path, 2024, world.users["district_appraiser"])
    assert report.stored and report.changed == [] and report.rows[0].status == "submitted"


# ---------------------------------------------------------------------------------------------------- dry run
def test_dry_run_shows_scores_and_stores_nothing(world, tmp_path):
    path = xlsx(tmp_path / "dry.xlsx", [row(CITY[0]), row(CITY[1], TC13__satisfaction=60), [CITY[2], "có"]])
    before = audit_count(world)
    report = import_file(world.service, path, 2021, world.users["district_chair"], dry_run=True)
    assert report.ok and not report.stored and report.dry_run
    assert [r.score["total"] if r.score else None for r in report.rows] == [935, 885, None]
    assert report.rows[1].score["recognized"] is False
    assert "885/1.000 điểm, ngưỡng 850 → chưa đủ điều kiện công nhận" in report.rows[1].line()
    assert "còn 32 chỉ số chưa nhập" in report.rows[2].line()
    assert "935/1.000 điểm, ngưỡng 850 → đủ điều kiện công nhận" in report.rows[0].line()
    assert report.rows[0].line().endswith(": " + report.rows[0].outcome())
    assert report.summary().startswith("Thử (không lưu) dry.xlsx, năm 2021")
    assert dossiers(world, 2021) == {} and audit_count(world) == before

    bad = xlsx(tmp_path / "dry-bad.xlsx", [row(CITY[0]), row("99999")])
    report = import_file(world.service, bad, 2021, world.users["district_chair"], dry_run=True)
    assert [p.reason for p in report.problems] == ["unknown_commune"]
    assert report.rows[0].score["total"] == 935  # the good rows are still scored
    assert dossiers(world, 2021) == {}


# ---------------------------------------------------------------------------------------------- who may import
def test_who_may_import(world, tmp_path):
    u = world.users
    own = xlsx(tmp_path / "own.xlsx", [row(C1)])
    world._used.add((C1, 2022))
    assert import_file(world.service, own, 2022, u["commune_officer"]).created == 1
    neighbour = xlsx(tmp_path / "neighbour.xlsx", [row(CITY[1])])
    with pytest.raises(ImportRefused) as refused:
        import_file(world.service, neighbour, 2022, u["commune_officer"])
    assert [p.reason for p in refused.value.report.problems] == ["outside_jurisdiction"]
    with pytest.raises(ImportRefused):
        import_file(world.service, neighbour, 2022, u["other_district_chair"])
    assert import_file(world.service, neighbour, 2022, u["district_chair"]).created == 1
    far = xlsx(tmp_path / "far.xlsx", [row(OUTSIDE)])
    assert import_file(world.service, far, 2022, u["province_officer"]).created == 1
    with pytest.raises(AccessDenied, match="lãnh đạo tỉnh phê duyệt"):
        import_file(world.service, far, 2022, u["province_approver"])
    with pytest.raises(AccessDenied):
        import_file(world.service, far, 2022, "nobody")


# ------------------------------------------------------------------------------------------ CSV and layout
def test_csv_with_vietnamese_formats_semicolons_and_bom(world, tmp_path):
    path = tmp_path / "vn.csv"
    values = dict(EXAMPLE)
    values.update({"TC03.children": "2.400", "TC13.satisfaction": "86,5", "TC01.officer": "Có",
                   "TC12.summer_activities": "không", "TC09.children": "2 400"})
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["commune_code", *CODES])
        writer.writerow([COMMUNE_LABEL, *[LABELS[c] for c in CODES]])
        writer.writerow(["23290", *[values[c] for c in CODES]])
    report = import_file(world.service, path, 2023, world.users["district_appraiser"])
    (result,) = report.changed
    view = world.service.get(world.users["district_appraiser"], result.dossier_id)
    assert view.values["TC03.children"]["self"] == "2400"
    assert view.values["TC09.children"]["self"] == "2400"
    assert view.values["TC13.satisfaction"]["self"] == "86.5"
    assert view.values["TC01.officer"]["self"] == "true"
    assert view.self_score.total == 935


def test_label_row_name_column_leading_zeros_and_numeric_codes(world, tmp_path):
    header = ["commune_code", "commune_name", *CODES]
    path = xlsx(tmp_path / "named.xlsx", [
        [int(CITY[4]), "Phường Thắng Lợi", *row(None)[1:]],
        ["0" + CITY[5], "tên sai cũng không sao", *row(None)[1:]],
    ], header=header, labels=False)
    book = load_workbook(path)
    book.active.insert_rows(2)
    book.active.cell(row=2, column=1, value=COMMUNE_LABEL)
    book.active.cell(row=2, column=3, value=LABELS[CODES[0]])
    book.save(path)
    report = import_file(world.service, path, 2023, world.users["district_appraiser"])
    assert [(r.row, r.commune_code) for r in report.changed] == [(3, CITY[4]), (4, CITY[5])]


def test_scores_decimal_cells_exactly(world, tmp_path):
    path = xlsx(tmp_path / "dec.xlsx", [row(CITY[3], TC13__satisfaction=Decimal("97.25"))])
    report = import_file(world.service, path, 2020, world.users["district_appraiser"])
    view = world.service.get(world.users["district_appraiser"], report.changed[0].dossier_id)
    assert view.values["TC13.satisfaction"]["self"] == "97.25"


# ---------------------------------------------------------------------------- a confirmation and its preview
def bound_import(world, path, year: int, preview):
    """Import ``path`` bound to what the dry run ``preview`` saw (as the web confirmation does)."""
    return import_file(world.service, path, year, world.users["district_appraiser"],
                       expected_versions=preview.seen_versions(), expect_new=preview.seen_new())


def test_a_confirmation_stores_nothing_when_the_commune_saved_after_the_preview(world, tmp_path):
    """Issue #10, item 2: the district previews an import, the commune then saves a new value through the
    service, the district confirms: nothing is stored, the conflict names the commune and who changed what."""
    d1, officer = world.users["district_appraiser"], world.users["commune_officer"]
    world._used.add((C1, 2023))
    dossier = world.service.create(officer, C1, 2023).id
    world.service.set_values(officer, dossier, example_values())
    path = xlsx(tmp_path / "district.xlsx", [row(C1, TC13__satisfaction=70)])
    preview = import_file(world.service, path, 2023, d1, dry_run=True)
    assert preview.seen_versions() == {dossier: 2} and preview.seen_new() == set()

    world.service.set_values(officer, dossier, {"TC13.satisfaction": "95"})  # the commune, after the preview
    before = audit_count(world)
    with pytest.raises(ImportConflict) as conflict:
        bound_import(world, path, 2023, preview)
    (line,) = conflict.value.conflicts
    assert line.startswith("Xã Đắk Rơ Wa (23335): hồ sơ ") and "từ phiên bản 2 lên 3" in line
    assert f"{officer} lúc " in line and "Nhập số liệu (TC13.satisfaction)" in line
    assert "không có gì được lưu" in str(conflict.value) and not conflict.value.report.stored
    view = world.service.get(d1, dossier)
    assert view.values["TC13.satisfaction"]["self"] == "95" and view.lock_version == 3
    assert audit_count(world) == before

    # previewed again, the district sees the commune's value and may confirm knowingly
    again = import_file(world.service, path, 2023, d1, dry_run=True)
    assert bound_import(world, path, 2023, again).stored
    assert world.service.get(d1, dossier).values["TC13.satisfaction"]["self"] == "70"


def test_a_confirmation_stores_nothing_when_a_dossier_was_created_after_the_preview(world, tmp_path):
    d1, neighbour = world.users["district_appraiser"], world.users["neighbour_officer"]
    path = xlsx(tmp_path / "new.xlsx", [row(C2)])
    preview = import_file(world.service, path, 2023, d1, dry_run=True)
    assert preview.seen_versions() == {} and preview.seen_new() == {C2}
    world._used.add((C2, 2023))
    created = world.service.create(neighbour, C2, 2023).id  # the commune opens its dossier meanwhile
    world.service.set_values(neighbour, created, {"TC13.satisfaction": "60"})
    before = audit_count(world)
    with pytest.raises(ImportConflict) as conflict:
        bound_import(world, path, 2023, preview)
    (line,) = conflict.value.conflicts
    assert line.startswith("Phường Duy Tân (23284): chưa có hồ sơ khi xem trước; ")
    assert "Tạo hồ sơ" in line and "Nhập số liệu (TC13.satisfaction)" in line
    assert world.service.get(d1, created).values["TC13.satisfaction"]["self"] == "60"
    assert audit_count(world) == before


def test_a_row_that_changed_nothing_in_the_preview_is_bound_too(world, tmp_path):
    """The file held the stored value; the commune changes it after the preview: confirming would write the
    file's value back over the commune's, so it is a conflict too."""
    d1, officer = world.users["district_appraiser"], world.users["commune_officer"]
    dossier = dossiers(world, 2023)[C1]
    stored = world.service.get(d1, dossier.id).values["TC13.satisfaction"]["self"]
    path = xlsx(tmp_path / "same.xlsx", [[C1, *[stored if c == "TC13.satisfaction" else None for c in CODES]]])
    preview = import_file(world.service, path, 2023, d1, dry_run=True)
    assert preview.changed == [] and preview.seen_versions() == {dossier.id: dossier.lock_version}
    world.service.set_values(officer, dossier.id, {"TC13.satisfaction": "55"})
    with pytest.raises(ImportConflict):
        bound_import(world, path, 2023, preview)
    assert world.service.get(d1, dossier.id).values["TC13.satisfaction"]["self"] == "55"


def test_a_binding_that_leaves_out_a_row_is_no_pass(world, tmp_path):
    """A confirmation bound to less than the file (a tampered set) is refused for every row it leaves out."""
    path = xlsx(tmp_path / "two.xlsx", [row(C1, TC13__satisfaction=71), row(CITY[2], TC13__satisfaction=72)])
    before = {c: d.lock_version for c, d in dossiers(world, 2023).items()}
    with pytest.raises(ImportConflict) as conflict:
        import_file(world.service, path, 2023, world.users["district_appraiser"], expected_versions={},
                    expect_new=set())
    assert [line.split(":")[0] for line in conflict.value.conflicts] == ["Xã Đắk Rơ Wa (23335)",
                                                                         "Phường Quyết Thắng (23287)"]
    assert all("không có trong bản xem trước" in line for line in conflict.value.conflicts)
    assert {c: d.lock_version for c, d in dossiers(world, 2023).items()} == before


def test_a_sheet_with_the_number_of_children_once_gives_it_to_every_criterion_that_shares_it(world, tmp_path):
    one = [c for c in CODES if c not in ("TC04.children", "TC05.children")]  # TC03.children alone
    values = {**EXAMPLE, "TC03.children": 3000}
    book = Workbook()
    book.active.append(["commune_code", *one])
    book.active.append([CITY[3], *[values[c] for c in one]])
    book.save(tmp_path / "once.xlsx")
    report = import_file(world.service, tmp_path / "once.xlsx", 2019, world.users["district_appraiser"])
    assert report.stored and report.ok
    dossier_id = dossiers(world, 2019)[CITY[3]].id
    with world.service.transaction() as s:
        stored = {v.code: v.self_value for v in s.get(Dossier, dossier_id).values}
    assert stored["TC03.children"] == stored["TC04.children"] == stored["TC05.children"] == "3000"
