"""The importer's pure parts: cell parsing and classification, the fast score dict, scoring in worker processes,
and the province report's bins and PDF drawing from plain data."""

from __future__ import annotations

import os
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

import certificates as docs
from dossiers.bulk import report as province
from dossiers.bulk.cells import classify, commune_code, parse_cell
from dossiers.bulk.importer import configured_workers
from dossiers.bulk.scorer import Scorer, _score, worker_count
from dossiers.config import Settings
from engine.assessment import Assessment, Commune, check_values
from engine.loader import Registry
from engine.scoring import score
from engine.template import example_values
from engine.workflow import round_date

REGISTRY = Registry.load()
VERSION = REGISTRY.get("qd06-2019")


@pytest.mark.parametrize(("kind", "cell", "expected"), [
    ("count", "1.234", 1234),
    ("count", 1234, 1234),
    ("count", Decimal("49.0"), 49),
    ("score", "86,5", Decimal("86.5")),
    ("score", "86.5", Decimal("86.5")),
    ("score", Decimal("86.5"), Decimal("86.5")),
    ("yes_no", "có", True),
    ("yes_no", "Không", False),
    ("yes_no", True, True),
    ("yes_no", 1, True),
    ("yes_no", Decimal("0"), False),
    ("yes_no", "x", True),
])
def test_cells_parse_like_a_person_typed_them(kind, cell, expected):
    assert parse_cell(kind, cell) == (expected, None)


@pytest.mark.parametrize(("kind", "cell", "reason", "text"), [
    ("count", "-3", "negative", "số âm"),
    ("count", -3, "negative", "số âm"),
    ("count", "mười", "not_a_number", "không phải là số"),
    ("count", True, "not_a_number", "không phải là số"),
    ("count", "2,5", "invalid", "số nguyên"),
    ("count", 20_000_000, "invalid", "10.000.000"),
    ("score", "101", "invalid", "tối đa là 100"),
    ("score", "86,555", "invalid", "2 chữ số thập phân"),
    ("yes_no", "có lẽ", "invalid", "có hoặc không"),
    ("yes_no", 2, "invalid", "có hoặc không"),
])
def test_bad_cells_get_a_reason_and_a_vietnamese_explanation(kind, cell, reason, text):
    value, message = parse_cell(kind, cell)
    assert value is None and message
    got_reason, got_text = classify(message)
    assert got_reason == reason and text in got_text


def test_commune_codes_from_numbers_and_text():
    assert [commune_code(v) for v in (70, Decimal("70.0"), " 70 ", "00070", None)] == ["70", "70", "70", "00070", None]


def _assessments(n: int) -> list[tuple]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        values = dict(example_values())
        values["TC13.satisfaction"] = rng.choice((55, 72.5, 86.5, 99))
        values["TC01.officer"] = rng.random() < 0.8
        values["TC07.fully_immunised"] = rng.randint(40, 50)
        checked = check_values(VERSION, values, "other")
        out.append((VERSION.id, Commune(str(23000 + i), f"Xã {i}", "other"), 2024, checked))
    return out


def test_a_worker_scores_exactly_as_the_service_does():
    for job in _assessments(5):
        result = score(VERSION, Assessment(job[1], 2024, round_date(2024), VERSION.id, job[3]))
        assert _score(job, REGISTRY.versions) == result.to_dict()


def test_worker_processes_give_the_same_scores_in_order():
    jobs = _assessments(70)  # more than two batches
    with Scorer(REGISTRY.versions, 0) as local:
        expected = [local.result(local.submit(job)) for job in jobs]
    with Scorer(REGISTRY.versions, 2) as pooled:
        handles = [pooled.submit(job) for job in jobs]
        got = [pooled.result(h) for h in handles]
        assert pooled.pool is not None
    assert pooled.pool is None
    assert got == expected


def test_worker_count():
    assert worker_count(10) == 0
    assert worker_count(5000, 1) == 0 and worker_count(5000, 3) == 3
    auto = min(os.cpu_count() or 1, 4)
    assert worker_count(5000) == (auto if auto > 1 else 0)
    # CFC_IMPORT_WORKERS=0 reaches the import as the setting import_workers, which wins over the automatic count
    service = SimpleNamespace(settings=Settings.from_env({"CFC_IMPORT_WORKERS": "0"}))
    assert service.settings.import_workers == 0 and worker_count(5000, configured_workers(service, None)) == 0
    assert configured_workers(service, 3) == 3 and configured_workers(SimpleNamespace(settings=None), None) is None


def test_scorer_without_jobs_starts_no_process():
    with Scorer(REGISTRY.versions, 4) as scorer:
        assert scorer.pool is None


# --------------------------------------------------------------------------------------------------- report
def _report(groups, recognised_share_total=None) -> province.ProvinceReport:
    total = province.GroupRow("Toàn tỉnh: Tỉnh Kon Tum", "62")
    for g in groups:
        total.communes += g.communes
        total.assessed += g.assessed
        total.recognized += g.recognized
    stats = [province.CriterionStat(c.code, c.title, c.max_points, c.met_at, 3, 2, 1, 200) for c in VERSION.criteria]
    return province.ProvinceReport("62", "Tỉnh Kon Tum", 2024, VERSION.id, True, "po", "2024-12-01T10:00+07:00",
                                   groups, total, [("< 700", 1), ("700–749", 0), ("950–1000", 2)],
                                   {"Xã, phường, thị trấn còn lại": 850}, 1000, stats,
                                   [province.CommuneLine("23281", "Phường Quang Trung", "Thành phố Kon Tum",
                                                         "recognized", 935, 850, "verified")])


def test_the_pdf_draws_vietnamese_text_tables_and_charts():
    groups = [province.GroupRow("Thành phố Kon Tum", "608", 21, 15, 14),
              province.GroupRow("Huyện Đắk Glei", "610", 12, 3, 1)]
    report = _report(groups)
    assert report.target == (2025, 65)
    data = docs.province_report_pdf(docs.from_dict(docs.ProvinceReportData, report.fields()))
    assert data.startswith(b"%PDF")
    reader = PdfReader(__import__("io").BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ", "Tỉnh Kon Tum", "Huyện Đắk Glei", "Thành phố Kon Tum", "66,7 %",
                     "8,3 %", "mục tiêu 2025: 65 %", "mục tiêu 2030: 75 %", "Phân bố điểm", "950–1000",
                     "Tiêu chí thường chưa đạt điểm tối đa", "TC13", "Phường Quang Trung", "Được công nhận",
                     "TẠM THỜI"):
        assert expected in text, expected
    assert "15 xã, phường" not in text  # totals are per province: 33 communes
    assert "Toàn tỉnh có 33 xã, phường; 18 đã được đánh giá; 15 được công nhận" in " ".join(text.split())


def test_the_target_of_a_round_after_2025_is_75_percent():
    report = _report([province.GroupRow("x", "1", 4, 4, 3)])
    report.year = 2027
    assert report.target == (2030, 75)
    report.year = 2035
    assert report.target == (2030, 75)
