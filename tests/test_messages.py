"""Translatable messages (``engine.messages``): Vietnamese as ``str``, rendered again in the reader's language;
the CLI speaks Vietnamese by default and English with ``cfc --lang en``."""

from __future__ import annotations

import json
import pickle
import re
import shutil

import pytest
from click.testing import CliRunner

from cfc import main
from criteria import DIRECTORY
from dossiers.language import reader
from engine.assessment import coerce, parse_text
from engine.errors import AssessmentError, InputProblem
from engine.messages import N_, Message, render
from engine.numbers import format_points
from engine.template import example_values
from engine.workflow import EVENT_LABELS, LABELS, GuardContext, TransitionRefused, guard_reasons

ENGLISH, VIETNAMESE = reader("en"), reader("vi")


def test_a_message_is_its_vietnamese_text_and_keeps_what_renders_it_again():
    message = N_("là số âm (%(value)s)", value=-1234)
    assert message == "là số âm (-1.234)" and isinstance(message, str)
    assert message.msgid == "là số âm (%(value)s)" and message.params == {"value": -1234}
    assert ENGLISH(message) == "is negative (-1,234)"
    assert VIETNAMESE(message) == str(message)
    assert pickle.loads(pickle.dumps(message)) == message  # the import's worker processes
    assert ENGLISH(pickle.loads(pickle.dumps(message))) == "is negative (-1,234)"


def test_parameters_are_rendered_too_and_plain_text_passes_as_it_is():
    nested = N_("%(event)s bị từ chối: %(reasons)s", event=EVENT_LABELS["submit"],
                reasons=[N_("chưa nhập giá trị"), "TC01: x"])
    assert nested == "Nộp hồ sơ bị từ chối: chưa nhập giá trị; TC01: x"
    assert ENGLISH(nested) == "Submit the dossier refused: missing value; TC01: x"
    assert render("plain") == "plain" and render(None) == ""
    assert ENGLISH(format_points(1000)) == "1,000 points" and format_points(1000) == "1.000 điểm"


def test_a_broken_translation_does_not_hide_the_message():
    message = Message("%(a)s và %(b)s", a=1, b=2)
    assert message.render(lambda msgid: "%(a)s and %(c)s") .startswith("%(a)s and %(c)s (a=1, b=2)")


@pytest.mark.parametrize(("kind", "value", "vi", "en"), [
    ("count", -5, "là số âm (-5)", "is negative (-5)"),
    ("count", "hai nghìn", "cần nhập một số, nhận được chữ «hai nghìn»", "expects a number, got text 'hai nghìn'"),
    ("score", "101", "điểm khảo sát tối đa là 100, nhận được 101", "a score is at most 100, got 101"),
    ("count", "1,000", "«1,000» không rõ là 1000 hay 1", "«1,000» is ambiguous, 1000 or 1"),
])
def test_validation_messages_in_both_languages(kind, value, vi, en):
    _, message = parse_text(kind, value) if isinstance(value, str) else coerce(kind, value)
    assert message.startswith(vi)
    assert ENGLISH(message).startswith(en)


def test_errors_keep_a_meaningful_vietnamese_str():
    error = AssessmentError([InputProblem("TC02.children_born", coerce("count", -5)[1])], "a.yaml")
    assert str(error) == "a.yaml: TC02.children_born: là số âm (-5)"
    assert ENGLISH(error.args[0]) == "a.yaml: TC02.children_born: is negative (-5)"
    refused = TransitionRefused("return", guard_reasons("return", GuardContext(), None))
    assert str(refused) == "Trả lại bị từ chối: Trả lại cần ghi rõ lý do"
    assert ENGLISH(refused.args[0]) == "Return refused: Return needs a reason"
    assert ENGLISH(LABELS["revoked"]) == "Revoked" and LABELS["revoked"] == "Đã thu hồi"


# ------------------------------------------------------------------------------------------------ the CLI
ENGLISH_WORDS = re.compile(r"\b(wrote|problems|nothing scored|intact|entries|missing value|is negative|expects|"
                           r"refused|points)\b")


@pytest.fixture
def criteria_dir(tmp_path, monkeypatch):
    folder = tmp_path / "criteria"
    folder.mkdir()
    shutil.copy(DIRECTORY / "qd06-2019.yaml", folder / "qd06-2019.yaml")
    monkeypatch.setenv("CFC_CRITERIA_DIR", str(folder))
    monkeypatch.delenv("CFC_ENGINE", raising=False)
    return folder


def _bad_file(tmp_path):
    values = dict(example_values())
    values["TC02.children_born"] = -5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"commune": {"code": "1", "name": "Xã A", "category": "other"}, "year": 2024,
                                "criteria_version": "qd06-2019", "indicators": values}), encoding="utf-8")
    return path


def test_a_vietnamese_cli_run_speaks_vietnamese_only(criteria_dir, tmp_path):
    runner = CliRunner()
    wrote = runner.invoke(main, ["template", "qd06-2019", "-o", str(tmp_path / "t.yaml")])
    assert wrote.exit_code == 0 and wrote.stderr.startswith("đã ghi ")
    refused = runner.invoke(main, ["score", str(_bad_file(tmp_path))])
    assert refused.exit_code == 1
    assert "1 lỗi, không chấm điểm tệp nào:" in refused.stderr and "là số âm (-5)" in refused.stderr
    good = tmp_path / "good.json"
    good.write_text(_bad_file(tmp_path).read_text(encoding="utf-8").replace('"TC02.children_born": -5',
                                                                           '"TC02.children_born": 120'))
    scored = runner.invoke(main, ["score", str(good)])
    assert scored.exit_code == 0, scored.output
    for run in (wrote, refused, scored):
        assert not ENGLISH_WORDS.search(run.output), run.output


def test_the_cli_speaks_english_on_request(criteria_dir, tmp_path):
    runner = CliRunner()
    wrote = runner.invoke(main, ["--lang", "en", "template", "qd06-2019", "-o", str(tmp_path / "t.yaml")])
    assert wrote.stderr.startswith("wrote ")
    refused = runner.invoke(main, ["--lang", "en", "score", str(_bad_file(tmp_path))])
    assert "1 problems, nothing scored:" in refused.stderr
    assert "TC02.children_born: is negative (-5)" in refused.stderr


# ------------------------------------------------------------------------ the rules administrator's messages
def _mutated(criteria_dir, old: str, new: str):
    path = criteria_dir / "qd06-2019.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(("lang", "words", "absent"), [
    ("vi", ["OK qd06-2019: tạm thời, 13 tiêu chí, 33 chỉ số,", "giá trị chưa xác minh"], "unverified"),
    ("en", ["OK qd06-2019: provisional, 13 criteria, 33 indicators,", "unverified values"], "tiêu chí"),
])
def test_criteria_validate_speaks_the_runs_language(criteria_dir, lang, words, absent):
    run = CliRunner().invoke(main, ["--lang", lang, "criteria", "validate"])
    assert run.exit_code == 0, run.output
    for word in words:
        assert word in run.stdout
    assert absent not in run.stdout


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", ["1 vấn đề:", "categories[1].threshold: ngưỡng 1850 lớn hơn tổng điểm tối đa 1000"], "threshold 1850"),
    ("en", ["1 problems:", "categories[1].threshold: threshold 1850 is above the total maximum 1000"], "ngưỡng"),
])
def test_criteria_problems_are_told_in_the_runs_language(criteria_dir, lang, expected, absent):
    _mutated(criteria_dir, "threshold: 850,", "threshold: 1850,")
    run = CliRunner().invoke(main, ["--lang", lang, "criteria", "validate"])
    assert run.exit_code == 1
    for text in expected:
        assert text in run.stderr, run.stderr
    assert absent not in run.stderr


@pytest.mark.parametrize(("lang", "words", "absent"), [
    ("vi", ["(* có hiệu lực ngày 2024-01-01)", "tạm thời"], "in force"),
    ("en", ["(* in force on 2024-01-01)", "provisional"], "hiệu lực"),
])
def test_criteria_list_speaks_the_runs_language(criteria_dir, lang, words, absent):
    run = CliRunner().invoke(main, ["--lang", lang, "criteria", "list", "--on", "2024-01-01"])
    assert run.exit_code == 0, run.output
    for word in words:
        assert word in run.stdout
    assert absent not in run.stdout


@pytest.mark.parametrize(("lang", "words", "absent"), [
    ("vi", ["TẠM THỜI: có giá trị chưa được xác minh", "hiệu lực 2019-01-03 → …; tối đa 1.000 điểm",
            "— tối đa 100, đạt từ 50"], "in force"),
    ("en", ["PROVISIONAL: some values are not verified", "in force 2019-01-03 → …; max 1,000 points",
            "— max 100, met from 50"], "tối đa"),
])
def test_criteria_show_speaks_the_runs_language(criteria_dir, lang, words, absent):
    run = CliRunner().invoke(main, ["--lang", lang, "criteria", "show", "qd06-2019"])
    assert run.exit_code == 0, run.output
    for word in words:
        assert word in run.stdout
    assert absent not in run.stdout


@pytest.mark.parametrize(("lang", "band", "count"), [
    ("vi", "TC07/immunisation/bands/1 95 ≤ tỷ lệ % < 98 → 35 điểm", "giá trị chưa xác minh"),
    ("en", "TC07/immunisation/bands/1 95 ≤ percentage < 98 → 35 points", "unverified"),
])
def test_criteria_unverified_lists_band_ranges_in_the_runs_language(criteria_dir, lang, band, count):
    run = CliRunner().invoke(main, ["--lang", lang, "criteria", "unverified", "qd06-2019"])
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    assert band in lines
    assert lines[-1].endswith(count) and lines[-1].split()[0].isdigit()


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "không có tiêu chí «TC99» (có: TC01"),
    ("en", "no criterion 'TC99' (known: TC01"),
])
def test_an_edit_refusal_is_told_in_the_runs_language(criteria_dir, lang, expected):
    before = (criteria_dir / "qd06-2019.yaml").read_bytes()
    run = CliRunner().invoke(main, ["--lang", lang, "criteria", "set", "qd06-2019", "TC99/max_points", "5",
                                    "--by", "alice"])
    assert run.exit_code == 1 and expected in run.stderr
    assert (criteria_dir / "qd06-2019.yaml").read_bytes() == before


def test_band_ranges_and_check_messages_are_messages():
    from engine.checks import band_range, check_version, describe_band
    from engine.loader import load_version

    version = load_version(DIRECTORY / "qd06-2019.yaml")
    band = version.criteria[6].components[0].bands[1]
    assert band_range("percentage", band) == "95 ≤ tỷ lệ % < 98"  # the text stored in scores does not change
    assert ENGLISH(band_range("percentage", band)) == "95 ≤ percentage < 98"
    assert ENGLISH(describe_band("rate", version.criteria[2].components[0].bands[1])) == "0 < rate ≤ 1 → 70 points"
    assert check_version(version) == []


# ------------------------------------------------------------------ gaps, plans, failed conditions of a score
def _scored(**changes):
    from engine.assessment import parse_assessment
    from engine.loader import load_version
    from engine.scoring import score

    version = load_version(DIRECTORY / "qd06-2019.yaml")
    values = dict(example_values()) | changes
    data = {"commune": {"code": "1", "name": "Xã A", "category": "ward_central_city"}, "year": 2024,
            "criteria_version": "qd06-2019", "indicators": values}
    return version, score(version, parse_assessment(data, version), "python")


def test_a_stored_scores_gaps_plan_and_failures_are_remade_in_the_readers_language():
    from engine.wording import failed_message, gap_message, plan_message

    version, result = _scored(**{"TC12.play_area": False, "TC07.fully_immunised": 40})
    stored = result.to_dict()  # what the database holds: Vietnamese text beside the structured fields
    assert stored["gaps"] and stored["failed_conditions"] and stored["plan"]["steps"]
    for gap in stored["gaps"]:
        made = gap_message(gap, version)
        assert isinstance(made, Message) and made == gap["message"]  # the same Vietnamese, now translatable
    english = [ENGLISH(gap_message(g, version)) for g in stored["gaps"]]
    assert "TC12.play_area: change to “yes” → +25 points" in english
    assert any(e.startswith("TC07.fully_immunised: raise to at least ") and "percentage" in e for e in english)
    assert not any("tăng lên" in e or "chuyển sang" in e or "điểm" in e for e in english)
    plan = plan_message(stored["plan"], version)
    assert plan == stored["plan"]["message"] and ENGLISH(plan).startswith(
        f"{stored['plan']['points_needed']} points more needed; the shortest way (steps: ")
    failed = [ENGLISH(failed_message(f, stored)) for f in stored["failed_conditions"]]
    assert any(f.startswith("total ") and "is below the threshold 900" in f for f in failed), failed
    assert all(VIETNAMESE(failed_message(f, stored)) == f["message"] for f in stored["failed_conditions"])


def test_a_text_that_cannot_be_remade_exactly_is_shown_as_stored():
    from engine.wording import failed_message, gap_message, plan_message

    version, result = _scored(**{"TC07.fully_immunised": 40})
    gap = dict(result.to_dict()["gaps"][0])
    gap["message"] = "văn bản của một phiên bản cũ"
    assert gap_message(gap, version) == "văn bản của một phiên bản cũ"
    assert not isinstance(gap_message(gap, version), Message)
    banded = next(g for g in result.to_dict()["gaps"] if g["change"] != "set")
    assert not isinstance(gap_message(banded, None), Message)  # the criteria version is not known here
    assert gap_message(banded, None) == banded["message"]
    plan = {"message": "kế hoạch cũ", "steps": [gap], "points_needed": 1, "points_added": 1}
    assert plan_message(plan, version) == "kế hoạch cũ"
    assert failed_message({"condition": "total_reaches_threshold", "message": "cũ"}, {"total": 1}) == "cũ"


def test_a_stored_explanation_names_its_band_and_measured_value_in_the_readers_language():
    from engine.tables import EMPTY_MATCHED
    from engine.wording import _EMPTY, readable_component

    assert _EMPTY == EMPTY_MATCHED  # the text a score stores when a denominator is zero
    version, result = _scored(**{"TC03.abused": 1})
    stored = type(result).from_stored(result.to_dict())  # read back from the database's JSON
    [abuse] = stored.criterion("TC03").components
    assert abuse.matched == "0 < tỷ suất ≤ 1" and abuse.measured == "0,41…"
    readable = readable_component(abuse, version)
    assert VIETNAMESE(readable.describe({}, 1000)) == str(abuse.describe({}, 1000))  # Vietnamese as before
    assert ENGLISH(readable.describe({}, 1000)) == (
        "«TC03.abused» 1 / «TC03.children» 2,400 = 0.41… per 1,000 children: 0 < rate ≤ 1 → 70 points")
    assert readable_component(abuse, None).matched == "0 < tỷ suất ≤ 1"  # version unknown: as stored
    _, empty = _scored(**{"TC06.cases": 0, "TC06.cases_with_plan": 0})
    plans = next(k for k in empty.criterion("TC06").components if k.outcome.kind == "empty")
    assert ENGLISH(readable_component(plans, version).matched) == "denominator 0 (no case in the period)"


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", ["bộ tiêu chí không hợp lệ (1 vấn đề):", "ngưỡng 1850 lớn hơn tổng điểm tối đa 1000"]),
    ("en", ["criteria are invalid (1 problems):", "threshold 1850 is above the total maximum 1000"]),
])
def test_any_command_on_invalid_criteria_says_why_in_the_runs_language(criteria_dir, lang, expected):
    _mutated(criteria_dir, "threshold: 850,", "threshold: 1850,")
    run = CliRunner().invoke(main, ["--lang", lang, "criteria", "list"])
    assert run.exit_code == 1
    for text in expected:
        assert text in run.stderr, run.stderr
