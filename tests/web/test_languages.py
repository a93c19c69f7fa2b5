"""Vietnamese everywhere, English as a real translation; numbers and dates the reader's way.

The engine's messages (a validation error, a refusal, an explanation) are rendered in the reader's language on
pages (``?lang=en``, kept in the session) and in the API's ``error``/``message``/``reasons`` fields (the
``Accept-Language`` header); state and action names are words; the commune's pages carry no technical ids.
"""

from __future__ import annotations

import html
import re

import pytest
from conftest import make_app

from engine.loader import default_directory
from engine.template import example_values


@pytest.fixture(scope="module")
def app(instance, tmp_path_factory):
    """The demo app on a copy of the criteria folder (the rules administrator's test posts to it)."""
    folder = tmp_path_factory.mktemp("criteria")
    for path in default_directory().glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CFC_CRITERIA_DIR", str(folder))
        application = make_app(instance)
    application.config["test.criteria_dir"] = folder
    yield application
    application.extensions["cfc.engine"].dispose()


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def post_values(site, client, dossier: int, data: dict):
    url = f"/commune/dossiers/{dossier}"
    page = client.get(url).get_data(as_text=True)
    lock = site.field_value(page, "lock_version")
    return client.post(url, data={"csrf_token": site.csrf(client, url), "lock_version": lock, "action": "save",
                                  **data})


@pytest.mark.parametrize(("lang", "expected"), [("vi", "là số âm (-5)"), ("en", "is negative (-5)")])
def test_a_validation_error_is_shown_in_the_readers_language(site, lang, expected):
    client = site.client("commune1")
    client.get(f"/commune/?lang={lang}")
    answer = post_values(site, client, 1, {"TC02__children_born": "-5"})
    page = text_of(answer.get_data(as_text=True))
    assert expected in page
    if lang == "vi":
        assert "is negative" not in page


@pytest.mark.parametrize(("lang", "words", "absent"), [
    ("vi", ["Nộp hồ sơ bị từ chối", "chưa nhập đủ, đúng các chỉ số"], "refused"),
    ("en", ["Submit the dossier refused", "indicators missing or invalid"], "bị từ chối"),
])
def test_a_refusal_is_answered_in_the_language_the_api_client_asks(api, site, lang, words, absent):
    before = site.dossier(2).lock_version
    answer = api.post("/api/v1/dossiers/2/transitions", "commune2", json={"event": "submit"},
                      headers={"If-Match": f'"{before}"', "Accept-Language": lang})
    assert answer.status_code == 409, answer.json
    body = answer.json
    assert set(body) >= {"error", "status", "event", "reasons"}  # the field names stay as they were
    for word in words:
        assert word in body["error"]
    assert absent not in body["error"]
    assert all(isinstance(r, str) for r in body["reasons"])
    assert site.dossier(2).lock_version == before


@pytest.mark.parametrize(("lang", "expected"), [("vi", "là số âm (-5)"), ("en", "is negative (-5)")])
def test_api_problem_messages_follow_the_language(api, site, lang, expected):
    before = site.dossier(2).lock_version
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC02.children_born": "-5"},
                     headers={"If-Match": f'"{before}"', "Accept-Language": lang})
    assert answer.status_code == 422
    [problem] = answer.json["problems"]
    assert problem["code"] == "TC02.children_born" and problem["message"] == expected.split(" (")[0] + " (-5)"


@pytest.mark.parametrize(("lang", "missing", "outside"), [
    ("vi", "không có hồ sơ 99999", "hồ sơ 1 không thuộc địa bàn của commune2"),
    ("en", "no dossier 99999", "dossier 1 is outside the area of commune2"),
])
def test_a_missing_or_foreign_dossier_is_answered_in_the_readers_language(api, site, lang, missing, outside):
    answer = api.get("/api/v1/dossiers/99999", "commune2", headers={"Accept-Language": lang})
    assert answer.status_code == 404 and answer.json["error"] == missing
    answer = api.get("/api/v1/dossiers/1", "commune2", headers={"Accept-Language": lang})
    assert answer.status_code == 403 and answer.json["error"] == outside


def score_page(site, lang: str) -> str:
    client = site.client("district1")
    client.get(f"/district/?lang={lang}")
    answer = client.get("/dossiers/3")
    assert answer.status_code == 200
    return text_of(answer.get_data(as_text=True))


def test_explanations_name_indicators_by_their_labels_and_rates_per_1000_children(site):
    page = score_page(site, "vi")
    assert "«Số trẻ em được đăng ký khai sinh đúng quy định»" in page
    assert "TC02.registered_on_time =" not in page
    assert "trên 1.000 trẻ em" in page
    english = score_page(site, "en")
    assert "per 1,000 children" in english and " points" in english


def test_numbers_have_the_readers_separators(site):
    values = example_values()
    assert values["TC03.children"] >= 1000
    vi, en = score_page(site, "vi"), score_page(site, "en")
    assert re.search(r"\b1\.000\b", vi) and not re.search(r"\b1000\b", vi)
    assert re.search(r"\b1,000\b", en)


def test_states_and_history_are_words(site):
    page = score_page(site, "vi")
    assert "Nộp hồ sơ" in page and "transition.submit" not in page
    english = score_page(site, "en")
    assert "Submitted" in english or "Submit" in english


def test_technical_ids_stay_off_the_communes_pages(site):
    client = site.client("commune1")
    client.get("/commune/?lang=vi")
    page = text_of(client.get("/commune/dossiers/1").get_data(as_text=True))
    assert "procedure-2019" not in page and "sha256" not in page
    assert not re.search(r"phiên bản \d", page)
    district = score_page(site, "vi")
    assert "procedure-2019" in district  # the district and the province still see which procedure applies


def test_the_decision_date_is_shown_day_first(site):
    client = site.client("province")
    page = client.get("/province/").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="decision_date"[^>]*>', page)
    assert field, "the batch decision form has a decision date"
    value = re.search(r'value="([^"]*)"', field.group(0)).group(1)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", value), value
    assert 'type="date"' not in field.group(0)


def page_text(site, user: str, home: str, url: str, lang: str) -> str:
    client = site.client(user)
    client.get(f"{home}?lang={lang}")
    answer = client.get(url)
    assert answer.status_code == 200
    return text_of(answer.get_data(as_text=True))


@pytest.mark.parametrize(("lang", "words", "absent"), [
    ("vi", ["Được công nhận"], "Recognised"),
    ("en", ["Recognised"], "Được công nhận"),
])
def test_dossier_states_are_words_of_the_readers_language(site, lang, words, absent):
    page = page_text(site, "province", "/province/", "/dossiers/?status=recognized", lang)
    for word in words:
        assert word in page
    assert absent not in page


@pytest.mark.parametrize(("lang", "words", "absent"), [
    ("vi", ["Tiêu chí", "Tệp minh chứng (PDF, ảnh, Word, Excel)", "Có", "Không", "số nguyên ≥ 0"],
     ["Evidence file", "Criterion", "whole number"]),
    ("en", ["Criterion", "Evidence file (PDF, image, Word, Excel)", "Yes", "No", "whole number ≥ 0"],
     ["Tệp minh chứng", "số nguyên"]),
])
def test_form_labels_and_placeholders_follow_the_language(site, lang, words, absent):
    client = site.client("commune1")
    client.get(f"/commune/?lang={lang}")
    raw = client.get("/commune/dossiers/1").get_data(as_text=True)
    page = text_of(raw)
    placeholders = " ".join(html.unescape(p) for p in re.findall(r'placeholder="([^"]*)"', raw))
    for word in words:
        assert word in page or word in placeholders, word
    for word in absent:
        assert word not in page and word not in placeholders, word


@pytest.mark.parametrize(("lang", "words", "absent"), [
    ("vi", ["Số quyết định", "Ngày quyết định", "Họ tên người ký", "Lý do (bắt buộc khi không công nhận)"],
     "Decision number"),
    ("en", ["Decision number", "Decision date", "Signer's full name", "Reason (required when not recognising)"],
     "Số quyết định"),
])
def test_the_batch_decision_form_speaks_the_readers_language(site, lang, words, absent):
    page = page_text(site, "province", "/province/", "/province/", lang)
    for word in words:
        assert word in page, word
    assert absent not in page


def test_a_field_error_names_the_field_in_the_readers_language(site):
    client = site.client("commune1")
    client.get("/account/password?lang=en")
    url = "/account/password"
    answer = client.post(url, data={"csrf_token": site.csrf(client, url), "current": "demo", "new": "x",
                                    "again": "y"})
    page = text_of(answer.get_data(as_text=True))
    assert "The new password needs" in page and "The two new passwords you typed do not match." in page
    assert "Mật khẩu mới cần" not in page


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "«abc» không phải là số", "is not a number"),
    ("en", "«abc» is not a number", "không phải là số"),
])
def test_the_rules_administrators_error_is_in_the_readers_language(site, app, lang, expected, absent):
    criteria = app.config["test.criteria_dir"] / "qd06-2019.yaml"
    before = criteria.read_bytes()
    client = site.client("admin")
    client.get(f"/admin/?lang={lang}")
    page = client.get("/admin/criteria/qd06-2019/value?at=TC01/officer").get_data(as_text=True)
    action = "/admin/criteria/qd06-2019/correct"
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page, re.S).group(1)
    fields = {}
    for tag in re.findall(r"<(?:input|select)[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and "checkbox" not in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    answer = client.post(action, data=fields | {"correct-field": "points", "correct-value": "abc"})
    assert answer.status_code == 422
    error = re.search(r'<span class="error" id="correct-value-error">(.*?)</span>', answer.get_data(as_text=True),
                      re.S)
    assert error and expected in html.unescape(error.group(1)) and absent not in html.unescape(error.group(1))
    assert criteria.read_bytes() == before


def test_gaps_and_failed_conditions_are_shown_in_the_readers_language(site):
    vi, en = score_page(site, "vi"), score_page(site, "en")
    assert "giảm xuống tối đa" in vi and "lower to at most" not in vi
    assert "lower to at most" in en and "giảm xuống tối đa" not in en and "chuyển sang «có»" not in en


def test_explanations_give_band_ranges_and_measured_values_the_readers_way(site):
    vi, en = score_page(site, "vi"), score_page(site, "en")
    assert "0 < tỷ suất ≤ 1" in vi and "0,41…" in vi
    assert "0 < rate ≤ 1" in en and "0.41…" in en and "tỷ suất" not in en and "tỷ lệ %" not in en


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "Trường này bắt buộc phải điền.", "This field is required."),
    ("en", "This field is required.", "Trường này bắt buộc phải điền."),
])
def test_wtforms_own_messages_are_in_the_readers_language(site, lang, expected, absent):
    """WTForms ships no Vietnamese: its "This field is required." comes from translations/vi/…/wtforms.po."""
    client = site.login("commune1")
    client.get(f"/account/password?lang={lang}")
    answer = client.post("/account/password", data={
        "csrf_token": site.csrf(client, "/account/password"), "current": "", "new": "x" * 20, "again": "x" * 20})
    page = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 200
    assert expected in page
    assert absent not in page


def test_a_bad_import_form_names_the_field_and_reads_nothing(site):
    import io

    client = site.client("commune1")
    client.get("/import?lang=vi")
    answer = client.post("/import", data={"csrf_token": site.csrf(client, "/import"), "year": "hai nghìn",
                                          "file": (io.BytesIO(b"commune_code,TC05.injured\n23335,2\n"), "x.csv")})
    assert answer.status_code == 422
    text = text_of(answer.get_data(as_text=True))
    assert "Năm đánh giá: Không phải số nguyên hợp lệ." in text
    assert "Xác nhận nhập" not in text  # nothing was previewed


def test_a_number_wtforms_refuses_is_explained_in_vietnamese(site):
    client = site.login("admin")
    page = client.get("/admin/impact").get_data(as_text=True)
    assert "csrf_token" in page
    answer = client.post("/admin/impact/upload", data={"csrf_token": site.csrf(client, "/admin/impact"),
                                                       "base": "qd06-2019", "year": "hai nghìn"})
    text = text_of(answer.get_data(as_text=True))
    assert "Không phải số nguyên hợp lệ." in text
    assert "Not a valid integer value." not in text


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "Địa chỉ này không nhận cách gửi này", "The method is not allowed"),
    ("en", "This address does not take this kind of request", "không nhận cách gửi này"),
])
def test_http_errors_speak_the_readers_language(site, lang, expected, absent):
    """Werkzeug's own descriptions are English: a page and the API give ours, in the reader's language."""
    client = site.client("admin")
    client.get(f"/admin/impact?lang={lang}")
    answer = client.post("/admin/impact", data={"csrf_token": site.csrf(client, "/admin/impact")})
    assert answer.status_code == 405
    assert "POST" not in answer.headers["Allow"]
    text = text_of(answer.get_data(as_text=True))
    assert expected in text and absent not in text
    api = site.anonymous().post("/api/v1/openapi.json", headers={"Accept-Language": lang})
    assert api.status_code == 405
    assert expected in api.get_json()["error"]


@pytest.mark.parametrize("lang, expected, absent", [
    ("vi", "Trang này dành cho vai trò: thành viên tổ thẩm định huyện", "district_appraiser"),
    ("en", "This page is for the roles: district appraiser", "district_appraiser"),
])
def test_a_page_of_another_role_names_the_roles_in_words(site, lang, expected, absent):
    client = site.client("commune1")
    client.get(f"/commune/?lang={lang}")
    answer = client.get("/district/")
    assert answer.status_code == 403
    page = text_of(answer.get_data(as_text=True))
    assert expected in page and absent not in page, page[:600]
