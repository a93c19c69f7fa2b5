"""Administrative units imported from CSV, and users: argon2 password hashes, authentication, API tokens.

Units: every bad row is reported as FILE:LINE and nothing is stored (all or nothing); re-importing updates the
same units; a merged province's successor resolves once both lists are loaded (Kon Tum 62 → Quảng Ngãi 51);
``category_YYYY`` columns give communes their category per year. Users: only argon2id hashes are stored,
``cfc users token`` prints a token whose sha256 alone is stored. Run on SQLite and PostgreSQL; the ``cfc``
commands run as separate processes with DATABASE_URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from helpers.storekit import DATA, fresh_database, run_cfc
from sqlalchemy import func, select, text

from dossiers import units as unit_store
from dossiers.db import make_engine, session_factory
from dossiers.models import ApiToken, CommuneCategory, Unit, User
from dossiers.units import UnitImportError, category_of, find_unit
from dossiers.users import AuthError, add_user, authenticate, issue_token, user_for_token
from engine.errors import CfcError

KONTUM = DATA / "units-kontum-2019.csv"
KONTUM_UNITS = 113  # 1 province, 10 districts, 102 communes
HEADER = "level,code,name,parent_code,valid_from,valid_to,successor_code,category_2024,category_2025\n"


class Db:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)

    def import_file(self, path: Path | str) -> unit_store.ImportReport:
        with self.sessions.begin() as s:
            return unit_store.import_csv(s, path)

    def count(self, model) -> int:
        with self.sessions.begin() as s:
            return s.execute(select(func.count()).select_from(model)).scalar_one()

    def env(self, tmp_path: Path) -> dict:
        return {"DATABASE_URL": self.url, "CFC_INSTANCE_DIR": str(tmp_path / "instance")}


@pytest.fixture
def fresh(db_url, tmp_path):
    """A new, empty, migrated database of the kind of ``db_url`` for one test."""
    with fresh_database(db_url, tmp_path) as url:
        db = Db(url)
        yield db
        db.engine.dispose()


def write(path: Path, body: str, header: str = HEADER) -> Path:
    path.write_text(header + body, encoding="utf-8")
    return path


def subset_2025(path: Path, province: str = "51", communes: int = 3) -> Path:
    """Today's province ``province`` and a few of its communes, from the official 2025 list."""
    with open(DATA / "units-vietnam-2025.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        rows = list(reader)
    head = [r for r in rows if r["level"] == "province" and r["code"] == province]
    rows = head + [r for r in rows if r["level"] == "commune" and r["parent_code"] == province][:communes]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


# ------------------------------------------------------------------------------------------- bad rows
VALID_ROWS = (
    "province,90,Tỉnh Thử,,,,,,\n"                      # 2
    "district,901,Huyện Thử,90,,,,,\n"                  # 3
    "commune,90101,Xã Một,901,,,,other,other\n"         # 4
)
FIRST_PASS_BAD = {
    5: ("hamlet,90102,Thôn Hai,901,,,,,\n", "level"),                      # unknown level
    6: ("commune,9O103,Xã Ba,901,,,,,\n", "code"),                         # letter O, not a number
    7: ("commune,90104,Xã Bốn,,,,,,\n", "parent_code"),                    # missing parent
    8: ("commune,90106,Xã Sáu,901,2024-13-01,,,,\n", "valid_from"),         # bad date
    9: ("commune,90107,Xã Bảy,901,,,,rural,\n", "category_2024"),          # bad category
    10: ("commune,90101,Xã Một lần nữa,901,,,,,\n", "listed twice"),        # duplicate of line 4
    11: ("commune,90108,Xã Tám,901,2024-01-01,2023-01-01,,,\n", "valid_to"),  # ends before it starts
    12: ("district,902,Huyện Hai,90,,,,,mountain_island_difficult\n", "only communes"),  # category on a district
}
UNKNOWN_PARENT = ("commune,90105,Xã Năm,999,,,,,\n", "parent_code")


def assert_reported(text_: str, path: Path, bad: dict) -> None:
    for line, (_, word) in bad.items():
        hits = [x for x in text_.splitlines() if x.startswith(f"{path}:{line}:")]
        assert hits, f"line {line} ({word}) is not reported as {path}:{line}:\n{text_}"
        assert any(word in x for x in hits), f"line {line} is reported without {word!r}: {hits}"
    reported = {int(x.split(":")[1]) for x in text_.splitlines() if x.startswith(f"{path}:")}
    assert reported <= set(bad), f"good lines reported as bad: {sorted(reported - set(bad))}"


def test_every_kind_of_bad_row_is_reported_at_once_and_nothing_is_stored(fresh, tmp_path):
    bad = {**FIRST_PASS_BAD, 13: UNKNOWN_PARENT}
    path = write(tmp_path / "bad.csv", VALID_ROWS + "".join(row for row, _ in bad.values()))
    with pytest.raises(UnitImportError) as caught:
        fresh.import_file(path)
    assert_reported("\n".join(caught.value.problems), path, bad)
    assert fresh.count(Unit) == 0 and fresh.count(CommuneCategory) == 0


def test_an_unknown_parent_is_reported_with_its_line_and_nothing_is_stored(fresh, tmp_path):
    fresh.import_file(KONTUM)
    path = write(tmp_path / "orphan.csv", VALID_ROWS + UNKNOWN_PARENT[0] + "commune,23335,Xã Đổi Tên,608,,,,other,\n")
    with pytest.raises(UnitImportError) as caught:
        fresh.import_file(path)
    assert_reported("\n".join(caught.value.problems), path, {5: UNKNOWN_PARENT})
    assert fresh.count(Unit) == KONTUM_UNITS, "the good rows of a refused file must not be stored"
    with fresh.sessions.begin() as s:
        assert find_unit(s, "23335", "commune").name == "Xã Đắk Rơ Wa", "no update either"
        assert s.execute(select(func.count()).select_from(CommuneCategory)).scalar_one() == 0


def test_cli_import_reports_bad_rows_and_stores_nothing(fresh, tmp_path):
    fresh.import_file(KONTUM)
    path = write(tmp_path / "bad.csv", VALID_ROWS + "".join(row for row, _ in FIRST_PASS_BAD.values()))
    out = run_cfc(["units", "import", str(path)], fresh.env(tmp_path), cwd=tmp_path)
    assert out.returncode == 1, out
    assert "nothing imported" in out.stderr
    assert_reported(out.stderr, path, FIRST_PASS_BAD)
    assert fresh.count(Unit) == KONTUM_UNITS


def test_a_file_without_the_required_columns_is_refused(fresh, tmp_path):
    path = write(tmp_path / "cols.csv", "province,90,Tỉnh Thử\n", header="level,code,name\n")
    with pytest.raises(UnitImportError, match="missing columns: parent_code, valid_from, valid_to"):
        fresh.import_file(path)
    assert fresh.count(Unit) == 0


# ---------------------------------------------------------------------------------- re-import, successor
def test_reimport_updates_the_same_units(fresh, tmp_path):
    first = fresh.import_file(KONTUM)
    assert (first.created, first.updated) == (KONTUM_UNITS, 0)
    second = fresh.import_file(KONTUM)
    assert (second.created, second.updated) == (0, KONTUM_UNITS)
    assert fresh.count(Unit) == KONTUM_UNITS

    renamed = tmp_path / "renamed.csv"
    renamed.write_text(KONTUM.read_text(encoding="utf-8").replace("Xã Đắk Rơ Wa", "Xã Đắk Rơ Wa (mới)"),
                       encoding="utf-8")
    again = fresh.import_file(renamed)
    assert (again.created, again.updated) == (0, KONTUM_UNITS)
    assert fresh.count(Unit) == KONTUM_UNITS
    with fresh.sessions.begin() as s:
        assert find_unit(s, "23335", "commune").name == "Xã Đắk Rơ Wa (mới)"


@pytest.mark.parametrize("order", ["2019_then_2025", "2025_then_2019"])
def test_successor_links_resolve_kon_tum_to_quang_ngai(fresh, tmp_path, order):
    files = [KONTUM, subset_2025(tmp_path / "units-2025.csv")]
    for path in files if order == "2019_then_2025" else reversed(files):
        fresh.import_file(path)
    with fresh.sessions.begin() as s:
        kontum = find_unit(s, "62", "province")
        quang_ngai = find_unit(s, "51", "province")
        assert kontum.valid_to == dt.date(2025, 6, 30) and quang_ngai.valid_from == dt.date(2025, 7, 1)
        assert kontum.successor_code == "51"
        assert kontum.successor_id == quang_ngai.id
        assert find_unit(s, "62", on=dt.date(2024, 11, 1)).id == kontum.id
        with pytest.raises(CfcError):
            find_unit(s, "62", "province", on=dt.date(2025, 11, 1))
        # the communes of a merged province stay under it; today's communes sit under Quảng Ngãi
        assert find_unit(s, "23335", "commune").parent.parent.code == "62"
        today = s.execute(select(Unit).where(Unit.parent_id == quang_ngai.id)).scalars().all()
        assert len(today) == 3 and all(u.level == "commune" for u in today)
    # importing again changes nothing
    fresh.import_file(files[1])
    assert fresh.count(Unit) == KONTUM_UNITS + 4


def test_category_columns_give_each_commune_its_category_per_year(fresh, tmp_path):
    rows = (
        "province,90,Tỉnh Thử,,,,,,\n"
        "district,901,Huyện Thử,90,,,,,\n"
        "commune,90101,Xã Một,901,,,,mountain_island_difficult,other\n"
        "commune,90102,Phường Hai,901,,,,ward_central_city,\n"
    )
    path = write(tmp_path / "cats.csv", rows)
    assert fresh.import_file(path).categories == 3
    with fresh.sessions.begin() as s:
        one, two = find_unit(s, "90101", "commune"), find_unit(s, "90102", "commune")
        assert category_of(s, one, 2024) == "mountain_island_difficult"
        assert category_of(s, one, 2025) == "other"
        assert category_of(s, two, 2024) == "ward_central_city"
        assert category_of(s, two, 2025) is None
    # a later list changes a category: updated in place, not added twice
    write(path, rows.replace("mountain_island_difficult,other", "mountain_island_difficult,ward_central_city"))
    fresh.import_file(path)
    assert fresh.count(CommuneCategory) == 3
    with fresh.sessions.begin() as s:
        assert category_of(s, find_unit(s, "90101", "commune"), 2025) == "ward_central_city"


# ------------------------------------------------------------------------------------------------ users
@pytest.fixture(scope="module")
def people(db_url):
    db = Db(db_url)
    db.import_file(KONTUM)
    with db.sessions.begin() as s:
        add_user(s, "po", "mật khẩu Tỉnh 1", "62", ["province_officer"], "Cán bộ tỉnh", unit_level="province")
        add_user(s, "po2", "mật khẩu Tỉnh 1", "62", ["province_officer"], unit_level="province")
    yield db
    db.engine.dispose()


def test_passwords_are_stored_as_argon2id_hashes_only(people):
    with people.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT username, password_hash FROM users")).all())
    assert rows["po"].startswith("$argon2id$") and rows["po2"].startswith("$argon2id$")
    assert rows["po"] != rows["po2"], "the same password must hash differently (salt)"
    with people.engine.connect() as conn:
        for table in ("users", "audit_entries"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                assert not any("mật khẩu" in str(v) for v in row), f"a plain password is stored in {table}"


def test_authenticate_accepts_the_password_and_nothing_else(people):
    with people.sessions.begin() as s:
        assert authenticate(s, "po", "mật khẩu Tỉnh 1").username == "po"
        with pytest.raises(AuthError) as wrong:
            authenticate(s, "po", "mật khẩu tỉnh 1")
        with pytest.raises(AuthError) as unknown:
            authenticate(s, "nobody", "mật khẩu Tỉnh 1")
        assert str(wrong.value) == str(unknown.value), "must not say whether the user exists"
        with pytest.raises(AuthError):
            authenticate(s, "po", "")
        with pytest.raises(CfcError, match="at least 4"):
            add_user(s, "weak", "abc", "62", ["province_officer"], unit_level="province")
    with people.sessions.begin() as s:
        s.execute(select(User).where(User.username == "po2")).scalar_one().active = False
    with people.sessions.begin() as s, pytest.raises(AuthError):
        authenticate(s, "po2", "mật khẩu Tỉnh 1")


def test_cli_users_add_stores_only_a_hash(people, tmp_path):
    out = run_cfc(["users", "add", "chair9", "--unit", "610", "--role", "district_chair", "--name", "Chủ tịch",
                   "--password", "bí mật số 9 của tôi"], people.env(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    with people.sessions.begin() as s:
        user = s.execute(select(User).where(User.username == "chair9")).scalar_one()
        assert user.password_hash.startswith("$argon2id$") and "bí mật" not in user.password_hash
        assert (user.unit.code, user.roles) == ("610", ["district_chair"])
        assert authenticate(s, "chair9", "bí mật số 9 của tôi").id == user.id


def test_cli_token_is_printed_once_and_only_its_sha256_is_stored(people, tmp_path):
    out = run_cfc(["users", "token", "po"], people.env(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip()
    assert token.startswith("cfc_") and len(token) > 30
    with people.sessions.begin() as s:
        hashes = [t.token_hash for t in s.execute(select(ApiToken)).scalars()]
        assert hashlib.sha256(token.encode()).hexdigest() in hashes
        assert user_for_token(s, token).username == "po"
        for wrong in (token[:-1] + ("x" if token[-1] != "x" else "y"), "cfc_", "", token.upper()):
            with pytest.raises(AuthError):
                user_for_token(s, wrong)
        second = issue_token(s, "po")
    assert second != token
    with people.engine.connect() as conn:
        for row in conn.execute(text("SELECT * FROM api_tokens")):
            assert token not in [str(v) for v in row] and second not in [str(v) for v in row]
    with people.sessions.begin() as s:
        assert user_for_token(s, second).username == user_for_token(s, token).username == "po"
