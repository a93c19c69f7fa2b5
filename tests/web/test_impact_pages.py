"""The impact page (admin.impact): who may open it, the upload (CSRF, invalid and hostile files), the results of a
correction that flips demo communes (the same as the application computes), the spreadsheet, a GET that writes
nothing; and the publish page that lists the recognised dossiers a version changes before publishing."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dossiers import criteria_admin
from dossiers.impact import round_impact
from dossiers.impact_proposal import load_proposal
from engine.edit import set_value
from engine.loader import Registry, default_directory

VERSION = "qd06-2019"
EDITS = {"TC07/immunisation/bands/3/points": "20", "TC07/met_at": "20", "TC11/met_at": "25",
         "TC12/met_at": "25", "TC13/met_at": "25", "TC02/met_at": "75", "categories/other/threshold": "780"}
PAGE = "/admin/impact"
SHIPPED = default_directory()
QUERY = {"base": VERSION, "version": VERSION, "round": "2024"}


def corrected(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{VERSION}.yaml"
    shutil.copy(default_directory() / f"{VERSION}.yaml", path)
    for locator, value in EDITS.items():
        set_value(path, locator, value, by="test")
    return path


def upload(site, user: str, data: bytes, name: str = "de-xuat.yaml", token: str | None = "auto"):
    client = site.client(user)
    form = {"base": VERSION, "year": "2024", "province": "", "file": (io.BytesIO(data), name)}
    if token == "auto":
        form["csrf_token"] = site.csrf(client, PAGE)
    elif token is not None:
        form["csrf_token"] = token
    return client.post(f"{PAGE}/upload", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("user, status", [("admin", 200), ("province", 200), ("commune1", 403), ("district1", 403),
                                          ("chair1", 403)])
def test_who_may_open_the_page(site, user, status):
    assert site.client(user).get(PAGE, query_string=QUERY).status_code == status
    assert site.client(user).get(f"{PAGE}.xlsx", query_string=QUERY).status_code == status


def test_signed_out_goes_to_the_login(site):
    assert site.login_redirect(site.anonymous().get(PAGE), PAGE)


@pytest.mark.parametrize("query", [
    {**QUERY, "round": "abc"}, {**QUERY, "round": "99999"}, {**QUERY, "base": "nope"}, {**QUERY, "version": "x"},
    {"base": VERSION, "round": "2024", "file": "../../etc/passwd"}, {**QUERY, "province": "<script>"},
    {**QUERY, "province": "99"},
])
def test_bad_parameters_are_named_not_500(site, query):
    answer = site.client("admin").get(PAGE, query_string=query)
    assert answer.status_code in (400, 404), answer.status_code


def test_an_uploaded_correction_shows_who_changes_and_a_get_writes_nothing(site, tmp_path):
    path = corrected(tmp_path / "p")
    answer = upload(site, "admin", path.read_bytes())
    assert answer.status_code == 302
    target = answer.headers["Location"]
    assert "file=" in target
    expected = round_impact(site.service, "admin", VERSION, load_proposal(path), 2024)
    assert expected.gained and expected.lost
    before = site.state()
    page = site.client("admin").get(target)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert set(re.findall(r'<tr data-commune="(\d+)"', html)) == {f.commune_code for f in expected.flips}
    assert f'<td id="gained">{len(expected.gained)}</td>' in html and f'<td id="lost">{len(expected.lost)}</td>' in html
    assert "<svg" in html and "TC07" in html
    sheet = site.client("admin").get(target.replace(PAGE + "?", PAGE + ".xlsx?"))
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.data))
    assert [r[0] for r in book["Thay đổi"].iter_rows(min_row=3, values_only=True)] == [
        f.commune_code for f in expected.flips]
    assert site.state() == before


def test_the_province_sees_its_own_dossiers(site):
    html = site.client("province").get(PAGE, query_string={**QUERY, "province": "62"}).get_data(as_text=True)
    assert "14 / 16" in html


def test_an_upload_without_csrf_is_refused_and_stores_nothing(site, tmp_path):
    folder = site.folder / "proposals"
    before = sorted(folder.iterdir()) if folder.exists() else []
    data = corrected(tmp_path / "c").read_bytes() + b"\n# csrf\n"
    for token in (None, "made-up"):
        assert upload(site, "admin", data, token=token).status_code == 400
    assert (sorted(folder.iterdir()) if folder.exists() else []) == before


def test_an_invalid_file_is_refused_with_its_line(site):
    text = (default_directory() / f"{VERSION}.yaml").read_text(encoding="utf-8")
    number = next(i for i, line in enumerate(text.splitlines(), 1) if "threshold: 850" in line)
    answer = upload(site, "admin", text.replace("threshold: 850", "threshold: -5").encode(), "sai.yaml")
    assert answer.status_code == 422
    assert f"sai.yaml:{number}: " in answer.get_data(as_text=True)


@pytest.mark.parametrize("data", [
    b"a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n",
    b"\xff\xfe not utf-8", b"[" * 5000, b"", b"- just\n- a list\n",
])
def test_hostile_uploads_are_refused_without_500(site, data):
    answer = upload(site, "admin", data, "x.yaml")
    assert answer.status_code in (413, 422), answer.status_code


def test_a_file_over_the_limit_is_a_413(site, monkeypatch):
    monkeypatch.setattr("webforms.admin.impact.MAX_PROPOSAL_BYTES", 4000)  # a small upload stays in memory
    assert upload(site, "admin", b"# " + b"x" * 4000, "big.yaml").status_code == 413


def test_publish_lists_the_recognised_dossiers_that_change_and_asks(site, tmp_path, monkeypatch):
    path = corrected(tmp_path / "criteria")
    expected = round_impact(site.service, "admin", VERSION, load_proposal(path), 2024)
    recognised_lost = {f.commune_code for f in expected.lost if f.status == "recognized"}
    assert recognised_lost
    path.write_text(path.read_text(encoding="utf-8").replace("verified: false", "verified: true"), encoding="utf-8")
    monkeypatch.setattr("engine.loader.default_directory", lambda: path.parent)  # the folder the pages read
    try:
        client = site.client("admin")
        token = site.csrf(client, f"/admin/criteria/{VERSION}")
        form = {"publish-csrf_token": token, "publish-seen": criteria_admin.file_version(path)}
        first = client.post(f"/admin/criteria/{VERSION}/publish", data=form)
        assert first.status_code == 200
        html = first.get_data(as_text=True)
        assert set(re.findall(r'<tr data-commune="(\d+)"', html)) == recognised_lost
        assert "status: provisional" in path.read_text(encoding="utf-8")  # nothing published yet
        second = client.post(f"/admin/criteria/{VERSION}/publish", data={**form, "confirm": "1"})
        assert second.status_code == 302
        assert "status: official" in path.read_text(encoding="utf-8")
    finally:
        site.service.registry = Registry.load(SHIPPED)
