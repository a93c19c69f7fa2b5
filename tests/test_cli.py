"""The ``cfc`` command line: criteria validate/list/show, template and score, with their exit codes.

Every test works on a copy of the shipped criteria in ``tmp_path`` with ``CFC_CRITERIA_DIR`` pointing at it.
Exit codes: 0 done, 1 invalid input (problems on stderr), 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from cfc import main
from cfc.common import nfc
from criteria import DIRECTORY
from engine.checks import unverified
from engine.loader import load_version
from engine.template import example_values

SHIPPED = DIRECTORY / "qd06-2019.yaml"
SOURCE = SHIPPED.read_text(encoding="utf-8")
VERSION = load_version(SHIPPED)
ALL_CODES = [i.code for _, i in VERSION.indicators()]


def mutate(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"fixture drift: {old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def cfc(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def cfc_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "criteria"
    folder.mkdir()
    shutil.copy(SHIPPED, folder / "qd06-2019.yaml")
    monkeypatch.setenv("CFC_CRITERIA_DIR", str(folder))
    monkeypatch.delenv("CFC_ENGINE", raising=False)
    return folder


@pytest.fixture
def two_versions(cfc_dir) -> Path:
    """qd06-2019 in force to 2024-12-31, then qd06-2025 whose 'other' threshold is 940 (the example has 935)."""
    (cfc_dir / "qd06-2019.yaml").write_text(mutate(SOURCE, ("effective_to: null", "effective_to: 2024-12-31")),
                                            encoding="utf-8")
    (cfc_dir / "qd06-2025.yaml").write_text(
        mutate(SOURCE, ("id: qd06-2019\n", "id: qd06-2025\n"), ("effective_from: 2019-01-03", "effective_from: 2025-01-01"),
               ("threshold: 850,", "threshold: 940,")),
        encoding="utf-8",
    )
    return cfc_dir


def assessment(path: Path, *, values: dict | None = None, category: str = "other", version: str | None = "qd06-2019",
               assessed_on: str | None = "2024-11-15", name: str = "Xã Đắk Rơ Wa") -> Path:
    """Write an assessment as JSON (the example commune unless ``values`` changes some of its values)."""
    indicators = dict(example_values())
    indicators.update(values or {})
    document = {"commune": {"code": "23284", "name": name, "category": category}, "year": 2024,
                "assessed_on": assessed_on, "indicators": indicators}
    if version:
        document["criteria_version"] = version
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def score_json(*args: str):
    result = cfc("score", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------------------------------ criteria validate
def test_validate_the_folder_in_use(cfc_dir):
    result = cfc("--lang", "en", "criteria", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"OK qd06-2019: provisional, 13 criteria, {len(ALL_CODES)} indicators, "
        f"{len(unverified(VERSION))} unverified values\n"
    )


@pytest.mark.parametrize("target", ["file", "folder"])
def test_validate_prints_every_problem_with_file_line_and_field(cfc_dir, target):
    bad = cfc_dir / "qd06-2019.yaml"
    bad.write_text(
        mutate(SOURCE, ("threshold: 850,", "threshold: 1850,"),
               ("{min: 95, max: 98, points: 50,", "{min: 95, max: 97, points: 50,")),
        encoding="utf-8",
    )
    lines = bad.read_text(encoding="utf-8").splitlines()
    threshold_line = next(n for n, text in enumerate(lines, 1) if "threshold: 1850" in text)
    band_line = next(n for n, text in enumerate(lines, 1) if "{min: 95, max: 97" in text)
    result = cfc("--lang", "en", "criteria", "validate", str(bad if target == "file" else cfc_dir))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("2 problems:")
    assert f"{bad}:{threshold_line}: categories[1].threshold: threshold 1850 is above the total maximum 1000" in result.stderr
    assert f"{bad}:{band_line}: criteria[1].components[0].bands[1].max: gap after band 0" in result.stderr


def test_validate_a_path_that_does_not_exist_is_a_usage_error(cfc_dir):
    result = cfc("criteria", "validate", str(cfc_dir / "nope.yaml"))
    assert result.exit_code == 2


# ------------------------------------------------------------------------------------------ criteria list
def test_list_marks_the_version_in_force(cfc_dir):
    result = cfc("--lang", "en", "criteria", "list", "--on", "2024-01-01")
    assert result.exit_code == 0, result.output
    assert re.search(r"^\* qd06-2019 +provisional +2019-01-03 → …", result.stdout, re.M)
    assert "(* in force on 2024-01-01)" in result.stdout


@pytest.mark.parametrize(("day", "marked"), [("2020-05-01", "qd06-2019"), ("2025-05-01", "qd06-2025"), ("2018-01-01", None)])
def test_list_with_two_versions(two_versions, day, marked):
    result = cfc("criteria", "list", "--on", day)
    assert result.exit_code == 0, result.output
    starred = re.findall(r"^\* (\S+)", result.stdout, re.M)
    assert starred == ([marked] if marked else [])
    assert re.findall(r"^[* ] (qd06-\d+)", result.stdout, re.M) == ["qd06-2019", "qd06-2025"]


def test_list_with_a_bad_date_is_a_usage_error(cfc_dir):
    assert cfc("criteria", "list", "--on", "2024-02-30").exit_code == 2


def test_commands_report_invalid_criteria(cfc_dir):
    (cfc_dir / "qd06-2019.yaml").write_text(mutate(SOURCE, ("threshold: 850,", "threshold: 1850,")), encoding="utf-8")
    result = cfc("--lang", "en", "criteria", "list")
    assert result.exit_code == 1
    assert "criteria are invalid (1 problems)" in result.stderr
    assert "categories[1].threshold" in result.stderr


# ------------------------------------------------------------------------------------------ criteria show
def test_show_json(cfc_dir):
    result = cfc("criteria", "show", "qd06-2019", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"id", "status", "effective_from", "effective_to", "categories", "criteria", "indicators"} <= set(data)
    assert data["id"] == "qd06-2019"
    assert data["status"] == "provisional"
    assert data["effective_from"] == "2019-01-03"
    assert data["effective_to"] is None
    assert [c["id"] for c in data["categories"]] == ["ward_central_city", "other", "mountain_island_difficult"]
    assert [(c["id"], c["threshold"]) for c in data["categories"]] == [
        ("ward_central_city", 900), ("other", 850), ("mountain_island_difficult", 800)]
    assert all(set(c) == {"id", "label", "threshold"} for c in data["categories"])
    assert [c["code"] for c in data["criteria"]] == [f"TC{n:02d}" for n in range(1, 14)]
    for crit in data["criteria"]:
        assert {"code", "title", "max_points", "components"} <= set(crit)
        assert crit["components"], crit["code"]
        assert all("id" in k and "kind" in k for k in crit["components"])
    assert all(set(i) == {"code", "label", "criterion", "type"} for i in data["indicators"])
    types = {i["code"]: i["type"] for i in data["indicators"]}
    for code in ("TC01.officer", "TC01.collaborators", "TC01.board", "TC01.budget"):
        assert types[code] == "yes_no"
    for code in ("TC06.special_children", "TC06.special_children_supported", "TC06.cases", "TC06.cases_with_plan",
                 "TC07.children_under_1", "TC07.fully_immunised"):
        assert types[code] == "count"
    assert sorted(c for c in types if c[:4] in ("TC01", "TC06", "TC07")) == sorted([
        "TC01.officer", "TC01.collaborators", "TC01.board", "TC01.budget",
        "TC06.special_children", "TC06.special_children_supported", "TC06.cases", "TC06.cases_with_plan",
        "TC07.children_under_1", "TC07.fully_immunised"])
    assert all(i["code"].startswith(i["criterion"] + ".") for i in data["indicators"])
    assert [i["code"] for i in data["indicators"]] == ALL_CODES
    # band edges keep their exact value in JSON
    bands = data["criteria"][6]["components"][0]["bands"]
    assert (bands[0]["min"], bands[0]["max"], bands[0]["points"]) == (98, None, 50)


def test_show_text_names_every_criterion_and_says_provisional(cfc_dir):
    result = cfc("criteria", "show", "qd06-2019")
    assert result.exit_code == 0, result.output
    assert "TẠM THỜI" in result.stdout
    for n in range(1, 14):
        assert re.search(rf"^TC{n:02d} ", result.stdout, re.M)
    for code in ALL_CODES:
        assert code in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["qd06-1999"], "no criteria version 'qd06-1999'"),
        (["--on", "2018-12-31"], "no criteria version is in force on 2018-12-31"),
    ],
)
def test_show_unknown_or_not_in_force_is_an_error(cfc_dir, args, fragment):
    result = cfc("criteria", "show", *args, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert fragment in result.stderr


@pytest.mark.parametrize(("day", "expected"), [("2019-01-03", "qd06-2019"), ("2024-12-31", "qd06-2019"),
                                               ("2025-01-01", "qd06-2025")])
def test_show_picks_the_version_in_force(two_versions, day, expected):
    result = cfc("criteria", "show", "--on", day, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == expected


def test_show_with_a_bad_date_is_a_usage_error(cfc_dir):
    assert cfc("criteria", "show", "--on", "yesterday").exit_code == 2


# ------------------------------------------------------------------------------------------ template
def test_blank_template_lists_every_indicator_with_its_label(cfc_dir):
    result = cfc("template", "qd06-2019")
    assert result.exit_code == 0, result.output
    text = result.stdout
    data = YAML(typ="safe").load(text)
    assert list(data["indicators"]) == ALL_CODES
    assert set(data["indicators"].values()) == {None}
    assert data["criteria_version"] == "qd06-2019"
    assert data["commune"]["category"] in {"ward_central_city", "other", "mountain_island_difficult"}
    for _, ind in VERSION.indicators():
        assert f"  {ind.code}: null  # {nfc(ind.label)}" in text.splitlines()
    for crit in VERSION.criteria:
        assert f"# {crit.code} — " in text


def test_blank_template_is_refused_by_score_naming_every_indicator(cfc_dir, tmp_path):
    blank = tmp_path / "blank.yaml"
    assert cfc("template", "qd06-2019", "-o", str(blank)).exit_code == 0
    result = cfc("score", str(blank))
    assert result.exit_code == 1
    assert result.stdout == ""
    for code in ALL_CODES:
        assert f"{blank}: {code}: chưa nhập giá trị" in result.stderr
    assert "commune.code: chưa có" in result.stderr
    assert "commune.name: chưa có" in result.stderr


def test_example_template_meets_every_condition(cfc_dir, tmp_path):
    example = tmp_path / "example.yaml"
    result = cfc("template", "qd06-2019", "--example", "-o", str(example))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = YAML(typ="safe").load(example.read_text(encoding="utf-8"))
    assert list(data["indicators"]) == ALL_CODES
    assert None not in data["indicators"].values()
    out = score_json(str(example))
    assert out["recognized"] is True
    assert out["failed_conditions"] == []
    assert out["total"] >= out["threshold"]
    assert all(c["points"] > 0 and c["points"] >= c["met_at"] for c in out["criteria"])


def test_template_uses_the_version_in_force(two_versions):
    result = cfc("template", "--on", "2025-03-01")
    assert result.exit_code == 0, result.output
    assert "criteria_version: qd06-2025" in result.stdout
    result = cfc("template", "--on", "2018-03-01")
    assert result.exit_code == 1
    assert "no criteria version is in force on 2018-03-01" in result.stderr


def test_example_is_refused_for_a_version_with_other_indicators(cfc_dir):
    (cfc_dir / "qd06-2019.yaml").write_text(SOURCE.replace("TC13.satisfaction", "TC13.happiness"), encoding="utf-8")
    result = cfc("template", "qd06-2019", "--example")
    assert result.exit_code == 1
    assert "TC13.happiness" in result.stderr


# ------------------------------------------------------------------------------------------ score
def test_score_prints_a_vietnamese_table(cfc_dir, tmp_path):
    result = cfc("score", str(assessment(tmp_path / "a.json")))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Xã Đắk Rơ Wa (23284)" in out
    assert "Tổng điểm: 935/1.000 — ngưỡng 850 → ĐỦ ĐIỀU KIỆN CÔNG NHẬN" in out
    assert "TẠM THỜI" in out
    for n in range(1, 14):
        assert re.search(rf"^TC{n:02d} ", out, re.M)


def test_score_json_shape(cfc_dir, tmp_path):
    out = score_json(str(assessment(tmp_path / "a.json")))
    assert isinstance(out, dict)
    assert {"criteria_version", "provisional", "commune", "category", "total", "threshold", "recognized",
            "criteria", "failed_conditions", "gaps"} <= set(out)
    assert out["criteria_version"] == "qd06-2019"
    assert out["provisional"] is True
    assert out["commune"]["name"] == "Xã Đắk Rơ Wa"
    assert (out["total"], out["threshold"], out["recognized"]) == (935, 850, True)
    assert [c["code"] for c in out["criteria"]] == [f"TC{n:02d}" for n in range(1, 14)]
    for crit in out["criteria"]:
        assert {"code", "points", "max_points", "explanation"} <= set(crit)
        assert 0 <= crit["points"] <= crit["max_points"]
        assert crit["explanation"].startswith(crit["code"])
    assert out["total"] == sum(c["points"] for c in out["criteria"])
    assert isinstance(out["failed_conditions"], list) and isinstance(out["gaps"], list)
    assert {g["indicator"] for g in out["gaps"]} == {"TC03.abused", "TC08.stunted", "TC12.summer_activities"}


def test_score_several_files_gives_an_array_in_order(cfc_dir, tmp_path):
    first = assessment(tmp_path / "a.json", name="Xã A")
    second = assessment(tmp_path / "b.json", name="Xã B", category="ward_central_city")
    out = score_json(str(first), str(second))
    assert isinstance(out, list)
    assert [(o["commune"]["name"], o["threshold"]) for o in out] == [("Xã A", 850), ("Xã B", 900)]


def test_score_reads_yaml_and_json_alike(cfc_dir, tmp_path):
    as_yaml = tmp_path / "a.yaml"
    assert cfc("template", "qd06-2019", "--example", "-o", str(as_yaml)).exit_code == 0
    from_yaml = score_json(str(as_yaml))
    from_json = score_json(str(assessment(tmp_path / "a.json")))
    assert from_yaml["criteria"] == from_json["criteria"]


def test_threshold_follows_the_category(cfc_dir, tmp_path):
    categories = {"ward_central_city": 900, "other": 850, "mountain_island_difficult": 800}
    files = [str(assessment(tmp_path / f"{c}.json", category=c)) for c in categories]
    out = score_json(*files)
    assert [(o["category"]["id"], o["threshold"], o["recognized"]) for o in out] == [
        (c, t, True) for c, t in categories.items()]


def test_a_total_below_the_threshold_fails_only_that_condition(cfc_dir, tmp_path):
    values = {"TC08.stunted": 130, "TC05.injured": 12, "TC02.registered_on_time": 115}
    ward = assessment(tmp_path / "ward.json", values=values, category="ward_central_city")
    other = assessment(tmp_path / "other.json", values=values, category="other")
    out = score_json(str(ward), str(other))
    assert [o["total"] for o in out] == [885, 885]
    assert [(o["threshold"], o["recognized"]) for o in out] == [(900, False), (850, True)]
    assert [(f["condition"], f["criterion"]) for f in out[0]["failed_conditions"]] == [("total_reaches_threshold", None)]
    assert out[1]["failed_conditions"] == []
    assert "thiếu 15 điểm" in out[0]["failed_conditions"][0]["message"]


def test_a_criterion_at_zero_fails_recognition_whatever_the_total(cfc_dir, tmp_path):
    out = score_json(str(assessment(tmp_path / "a.json", values={"TC13.satisfaction": 10})))
    assert out["total"] == 860 and out["threshold"] == 850
    assert out["recognized"] is False
    assert [(f["condition"], f["criterion"]) for f in out["failed_conditions"]] == [
        ("no_criterion_zero", "TC13"), ("all_criteria_met", "TC13")]
    assert "TC13.satisfaction" in {g["indicator"] for g in out["gaps"]}
    result = cfc("score", str(tmp_path / "a.json"))
    assert "CHƯA ĐỦ ĐIỀU KIỆN CÔNG NHẬN" in result.stdout


def test_bad_input_is_reported_together_and_nothing_is_scored(cfc_dir, tmp_path):
    values = {
        "TC99.extra": 3,  # unknown code
        "TC03.abused": -1,  # negative count
        "TC02.registered_on_time": 121,  # numerator above its denominator (120)
        "TC09.children": "hai nghìn",  # text where a number belongs (a quoted number like "2.400" is read)
        "TC05.deaths": True,  # True where a count belongs
    }
    path = assessment(tmp_path / "bad.json", values=values)
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["indicators"]["TC07.fully_immunised"]  # missing indicator
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cfc("score", "--json", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("6 lỗi, không chấm điểm tệp nào:")
    for code in ("TC99.extra", "TC03.abused", "TC02.registered_on_time", "TC09.children", "TC05.deaths",
                 "TC07.fully_immunised"):
        assert f"{path}: {code}: " in result.stderr


def test_one_bad_file_stops_every_file_from_being_scored(cfc_dir, tmp_path):
    good = assessment(tmp_path / "good.json")
    bad = assessment(tmp_path / "bad.json", values={"TC07.fully_immunised": 51})
    result = cfc("score", str(good), str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad}: TC07.fully_immunised: 51 lớn hơn «Số trẻ em dưới 1 tuổi» (50)" in result.stderr
    assert str(good) not in result.stderr


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        ([], "no files"),
        (["--on", "2024-13-01", "FILE"], "bad date"),
        (["--bogus", "FILE"], "unknown option"),
    ],
)
def test_score_usage_errors_exit_2(cfc_dir, tmp_path, args, kind):
    path = str(assessment(tmp_path / "a.json"))
    result = cfc("score", *[path if a == "FILE" else a for a in args])
    assert result.exit_code == 2, kind
    assert result.stdout == ""


def test_unknown_command_is_a_usage_error(cfc_dir):
    assert cfc("bogus").exit_code == 2


def test_score_a_file_that_does_not_exist(cfc_dir, tmp_path):
    result = cfc("score", str(tmp_path / "nope.json"))
    assert result.exit_code in (1, 2)
    assert "nope.json" in result.stderr


def test_score_a_file_naming_an_unknown_version(cfc_dir, tmp_path):
    result = cfc("score", str(assessment(tmp_path / "a.json", version="qd06-1999")))
    assert result.exit_code == 1
    assert "no criteria version 'qd06-1999'" in result.stderr


@pytest.mark.parametrize(
    ("on", "assessed_on", "version", "threshold"),
    [
        (None, "2024-11-15", "qd06-2019", 850),  # the assessment date picks the version
        (None, "2025-02-01", "qd06-2025", 940),
        ("2020-06-01", "2025-02-01", "qd06-2019", 850),  # --on wins over the assessment date
        ("2025-01-01", "2024-11-15", "qd06-2025", 940),
        ("2024-12-31", None, "qd06-2019", 850),
    ],
)
def test_score_uses_the_version_in_force_on_the_date(two_versions, tmp_path, on, assessed_on, version, threshold):
    path = assessment(tmp_path / "a.json", version=None, assessed_on=assessed_on)
    out = score_json(*(["--on", on] if on else []), str(path))
    assert (out["criteria_version"], out["threshold"]) == (version, threshold)
    assert out["recognized"] is (threshold == 850)


def test_score_on_a_date_no_version_covers_is_a_clear_error(two_versions, tmp_path):
    path = assessment(tmp_path / "a.json", version=None)
    result = cfc("score", "--on", "2018-06-01", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no criteria version is in force on 2018-06-01" in result.stderr


def test_a_named_version_wins_over_the_date(two_versions, tmp_path):
    out = score_json("--on", "2025-06-01", str(assessment(tmp_path / "a.json", version="qd06-2019")))
    assert out["criteria_version"] == "qd06-2019"


def test_score_without_any_date_uses_today(two_versions, tmp_path):
    out = score_json(str(assessment(tmp_path / "a.json", version=None, assessed_on=None)))
    expected = "qd06-2025" if dt.date.today() >= dt.date(2025, 1, 1) else "qd06-2019"
    assert out["criteria_version"] == expected
