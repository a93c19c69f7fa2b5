"""Certificates in the database, on SQLite and PostgreSQL: serial numbers unique per province and round (also
when two issuers race), the status a verification page shows (valid, revoked through the workflow with its date
and reason, superseded), the data of the three documents gathered from real dossiers, and ``cfc certificates``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from conftest import C1, C2, P25_OTHER, advance
from pypdf import PdfReader
from sqlalchemy import delete, func, select

import certificates as docs
from cfc.certificates import certificates as cli
from dossiers import issuance
from dossiers.audit import local_date, now
from dossiers.models import AuditEntry, Base, Certificate, Dossier, Unit, User
from engine.errors import CfcError, NotFound
from engine.numbers import parse_count
from engine.workflow import TransitionRefused

BASE = "https://treem.example.gov.vn"
REASON = "Kiểm tra sau công nhận phát hiện số liệu tiêm chủng không đúng thực tế"


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def w(world):
    """The module's dossiers, each made once: recognised ones in two rounds of Kon Tum (62), one round of
    Quảng Ngãi (51) and one of Hà Nội (1), and a few in other states."""
    u = world.users
    roles = dict(appraiser=u["district_appraiser"], chair=u["district_chair"], approver=u["province_approver"])

    def kontum(commune: str, year: int, status: str) -> int:
        officer = u["commune_officer"] if commune == C1 else u["neighbour_officer"]
        world._used.add((commune, year))
        return advance(world.service, commune, year, status, officer=officer, **roles)

    ids = {
        # recognised in commune order (Phường Duy Tân 23284 first): the 2024 serials follow it
        "c2_2024": kontum(C2, 2024, "recognized"),
        "c1_2024": kontum(C1, 2024, "recognized"),
        "c1_2023": kontum(C1, 2023, "recognized"),
        "c2_2023": kontum(C2, 2023, "recognized"),
        "c1_2022": kontum(C1, 2022, "recognized"),
        "c2_2022": kontum(C2, 2022, "recognized"),
        "c1_2021": kontum(C1, 2021, "verified"),
        "c2_2021": kontum(C2, 2021, "not_recognized"),
        "qn_2025": world.dossier_2025("recognized"),
    }
    with world.service.transaction() as s:
        hanoi = s.execute(select(User).where(User.username == u["other_officer_2025"])).scalar_one().unit.code
    boss = u["other_province_officer_2025"]
    ids["hn_2025"] = advance(world.service, hanoi, 2025, "recognized", officer=u["other_officer_2025"],
                             appraiser=boss, chair=boss, approver=boss)
    world.ids = ids
    return world


def _dossier(s, world, key) -> Dossier:
    return s.get(Dossier, world.ids[key])


# ----------------------------------------------------------------------------------------------- serials
def test_recognition_allocates_the_serial_in_its_transaction(w):
    with w.service.transaction() as s:
        for key, serial in (("c2_2024", "62-2024-000001"), ("c1_2024", "62-2024-000002"),
                            ("qn_2025", "51-2025-000001"), ("hn_2025", f"{P25_OTHER}-2025-000001")):
            dossier = _dossier(s, w, key)
            cert = issuance.current_certificate(s, dossier)
            assert cert is not None and cert.serial == serial
            assert (cert.decision_number, cert.decision_date) == (dossier.decision_number, dossier.decision_date)
            actions = s.scalars(select(AuditEntry.action).where(AuditEntry.dossier_id == dossier.id)
                                .order_by(AuditEntry.id)).all()
            assert actions[-2:] == ["transition.recognize", "certificate.issue"]
        # printing finds them and allocates nothing, in commune order
        certs = issuance.issue_round(s, "62", 2024, "pa")
        assert [c.serial for c in certs] == ["62-2024-000001", "62-2024-000002"]
        assert [c.dossier_id for c in certs] == [w.ids["c2_2024"], w.ids["c1_2024"]]
        assert certs[0].decision_number == "1/QĐ-UBND" and certs[0].decision_date == local_date(now())
        assert issuance.issue(s, _dossier(s, w, "qn_2025"), "x").serial == "51-2025-000001"


class _Undo(Exception):
    """Raised to roll a test's transaction back."""


def test_the_repair_path_allocates_missing_serials_in_commune_order(w):
    """Dossiers recognised before serials were allocated at recognition have none: ``cfc certificates print``
    (``issue_round``) allocates them by district and commune code, whatever the order of recognition."""
    with pytest.raises(_Undo), w.service.transaction() as s:
        s.execute(delete(Certificate).where(Certificate.province_code == "62", Certificate.year == 2023))
        with pytest.raises(issuance.serials.NoCertificate, match="cfc certificates print --province 62"):
            issuance.serials.certificate_of(s, _dossier(s, w, "c1_2023"))
        certs = issuance.issue_round(s, "62", 2023, "pa")
        assert [c.serial for c in certs] == ["62-2023-000001", "62-2023-000002"]
        assert [c.dossier_id for c in certs] == [w.ids["c2_2023"], w.ids["c1_2023"]]  # c1 was recognised first
        raise _Undo


def test_issuing_again_returns_the_same_certificate_and_logs_once(w):
    with w.service.transaction() as s:
        first = [c.serial for c in issuance.issue_round(s, "62", 2024, "pa")]
    with w.service.transaction() as s:
        again = [c.serial for c in issuance.issue_round(s, "62", 2024, "someone else")]
        logged = s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "certificate.issue", AuditEntry.target.in_(first))).scalar()
    assert again == first
    assert logged == 2


def test_two_issuers_racing_get_different_numbers(w):
    """Both read the same last number; the unique constraint refuses one, which takes the next. (SQLite runs
    write transactions one at a time, so there the two only queue; PostgreSQL lets them race.)"""
    barrier = threading.Barrier(1 if w.url.startswith("sqlite") else 2)
    results, errors = {}, []

    def run(key):
        try:
            with w.service.transaction() as s:
                dossier = _dossier(s, w, key)
                dossier.commune.ancestors()
                barrier.wait(timeout=10)
                results[key] = issuance.issue(s, dossier, f"issuer-{key}").serial
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    with w.service.transaction() as s:  # as if recognised before serials were allocated at recognition
        s.execute(delete(Certificate).where(Certificate.province_code == "62", Certificate.year == 2023))
    threads = [threading.Thread(target=run, args=(k,)) for k in ("c1_2023", "c2_2023")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(results.values()) == ["62-2023-000001", "62-2023-000002"]


def test_only_a_recognised_dossier_with_a_decision_gets_a_certificate(w):
    with w.service.transaction() as s:
        for key in ("c1_2021", "c2_2021"):
            with pytest.raises(CfcError, match="chỉ cấp giấy công nhận"):
                issuance.issue(s, _dossier(s, w, key), "pa")
    with w.service.transaction() as s:
        assert issuance.round_dossiers(s, "62", 2021) == []


def test_unknown_province_is_refused(w):
    with w.service.transaction() as s, pytest.raises(CfcError):
        issuance.issue_round(s, "999", 2024, "pa")


# ----------------------------------------------------------------------------------------------- status
def test_a_new_certificate_is_valid_and_verification_shows_every_field(w):
    with w.service.transaction() as s:
        found = issuance.verification(s, "62-2024-000002", BASE)
    assert found["status"]["status"] == "valid" and found["status"]["label"] == "Còn hiệu lực"
    assert found["verify_url"] == f"{BASE}/verify/62-2024-000002"
    assert (found["commune"], found["district"], found["province"]) == (
        "Xã Đắk Rơ Wa", "Thành phố Kon Tum", "Tỉnh Kon Tum")
    assert found["year"] == 2024 and found["decision_number"] == "1/QĐ-UBND"
    assert found["criteria_version"] == "Quyết định 06/QĐ-TTg ngày 03/01/2019 (qd06-2019)"
    assert found["issuer"]["body"] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ KON TUM"]
    assert found["issuer"]["place"] == "Kon Tum"
    assert found["total"] <= found["max_total"] and found["threshold"] == 850
    assert found["category_label"] == "Xã, phường, thị trấn còn lại"
    assert found["provisional"] is True  # qd06-2019 is provisional as shipped
    assert issuance.to_json(found).startswith("{")
    with w.service.transaction() as s:
        assert issuance.verification(s, "62-2024-999999", BASE) is None


def test_revocation_through_the_workflow_shows_its_date_and_reason(w):
    with w.service.transaction() as s:
        serial = issuance.issue(s, _dossier(s, w, "c1_2022"), "pa").serial
    internal = "Cán bộ Nguyễn Văn A khai man số liệu tiêm chủng"
    with pytest.raises(TransitionRefused, match="lý do thu hồi công bố"):
        w.service.transition(w.users["province_approver"], w.ids["c1_2022"], "revoke", reason=internal,
                             decision_number="5/QĐ-UBND", decision_date=local_date(now()), signer_name="Trần Văn Ký")
    w.service.transition(w.users["province_approver"], w.ids["c1_2022"], "revoke", reason=internal,
                         decision_number="5/QĐ-UBND", decision_date=local_date(now()), signer_name="Trần Văn Ký",
                         public_reason=REASON)
    with w.service.transaction() as s:
        status = issuance.status_of(s, issuance.lookup(s, serial))
        public = issuance.to_json(issuance.verification(s, serial, BASE))
    assert status.status == "revoked" and status.label == "Đã bị thu hồi"
    assert (status.revoke_reason, status.revocation_number) == (REASON, "5/QĐ-UBND")
    # the internal note and who entered it stay in the audit trail, never on the public page
    assert internal not in public and f"\"{w.users['province_approver']}\"" not in public and REASON in public
    assert status.revoked_on == dt.datetime.now(issuance.VIETNAM).date()
    with w.service.transaction() as s, pytest.raises(CfcError, match="công nhận đã bị thu hồi theo Quyết định số 5/QĐ-UBND"):
        issuance.issue(s, _dossier(s, w, "c1_2022"), "pa")


def test_reissue_supersedes_the_old_serial(w):
    with w.service.transaction() as s:
        old = issuance.issue(s, _dossier(s, w, "c2_2022"), "pa").serial
    with w.service.transaction() as s:
        new = issuance.reissue(s, old, "pa", "Giấy bị hư hỏng do ngập lụt").serial
    assert new != old and new.startswith("62-2022-")
    with w.service.transaction() as s:
        before = issuance.status_of(s, issuance.lookup(s, old))
        after = issuance.status_of(s, issuance.lookup(s, new))
        assert issuance.issue(s, _dossier(s, w, "c2_2022"), "pa").serial == new
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "certificate.reissue",
                                                   AuditEntry.target == new)).scalar_one()
    assert (before.status, before.superseded_by) == ("superseded", new)
    assert after.status == "valid"
    assert entry.reason == "Giấy bị hư hỏng do ngập lụt"
    with w.service.transaction() as s:
        with pytest.raises(CfcError, match="đã được thay thế"):
            issuance.reissue(s, old, "pa", "lại")
        with pytest.raises(CfcError, match="lý do"):
            issuance.reissue(s, new, "pa", "  ")
        with pytest.raises(NotFound):
            issuance.reissue(s, "62-2022-999999", "pa", "mất")


# ---------------------------------------------------------------------------------------- document data
def test_certificate_from_the_database(w, tmp_path):
    with w.service.transaction() as s:
        cert = issuance.issue(s, _dossier(s, w, "qn_2025"), "pa")
        fields = issuance.certificate_fields(s, cert, BASE, signer_name="Nguyễn Văn Ánh")
    data = docs.from_dict(docs.CertificateData, fields)
    assert data.district == "" and data.province == "Tỉnh Quảng Ngãi"
    assert data.issuer.body == ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI")  # procedure-2025: the province
    assert data.unit_phrase == "xã, phường, đặc khu"
    text = _text(docs.certificate_pdf(data))
    day = local_date(now())  # the fixture's decision date: the day of the verification
    for expected in (data.commune.upper(), "Tỉnh Quảng Ngãi", "51-2025-000001", f"{BASE}/verify/51-2025-000001",
                     "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", f"Quảng Ngãi, ngày {day:%d} tháng {day:%m} năm {day:%Y}",
                     f"Theo Quyết định số 1/QĐ-UBND ngày {day:%d} tháng {day:%m} năm {day:%Y}", "BẢN MẪU",
                     "Nguyễn Văn Ánh"):
        assert expected in text, expected


def test_decision_lists_every_commune_of_the_same_decision_and_body(w):
    with w.service.transaction() as s:
        fields = issuance.decision_fields(s, _dossier(s, w, "c1_2024"), signer_name="Trần Văn Bình")
    data = docs.from_dict(docs.DecisionData, fields)
    assert [c.name for c in data.communes] == ["Phường Duy Tân", "Xã Đắk Rơ Wa"]  # same district, same number
    assert data.issuer.body == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ KON TUM")  # procedure-2019: the district
    assert data.issuer.authority == "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM"
    assert data.proposal == "Theo đề nghị của Trưởng phòng Lao động - Thương binh và Xã hội thành phố Kon Tum."
    assert "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum (để báo cáo)" in data.recipients
    text = _text(docs.decision_pdf(data))
    day = local_date(now())  # the fixture's decision date: the day of the verification
    for expected in ("Số: 1/QĐ-UBND", f"Kon Tum, ngày {day:%d} tháng {day:%m} năm {day:%Y}", "Phường Duy Tân",
                     "Xã Đắk Rơ Wa",
                     "Công nhận 02 đơn vị", "Trần Văn Bình", "BẢN MẪU"):
        assert expected in text, expected


def test_decision_of_the_2025_procedure_is_the_provinces(w):
    with w.service.transaction() as s:
        data = docs.from_dict(docs.DecisionData, issuance.decision_fields(s, _dossier(s, w, "hn_2025")))
    assert data.issuer.body == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI")
    assert data.issuer.place == "Hà Nội"
    assert data.proposal == "Theo đề nghị của Giám đốc Sở Y tế."
    assert len(data.communes) == 1 and data.communes[0].district == ""


def test_minutes_from_the_database(w):
    with w.service.transaction() as s:
        dossier = _dossier(s, w, "c1_2024")
        fields = issuance.minutes_fields(s, dossier)
        labels = {v.code: v for v in dossier.values}
    data = docs.from_dict(docs.MinutesData, fields)
    assert data.panel_members == ("Chủ tịch hội đồng", "Thành viên")
    assert data.appraiser.parent == ("UBND THÀNH PHỐ KON TUM",)
    assert data.appraiser.body == ("HỘI ĐỒNG XÉT DUYỆT",)
    assert len(data.criteria) == 13
    assert sum(parse_count(c.points) for c in data.criteria) == parse_count(data.total)  # numbers as text
    assert all(c.self_points != "—" for c in data.criteria)
    first = data.criteria[0].indicators[0]
    assert first.self_value in ("Có", "Không") and first.appraised_value in ("Có", "Không")
    assert len(labels) == sum(len(c.indicators) for c in data.criteria)
    text = _text(docs.minutes_pdf(data))
    for expected in ("BIÊN BẢN", "Xã Đắk Rơ Wa", "Chủ tịch hội đồng", "Nguồn lực thực hiện quyền trẻ em",
                     f"tổng điểm sau thẩm định: {data.total}/1.000", "ĐẠI DIỆN ỦY BAN NHÂN DÂN XÃ ĐẮK RƠ WA"):
        assert expected in text, expected


def test_minutes_need_a_verified_score(w):
    with w.service.transaction() as s:
        draft = w.dossier_2019("draft")
        with pytest.raises(CfcError, match="chưa có kết quả thẩm định"):
            issuance.minutes_fields(s, s.get(Dossier, draft))


def test_document_configuration_is_valid_and_dated():
    config = issuance.load_documents()
    assert set(config) == {"procedure-2019", "procedure-2025"}
    assert issuance.documents_for("procedure-2019", dt.date(2024, 12, 20), config).decision.level == "district"
    assert issuance.documents_for("procedure-2025", dt.date(2025, 12, 20), config).decision.level == "province"
    # a late document of an old procedure keeps the procedure's last entry
    assert issuance.documents_for("procedure-2019", dt.date(2026, 1, 5), config).unit_phrase == \
        "xã, phường, thị trấn"
    with pytest.raises(CfcError):
        issuance.documents_for("procedure-2019", dt.date(2018, 1, 1), config)


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path):
    source = (issuance.documents_directory() / "issuers.yaml").read_text(encoding="utf-8")
    (tmp_path / "issuers.yaml").write_text(source.replace("{unit_upper}", "{unit_uper}"), encoding="utf-8")
    with pytest.raises(CfcError, match="unit_uper"):
        issuance.load_documents(tmp_path)


@pytest.mark.parametrize(("name", "place", "sentence"), [
    ("Tỉnh Kon Tum", "Kon Tum", "tỉnh Kon Tum"),
    ("Thành phố Kon Tum", "Kon Tum", "thành phố Kon Tum"),
    ("Huyện Đắk Glei", "Đắk Glei", "huyện Đắk Glei"),
    ("Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
    ("Quận 1", "Quận 1", "Quận 1"),
])
def test_place_names(name, place, sentence):
    assert issuance.place_name(name) == place
    assert issuance.in_sentence(name) == sentence


# ---------------------------------------------------------------------------------------------- schema
def test_the_migration_matches_the_model(w):
    with w.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diff if "certificates" in repr(d)]
    assert mine == []


# ------------------------------------------------------------------------------------------------- CLI
def _cli(w, *args):
    return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": w.url, "CFC_USER": w.users["province_approver"]},
                              catch_exceptions=False)


def test_cli_print_gives_one_page_per_commune_and_the_same_bytes_twice(w, tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    result = _cli(w, "print", "--province", "62", "--round", "2024", "-o", str(first), "--base-url", BASE)
    assert result.exit_code == 0, result.output
    assert "2 giấy công nhận" in result.output
    assert _cli(w, "print", "--province", "62", "--round", "2024", "-o", str(second), "--base-url", BASE
                ).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    pages = PdfReader(first).pages
    assert len(pages) == 2
    assert "62-2024-000001" in pages[0].extract_text() and "PHƯỜNG DUY TÂN" in pages[0].extract_text()


def test_cli_print_refuses_without_base_url_or_recognised_communes(w, tmp_path):
    result = _cli(w, "print", "--province", "62", "--round", "2024", "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1 and "--base-url" in result.output
    result = _cli(w, "print", "--province", "62", "--round", "2021", "-o", str(tmp_path / "x.pdf"),
                  "--base-url", BASE)
    assert result.exit_code == 1 and "không có xã nào được công nhận" in result.output


def test_cli_print_refuses_samples_when_the_deployment_forbids_them(w, tmp_path):
    w.service.set_setting("test", "allow_sample_documents", False)
    try:
        result = _cli(w, "print", "--province", "62", "--round", "2024", "-o", str(tmp_path / "x.pdf"),
                      "--base-url", BASE)
    finally:
        w.service.set_setting("test", "allow_sample_documents", True)
    assert result.exit_code == 1 and "allow_sample_documents" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_cli_decision_minutes_and_verify(w, tmp_path):
    assert _cli(w, "decision", str(w.ids["c1_2024"]), "-o", str(tmp_path / "d.pdf")).exit_code == 0
    assert "Phường Duy Tân" in _text((tmp_path / "d.pdf").read_bytes())
    assert _cli(w, "minutes", str(w.ids["c1_2024"]), "-o", str(tmp_path / "m.pdf")).exit_code == 0
    assert "BIÊN BẢN" in _text((tmp_path / "m.pdf").read_bytes())
    ok = _cli(w, "verify", "62-2024-000001", "--base-url", BASE)
    assert ok.exit_code == 0 and "Còn hiệu lực" in ok.output
    with w.service.transaction() as s:  # allocated on another day than the decision's
        cert = issuance.lookup(s, "62-2024-000001")
        decided, cert.issued_at = cert.decision_date, "2031-02-03T04:05:06+00:00"
    found = json.loads(_cli(w, "verify", "62-2024-000001", "--base-url", BASE, "--json").output)
    assert found["issued_on"] == found["decision_date"] == decided.isoformat()
    with w.service.transaction() as s:
        revoked = s.execute(select(AuditEntry.target).where(AuditEntry.action == "certificate.issue",
                                                            AuditEntry.dossier_id == w.ids["c1_2022"])
                            ).scalar_one()
    gone = _cli(w, "verify", revoked, "--base-url", BASE)
    assert gone.exit_code == 1 and "Đã bị thu hồi" in gone.output and REASON in gone.output
    missing = _cli(w, "verify", "62-2024-777777", "--base-url", BASE)
    assert missing.exit_code == 1
    assert _cli(w, "decision", "999999").exit_code == 1


def test_units_of_the_world_are_the_official_ones(w):
    with w.service.transaction() as s:
        assert s.execute(select(Unit.name).where(Unit.code == C2, Unit.level == "commune")).scalar() == \
            "Phường Duy Tân"
