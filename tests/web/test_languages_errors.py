"""The application's refusals reach the reader in the reader's language (``?lang=en`` on pages, the
``Accept-Language`` header on the API) and in the Vietnamese of before otherwise: a stale version on the API, a
missing evidence file, an import file with bad cells (its summary too), a file beyond the limits, a file that
cannot be read (an old .xls, a broken .xlsx, an empty CSV)."""

from __future__ import annotations

import io

import pytest


def text_of(page: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(("lang", "head", "tail"), [
    ("vi", "hồ sơ 2 đã thay đổi từ phiên bản {old} lên {new}: ", ". Không có gì được lưu; hãy tải lại."),
    ("en", "dossier 2 changed from version {old} to {new}: ", ". Nothing was stored; please reload."),
])
def test_a_stale_version_is_answered_in_the_api_clients_language(api, site, lang, head, tail):
    before = site.dossier(2).lock_version
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC13.satisfaction": "77"},
                     headers={"If-Match": f'"{before - 1}"', "Accept-Language": lang})
    assert answer.status_code == 409, answer.json
    error = answer.json["error"]
    assert error.startswith(head.format(old=before - 1, new=before)) and error.endswith(tail), error
    assert site.dossier(2).lock_version == before
    # who changed it, when in Vietnam's time as the history shows it, and what in words (no audit codes)
    import re

    changes = error[len(head.format(old=before - 1, new=before)):-len(tail)]
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", changes) and not re.search(r"\d{4}-\d{2}-\d{2}", changes), changes
    assert not re.search(r"\b(values|transition|evidence|dossier)\.[a-z]", changes), changes
    assert (" lúc " in changes) == (lang == "vi"), changes


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "hồ sơ 1 không có minh chứng 999999", "has no evidence"),
    ("en", "dossier 1 has no evidence 999999", "không có minh chứng"),
])
def test_a_missing_evidence_file_is_named_in_the_readers_language(site, lang, expected, absent):
    client = site.client("commune1")
    client.get(f"/commune/?lang={lang}")
    answer = client.post("/commune/dossiers/1/evidence/999999/delete",
                         data={"csrf_token": site.csrf(client, "/login"),
                               "lock_version": str(site.dossier(1).lock_version)})
    page = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 404
    assert expected in page and absent not in page


def upload(site, lang: str, data: bytes, name: str):
    client = site.client("district1")
    client.get(f"/district/?lang={lang}")
    answer = client.post("/import", data={"csrf_token": site.csrf(client, "/import"), "year": "2024",
                                          "file": (io.BytesIO(data), name)})
    return answer.status_code, text_of(answer.get_data(as_text=True))


IMPORT = {
    "vi": (["Thử (không lưu) bad.csv, năm 2024", "2 ô sai", "không có chỉ số NOPE trong bộ tiêu chí",
            "không có xã, phường, đặc khu nào mã 99999 vào ngày 2024-"], ["Dry run", "has no indicator"]),
    "en": (["Dry run (nothing stored) bad.csv, round 2024", "2 bad cells", " has no indicator NOPE",
            "no commune, ward or special zone has the code 99999 on 2024-"], ["Thử", "ô sai", "không có chỉ số"]),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_import_preview_lists_bad_cells_in_the_readers_language(site, lang):
    status, page = upload(site, lang, b"commune_code,NOPE\n99999,1\n", "bad.csv")
    assert status == 200
    present, absent = IMPORT[lang]
    for text in present:
        assert text in page, text
    for text in absent:
        assert text not in page, text


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "wide.csv: dòng 1 có dữ liệu ở cột SG, vượt giới hạn 500 cột", "above the limit"),
    ("en", "wide.csv: row 1 has data in column SG, above the limit of 500 columns", "vượt giới hạn"),
])
def test_a_file_beyond_the_limits_is_refused_in_the_readers_language(site, lang, expected, absent):
    data = ("commune_code," + ",".join(["x"] * 500) + "\n").encode()
    status, page = upload(site, lang, data, "wide.csv")
    assert status == 400
    assert expected in page and absent not in page


UNREADABLE = {  # name, bytes → (Vietnamese, English)
    "cu.xls": (b"\xd0\xcf\x11\xe0",
               "cu.xls: tệp Excel định dạng cũ (.xls) không đọc được; hãy lưu tệp dưới dạng .xlsx hoặc .csv",
               "cu.xls: the old Excel format (.xls) is not read; save the file as .xlsx or .csv"),
    "hong.xlsx": (b"not a zip", "hong.xlsx: không phải tệp .xlsx hợp lệ (BadZipFile: File is not a zip file)",
                  "hong.xlsx: not a valid .xlsx file (BadZipFile: File is not a zip file)"),
    "trong.csv": (b"", "trong.csv: tệp trống, không có dòng nào", "trong.csv: the file is empty, it has no rows"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", UNREADABLE)
def test_a_file_that_cannot_be_read_is_refused_in_the_readers_language(site, lang, name):
    data, vietnamese, english = UNREADABLE[name]
    status, page = upload(site, lang, data, name)
    assert status == 400
    expected, other = (vietnamese, english) if lang == "vi" else (english, vietnamese)
    assert expected in page and other not in page


@pytest.mark.parametrize(("lang", "status_text", "export_text", "absent"), [
    ("vi", "không có trạng thái «nope»", "format: xlsx hoặc csv; what: results, audit hoặc template",
     ["there is no status", " or csv"]),
    ("en", "there is no status «nope»", "format: xlsx or csv; what: results, audit or template",
     ["không có", "hoặc"]),
])
def test_a_hand_made_address_is_refused_in_the_readers_language(site, lang, status_text, export_text, absent):
    client = site.client("district1")
    client.get(f"/district/?lang={lang}")
    for url, expected in (("/dossiers/?status=nope", status_text), ("/export?format=ods", export_text)):
        answer = client.get(url)
        page = text_of(answer.get_data(as_text=True))
        assert answer.status_code == 400
        assert expected in page and not any(text in page for text in absent), page
