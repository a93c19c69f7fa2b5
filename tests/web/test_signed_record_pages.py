"""A recognition is a legal act: the signed documents issued stay the documents, whatever changes later. On the
signed demo (``cfc demo load`` signs and records every issued document): after the deployment moves to a new base
URL (it is in the certificate's QR code) the downloads are still the issued signed files, labelled "đã ký số", and
/verify recognises them; a tampered signed file is refused with a clear error on the page, the download and the
API; an instance signed before the records (files only) still works, and ``cfc signing issue`` records it."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from conftest import Site, make_app, signed_demo
from sqlalchemy import delete, select

from dossiers.models import Dossier, SignedDocument

MOVED = "https://cong-nhan.kontum.gov.vn"
KINDS = ("certificate", "decision", "minutes")
LABEL_RE = re.compile(r'href="/dossiers/\d+/(certificate|decision|revocation|minutes)\.pdf">[^<]*</a>'
                      r' <span class="signature (\w+)">([^<]*)</span>')
SERIAL_RE = re.compile(r"62-2024-\d{6}")


@pytest.fixture(scope="module")
def folder(demo_database, tmp_path_factory):
    with signed_demo(demo_database, tmp_path_factory.mktemp("signed-records")) as folder:
        yield folder


@pytest.fixture(scope="module")
def site(folder):
    application = make_app(folder, RATELIMIT_ENABLED=False)
    yield Site(application, folder)
    application.extensions["cfc.engine"].dispose()


@pytest.fixture
def moved(folder):
    """The same instance served from a new address (CFC_BASE_URL)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CFC_BASE_URL", MOVED)
        application = make_app(folder, RATELIMIT_ENABLED=False)
        yield Site(application, folder)
        application.extensions["cfc.engine"].dispose()


def labels(site, dossier_id: int) -> dict[str, tuple[str, str]]:
    page = site.client("province").get(f"/dossiers/{dossier_id}")
    assert page.status_code == 200
    return {kind: (state, text) for kind, state, text in LABEL_RE.findall(page.get_data(as_text=True))}


def downloads(site, dossier_id: int) -> dict[str, bytes]:
    out = {}
    for kind in KINDS:
        answer = site.client("province").get(f"/dossiers/{dossier_id}/{kind}.pdf")
        assert answer.status_code == 200 and answer.headers["X-Document-Signature"] == "signed", (kind, answer.status)
        out[kind] = answer.data
    return out


def serial_of(certificate: bytes) -> str:
    from pypdf import PdfReader

    return SERIAL_RE.search(PdfReader(io.BytesIO(certificate)).pages[0].extract_text()).group(0)


def upload(site, serial: str, data: bytes) -> str:
    client = site.anonymous()
    form = {"csrf_token": site.csrf(client, f"/verify/{serial}"), "file": (io.BytesIO(data), "doc.pdf")}
    answer = client.post(f"/verify/{serial}", data=form, content_type="multipart/form-data")
    assert answer.status_code == 200
    return re.sub(r"\s+", " ", answer.get_data(as_text=True))


def fresh_render(site, dossier_id: int, kind: str) -> bytes:
    """What rendering the document afresh gives on ``site`` now."""
    from certificates.signature import signable_pdf
    from webforms.db import service
    from webforms.documents import document_fields

    with site.app.test_request_context():
        svc = service()
        with svc.transaction(readonly=True) as s:
            return signable_pdf(kind, document_fields(s, svc, s.get(Dossier, dossier_id), kind))[0]


def stored_file(site, dossier_id: int, kind: str):
    with site.service.transaction(readonly=True) as s:
        row = s.scalars(select(SignedDocument).where(SignedDocument.dossier_id == dossier_id,
                                                     SignedDocument.kind == kind)).one()
    return site.folder / "signed" / f"{row.unsigned_sha256}.pdf"


def test_after_a_new_base_url_downloads_are_the_issued_signed_files_and_verify_knows_them(site, moved):
    issued = downloads(site, 7)
    assert not issued["certificate"].startswith(fresh_render(moved, 7, "certificate"))  # a new QR code
    assert downloads(moved, 7) == issued
    assert {kind: found for kind, found in labels(moved, 7).items() if kind in KINDS} == dict.fromkeys(
        KINDS, ("signed", "đã ký số"))
    serial = serial_of(issued["certificate"])
    text = upload(moved, serial, issued["certificate"])
    assert "Tệp đúng từng byte với văn bản đã cấp theo số hiệu này: Giấy công nhận" in text
    assert "Chữ ký số hợp lệ" in text
    assert "Quyết định công nhận" in upload(moved, serial, issued["decision"])
    api = moved.anonymous().get("/api/v1/dossiers/7/certificate.pdf", headers=moved.bearer("province"))
    assert api.status_code == 200 and api.data == issued["certificate"]


def test_a_tampered_signed_file_is_refused_with_a_clear_error(site):
    path = stored_file(site, 8, "certificate")
    issued = path.read_bytes()
    changed = bytearray(issued)
    changed[len(changed) // 2] ^= 0x01
    path.write_bytes(bytes(changed))
    try:
        answer = site.client("province").get("/dossiers/8/certificate.pdf")
        assert answer.status_code == 409 and answer.mimetype == "text/html"
        assert "đã bị thay đổi sau khi cấp" in answer.get_data(as_text=True)
        api = site.anonymous().get("/api/v1/dossiers/8/certificate.pdf", headers=site.bearer("province"))
        assert api.status_code == 409 and "đã bị thay đổi sau khi cấp" in api.get_json()["error"]
        assert labels(site, 8)["certificate"] == ("altered", "tệp đã ký số bị thay đổi")
        assert labels(site, 8)["decision"] == ("signed", "đã ký số")
        found = upload(site, serial_of(issued), issued)  # the issued file itself is still the document
        assert "Tệp đúng từng byte với văn bản đã cấp theo số hiệu này: Giấy công nhận" in found
    finally:
        path.write_bytes(issued)
    assert site.client("province").get("/dossiers/8/certificate.pdf").data == issued


def test_an_instance_signed_before_the_records_still_works_and_signing_issue_records_it(site, folder):
    from cfc.signing import signing as signing_cli
    from dossiers.issuance.signing_records import digest
    from dossiers.issuance.signing_store import fields_key
    from webforms.db import service
    from webforms.documents import document_fields

    issued = downloads(site, 9)
    with site.service.transaction() as s:  # as before migration 0007: the signed files and their index only
        s.execute(delete(SignedDocument))
    with site.app.test_request_context():
        svc = service()
        with svc.transaction(readonly=True) as s:
            for kind in KINDS:  # what the signing of that time wrote beside the files
                name = f"{digest(fresh_render(site, 9, kind))}.pdf"
                entry = folder / "signed" / "index" / fields_key(kind, document_fields(s, svc, s.get(Dossier, 9),
                                                                                      kind))
                entry.parent.mkdir(exist_ok=True)
                entry.write_text(name, encoding="ascii")
    assert downloads(site, 9) == issued
    assert {kind: found for kind, found in labels(site, 9).items() if kind in KINDS} == dict.fromkeys(
        KINDS, ("signed", "đã ký số"))
    assert "Giấy công nhận" in upload(site, serial_of(issued["certificate"]), issued["certificate"])
    result = CliRunner().invoke(signing_cli, ["issue", "9", "--as", "province"], env={"CFC_INSTANCE_DIR": str(folder)})
    assert result.exit_code == 0, result.output
    with site.service.transaction(readonly=True) as s:
        rows = s.scalars(select(SignedDocument).where(SignedDocument.dossier_id == 9)).all()
    assert sorted((r.kind, r.event) for r in rows) == [(k, "signing_issue") for k in sorted(KINDS)]
    with pytest.MonkeyPatch.context() as mp:  # recorded: a new address no longer loses them
        mp.setenv("CFC_BASE_URL", MOVED)
        application = make_app(folder, RATELIMIT_ENABLED=False)
        try:
            assert downloads(Site(application, folder), 9) == issued
        finally:
            application.extensions["cfc.engine"].dispose()
