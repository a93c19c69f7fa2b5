"""Evidence files through DossierService.add_evidence: stored by sha256 under CFC_INSTANCE_DIR/evidence with
their size and type; refused when too large (CFC_MAX_UPLOAD_MB), empty, of a type not accepted, or when the
content is not what the extension says. A refused file leaves no row, no file and no new version.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pytest
from helpers.storekit import C1, build_light, example_values
from sqlalchemy import select

from dossiers import audit
from dossiers.evidence import UploadRefused
from dossiers.models import Dossier, Evidence
from engine.errors import AssessmentError
from engine.workflow import TransitionRefused

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(13)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
ZIP = b"PK\x03\x04" + bytes(26) + b"word/document.xml"


@pytest.fixture(scope="module")
def light(db_url):
    engine, service = build_light(db_url, users=("c1",), years=range(2019, 2025))
    years = itertools.count(2019)
    yield service, lambda: service.create("c1", C1, next(years)).id
    engine.dispose()


@pytest.fixture
def instance(light, tmp_path):
    """This test's instance folder and the default upload limit (10 MB), in the service's settings."""
    service = light[0]
    folder = tmp_path / "instance"
    before = service.settings
    service.settings = before.model_copy(update={"instance_dir": folder, "max_upload_mb": 10.0})
    yield folder
    service.settings = before


def upload_limit(service, megabytes: float) -> None:
    """The deployment's CFC_MAX_UPLOAD_MB, as the settings object carries it."""
    service.settings = service.settings.model_copy(update={"max_upload_mb": megabytes})


@pytest.fixture(scope="module")
def dossier(light):
    """One draft dossier shared by the refusal tests (a refusal must leave it as it was)."""
    return light[1]()


def snapshot(service, dossier_id: int) -> tuple[int, int, int]:
    with service.transaction() as s:
        d = s.get(Dossier, dossier_id)
        rows = len(s.execute(select(Evidence).where(Evidence.dossier_id == dossier_id)).scalars().all())
        return d.lock_version, rows, len(audit.history(s, dossier_id))


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_evidence_is_stored_by_sha256_with_size_and_type(light, instance):
    service, new = light
    d = new()
    before = snapshot(service, d)[0]
    uploads = [("Biên bản họp hội đồng.pdf", PDF, "application/pdf", "TC01"),
               ("ảnh khu vui chơi.PNG", PNG, "image/png", "TC12"),
               ("anh.jpeg", JPEG, "image/jpeg", "TC12"),
               ("Kế hoạch.docx", ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "TC01")]
    for filename, content, _, criterion in uploads:
        view = service.add_evidence("c1", d, criterion, filename, content, expected_version=before)
        before = view.lock_version
    assert view.lock_version == snapshot(service, d)[0]
    assert [e["filename"] for e in view.evidence] == [u[0] for u in uploads]
    for item, (_, content, content_type, criterion) in zip(view.evidence, uploads, strict=True):
        digest = hashlib.sha256(content).hexdigest()
        assert (item["sha256"], item["size"], item["content_type"]) == (digest, len(content), content_type)
        assert item["criterion"] == criterion and item["uploaded_by"] == "c1"
        stored = instance / "evidence" / str(d) / digest
        assert stored.read_bytes() == content
    with service.transaction() as s:
        rows = s.execute(select(Evidence).where(Evidence.dossier_id == d)).scalars().all()
        assert all(not Path(r.stored_path).is_absolute() and (instance / r.stored_path).is_file() for r in rows)
        entries = [e for e in audit.history(s, d) if e.action == "evidence.add"]
        assert [json.loads(e.after)["sha256"] for e in entries] == [hashlib.sha256(u[1]).hexdigest()
                                                                    for u in uploads]
    assert len(files_under(instance)) == len(uploads), "only the evidence files, nothing else"


def test_a_path_in_the_file_name_is_not_followed(light, instance, tmp_path):
    service, new = light
    d = new()
    view = service.add_evidence("c1", d, "TC01", "../../outside/biên bản.pdf", PDF)
    assert view.evidence[0]["filename"] == "biên bản.pdf"
    assert not (tmp_path / "outside").exists()
    assert files_under(instance) == [instance / "evidence" / str(d) / hashlib.sha256(PDF).hexdigest()]


def refused(service, dossier_id, instance, filename, content, too_large=False) -> str:
    state = snapshot(service, dossier_id)
    with pytest.raises(UploadRefused) as caught:
        service.add_evidence("c1", dossier_id, "TC01", filename, content)
    assert caught.value.too_large is too_large
    assert snapshot(service, dossier_id) == state, "a refused file must change nothing"
    assert files_under(instance) == [], "a refused file must not be written"
    return str(caught.value)


def test_a_file_above_the_limit_is_refused(light, dossier, instance):
    service, _ = light
    upload_limit(service, 0.01)
    limit = int(0.01 * 1024 * 1024)
    big = PDF + b"0" * (limit + 1 - len(PDF))
    assert "vượt giới hạn" in refused(service, dossier, instance, "lớn.pdf", big, too_large=True)
    upload_limit(service, 10)
    assert "vượt giới hạn" in refused(service, dossier, instance, "lớn.pdf", PDF + bytes(10 * 1024 * 1024),
                                        too_large=True)
    upload_limit(service, 0.01)
    view = service.add_evidence("c1", dossier, "TC01", "vừa đủ.pdf", big[:-1])  # exactly at the limit: accepted
    assert view.evidence[-1]["size"] == limit


def test_an_empty_file_is_refused(light, dossier, instance):
    assert "tệp rỗng" in refused(light[0], dossier, instance, "trống.pdf", b"")


@pytest.mark.parametrize("filename", ["script.exe", "ghi chú.txt", "không đuôi", "bản.pdf.exe", "trang.html"])
def test_a_type_not_accepted_is_refused(light, dossier, instance, filename):
    assert "không nhận tệp loại" in refused(light[0], dossier, instance, filename, PDF)


@pytest.mark.parametrize("filename, content", [
    ("giả.pdf", b"<html><body>not a pdf</body></html>"),
    ("ảnh.pdf", PNG),
    ("ảnh.png", b"GIF89a" + bytes(20)),
    ("ảnh.jpg", PDF),
    ("văn bản.docx", PDF),
    ("bảng.xlsx", b"MZ\x90\x00" + bytes(20)),
])
def test_content_that_does_not_match_its_extension_is_refused(light, dossier, instance, filename, content):
    assert "không phải là tệp" in refused(light[0], dossier, instance, filename, content)


def test_evidence_only_for_a_known_criterion_of_a_draft(light, instance):
    service, new = light
    d = new()
    with pytest.raises(AssessmentError):
        service.add_evidence("c1", d, "TC99", "x.pdf", PDF)
    service.set_values("c1", d, example_values())
    service.transition("c1", d, "submit")
    with pytest.raises(TransitionRefused):
        service.add_evidence("c1", d, "TC01", "x.pdf", PDF)
    assert files_under(instance) == []
