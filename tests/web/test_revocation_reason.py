"""The revocation decision is a public legal document: it prints the public reason given with the revocation
(what the verification page says), never the internal note the audit trail keeps. Checked as a user gets the
document: the dossier page's revoke form then the page's download, the API's download, ``cfc dossier revoke``
then ``cfc certificates revocation``; and a dossier revoked before a public reason was asked for (migration
0004) prints no reason at all rather than its internal note."""

from __future__ import annotations

import io
import unicodedata

from conftest import run_cfc
from pypdf import PdfReader
from sqlalchemy import update

from dossiers.audit import local_date, now
from dossiers.models import Dossier

INTERNAL = "Kiểm tra phát hiện số liệu TC07 không đúng"
PUBLIC = "Số liệu tiêm chủng không đúng thực tế"
DEMO_INTERNAL = "Kiểm tra sau công nhận phát hiện số liệu tiêm chủng không đúng thực tế"  # dossiers/demo.py
DEMO_PUBLIC = "Kết quả kiểm tra sau công nhận: không còn đáp ứng tiêu chí TC07"
REVOKED_BY_DEMO = 11


def pdf_text(data: bytes) -> str:
    """The document's text on one line (a reason may wrap), in NFC."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def revoke_on_the_page(site, client, dossier_id: int, reason: str, public_reason: str):
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    return client.post(f"/province/dossiers/{dossier_id}/revoke", data={
        "csrf_token": site.csrf(client, f"/dossiers/{dossier_id}"),
        "lock_version": site.field_value(page, "lock_version"), "decision_number": "130/QĐ-UBND",
        "decision_date": local_date(now()).isoformat(), "signer_name": "Nguyễn Văn Bình", "signer_title": "Chủ tịch",
        "reason": reason, "public_reason": public_reason})


def test_the_revocation_decision_prints_the_public_reason_not_the_internal_note(site, api):
    client = site.client("province")
    assert revoke_on_the_page(site, client, 7, INTERNAL, PUBLIC).status_code == 302
    assert site.dossier(7).status == "revoked"
    page = client.get("/dossiers/7/revocation.pdf")
    assert page.status_code == 200 and page.mimetype == "application/pdf"
    text = pdf_text(page.get_data())
    assert f"Lý do thu hồi: {PUBLIC}." in text
    assert INTERNAL not in text and "TC07 không đúng" not in text
    by_api = api.get("/api/v1/dossiers/7/revocation.pdf", "province")
    assert by_api.status_code == 200 and by_api.get_data() == page.get_data()
    # the internal note is still kept, in the audit trail
    assert any(e.get("reason") == INTERNAL for e in site.history(7))


def test_the_demo_revocation_prints_its_public_reason(site):
    text = pdf_text(site.client("province").get(f"/dossiers/{REVOKED_BY_DEMO}/revocation.pdf").get_data())
    assert f"Lý do thu hồi: {DEMO_PUBLIC}." in text
    assert DEMO_INTERNAL not in text


def test_the_command_line_revokes_and_prints_the_public_reason(site, instance, tmp_path):
    version = site.dossier(8).lock_version
    run_cfc(instance, "dossier", "revoke", "8", "--decision", "131/QĐ-UBND", "--date", local_date(now()).isoformat(),
            "--signer", "Nguyễn Văn Bình", "--reason", INTERNAL, "--public-reason", PUBLIC, "--expect", str(version),
            "--as", "province")
    target = tmp_path / "thu-hoi.pdf"
    run_cfc(instance, "certificates", "revocation", "8", "-o", str(target), "--as", "province")
    text = pdf_text(target.read_bytes())
    assert "131/QĐ-UBND" in text and f"Lý do thu hồi: {PUBLIC}." in text
    assert INTERNAL not in text


def test_a_revocation_without_a_public_reason_prints_no_reason(site):
    """Revoked before a public reason was asked for: the verification page shows no reason, and neither does the
    decision; the internal note is never printed in its place."""
    with site.service.transaction() as s:
        s.execute(update(Dossier).where(Dossier.id == REVOKED_BY_DEMO).values(revocation_public_reason=None))
    try:
        answer = site.client("province").get(f"/dossiers/{REVOKED_BY_DEMO}/revocation.pdf")
        assert answer.status_code == 200
        text = pdf_text(answer.get_data())
        assert "Điều 1. Thu hồi công nhận" in text and "Điều 2." in text
        assert "Lý do thu hồi" not in text and DEMO_INTERNAL not in text
    finally:
        with site.service.transaction() as s:
            s.execute(update(Dossier).where(Dossier.id == REVOKED_BY_DEMO)
                      .values(revocation_public_reason=DEMO_PUBLIC))
