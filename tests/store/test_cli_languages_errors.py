"""``cfc --lang en`` gives the application's refusals in English: a password too short and an unknown API token
(``cfc users``), a second dossier of a commune for a round (``cfc dossier create``), a file beyond the limits,
a file with bad cells and a file that cannot be read (``cfc import``), and the import's summary, an export's
wrong file type or missing round (``cfc export``); without ``--lang`` they are Vietnamese (those of before word
for word). On the demo's database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cfc import main
from dossiers import demo
from dossiers.config import Settings
from dossiers.db import make_engine, session_factory
from dossiers.language import reader
from dossiers.logins import Throttled
from dossiers.models import Dossier
from dossiers.service import DossierService


@pytest.fixture(scope="module")
def env(db_url, tmp_path_factory):
    """The demo loaded; the environment of a deployment over it, and commune1's dossier (commune code, year)."""
    instance = tmp_path_factory.mktemp("inst")
    settings = Settings.from_env({}, instance_dir=str(instance), database_url=db_url)
    engine = make_engine(db_url)
    service = DossierService(session_factory(engine), settings=settings)
    demo.load(service.sessions, service)
    with service.transaction(readonly=True) as s:
        dossier = s.execute(select(Dossier).options(joinedload(Dossier.commune))
                            .where(Dossier.commune.has(code=demo.COMMUNE1))).scalars().first()
        taken = (dossier.commune.code, str(dossier.year))
    yield {"DATABASE_URL": db_url, "CFC_INSTANCE_DIR": str(instance)}, taken
    engine.dispose()


def cfc(env, lang: str, *args: str):
    environ, _ = env
    return CliRunner().invoke(main, [*(["--lang", "en"] if lang == "en" else []), *args], env=environ)


def says(result, code: int, present: list[str], absent: list[str] = ()) -> None:
    assert result.exit_code == code, result.output
    for text in present:
        assert text in result.output, f"{text!r} not in:\n{result.output}"
    for text in absent:
        assert text not in result.output, f"{text!r} in:\n{result.output}"


@pytest.mark.parametrize(("lang", "short", "no_token", "absent"), [
    ("vi", "mật khẩu cần ít nhất 10 ký tự", "commune1 không có khoá API số 999", "password"),
    ("en", "a password needs at least 10 characters", "commune1 has no API token no. 999", "mật khẩu"),
])
def test_users_refusals_speak_the_run_language(env, lang, short, no_token, absent):
    says(cfc(env, lang, "users", "password", "commune1", "--password", "short"), 1, [short], [absent])
    says(cfc(env, lang, "users", "revoke-token", "commune1", "999"), 1, [no_token], ["khoá API" if lang == "en"
                                                                                    else "token no."])


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "{name} đã có hồ sơ năm {year} (số ", "already has"),
    ("en", "{name} already has a dossier for {year} (no. ", "đã có hồ sơ"),
])
def test_a_second_dossier_of_a_commune_is_refused_in_the_run_language(env, lang, expected, absent):
    code, year = env[1]
    result = cfc(env, lang, "dossier", "create", code, "--round", year, "--as", "commune1")
    says(result, 1, [expected.format(name="Xã Đắk Rơ Wa", year=year)], [absent])


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "wide.csv: dòng 1 có dữ liệu ở cột SG, vượt giới hạn 500 cột", "above the limit"),
    ("en", "wide.csv: row 1 has data in column SG, above the limit of 500 columns", "vượt giới hạn"),
])
def test_a_file_beyond_the_limits_is_refused_in_the_run_language(env, lang, expected, absent, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("commune_code," + ",".join(["x"] * 500) + "\n", encoding="utf-8")
    says(cfc(env, lang, "import", str(wide), "--round", "2024", "--as", "district1", "--quiet"), 1, [expected],
         [absent])


IMPORT = {
    "vi": (["Thử (không lưu) bad.csv, năm 2024, bộ tiêu chí ", ": 0 dòng; 0 hồ sơ thay đổi (0 tạo mới), "
            "0 không thay đổi; 2 ô sai", "bad.csv: 2 ô sai, không có gì được lưu:",
            "dòng 1, cột B (NOPE) «NOPE»: không có chỉ số NOPE trong bộ tiêu chí ",
            "dòng 2, cột A (commune_code) «99999»: không có xã, phường, đặc khu nào mã 99999 vào ngày 2024-"],
           ["Dry run", "bad cells", "row 1"]),
    "en": (["Dry run (nothing stored) bad.csv, round 2024, criteria version ", ": 0 rows; 0 dossiers changed (0 new), "
            "0 unchanged; 2 bad cells", "bad.csv: 2 bad cells, nothing was stored:",
            "row 1, column B (NOPE) «NOPE»: criteria version ", " has no indicator NOPE",
            "row 2, column A (commune_code) «99999»: no commune, ward or special zone has the code 99999 on 2024-"],
           ["Thử", "ô sai", "dòng", "không có"]),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_imports_bad_cells_and_summary_speak_the_run_language(env, lang, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("commune_code,NOPE\n99999,1\n", encoding="utf-8")
    present, absent = IMPORT[lang]
    says(cfc(env, lang, "import", str(bad), "--round", "2024", "--as", "district1", "--dry-run", "--quiet"), 1,
         present, absent)


def test_a_throttled_sign_in_reads_in_the_readers_language():
    """The refusal keeps its Vietnamese text (logs) and renders in English for an English reader."""
    message = Throttled(30).args[0]
    assert message == "Đăng nhập sai quá nhiều lần với tên này. Vui lòng thử lại sau 30 giây."
    assert reader("en")(message) == "Too many failed sign-ins for this name. Please try again in 30 seconds."
    assert reader("en")(Throttled(600).args[0]).endswith("again in 10 minutes.")


@pytest.mark.parametrize(("lang", "present", "absent"), [
    ("vi", ["dòng 2     23284  Phường Duy Tân: 1 chỉ số thay đổi; ", "Thử (không lưu) ok.csv, năm 2024, bộ tiêu chí ",
            ": 1 dòng; 1 hồ sơ thay đổi (0 tạo mới), 0 không thay đổi"], ["row 2", "changed"]),
    ("en", ["row 2     23284  Phường Duy Tân: 1 indicators changed; ", "Dry run (nothing stored) ok.csv, round 2024, "
            "criteria version ", ": 1 rows; 1 dossiers changed (0 new), 0 unchanged"], ["dòng", "thay đổi"]),
])
def test_a_dry_runs_rows_speak_the_run_language(env, lang, present, absent, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_text("commune_code,TC13.satisfaction\n23284,77\n", encoding="utf-8")
    says(cfc(env, lang, "import", str(good), "--round", "2024", "--as", "district1", "--dry-run", "--quiet"), 0,
         present, absent)


UNREADABLE = {  # file name, bytes → (Vietnamese, English)
    "hong.xlsx": (b"not a zip", "hong.xlsx: không phải tệp .xlsx hợp lệ (BadZipFile: File is not a zip file)",
                  "hong.xlsx: not a valid .xlsx file (BadZipFile: File is not a zip file)"),
    "trong.csv": (b"", "trong.csv: tệp trống, không có dòng nào", "trong.csv: the file is empty, it has no rows"),
    "cu.xls": (b"\xd0\xcf\x11\xe0",
               "cu.xls: tệp Excel định dạng cũ (.xls) không đọc được; hãy lưu tệp dưới dạng .xlsx hoặc .csv",
               "cu.xls: the old Excel format (.xls) is not read; save the file as .xlsx or .csv"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", UNREADABLE)
def test_a_file_that_cannot_be_read_is_refused_in_the_run_language(env, lang, name, tmp_path):
    data, vietnamese, english = UNREADABLE[name]
    (tmp_path / name).write_bytes(data)
    expected, other = (vietnamese, english) if lang == "vi" else (english, vietnamese)
    says(cfc(env, lang, "import", str(tmp_path / name), "--round", "2024", "--as", "district1", "--quiet"), 1,
         [expected], [other])


@pytest.mark.parametrize(("lang", "wrong_file", "no_round", "absent"), [
    ("vi", "ket-qua.ods: hãy ghi ra tệp .xlsx hoặc .csv", "hãy cho biết năm đánh giá: --round NĂM (hoặc --dossier SỐ)",
     ["write to", "say which"]),
    ("en", "ket-qua.ods: write to a .xlsx or .csv file", "say which round: --round YEAR (or --dossier ID)",
     ["hãy"]),
])
def test_an_exports_refusals_speak_the_run_language(env, lang, wrong_file, no_round, absent, tmp_path):
    says(cfc(env, lang, "export", "--round", "2024", "-o", str(tmp_path / "ket-qua.ods"), "--as", "province1"), 2,
         [wrong_file], absent)
    says(cfc(env, lang, "export", "--audit", "-o", str(tmp_path / "nhat-ky.xlsx"), "--as", "province1"), 2,
         [no_round], absent)


@pytest.mark.parametrize(("lang", "present", "absent"), [
    ("vi", ["cần ngày dạng YYYY-MM-DD, nhận được «31/12/2024»", "«TC13.satisfaction»: hãy viết MÃ=GIÁ_TRỊ",
            "hãy cho biết DOSSIER_ID hoặc --round NĂM"], ["expects", "write CODE", "give a"]),
    ("en", ["expects YYYY-MM-DD, got 31/12/2024", "«TC13.satisfaction»: write CODE=VALUE",
            "give a DOSSIER_ID or --round YEAR"], ["cần ngày", "hãy"]),
])
def test_a_mistyped_command_line_is_refused_in_the_run_language(env, lang, present, absent):
    date, pair, what = present
    says(cfc(env, lang, "template", "--on", "31/12/2024"), 2, [date], absent)
    says(cfc(env, lang, "dossier", "set", "1", "TC13.satisfaction", "--as", "commune1"), 2, [pair], absent)
    says(cfc(env, lang, "dossier", "rescore", "--as", "district1"), 2, [what], absent)


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", "TC99.foo: không có chỉ số này trong bộ tiêu chí qd06-2019", "unknown indicator"),
    ("en", "TC99.foo: unknown indicator code for qd06-2019", "không có chỉ số"),
])
def test_an_unknown_indicator_code_is_named_in_the_run_language(env, lang, expected, absent):
    _, (code, year) = env
    with_dossier = cfc(env, "vi", "dossier", "list", "--as", "commune1")
    dossier = next(line.split()[0] for line in with_dossier.output.splitlines() if f" {code} " in line)
    says(cfc(env, lang, "dossier", "set", dossier, "TC99.foo=1", "--as", "commune1"), 1, [expected], [absent])
