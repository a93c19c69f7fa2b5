"""The public verification page takes an uploaded PDF: on the demo (whose loader made a demo certificate
authority and signed every issued document), a downloaded certificate or decision is recognised byte for byte with
its signature valid; a changed byte is reported as altered; anything else is not a document of the serial; no
upload gives a 500 (no file, not a PDF, too large, no CSRF token); nothing is stored; downloads say whether they
are signed."""

from __future__ import annotations

import io
import re

import pytest
from conftest import PDF, make_app, signed_demo

SERIAL_RE = re.compile(r"62-2024-\d{6}")


@pytest.fixture(scope="module")
def instance(demo_database, tmp_path_factory):
    """The demo's instance folder as `cfc demo load` left it: database, demo keys and signed documents."""
    with signed_demo(demo_database, tmp_path_factory.mktemp("signed-demo")) as folder:
        yield folder


@pytest.fixture(scope="module")
def app(instance):
    application = make_app(instance, RATELIMIT_ENABLED=False)
    yield application
    application.extensions["cfc.engine"].dispose()


@pytest.fixture(scope="module")
def site(app, instance):
    from conftest import Site

    return Site(app, instance)


def _serial(pdf: bytes) -> str:
    from pypdf import PdfReader

    return SERIAL_RE.search(PdfReader(io.BytesIO(pdf)).pages[0].extract_text()).group(0)


def _upload(site, serial: str, data: bytes | None, csrf: bool = True, name: str = "doc.pdf"):
    client = site.anonymous()
    form = {}
    if csrf:
        form["csrf_token"] = site.csrf(client, f"/verify/{serial}")
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(f"/verify/{serial}", data=form, content_type="multipart/form-data")


def _text(answer) -> str:
    return re.sub(r"\s+", " ", answer.get_data(as_text=True))


def test_downloads_are_the_signed_files_kept_at_issuance(site):
    answer = site.client("province").get("/dossiers/7/certificate.pdf")
    assert answer.status_code == 200 and answer.headers["X-Document-Signature"] == "signed"
    assert b"/ByteRange" in answer.data and b"ETSI.CAdES.detached" in answer.data
    again = site.client("province").get("/dossiers/7/certificate.pdf")
    assert again.data == answer.data  # served, not signed again


def test_a_downloaded_certificate_and_decision_are_recognised_with_a_valid_signature(site):
    before = site.state()
    certificate = site.client("province").get("/dossiers/8/certificate.pdf").data
    serial = _serial(certificate)
    page = site.anonymous().get(f"/verify/{serial}")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    answer = _upload(site, serial, certificate)
    text = _text(answer)
    assert answer.status_code == 200
    assert "Tệp đúng từng byte với văn bản đã cấp theo số hiệu này: Giấy công nhận" in text
    assert "Chữ ký số hợp lệ" in text and "UBND Thành phố Kon Tum (DEMO)" in text
    decision = site.client("province").get("/dossiers/8/decision.pdf").data
    assert "Quyết định công nhận" in _text(_upload(site, serial, decision))
    english = site.anonymous().get(f"/verify/{serial}?lang=en")
    assert "Check a PDF file" in english.get_data(as_text=True)
    assert site.state() == before  # checking stores nothing


def test_a_changed_byte_is_reported_and_another_pdf_is_not_the_serials(site):
    certificate = site.client("province").get("/dossiers/9/certificate.pdf").data
    serial = _serial(certificate)
    tampered = bytearray(certificate)
    tampered[len(certificate) // 3] ^= 0x01
    text = _text(_upload(site, serial, bytes(tampered)))
    assert "Tệp đã bị sửa sau khi ký" in text and "Tệp đúng từng byte" not in text
    other = site.client("province").get("/dossiers/8/certificate.pdf").data
    text = _text(_upload(site, serial, other))
    assert "không phải là văn bản đã cấp theo số hiệu này" in text
    assert "Chữ ký số hợp lệ" in text  # a genuine signature, of another document
    import datetime as dt

    from certificates.signature import trial_pdf

    text = _text(_upload(site, serial, trial_pdf("UBND", dt.date(2024, 12, 20))[0]))  # a real, unsigned PDF
    assert "Tệp không có chữ ký số" in text and "không phải là văn bản đã cấp theo số hiệu này" in text


@pytest.mark.parametrize("case", ["no file", "not a pdf", "no csrf", "garbage pdf", "too large"])
def test_no_upload_gives_a_server_error(site, case):
    serial = _serial(site.client("province").get("/dossiers/7/certificate.pdf").data)
    data = {"no file": None, "not a pdf": b"GIF89a" + b"\0" * 100, "no csrf": PDF,
            "garbage pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40, "too large": b"%PDF-" + b"0" * (11 << 20)}[case]
    if case == "too large":  # encoded here: the test client would spool it to a file it never closes
        client = site.anonymous()
        token = site.csrf(client, f"/verify/{serial}")
        body = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n--B\r\n'
                'Content-Disposition: form-data; name="file"; filename="x.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n").encode() + data + b"\r\n--B--\r\n"
        answer = client.post(f"/verify/{serial}", data=body, content_type="multipart/form-data; boundary=B")
    else:
        answer = _upload(site, serial, data, csrf=case != "no csrf")
    assert answer.status_code in (200, 400, 413), answer.status_code
    text = _text(answer)
    if case == "too large":
        assert answer.status_code == 413
    elif case == "garbage pdf":
        assert "Không đọc được tệp PDF" in text or "không phải là văn bản đã cấp" in text
    else:
        assert answer.status_code == 400
        assert {"no file": "Chưa chọn tệp PDF", "not a pdf": "Tệp không phải là PDF",
                "no csrf": "Phiên làm việc đã hết hạn"}[case] in text


def test_an_unknown_serial_takes_no_upload(site):
    client = site.anonymous()
    form = {"csrf_token": site.csrf(client), "file": (io.BytesIO(PDF), "doc.pdf")}
    answer = client.post("/verify/62-2024-999999", data=form, content_type="multipart/form-data")
    assert answer.status_code == 404
