"""Documents and spreadsheets on the web: PDF downloads with correct Vietnamese, the public verification page
(valid, revoked, unknown), and the import page (a report before anything is stored, then the confirmation)."""

from __future__ import annotations

import html
import io
import re
import unicodedata

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import delete, select

from dossiers import issuance
from dossiers.audit import local_date, now
from dossiers.models import Certificate, Dossier, Setting
from webforms.filters import vn_date

SERIAL_RE = re.compile(r"62-2024-\d{6}")


def pdf_text(data: bytes) -> str:
    return unicodedata.normalize("NFC", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_certificate_download_holds_the_commune_with_its_diacritics(site):
    answer = site.client("province").get("/dossiers/8/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.get_data())
    assert "Phường Thống Nhất".upper() in text.upper()
    assert "Thành phố Kon Tum" in text and "BẢN MẪU" in text  # qd06-2019 is provisional: a sample
    assert SERIAL_RE.search(text)


def test_the_same_dossier_always_gets_the_same_serial_and_bytes(site):
    first = site.client("province").get("/dossiers/9/certificate.pdf").get_data()
    again = site.client("province").get("/dossiers/9/certificate.pdf").get_data()
    assert first == again


def test_decision_and_minutes_downloads(site):
    decision = pdf_text(site.client("province").get("/dossiers/8/decision.pdf").get_data())
    assert "QUYẾT ĐỊNH" in decision and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in decision
    minutes = pdf_text(site.client("district1").get("/dossiers/8/minutes.pdf").get_data())
    assert "BIÊN BẢN" in minutes and "TC07" in minutes


def test_verification_page_follows_the_certificate_through_revocation(site):
    pdf = site.client("province").get("/dossiers/7/certificate.pdf").get_data()
    serial = SERIAL_RE.search(pdf_text(pdf)).group(0)
    public = site.anonymous()
    page = public.get(f"/verify/{serial}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "CÒN HIỆU LỰC" in text and "Phường Ngô Mây" in text and "Thành phố Kon Tum" in text

    client = site.client("province")
    answer = revoke(site, client, 7, "Số liệu tiêm chủng sai", public_reason="Không còn đáp ứng tiêu chí TC07")
    assert answer.status_code == 302
    text = public.get(f"/verify/{serial}").get_data(as_text=True)
    assert "ĐÃ BỊ THU HỒI" in text and "Không còn đáp ứng tiêu chí TC07" in text and "CÒN HIỆU LỰC" not in text
    assert "77/QĐ-UBND" in text  # the revocation decision is public; the internal note is not
    assert "Số liệu tiêm chủng sai" not in text


def revoke(site, client, dossier_id: int, reason: str, number: str = "77/QĐ-UBND",
           public_reason: str = "Không còn đáp ứng tiêu chí"):
    """Revoke through the dossier page's form, as the province does: the decision, its signer and the reason."""
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    return client.post(f"/province/dossiers/{dossier_id}/revoke", data={
        "csrf_token": site.csrf(client, f"/dossiers/{dossier_id}"), "lock_version": site.field_value(page, "lock_version"),
        "decision_number": number, "decision_date": local_date(now()).isoformat(), "signer_name": "Đỗ Văn Thu",
        "signer_title": "Phó Chủ tịch", "reason": reason, "public_reason": public_reason})


def document_links(page: str) -> set[str]:
    return set(re.findall(r'href="/dossiers/\d+/(certificate|decision|revocation|minutes)\.pdf"', page))


def test_a_revoked_dossier_offers_its_revocation_decision_and_no_certificate(fresh_site):
    site = fresh_site
    client = site.client("province")
    revoked = site.service.list("province", status="recognized")[-1].id
    assert document_links(client.get(f"/dossiers/{revoked}").get_data(as_text=True)) == {
        "certificate", "decision", "minutes"}
    refused = client.get(f"/dossiers/{revoked}/revocation.pdf")
    assert refused.status_code == 409 and "thu hồi" in html.unescape(refused.get_data(as_text=True))
    assert revoke(site, client, revoked, "Hồ sơ minh chứng TC07 không đúng thực tế", "78/QĐ-UBND").status_code == 302
    page = client.get(f"/dossiers/{revoked}").get_data(as_text=True)
    assert document_links(page) == {"revocation", "decision", "minutes"}
    answer = client.get(f"/dossiers/{revoked}/revocation.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert f'filename="quyet-dinh-thu-hoi-{revoked}.pdf"' in answer.headers["Content-Disposition"]
    text = " ".join(pdf_text(answer.get_data()).split())
    recognised = site.dossier(revoked)
    for expected in ("Số: 78/QĐ-UBND", "Về việc thu hồi công nhận", f"Quyết định số {recognised.decision_number}",
                     "Lý do thu hồi: Không còn đáp ứng tiêu chí.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                     "Đỗ Văn Thu", "Giấy công nhận số hiệu 62-2024-"):
        assert expected in text, expected
    assert "Hồ sơ minh chứng TC07" not in text  # the internal note stays in the audit trail
    certificate = client.get(f"/dossiers/{revoked}/certificate.pdf")
    assert certificate.status_code == 409
    assert "thu hồi" in html.unescape(certificate.get_data(as_text=True))
    assert client.get(f"/dossiers/{revoked}/decision.pdf").status_code == 200  # the decision stays on record
    assert site.client("district1").get(f"/dossiers/{revoked}/revocation.pdf").status_code == 403


def test_the_decision_and_the_certificate_print_the_demo_signer(site):
    client = site.client("province")
    for kind in ("decision", "certificate"):
        text = " ".join(pdf_text(client.get(f"/dossiers/9/{kind}.pdf").get_data()).split())
        assert "CHỦ TỊCH" in text and "Nguyễn Văn Minh" in text, kind


def test_the_minutes_print_the_chair_and_members_under_the_signature(site):
    text = " ".join(pdf_text(site.client("district1").get("/dossiers/8/minutes.pdf").get_data()).split())
    signatures = text[text.index("TM. HỘI ĐỒNG"):]
    assert "Phó Chủ tịch UBND" in signatures and "CÁC THÀNH VIÊN HỘI ĐỒNG" in signatures
    assert "Trưởng phòng LĐTBXH" in signatures and "Trưởng phòng GD&ĐT" in signatures


def test_an_unknown_serial_is_not_genuine(site):
    page = site.anonymous().get("/verify/62-2024-424242")
    assert page.status_code == 404
    assert "62-2024-424242" in page.get_data(as_text=True)


def test_a_certificate_download_writes_nothing(site):
    """The serial was allocated by the recognition: the page and the API only read it."""
    client, token = site.client("province"), site.bearer("province")  # signing in writes: before the snapshot
    before = site.state()
    assert before.certificates  # the demo's recognitions allocated them
    for _ in range(2):
        assert client.get("/dossiers/8/certificate.pdf").status_code == 200
        answer = site.anonymous().get("/api/v1/dossiers/8/certificate.pdf", headers=token)
        assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert site.state() == before


def test_every_recognised_dossier_of_the_demo_has_its_serial(site):
    with site.service.transaction(readonly=True) as s:
        recognised = s.scalars(select(Dossier).where(Dossier.status == "recognized")).all()
        assert recognised and all(issuance.current_certificate(s, d) is not None for d in recognised)


def test_issued_on_is_the_decision_date_on_the_pdf_and_the_verify_page(site):
    with site.service.transaction(readonly=True) as s:
        dossier = s.get(Dossier, 9)
        serial, decided = issuance.current_certificate(s, dossier).serial, dossier.decision_date
    pdf = pdf_text(site.client("province").get("/dossiers/9/certificate.pdf").get_data())
    assert serial in pdf and f"Cấp ngày {decided:%d/%m/%Y}" in pdf
    page = site.anonymous().get(f"/verify/{serial}").get_data(as_text=True)
    shown = re.search(r"Ngày cấp</th>\s*<td>([^<]*)</td>", page)
    assert shown and shown.group(1).strip() == vn_date(decided)


def _recognised_before_serials(site, dossier_id: int) -> None:
    """The dossier as recognised before serials were allocated at recognition: no certificate row."""
    with site.service.transaction() as s:
        s.execute(delete(Certificate).where(Certificate.dossier_id == dossier_id))


def test_a_recognised_dossier_without_a_serial_is_refused_with_the_command_to_run(fresh_site):
    _recognised_before_serials(fresh_site, 8)
    client, token = fresh_site.client("province"), fresh_site.bearer("province")
    before = fresh_site.state()
    page = client.get("/dossiers/8/certificate.pdf")
    assert page.status_code == 409
    assert "cfc certificates print --province 62 --round 2024" in html.unescape(page.get_data(as_text=True))
    answer = fresh_site.anonymous().get("/api/v1/dossiers/8/certificate.pdf", headers=token)
    assert answer.status_code == 409 and "cfc certificates print" in answer.get_json()["error"]
    assert fresh_site.state() == before


def test_no_base_url_is_a_refusal_that_names_the_settings(fresh_site):
    with fresh_site.service.transaction() as s:
        s.execute(delete(Setting).where(Setting.key == "public_base_url"))
    client, token = fresh_site.client("province"), fresh_site.bearer("province")
    before = fresh_site.state()
    page = client.get("/dossiers/8/certificate.pdf")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 400 and "CFC_BASE_URL" in text and "public_base_url" in text
    assert "127.0.0.1" not in text
    answer = fresh_site.anonymous().get("/api/v1/dossiers/8/certificate.pdf", headers=token)
    assert answer.status_code == 400 and "CFC_BASE_URL" in answer.get_json()["error"]
    assert fresh_site.state() == before
    # the decision and the minutes print no QR code: they need no base URL
    assert client.get("/dossiers/8/decision.pdf").status_code == 200
    # the dossier page offers no link that would be refused: it says why instead
    page = html.unescape(client.get("/dossiers/8").get_data(as_text=True))
    assert "/dossiers/8/certificate.pdf" not in page and "Chưa in được giấy công nhận" in page
    assert "CFC_BASE_URL" in page and "/dossiers/8/decision.pdf" in page


def upload(site, user: str, data: bytes, name: str = "so-lieu.csv", year: str = "2024"):
    client = site.client(user)
    return client.post("/import", data={"csrf_token": site.csrf(client, "/import"), "year": year,
                                        "file": (io.BytesIO(data), name)})


def test_a_bad_file_gets_a_report_of_every_bad_cell_and_stores_nothing(site):
    before = site.state()
    data = (b"commune_code,TC07.children_under_1,TC07.fully_immunised,TC13.satisfaction\n"
            b"23284,50,60,abc\n"       # numerator above denominator; text in a number
            b"99999,10,9,80\n"         # unknown commune
            b"23344,10,9,80\n")  # a commune of another district
    page = upload(site, "district1", data)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "4 ô sai" in text  # every bad cell is reported
    for fragment in ("99999", "23344", "abc"):
        assert fragment in text
    assert 'action="/import/confirm"' not in text  # nothing to confirm
    assert site.state() == before


def test_a_good_file_is_reported_then_stored_on_confirmation(site):
    data = b"commune_code,TC13.satisfaction\n23284,88\n"
    before = site.state()
    page = upload(site, "district1", data).get_data(as_text=True)
    assert "Phường Duy Tân" in page
    assert site.state() == before  # the report stores nothing
    fields = dict(re.findall(r'name="(token|year|name)"[^>]*value="([^"]*)"', page))
    client = site.client("district1")
    answer = client.post("/import/confirm", data={"csrf_token": site.csrf(client, "/import"), **fields})
    assert answer.status_code == 302
    assert site.dossier(2).values["TC13.satisfaction"]["self"] == "88"
    actions = [e["action"] for e in site.history(2)]
    assert actions[-1] == "values.import"


def test_results_export_and_template_download(site):
    client = site.client("province")
    answer = client.get("/export?round=2024&format=xlsx&what=results")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.get_data()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert any("Phường Ngô Mây" in str(cell) for row in rows for cell in row)
    csv_text = client.get("/export?round=2024&format=csv&what=template").get_data().decode("utf-8-sig")
    header = csv_text.splitlines()[0].split(",")
    assert header[0] == "commune_code" and "TC01.officer" in header and "TC07.fully_immunised" in header


def test_province_report_download(site):
    answer = site.client("province").get("/province/report.pdf?round=2024")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.get_data())
    assert "Thành phố Kon Tum" in text and "Huyện Đắk Glei" in text
