"""Each signed document issued is recorded per dossier and kind (``signed_documents``, migration 0007), on SQLite
and PostgreSQL: after a change of base URL (the certificate's QR code) or of a template, the download is still the
issued signed file and the upload check still recognises it; an altered or missing signed file is refused with a
clear error, never replaced by an unsigned render; an amended decision is recorded beside the first one and both
are recognised; documents signed before the records still work, and ``cfc signing issue`` records them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from conftest import C1, C2, _fresh_postgres, advance, deployment_service
from sqlalchemy import create_engine, delete, inspect, select

import certificates.certificate
from certificates.signature import signable_pdf
from cfc.certificates import certificates as certificates_cli
from cfc.signing import signing as signing_cli
from dossiers.audit import local_date, now
from dossiers.config import Settings
from dossiers.db import session_factory
from dossiers.issuance.keys_demo import write_demo_keys
from dossiers.issuance.signing_issue import fields_of
from dossiers.issuance.signing_records import SignedFileError, digest
from dossiers.issuance.signing_store import SignedStore, Signing, served, state
from dossiers.issuance.signing_verify import check_upload
from dossiers.migrate import upgrade
from dossiers.models import Base, Dossier, SignedDocument, Unit
from dossiers.service import DossierService

BASE = "https://treem.example.gov.vn"
MOVED = "https://cong-nhan.kontum.gov.vn"  # the deployment's new address
SINCE = dt.date(2019, 1, 3)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return write_demo_keys(tmp_path_factory.mktemp("keys"), [("608", "decision", "UBND Thành phố Kon Tum", SINCE),
                                                             ("608", "minutes", "Hội đồng xét duyệt", SINCE)])


@pytest.fixture(scope="module")
def deployment(world, keys, tmp_path_factory):
    """A deployment with keys over the world's database: its service signs and records at issuance."""
    return deployment_service(world, tmp_path_factory.mktemp("recorded-instance"), CFC_SIGNING_KEYS=str(keys),
                              CFC_BASE_URL=BASE)


def _recognised(world, service) -> int:
    u = world.users
    code, year = world.fresh_slot([C1, C2], range(2019, 2025))
    officer = u["commune_officer"] if code == C1 else u["neighbour_officer"]
    return advance(service, code, year, "recognized", officer=officer, appraiser=u["district_appraiser"],
                   chair=u["district_chair"], approver=u["province_approver"])


def _served(service, settings, dossier_id: int, kind: str, base: str = BASE) -> tuple[bytes, bool]:
    with service.transaction(readonly=True) as s:
        fields = fields_of(s, s.get(Dossier, dossier_id), kind, base, service.registry)
        return served(Signing.from_settings(settings), s, dossier_id, kind, fields, signable_pdf)


def _check(service, settings, dossier_id: int, upload: bytes, base: str = BASE):
    with service.transaction(readonly=True) as s:
        serial = fields_of(s, s.get(Dossier, dossier_id), "certificate", base, service.registry)["serial"]
        return check_upload(s, serial, upload, base, service.registry, signable_pdf, Signing.from_settings(settings))


def _rows(service, dossier_id: int) -> list[SignedDocument]:
    with service.transaction(readonly=True) as s:
        return list(s.scalars(select(SignedDocument).where(SignedDocument.dossier_id == dossier_id)
                              .order_by(SignedDocument.id)))


def test_issuance_records_each_signed_document_with_its_digests(world, deployment):
    service, settings = deployment
    dossier_id = _recognised(world, service)
    rows = _rows(service, dossier_id)
    assert [(r.kind, r.event) for r in rows] == [("minutes", "verify"), ("decision", "recognize"),
                                                ("certificate", "recognize")]
    folder = settings.instance_dir / "signed"
    for row in rows:
        data = (folder / f"{row.unsigned_sha256}.pdf").read_bytes()
        assert digest(data) == row.signed_sha256
        assert _served(service, settings, dossier_id, row.kind) == (data, True)
    certificate = rows[2]
    assert certificate.serial and certificate.serial.startswith("62-")
    assert {r.serial for r in rows[:2]} == {None}


@pytest.mark.parametrize("change", ["base URL", "template"])
def test_after_a_change_the_download_is_still_the_issued_file_and_is_recognised(world, deployment, change,
                                                                                monkeypatch):
    service, settings = deployment
    dossier_id = _recognised(world, service)
    issued = {kind: _served(service, settings, dossier_id, kind)[0] for kind in ("certificate", "decision")}
    base = BASE
    if change == "base URL":
        base = MOVED
    else:  # the certificate's layout: a larger QR code
        monkeypatch.setattr(certificates.certificate, "QR_SIZE", certificates.certificate.QR_SIZE + 8)
    with service.transaction(readonly=True) as s:
        fresh = signable_pdf("certificate", fields_of(s, s.get(Dossier, dossier_id), "certificate", base,
                                                      service.registry))[0]
    assert not issued["certificate"].startswith(fresh)  # the change does change the rendering
    assert _served(service, settings, dossier_id, "certificate", base) == (issued["certificate"], True)
    assert _served(service, settings, dossier_id, "decision", base) == (issued["decision"], True)
    for kind, data in issued.items():
        found = _check(service, settings, dossier_id, data, base)
        assert (found.verdict, found.matched, found.matched_signed) == ("genuine", kind, True)
    assert _check(service, settings, dossier_id, fresh, base).matched == "certificate"  # the fresh unsigned render
    with service.transaction(readonly=True) as s:
        fields = fields_of(s, s.get(Dossier, dossier_id), "certificate", base, service.registry)
        assert state(SignedStore(settings.instance_dir / "signed"), s, dossier_id, "certificate", fields) == "signed"
    # issuing again (`cfc signing issue`) signs nothing new: the issued file stays the document
    env = {"DATABASE_URL": world.url, "CFC_INSTANCE_DIR": str(settings.instance_dir),
           "CFC_SIGNING_KEYS": str(settings.signing_keys_file()), "CFC_BASE_URL": base,
           "CFC_USER": world.users["province_approver"]}
    again = CliRunner().invoke(signing_cli, ["issue", str(dossier_id)], env=env)
    assert again.exit_code == 0, again.output
    assert len(_rows(service, dossier_id)) == 3
    assert _served(service, settings, dossier_id, "certificate", base) == (issued["certificate"], True)


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_damaged_signed_file_is_refused_with_a_clear_error(world, deployment, damage, tmp_path):
    service, settings = deployment
    dossier_id = _recognised(world, service)
    row = next(r for r in _rows(service, dossier_id) if r.kind == "decision")
    path = settings.instance_dir / "signed" / f"{row.unsigned_sha256}.pdf"
    issued = path.read_bytes()
    if damage == "altered":
        changed = bytearray(issued)
        changed[len(changed) // 2] ^= 0x01
        path.write_bytes(bytes(changed))
    else:
        path.unlink()
    try:
        with pytest.raises(SignedFileError, match="đã bị thay đổi" if damage == "altered" else "không còn"):
            _served(service, settings, dossier_id, "decision")
        with service.transaction(readonly=True) as s:
            fields = fields_of(s, s.get(Dossier, dossier_id), "decision", BASE, service.registry)
            assert state(SignedStore(path.parent), s, dossier_id, "decision", fields) == damage
        env = {"DATABASE_URL": world.url, "CFC_INSTANCE_DIR": str(settings.instance_dir),
               "CFC_SIGNING_KEYS": str(settings.signing_keys_file()), "CFC_BASE_URL": BASE,
               "CFC_USER": world.users["province_approver"]}
        out = tmp_path / "d.pdf"
        cli = CliRunner().invoke(certificates_cli, ["decision", str(dossier_id), "-o", str(out)], env=env)
        assert cli.exit_code == 1 and "Tệp đã ký số của văn bản này" in cli.output and not out.exists()
        resign = CliRunner().invoke(signing_cli, ["issue", str(dossier_id)], env=env)  # never signed anew
        assert resign.exit_code == 1 and "khôi phục tệp từ bản sao lưu" in resign.output
        assert len(_rows(service, dossier_id)) == 3
        found = _check(service, settings, dossier_id, issued)  # the issued file itself is still recognised
        assert (found.verdict, found.matched, found.matched_signed) == ("genuine", "decision", True)
    finally:
        path.write_bytes(issued)
    assert _served(service, settings, dossier_id, "decision") == (issued, True)


def test_an_amended_decision_is_recorded_beside_the_first_and_both_are_recognised(world, deployment):
    service, settings = deployment
    dossier_id = _recognised(world, service)
    first = {kind: _served(service, settings, dossier_id, kind)[0] for kind in ("certificate", "decision")}
    service.amend_decision(world.users["province_approver"], dossier_id, "5/QĐ-UBND", local_date(now()),
                           "Sửa số quyết định ghi nhầm")
    rows = _rows(service, dossier_id)
    assert [(r.kind, r.event) for r in rows][3:] == [("decision", "amend_decision"),
                                                     ("certificate", "amend_decision")]
    amended = {kind: _served(service, settings, dossier_id, kind) for kind in ("certificate", "decision")}
    for kind, (data, signed) in amended.items():
        assert signed and data != first[kind]
        found = _check(service, settings, dossier_id, data)
        assert (found.matched, found.matched_signed) == (kind, True)
        earlier = _check(service, settings, dossier_id, first[kind])
        assert (earlier.verdict, earlier.matched, earlier.matched_signed) == ("genuine", kind, True)


def test_corrected_data_keep_the_issued_document_until_an_event_issues_it_anew(world, deployment, tmp_path):
    service, settings = deployment
    dossier_id = _recognised(world, service)
    issued = {kind: _served(service, settings, dossier_id, kind)[0] for kind in ("decision", "certificate")}
    with service.transaction() as s:
        commune = s.get(Dossier, dossier_id).commune
        commune_id, name = commune.id, commune.name
    try:
        with service.transaction() as s:  # the commune's name corrected after the recognition
            s.get(Unit, commune_id).name = name + " (sửa)"
        for kind, data in issued.items():
            assert _served(service, settings, dossier_id, kind) == (data, True)
        # an amendment while no key is configured: the recorded documents are no longer the decision's
        unkeyed = DossierService(session_factory(world.engine), settings=Settings.from_env(
            {"CFC_INSTANCE_DIR": str(tmp_path), "DATABASE_URL": world.url, "CFC_BASE_URL": BASE}))
        unkeyed.renderer = signable_pdf
        unkeyed.amend_decision(world.users["province_approver"], dossier_id, "6/QĐ-UBND", local_date(now()),
                               "Sửa số quyết định")
        for kind in issued:
            data, signed = _served(service, settings, dossier_id, kind)
            assert not signed and data != issued[kind], kind  # the amended decision, unsigned: it says so
    finally:
        with service.transaction() as s:
            s.get(Unit, commune_id).name = name


def test_a_revocation_and_its_amendment_are_each_recorded(world, deployment):
    service, settings = deployment
    u = world.users
    code, year = world.fresh_slot([C1, C2], range(2019, 2025))
    officer = u["commune_officer"] if code == C1 else u["neighbour_officer"]
    dossier_id = advance(service, code, year, "revoked", officer=officer, appraiser=u["district_appraiser"],
                         chair=u["district_chair"], approver=u["province_approver"])
    first = _served(service, settings, dossier_id, "revocation")
    service.amend_decision(u["province_approver"], dossier_id, "8/QĐ-UBND", local_date(now()), "Sửa số quyết định")
    rows = [(r.kind, r.event) for r in _rows(service, dossier_id)]
    assert rows[-2:] == [("revocation", "revoke"), ("revocation", "amend_decision")]
    amended = _served(service, settings, dossier_id, "revocation")
    assert first[1] and amended[1] and amended[0] != first[0]
    for data in (first[0], amended[0]):
        found = _check(service, settings, dossier_id, data)
        assert (found.matched, found.matched_signed) == ("revocation", True)


def test_documents_signed_before_the_records_still_work_and_signing_issue_records_them(world, deployment):
    service, settings = deployment
    dossier_id = _recognised(world, service)
    issued = {kind: _served(service, settings, dossier_id, kind)[0] for kind in ("minutes", "decision", "certificate")}
    with service.transaction() as s:  # as if signed before migration 0007: the files only
        s.execute(delete(SignedDocument).where(SignedDocument.dossier_id == dossier_id))
    for kind, data in issued.items():
        assert _served(service, settings, dossier_id, kind) == (data, True)
        found = _check(service, settings, dossier_id, data)
        assert (found.verdict, found.matched, found.matched_signed) == ("genuine", kind, True)
    env = {"DATABASE_URL": world.url, "CFC_INSTANCE_DIR": str(settings.instance_dir),
           "CFC_SIGNING_KEYS": str(settings.signing_keys_file()), "CFC_BASE_URL": BASE,
           "CFC_USER": world.users["province_approver"]}
    result = CliRunner().invoke(signing_cli, ["issue", str(dossier_id)], env=env)
    assert result.exit_code == 0, result.output
    rows = _rows(service, dossier_id)
    assert {r.kind: (r.event, r.signed_sha256) for r in rows} == {
        kind: ("signing_issue", digest(data)) for kind, data in issued.items()}  # recorded, not signed again
    assert _served(service, settings, dossier_id, "certificate", MOVED) == (issued["certificate"], True)


def test_certificates_print_records_what_it_signs(world, deployment, tmp_path):
    service, settings = deployment
    dossier_id = _recognised(world, service)
    with service.transaction() as s:
        s.execute(delete(SignedDocument).where(SignedDocument.dossier_id == dossier_id,
                                               SignedDocument.kind == "certificate"))
        year = s.get(Dossier, dossier_id).year
    env = {"DATABASE_URL": world.url, "CFC_INSTANCE_DIR": str(settings.instance_dir),
           "CFC_SIGNING_KEYS": str(settings.signing_keys_file()), "CFC_BASE_URL": BASE,
           "CFC_USER": world.users["province_approver"]}
    result = CliRunner().invoke(certificates_cli, ["print", "--province", "62", "--round", str(year), "-o",
                                                   str(tmp_path / "round.pdf")], env=env)
    assert result.exit_code == 0, result.output
    row = next(r for r in _rows(service, dossier_id) if r.kind == "certificate")
    assert row.event == "certificates_print"
    assert _served(service, settings, dossier_id, "certificate", MOVED)[0] == (
        settings.instance_dir / "signed" / f"{row.unsigned_sha256}.pdf").read_bytes()


def test_the_first_signed_file_kept_stays(tmp_path):
    store = SignedStore(tmp_path / "signed")
    assert store.put(b"%PDF-unsigned", b"first") == b"first"
    assert store.put(b"%PDF-unsigned", b"second") == b"first"  # signed twice at once: the first one is kept
    assert [p.name for p in store.folder.iterdir()] == [f"{digest(b'%PDF-unsigned')}.pdf"]


def test_the_migration_matches_the_model(world):
    with world.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "signed_documents" in repr(d)] == []


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migration_0007_adds_the_records_to_an_existing_database(kind, tmp_path, request):
    if kind == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'old.sqlite3'}", (lambda: None)
    else:
        url, drop = _fresh_postgres(request.getfixturevalue("postgres_server"))
    try:
        upgrade(url, "0006")
        engine = create_engine(url)
        assert "signed_documents" not in inspect(engine).get_table_names()
        upgrade(url)
        columns = {c["name"] for c in inspect(engine).get_columns("signed_documents")}
        assert {"dossier_id", "kind", "document_key", "unsigned_sha256", "signed_sha256", "event"} <= columns
        engine.dispose()
    finally:
        drop()


def test_a_reissued_certificate_is_signed_and_recorded_under_its_new_serial(world, deployment):
    """``cfc certificates reissue`` (a lost or damaged paper): the new serial's certificate is signed and
    recorded at once, its download is that signed file and ``/verify`` of the new serial recognises it; the
    first certificate stays recorded and recognised under its own serial."""
    service, settings = deployment
    dossier_id = _recognised(world, service)
    first = next(r for r in _rows(service, dossier_id) if r.kind == "certificate")
    env = {"DATABASE_URL": world.url, "CFC_INSTANCE_DIR": str(settings.instance_dir),
           "CFC_SIGNING_KEYS": str(settings.signing_keys_file()), "CFC_BASE_URL": BASE,
           "CFC_USER": world.users["province_approver"]}
    result = CliRunner().invoke(certificates_cli, ["reissue", first.serial, "--reason", "Giấy bị hư hỏng"], env=env)
    assert result.exit_code == 0, result.output
    new_serial = json.loads(result.output)["new"]
    rows = [r for r in _rows(service, dossier_id) if r.kind == "certificate"]
    assert [(r.serial, r.event) for r in rows] == [(first.serial, "recognize"), (new_serial, "reissue")]
    data, signed = _served(service, settings, dossier_id, "certificate")
    assert signed and digest(data) == rows[1].signed_sha256
    found = _check(service, settings, dossier_id, data)
    assert (found.verdict, found.matched, found.matched_signed) == ("genuine", "certificate", True)
