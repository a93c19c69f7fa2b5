"""Who may do what is data: the dated procedure files list every action, and the service, the import, the
exports and the documents ask ``dossiers.authority``. Editing a procedure file changes who may act, without code;
jurisdiction follows successor links after a merger."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import C1, C2, advance
from ruamel.yaml import YAML
from sqlalchemy import select

from dossiers import authority
from dossiers.bulk.export import export_results
from dossiers.bulk.importer import import_file
from dossiers.issuance import check_document_access
from dossiers.lookup import load_dossier, load_user
from dossiers.models import Unit
from dossiers.service import DossierService
from dossiers.units import contains, path_names, valid_on
from engine.errors import AccessDenied, CfcError
from engine.template import example_values
from engine.workflow import ACTIONS, TransitionRefused, load_procedures, procedures_directory, round_date

ROOT = Path(__file__).resolve().parents[2]


def edited_procedures(tmp_path: Path, procedure: str, action: str, roles: list[str],
                      levels: list[str] | None = None) -> Path:
    """A copy of the shipped procedures where ``procedure`` gives ``action`` to ``roles`` (at ``levels``)."""
    folder = tmp_path / "procedures"
    shutil.copytree(procedures_directory(), folder)
    path = folder / f"{procedure}.yaml"
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["steps"][action]["roles"] = roles
    if levels:
        data["steps"][action]["level"] = levels
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return folder


def one_row(folder: Path, commune: str) -> Path:
    """A CSV import file of one row: the example assessment for ``commune``."""
    values = example_values()
    shown = {True: "có", False: "không"}
    path = folder / f"{commune}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["commune_code", *values],
                                  [commune, *[shown.get(v, v) if isinstance(v, bool) else v for v in values.values()]]])
    return path


def test_every_procedure_says_who_performs_every_action():
    for procedure in load_procedures():
        assert set(procedure.steps) == set(ACTIONS), procedure.id


def test_a_procedure_file_missing_an_action_is_refused_naming_the_file(tmp_path):
    folder = tmp_path / "procedures"
    shutil.copytree(procedures_directory(), folder)
    path = folder / "procedure-2025.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  export:", "  # export:"), encoding="utf-8")
    with pytest.raises(CfcError) as refused:
        load_procedures(folder)
    assert "procedure-2025.yaml" in str(refused.value) and "export" in str(refused.value)


def test_editing_a_procedure_file_changes_who_may_import(world, tmp_path):
    officer = world.users["commune_officer"]
    world._used.add((C1, 2021))
    report = import_file(world.service, one_row(tmp_path, C1), 2021, officer, dry_run=True)
    assert not report.problems  # as shipped, a commune officer imports their own commune's values

    edited = edited_procedures(tmp_path, "procedure-2019", "import", ["district_appraiser", "district_chair"])
    service = DossierService(world.service.sessions, procedures=load_procedures(edited))
    with pytest.raises(AccessDenied, match=r"nhập chỉ số từ tệp: theo quy trình \(Quy trình đánh giá, công nhận \(chính quyền địa phương ba "
                                          r"cấp\)\) cần vai trò thành viên tổ thẩm định huyện"):
        import_file(service, one_row(tmp_path, C1), 2021, officer, dry_run=True)
    with pytest.raises(AccessDenied, match="chủ tịch hội đồng thẩm định huyện"):  # and the province officer lost it too
        import_file(service, one_row(tmp_path, C1), 2021, world.users["province_officer"], dry_run=True)
    assert not import_file(service, one_row(tmp_path, C1), 2021, world.users["district_chair"], dry_run=True).problems


def test_editing_a_procedure_file_changes_who_may_export(world, tmp_path):
    officer = world.users["commune_officer"]
    with pytest.raises(AccessDenied, match="xuất dữ liệu"):
        export_results(world.service, officer, 2024, tmp_path / "as-shipped.xlsx")
    edited = edited_procedures(tmp_path, "procedure-2019", "export", ["commune_officer"], ["commune"])
    service = DossierService(world.service.sessions, procedures=load_procedures(edited))
    summary = export_results(service, officer, 2024, tmp_path / "edited.xlsx")
    assert summary.rows >= 0 and (tmp_path / "edited.xlsx").exists()


def test_jurisdiction_follows_the_merger_to_the_successor_province(world):
    """Kon Tum (62) merged into Quảng Ngãi (51) on 01/07/2025: Quảng Ngãi's approver revokes a 2024 Kon Tum
    recognition; Hà Nội's may not."""
    u = world.users
    code, year = world.fresh_slot([C2], range(2019, 2025))
    dossier = advance(world.service, code, year, "recognized", officer=u["neighbour_officer"],
                      appraiser=u["district_appraiser"], chair=u["district_chair"], approver=u["province_approver"])
    with pytest.raises(AccessDenied, match="không thuộc địa bàn"):
        world.service.get(world.users["other_province_officer_2025"], dossier)
    successor = world.users["province_approver_2025"]
    assert "revoke" in world.service.allowed(successor, dossier)
    view = world.service.transition(successor, dossier, "revoke", reason="Kiểm tra lại sau sáp nhập",
                                    public_reason="Số liệu không đúng thực tế",
                                    decision_number="15/QĐ-UBND", decision_date=_today(),
                                    signer_name="Trần Thị Ký", expected_version=world.service.get(
                                        successor, dossier).lock_version)
    assert (view.status, view.revocation_number, view.revocation_signer) == ("revoked", "15/QĐ-UBND", "Trần Thị Ký")


def test_lists_follow_jurisdiction_and_the_merger(world):
    """A list names the dossiers within the user's unit, found in the database (``units.within``): Quảng
    Ngãi's approver lists an earlier Kon Tum dossier (the merger), its commune officer only their commune's,
    Hà Nội's none of them; each listed dossier comes with its values and evidence, as ``get`` gives them."""
    u = world.users
    code, year = world.fresh_slot([C2], range(2019, 2025))
    dossier = advance(world.service, code, year, "submitted", officer=u["neighbour_officer"],
                      appraiser=u["district_appraiser"], chair=u["district_chair"], approver=u["province_approver"])

    def listed(username):
        return {v.id: v for v in world.service.list(username, year)}

    successor = listed(u["province_approver_2025"])
    assert dossier in successor
    assert successor[dossier].values == world.service.get(u["province_approver_2025"], dossier).values
    assert successor[dossier].evidence == world.service.get(u["province_approver_2025"], dossier).evidence
    assert all(v.commune_code == code for v in listed(u["neighbour_officer"]).values())
    assert dossier in listed(u["neighbour_officer"])
    assert dossier not in listed(u["other_province_officer_2025"])


def test_a_list_reads_values_and_evidence_in_chunks_of_dossiers(world, monkeypatch):
    """Values and evidence of a list come in one query per ``CHUNK`` dossiers: with chunks of one, every
    listed dossier still has its own values and evidence, as ``get`` gives them."""
    from dossiers.service import reads

    u = world.users
    for status in ("draft", "submitted"):
        code, year = world.fresh_slot([C2], range(2019, 2025))
        advance(world.service, code, year, status, officer=u["neighbour_officer"], appraiser=u["district_appraiser"],
                chair=u["district_chair"], approver=u["province_approver"])
    approver = world.users["province_approver"]
    whole = world.service.list(approver)
    monkeypatch.setattr(reads, "CHUNK", 1)
    chunked = world.service.list(approver)
    assert len(whole) >= 2 and [v.to_dict() for v in chunked] == [v.to_dict() for v in whole]
    for view in chunked[:5]:
        got = world.service.get(approver, view.id)
        assert (view.values, view.evidence) == (got.values, got.evidence)


@pytest.mark.parametrize("name", ["province_approver_2025", "other_province_officer_2025", "district_appraiser",
                                  "neighbour_officer"])
def test_commune_counts_are_every_commune_within_the_unit(world, name):
    """The dashboard's commune counts, found in the database, are the communes ``units.contains`` puts within
    the user's unit in force on the round's date (before the merger, Kon Tum's under Quảng Ngãi's officer)."""
    username = world.users[name]
    seen = 0
    for year in (2024, 2025):
        expected: dict[str, int] = {}
        with world.service.transaction() as s:
            user = load_user(s, username)
            for unit in s.scalars(select(Unit).where(Unit.level == "commune")):
                if valid_on(unit, round_date(year)) and contains(user.unit, unit):
                    names = path_names(unit)
                    key = names.get("district") or names.get("province", "")
                    expected[key] = expected.get(key, 0) + 1
        assert world.service.commune_counts(username, year) == expected
        seen += sum(expected.values())
    assert seen  # every one of these users has communes in one of the rounds


def _today():
    from dossiers.audit import local_date, now

    return local_date(now())


@pytest.fixture(scope="module")
def by_status(world):
    """One dossier of Đắk Rơ Wa per status, made when first asked for."""
    made: dict[str, int] = {}

    def get(status: str) -> int:
        if status not in made:
            made[status] = world.dossier_2019(status)
        return made[status]

    return get


@pytest.mark.parametrize("status, role, expected, not_expected", [
    ("recognized", "province_approver", {"download_certificate", "download_decision", "download_minutes",
                                         "issue_certificate", "revoke"}, {"download_revocation"}),
    ("recognized", "district_chair", {"download_minutes"}, {"download_certificate", "download_decision"}),
    # the commune officer downloads their own commune's certificate, and nothing else of a decided dossier
    ("recognized", "commune_officer", {"download_certificate"}, {"download_decision", "download_minutes", "edit"}),
    ("revoked", "province_officer", {"download_revocation", "download_decision"},
     {"download_certificate", "issue_certificate"}),
    ("draft", "commune_officer", {"edit", "upload_evidence", "delete_evidence", "submit"}, {"download_minutes"}),
    ("submitted", "district_appraiser", {"appraise", "return"}, {"verify", "edit"}),
])
def test_the_buttons_a_user_sees_are_what_the_procedure_allows(world, by_status, status, role, expected,
                                                               not_expected):
    dossier = by_status(status)
    allowed = world.service.allowed(world.users[role], dossier)
    assert expected <= allowed and not (not_expected & allowed), allowed


def test_a_document_of_the_wrong_state_is_refused_with_the_state(world, by_status):
    dossier = by_status("verified")
    with world.service.transaction(readonly=True) as s:
        with pytest.raises(TransitionRefused, match="Được công nhận"):
            check_document_access(s, world.users["province_approver"], dossier, "certificate",
                                  world.service.procedures)
        assert check_document_access(s, world.users["district_chair"], dossier, "minutes",
                                     world.service.procedures).id == dossier
        user = load_user(s, world.users["commune_officer"])
        assert not authority.allows(world.service.procedures, user, "download_minutes",
                                    dossier=load_dossier(s, dossier, user))


def test_administrators_read_no_dossier_unless_a_procedure_lets_them(world, by_status, tmp_path):
    dossier = by_status("recognized")
    for admin in ("rules_admin", "sysadmin"):  # their unit is the province: jurisdiction alone would let them
        with pytest.raises(AccessDenied, match=r"xem hồ sơ: theo quy trình \(Quy trình đánh giá, công nhận \(chính quyền địa phương ba cấp\)\) cần "
                                                   "vai trò"):
            world.service.get(world.users[admin], dossier)
        with pytest.raises(AccessDenied, match="xem hồ sơ"):
            world.service.history(world.users[admin], dossier)
        assert world.service.list(world.users[admin]) == []
    assert world.service.get(world.users["province_officer"], dossier).id == dossier
    edited = edited_procedures(tmp_path, "procedure-2019", "read", ["province_officer", "rules_admin"],
                               ["province"])
    service = DossierService(world.service.sessions, procedures=load_procedures(edited))
    assert service.get(world.users["rules_admin"], dossier).id == dossier
    with pytest.raises(AccessDenied):
        service.get(world.users["sysadmin"], dossier)
