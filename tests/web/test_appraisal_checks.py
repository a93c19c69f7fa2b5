"""An appraisal is checked as the panel will score it: the appraised value where one is given, else the commune's.

A numerator appraised above the commune's denominator (TC07: 70 children fully immunised of the commune's 50
children under 1) is refused at once, through the appraisal page and the API alike, naming the indicator by
code and label, and nothing is saved; a denominator appraised below the numerator is refused on the
denominator, the field the request sent. Appraising both consistently still saves.
"""

from __future__ import annotations

import pytest
from test_api import Unchanged, seen
from test_appraisal_rounds import post_form
from test_csrf import form_values

SUBMITTED = 4  # a submitted dossier of the demo, district1's
TOP, BOTTOM = "TC07.fully_immunised", "TC07.children_under_1"


@pytest.fixture
def commune(fresh_site):
    """The fresh demo site, with dossier 4's commune values of TC07 (what the panel starts from)."""
    values = fresh_site.dossier(SUBMITTED).values
    assert values[TOP]["appraised"] is None and values[BOTTOM]["appraised"] is None
    fresh_site.bearer("district1")  # the token is issued (and audited) before anything is checked
    return fresh_site, int(values[BOTTOM]["self"]), int(values[TOP]["self"])


def test_the_api_refuses_a_numerator_above_the_communes_denominator(commune):
    site, under_1, _ = commune
    with Unchanged(site, SUBMITTED):
        answer = site.app.test_client().put(
            f"/api/v1/dossiers/{SUBMITTED}/indicators", json={TOP: under_1 + 20},
            headers={**site.bearer("district1"), **seen(site, SUBMITTED)})
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.json["codes"] == [TOP]
    message = answer.json["problems"][0]["message"]
    assert f"({TOP}) {under_1 + 20} (thẩm định)" in message
    assert f"«Số trẻ em dưới 1 tuổi» ({BOTTOM}) {under_1} (xã tự đánh giá)" in message


def test_the_api_refuses_a_denominator_below_the_communes_numerator_naming_the_field_sent(commune):
    site, _, immunised = commune
    with Unchanged(site, SUBMITTED):
        answer = site.app.test_client().put(
            f"/api/v1/dossiers/{SUBMITTED}/indicators", json={BOTTOM: immunised - 1},
            headers={**site.bearer("district1"), **seen(site, SUBMITTED)})
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.json["codes"] == [BOTTOM]
    assert f"{immunised} (xã tự đánh giá) lớn hơn" in answer.json["problems"][0]["message"]


def test_the_appraisal_page_refuses_it_and_saves_nothing(commune):
    site, under_1, _ = commune
    page = f"/district/dossiers/{SUBMITTED}"
    with Unchanged(site, SUBMITTED):
        answer = post_form(site, "district1", page, page, form_values({TOP: under_1 + 20}))
        assert answer.status_code == 422, answer.status_code
    text = answer.get_data(as_text=True)
    assert "Đã lưu kết quả thẩm định" not in text
    assert f"({TOP}) {under_1 + 20} (thẩm định) lớn hơn «Số trẻ em dưới 1 tuổi» ({BOTTOM}) {under_1}" in text


def test_both_appraised_consistently_are_saved(commune):
    site, under_1, _ = commune
    answer = site.app.test_client().put(
        f"/api/v1/dossiers/{SUBMITTED}/indicators", json={TOP: under_1 + 20, BOTTOM: under_1 + 25},
        headers={**site.bearer("district1"), **seen(site, SUBMITTED)})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    values = site.dossier(SUBMITTED).values
    assert (values[TOP]["appraised"], values[BOTTOM]["appraised"]) == (str(under_1 + 20), str(under_1 + 25))
