"""Hostile input never gets a 500 (issue #11, items 5 and 6): each reproduction of the issue, as a test.

- Ids beyond what the database holds (from 2^31, the PostgreSQL `integer`) are a 404 like any unknown id, on
  every /api/v1/dossiers/{id} route and on the pages; a round that is not a year is a 400 on the pages, the
  dashboard, the export, the report and the API; a 5,000-digit id in the batch decision is a 400.
- A JSON body nested 100,000 deep is a 400, one over 256 KiB a 413; pages take no JSON (415).
- Text with a control character is a 422 naming the field (API and pages, the login form included); a reason
  made only of invisible characters is refused everywhere (API, pages, service, CLI).
- An unknown event is a 422; a 405 says which methods the address takes (``Allow``).
- "có" typed decomposed (NFD) is accepted by the API, the CLI and the import; comments are stored in NFC, and
  saving the same text again (NFD or NFC) is no new version.
- On PostgreSQL, which refuses a NUL byte and integers from 2^31 with errors of its own: a NUL in a comment, a
  reason, a decision number or the login name is a 422 naming the field, ids from 2^31 a 404.

Every refused request stores nothing (``Unchanged``); API answers are validated against the OpenAPI document.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

import pytest
from test_api import Unchanged, seen

from tests.postgres import server_url

CFC = Path(sys.executable).with_name("cfc")

BIG_IDS = [2**31, 2**31 + 7, 2**32, 2**63, 2**64, 10**30]
API_ID_ROUTES = [("GET", "/api/v1/dossiers/{}"), ("PUT", "/api/v1/dossiers/{}/indicators"),
                 ("POST", "/api/v1/dossiers/{}/transitions"), ("GET", "/api/v1/dossiers/{}/certificate.pdf"),
                 ("GET", "/api/v1/dossiers/{}/decision.pdf"), ("GET", "/api/v1/dossiers/{}/revocation.pdf"),
                 ("GET", "/api/v1/dossiers/{}/minutes.pdf")]
PAGE_ID_ROUTES = [("GET", "/dossiers/{}"), ("GET", "/dossiers/{}/evidence/1"), ("GET", "/dossiers/7/evidence/{}"),
                  ("GET", "/dossiers/{}/certificate.pdf"), ("GET", "/dossiers/{}/minutes.pdf"),
                  ("GET", "/commune/dossiers/{}"), ("GET", "/district/dossiers/{}"),
                  ("POST", "/district/dossiers/{}/return"), ("POST", "/province/dossiers/{}/revoke")]
BAD_ROUNDS = ["abc", "-5", "0", "10000", "2024.0", "２０２４", str(2**63 + 1), str(2**64), "9" * 5000]
ROUND_PAGES = ["/dossiers/?round={}", "/province/dashboard?round={}", "/export?round={}&format=csv",
               "/province/report.pdf?round={}"]
# texts nobody can mean: control characters, a lone surrogate, only invisible characters
HOSTILE_TEXT = {"nul": "lý do\x00", "bell": "\x07", "escape": "\x1b[31m", "c1": "\x85", "del": "a\x7f",
                "zero-width": "\u200b\u200b", "bom": "\ufeff", "surrogate": "\ud800"}
NFD_YES = unicodedata.normalize("NFD", "có")
NFD_COMMENT = unicodedata.normalize("NFD", "Đã đối chiếu sổ hộ tịch: có đủ")
VERIFIED, SUBMITTED = 6, 13


def as_json_text(body) -> str:
    """``body`` as JSON text (a lone surrogate stays an escape, as a hostile client sends it)."""
    return json.dumps(body)


def hostile_post(api, path: str, user: str, body: dict, **headers):
    return api.call("POST", path, user, data=as_json_text(body), content_type="application/json",
                    headers=headers)


def hostile_put(api, path: str, user: str, body: dict, **headers):
    return api.call("PUT", path, user, data=as_json_text(body), content_type="application/json",
                    headers=headers)


# ------------------------------------------------------------------------------------ ids and rounds
@pytest.mark.parametrize("number", BIG_IDS)
@pytest.mark.parametrize(("method", "route"), API_ID_ROUTES)
def test_an_id_beyond_the_database_is_a_404_on_every_api_route(site, api, method, route, number):
    before = site.state()
    answer = api.call(method, route.format(number), "province", json={"event": "submit"} if method != "GET" else None)
    assert answer.status_code == 404, answer.get_data(as_text=True)[:300]
    assert answer.json["status"] == 404
    assert site.state() == before


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64, "9" * 30])
@pytest.mark.parametrize(("method", "route"), PAGE_ID_ROUTES)
def test_an_id_beyond_the_database_is_a_404_on_every_page(site, method, route, number):
    client = site.client("province")
    before = site.state()
    answer = client.open(route.format(number), method=method, data={"csrf_token": site.csrf(client, "/province/")})
    assert answer.status_code == 404, answer.get_data(as_text=True)[:300]
    assert site.state() == before


@pytest.mark.parametrize("text", BAD_ROUNDS)
@pytest.mark.parametrize("page", ROUND_PAGES)
def test_a_round_that_is_not_a_year_is_a_400_on_pages_dashboard_export_and_report(site, page, text):
    answer = site.client("province").get(page.format(text))
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert "round" in answer.get_data(as_text=True)


@pytest.mark.parametrize("text", BAD_ROUNDS)
def test_a_round_that_is_not_a_year_is_a_400_on_the_api(api, text):
    answer = api.get(f"/api/v1/dossiers?round={text}", "province")
    assert answer.status_code == 400 and "round" in answer.json["error"]


def test_the_dashboard_still_shows_a_round_and_the_current_one(site):
    client = site.client("province")
    assert client.get("/province/dashboard?round=2024").status_code == 200
    assert client.get("/province/dashboard").status_code == 200
    assert client.get("/province/dashboard?round=").status_code == 200


@pytest.mark.parametrize("status", ["nope", "draft\x00", "'; DROP TABLE dossiers; --"])
def test_an_unknown_status_is_a_400_on_the_api(api, status):
    answer = api.get(f"/api/v1/dossiers?{urlencode({'status': status})}", "province")
    assert answer.status_code == 400 and "status" in answer.json["error"]


@pytest.mark.parametrize("dossier", ["9" * 5000, str(2**31), str(2**64), "-5", "5x", "٥"])
def test_the_batch_decision_refuses_an_id_that_is_none_with_400(site, dossier):
    client = site.client("province")
    with Unchanged(site, VERIFIED):
        answer = client.post("/province/decide", data={
            "csrf_token": site.csrf(client, "/province/"), "dossier": [str(VERIFIED), dossier],
            "action": "reject", "reason": "Không đạt", f"version_{VERIFIED}": str(site.dossier(VERIFIED).lock_version)})
        assert answer.status_code == 400, answer.get_data(as_text=True)[:300]


@pytest.mark.parametrize("version", ["9" * 5000, "٣"])
def test_a_version_that_is_no_number_is_refused_not_a_500(site, api, version):
    with Unchanged(site, VERIFIED):
        answer = api.post(f"/api/v1/dossiers/{VERIFIED}/transitions", "province",
                          json={"event": "reject", "reason": "x"}, headers={"If-Match": version})
        assert answer.status_code == 400
        client = site.client("province")
        answer = client.post(f"/district/dossiers/{VERIFIED}/return", data={
            "csrf_token": site.csrf(client, "/province/"), "reason": "x", "lock_version": version})
        assert answer.status_code in (400, 403)


# ------------------------------------------------------------------------------------------- JSON bodies
@pytest.mark.parametrize(("body", "status"), [
    ('{"event": ' * 17 + '"submit"' + "}" * 17, 400),
    ('{"event": ' * 1000 + '"submit"' + "}" * 1000, 400),
    ("[" * 100_000 + "]" * 100_000, 400),  # the reproduction: 200 KB
    ('{"event": ' * 100_000 + '"submit"' + "}" * 100_000, 413),  # 1 MB: over the size limit first
])
@pytest.mark.parametrize(("method", "path"), [("PUT", "/api/v1/dossiers/2/indicators"),
                                              ("POST", "/api/v1/dossiers/2/transitions")])
def test_json_nested_deep_is_a_400_or_413(site, api, method, path, body, status):
    with Unchanged(site, 2):
        answer = api.call(method, path, "commune2", data=body, content_type="application/json")
    assert answer.status_code == status
    assert status == 413 or "JSON" in answer.json["error"]


def test_json_of_a_few_levels_is_read(site, api):
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"comments": {}, "TC01.officer": None},
                     headers=seen(site, 2))
    assert answer.status_code == 200


@pytest.mark.parametrize(("method", "path"), [("PUT", "/api/v1/dossiers/2/indicators"),
                                              ("POST", "/api/v1/dossiers/2/transitions")])
def test_a_json_body_over_256_kib_is_a_413(site, api, method, path):
    with Unchanged(site, 2):
        answer = api.call(method, path, "commune2", json={"event": "submit", "reason": "x" * 300_000})
    assert answer.status_code == 413


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_by_the_criteria(site, api, constant):
    with Unchanged(site, 2):
        answer = api.put("/api/v1/dossiers/2/indicators", "commune2", data=f'{{"TC13.satisfaction": {constant}}}',
                         content_type="application/json", headers=seen(site, 2))
    assert answer.status_code == 422 and answer.json["codes"] == ["TC13.satisfaction"]


def test_pages_take_no_json(site):
    client = site.client("district2")
    with Unchanged(site, SUBMITTED):
        answer = client.post(f"/district/dossiers/{SUBMITTED}/return", data="[" * 100_000 + "]" * 100_000,
                             content_type="application/json",
                             headers={"X-CSRFToken": site.csrf(client, "/district/")})
        assert answer.status_code == 415
        answer = site.anonymous().post("/login", data='{"username": "admin"}', content_type="application/json")
        assert answer.status_code in (400, 415)  # no CSRF token: 400 first


# ---------------------------------------------------------------------------------------- 405 and Allow
@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/api/v1/dossiers/7", {"GET"}),
    ("POST", "/api/v1/dossiers", {"GET"}),
    ("GET", "/api/v1/dossiers/7/transitions", {"POST"}),
    ("PATCH", "/api/v1/dossiers/7/indicators", {"PUT"}),
    ("PUT", "/dossiers/7", {"GET"}),
    ("GET", "/province/decide", {"POST"}),
])
def test_405_says_which_methods_the_address_takes(site, api, method, path, allowed):
    if path.startswith("/api/"):
        answer = api.call(method, path, "province", validate=False)
        assert answer.json["status"] == 405
    else:
        answer = site.client("province").open(path, method=method)
    assert answer.status_code == 405
    assert allowed <= {m.strip() for m in answer.headers["Allow"].split(",")}


# --------------------------------------------------------------------------------- text: control characters
@pytest.mark.parametrize("case", list(HOSTILE_TEXT))
@pytest.mark.parametrize("field", ["reason", "decision_number", "signer_name", "public_reason", "panel_members"])
def test_the_api_refuses_hostile_text_with_422_naming_the_field(site, api, field, case):
    text = HOSTILE_TEXT[case]
    body = {"event": "reject", "reason": "Không đạt", field: [text] if field == "panel_members" else text}
    with Unchanged(site, VERIFIED):
        answer = hostile_post(api, f"/api/v1/dossiers/{VERIFIED}/transitions", "province", body,
                              **seen(site, VERIFIED))
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.json["codes"] == [f"{field}[0]" if field == "panel_members" else field]


@pytest.mark.parametrize("case", list(HOSTILE_TEXT))
def test_the_api_refuses_a_hostile_comment_with_422_naming_it(site, api, case):
    body = {"comments": {"TC02.registered_on_time": HOSTILE_TEXT[case]}}
    with Unchanged(site, SUBMITTED):
        answer = hostile_put(api, f"/api/v1/dossiers/{SUBMITTED}/indicators", "district2", body,
                             **seen(site, SUBMITTED))
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.json["codes"] == ["comments.TC02.registered_on_time"]


@pytest.mark.parametrize("case", ["nul", "escape", "surrogate"])
def test_the_api_refuses_a_hostile_indicator_code(site, api, case):
    with Unchanged(site, 2):
        answer = hostile_put(api, "/api/v1/dossiers/2/indicators", "commune2", {HOSTILE_TEXT[case]: 1},
                             **seen(site, 2))
    assert answer.status_code == 422


@pytest.mark.parametrize("case", [c for c in HOSTILE_TEXT if c != "surrogate"])  # a form post is UTF-8
def test_a_page_refuses_hostile_text_with_422_naming_the_field(site, case):
    client = site.client("district2")
    with Unchanged(site, SUBMITTED):
        answer = client.post(f"/district/dossiers/{SUBMITTED}/return", data={
            "csrf_token": site.csrf(client, "/district/"), "reason": HOSTILE_TEXT[case],
            "lock_version": str(site.dossier(SUBMITTED).lock_version)})
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert "reason" in answer.get_data(as_text=True)


@pytest.mark.parametrize("username", ["admin\x00", "\x00", "adm\x1bin"])
def test_the_login_form_refuses_a_control_character_without_a_500(site, username):
    client = site.anonymous()
    answer = client.post("/login", data={"csrf_token": site.csrf(client), "username": username,
                                         "password": "demo"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 or "Sai tên đăng nhập hoặc mật khẩu" in page, answer.status_code


@pytest.mark.parametrize("case", ["nul", "escape"])
def test_a_hostile_query_argument_on_a_page_is_a_422(site, case):
    answer = site.client("province").get("/dossiers/", query_string={"status": HOSTILE_TEXT[case]})
    assert answer.status_code == 422 and "status" in answer.get_data(as_text=True)


@pytest.mark.parametrize("reason", ["\u200b", "\ufeff\u200b", "\u200b \u200d", "\x01\x02", "\x1c\x1d", "\t\n "])
def test_a_reason_made_only_of_control_or_invisible_characters_is_refused_by_the_service(site, reason):
    """The service refuses it whoever calls (the CLI, the batch form); the edges refuse it earlier (422)."""
    from engine.workflow import TransitionRefused

    with Unchanged(site, VERIFIED), pytest.raises(TransitionRefused) as refused:
        site.service.transition("province", VERIFIED, "reject", reason=reason,
                                expected_version=site.dossier(VERIFIED).lock_version)
    assert any("lý do" in r for r in refused.value.reasons)


def test_the_cli_refuses_a_reason_made_only_of_invisible_characters(site, instance):
    env = {**os.environ, "CFC_INSTANCE_DIR": str(instance)}
    env.pop("DATABASE_URL", None)
    with Unchanged(site, VERIFIED):
        out = subprocess.run([str(CFC), "dossier", "reject", str(VERIFIED), "--reason", "\u200b\u200b",
                              "--as", "province"], env=env, capture_output=True, text=True, timeout=120)
    # refused as an invalid option value (exit 2) naming the option, before anything is opened
    assert out.returncode == 2 and "--reason" in out.stderr and "không nhìn thấy" in out.stderr
    assert "Traceback" not in out.stderr


# ---------------------------------------------------------------------------------------------- NFC
def test_the_api_accepts_a_decomposed_co(site, api):
    assert NFD_YES != "có"
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC01.officer": NFD_YES},
                     headers=seen(site, 2))
    assert answer.status_code == 200, answer.json
    assert answer.json["values"]["TC01.officer"]["self"] == "true"
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2",
                     json={"TC01.officer": unicodedata.normalize("NFD", "Không")}, headers=seen(site, 2))
    assert answer.json["values"]["TC01.officer"]["self"] == "false"


def test_the_cli_accepts_a_decomposed_co(site, instance):
    env = {**os.environ, "CFC_INSTANCE_DIR": str(instance)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([str(CFC), "dossier", "set", "2", f"TC12.play_area={NFD_YES}", "--as", "commune2"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert site.dossier(2).values["TC12.play_area"]["self"] == "true"


def test_the_import_accepts_a_decomposed_co(site, tmp_path):
    from dossiers.bulk.importer import import_file

    commune = site.dossier(2).commune_code
    path = tmp_path / "nfd.csv"
    path.write_text(f"commune_code,TC01.officer\n{commune},{NFD_YES}\n", encoding="utf-8")
    report = import_file(site.service, path, 2024, "district1", dry_run=True)
    assert not report.problems, report.problem_text()


def test_comments_are_stored_nfc_and_saving_the_same_text_again_is_no_new_version(site, api):
    code = "TC02.registered_on_time"
    answer = api.put(f"/api/v1/dossiers/{SUBMITTED}/indicators", "district2",
                     json={"comments": {code: NFD_COMMENT}}, headers=seen(site, SUBMITTED))
    assert answer.status_code == 200, answer.json
    stored = site.dossier(SUBMITTED).values[code]["comment"]
    assert stored == unicodedata.normalize("NFC", NFD_COMMENT) != NFD_COMMENT
    for text in (unicodedata.normalize("NFC", NFD_COMMENT), NFD_COMMENT, f"  {NFD_COMMENT}\n"):
        with Unchanged(site, SUBMITTED):
            answer = api.put(f"/api/v1/dossiers/{SUBMITTED}/indicators", "district2",
                             json={"comments": {code: text}}, headers=seen(site, SUBMITTED))
            assert answer.status_code == 200


def test_a_page_stores_a_decomposed_comment_in_nfc(site):
    client = site.client("district2")
    code = "TC05.injured"
    page = client.get(f"/district/dossiers/{SUBMITTED}").get_data(as_text=True)
    data = {"csrf_token": site.csrf(client, f"/district/dossiers/{SUBMITTED}"),
            "lock_version": str(site.dossier(SUBMITTED).lock_version),
            f"{code.replace('.', '__')}__comment": NFD_COMMENT}
    assert f"{code.replace('.', '__')}__comment" in page
    client.post(f"/district/dossiers/{SUBMITTED}", data=data)
    assert site.dossier(SUBMITTED).values[code]["comment"] == unicodedata.normalize("NFC", NFD_COMMENT)


# ------------------------------------------------------------------------------------------- PostgreSQL
@pytest.fixture(scope="module")
def pg_site(request, site, tmp_path_factory):
    """The demo, made by the real commands, in a fresh database on PostgreSQL; the app on it, as a ``Site`` of
    tests/web/conftest.py (the class of ``site``: a conftest module is not imported by name)."""
    from sqlalchemy import create_engine, text

    from dossiers.config import Settings
    from webforms import create_app

    server = request.getfixturevalue("pg_server")
    name = f"t_hostile_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{server.rsplit('/', 1)[0]}/{name}"
    folder = tmp_path_factory.mktemp("pg-instance")
    env = {**os.environ, "CFC_INSTANCE_DIR": str(folder), "DATABASE_URL": url, "CFC_BASE_URL": "https://x.example"}
    for args in (("db", "upgrade"), ("demo", "load")):
        out = subprocess.run([str(CFC), *args], env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
    application = create_app(Settings.from_env({"DATABASE_URL": url}, instance_dir=str(folder)), {"TESTING": True})
    built = type(site)(application, folder)
    built.env = env
    yield built
    application.extensions["cfc.engine"].dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def pg_server():
    with server_url() as url:
        yield url


@pytest.fixture(scope="module")
def pg_api(pg_site, api, openapi):
    return type(api)(pg_site, openapi)


def test_postgres_is_what_runs_here(pg_site):
    assert pg_site.app.extensions["cfc.engine"].dialect.name == "postgresql"


@pytest.mark.parametrize("field", ["reason", "decision_number", "signer_name", "public_reason"])
def test_postgres_a_nul_in_a_reason_or_decision_is_a_422_naming_it(pg_site, pg_api, field):
    with Unchanged(pg_site, VERIFIED):
        answer = pg_api.post(f"/api/v1/dossiers/{VERIFIED}/transitions", "province",
                             json={"event": "reject", "reason": "Không đạt", field: "a\x00b"},
                             headers=seen(pg_site, VERIFIED))
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.json["codes"] == [field]


def test_postgres_a_nul_in_a_comment_is_a_422_naming_it(pg_site, pg_api):
    with Unchanged(pg_site, SUBMITTED):
        answer = pg_api.put(f"/api/v1/dossiers/{SUBMITTED}/indicators", "district2",
                            json={"comments": {"TC05.injured": "\x00"}}, headers=seen(pg_site, SUBMITTED))
        assert answer.status_code == 422
    assert answer.json["codes"] == ["comments.TC05.injured"]


def test_postgres_a_nul_on_the_pages_is_a_422(pg_site):
    client = pg_site.client("district2")
    with Unchanged(pg_site, SUBMITTED):
        answer = client.post(f"/district/dossiers/{SUBMITTED}", data={
            "csrf_token": pg_site.csrf(client, f"/district/dossiers/{SUBMITTED}"),
            "lock_version": str(pg_site.dossier(SUBMITTED).lock_version), "TC05__injured__comment": "a\x00"})
        assert answer.status_code == 422
        answer = client.post(f"/district/dossiers/{SUBMITTED}/return", data={
            "csrf_token": pg_site.csrf(client, "/district/"), "reason": "\x00",
            "lock_version": str(pg_site.dossier(SUBMITTED).lock_version)})
        assert answer.status_code == 422


@pytest.mark.parametrize("username", ["admin\x00", "\x00", "nobody\x00x"])
def test_postgres_a_nul_in_the_login_name_is_no_500(pg_site, username):
    client = pg_site.anonymous()
    answer = client.post("/login", data={"csrf_token": pg_site.csrf(client), "username": username,
                                         "password": "demo"})
    assert answer.status_code == 422 or "Sai tên đăng nhập hoặc mật khẩu" in answer.get_data(as_text=True)


@pytest.mark.parametrize("number", [2**31, 2**31 + 1, 2**32, 2**63 - 1])
@pytest.mark.parametrize(("method", "route"), API_ID_ROUTES)
def test_postgres_ids_from_2_31_are_a_404_on_the_api(pg_site, pg_api, method, route, number):
    answer = pg_api.call(method, route.format(number), "province", json={"event": "submit"} if method != "GET" else None)
    assert answer.status_code == 404


@pytest.mark.parametrize("number", [2**31, 2**32])
@pytest.mark.parametrize(("method", "route"), PAGE_ID_ROUTES)
def test_postgres_ids_from_2_31_are_a_404_on_the_pages(pg_site, method, route, number):
    client = pg_site.client("province")
    answer = client.open(route.format(number), method=method, data={"csrf_token": pg_site.csrf(client, "/province/")})
    assert answer.status_code == 404


def test_postgres_the_largest_id_is_an_unknown_dossier(pg_api):
    assert pg_api.get(f"/api/v1/dossiers/{2**31 - 1}", "province").status_code == 404


@pytest.mark.parametrize("number", [2**31, 2**40])
def test_postgres_the_cli_refuses_an_id_from_2_31(pg_site, number):
    out = subprocess.run([str(CFC), "dossier", "show", str(number), "--as", "province"], env=pg_site.env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr


def test_postgres_a_batch_decision_with_a_huge_id_is_a_400(pg_site):
    client = pg_site.client("province")
    with Unchanged(pg_site, VERIFIED):
        answer = client.post("/province/decide", data={
            "csrf_token": pg_site.csrf(client, "/province/"), "dossier": str(2**31), "action": "reject",
            "reason": "x"})
        assert answer.status_code == 400
