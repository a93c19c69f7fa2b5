"""Stored scores are read through the typed model (``engine.result.ScoreResult``) on every page, in the API and
in the documents: a score stored before schema version 2 (no ``schema_version``, no ``fingerprint``, no exact
measured values) renders as it always did, and a stored score that cannot be read never answers 500: the
pages show the dossier without it and say so, the API gives null, a decision is refused with the reason.

This module breaks stored scores on purpose: it has its own copy of the demo database (dossiers 1 and 2 are
drafts, 3 and 4 submitted, 5 and 6 verified, 7 to 9 recognised)."""

from __future__ import annotations

import re

import pytest

from dossiers.models import Dossier
from engine.numbers import format_number
from engine.result import ScoreResult

SUBMITTED, VERIFIED, RECOGNISED = 3, 5, 7


def stored(site, dossier_id: int, column: str):
    with site.service.transaction() as s:
        return getattr(s.get(Dossier, dossier_id), column)


def store(site, dossier_id: int, column: str, value) -> None:
    """Write a score column directly, as an old release or a broken writer would have left it."""
    with site.service.transaction() as s:
        setattr(s.get(Dossier, dossier_id), column, value)


def version_1(score: dict) -> dict:
    """A version-2 score as the first release stored it: no schema_version, fingerprint, measured_exact."""
    old = {k: v for k, v in score.items() if k not in ("schema_version", "fingerprint")}
    old["criteria"] = [{**c, "components": [{k: v for k, v in comp.items() if k != "measured_exact"}
                                            for comp in c["components"]]} for c in score["criteria"]]
    return old


@pytest.fixture
def restore(site):
    """Put back every score column a test changed."""
    saved = []

    def keep(dossier_id: int, column: str) -> None:
        saved.append((dossier_id, column, stored(site, dossier_id, column)))

    yield keep
    for dossier_id, column, value in reversed(saved):
        store(site, dossier_id, column, value)


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


# ------------------------------------------------------------------------------------------- version 1
def test_a_version_1_score_renders_on_the_dossier_page(site, restore):
    for column in ("self_score", "verified_score"):
        restore(RECOGNISED, column)
        current = stored(site, RECOGNISED, column)
        assert current["schema_version"] == 2
        store(site, RECOGNISED, column, version_1(current))
    old = stored(site, RECOGNISED, "verified_score")
    assert "schema_version" not in old and "fingerprint" not in old
    score = ScoreResult.from_stored(old)
    assert score.schema_version == 1 and score.fingerprint is None

    answer = site.client("province").get(f"/dossiers/{RECOGNISED}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    text = text_of(page)
    assert f"{format_number(score.total)} / {format_number(score.max_total)} điểm" in text  # 935 / 1.000
    component = score.criteria[0].components[0]
    labels = {code: ind.label for code, ind in site.service.registry.get(score.criteria_version).indicator_map().items()}
    shown = text_of(page.replace("<br>", " "))  # explanations made from the fields, indicators named by label
    assert component.describe(labels) in shown and component.describe(labels).startswith("«")
    assert "Không đọc được" not in text

    body = site.client("province").get(f"/api/v1/dossiers/{RECOGNISED}",
                                       headers=site.bearer("province")).get_json()
    assert body["verified_score"]["total"] == score.total and body["verified_score"]["schema_version"] == 1
    assert body["verified_score"]["fingerprint"] is None
    minutes = site.client("province").get(f"/dossiers/{RECOGNISED}/minutes.pdf")
    assert minutes.status_code == 200 and minutes.data.startswith(b"%PDF")


# --------------------------------------------------------------------------------------------- unreadable
BROKEN = {
    "a field of the wrong type": lambda score: {**score, "total": "nhiều"},
    "a field missing": lambda score: {k: v for k, v in score.items() if k != "criteria"},
    "an unknown field": lambda score: {**score, "colour": "red"},
    "not a mapping": lambda score: ["935"],
}


@pytest.mark.parametrize("how", list(BROKEN))
def test_an_unreadable_self_score_gives_no_500(site, restore, how):
    restore(SUBMITTED, "self_score")
    store(site, SUBMITTED, "self_score", BROKEN[how](stored(site, SUBMITTED, "self_score")))
    for user, path in (("province", f"/dossiers/{SUBMITTED}"), ("province", "/dossiers/?round=2024"),
                       ("district1", "/district/"), ("district1", f"/district/dossiers/{SUBMITTED}"),
                       ("province", "/province/dashboard?round=2024")):
        answer = site.client(user).get(path)
        assert answer.status_code == 200, (path, answer.status_code)
    page = text_of(site.client("province").get(f"/dossiers/{SUBMITTED}").get_data(as_text=True))
    assert "Không đọc được điểm tự đánh giá đã lưu" in page
    assert "Chưa tính được điểm" in page  # shown as a dossier without a score

    api = site.client("province")
    body = api.get(f"/api/v1/dossiers/{SUBMITTED}", headers=site.bearer("province"))
    assert body.status_code == 200 and body.get_json()["self_score"] is None
    listed = api.get("/api/v1/dossiers?status=submitted", headers=site.bearer("province")).get_json()
    assert {d["id"]: d["total"] for d in listed}[SUBMITTED] is None
    export = api.get("/export?round=2024&format=csv")
    assert export.status_code == 200 and "không đọc được điểm đã lưu" in export.get_data(as_text=True)
    report = api.get("/province/report.pdf?round=2024")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")


def test_an_unreadable_verified_score_refuses_recognition_with_the_reason(site, restore):
    restore(VERIFIED, "verified_score")
    store(site, VERIFIED, "verified_score", {"total": 935})
    assert site.client("province").get("/province/").status_code == 200
    assert site.client("province").get(f"/dossiers/{VERIFIED}").status_code == 200
    with pytest.raises(Exception, match="không đọc được kết quả thẩm định đã lưu"):
        site.service.check_transition("province", VERIFIED, "recognize")
    assert site.client("province").get(f"/dossiers/{VERIFIED}/minutes.pdf").status_code < 500
