"""Who signs the documents of real dossiers, on SQLite and PostgreSQL: the recognition decision and the
certificate print the signer recorded at recognition (a deputy signs "KT. CHỦ TỊCH"), an old dossier falls back
to the configured signer or prints none; the revocation decision (data, PDF, ``cfc certificates revocation``)
only for a revoked dossier, whose certificate is then refused; the minutes signed by the chair and members of
the recorded panel; a batch whose author names every issuing body. Text is read back with pdftotext."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest
from click.testing import CliRunner
from conftest import C1, C2, C_OTHER_DISTRICT, advance
from pypdf import PdfReader
from sqlalchemy import select

import certificates as docs
from cfc.certificates import certificates as cli
from dossiers import issuance
from dossiers.audit import local_date, now
from dossiers.models import Dossier, Unit
from dossiers.users import add_user
from engine.errors import ConflictError
from engine.template import example_values

BASE = "https://treem.example.gov.vn"
REASON = "Kiểm tra sau công nhận phát hiện số liệu tiêm chủng không đúng thực tế"  # internal: the audit trail's
PUBLIC_REASON = "Không còn đáp ứng tiêu chí"  # what the verification page and the revocation decision say
PANEL = ["Nguyễn Văn Hùng, Phó Chủ tịch UBND thành phố (Chủ tịch hội đồng)",
         "Trần Thị Lan, Trưởng phòng Lao động - Thương binh và Xã hội", "Lê Văn Tâm, Trưởng phòng Y tế"]


def pdftotext(pdf: bytes, tmp_path, name: str = "doc") -> str:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


@pytest.fixture(scope="module")
def w(world):
    """Recognised dossiers of Thành phố Kon Tum (608) and Huyện Đắk Glei (610) in 2024, signed as recorded; an
    old one with no signer recorded; a revoked one, signed by a deputy."""
    u = world.users
    with world.service.transaction() as s:
        add_user(s, "c3", "secret", C_OTHER_DISTRICT, ["commune_officer"], unit_level="commune")
        add_user(s, "d2", "secret", "610", ["district_appraiser"], unit_level="district")
    today = local_date(now())

    def walk(commune, year, officer, appraiser, chair, panel=None):
        dossier_id = advance(world.service, commune, year, "submitted", officer=officer, appraiser=appraiser,
                             chair=chair, approver=u["province_approver"])
        world.service.appraise(appraiser, dossier_id, example_values())
        world.service.transition(chair, dossier_id, "verify", panel_members=panel or ["Chủ tịch hội đồng"])
        return dossier_id

    def recognise(dossier_id, number, name, title=None):
        world.service.transition(u["province_approver"], dossier_id, "recognize", decision_number=number,
                                 decision_date=today, signer_name=name, signer_title=title)
        return dossier_id

    city = (u["district_appraiser"], u["district_chair"])
    ids = {
        "signed": recognise(walk(C1, 2024, u["commune_officer"], *city, panel=PANEL), "7/QĐ-UBND", "Trần Văn Ký"),
        "deputy": recognise(walk(C2, 2024, u["neighbour_officer"], *city), "7/QĐ-UBND", "Lê Thị Phó",
                            "Phó Chủ tịch"),
        "glei": recognise(walk(C_OTHER_DISTRICT, 2024, "c3", "d2", u["other_district_chair"]), "9/QĐ-UBND",
                          "Hà Văn Glei"),
        "old": recognise(walk(C1, 2023, u["commune_officer"], *city), "3/QĐ-UBND", "Ai Đó"),
        "revoked": recognise(walk(C2, 2023, u["neighbour_officer"], *city), "4/QĐ-UBND", "Trần Văn Ký"),
    }
    world.service.transition(u["province_approver"], ids["revoked"], "revoke", reason=REASON,
                             public_reason=PUBLIC_REASON, decision_number="15/QĐ-UBND", decision_date=today, signer_name="Đỗ Văn Thu",
                             signer_title="Phó Chủ tịch")
    with world.service.transaction() as s:  # as recognised before signers were recorded
        old = s.get(Dossier, ids["old"])
        old.decision_signer = old.decision_signer_title = None
    world.ids = ids
    return world


def _dossier(s, w, key) -> Dossier:
    return s.get(Dossier, w.ids[key])


def _config_naming(tmp_path, code: str, name: str) -> dict:
    """The shipped issuer configuration, with ``name`` configured to sign the decisions of unit ``code``."""
    source = (issuance.documents_directory() / "issuers.yaml").read_text(encoding="utf-8")
    (tmp_path / "issuers.yaml").write_text(source.replace("signers: {}", f'signers: {{"{code}": "{name}"}}'),
                                           encoding="utf-8")
    return issuance.load_documents(tmp_path)


# ------------------------------------------------------------------------------------------------ signers
def test_the_decision_and_the_certificate_print_the_signer_recorded_at_recognition(w, tmp_path):
    with w.service.transaction(readonly=True) as s:
        dossier = _dossier(s, w, "signed")
        decision = issuance.decision_fields(s, dossier)
        cert = issuance.certificate_fields(s, issuance.current_certificate(s, dossier), BASE)
    assert (decision["issuer"]["signer_title"], decision["issuer"]["signer_name"]) == ("CHỦ TỊCH", "Trần Văn Ký")
    assert cert["issuer"] == decision["issuer"]
    for data in (docs.from_dict(docs.DecisionData, decision), docs.from_dict(docs.CertificateData, cert)):
        render = docs.decision_pdf if isinstance(data, docs.DecisionData) else docs.certificate_pdf
        text = pdftotext(render(data), tmp_path)
        assert "CHỦ TỊCH" in text and "Trần Văn Ký" in text
        assert text.index("Trần Văn Ký") > text.rindex("CHỦ TỊCH")  # under the title


def test_a_deputy_signs_on_behalf_of_the_chairman(w, tmp_path):
    with w.service.transaction(readonly=True) as s:
        dossier = _dossier(s, w, "deputy")
        fields = issuance.certificate_fields(s, issuance.current_certificate(s, dossier), BASE)
    signer = fields["issuer"]
    assert (signer["signer_capacity"], signer["signer_title"], signer["signer_name"]) == (
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Thị Phó")
    text = pdftotext(docs.certificate_pdf(docs.from_dict(docs.CertificateData, fields)), tmp_path)
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text and "Lê Thị Phó" in text


def test_an_old_dossier_prints_the_configured_signer_or_none(w, tmp_path):
    with w.service.transaction(readonly=True) as s:
        dossier = _dossier(s, w, "old")
        unnamed = issuance.decision_fields(s, dossier)
        named = issuance.decision_fields(s, dossier, config=_config_naming(tmp_path, "608", "Phạm Văn Cấu"))
        cert = issuance.certificate_fields(s, issuance.current_certificate(s, dossier), BASE)
    assert (unnamed["issuer"]["signer_title"], unnamed["issuer"]["signer_name"]) == ("CHỦ TỊCH", "")
    assert cert["issuer"]["signer_name"] == ""
    assert named["issuer"]["signer_name"] == "Phạm Văn Cấu"
    text = pdftotext(docs.decision_pdf(docs.from_dict(docs.DecisionData, unnamed)), tmp_path)
    assert text.endswith("CHỦ TỊCH") or "CHỦ TỊCH" in text.split("Nơi nhận:")[-1]
    assert "Ai Đó" not in text
    assert "Phạm Văn Cấu" in pdftotext(docs.decision_pdf(docs.from_dict(docs.DecisionData, named)), tmp_path)


# --------------------------------------------------------------------------------------------- revocation
def test_the_revocation_decision_of_a_revoked_dossier(w, tmp_path):
    today = local_date(now())
    with w.service.transaction(readonly=True) as s:
        dossier = _dossier(s, w, "revoked")
        fields = issuance.revocation_fields(s, dossier)
        serial = issuance.current_certificate(s, dossier).serial
    assert (fields["number"], fields["date"], fields["reason"]) == ("15/QĐ-UBND", today, PUBLIC_REASON)
    assert (fields["recognition_number"], fields["recognition_date"]) == ("4/QĐ-UBND", today)
    assert fields["commune"] == "Phường Duy Tân" and fields["certificate_serial"] == serial
    assert fields["issuer"]["body"] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ KON TUM"]  # the body that recognised
    assert (fields["issuer"]["signer_capacity"], fields["issuer"]["signer_name"]) == ("KT. CHỦ TỊCH", "Đỗ Văn Thu")
    assert "Chủ tịch Ủy ban nhân dân phường Duy Tân" in fields["executors"]
    text = pdftotext(docs.revocation_pdf(docs.from_dict(docs.RevocationData, fields)), tmp_path)
    for expected in ("Số: 15/QĐ-UBND", "Về việc thu hồi công nhận Phường Duy Tân",
                     f"tại Quyết định số 4/QĐ-UBND ngày {today:%d}", f"Lý do thu hồi: {PUBLIC_REASON}.",
                     f"Giấy công nhận số hiệu {serial}", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH", "Đỗ Văn Thu", "BẢN MẪU"):
        assert expected in text, expected
    assert REASON not in text  # the internal note is never printed


def test_only_a_revoked_dossier_with_its_decision_has_a_revocation_decision(w):
    with w.service.transaction() as s:
        with pytest.raises(ConflictError, match="chưa bị thu hồi công nhận"):
            issuance.revocation_fields(s, _dossier(s, w, "signed"))
        revoked = _dossier(s, w, "revoked")
        number, revoked.revocation_number = revoked.revocation_number, None  # revoked before decisions were
        try:
            with pytest.raises(ConflictError, match="chưa ghi số và ngày quyết định thu hồi"):
                issuance.revocation_fields(s, revoked)
        finally:
            revoked.revocation_number = number


def test_a_revoked_dossiers_certificate_is_refused_with_its_revocation(w):
    with w.service.transaction(readonly=True) as s, pytest.raises(ConflictError) as refused:
        issuance.certificate_of(s, _dossier(s, w, "revoked"))
    assert "công nhận đã bị thu hồi theo Quyết định số 15/QĐ-UBND ngày " in str(refused.value)


# ------------------------------------------------------------------------------------------------ minutes
def test_the_minutes_are_signed_by_the_recorded_chair_and_members(w, tmp_path):
    with w.service.transaction(readonly=True) as s:
        fields = issuance.minutes_fields(s, _dossier(s, w, "signed"))
    assert fields["appraiser"]["signer_name"] == "Nguyễn Văn Hùng, Phó Chủ tịch UBND thành phố"
    assert fields["member_signers"] == PANEL[1:] and fields["panel_members"] == PANEL
    text = pdftotext(docs.minutes_pdf(docs.from_dict(docs.MinutesData, fields)), tmp_path)
    signatures = text[text.index("TM. HỘI ĐỒNG"):]
    for name in ("Nguyễn Văn Hùng, Phó Chủ tịch UBND thành phố", "CÁC THÀNH VIÊN HỘI ĐỒNG", "Trần Thị Lan",
                 "Lê Văn Tâm, Trưởng phòng Y tế"):
        assert name in signatures, name


@pytest.mark.parametrize(("panel", "chair", "members"), [
    (["Nguyễn Văn A, Phó Chủ tịch UBND huyện (Chủ tịch hội đồng)", "Trần B"], "Nguyễn Văn A, Phó Chủ tịch UBND huyện",
     ["Trần B"]),
    (["Trần B", "Lê C (chủ tịch Hội đồng)"], "Lê C", ["Trần B"]),
    (["Chủ tịch hội đồng: Phạm D", "Võ E (Thư ký)"], "Phạm D", ["Võ E (Thư ký)"]),
    (["Chủ tịch hội đồng", "Thành viên"], "", ["Thành viên"]),
    (["Ngô F (Phó Chủ tịch hội đồng)", "Đinh G"], "", ["Ngô F (Phó Chủ tịch hội đồng)", "Đinh G"]),
    (["Phó Chủ tịch UBND (Chủ tịch hội đồng)", "X (Chủ tịch hội đồng)"], "Phó Chủ tịch UBND",
     ["X (Chủ tịch hội đồng)"]),
    ([], "", []),
    (None, "", []),
])
def test_who_signs_the_minutes_for_the_panel(panel, chair, members):
    assert issuance.panel_signers(panel) == (chair, members)


# ---------------------------------------------------------------------------------------------------- CLI
def _cli(w, *args, user=None):
    env = {"DATABASE_URL": w.url, "CFC_USER": user or w.users["province_approver"]}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_revocation_prints_the_decision_of_a_revoked_dossier_only(w, tmp_path):
    target = tmp_path / "thu-hoi.pdf"
    done = _cli(w, "revocation", str(w.ids["revoked"]), "-o", str(target), "--as", w.users["province_officer"])
    assert done.exit_code == 0, done.output
    assert "Quyết định thu hồi số 15/QĐ-UBND (Phường Duy Tân)" in done.output
    text = pdftotext(target.read_bytes(), tmp_path, "cli")
    assert "Về việc thu hồi công nhận Phường Duy Tân" in text and PUBLIC_REASON in text and REASON not in text
    refused = _cli(w, "revocation", str(w.ids["signed"]), "-o", str(tmp_path / "x.pdf"))
    assert refused.exit_code == 1 and "thu hồi" in refused.output and not (tmp_path / "x.pdf").exists()
    stranger = _cli(w, "revocation", str(w.ids["revoked"]), "-o", str(tmp_path / "y.pdf"),
                    "--as", w.users["commune_officer"])
    assert stranger.exit_code == 1 and not (tmp_path / "y.pdf").exists()


def test_cli_batch_names_every_issuing_body_and_prints_each_signer(w, tmp_path):
    target = tmp_path / "batch.pdf"
    done = _cli(w, "print", "--province", "62", "--round", "2024", "-o", str(target), "--base-url", BASE)
    assert done.exit_code == 0, done.output
    reader = PdfReader(target)
    assert reader.metadata["/Author"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM; ỦY BAN NHÂN DÂN HUYỆN ĐẮK GLEI"
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    assert len(pages) == 3
    with w.service.transaction(readonly=True) as s:
        glei = s.execute(select(Unit.name).where(Unit.code == C_OTHER_DISTRICT)).scalar_one()
    (glei_page,) = [p for p in pages if glei.upper() in p]
    assert "ỦY BAN NHÂN DÂN HUYỆN ĐẮK GLEI" in glei_page and "Hà Văn Glei" in glei_page
    assert sum("Trần Văn Ký" in p for p in pages) == 1 and sum("Lê Thị Phó" in p for p in pages) == 1
