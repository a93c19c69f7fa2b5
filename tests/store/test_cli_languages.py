"""``cfc --lang en`` for ``cfc signing``, ``cfc certificates`` and ``cfc criteria impact``, on the demo's database
(SQLite and PostgreSQL) with the demo's signing keys: every line a person reads is English under ``--lang en``
and the Vietnamese of before without it; what goes into documents (the impact's JSON and spreadsheet) stays
Vietnamese under either."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from cfc import main
from dossiers import demo
from dossiers.config import Settings
from dossiers.db import make_engine, session_factory
from dossiers.issuance.keys_demo import DemoAuthority
from dossiers.models import Certificate, Dossier
from dossiers.service import DossierService
from engine.edit import set_value
from engine.loader import default_directory

BASE = "https://treem.example.gov.vn"
VERSION = "qd06-2019"
# a correction of the demo's criteria (as tests/store/test_impact.py): one commune gains eligibility, three lose it
EDITS = {"TC07/immunisation/bands/3/points": "20", "TC07/met_at": "20", "TC11/met_at": "25",
         "TC12/met_at": "25", "TC13/met_at": "25", "TC02/met_at": "75", "categories/other/threshold": "780"}
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def env(db_url, tmp_path_factory):
    """The demo loaded (its signing keys in the instance folder); the environment of a deployment over it."""
    instance = tmp_path_factory.mktemp("inst")
    settings = Settings.from_env({"CFC_BASE_URL": BASE}, instance_dir=str(instance), database_url=db_url)
    engine = make_engine(db_url)
    service = DossierService(session_factory(engine), settings=settings)
    demo.load(service.sessions, service)
    with service.transaction(readonly=True) as s:
        ids = {status: min(d.id for d in s.execute(select(Dossier).where(Dossier.status == status)).scalars())
               for status in ("draft", "recognized", "revoked")}
    yield {"DATABASE_URL": db_url, "CFC_INSTANCE_DIR": str(instance), "CFC_BASE_URL": BASE, "CFC_USER": "province",
           **{f"id_{k}": str(v) for k, v in ids.items()}}
    engine.dispose()


def cfc(env: dict, lang: str, *args: str):
    """``cfc [--lang en] ARGS`` in the deployment ``env`` (Vietnamese is the default: no option)."""
    environ = {k: v for k, v in env.items() if not k.startswith("id_")}
    return CliRunner().invoke(main, [*(["--lang", "en"] if lang == "en" else []), *args], env=environ)


def _says(result, code: int, present: list[str], absent: list[str]) -> None:
    assert result.exit_code == code, result.output
    for text in present:
        assert text in result.output, f"{text!r} not in:\n{result.output}"
    for text in absent:
        assert text not in result.output, f"{text!r} in:\n{result.output}"


# ----------------------------------------------------------------------------------------------- cfc signing
KEYS = {
    "vi": (["Cấu hình: ", "(DEMO: chữ ký thử, không có giá trị pháp lý)", "Dấu thời gian: không (PAdES B-B)",
            "Tin cậy: ", "[0] đơn vị 608, văn bản decision, từ 03/01/2019: ", "\n    chứng thư CN=", ": dùng được\n"],
           ["Configuration", "usable"]),
    "en": (["Configuration: ", "(DEMO: test signatures, without legal value)", "Timestamps: none (PAdES B-B)",
            "Trusted: ", "[0] unit 608, documents decision, from 03/01/2019: ", "\n    certificate CN=", ": usable\n"],
           ["Cấu hình", "đơn vị", "chứng thư", "hiệu lực", "dùng được", "Tin cậy"]),
}
TRIAL = {
    "vi": (["Chữ ký số hợp lệ, còn nguyên vẹn", "(DEMO) (cấp bởi CA DEMO"], ["Valid", "issued by"]),
    "en": (["Valid digital signature: intact, its certificate issued by a trusted certification authority: "
            "UBND Thành phố Kon Tum (DEMO) (issued by CA DEMO"], ["Chữ ký số", "cấp bởi"]),
}
NO_KEY = {"vi": "không có khóa cho đơn vị 999, văn bản decision, ngày ", "en": "no key for unit 999, documents decision, date "}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_signing_keys_and_a_trial_signature_speak_the_run_language(env, lang, tmp_path):
    _says(cfc(env, lang, "signing", "keys"), 0, *KEYS[lang])
    _says(cfc(env, lang, "signing", "test", "608", "-o", str(tmp_path / "t.pdf")), 0, *TRIAL[lang])
    _says(cfc(env, lang, "signing", "test", "999"), 1, [NO_KEY[lang] + f"{dt.date.today():%d/%m/%Y}\n"], [])


def _bad_keys(folder):
    """A configuration with an expired key for 608 and a revoked one for 610."""
    folder.mkdir()
    ca = DemoAuthority.create(label="CA THỬ NGHIỆM")
    expired = ca.issue("UBND hết hạn", NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=1))
    revoked = ca.issue("UBND thu hồi", NOW - dt.timedelta(days=30), NOW + dt.timedelta(days=30))
    (folder / "root.pem").write_bytes(ca.root_pem())
    (folder / "ca.crl").write_bytes(ca.crl([(revoked[1], NOW - dt.timedelta(hours=1))]))
    entries = ""
    for unit, (key, cert) in (("608", expired), ("610", revoked)):
        (folder / f"{unit}.p12").write_bytes(ca.pkcs12(key, cert, "mat-khau"))
        (folder / f"{unit}.pass").write_text("mat-khau\n")
        entries += (f'  - unit: "{unit}"\n    effective_from: 2019-01-03\n    pkcs12: {unit}.p12\n'
                    f"    passphrase_file: {unit}.pass\n")
    (folder / "keys.yaml").write_text(f"trust:\n  roots: [root.pem]\n  crls: [ca.crl]\nkeys:\n{entries}")
    return folder / "keys.yaml"


REFUSED = {
    "vi": (["LỖI: khóa ", "đã hết hạn ngày ", "(chứng thư CN=UBND hết hạn", "đã bị thu hồi: không ký",
            "Danh sách thu hồi: ", "2 khóa không dùng được"], ["ERROR", "not signing"]),
    "en": (["ERROR: key ", " expired on ", "(certificate CN=UBND hết hạn", "has been revoked: not signing",
            "Revocation list: ", "keys that cannot be used: 2"], ["LỖI", "hết hạn ngày", "không ký", "khóa"]),
}
EXPIRED = {"vi": ["đã hết hạn ngày", ": không ký"], "en": [" expired on ", ": not signing"]}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_expired_or_revoked_key_is_refused_in_the_run_language(lang, tmp_path):
    keys = {"CFC_SIGNING_KEYS": str(_bad_keys(tmp_path / "keys")), "CFC_INSTANCE_DIR": str(tmp_path)}
    _says(cfc(keys, lang, "signing", "keys"), 1, *REFUSED[lang])
    _says(cfc(keys, lang, "signing", "test", "608"), 1, EXPIRED[lang], EXPIRED["en" if lang == "vi" else "vi"])


ISSUE = {
    "vi": (["minutes: đã ký số\n", "decision: đã ký số\n", "certificate: đã ký số\n"], ["digitally"]),
    "en": (["minutes: digitally signed\n", "decision: digitally signed\n", "certificate: digitally signed\n"],
           ["đã ký số"]),
}
NOTHING_ISSUED = {"vi": "hồ sơ {id} chưa có văn bản nào được cấp\n", "en": "dossier {id} has no issued documents yet\n"}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_signing_the_issued_documents_says_so_in_the_run_language(env, lang):
    _says(cfc(env, lang, "signing", "issue", env["id_recognized"]), 0, *ISSUE[lang])
    _says(cfc(env, lang, "signing", "issue", env["id_draft"]), 1, [NOTHING_ISSUED[lang].format(id=env["id_draft"])],
          [])


# ----------------------------------------------------------------------------------------------- cfc certificates
def _serial(env) -> str:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with session_factory(engine)() as s:
            return s.execute(select(Certificate.serial).where(Certificate.dossier_id == int(env["id_recognized"]),
                                                              Certificate.superseded_by.is_(None))).scalar_one()
    finally:
        engine.dispose()


DOCUMENTS = {  # command → the line it prints, the file name and the decision number left out
    "vi": {"decision": r"Quyết định số \S+ \(1 đơn vị\) → .*d\.pdf; có chữ ký số\n",
           "minutes": r"Biên bản thẩm định hồ sơ \d+ → .*m\.pdf; có chữ ký số\n",
           "revocation": r"Quyết định thu hồi số \S+ \(.+\) → .*r\.pdf; có chữ ký số\n"},
    "en": {"decision": r"Decision No\. \S+ \(communes: 1\) → .*d\.pdf; digitally signed\n",
           "minutes": r"Appraisal minutes of dossier \d+ → .*m\.pdf; digitally signed\n",
           "revocation": r"Revocation decision No\. \S+ \(.+\) → .*r\.pdf; digitally signed\n"},
}
PRINT = {
    "vi": r"In giấy công nhận.*\n5 giấy công nhận, số hiệu 62-2024-\d+ … 62-2024-\d+ \(BẢN MẪU: bộ tiêu chí tạm thời\) → "
          r".*p\.pdf \([\d.]+ bytes; tệp in không ký số \(nhiều cơ quan ban hành\); từng giấy đã được ký và lưu riêng\)",
    "en": r"Printing certificates.*\nCertificates: 5, serials 62-2024-\d+ … 62-2024-\d+ \(SAMPLE: provisional criteria\) "
          r"→ .*p\.pdf \([\d,]+ bytes; the printed file is not signed \(several issuing bodies\); each certificate was "
          r"signed and kept on its own\)",
}
VERIFY = {
    "vi": (r"Số hiệu {serial}: Còn hiệu lực\n.+, Thành phố Kon Tum, Tỉnh Kon Tum\nNăm 2024; Quyết định số \S+ ngày "
           r"\d\d/\d\d/\d{{4}}; bộ tiêu chí .+\n"),
    "en": (r"Serial {serial}: Valid\n.+, Thành phố Kon Tum, Tỉnh Kon Tum\nYear 2024; Decision No\. \S+ of "
           r"\d\d/\d\d/\d{{4}}; criteria .+\n"),
}
CHECK = {
    "vi": ("  ✔ Chữ ký số hợp lệ, còn nguyên vẹn, chứng thư do cơ quan chứng thực được tin cậy cấp — người ký: UBND "
           "Thành phố Kon Tum (DEMO); cấp bởi: CA DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ, ký lúc ",
           "  ✔ đúng từng byte với Quyết định công nhận số hiệu {serial}\n", "  Tệp không có chữ ký số\n",
           "  ✘ không phải văn bản đã cấp theo số hiệu {serial} (không trùng từng byte)\n",
           "không có giấy công nhận số hiệu KHONG-CO\n"),
    "en": ("  ✔ Valid digital signature: intact, its certificate issued by a trusted certification authority — "
           "signer: UBND Thành phố Kon Tum (DEMO); issued by: CA DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ, signed at ",
           "  ✔ byte for byte the Recognition decision of serial {serial}\n", "  The file has no digital signature\n",
           "  ✘ not a document issued under serial {serial} (not identical byte for byte)\n",
           "no certificate has the serial KHONG-CO\n"),
}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_certificates_print_verify_and_check_speak_the_run_language(env, lang, tmp_path):
    assert cfc(env, lang, "signing", "issue", env["id_recognized"]).exit_code == 0
    assert cfc(env, lang, "signing", "issue", env["id_revoked"]).exit_code == 0
    for command, (name, dossier) in {"decision": ("d", "id_recognized"), "minutes": ("m", "id_recognized"),
                                     "revocation": ("r", "id_revoked")}.items():
        result = cfc(env, lang, "certificates", command, env[dossier], "-o", str(tmp_path / f"{name}.pdf"))
        assert result.exit_code == 0 and re.fullmatch(DOCUMENTS[lang][command], result.stderr), result.output
    printed = cfc(env, lang, "certificates", "print", "--province", "62", "--round", "2024", "-o",
                  str(tmp_path / "p.pdf"))
    assert printed.exit_code == 0 and re.search(PRINT[lang], printed.stderr), printed.output
    serial = _serial(env)
    verified = cfc(env, lang, "certificates", "verify", serial)
    assert verified.exit_code == 0 and re.fullmatch(VERIFY[lang].format(serial=serial), verified.stdout), \
        verified.output
    signed, matched, unsigned, other, unknown = CHECK[lang]
    check = cfc(env, lang, "certificates", "check", str(tmp_path / "d.pdf"), "--serial", serial)
    _says(check, 0, [signed, matched.format(serial=serial)], [])
    _says(cfc(env, lang, "certificates", "check", str(tmp_path / "p.pdf"), "--serial", serial), 1,
          [unsigned, other.format(serial=serial)], [])
    _says(cfc(env, lang, "certificates", "check", str(tmp_path / "p.pdf"), "--serial", "KHONG-CO"), 1, [unknown], [])
    as_json = json.loads(cfc(env, lang, "certificates", "check", str(tmp_path / "d.pdf"), "--json").stdout)
    assert as_json["signatures"][0]["label"].startswith("Chữ ký số hợp lệ")  # data for programs: as stored


# ----------------------------------------------------------------------------------------------- cfc criteria impact
def _proposal(folder):
    folder.mkdir()
    path = folder / f"{VERSION}.yaml"
    shutil.copy(default_directory() / f"{VERSION}.yaml", path)
    for locator, value in EDITS.items():
        set_value(path, locator, value, by="test")
    return path


IMPACT = {
    "vi": (["Kỳ đánh giá: 2024\n", "Tỉnh: toàn bộ địa bàn của người xem\n", "Tổng số hồ sơ: 16\n",
            "Số hồ sơ được so sánh: 14\n", "\nTrở thành đạt:\n", "\nTrở thành không đạt:\n",
            "(hồ sơ ", ") TC02 chưa đạt: 50 điểm, cần ít nhất 75\n", "; tổng điểm 760 chưa đạt ngưỡng 850 (còn thiếu 90 điểm)",
            "\nTheo tiêu chí (thay đổi bình quân / lớn nhất, số hồ sơ thay đổi):\n",
            "\nKhông so sánh được (số liệu chưa đủ):\n", ": 33 chỉ số chưa có giá trị\n"], ["dossier", "eligib"]),
    "en": (["Assessment round: 2024\n", "Province: the viewer's whole jurisdiction\n", "Dossiers in total: 16\n",
            "Dossiers compared: 14\n", "\nBecome eligible:\n", "\nLose eligibility:\n",
            "(dossier ", ") TC02 not met: 50 points, needs at least 75\n", "TC07 scores 0 points; ",
            "; total 760 is below the threshold 850 (90 points short)",
            "\nBy criterion (average / largest change, dossiers changed):\n",
            "\nCould not be compared (values incomplete):\n", ": indicators without a value: 33\n"],
           ["hồ sơ", "chưa đạt", "điểm", "Kỳ đánh giá", "chỉ số", "Theo tiêu chí"]),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_criteria_impact_speaks_the_run_language_and_its_files_stay_vietnamese(env, lang, tmp_path):
    proposal = str(_proposal(tmp_path / "proposal"))
    run = ["criteria", "impact", VERSION, "--with", proposal, "--round", "2024", "--as", "admin"]
    result = cfc(env, lang, *run)
    _says(result, 0, *IMPACT[lang])
    assert ("scoring" if lang == "en" else "chấm điểm") in result.stderr  # the progress bar
    book = tmp_path / "tac-dong.xlsx"
    data = json.loads(cfc(env, lang, *run, "--quiet", "--json", "-o", str(book)).stdout)
    assert {i["reason"] for i in data["incomplete"]} == {"33 chỉ số chưa có giá trị"}
    assert any("TC02 chưa đạt: 50 điểm, cần ít nhất 75" in f["new"]["failed"] for f in data["flips"])
    summary = [row[0] for row in load_workbook(book)["Tóm tắt"].iter_rows(min_row=3, values_only=True)]
    assert summary[:5] == ["Kỳ đánh giá", "Tỉnh", "Bộ tiêu chí hiện hành", "Bản đề xuất", "Tổng số hồ sơ"]


# ------------------------------------------------------------------------------- cfc dossier show, cfc score
SHOW = {
    "vi": (["Hồ sơ {id}: ", " — năm 2024\n", "Trạng thái: Được công nhận (recognized); phiên bản ",
            "tiêu chí qd06-2019 [TẠM THỜI]; quy trình procedure-2019; loại ", "Tự đánh giá: ", "Thẩm định: ",
            " điểm, ngưỡng "], ["Dossier", "State:", "points", "threshold"]),
    "en": (["Dossier {id}: ", " — year 2024\n", "State: Recognised (recognized); version ",
            "criteria qd06-2019 [PROVISIONAL]; procedure procedure-2019; category ", "Self-assessment: ",
            " points, threshold "], ["Hồ sơ", "Trạng thái", "điểm", "ngưỡng", "Tự đánh giá"]),
}
TABLE = {
    "vi": (["Bộ tiêu chí: qd06-2019 [TẠM THỜI — chưa đối chiếu văn bản chính thức]; năm 2024; máy chấm: ",
            "Tổng điểm: 935/1.000 — ngưỡng 850 → ĐỦ ĐIỀU KIỆN CÔNG NHẬN", "Có thể cải thiện:\n",
            "  - TC12.summer_activities: chuyển sang «có» → +25 điểm",
            "LƯU Ý: Phiên bản tiêu chí qd06-2019 là TẠM THỜI (provisional)"], ["Total", "points", "NOTE"]),
    "en": (["Criteria: qd06-2019 [PROVISIONAL — not yet checked against the official text]; year 2024; scored by: ",
            "Total: 935/1,000 — threshold 850 → ELIGIBLE FOR RECOGNITION", "Could improve:\n",
            "  - TC12.summer_activities: change to “yes” → +25 points",
            "NOTE: Criteria version qd06-2019 is PROVISIONAL"], ["Tổng điểm", "LƯU Ý", "Có thể cải thiện", " điểm\n"]),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_dossier_and_a_score_are_shown_in_the_run_language(env, lang):
    present, absent = SHOW[lang]
    shown = cfc(env, lang, "dossier", "show", env["id_recognized"])
    _says(shown, 0, [p.format(id=env["id_recognized"]) for p in present], absent)
    import re  # the category by its name in the criteria, with its id

    assert re.search(r"(loại|category) [^()\n]{10,} \((ward_central_city|other|mountain_island_difficult)\)\n",
                     shown.stdout), shown.stdout
    example = Path(__file__).resolve().parents[2] / "criteria" / "examples" / "qd06-2019.yaml"
    present, absent = TABLE[lang]
    _says(cfc(env, lang, "score", str(example)), 0, present, absent)
