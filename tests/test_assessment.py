"""Assessment input: every bad value is reported together, each naming its indicator code; nothing is scored."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from criteria import DIRECTORY
from dossiers.language import reader
from engine.assessment import (
    check_values,
    coerce,
    parse_assessment,
    parse_header,
    read_assessment_file,
)
from engine.errors import AssessmentError
from engine.loader import load_version
from engine.template import example_header, example_values, template


@pytest.fixture(scope="module")
def version():
    return load_version(DIRECTORY / "qd06-2019.yaml")


def good_values() -> dict:
    return dict(example_values())


def good_document() -> dict:
    return {
        "commune": {"code": "23284", "name": "Xã Đắk Rơ Wa", "category": "other"},
        "year": 2024,
        "criteria_version": "qd06-2019",
        "assessed_on": "2024-11-15",
        "indicators": good_values(),
    }


ENGLISH = reader("en")  # messages are Vietnamese (str) and rendered in English from the catalogue


def problems(error: AssessmentError) -> list[tuple[str, str]]:
    """(code, message), the message in both languages: "Vietnamese | English"."""
    return [(p.code, f"{p.message} | {ENGLISH(p.message)}") for p in error.problems]


def test_the_example_values_are_valid_and_typed(version):
    values = check_values(version, good_values(), "other")
    assert set(values) == set(version.indicator_map())
    for code, indicator in version.indicator_map().items():
        value = values[code]
        if indicator.type == "yes_no":
            assert type(value) is bool, code
        elif indicator.type == "count":
            assert type(value) is int, code
        else:
            assert isinstance(value, Decimal), code
    assert values["TC13.satisfaction"] == Decimal("86.5")


# (indicator code, bad value, fragment of the message); each alone is the only problem of the assessment.
BAD_VALUES = [
    ("TC01.officer", 1, "expects yes or no"),
    ("TC01.officer", "yes", "expects yes or no"),
    ("TC01.officer", "true", "expects yes or no"),
    ("TC02.children_born", True, "expects a number, got True"),
    ("TC02.children_born", False, "expects a number, got False"),
    # a quoted number is read the Vietnamese way; an ambiguous one is refused, never read as 1
    ("TC02.children_born", "1,000", "«1,000» không rõ là 1000 hay 1: viết 1000 hoặc 1.000"),
    ("TC02.children_born", "1.5", "«1.5» không phải là số nguyên"),
    ("TC02.children_born", "1.23.4", "không phải là số viết đúng"),
    ("TC02.children_born", "một trăm", "expects a number, got text"),
    ("TC02.children_born", -1, "is negative"),
    # a float count: an unquoted 3.000 in YAML is the float 3.0, so no float passes as a count
    ("TC02.children_born", 120.5, "120.5 là số thập phân, không phải số nguyên"),
    ("TC02.children_born", 120.0, '120.0 là số thập phân, không phải số nguyên: trong tệp YAML hoặc JSON, số trẻ em, '
                                  'số vụ ghi là số nguyên (3000) hoặc số trong dấu ngoặc kép ("3.000")'),
    ("TC02.children_born", float("nan"), "finite"),
    ("TC02.children_born", float("inf"), "finite"),
    ("TC02.children_born", [120], "expects a number"),
    ("TC02.children_born", {"n": 120}, "expects a number"),
    ("TC02.children_born", dt.date(2024, 1, 1), "expects a number"),
    ("TC02.children_born", None, "missing value"),
    ("TC02.children_born", 10_000_001, "10.000.001 lớn hơn 10.000.000"),
    ("TC02.children_born", 10_000_001, "is above 10,000,000"),  # beyond what durable-rules compares exactly
    ("TC13.satisfaction", 100.5, "at most 100"),
    ("TC13.satisfaction", 86.555, "at most 2 decimals"),
    ("TC13.satisfaction", "86 điểm", "expects a number, got text"),
    ("TC13.satisfaction", "86,555", "có quá 2 chữ số thập phân"),
    ("TC13.satisfaction", "1.000", "at most 100"),
    ("TC13.satisfaction", True, "expects a number"),
    ("TC13.satisfaction", -0.5, "is negative"),
    # a numerator above its denominator (percentage) and cases above the population (rate)
    # the denominator named by its label
    ("TC07.fully_immunised", 51, "51 lớn hơn «Số trẻ em dưới 1 tuổi» (50)"),
    ("TC07.fully_immunised", 51, "51 is above «Số trẻ em dưới 1 tuổi» (50)"),
    ("TC06.special_children_supported", 41, "41 is above «Số trẻ em có hoàn cảnh đặc biệt» (40)"),
    ("TC06.cases_with_plan", 3, "3 is above «Số vụ trẻ em bị xâm hại tình dục, bị bỏ rơi, bị mua bán» (2)"),
    ("TC03.abused", 2401, "2.401 lớn hơn «Tổng số trẻ em trên địa bàn» (2.400)"),
    ("TC03.abused", 2401, "2,401 is above «Tổng số trẻ em trên địa bàn» (2,400)"),
]


@pytest.mark.parametrize(("code", "value", "fragment"), BAD_VALUES,
                         ids=[f"{c}={v!r}" for c, v, _ in BAD_VALUES])
def test_each_bad_value_is_named_by_its_indicator_code(version, code, value, fragment):
    raw = good_values()
    raw[code] = value
    with pytest.raises(AssessmentError) as info:
        check_values(version, raw, "other")
    [(got_code, message)] = problems(info.value)
    assert got_code == code
    assert fragment in message


def test_a_missing_indicator_is_reported(version):
    raw = good_values()
    del raw["TC07.fully_immunised"]
    with pytest.raises(AssessmentError) as info:
        check_values(version, raw)
    assert problems(info.value) == [("TC07.fully_immunised", "chưa nhập giá trị | missing value")]


@pytest.mark.parametrize("code", ["TC99.extra", "TC01.Officer", "TC01", "officer"])
def test_an_unknown_code_is_reported(version, code):
    raw = good_values()
    raw[code] = 1
    with pytest.raises(AssessmentError) as info:
        check_values(version, raw)
    [(got, message)] = problems(info.value)
    assert got == code
    assert "unknown indicator code for qd06-2019" in message


def test_every_problem_is_reported_together(version):
    raw = good_values()
    del raw["TC07.fully_immunised"]  # missing
    raw["TC99.extra"] = 3  # unknown code
    raw["TC03.abused"] = -1  # negative count
    raw["TC02.registered_on_time"] = 121  # numerator above denominator (120)
    raw["TC09.children"] = "2,400"  # an ambiguous number where a count belongs
    raw["TC05.deaths"] = True  # True where a count belongs
    raw["TC01.budget"] = 1  # a number where yes/no belongs
    raw["TC13.satisfaction"] = 101  # score above 100
    with pytest.raises(AssessmentError) as info:
        check_values(version, raw, "other")
    codes = [code for code, _ in problems(info.value)]
    assert sorted(codes) == sorted([
        "TC07.fully_immunised", "TC99.extra", "TC03.abused", "TC02.registered_on_time",
        "TC09.children", "TC05.deaths", "TC01.budget", "TC13.satisfaction",
    ])
    text = str(info.value)
    for code in codes:
        assert code in text


def test_an_empty_indicators_mapping_reports_every_indicator(version):
    with pytest.raises(AssessmentError) as info:
        check_values(version, {})
    assert sorted(code for code, _ in problems(info.value)) == sorted(version.indicator_map())
    assert {message for _, message in problems(info.value)} == {"chưa nhập giá trị | missing value"}


def test_indicators_must_be_a_mapping(version):
    with pytest.raises(AssessmentError) as info:
        check_values(version, [1, 2, 3])
    assert [code for code, _ in problems(info.value)] == ["indicators"]


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("TC03.abused", 0, 0),
        ("TC02.registered_on_time", 120, 120),  # numerator equal to the denominator
        ("TC02.children_born", "120", 120),  # quoted numbers, read the Vietnamese way
        ("TC02.children_born", "3.000", 3000),
        ("TC03.children", "2 400", 2400),
        ("TC02.children_born", 10_000_000, 10_000_000),
        ("TC13.satisfaction", "86,5", Decimal("86.5")),
        ("TC13.satisfaction", "79.99", Decimal("79.99")),
        ("TC13.satisfaction", 0, Decimal(0)),
        ("TC13.satisfaction", 100, Decimal(100)),
        ("TC13.satisfaction", 79.99, Decimal("79.99")),
        ("TC01.officer", False, False),
    ],
)
def test_edge_values_are_accepted(version, code, value, expected):
    raw = good_values()
    raw[code] = value
    values = check_values(version, raw)
    assert values[code] == expected
    assert type(values[code]) is type(expected)


def test_a_zero_denominator_with_zero_numerator_is_valid(version):
    raw = good_values()
    raw["TC06.cases"] = 0
    raw["TC06.cases_with_plan"] = 0
    assert check_values(version, raw)["TC06.cases"] == 0


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        ("count", True, "expects a number"),
        ("count", "3", "text"),
        ("count", Decimal("-1"), "negative"),
        ("count", 3.0, "không phải số nguyên"),
        ("count", Decimal("NaN"), "finite"),
        ("score", Decimal("Infinity"), "finite"),
        ("yes_no", 0, "expects yes or no"),
        ("yes_no", None, "expects yes or no"),
    ],
)
def test_coerce_refuses(kind, value, fragment):
    result, message = coerce(kind, value)
    assert result is None
    assert message is not None and (fragment in message or fragment in ENGLISH(message))


# ----------------------------------------------------------------------------------------------- the header
@pytest.mark.parametrize(
    ("change", "code", "fragment"),
    [
        (lambda d: d.update(colour="red"), "colour", "unknown key"),
        (lambda d: d.pop("commune"), "commune", "needs code, name and category"),
        (lambda d: d["commune"].pop("code"), "commune.code", "missing"),
        (lambda d: d["commune"].update(name="  "), "commune.name", "missing"),
        (lambda d: d["commune"].pop("category"), "commune.category", "missing"),
        (lambda d: d.update(year=True), "year", "expects a year"),
        (lambda d: d.update(year="2024"), "year", "expects a year"),
        (lambda d: d.update(assessed_on="15/11/2024"), "assessed_on", "expects YYYY-MM-DD"),
        (lambda d: d.update(assessed_on=20241115), "assessed_on", "expects YYYY-MM-DD"),
    ],
)
def test_header_problems_are_named(change, code, fragment):
    document = good_document()
    change(document)
    with pytest.raises(AssessmentError) as info:
        parse_header(document)
    found = problems(info.value)
    assert [message for got, message in found if got == code and fragment in message], found
    # a missing commune may also name its missing parts, nothing else
    assert all(got == code or got.startswith(code + ".") for got, _ in found), found


def test_the_header_is_parsed():
    commune, year, assessed_on, version_id = parse_header(good_document())
    assert (commune.code, commune.name, commune.category) == ("23284", "Xã Đắk Rơ Wa", "other")
    assert (year, assessed_on, version_id) == (2024, dt.date(2024, 11, 15), "qd06-2019")


def test_an_unknown_category_is_named(version):
    document = good_document()
    document["commune"]["category"] = "town"
    with pytest.raises(AssessmentError) as info:
        parse_assessment(document, version)
    [(code, message)] = problems(info.value)
    assert code == "commune.category"
    assert "'town'" in message and "ward_central_city" in message


def test_header_and_value_problems_are_reported_together(version):
    document = good_document()
    document["commune"].pop("name")
    document["year"] = "năm nay"
    document["indicators"]["TC07.fully_immunised"] = 99
    document["indicators"]["TC12.play_area"] = "có"
    with pytest.raises(AssessmentError) as info:
        parse_assessment(document, version, "xa.yaml")
    assert sorted(code for code, _ in problems(info.value)) == sorted(
        ["commune.name", "year", "TC07.fully_immunised", "TC12.play_area"]
    )
    assert info.value.source == "xa.yaml"
    assert str(info.value).startswith("xa.yaml: ")


def test_a_valid_document_parses(version):
    assessment = parse_assessment(good_document(), version)
    assert assessment.commune.category == "other"
    assert assessment.year == 2024
    assert assessment.assessed_on == dt.date(2024, 11, 15)
    assert assessment.values["TC01.officer"] is True


# ----------------------------------------------------------------------------------------------- files
def test_yaml_and_json_files_read_the_same(tmp_path):
    document = good_document()
    document["commune"] = {key: example_header()[key] for key in ("code", "name", "category")}
    as_json = tmp_path / "a.json"
    as_json.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    as_yaml = tmp_path / "a.yaml"
    as_yaml.write_text(template(load_version(DIRECTORY / "qd06-2019.yaml"), example_values(),
                                       example_header()), encoding="utf-8")
    from_json, from_yaml = read_assessment_file(as_json), read_assessment_file(as_yaml)
    assert from_json["indicators"] == from_yaml["indicators"]
    assert from_yaml["commune"] == document["commune"]


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("a.yaml", "commune: {code: 1\nyear: 2024\n", "line "),
        ("a.json", '{"commune": \n  {"code": 1,,}}', "line 2"),
        ("a.yaml", "- 1\n- 2\n", "must be a mapping"),
        ("a.json", "[1, 2]", "must be a mapping"),
    ],
)
def test_unreadable_files_name_file_and_line(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AssessmentError) as info:
        read_assessment_file(path)
    [(code, message)] = problems(info.value)
    assert code == "file"
    assert fragment in message
    assert info.value.source == str(path)


def test_a_missing_file_is_an_assessment_error(tmp_path):
    with pytest.raises(AssessmentError) as info:
        read_assessment_file(tmp_path / "nope.yaml")
    assert [code for code, _ in problems(info.value)] == ["file"]


@pytest.mark.parametrize(
    ("written", "expected", "fragment"),
    [
        ("3000", 3000, None),  # a YAML integer
        ('"3.000"', 3000, None),  # a quoted Vietnamese number
        ('"3 000"', 3000, None),
        ("3.000", None, "3.0 là số thập phân, không phải số nguyên"),  # YAML reads 3.0: refused, never 3
        ('"3,000"', None, "«3,000» không rõ là 3000 hay 3"),
    ],
)
def test_a_count_in_a_yaml_file_is_an_integer_or_a_quoted_number(version, tmp_path, written, expected, fragment):
    path = tmp_path / "xa.yaml"
    text = template(version, example_values(), example_header())
    assert "  TC03.children: 2400  #" in text
    path.write_text(text.replace("  TC03.children: 2400  #", f"  TC03.children: {written}  #"), encoding="utf-8")
    data = read_assessment_file(path)
    if expected is not None:
        assert parse_assessment(data, version, str(path)).values["TC03.children"] == expected
        return
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, version, str(path))
    [(code, message)] = problems(info.value)
    assert code == "TC03.children"
    assert fragment in message
