"""A rules administrator's edits: ``cfc criteria set``, ``verify`` and ``publish``.

Always on a copy in ``tmp_path`` with ``CFC_CRITERIA_DIR`` set. An accepted edit changes only the edited line of
the file (comments, quotes and key order kept) plus the history entry it appends; a refused edit leaves the file
byte for byte unchanged.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from cfc import main
from criteria import DIRECTORY
from engine import edit
from engine.checks import unverified
from engine.errors import EditError
from engine.loader import load_version

SHIPPED = DIRECTORY / "qd06-2019.yaml"
SOURCE = SHIPPED.read_text(encoding="utf-8")
ID = "qd06-2019"


def cfc(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def criteria_file(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "criteria"
    folder.mkdir()
    path = folder / f"{ID}.yaml"
    shutil.copy(SHIPPED, path)
    monkeypatch.setenv("CFC_CRITERIA_DIR", str(folder))
    monkeypatch.setenv("CFC_INSTANCE_DIR", str(tmp_path / "instance"))  # no database: nothing else is touched
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CFC_USER", "env-user")
    return path


@pytest.fixture
def all_verified(criteria_file) -> Path:
    criteria_file.write_text(SOURCE.replace("verified: false", "verified: true"), encoding="utf-8")
    return criteria_file


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) of a unified diff."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def line_with(text: str, needle: str) -> str:
    [line] = [ln for ln in text.splitlines() if needle in ln]
    return line


def history(path: Path) -> list[dict]:
    """The history entries (parsed from the history block only: parsing the whole file is slow)."""
    text = path.read_text(encoding="utf-8")
    return YAML(typ="safe").load(text[text.index("\nhistory:") + 1:])["history"]


# (args after `cfc criteria set ID`, the original line, the line after the edit)
ACCEPTED_SETS = [
    pytest.param(
        ["categories/other/threshold", "860", "--source", "QĐ 06, Điều 2 khoản 2", "--verified", "--by", "alice"],
        '  - {id: other, label: "Xã, phường, thị trấn còn lại", threshold: 850, source: "secondary: thukyluat.vn summary", '
        'verified: false, note: "confirm 850 against the official text"}',
        '  - {id: other, label: "Xã, phường, thị trấn còn lại", threshold: 860, source: "QĐ 06, Điều 2 khoản 2", '
        'verified: true, note: "confirm 850 against the official text"}',
        id="category_threshold_verified",
    ),
    pytest.param(
        ["categories/ward_central_city/threshold", "950", "--unverified", "--by", "alice"],
        '  - {id: ward_central_city, label: "Phường thuộc quận, thị xã, thành phố của thành phố trực thuộc trung ương", '
        'threshold: 900, source: "QĐ 06/QĐ-TTg, Quy định (legal text)", verified: true}',
        '  - {id: ward_central_city, label: "Phường thuộc quận, thị xã, thành phố của thành phố trực thuộc trung ương", '
        'threshold: 950, source: "QĐ 06/QĐ-TTg, Quy định (legal text)", verified: false}',
        id="category_threshold_unverified",
    ),
    pytest.param(
        ["TC07/met_at", "30", "--by", "alice"],
        "    met_at: 25",
        "    met_at: 30",
        id="criterion_met_at",
    ),
    pytest.param(
        ["TC02/registration/bands/1/points", "60", "--source", "QĐ 06", "--by", "alice"],
        '          - {min: 95, max: 98, points: 50, source: "estimate", verified: false}',
        '          - {min: 95, max: 98, points: 60, source: "QĐ 06", verified: false}',
        id="band_points_with_source",
    ),
    pytest.param(
        ["TC02/registration/if_denominator_zero/points", "70", "--by", "alice"],
        '        if_denominator_zero: {points: 75, source: "estimate", verified: false, '
        'note: "no births in the period: full points assumed"}',
        '        if_denominator_zero: {points: 70, source: "estimate", verified: false, '
        'note: "no births in the period: full points assumed"}',
        id="empty_rule_points",
    ),
    pytest.param(
        ["TC02/registration/bands/3/min", "0", "--by", "alice"],
        '          - {max: 90, points: 0, source: "estimate", verified: false}',
        '          - {max: 90, points: 0, source: "estimate", verified: false, min: 0}',
        id="absent_band_edge_added",
    ),
]


@pytest.mark.parametrize(("args", "old_line", "new_line"), ACCEPTED_SETS)
def test_set_changes_only_the_edited_line_and_appends_history(criteria_file, args, old_line, new_line):
    before = criteria_file.read_text(encoding="utf-8")
    assert old_line in before.splitlines()
    result = cfc("criteria", "set", ID, *args)
    assert result.exit_code == 0, result.output
    after = criteria_file.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert removed == [old_line, "history: []"]
    assert added[0] == new_line
    assert added[1] == "history:"
    assert len(added) == 3 and added[2].startswith("  - {on: ")
    [entry] = history(criteria_file)
    assert entry["by"] == "alice"
    assert entry["on"] in (dt.date.today(), dt.date.today() - dt.timedelta(days=1))
    assert entry["change"].startswith(args[0] + ": ")
    assert result.stdout.strip() == entry["change"]


def test_set_updates_the_version_that_is_scored(criteria_file):
    assert cfc("criteria", "set", ID, "TC03/abuse_rate/per", "10000", "--by", "a").exit_code == 0
    assert load_version(criteria_file).criteria[2].components[0].per == 10000
    assert "        per: 10000" in criteria_file.read_text(encoding="utf-8").splitlines()


def test_comments_quotes_and_key_order_are_kept(criteria_file):
    before = criteria_file.read_text(encoding="utf-8")
    assert cfc("criteria", "set", ID, "TC07/met_at", "30", "--by", "a").exit_code == 0
    assert cfc("criteria", "verify", ID, "TC07/immunisation/bands/1", "--source", "QĐ 06", "--by", "b").exit_code == 0
    after = criteria_file.read_text(encoding="utf-8")
    comments = [ln for ln in before.splitlines() if ln.lstrip().startswith("#")]
    assert comments and comments == [ln for ln in after.splitlines() if ln.lstrip().startswith("#")]
    assert after.count('"') == before.count('"')  # "estimate" became "QĐ 06": no quote lost or added
    removed, added = changed_lines(before, after)
    assert len(removed) == 3 and len(added) == 5  # two lines edited, history: [] → history: + two entries
    top_keys = [ln.split(":")[0] for ln in after.splitlines() if ln and ln[0].isalpha()]
    assert top_keys == [ln.split(":")[0] for ln in before.splitlines() if ln and ln[0].isalpha()]
    assert [h["by"] for h in history(criteria_file)] == ["a", "b"]


def test_the_actor_defaults_to_cfc_user(criteria_file):
    assert cfc("criteria", "set", ID, "TC07/met_at", "30").exit_code == 0
    assert history(criteria_file)[-1]["by"] == "env-user"


def test_edit_functions_record_the_given_day(criteria_file):
    change = edit.set_value(criteria_file, "TC07/met_at", "30", by="alice", today=dt.date(2025, 1, 2))
    assert change == "TC07/met_at: 25 → 30"
    first = criteria_file.read_text(encoding="utf-8")
    edit.verify(criteria_file, "TC07", by="bob", source="QĐ 06", today=dt.date(2025, 1, 3))
    second = criteria_file.read_text(encoding="utf-8")
    removed, added = changed_lines(first, second)
    assert removed == ['    source: "secondary: cuuchienbinh.vn, baothaibinh (max 50); met_at is an estimate"',
                       "    verified: false"]
    assert added == ['    source: "QĐ 06"', "    verified: true",
                     "  - {on: 2025-01-03, by: bob, change: 'TC07: verified (QĐ 06)'}"]
    lines = second.splitlines()
    assert lines[-3:] == [
        "history:",
        "  - {on: 2025-01-02, by: alice, change: 'TC07/met_at: 25 → 30'}",
        "  - {on: 2025-01-03, by: bob, change: 'TC07: verified (QĐ 06)'}",
    ]


# (args after `cfc criteria set ID`, fragment of the message on stderr)
REFUSED_SETS = [
    (["TC07/immunisation/bands/1/min", "99"], "min 99 is not below max 98"),
    (["TC01/officer/points", "60"], "give up to 110 points, above its maximum 100"),
    (["categories/other/threshold", "1001"], "threshold 1001 is above the total maximum 1000"),
    (["max_total/points", "1100"], "criteria maxima add up to 1000, not 1100"),
    (["TC01/met_at", "101"], "met_at 101 is above the maximum 100"),
    (["TC02/registration/bands/0/min", "null"], "must share its edge with band 0"),
    (["TC01/officer/points", "--", "-5"], "greater than or equal to 0"),
    (["TC01/officer/points", "12.5"], "integer"),
    (["TC02/registration/bands/3/min", "nan"], "finite"),
    (["TC01/officer/points", "abc"], "is not a number: write it as 1.234"),
    (["TC01/officer/points", "99999999999"], "«99999999999» quá lớn: một giá trị của bộ tiêu chí không vượt quá"),
    # numbers are read the Vietnamese way: "1,000" is ambiguous, never 1
    (["TC03/abuse_rate/per", "1,000"], "«1,000» không rõ là 1000 hay 1: viết 1000 hoặc 1.000"),
    (["TC03/abuse_rate/per", "1,000,000"], "«1,000,000» viết theo kiểu tiếng Anh: viết 1.000.000"),
    (["TC07/immunisation/bands/1/min", "0.125"], "«0.125» không rõ: số thập phân viết 0,125"),
    (["TC07/immunisation/bands/1/min", "96.5.1"], "không phải là số viết đúng"),
    (["TC01/max_points", "null"], "cannot be empty"),
    (["TC01/title", "5"], "name a number field"),
    (["TC99/max_points", "5"], "no criterion 'TC99'"),
    (["categories/nowhere/threshold", "5"], "no category 'nowhere'"),
    (["categories", "5"], "name a category"),
    (["TC01/nope/points", "1"], "no component of TC01 'nope'"),
    (["TC02/registration/bands/9/min", "1"], "no item '9'"),
    (["TC02/registration/colour", "1"], "no field 'colour'"),
]


@pytest.mark.parametrize(("args", "fragment"), REFUSED_SETS, ids=[" ".join(a) for a, _ in REFUSED_SETS])
def test_refused_set_leaves_the_file_unchanged(criteria_file, args, fragment):
    before = criteria_file.read_bytes()
    english = ["--lang", "en"] if fragment.isascii() else []  # the CLI speaks Vietnamese unless asked
    result = cfc(*english, "criteria", "set", "--by", "alice", ID, *args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # an error message, not a traceback
    assert fragment in result.stderr
    assert result.stdout == ""
    assert criteria_file.read_bytes() == before
    assert not list(criteria_file.parent.glob("*.tmp"))


@pytest.mark.parametrize("value", ["inf", "Infinity"])
def test_an_infinite_value_is_refused_without_a_traceback(criteria_file, value):
    before = criteria_file.read_bytes()
    result = cfc("criteria", "set", ID, "TC02/registration/bands/3/min", value, "--by", "alice")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert value in result.stderr
    assert criteria_file.read_bytes() == before


def test_an_invalid_edit_names_the_problem_with_file_and_line(criteria_file):
    result = cfc("--lang", "en", "criteria", "set", ID, "TC07/immunisation/bands/2/points", "40")
    assert "the edit would make the version invalid, nothing was written" in result.stderr
    lines = criteria_file.read_text(encoding="utf-8").splitlines()
    band2 = next(n for n, ln in enumerate(lines, 1) if "{min: 90, max: 95, points: 20," in ln)
    assert (f"{criteria_file}:{band2}: criteria[6].components[0].bands[2].points: band 2 gives 40 points, more "
            "than the better band 1 (35)") in result.stderr


@pytest.mark.parametrize(
    ("locator", "typed", "change"),
    [
        # a dot groups thousands: "10.000" is ten thousand (it was 10 when a dot was read as a decimal point)
        ("TC03/abuse_rate/per", "10.000", "TC03/abuse_rate/per: 1000 → 10000"),
        ("TC03/abuse_rate/per", "10 000", "TC03/abuse_rate/per: 1000 → 10000"),
        ("TC03/abuse_rate/per", "2000", "TC03/abuse_rate/per: 1000 → 2000"),
        # a comma is the decimal mark; a dot followed by one or two digits is a decimal too
        ("TC07/immunisation/bands/1/min", "96,5",
         "TC07/immunisation/bands/1/min: 95 → 96.5 (and bands/2/max, the shared edge)"),
        ("TC07/immunisation/bands/1/min", "96.5",
         "TC07/immunisation/bands/1/min: 95 → 96.5 (and bands/2/max, the shared edge)"),
    ],
)
def test_values_are_read_the_vietnamese_way(criteria_file, locator, typed, change):
    assert edit.set_value(criteria_file, locator, typed, by="alice") == change
    version = load_version(criteria_file)
    if locator.endswith("/per"):
        assert version.criteria[2].components[0].per == int(change.rsplit(" ", 1)[1])
    else:
        bands = version.criteria[6].components[0].bands
        assert (bands[1].min, bands[2].max) == (Decimal("96.5"), Decimal("96.5"))


def test_moving_a_band_edge_moves_the_neighbour_sharing_it(criteria_file):
    """Bands tile the range: moving band 1's lower edge from 95 to 96 moves band 2's upper edge with it."""
    before = criteria_file.read_text(encoding="utf-8")
    result = cfc("criteria", "set", "--by", "alice", ID, "TC07/immunisation/bands/1/min", "96")
    assert result.exit_code == 0, result.output
    removed, added = changed_lines(before, criteria_file.read_text(encoding="utf-8"))
    assert removed == [line_with(before, "{min: 95, max: 98, points: 35,"),
                       line_with(before, "{min: 90, max: 95, points: 20,"), "history: []"]
    assert added[:2] == [removed[0].replace("min: 95", "min: 96"), removed[1].replace("max: 95", "max: 96")]
    [entry] = history(criteria_file)
    assert entry["change"] == "TC07/immunisation/bands/1/min: 95 → 96 (and bands/2/max, the shared edge)"


def test_set_on_an_unknown_version_file(criteria_file):
    result = cfc("--lang", "en", "criteria", "set", "qd06-1999", "TC07/met_at", "30")
    assert result.exit_code == 1
    assert "no criteria file qd06-1999.yaml" in result.stderr


# ------------------------------------------------------------------------------------------ verify
@pytest.mark.parametrize(
    ("locator", "needle"),
    [
        ("categories/other", "{id: other,"),
        ("categories/other/threshold", "{id: other,"),
        ("TC07/immunisation/bands/1/min", "{min: 95, max: 98, points: 35,"),
        ("TC03/abuse_rate/per", None),
        ("TC01/officer", "indicator: TC01.officer,"),
    ],
)
def test_verify_marks_the_holder_verified_and_names_the_source(criteria_file, locator, needle):
    before = criteria_file.read_text(encoding="utf-8")
    result = cfc("criteria", "verify", ID, locator, "--source", "QĐ 06/QĐ-TTg, Điều 2 khoản 2", "--by", "bob")
    assert result.exit_code == 0, result.output
    after = criteria_file.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    if needle is None:  # a block mapping: source and verified are on lines of their own
        assert sorted(removed) == sorted(['        source: "estimate"', "        verified: false", "history: []"])
        assert '        source: "QĐ 06/QĐ-TTg, Điều 2 khoản 2"' in added and "        verified: true" in added
    else:
        old = line_with(before, needle)
        assert removed == [old, "history: []"]
        expected = re.sub(r'source: "[^"]*"', 'source: "QĐ 06/QĐ-TTg, Điều 2 khoản 2"', old)
        assert added[0] == expected.replace("verified: false", "verified: true")
    [entry] = history(criteria_file)
    assert entry["by"] == "bob"
    assert entry["change"] == f"{locator}: verified (QĐ 06/QĐ-TTg, Điều 2 khoản 2)"


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["TC02/registration", "--source", "x"], 1, "carries no provenance"),
        (["TC05/deaths", "--source", "x"], 1, "carries no provenance"),
        (["TC99", "--source", "x"], 1, "no criterion 'TC99'"),
        (["categories/other"], 2, "--source"),
    ],
)
def test_refused_verify_leaves_the_file_unchanged(criteria_file, args, code, fragment):
    before = criteria_file.read_bytes()
    result = cfc("--lang", "en", "criteria", "verify", ID, *args)
    assert result.exit_code == code, result.output
    assert fragment in result.stderr
    assert criteria_file.read_bytes() == before


# ------------------------------------------------------------------------------------------ publish
def test_publish_is_refused_while_any_number_is_unverified(criteria_file):
    before = criteria_file.read_bytes()
    missing = unverified(load_version(criteria_file))
    result = cfc("criteria", "publish", ID, "--by", "carol")
    assert result.exit_code == 1
    assert f"chưa công bố được {ID}: {len(missing)} giá trị chưa được xác minh" in result.stderr
    listed = [ln[4:] for ln in result.stderr.splitlines() if ln.startswith("  - ")]
    assert listed == [text for _, text in missing]
    assert "category other threshold 850" in listed
    assert "TC07/immunisation/bands/1 95 ≤ tỷ lệ % < 98 → 35 điểm" in listed
    assert criteria_file.read_bytes() == before


def test_verifying_values_shortens_the_list(criteria_file):
    total = len(unverified(load_version(criteria_file)))
    assert cfc("criteria", "verify", ID, "categories/other", "--source", "QĐ 06").exit_code == 0
    assert cfc("criteria", "verify", ID, "max_total", "--source", "QĐ 06").exit_code == 0
    result = cfc("--lang", "en", "criteria", "publish", ID)
    assert result.exit_code == 1
    assert f"{total - 2} values are not verified" in result.stderr
    assert "category other threshold" not in result.stderr
    assert "max_total 1000" not in result.stderr


def test_publish_makes_a_fully_verified_version_official(all_verified):
    before = all_verified.read_text(encoding="utf-8")
    result = cfc("--lang", "en", "criteria", "publish", ID, "--by", "carol")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{ID} is now official"
    after = all_verified.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert removed == ["status: provisional", "history: []"]
    assert added[:2] == ["status: official", "history:"]
    assert history(all_verified)[-1]["change"] == "published as official"
    assert history(all_verified)[-1]["by"] == "carol"
    version = load_version(all_verified)
    assert version.status == "official" and not version.provisional


def test_an_official_version_refuses_every_edit(all_verified):
    assert cfc("criteria", "publish", ID).exit_code == 0
    before = all_verified.read_bytes()
    for args in (
        ["set", ID, "categories/other/threshold", "860"],
        ["set", ID, "TC07/met_at", "25"],  # even an edit that changes nothing
        ["verify", ID, "categories/other", "--source", "x"],
        ["publish", ID],
    ):
        result = cfc("--lang", "en", "criteria", *args)
        assert result.exit_code == 1, args
        assert "is official: official versions are never edited in place" in result.stderr, args
        assert all_verified.read_bytes() == before, args
    with pytest.raises(EditError, match="phiên bản chính thức"):
        edit.set_value(all_verified, "TC07/met_at", "30", by="x")
    assert all_verified.read_bytes() == before
    # and the official status shows everywhere
    assert cfc("--lang", "en", "criteria", "validate").stdout == "OK qd06-2019: official, 13 criteria, 33 indicators\n"
    assert json.loads(cfc("criteria", "show", ID, "--json").stdout)["status"] == "official"


def test_the_shipped_file_is_never_touched():
    assert SHIPPED.read_text(encoding="utf-8") == SOURCE


def test_an_edit_whose_audit_entry_cannot_be_written_is_undone(criteria_file, monkeypatch):
    """With a database the change goes into the audit trail too; when the entry cannot be written (here the
    database answers "locked"), the file is put back byte for byte and the command says why, exit 1."""
    from sqlalchemy.exc import OperationalError

    from dossiers import criteria_audit

    def locked(*_args, **_kwargs):
        raise OperationalError("INSERT INTO audit_entries", {}, Exception("database is locked"))

    monkeypatch.setattr(criteria_audit, "record_criteria_change", locked)
    before = criteria_file.read_bytes()
    result = cfc("criteria", "set", ID, "TC07/met_at", "30", "--by", "a")
    assert result.exit_code == 1
    assert "không ghi được nhật ký" in result.output and "database is locked" in result.output
    assert criteria_file.read_bytes() == before


def test_a_value_that_is_not_a_number_is_named_once(criteria_file):
    """"ba mươi" typed for points: the refusal quotes it once and says how to write a number (it said it twice)."""
    result = cfc("criteria", "set", "--by", "alice", ID, "TC01/officer/points", "ba mươi")
    assert result.exit_code == 1 and result.stderr.count("«ba mươi»") == 1, result.stderr
    assert "không phải là số" in result.stderr
