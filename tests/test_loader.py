"""The criteria loader: every problem of a criteria file is named by file, line and field, all in one run.

Each case copies the shipped ``criteria/qd06-2019.yaml`` into ``tmp_path``, applies a few text edits and loads
it. Expected lines are computed from the edited text (the line holding an anchor), so the cases stay right when
the shipped file gains or loses lines. The shipped file itself is only ever read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from criteria import DIRECTORY
from dossiers.language import reader
from engine.errors import CriteriaError, NoVersionInForce, Problem, UnknownVersion
from engine.loader import Registry, default_directory, fingerprint, load_version

SHIPPED = DIRECTORY / "qd06-2019.yaml"
SOURCE = SHIPPED.read_text(encoding="utf-8")

Edit = tuple[str, str]
Anchor = tuple[str, ...]


def mutate(text: str, *edits: Edit) -> str:
    """Apply exact text replacements; each old text must occur exactly once (guards against fixture drift)."""
    for old, new in edits:
        assert text.count(old) == 1, f"fixture drift: {old!r} occurs {text.count(old)} times in the shipped file"
        text = text.replace(old, new)
    return text


def locate(text: str, anchor: Anchor) -> int:
    """1-based line of the last needle of ``anchor``, each needle searched on the lines after the previous one."""
    lines = text.splitlines()
    start = 0
    found = None
    for needle in anchor:
        for number in range(start, len(lines)):
            if needle in lines[number]:
                found = number
                break
        else:
            raise AssertionError(f"anchor {needle!r} not found after line {start}")
        start = found + 1
    assert found is not None
    return found + 1


def write(folder: Path, text: str, name: str = "qd06-2019") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(CriteriaError) as info:
        load_version(path)
    assert info.value.problems, "a CriteriaError must hold at least one Problem"
    return info.value.problems


english = reader("en")  # the messages are Vietnamese; these tests name them by their English translation


def show(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


# (id, edits, expected problems as (anchor of the line, field, fragment of the message or None))
CASES: list[tuple[str, list[Edit], list[tuple[Anchor, str, str | None]]]] = [
    # --- unknown keys, at every depth
    (
        "unknown_top_level_key",
        [("status: provisional\n", "status: provisional\ncolour: red\n")],
        [(("colour: red",), "colour", "unknown key")],
    ),
    (
        "unknown_key_in_category",
        [("{id: other, label:", "{id: other, colour: red, label:")],
        [(("{id: other,",), "categories[1].colour", "unknown key")],
    ),
    (
        "unknown_key_in_criterion",
        [('    title: "Nguồn lực thực hiện quyền trẻ em"\n', '    title: "Nguồn lực thực hiện quyền trẻ em"\n    bonus: 1\n')],
        [(("bonus: 1",), "criteria[0].bonus", "unknown key")],
    ),
    (
        "unknown_key_in_yes_no_component",
        [("{id: officer, kind: yes_no,", "{id: officer, kind: yes_no, bonus: 5,")],
        [(("{id: officer,",), "criteria[0].components[0].bonus", "unknown key")],
    ),
    (
        "unknown_key_in_band",
        [("{min: 95, max: 98, points: 50,", "{min: 95, max: 98, weight: 2, points: 50,")],
        [(("weight: 2",), "criteria[1].components[0].bands[1].weight", "unknown key")],
    ),
    # --- duplicate codes and ids
    (
        "duplicate_criterion_code",
        [("- code: TC02\n", "- code: TC01\n")],
        [
            (("- code: TC01", "- code: TC01"), "criteria[1].code", "duplicate criterion code TC01"),
            (("{code: TC02.children_born",), "criteria[1].indicators[0].code", "must start with TC01."),
            (("{code: TC02.registered_on_time",), "criteria[1].indicators[1].code", "must start with TC01."),
        ],
    ),
    (
        "duplicate_category_id",
        [("{id: other,", "{id: ward_central_city,")],
        [(("Xã, phường, thị trấn còn lại",), "categories[1].id", "duplicate category id ward_central_city")],
    ),
    (
        "duplicate_component_id",
        [("{id: board, kind: yes_no", "{id: officer, kind: yes_no")],
        [(("indicator: TC01.board,",), "criteria[0].components[2].id", "duplicate component id officer")],
    ),
    (
        # The problem must point at the second definition, not at the `criteria:` key.
        "duplicate_indicator_code",
        [(
            '      - {code: TC01.budget, label: "Có kinh phí thực hiện công tác trẻ em", type: yes_no}\n',
            '      - {code: TC01.budget, label: "Có kinh phí thực hiện công tác trẻ em", type: yes_no}\n'
            '      - {code: TC01.budget, label: "Kinh phí (lặp lại)", type: yes_no}\n',
        )],
        [(("Kinh phí (lặp lại)",), "criteria[0].indicators[4].code", "TC01.budget")],
    ),
    # --- bands: overlaps, gaps, open ends, order
    (
        "overlapping_band_higher_is_better",
        [("{min: 95, max: 98, points: 50,", "{min: 95, max: 99, points: 50,")],
        [(("{min: 95, max: 99, points: 50",), "criteria[1].components[0].bands[1].max", "overlaps band 0")],
    ),
    (
        "gapped_band_higher_is_better",
        [("{min: 95, max: 98, points: 50,", "{min: 95, max: 97, points: 50,")],
        [(("{min: 95, max: 97, points: 50",), "criteria[1].components[0].bands[1].max", "gap after band 0")],
    ),
    (
        "overlapping_band_lower_is_better",
        [("{min: 1, max: 2, points: 40,", "{min: 0.5, max: 2, points: 40,")],
        [(("{min: 0.5, max: 2, points: 40",), "criteria[2].components[0].bands[2].min", "overlaps band 1")],
    ),
    (
        "gapped_band_lower_is_better",
        [("{min: 1, max: 2, points: 40,", "{min: 1.5, max: 2, points: 40,")],
        [(("{min: 1.5, max: 2, points: 40",), "criteria[2].components[0].bands[2].min", "gap after band 1")],
    ),
    (
        "band_without_shared_edge",
        [("{min: 95, max: 98, points: 50,", "{min: 95, points: 50,")],
        [(("{min: 95, points: 50",), "criteria[1].components[0].bands[1].max", "must share its edge with band 0")],
    ),
    (
        "first_band_closed",
        [("{min: 80, points: 75,", "{min: 80, max: 100, points: 75,")],
        [(("{min: 80, max: 100",), "criteria[12].components[0].bands[0].max", "first (best) band must be open")],
    ),
    (
        "last_band_closed_lower_is_better",
        [("{min: 1, points: 0,", "{min: 1, max: 5, points: 0,")],
        [(("{min: 1, max: 5, points: 0",), "criteria[4].components[1].bands[2].max", "last (worst) band must be open")],
    ),
    (
        "band_min_not_below_max",
        [("{min: 90, max: 95, points: 25,", "{min: 96, max: 95, points: 25,")],
        [
            (("{min: 96, max: 95",), "criteria[1].components[0].bands[2].min", "min 96 is not below max 95"),
            (("{min: 96, max: 95", "{max: 90,"), "criteria[1].components[0].bands[3].max", "gap after band 2"),
        ],
    ),
    (
        "worse_band_gives_more_points",
        [("{min: 90, max: 95, points: 25,", "{min: 90, max: 95, points: 60,")],
        [(("{min: 90, max: 95, points: 60",), "criteria[1].components[0].bands[2].points", "more than the better band 1")],
    ),
    # --- points and maxima
    (
        "component_points_above_criterion_max",
        [("indicator: TC01.officer, points: 50", "indicator: TC01.officer, points: 60")],
        [(("- code: TC01", "max_points:"), "criteria[0].max_points", "give up to 110 points, above its maximum 100")],
    ),
    (
        "band_points_above_criterion_max",
        [("{min: 98, points: 75,", "{min: 98, points: 80,")],
        [(("- code: TC02", "max_points:"), "criteria[1].max_points", "give up to 80 points, above its maximum 75")],
    ),
    (
        "empty_rule_points_above_criterion_max",
        [("if_denominator_zero: {points: 75, source: \"estimate\", verified: false, note: \"no births",
          "if_denominator_zero: {points: 90, source: \"estimate\", verified: false, note: \"no births")],
        [(("- code: TC02", "max_points:"), "criteria[1].max_points", "give up to 90 points, above its maximum 75")],
    ),
    (
        "criterion_maximum_unreachable",
        [("indicator: TC01.officer, points: 50", "indicator: TC01.officer, points: 40")],
        [(("- code: TC01", "max_points:"), "criteria[0].max_points", "cannot be reached")],
    ),
    (
        "threshold_above_total_maximum",
        [("threshold: 850,", "threshold: 1850,")],
        [(("threshold: 1850",), "categories[1].threshold", "threshold 1850 is above the total maximum 1000")],
    ),
    (
        "max_total_differs_from_sum",
        [("max_total: {points: 1000,", "max_total: {points: 1100,")],
        [(("max_total:",), "max_total.points", "criteria maxima add up to 1000, not 1100")],
    ),
    (
        "met_at_above_maximum",
        [("    max_points: 100\n    met_at: 50\n    source: \"secondary",
          "    max_points: 100\n    met_at: 150\n    source: \"secondary")],
        [(("met_at: 150",), "criteria[0].met_at", "met_at 150 is above the maximum 100")],
    ),
    # --- version header
    (
        "effective_to_before_effective_from",
        [("effective_to: null", "effective_to: 2018-01-01")],
        [(("effective_to:",), "effective_to", "is before effective_from 2019-01-03")],
    ),
    (
        "id_differs_from_file_name",
        [("id: qd06-2019\n", "id: qd06-2020\n")],
        [(("id: qd06-2020",), "id", "differs from the file name")],
    ),
    (
        "unknown_status",
        [("status: provisional\n", "status: final\n")],
        [(("status: final",), "status", "'draft', 'provisional' or 'official'")],
    ),
    (
        "draft_status_is_valid",
        [("status: provisional\n", "status: draft\n")],
        [],
    ),
    # --- indicators and components
    (
        "indicator_of_wrong_type",
        [('"Có kinh phí thực hiện công tác trẻ em", type: yes_no}', '"Có kinh phí thực hiện công tác trẻ em", type: count}')],
        [(("indicator: TC01.budget,",), "criteria[0].components[3].indicator", "TC01.budget is of type count")],
    ),
    (
        "component_reads_unknown_indicator",
        [("indicator: TC01.board,", "indicator: TC01.bored,")],
        [
            (("indicator: TC01.bored,",), "criteria[0].components[2].indicator", "TC01.bored is not an indicator of TC01"),
            (("{code: TC01.board,",), "criteria[0].indicators[2].code", "TC01.board is not used by any component"),
        ],
    ),
    (
        "indicator_code_pattern",
        [("{code: TC01.budget,", "{code: TC01.Budget,"), ("indicator: TC01.budget,", "indicator: TC01.Budget,")],
        [(("{code: TC01.Budget,",), "criteria[0].indicators[3].code", "should match pattern")],
    ),
    (
        "unknown_component_kind",
        [("        kind: percentage\n        label: \"Tỷ lệ trẻ em được khai sinh",
          "        kind: percent\n        label: \"Tỷ lệ trẻ em được khai sinh")],
        [(("- code: TC02", "- id: registration"), "criteria[1].components[0]", "percent")],
    ),
    (
        "missing_required_field",
        [("    max_points: 100\n    met_at: 50\n    source: \"secondary", "    max_points: 100\n    source: \"secondary")],
        [(("- code: TC01",), "criteria[0].met_at", "Field required")],
    ),
    (
        "negative_points",
        [("indicator: TC01.budget, points: 20", "indicator: TC01.budget, points: -20")],
        [(("indicator: TC01.budget,",), "criteria[0].components[3].points", "greater than or equal to 0")],
    ),
    (
        "fractional_threshold",
        [("threshold: 850,", "threshold: 850.5,")],
        [(("threshold: 850.5",), "categories[1].threshold", "integer")],
    ),
    (
        "empty_source",
        [('indicator: TC01.officer, points: 50, source: "secondary: vitreem.baodansinh.vn"',
          'indicator: TC01.officer, points: 50, source: ""')],
        [(("indicator: TC01.officer,",), "criteria[0].components[0].source", "at least 1 character")],
    ),
    # --- strict types: text or booleans where numbers or flags belong
    (
        "threshold_as_text",
        [("threshold: 850,", 'threshold: "850",')],
        [(('threshold: "850"',), "categories[1].threshold", None)],
    ),
    (
        "threshold_as_boolean",
        [("threshold: 850,", "threshold: true,")],
        [(("threshold: true",), "categories[1].threshold", None)],
    ),
    (
        "per_as_boolean",
        [("        per: 1000\n        source: \"estimate\"\n        verified: false\n        if_denominator_zero: {points: 100,",
          "        per: true\n        source: \"estimate\"\n        verified: false\n        if_denominator_zero: {points: 100,")],
        [(("per: true",), "criteria[2].components[0].per", None)],
    ),
    (
        "verified_as_text",
        [('threshold: 850, source: "secondary: thukyluat.vn summary", verified: false',
          'threshold: 850, source: "secondary: thukyluat.vn summary", verified: "yes"')],
        [(('verified: "yes"',), "categories[1].verified", None)],
    ),
    # --- YAML itself
    (
        "yaml_syntax_error",
        [("status: provisional\n", "status: provisional: yes\n")],
        [(("status: provisional: yes",), "yaml", "mapping values are not allowed")],
    ),
    (
        "duplicate_yaml_key",
        [("status: provisional\n", "status: provisional\nstatus: draft\n")],
        [(("status: draft",), "yaml", "duplicate key")],
    ),
    (
        "non_string_key",
        [("status: provisional\n", "status: provisional\n5: five\n")],
        [(("5: five",), "5", "unknown key")],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [pytest.param(e, x, id=i) for i, e, x in CASES])
def test_each_problem_names_file_line_and_field(tmp_path, edits, expected):
    text = mutate(SOURCE, *edits)
    path = write(tmp_path, text)
    if not expected:  # a valid edit: the loader accepts it
        assert load_version(path).status == "draft"
        return
    problems = problems_of(path)
    assert all(p.file == str(path) for p in problems), show(problems)
    want = sorted((locate(text, anchor), field) for anchor, field, _ in expected)
    got = sorted((p.line, p.field) for p in problems)
    assert got == want, show(problems)
    for anchor, field, fragment in expected:
        match = next(p for p in problems if p.field == field and p.line == locate(text, anchor))
        if fragment is not None:
            assert fragment in english(match.message), show(problems)
        assert str(match).startswith(f"{path}:{match.line}: {field}: "), str(match)


def test_every_kind_of_problem_is_reported_in_one_run(tmp_path):
    """Structural (pydantic) and cross-field problems of one file come back together in one CriteriaError."""
    text = mutate(
        SOURCE,
        ("status: provisional\n", "status: provisional\ncolour: red\n"),  # unknown key
        ("{id: other,", "{id: ward_central_city,"),  # duplicate category id
        ("{min: 95, max: 98, points: 50,", "{min: 95, max: 99, points: 50,"),  # overlapping band
        ("indicator: TC01.officer, points: 50", "indicator: TC01.officer, points: 60"),  # above the maximum
        ("threshold: 800,", "threshold: 1800,"),  # threshold above the total
    )
    path = write(tmp_path, text)
    problems = problems_of(path)
    got = {(p.line, p.field) for p in problems}
    want = {
        (locate(text, ("colour: red",)), "colour"),
        (locate(text, ("Xã, phường, thị trấn còn lại",)), "categories[1].id"),
        (locate(text, ("{min: 95, max: 99",)), "criteria[1].components[0].bands[1].max"),
        (locate(text, ("- code: TC01", "max_points:")), "criteria[0].max_points"),
        (locate(text, ("threshold: 1800",)), "categories[2].threshold"),
    }
    assert want <= got, "missing: " + ", ".join(f for _, f in sorted(want - got)) + "\n" + show(problems)


def test_cross_field_problems_are_reported_together(tmp_path):
    text = mutate(
        SOURCE,
        ("{id: other,", "{id: ward_central_city,"),
        ("{min: 95, max: 98, points: 50,", "{min: 95, max: 97, points: 50,"),
        ("indicator: TC01.officer, points: 50", "indicator: TC01.officer, points: 60"),
        ("threshold: 800,", "threshold: 1800,"),
        ("- code: TC05\n", "- code: TC04\n"),
    )
    path = write(tmp_path, text)
    fields = {p.field for p in problems_of(path)}
    assert {
        "categories[1].id",
        "criteria[1].components[0].bands[1].max",
        "criteria[0].max_points",
        "categories[2].threshold",
        "criteria[4].code",
    } <= fields


def test_structural_problems_are_reported_together(tmp_path):
    text = mutate(
        SOURCE,
        ("status: provisional\n", "status: final\ncolour: red\n"),
        ("indicator: TC01.budget, points: 20", "indicator: TC01.budget, points: -20"),
        ("{min: 95, max: 98, points: 50,", "{min: 95, max: 98, weight: 2, points: 50,"),
    )
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert {(p.line, p.field) for p in problems} == {
        (locate(text, ("status: final",)), "status"),
        (locate(text, ("colour: red",)), "colour"),
        (locate(text, ("indicator: TC01.budget,",)), "criteria[0].components[3].points"),
        (locate(text, ("weight: 2",)), "criteria[1].components[0].bands[1].weight"),
    }, show(problems)


def test_official_version_must_hold_only_verified_numbers(tmp_path):
    text = mutate(SOURCE, ("status: provisional\n", "status: official\n"))
    problems = problems_of(write(tmp_path, text))
    assert {english(p.message) for p in problems} == {"an official version may hold only verified numbers"}
    assert all(p.field.endswith(".verified") for p in problems)
    shipped_unverified = SOURCE.count("verified: false")
    assert len(problems) == shipped_unverified
    assert (locate(text, ("threshold: 850",)), "categories[1].verified") in {(p.line, p.field) for p in problems}
    # the one verified category is not named
    assert "categories[0].verified" not in {p.field for p in problems}


def test_official_version_with_every_number_verified_loads(tmp_path):
    text = mutate(SOURCE, ("status: provisional\n", "status: official\n")).replace("verified: false", "verified: true")
    version = load_version(write(tmp_path, text))
    assert version.status == "official"
    assert version.provisional is False


def test_an_impossible_date_is_a_criteria_error_not_a_crash(tmp_path):
    """2019-02-30 must come back as a Problem naming file and line, not as a ValueError traceback."""
    text = mutate(SOURCE, ("effective_from: 2019-01-03", "effective_from: 2019-02-30"))
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert all(p.file == str(path) for p in problems)
    assert locate(text, ("effective_from:",)) in {p.line for p in problems}, show(problems)


def test_a_file_that_is_not_utf8_is_a_criteria_error_not_a_crash(tmp_path):
    path = tmp_path / "qd06-2019.yaml"
    path.write_bytes(SOURCE.encode("utf-8").replace("Tiêu chuẩn, trình".encode(), b"Ti\xeau chu\xe1n, tr\xecnh", 1))
    problems = problems_of(path)
    assert [p.file for p in problems] == [str(path)]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        pytest.param("- a\n- b\n", "(document)", id="a_list"),
        pytest.param("", "(document)", id="empty_file"),
        pytest.param("just text\n", "(document)", id="a_scalar"),
    ],
)
def test_a_criteria_file_must_be_a_mapping(tmp_path, content, field):
    path = tmp_path / "qd06-2019.yaml"
    path.write_text(content, encoding="utf-8")
    problems = problems_of(path)
    assert [(p.file, p.line, p.field) for p in problems] == [(str(path), 1, field)]


# ------------------------------------------------------------------------------------------- the shipped file
def test_shipped_version_content():
    version = load_version(SHIPPED)
    assert version.id == "qd06-2019"
    assert version.status == "provisional" and version.provisional
    assert [c.code for c in version.criteria] == [f"TC{n:02d}" for n in range(1, 14)]
    assert [(c.id, c.threshold) for c in version.categories] == [
        ("ward_central_city", 900),
        ("other", 850),
        ("mountain_island_difficult", 800),
    ]
    types = {i.code: i.type for _, i in version.indicators()}
    required = {
        "TC01.officer": "yes_no", "TC01.collaborators": "yes_no", "TC01.board": "yes_no", "TC01.budget": "yes_no",
        "TC06.special_children": "count", "TC06.special_children_supported": "count",
        "TC06.cases": "count", "TC06.cases_with_plan": "count",
        "TC07.children_under_1": "count", "TC07.fully_immunised": "count",
    }
    assert {code: types.get(code) for code in required} == required
    assert sorted(c for c in types if c.startswith("TC01.")) == sorted(c for c in required if c.startswith("TC01."))
    assert sorted(c for c in types if c.startswith("TC06.")) == sorted(c for c in required if c.startswith("TC06."))
    assert sorted(c for c in types if c.startswith("TC07.")) == sorted(c for c in required if c.startswith("TC07."))
    assert version.max_total.points == sum(c.max_points for c in version.criteria)


def test_band_edges_stay_exact_decimals(tmp_path):
    text = mutate(
        SOURCE,
        ("{min: 98, points: 50, source: \"secondary: cuuchienbinh.vn, baothaibinh\"",
         "{min: 97.5, points: 50, source: \"secondary: cuuchienbinh.vn, baothaibinh\""),
        ("{min: 95, max: 98, points: 35,", "{min: 95, max: 97.5, points: 35,"),
    )
    version = load_version(write(tmp_path, text))
    band = version.criteria[6].components[0].bands[0]
    assert str(band.min) == "97.5"


# ------------------------------------------------------------------------------------------- the registry
def two_versions(folder: Path, *, gap: bool = False, overlap: bool = False) -> Path:
    """qd06-2019 (2019-01-03 → 2024-12-31) and qd06-2025 (from 2025-01-01, or later with a gap)."""
    old_end = "2025-06-30" if overlap else "2024-12-31"
    new_start = "2026-01-01" if gap else "2025-01-01"
    write(folder, mutate(SOURCE, ("effective_to: null", f"effective_to: {old_end}")))
    write(
        folder,
        mutate(SOURCE, ("id: qd06-2019\n", "id: qd06-2025\n"),
               ("effective_from: 2019-01-03", f"effective_from: {new_start}")),
        "qd06-2025",
    )
    return folder


@pytest.fixture(scope="module")
def consecutive(tmp_path_factory) -> Registry:
    return Registry.load(two_versions(tmp_path_factory.mktemp("consecutive")))


@pytest.fixture(scope="module")
def with_a_gap(tmp_path_factory) -> Registry:
    return Registry.load(two_versions(tmp_path_factory.mktemp("gap"), gap=True))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2019-01-03", "qd06-2019"),
        ("2024-12-31", "qd06-2019"),
        ("2025-01-01", "qd06-2025"),
        ("2040-06-01", "qd06-2025"),
        ("2019-01-02", None),
        ("1990-01-01", None),
    ],
)
def test_version_in_force_is_chosen_by_date(consecutive, day, expected):
    registry = consecutive
    when = dt.date.fromisoformat(day)
    if expected is None:
        with pytest.raises(NoVersionInForce, match=day):
            registry.in_force(when)
    else:
        assert registry.in_force(when).id == expected
        assert registry.resolve(None, when).id == expected


@pytest.mark.parametrize("day", ["2025-01-01", "2025-07-14", "2025-12-31"])
def test_a_date_between_versions_is_a_clear_error(with_a_gap, day):
    with pytest.raises(NoVersionInForce) as info:
        with_a_gap.in_force(dt.date.fromisoformat(day))
    message = str(info.value)
    assert f"no criteria version is in force on {day}" in message
    assert "qd06-2019" in message and "qd06-2025" in message


def test_resolve_prefers_the_named_version(consecutive):
    registry = consecutive
    assert registry.resolve("qd06-2019", dt.date(2030, 1, 1)).id == "qd06-2019"
    with pytest.raises(UnknownVersion, match="qd06-1999"):
        registry.resolve("qd06-1999", None)


def test_overlapping_versions_are_refused(tmp_path):
    folder = two_versions(tmp_path / "c", overlap=True)
    with pytest.raises(CriteriaError) as info:
        Registry.load(folder)
    [problem] = info.value.problems
    later = folder / "qd06-2025.yaml"
    assert problem.file == str(later)
    assert problem.field == "effective_from"
    assert problem.line == locate(later.read_text(encoding="utf-8"), ("effective_from:",))
    assert "qd06-2019 is still in force" in problem.message


def test_registry_reports_the_problems_of_every_file_in_one_run(tmp_path):
    folder = tmp_path / "c"
    two_versions(folder)
    first = write(folder, mutate((folder / "qd06-2019.yaml").read_text(encoding="utf-8"),
                                 ("threshold: 850,", "threshold: 1850,")))
    second = write(folder, mutate((folder / "qd06-2025.yaml").read_text(encoding="utf-8"),
                                  ("{min: 95, max: 98, points: 50,", "{min: 95, max: 97, points: 50,")), "qd06-2025")
    with pytest.raises(CriteriaError) as info:
        Registry.load(folder)
    assert {(p.file, p.field) for p in info.value.problems} == {
        (str(first), "categories[1].threshold"),
        (str(second), "criteria[1].components[0].bands[1].max"),
    }


def test_a_folder_without_criteria_files_is_an_error(tmp_path):
    with pytest.raises(CriteriaError) as info:
        Registry.load(tmp_path)
    [problem] = info.value.problems
    assert problem.file == str(tmp_path)
    assert "no criteria file" in problem.message


def test_the_folder_is_a_parameter_defaulting_to_the_shipped_criteria(tmp_path, monkeypatch):
    """``CFC_CRITERIA_DIR`` is read by the deployment's settings (``dossiers.config``), never by the engine."""
    copy = write(tmp_path / "copy", SOURCE)
    monkeypatch.setenv("CFC_CRITERIA_DIR", str(tmp_path / "elsewhere"))
    assert default_directory() == DIRECTORY
    assert Registry.load().files["qd06-2019"] == SHIPPED
    assert Registry.load(None).files["qd06-2019"] == SHIPPED
    assert Registry.load(copy.parent).files == {"qd06-2019": copy}
    assert Registry.load(str(copy.parent)).files == {"qd06-2019": copy}


def test_the_fingerprint_follows_the_content(tmp_path):
    shipped = load_version(SHIPPED)
    same = load_version(write(tmp_path / "same", SOURCE))
    moved = mutate(SOURCE, ("{min: 80, points: 75,", "{min: 90, points: 75,"),
                   ("{min: 70, max: 80, points: 50,", "{min: 70, max: 90, points: 50,"))
    edited = load_version(write(tmp_path / "edited", moved))
    assert len(fingerprint(shipped)) == 16 and int(fingerprint(shipped), 16) >= 0
    assert fingerprint(same) == fingerprint(shipped)  # another object, the same content
    assert fingerprint(edited) != fingerprint(shipped)
    assert fingerprint(shipped) is fingerprint(shipped)  # cached per object


def test_loading_never_writes_the_file(tmp_path):
    path = write(tmp_path, SOURCE)
    before = path.stat().st_mtime_ns, path.read_bytes()
    load_version(path)
    Registry.load(tmp_path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
