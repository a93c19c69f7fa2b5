"""Digital signatures of real dossiers' documents, on SQLite and PostgreSQL, with a test certificate authority made
here (``dossiers.issuance.keys_demo``): a recognition signs the decision and the certificate with the district's
key and keeps them; pyHanko's validator and poppler's ``pdfsig`` both find the signature valid, and both see a
changed byte; the signed file starts with the unsigned bytes, which stay deterministic; an expired or revoked key
is refused at signing and reported when it signed anyway; no key configured leaves documents unsigned and says
so; the key configuration names the file and field of every problem; ``cfc signing`` and ``cfc certificates
check``."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import C1, advance, deployment_service

from certificates.signature import signable_pdf
from cfc.certificates import certificates as certificates_cli
from cfc.signing import signing as signing_cli
from dossiers.issuance.keys import SigningConfigError, load_keys, open_key
from dossiers.issuance.keys_demo import DemoAuthority, write_demo_keys
from dossiers.issuance.signing import SigningRefused, sign_pdf
from dossiers.issuance.signing_check import check_signatures
from dossiers.issuance.signing_issue import fields_of
from dossiers.issuance.signing_store import Signing, appearance, served
from dossiers.issuance.signing_verify import check_upload
from dossiers.models import Dossier

BASE = "https://treem.example.gov.vn"
SINCE = dt.date(2019, 1, 3)
NOW = dt.datetime.now(dt.UTC)


def pdfsig(pdf: bytes, tmp_path, name: str = "doc") -> str:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig (Debian package poppler-utils) is missing: run scripts/install-system-deps.sh")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def pyhanko_status(pdf: bytes, signing: Signing):
    """pyHanko's own verdict, straight from its validator."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    from dossiers.issuance.signing_check import validation_context

    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(sig, validation_context(signing.config))


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    return write_demo_keys(folder, [("608", "decision", "UBND Thành phố Kon Tum", SINCE),
                                    ("608", "minutes", "Hội đồng xét duyệt Thành phố Kon Tum", SINCE)])


@pytest.fixture(scope="module")
def signed_world(world, keys, tmp_path_factory):
    """The world's database seen by a deployment with keys: its service signs at issuance."""
    service, settings = deployment_service(world, tmp_path_factory.mktemp("signed-instance"),
                                           CFC_SIGNING_KEYS=str(keys), CFC_BASE_URL=BASE)
    u = world.users
    code, year = world.fresh_slot([C1], range(2019, 2025))
    dossier_id = advance(service, code, year, "recognized", officer=u["commune_officer"],
                         appraiser=u["district_appraiser"], chair=u["district_chair"], approver=u["province_approver"])
    world.signed = (service, settings, dossier_id)
    return world


def _document(w, kind: str) -> tuple[bytes, bytes, bool]:
    """(unsigned bytes, the served file, signed?) of the signed dossier's ``kind`` document."""
    service, settings, dossier_id = w.signed
    signing = Signing.from_settings(settings)
    with service.transaction(readonly=True) as s:
        fields = fields_of(s, s.get(Dossier, dossier_id), kind, BASE, service.registry)
        served_bytes, signed = served(signing, s, dossier_id, kind, fields, signable_pdf)
    return signable_pdf(kind, fields)[0], served_bytes, signed


@pytest.mark.parametrize("kind", ["decision", "certificate", "minutes"])
def test_issuance_signs_and_keeps_the_documents_valid_for_pyhanko_and_pdfsig(signed_world, kind, tmp_path):
    unsigned, pdf, signed = _document(signed_world, kind)
    assert signed
    assert pdf.startswith(unsigned) and len(pdf) > len(unsigned)  # an incremental update: the bytes stay
    assert unsigned == _document(signed_world, kind)[0]  # deterministic apart from the signature
    signing = Signing.from_settings(signed_world.signed[1])
    status = pyhanko_status(pdf, signing)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    checks = check_signatures(pdf, signing.config)
    assert [c.status for c in checks] == ["valid"]
    body = "Hội đồng xét duyệt" if kind == "minutes" else "UBND Thành phố Kon Tum"
    assert checks[0].signer.startswith(body)
    report = pdfsig(pdf, tmp_path, kind)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report and "ETSI.CAdES.detached" in report


def test_the_appearance_sits_in_the_signature_block_and_names_signer_title_body_date(signed_world):
    from pypdf import PdfReader

    _unsigned, pdf, _ = _document(signed_world, "decision")
    fields, spot = None, None
    service, _settings, dossier_id = signed_world.signed
    with service.transaction(readonly=True) as s:
        fields = fields_of(s, s.get(Dossier, dossier_id), "decision", BASE, service.registry)
    spot = signable_pdf("decision", fields)[1]
    reader = PdfReader(io.BytesIO(pdf))
    annots = [a.get_object() for a in reader.pages[spot.page].get("/Annots", [])]
    widget = next(a for a in annots if a.get("/FT") == "/Sig")
    rect = [float(x) for x in widget["/Rect"]]
    x1, y1, x2, y2 = spot.box
    assert abs(rect[0] - x1) <= 1 and abs(rect[1] - y1) <= 1 and abs(rect[2] - x2) <= 1 and abs(rect[3] - y2) <= 1
    look = appearance("decision", fields, demo=True).text(NOW)
    assert "Nguyễn Văn Ký" in look and "CHỦ TỊCH" in look and "ỦY BAN NHÂN DÂN" in look and "Ngày ký" in look


def test_a_changed_byte_is_detected_by_pyhanko_pdfsig_and_the_upload_check(signed_world, tmp_path):
    _unsigned, pdf, _ = _document(signed_world, "certificate")
    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    tampered = bytes(tampered)
    signing = Signing.from_settings(signed_world.signed[1])
    assert not pyhanko_status(tampered, signing).intact
    assert [c.status for c in check_signatures(tampered, signing.config)] == ["altered"]
    report = pdfsig(tampered, tmp_path, "tampered")
    assert "Signature is Valid." not in report and ("Digest Mismatch" in report or "Invalid" in report)
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))  # a revision appended: the signed bytes intact, more after
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    appended = out.getvalue()
    assert [c.status for c in check_signatures(appended, signing.config)] == ["altered"]
    assert "Total document signed" not in pdfsig(appended, tmp_path, "appended")
    service, _settings, dossier_id = signed_world.signed
    with service.transaction(readonly=True) as s:
        serial = fields_of(s, s.get(Dossier, dossier_id), "certificate", BASE, service.registry)["serial"]
        genuine = check_upload(s, serial, pdf, BASE, service.registry, signable_pdf, signing)
        changed = check_upload(s, serial, tampered, BASE, service.registry, signable_pdf, signing)
    assert genuine.verdict == "genuine" and genuine.matched == "certificate" and genuine.matched_signed
    assert changed.verdict == "altered" and changed.matched is None


def test_the_upload_check_knows_every_document_of_the_serial_and_nothing_else(signed_world):
    service, settings, dossier_id = signed_world.signed
    signing = Signing.from_settings(settings)
    _u, decision, _ = _document(signed_world, "decision")
    unsigned_minutes, _m, _ = _document(signed_world, "minutes")
    with service.transaction(readonly=True) as s:
        serial = fields_of(s, s.get(Dossier, dossier_id), "certificate", BASE, service.registry)["serial"]
        found = check_upload(s, serial, decision, BASE, service.registry, signable_pdf, signing)
        plain = check_upload(s, serial, unsigned_minutes, BASE, service.registry, signable_pdf, signing)
        stranger = check_upload(s, serial, b"%PDF-1.4\nnot ours\n%%EOF\n", BASE, service.registry, signable_pdf,
                                signing)
    assert found.matched == "decision" and found.matched_signed
    assert plain.matched == "minutes" and not plain.matched_signed and plain.verdict == "genuine"
    assert stranger.verdict in ("other", "unreadable") and stranger.matched is None


def _one_key_config(folder, not_before, not_after, revoke: bool = False):
    """A keys.yaml of one decision key for 608, valid between the two times (revoked by the CRL if asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = DemoAuthority.create(label="CA THỬ NGHIỆM")
    key, cert = ca.issue("UBND thử", not_before, not_after)
    (folder / "root.pem").write_bytes(ca.root_pem())
    (folder / "k.p12").write_bytes(ca.pkcs12(key, cert, "mat-khau"))
    (folder / "k.pass").write_text("mat-khau\n")
    crl = ""
    if revoke:
        (folder / "ca.crl").write_bytes(ca.crl([(cert, NOW - dt.timedelta(hours=1))]))
        crl = "\n  crls: [ca.crl]"
    (folder / "keys.yaml").write_text(
        f"trust:\n  roots: [root.pem]{crl}\nkeys:\n  - unit: \"608\"\n    effective_from: 2019-01-03\n"
        "    pkcs12: k.p12\n    passphrase_file: k.pass\n")
    return folder / "keys.yaml", ca, key, cert


def _trial_pdf():
    from certificates.signature import trial_pdf

    return trial_pdf("UBND thử", dt.date.today())


def test_an_expired_key_is_refused_at_signing_and_a_signature_it_made_is_reported_expired(tmp_path):
    path, ca, key, cert = _one_key_config(tmp_path / "expired", NOW - dt.timedelta(days=30),
                                          NOW - dt.timedelta(days=1))
    config = load_keys(path)
    opened = open_key(path, 0, config.keys[0], lambda _name: None)
    pdf, spot = _trial_pdf()
    from dossiers.issuance.signing import Appearance, Placement

    place, look = Placement(spot.page, spot.box, spot.font), Appearance("A", "CHỦ TỊCH", "UBND thử")
    with pytest.raises(SigningRefused, match="hết hạn"):
        sign_pdf(pdf, opened, place, look)
    result = CliRunner().invoke(signing_cli, ["test", "608"], env={"CFC_SIGNING_KEYS": str(path)})
    assert result.exit_code == 1 and "hết hạn" in result.output
    # signed anyway, outside this application (pyHanko directly): reported as made with an expired key
    from pyhanko.sign import signers

    meta = signers.PdfSignatureMetadata(field_name="Sig")
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    out = io.BytesIO()
    signers.PdfSigner(meta, signer=opened.signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=out)
    assert [c.status for c in check_signatures(out.getvalue(), config)] == ["expired"]


def test_a_revoked_key_is_refused_at_signing_and_its_signatures_reported_revoked(tmp_path):
    path, _ca, _key, _cert = _one_key_config(tmp_path / "revoked", NOW - dt.timedelta(days=30),
                                             NOW + dt.timedelta(days=30), revoke=True)
    signing = Signing(path, load_keys(path), None, lambda _n: None)
    opened = signing.key("608", "decision", dt.date.today())
    pdf, spot = _trial_pdf()
    from dossiers.issuance.signing import Appearance, Placement

    place, look = Placement(spot.page, spot.box, spot.font), Appearance("A", "CHỦ TỊCH", "UBND thử")
    with pytest.raises(SigningRefused, match="thu hồi"):
        sign_pdf(pdf, opened, place, look, revoked=signing.revoked_serials())
    signed = sign_pdf(pdf, opened, place, look)  # before the revocation list was known
    assert [c.status for c in check_signatures(signed, signing.config)] == ["revoked"]


def test_without_keys_documents_stay_unsigned_and_say_so(world, tmp_path):
    service, settings = deployment_service(world, tmp_path)
    assert settings.signing_keys_file() is None
    u = world.users
    code, year = world.fresh_slot([C1], range(2019, 2025))
    dossier_id = advance(service, code, year, "recognized", officer=u["commune_officer"],
                         appraiser=u["district_appraiser"], chair=u["district_chair"], approver=u["province_approver"])
    assert not (tmp_path / "signed").exists()
    env = {"DATABASE_URL": world.url, "CFC_INSTANCE_DIR": str(tmp_path), "CFC_USER": u["province_approver"]}
    result = CliRunner().invoke(certificates_cli, ["decision", str(dossier_id), "-o", str(tmp_path / "d.pdf")],
                                env=env)
    assert result.exit_code == 0 and "KHÔNG có chữ ký số" in result.output
    check = CliRunner().invoke(certificates_cli, ["check", str(tmp_path / "d.pdf")], env=env)
    assert check.exit_code == 1 and "Tệp không có chữ ký số" in check.output
    assert "chưa cấu hình" in check.output
    keys = CliRunner().invoke(signing_cli, ["keys"], env=env)
    assert keys.exit_code == 1 and "chưa cấu hình khóa ký số" in keys.output


def test_cli_check_keys_and_trial(signed_world, keys, tmp_path):
    _service, _settings, dossier_id = signed_world.signed
    env = {"DATABASE_URL": signed_world.url, "CFC_SIGNING_KEYS": str(keys), "CFC_BASE_URL": BASE,
           "CFC_INSTANCE_DIR": str(signed_world.signed[1].instance_dir),
           "CFC_USER": signed_world.users["province_approver"]}
    runner = CliRunner()
    result = runner.invoke(certificates_cli, ["decision", str(dossier_id), "-o", str(tmp_path / "d.pdf")], env=env)
    assert result.exit_code == 0 and "có chữ ký số" in result.output
    ok = runner.invoke(certificates_cli, ["check", str(tmp_path / "d.pdf")], env=env)
    assert ok.exit_code == 0 and "✔ Chữ ký số hợp lệ" in ok.output and "UBND Thành phố Kon Tum" in ok.output
    data = bytearray((tmp_path / "d.pdf").read_bytes())
    data[len(data) // 4] ^= 0x01
    (tmp_path / "bad.pdf").write_bytes(bytes(data))
    bad = runner.invoke(certificates_cli, ["check", str(tmp_path / "bad.pdf"), "--json"], env=env)
    assert bad.exit_code == 1 and '"altered"' in bad.output
    listing = runner.invoke(signing_cli, ["keys"], env=env)
    assert listing.exit_code == 0 and "608" in listing.output and "dùng được" in listing.output
    trial = runner.invoke(signing_cli, ["test", "608", "-o", str(tmp_path / "t.pdf")], env=env)
    assert trial.exit_code == 0 and "hợp lệ" in trial.output
    assert "Signature is Valid." in pdfsig((tmp_path / "t.pdf").read_bytes(), tmp_path, "trial")
    none = runner.invoke(signing_cli, ["test", "999"], env=env)
    assert none.exit_code == 1 and "không có khóa" in none.output


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_the_configuration_names_the_file_and_field_of_every_problem(tmp_path, keys):
    both = _write(tmp_path / "both.yaml", "trust: {roots: []}\nkeys:\n  - unit: '1'\n    effective_from: 2020-01-01\n"
                  "    pkcs12: a.p12\n    passphrase_env: X\n    pkcs11: {module: /x.so, key_label: k}\n")
    with pytest.raises(SigningConfigError, match=r"both\.yaml: keys\[0\]: .*either pkcs12"):
        load_keys(both)
    nopass = _write(tmp_path / "nopass.yaml", "trust: {roots: []}\nkeys:\n  - {unit: '1', effective_from: 2020-01-01,"
                    " pkcs12: a.p12}\n")
    with pytest.raises(SigningConfigError, match="passphrase_env or passphrase_file"):
        load_keys(nopass)
    missing = _write(tmp_path / "missing.yaml", "trust: {roots: [nowhere.pem]}\nkeys: []\n")
    with pytest.raises(SigningConfigError, match=r"missing\.yaml: trust\.roots\[0\]: no such file"):
        load_keys(missing)
    date = _write(tmp_path / "date.yaml", "trust: {roots: []}\nkeys:\n  - {unit: '1', effective_from: soon}\n")
    with pytest.raises(SigningConfigError, match=r"date\.yaml: keys\[0\]\.effective_from"):
        load_keys(date)
    folder = keys.parent
    wrong = _write(folder / "wrong.yaml", "trust: {roots: [demo-root-ca.pem]}\nkeys:\n  - {unit: '608', "
                   "effective_from: 2019-01-03, pkcs12: decision-608.p12, passphrase_env: CFC_TEST_NO_SUCH}\n")
    config = load_keys(wrong)
    with pytest.raises(SigningConfigError, match=r"keys\[0\]\.passphrase_env: .*CFC_TEST_NO_SUCH is not set"):
        open_key(wrong, 0, config.keys[0], lambda _name: None)
    with pytest.raises(SigningConfigError, match="wrong passphrase"):
        open_key(wrong, 0, config.keys[0], lambda _name: "not-it")
    inside = _write(tmp_path / "inside.yaml", "trust: {roots: []}\nkeys:\n  - {unit: '1', effective_from: "
                    "2020-01-01, pkcs12: " + str(keys.parent / "decision-608.p12") + ", passphrase_file: "
                    + str(__import__("pathlib").Path(__file__)) + "}\n")
    with pytest.raises(SigningConfigError, match="inside the repository"):
        load_keys(inside)
    # the default instance folder (`make demo`'s) lies in the checkout, but git ignores it: keys there are fine
    import shutil
    import uuid

    from dossiers.issuance.keys import IGNORED_INSTANCE
    demo_folder = IGNORED_INSTANCE / f"test-keys-{uuid.uuid4().hex[:8]}"
    demo_folder.mkdir(parents=True)
    try:
        shutil.copy(keys.parent / "decision-608.p12", demo_folder / "decision-608.p12")
        (demo_folder / "pass").write_text("x", encoding="utf-8")
        ignored = _write(tmp_path / "ignored.yaml", "trust: {roots: []}\nkeys:\n  - {unit: '1', effective_from: "
                         "2020-01-01, pkcs12: " + str(demo_folder / "decision-608.p12") + ", passphrase_file: "
                         + str(demo_folder / "pass") + "}\n")
        assert load_keys(ignored).keys[0].pkcs12 == demo_folder / "decision-608.p12"
    finally:
        shutil.rmtree(demo_folder)


@pytest.fixture
def timestamp_server():
    """A timestamp authority on localhost (pyHanko's test TSA behind HTTP), certified by its own test CA."""
    import http.server
    import threading

    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    ca = DemoAuthority.create(label="TSA THỬ")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA signs with RSA
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA thử")]))
            .issuer_name(ca.certificate.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1)).not_valid_after(NOW + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(ca.key, hashes.SHA256()))
    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        asn1_x509.Certificate.load(cert.public_bytes(der)),
        asn1_keys.PrivateKeyInfo.load(key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(ca.certificate.public_bytes(der))])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", ca
    server.shutdown()
    server.server_close()


def test_a_configured_timestamp_server_makes_the_signature_pades_b_t(tmp_path, timestamp_server):
    url, tsa_ca = timestamp_server
    path, _ca, _key, _cert = _one_key_config(tmp_path / "bt", NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=30))
    (path.parent / "tsa-root.pem").write_bytes(tsa_ca.root_pem())
    text = path.read_text().replace("roots: [root.pem]", "roots: [root.pem, tsa-root.pem]")
    path.write_text(f"timestamp_url: {url}\n{text}")
    signing = Signing(path, load_keys(path), None, lambda _n: None)
    pdf, spot = _trial_pdf()
    from dossiers.issuance.signing import Appearance, Placement

    signed = sign_pdf(pdf, signing.key("608", "decision", dt.date.today()), Placement(spot.page, spot.box, spot.font),
                      Appearance("A", "CHỦ TỊCH", "UBND thử"), signing.config.timestamp_url)
    checks = check_signatures(signed, signing.config)
    assert [c.status for c in checks] == ["valid"] and checks[0].timestamped
    status = pyhanko_status(signed, signing)
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert "Signature is Valid." in pdfsig(signed, tmp_path, "b-t")


SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


def test_a_pkcs11_token_signs_like_a_file(tmp_path, monkeypatch):
    """A USB token's stand-in, SoftHSM (Debian package softhsm2): the key lives on the token, the configuration
    names module, token and key label, the PIN comes from the environment; a wrong PIN is a clear refusal."""
    if shutil.which("softhsm2-util") is None:
        pytest.fail("softhsm2 is missing: run scripts/install-system-deps.sh")
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute, CertificateType, ObjectClass

    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    ca = DemoAuthority.create(label="CA THỬ TOKEN")
    key, cert = ca.issue("UBND token", NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=30))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    (tmp_path / "root.pem").write_bytes(ca.root_pem())
    run = {"check": True, "capture_output": True}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "cfc", "--pin", "1234", "--so-pin", "5678"],
                   **run)
    subprocess.run(["softhsm2-util", "--import", str(tmp_path / "key.pem"), "--token", "cfc", "--label", "ky-so",
                    "--id", "01", "--pin", "1234"], **run)
    der = cert.public_bytes(serialization.Encoding.DER)
    with pkcs11.lib(SOFTHSM).get_token(token_label="cfc").open(rw=True, user_pin="1234") as session:
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.TOKEN: True,
                               Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.VALUE: der,
                               Attribute.SUBJECT: cert.subject.public_bytes(), Attribute.LABEL: "ky-so",
                               Attribute.ID: b"\x01"})
    keys = _write(tmp_path / "keys.yaml", "trust: {roots: [root.pem]}\nkeys:\n  - unit: '62'\n    effective_from: "
                  f"2019-01-03\n    pkcs11: {{module: {SOFTHSM}, token_label: cfc, key_label: ky-so, pin_env: "
                  "CFC_TEST_PIN}\n")
    runner = CliRunner()
    result = runner.invoke(signing_cli, ["test", "62", "-o", str(tmp_path / "t.pdf")],
                           env={"CFC_SIGNING_KEYS": str(keys), "CFC_TEST_PIN": "1234"})
    assert result.exit_code == 0, result.output
    assert "Chữ ký số hợp lệ" in result.output and "UBND token" in result.output
    assert "Signature is Valid." in pdfsig((tmp_path / "t.pdf").read_bytes(), tmp_path, "token")
    wrong = runner.invoke(signing_cli, ["test", "62"], env={"CFC_SIGNING_KEYS": str(keys), "CFC_TEST_PIN": "0000"})
    assert wrong.exit_code == 1 and "keys[0].pkcs11" in wrong.output and "PinIncorrect" in wrong.output
