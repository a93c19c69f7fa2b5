"""Fixtures for storage and workflow tests, run against SQLite and PostgreSQL alike.

PostgreSQL is a real server: ``CFC_TEST_POSTGRES_URL`` when set (``make test`` sets it), else this file starts
one with scripts/pg.sh for the session and stops it afterwards. Each test module gets fresh databases.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from certificates.signature import signable_pdf
from dossiers import units as unit_store
from dossiers.audit import local_date, now
from dossiers.config import Settings
from dossiers.db import make_engine, session_factory
from dossiers.migrate import upgrade
from dossiers.models import CommuneCategory, Unit
from dossiers.service import DossierService
from dossiers.users import add_user
from engine.template import example_values
from tests.postgres import server_url

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "dossiers" / "data"

# 2019 world (procedure-2019): Kon Tum, Thành phố Kon Tum (608) and Huyện Đắk Glei (610)
C1, C2, C_OTHER_DISTRICT = "23335", "23284", "23344"  # Đắk Rơ Wa, Duy Tân (both 608); Đắk Blô (610)
# 2025 world (procedure-2025): Quảng Ngãi (51) after the merger, and Hà Nội (1)
P25, P25_OTHER = "51", "1"


@pytest.fixture(scope="session")
def postgres_server():
    with server_url() as url:
        yield url


def _fresh_postgres(server: str) -> tuple[str, callable]:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = server.rsplit("/", 1)[0]

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


@pytest.fixture(params=["sqlite", "postgres"], scope="module")
def db_url(request, tmp_path_factory):
    """A fresh, migrated database URL of each kind (module scope: build data once per module)."""
    folder = tmp_path_factory.mktemp("instance")
    if request.param == "sqlite":
        url, drop = f"sqlite:///{folder / 'cfc.sqlite3'}", (lambda: None)
    else:
        url, drop = _fresh_postgres(request.getfixturevalue("postgres_server"))
    upgrade(url)
    yield url
    drop()


def units_2025_subset(path: Path, provinces: tuple[str, ...] = (P25, P25_OTHER), per_province: int = 6) -> Path:
    """A small CSV of today's units: a few communes of each given province, from the official list."""
    rows, kept = [], {}
    with open(DATA / "units-vietnam-2025.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        for row in reader:
            if row["level"] == "province" and row["code"] in provinces:
                rows.append(row)
            elif (row["level"] == "commune" and row["parent_code"] in provinces
                  and kept.get(row["parent_code"], 0) < per_province):
                kept[row["parent_code"]] = kept.get(row["parent_code"], 0) + 1
                rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


# role name in tests → (username, unit code, unit level, roles)
USERS_2019 = {
    "commune_officer": ("c1", C1, "commune", ["commune_officer"]),
    "neighbour_officer": ("c2", C2, "commune", ["commune_officer"]),
    "district_appraiser": ("d1", "608", "district", ["district_appraiser"]),
    "district_chair": ("chair1", "608", "district", ["district_chair"]),
    "other_district_chair": ("chair2", "610", "district", ["district_chair"]),
    "province_officer": ("po", "62", "province", ["province_officer"]),
    "province_approver": ("pa", "62", "province", ["province_approver"]),
    "rules_admin": ("ra", "62", "province", ["rules_admin"]),
    "sysadmin": ("sa", "62", "province", ["sysadmin"]),
}


@dataclass
class World:
    url: str
    service: DossierService
    engine: object
    users: dict = field(default_factory=dict)  # test role name → username
    communes_2025: list = field(default_factory=list)
    _used: set = field(default_factory=set)

    def fresh_slot(self, communes: list[str], years: range) -> tuple[str, int]:
        """A (commune, year) with no dossier yet."""
        for year in years:
            for code in communes:
                if (code, year) not in self._used:
                    self._used.add((code, year))
                    return code, year
        raise RuntimeError("no free commune/year left for a new dossier")

    def dossier_2019(self, status: str = "draft", commune: str | None = None) -> int:
        code, year = (commune, 2024) if commune else self.fresh_slot([C1], range(2019, 2025))
        u = self.users
        return advance(self.service, code, year, status, officer=u["commune_officer"],
                       appraiser=u["district_appraiser"], chair=u["district_chair"],
                       approver=u["province_approver"])

    def dossier_2025(self, status: str = "draft") -> int:
        code, year = self.fresh_slot([self.communes_2025[0]], range(2025, 2031))
        u = self.users
        return advance(self.service, code, year, status, officer=u["officer_2025"],
                       appraiser=u["province_officer_2025"], chair=u["province_officer_2025"],
                       approver=u["province_approver_2025"])


def deployment_service(world, instance: Path, **env: str) -> tuple[DossierService, Settings]:
    """A deployment over the world's database, its instance folder ``instance`` and settings ``env`` (e.g.
    ``CFC_SIGNING_KEYS``), whose service renders documents to sign: (service, settings)."""
    settings = Settings.from_env({"CFC_INSTANCE_DIR": str(instance), "DATABASE_URL": world.url, **env})
    service = DossierService(session_factory(world.engine), settings=settings)
    service.renderer = signable_pdf
    return service, settings


def advance(service: DossierService, commune: str, year: int, status: str, *, officer: str, appraiser: str,
            chair: str, approver: str, values: dict | None = None) -> int:
    """Create a dossier and walk it to ``status`` through the real service. Returns its id."""
    values = values or example_values()
    view = service.create(officer, commune, year)
    if status == "draft":
        return view.id
    service.set_values(officer, view.id, values)
    service.transition(officer, view.id, "submit")
    if status == "submitted":
        return view.id
    service.appraise(appraiser, view.id, values)
    service.transition(chair, view.id, "verify", panel_members=["Chủ tịch hội đồng", "Thành viên"])
    if status == "verified":
        return view.id
    if status == "not_recognized":
        service.transition(approver, view.id, "reject", reason="test")
        return view.id
    service.transition(approver, view.id, "recognize", decision_number="1/QĐ-UBND",
                       decision_date=local_date(now()), signer_name="Nguyễn Văn Ký")  # not before verification (today)
    if status == "recognized":
        return view.id
    service.transition(approver, view.id, "revoke", reason="test", public_reason="Kiểm tra", decision_number="2/QĐ-UBND",
                       decision_date=local_date(now()), signer_name="Nguyễn Văn Ký")
    return view.id


def build_world(url: str, tmp_path: Path) -> World:
    """Units of Kon Tum (2019) and a few of today's communes, categories for 2019–2030, one user per role."""
    engine = make_engine(url)
    service = DossierService(session_factory(engine))
    world = World(url, service, engine)
    with service.transaction() as s:
        unit_store.import_csv(s, DATA / "units-kontum-2019.csv")
        unit_store.import_csv(s, units_2025_subset(tmp_path / "units-2025.csv"))
        for unit in s.query(Unit).filter(Unit.level == "commune"):
            years = range(2019, 2025) if unit.valid_to else range(2025, 2031)
            for year in years:
                s.add(CommuneCategory(unit_id=unit.id, year=year, category="other"))
        for role, (username, code, level, roles) in USERS_2019.items():
            add_user(s, username, "secret", code, roles, unit_level=level)
            world.users[role] = username
        communes = [u.code for u in s.query(Unit).filter(Unit.level == "commune", Unit.valid_from.isnot(None))
                    .filter(Unit.parent.has(code=P25)).order_by(Unit.code)]
        world.communes_2025 = communes
        other = [u.code for u in s.query(Unit).filter(Unit.level == "commune", Unit.valid_from.isnot(None))
                 .filter(Unit.parent.has(code=P25_OTHER)).order_by(Unit.code)]
        for role, code, level, roles in (
            ("officer_2025", communes[0], "commune", ["commune_officer"]),
            ("province_officer_2025", P25, "province", ["province_officer"]),
            ("province_approver_2025", P25, "province", ["province_approver"]),
            ("other_province_officer_2025", P25_OTHER, "province", ["province_officer", "province_approver"]),
            ("other_officer_2025", other[0], "commune", ["commune_officer"]),
        ):
            add_user(s, role, "secret", code, roles, unit_level=level)
            world.users[role] = role
    service.set_setting("test", "allow_sample_documents", True)
    return world


@pytest.fixture(scope="module")
def world(db_url, tmp_path_factory):
    built = build_world(db_url, tmp_path_factory.mktemp("units"))
    yield built
    built.engine.dispose()
