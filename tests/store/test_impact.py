"""The impact of a criteria correction on the demo round (SQLite and PostgreSQL): who gains and who loses
eligibility, derived here from the stored scores by the rules of the correction; incomplete dossiers; an
invalid proposed file; who may look; the command's --json and -o; the confirmation before publishing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from cfc import main as cfc_main
from dossiers import demo
from dossiers.config import Settings
from dossiers.db import make_engine, session_factory
from dossiers.impact import round_impact, stage_column
from dossiers.impact_proposal import load_proposal
from dossiers.impact_publish import recognised_changes
from dossiers.models import Dossier
from dossiers.service import DossierService
from engine.edit import set_value
from engine.errors import AccessDenied, CfcError, CriteriaError
from engine.loader import Registry, default_directory, load_version

YEAR = demo.YEAR
VERSION = "qd06-2019"
# The correction: the lowest TC07 band gives 20 points instead of 0; TC07 is met from 20, TC11–TC13 from 25
# and TC02 only at its maximum (75); an "other" commune needs 780 points instead of 850.
EDITS = {"TC07/immunisation/bands/3/points": "20", "TC07/met_at": "20", "TC11/met_at": "25",
         "TC12/met_at": "25", "TC13/met_at": "25", "TC02/met_at": "75", "categories/other/threshold": "780"}
MET_AT = {"TC07": 20, "TC11": 25, "TC12": 25, "TC13": 25, "TC02": 75}
THRESHOLD = {"other": 780}


@pytest.fixture(scope="module")
def world(db_url, tmp_path_factory):
    settings = Settings.from_env({}, instance_dir=str(tmp_path_factory.mktemp("inst")), database_url=db_url)
    engine = make_engine(db_url)
    service = DossierService(session_factory(engine), settings=settings)
    demo.load(service.sessions, service)
    yield service
    engine.dispose()


def corrected_copy(folder: Path, edits: dict[str, str] = EDITS) -> Path:
    """An edited copy of the shipped version, corrected with the same function as `cfc criteria set`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{VERSION}.yaml"
    shutil.copy(default_directory() / f"{VERSION}.yaml", path)
    for locator, value in edits.items():
        set_value(path, locator, value, by="test")
    return path


def expected_eligibility(stored: dict, base) -> tuple[bool, bool]:
    """(before, after) from a stored score, by the rules of ``EDITS`` applied to its criterion points."""
    points = {c["code"]: c["points"] for c in stored["criteria"]}
    if points["TC07"] == 0:  # below 90 %: the lowest band now gives 20
        points["TC07"] = 20
    met_at = {c.code: MET_AT.get(c.code, c.met_at) for c in base.criteria}
    threshold = THRESHOLD.get(stored["category"]["id"], stored["threshold"])
    after = (all(points[c] >= met_at[c] for c in points) and all(p > 0 for p in points.values())
             and sum(points.values()) >= threshold)
    return stored["recognized"], after


def stored_scores(service) -> dict[str, tuple[str, dict | None]]:
    with service.transaction(readonly=True) as s:
        rows = s.execute(select(Dossier).where(Dossier.year == YEAR)).scalars().all()
        return {d.commune.code: (d.status, d.self_score if stage_column(d.status) == "self_value"
                                 else d.verified_score) for d in rows}


def test_a_correction_flips_the_communes_the_rules_say_in_both_directions(world, tmp_path):
    proposed = load_proposal(corrected_copy(tmp_path / "proposal"))
    impact = round_impact(world, "admin", VERSION, proposed, YEAR)
    base = world.registry.get(VERSION)
    gains, losses = set(), set()
    for code, (_status, stored) in stored_scores(world).items():
        if stored:
            before, after = expected_eligibility(stored, base)
            (gains if after and not before else losses if before and not after else set()).add(code)
    assert gains and losses, "the correction must move communes both ways on the demo data"
    assert {f.commune_code for f in impact.gained} == gains
    assert {f.commune_code for f in impact.lost} == losses
    for flip in impact.flips:
        stored = stored_scores(world)[flip.commune_code][1]
        assert flip.old.total == stored["total"]
        assert flip.gains or any("TC02" in m for m in flip.new.failed), flip
    tc07 = next(s for s in impact.shifts if s.code == "TC07")
    raised = sum(1 for _, stored in stored_scores(world).values()
                 if stored and next(c for c in stored["criteria"] if c["code"] == "TC07")["points"] == 0)
    assert tc07.changed == raised and tc07.largest == (20 if raised else 0)
    assert tc07.average == round(20 * raised / impact.compared, 2)
    assert all(s.changed == 0 for s in impact.shifts if s.code != "TC07")  # met_at moves no points


def test_the_stage_decides_which_values_count_and_incomplete_dossiers_are_listed(world, tmp_path):
    proposed = load_proposal(corrected_copy(tmp_path / "p"))
    impact = round_impact(world, "province", VERSION, proposed, YEAR)
    scores = stored_scores(world)
    missing = {code for code, (_s, stored) in scores.items() if stored is None}
    assert missing == {demo.COMMUNE1, demo.COMMUNE2}  # the two demo drafts without values
    assert {i.commune_code for i in impact.incomplete} == missing
    assert all("chưa có giá trị" in i.reason for i in impact.incomplete)
    assert impact.compared == len(scores) - len(missing) and impact.dossiers == len(scores)
    by_code = {f.commune_code: f for f in impact.flips}
    for code, flip in by_code.items():
        status, _ = scores[code]
        assert flip.source == ("self" if status in ("draft", "submitted") else "appraised")


def test_the_same_file_changes_nothing(world):
    same = load_proposal(default_directory() / f"{VERSION}.yaml")
    impact = round_impact(world, "admin", VERSION, same, YEAR)
    assert impact.same and not impact.flips and all(s.changed == 0 for s in impact.shifts)


def test_an_invalid_proposed_file_is_refused_with_file_line_and_field(tmp_path):
    path = corrected_copy(tmp_path / "bad", {})
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "threshold: 850" in line)
    lines[number - 1] = lines[number - 1].replace("threshold: 850", "threshold: -5")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CriteriaError) as caught:
        load_proposal(path)
    assert f"{path}:{number}: " in str(caught.value) and "threshold" in str(caught.value)


def test_a_proposed_file_with_aliases_is_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n", encoding="utf-8")
    with pytest.raises(CriteriaError, match=r"bomb.yaml:2: yaml: anchors and aliases"):
        load_proposal(path)


@pytest.mark.parametrize("user, province, refused", [
    ("commune1", None, AccessDenied),  # a commune officer has no criteria_impact step
    ("district1", None, AccessDenied),  # nor has a district
    ("province", "01", CfcError),  # no such province in the demo
])
def test_who_may_look(world, user, province, refused):
    same = load_proposal(default_directory() / f"{VERSION}.yaml")
    with pytest.raises(refused):
        round_impact(world, user, VERSION, same, YEAR, province)


def test_a_province_sees_only_its_own_dossiers(world):
    same = load_proposal(default_directory() / f"{VERSION}.yaml")
    assert round_impact(world, "province", VERSION, same, YEAR, "62").dossiers == 16
    with world.transaction() as s:  # move the officer to another province of the tree: none of Kon Tum's
        from dossiers.models import Unit, User
        user = s.execute(select(User).where(User.username == "province")).scalar_one()
        old_unit = user.unit_id
        other = Unit(level="province", code="99", name="Tỉnh thử")
        s.add(other)
        s.flush()
        user.unit_id = other.id
    try:
        assert round_impact(world, "province", VERSION, same, YEAR).dossiers == 0
        with pytest.raises(AccessDenied):
            round_impact(world, "province", VERSION, same, YEAR, "62")
    finally:
        with world.transaction() as s:
            s.execute(select(User).where(User.username == "province")).scalar_one().unit_id = old_unit


def test_the_command_gives_json_and_a_spreadsheet(world, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("CFC_INSTANCE_DIR", str(world.settings.instance_dir))
    proposal = corrected_copy(tmp_path / "cli")
    expected = round_impact(world, "admin", VERSION, load_proposal(proposal), YEAR)
    out = tmp_path / "tac-dong.xlsx"
    result = CliRunner().invoke(cfc_main, ["criteria", "impact", VERSION, "--with", str(proposal), "--round",
                                           str(YEAR), "--json", "-o", str(out), "--as", "admin"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["gained"], data["lost"]) == (len(expected.gained), len(expected.lost))
    assert [f["commune_code"] for f in data["flips"]] == [f.commune_code for f in expected.flips]
    assert {i["commune_code"] for i in data["incomplete"]} == {demo.COMMUNE1, demo.COMMUNE2}
    book = load_workbook(out)
    assert book.sheetnames == ["Tóm tắt", "Thay đổi", "Theo tiêu chí", "Không so sánh được"]
    rows = list(book["Thay đổi"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [f.commune_code for f in expected.flips]
    assert book["Thay đổi"]["B2"].value == "Tên xã"
    office = shutil.which("soffice")  # the file opens in LibreOffice too (its first sheet, as CSV)
    assert office, "LibreOffice is missing: run scripts/install-system-deps.sh (Debian's libreoffice-calc-nogui)"
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run([office, profile, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=300)
    assert "Số hồ sơ được so sánh" in (tmp_path / "tac-dong.csv").read_text(encoding="utf-8")

    text = CliRunner().invoke(cfc_main, ["criteria", "impact", VERSION, "--with", str(proposal), "--round",
                                         str(YEAR), "--as", "admin", "--quiet"])
    assert text.exit_code == 0 and "Trở thành không đạt: " + str(len(expected.lost)) in text.output
    refused = CliRunner().invoke(cfc_main, ["criteria", "impact", VERSION, "--with", str(proposal), "--round",
                                            str(YEAR), "--as", "commune1"])
    assert refused.exit_code == 1 and "commune1" in refused.output


def test_publishing_lists_the_recognised_dossiers_that_change_and_asks(world, tmp_path, monkeypatch):
    folder = tmp_path / "criteria"
    corrected_copy(folder)
    version = load_version(folder / f"{VERSION}.yaml")
    changes = recognised_changes(world, version)
    scores = stored_scores(world)
    base = world.registry.get(VERSION)
    expected = {code for code, (status, stored) in scores.items()
                if status == "recognized" and expected_eligibility(stored, base)[1] is False}
    assert expected and {f.commune_code for f in changes} == expected

    # every value verified, so that publishing is allowed: then the command lists and asks
    text = (folder / f"{VERSION}.yaml").read_text(encoding="utf-8").replace("verified: false", "verified: true")
    (folder / f"{VERSION}.yaml").write_text(text, encoding="utf-8")
    Registry.load(folder)
    monkeypatch.setenv("DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("CFC_INSTANCE_DIR", str(world.settings.instance_dir))
    monkeypatch.setenv("CFC_CRITERIA_DIR", str(folder))
    declined = CliRunner().invoke(cfc_main, ["criteria", "publish", VERSION, "--by", "admin"], input="n\n")
    assert declined.exit_code == 1 and "chưa công bố gì" in declined.output
    for code in expected:
        assert code in declined.output
    assert "status: provisional" in (folder / f"{VERSION}.yaml").read_text(encoding="utf-8")
    english = CliRunner().invoke(cfc_main, ["--lang", "en", "criteria", "publish", VERSION, "--by", "admin"],
                                 input="n\n")
    assert english.exit_code == 1 and "nothing published" in english.output
    assert "no longer eligible" in english.output and "not met: " in english.output  # the failed conditions too
    assert "chưa đạt" not in english.output
    accepted = CliRunner().invoke(cfc_main, ["criteria", "publish", VERSION, "--by", "admin"], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert f"{VERSION} đã là phiên bản chính thức" in accepted.output


def test_worker_processes_give_the_same_impact(world, tmp_path):
    """A large round is scored in bulk.scorer's worker processes: the same result as in this process."""
    proposed = load_proposal(corrected_copy(tmp_path / "w"))
    alone = round_impact(world, "admin", VERSION, proposed, YEAR)
    settings = world.settings.model_copy(update={"import_workers": 2})
    spread = DossierService(world.sessions, registry=world.registry, settings=settings)
    shared = round_impact(spread, "admin", VERSION, proposed, YEAR)
    assert shared.flips == alone.flips and shared.shifts == alone.shifts and shared.incomplete == alone.incomplete


def test_deeply_nested_brackets_are_refused_before_the_parser_reads_them(tmp_path):
    """A 10 KB upload of nested brackets used to hold a worker for half a minute inside the YAML parser."""
    from dossiers.impact_proposal import MAX_FLOW_DEPTH

    path = tmp_path / "sau.yaml"
    path.write_text("id: x\nnote: '[[[[ in quotes is text'\nbands: " + "[" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(CriteriaError) as refused:
        load_proposal(path)
    assert f"sau.yaml:3: yaml: brackets nested 5000 deep (at most {MAX_FLOW_DEPTH})" in str(refused.value)
