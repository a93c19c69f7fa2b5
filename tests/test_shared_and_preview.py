"""A number asked by several criteria (``same_as``: the commune's children in TC03, TC04, TC05) and the preview
of a partly filled form (every problem at once, what is missing, points per criterion)."""

from __future__ import annotations

import pytest

from engine.errors import CriteriaError
from engine.loader import load_version
from engine.preview import preview
from engine.shared import copies_of, fill_shared, shared_problems, shared_sources
from engine.template import example_values
from tests.test_loader import SHIPPED, SOURCE, english, write


@pytest.fixture(scope="module")
def version():
    return load_version(SHIPPED)


def typed_text(values: dict) -> dict:
    return {k: ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in values.items()}


def test_the_shipped_criteria_ask_the_number_of_children_once(version):
    assert shared_sources(version) == {"TC04.children": "TC03.children", "TC05.children": "TC03.children"}
    assert copies_of(version) == {"TC03.children": ["TC04.children", "TC05.children"]}
    assert len(version.indicator_map()) == 33  # the codes are contracts: every one is kept


def test_a_copy_left_blank_takes_its_source_and_unequal_copies_are_named(version):
    filled = fill_shared(version, {"TC03.children": "2.400", "TC04.children": "", "TC05.children": None})
    assert filled["TC04.children"] == filled["TC05.children"] == "2.400"
    assert [(p.code, p.message) for p in shared_problems(version, {"TC03.children": 10, "TC04.children": 9})] == [
        ("TC04.children", "9 khác TC03.children (10): đây là cùng một số")]


@pytest.mark.parametrize(("edit", "fragment"), [
    ("same_as: TC03.children}", None),
    ("same_as: TC99.children}", "TC99.children is not an indicator of an earlier criterion"),
    ("same_as: TC03.abused}", None),
    ("same_as: TC01.officer}", "TC01.officer is a yes_no, TC04.children a count"),
])
def test_same_as_names_an_earlier_indicator_of_the_same_type(tmp_path, edit, fragment):
    text = SOURCE.replace("type: count, same_as: TC03.children}", "type: count, " + edit, 1)
    path = write(tmp_path, text)
    if fragment is None:
        load_version(path)
        return
    with pytest.raises(CriteriaError) as info:
        load_version(path)
    assert any(fragment in english(p.message) for p in info.value.problems), info.value.problems


def test_the_preview_shows_every_problem_at_once_with_the_pair_checks(version):
    found = preview(version, {"TC02.children_born": "100", "TC02.registered_on_time": "120",
                              "TC13.satisfaction": "hai", "TC03.children": "1,000"})
    codes = [p.code for p in found.problems]
    assert codes == ["TC03.children", "TC13.satisfaction", "TC02.registered_on_time"]  # bad values, then pairs
    assert "TC04.children" not in found.missing  # a copy stands for its source: asked once
    assert "TC01.officer" in found.missing and not found.complete
    assert found.points["TC02"] is None and found.known_total == 0


def test_the_preview_gives_the_points_of_each_criterion_whose_values_are_all_there(version):
    values = typed_text(example_values())
    for criterion in ("TC01", "TC13"):
        for code in [c for c in values if c.startswith(criterion)]:
            values[code] = None
    values["TC04.children"] = values["TC05.children"] = ""  # typed once, in TC03
    found = preview(version, values)
    assert found.points["TC01"] is None and found.points["TC13"] is None
    assert found.points["TC02"] == 75 and found.points["TC04"] == 75
    assert found.known_total == 935 - 100 - 75
    full = preview(version, typed_text(example_values()))
    assert full.complete and full.known_total == 935


def test_an_overlong_value_is_refused_unread(version):
    found = preview(version, {"TC03.children": "9" * 10_000, "TC99.nope": "1"})
    assert [(p.code, p.message) for p in found.problems] == [("TC03.children", "quá dài (10000 ký tự)")]
