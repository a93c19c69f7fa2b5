"""Recognition is a decision (issue #10): the number and date a recognition needs, refused with the reason and
nothing stored (also 100,000 characters on PostgreSQL); the repair command ``amend-decision``; batch printing
that skips what it cannot print; free text longer than its column refused with the field named."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import C1, C2, advance
from pypdf import PdfReader
from sqlalchemy import select

from cfc.certificates import certificates as certificates_cli
from cfc.dossier import dossier as dossier_cli
from dossiers import issuance
from dossiers.audit import local_date, now
from dossiers.models import AuditEntry, Dossier
from engine.errors import AccessDenied, AssessmentError, ConflictError
from engine.workflow import TransitionRefused

BASE = "https://treem.example.gov.vn"
ONE_DAY = dt.timedelta(days=1)


def today() -> dt.date:
    return local_date(now())


def _slot(world, commune: str, year: int, status: str) -> int:
    """A dossier of ``commune`` in ``year`` (a slot no other test of the module takes) walked to ``status``."""
    world._used.add((commune, year))
    u = world.users
    officer = u["commune_officer"] if commune == C1 else u["neighbour_officer"]
    return advance(world.service, commune, year, status, officer=officer, appraiser=u["district_appraiser"],
                   chair=u["district_chair"], approver=u["province_approver"])


@pytest.fixture(scope="module")
def verified(world) -> int:
    return _slot(world, C1, 2019, "verified")


def _cli(world, group, *args):
    return CliRunner().invoke(group, list(args), env={"DATABASE_URL": world.url,
                                                      "CFC_USER": world.users["province_approver"]})


# number, date (a function of the verification day), what the refusal says
REFUSED = {
    "no-number": (None, lambda day: day, "cần ghi số quyết định"),
    "blank-number": ("  ", lambda day: day, "cần ghi số quyết định"),
    "no-date": ("107/QĐ-UBND", lambda day: None, "cần ghi ngày quyết định"),
    "year-1": ("107/QĐ-UBND", lambda day: dt.date(1, 1, 1), "trước ngày thẩm định"),
    "year-2099": ("107/QĐ-UBND", lambda day: dt.date(2099, 1, 1), "ở tương lai"),
    "tomorrow": ("107/QĐ-UBND", lambda day: day + ONE_DAY, "ở tương lai"),
    "before-verification": ("107/QĐ-UBND", lambda day: day - ONE_DAY, "trước ngày thẩm định"),
    "nul": ("107/QĐ\x00-UBND", lambda day: day, "ký tự điều khiển"),
    "line-break": ("107/\nQĐ-UBND", lambda day: day, "ký tự điều khiển"),
    "bell": ("\x07107/QĐ-UBND", lambda day: day, "ký tự điều khiển"),
    "61-characters": ("1/" + "Q" * 59, lambda day: day, "dài 61 ký tự, tối đa 60"),
    "100000-characters": ("1" * 100_000, lambda day: day, "dài 100.000 ký tự, tối đa 60"),
    "no-symbol": ("107", lambda day: day, "không đúng dạng"),
    "no-sequence": ("QĐ-UBND", lambda day: day, "không đúng dạng"),
    "space": ("107/QĐ UBND", lambda day: day, "không đúng dạng"),
    "year-too-short": ("12/24/QĐ-UBND", lambda day: day, "không đúng dạng"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_decision_is_refused_and_nothing_is_stored(world, verified, case):
    number, date_of, says = REFUSED[case]
    before = world.service.get("pa", verified)
    with pytest.raises(TransitionRefused, match=says) as refused:
        world.service.transition("pa", verified, "recognize", decision_number=number,
                                 decision_date=date_of(today()))
    assert refused.value.event == "recognize"
    after = world.service.get("pa", verified)
    assert (after.status, after.lock_version) == ("verified", before.lock_version)


@pytest.mark.parametrize("case", ["no-number", "year-2099", "61-characters", "100000-characters"])
def test_the_cli_refuses_the_same_with_exit_status_1(world, verified, case):
    number, date_of, says = REFUSED[case]
    args = ["recognize", str(verified), "--date", date_of(today()).isoformat()]
    result = _cli(world, dossier_cli, *args, *(["--decision", number] if number else []))
    assert result.exit_code == 1 and says in result.output, result.output
    assert world.service.get("pa", verified).status == "verified"


@pytest.mark.parametrize("year, number", [(2020, "107/QĐ-UBND"), (2021, "12/2024/QĐ-UBND"), (2022, "09/QĐ-TTg")])
def test_a_real_decision_symbol_dated_on_the_verification_day_is_accepted(world, year, number):
    dossier = _slot(world, C1, year, "verified")
    view = world.service.transition("pa", dossier, "recognize", decision_number=f" {number} ",
                                    decision_date=today(), signer_name="Nguyễn Văn Ký")
    assert (view.status, view.decision_number, view.decision_date) == ("recognized", number, today().isoformat())


def test_the_dry_run_asks_for_no_decision(world, verified):
    assert world.service.check_transition("pa", verified, "recognize") == "recognized"


# --------------------------------------------------------------------------------------------- amend
@pytest.fixture(scope="module")
def recognised(world) -> int:
    dossier = _slot(world, C1, 2024, "recognized")
    with world.service.transaction() as s:  # as recognised before decisions were required
        stored = s.get(Dossier, dossier)
        stored.decision_number, stored.decision_date = None, None
    return dossier


def test_amend_decision_sets_it_audited_with_a_new_version(world, recognised):
    before = world.service.get("pa", recognised)
    view = world.service.amend_decision("pa", recognised, "45/QĐ-UBND", today(), "nhập bổ sung quyết định",
                                        expected_version=before.lock_version)
    assert (view.decision_number, view.decision_date, view.status) == ("45/QĐ-UBND", today().isoformat(), "recognized")
    assert view.lock_version == before.lock_version + 1
    with world.service.transaction(readonly=True) as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.dossier_id == recognised)
                          .order_by(AuditEntry.seq.desc())).scalars().first()
        assert (entry.action, entry.actor, entry.reason, entry.dossier_version) == (
            "decision.amend", "pa", "nhập bổ sung quyết định", view.lock_version)
        assert '"number":null' in entry.before.replace(" ", "") and "45/QĐ-UBND" in entry.after
    with pytest.raises(ConflictError, match="Sửa quyết định công nhận"):
        world.service.amend_decision("pa", recognised, "46/QĐ-UBND", today(), "sửa", before.lock_version)


@pytest.mark.parametrize("who, number, day, reason, error, says", [
    ("province_officer", "45/QĐ-UBND", 0, "sửa", AccessDenied, "công nhận: theo quy trình"),
    ("district_chair", "45/QĐ-UBND", 0, "sửa", AccessDenied, "công nhận: theo quy trình"),
    ("province_approver", "45/QĐ-UBND", 0, "", TransitionRefused, "cần ghi rõ lý do"),
    ("province_approver", "45/QĐ-UBND", 0, "x" * 2001, TransitionRefused, "lý do dài 2.001 ký tự"),
    ("province_approver", "45/QĐ-UBND", 1, "sửa", TransitionRefused, "ở tương lai"),
    ("province_approver", "45/QĐ-UBND", -1, "sửa", TransitionRefused, "trước ngày thẩm định"),
    ("province_approver", "1" * 100_000, 0, "sửa", TransitionRefused, "tối đa 60"),
])
def test_amend_decision_refusals(world, recognised, who, number, day, reason, error, says):
    before = world.service.get("pa", recognised)
    with pytest.raises(error, match=says):
        world.service.amend_decision(world.users[who], recognised, number, today() + day * ONE_DAY, reason)
    assert world.service.get("pa", recognised).lock_version == before.lock_version


def test_amend_decision_only_of_a_recognised_dossier(world, verified):
    with pytest.raises(TransitionRefused, match="chỉ sửa quyết định của hồ sơ đã công nhận"):
        world.service.amend_decision("pa", verified, "45/QĐ-UBND", today(), "sửa")


def test_amend_decision_from_the_command_line(world, recognised):
    version = world.service.get("pa", recognised).lock_version
    args = ["amend-decision", str(recognised), "--decision", "47/QĐ-UBND", "--date", today().isoformat(),
            "--reason", "sai số quyết định", "--expect", str(version)]
    result = _cli(world, dossier_cli, *args)
    assert result.exit_code == 0, result.output
    assert world.service.get("pa", recognised).decision_number == "47/QĐ-UBND"
    stale = _cli(world, dossier_cli, *args)
    assert stale.exit_code == 1 and "phiên bản" in stale.output
    bad = _cli(world, dossier_cli, "amend-decision", str(recognised), "--decision", "47/QĐ-UBND",
               "--date", "2099-01-01", "--reason", "x")
    assert bad.exit_code == 1 and "ở tương lai" in bad.output


# ------------------------------------------------------------------------------------------ printing
def test_print_skips_what_it_cannot_print_lists_it_and_exits_1(world, tmp_path):
    good, broken = _slot(world, C1, 2023, "recognized"), _slot(world, C2, 2023, "recognized")
    with world.service.transaction() as s:
        s.get(Dossier, broken).decision_number = None
    with world.service.transaction() as s:
        skipped = []
        issued = issuance.issue_round(s, "62", 2023, "pa", skipped=skipped)
        assert [c.dossier_id for c in issued] == [good]
        assert [(d.id, "chưa có số và ngày quyết định" in why) for d, why in skipped] == [(broken, True)]
    target = tmp_path / "round.pdf"
    result = _cli(world, certificates_cli, "print", "--province", "62", "--round", "2023", "-o", str(target),
                  "--base-url", BASE)
    assert result.exit_code == 1, result.output
    assert f"hồ sơ {broken} " in result.output and "1 hồ sơ không in được" in result.output
    assert len(PdfReader(target).pages) == 1


# ----------------------------------------------------------------------------------------- long text
def test_long_reasons_panel_names_and_comments_are_refused_naming_the_field(world):
    submitted = _slot(world, C2, 2019, "submitted")
    service, version = world.service, world.service.get("pa", submitted).lock_version
    with pytest.raises(TransitionRefused, match="lý do dài 100.000 ký tự, tối đa 2.000"):
        service.transition("d1", submitted, "return", reason="x" * 100_000)
    with pytest.raises(TransitionRefused, match="lý do có ký tự điều khiển"):
        service.transition("d1", submitted, "return", reason="thiếu\x00")
    with pytest.raises(AssessmentError, match="nhận xét của TC07.fully_immunised dài 2.001 ký tự") as bad:
        service.appraise("d1", submitted, {}, {"TC07.fully_immunised": "y" * 2001})
    assert bad.value.problems[0].code == "TC07.fully_immunised#comment"
    service.appraise("d1", submitted, {}, {"TC07.fully_immunised": "y" * 2000})  # the limit itself is fine
    version += 1
    with world.service.transaction(readonly=True) as s:
        values = {v.code: v.self_value for v in s.get(Dossier, submitted).values}
    service.appraise("d1", submitted, values)
    version += 1
    with pytest.raises(TransitionRefused, match="tên thành viên hội đồng thứ 2 dài 201 ký tự"):
        service.transition("chair1", submitted, "verify", panel_members=["Chủ tịch", "z" * 201])
    with pytest.raises(TransitionRefused, match="tối đa 50"):
        service.transition("chair1", submitted, "verify", panel_members=[f"Thành viên {i}" for i in range(51)])
    assert world.service.get("pa", submitted).lock_version == version
    view = service.transition("chair1", submitted, "verify", panel_members=["Chủ tịch", "z" * 200])
    assert view.status == "verified"


def test_amend_decision_asks_for_a_signer_when_none_is_stored_or_configured(world, recognised):
    with world.service.transaction() as s:  # recognised before signers were recorded
        stored = s.get(Dossier, recognised)
        stored.decision_signer = stored.decision_signer_title = None
    with pytest.raises(TransitionRefused, match="cần ghi họ tên người ký"):
        world.service.amend_decision("pa", recognised, "47/QĐ-UBND", today(), "bổ sung người ký")
    view = world.service.amend_decision("pa", recognised, "47/QĐ-UBND", today(), "bổ sung người ký",
                                        signer_name="Lê Văn Ký", signer_title="PHÓ CHỦ TỊCH")
    assert (view.decision_signer, view.decision_signer_title) == ("Lê Văn Ký", "PHÓ CHỦ TỊCH")


def test_amending_the_decision_keeps_the_certificate_valid_under_its_serial(world):
    """The certificate names the decision: a corrected number or date moves to it, and the public verification
    still says valid (it compares the two)."""
    dossier = _slot(world, C2, 2024, "recognized")
    base = "https://treem.example.vn"
    with world.service.transaction(readonly=True) as s:
        serial = issuance.current_certificate(s, s.get(Dossier, dossier)).serial
        assert issuance.verification(s, serial, base)["status"]["status"] == "valid"
    world.service.amend_decision("pa", dossier, "201/QĐ-UBND", today(), "sửa số quyết định nhập nhầm")
    with world.service.transaction(readonly=True) as s:
        fields = issuance.verification(s, serial, base)
        cert = issuance.lookup(s, serial)
        entry = s.execute(select(AuditEntry).where(AuditEntry.dossier_id == dossier)
                          .order_by(AuditEntry.seq.desc())).scalars().first()
    assert fields["status"]["status"] == "valid" and cert.decision_number == "201/QĐ-UBND"
    assert entry.action == "decision.amend" and serial in entry.after
