"""Demo data: Kon Tum province (code 62) as the official list had it before 07/2025, its users, and dossiers
of the 2024 round in every status so that every page has something to show. Every recognised dossier has
its decision (number and date: the day the demo is loaded, as verification happens that day too).

Units come from dossiers/data/units-kontum-2019.csv (made from the official list published in the package
``vietnam-provinces``; scripts/make_unit_csv.py). The communes' 2024 categories are a demo assumption (a phường
is "other", every xã and thị trấn of this mountain province "mountain_island_difficult"), not the official list.
Every change goes through the dossier service, so the audit trail of the demo is a real one.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.messages import N_
from engine.template import example_values

from . import audit
from . import units as unit_store
from .models import CommuneCategory, Dossier, Unit, User
from .service import DossierService
from .users import add_user

DATA = Path(__file__).resolve().parent / "data"
YEAR = 2024
PASSWORD = "demo"
CITY, OTHER_DISTRICT = "608", "610"  # Thành phố Kon Tum; Huyện Đắk Glei
COMMUNE1, COMMUNE2 = "23335", "23284"  # Xã Đắk Rơ Wa; Phường Duy Tân (both in Thành phố Kon Tum)

# username, unit code, unit level, roles, full name
USERS = [
    ("commune1", COMMUNE1, "commune", ["commune_officer"], "Cán bộ xã Đắk Rơ Wa"),
    ("commune2", COMMUNE2, "commune", ["commune_officer"], "Cán bộ phường Duy Tân"),
    ("district1", CITY, "district", ["district_appraiser"], "Phòng LĐTBXH thành phố Kon Tum"),
    ("chair1", CITY, "district", ["district_chair"], "Phó Chủ tịch UBND thành phố Kon Tum"),
    ("district2", OTHER_DISTRICT, "district", ["district_appraiser"], "Phòng LĐTBXH huyện Đắk Glei"),
    ("chair2", OTHER_DISTRICT, "district", ["district_chair"], "Phó Chủ tịch UBND huyện Đắk Glei"),
    ("province", "62", "province", ["province_approver", "province_officer"], "Sở LĐTBXH tỉnh Kon Tum"),
    ("admin", "62", "province", ["rules_admin", "sysadmin"], "Quản trị hệ thống"),
]

# status of the other communes' dossiers: (district, how many, final status)
PLAN = [
    (CITY, 2, "submitted"),
    (CITY, 2, "verified"),
    (CITY, 3, "recognized"),
    (CITY, 1, "not_recognized"),
    (CITY, 1, "revoked"),
    (OTHER_DISTRICT, 2, "submitted"),
    (OTHER_DISTRICT, 1, "verified"),
    (OTHER_DISTRICT, 2, "recognized"),
]


class AlreadyLoaded(Exception):
    """The demo's users exist already: loading it twice would duplicate nothing but fail halfway."""


def demo_category(unit: Unit) -> str:
    return "other" if unit.name.startswith("Phường") else "mountain_island_difficult"


def values_for(rng: random.Random, good: bool, example: dict) -> dict:
    """Plausible indicator values from the criteria's ``example``: a good commune meets every condition, a weak
    one misses some."""
    values = dict(example)
    values["TC07.children_under_1"] = rng.randint(30, 90)
    values["TC07.fully_immunised"] = values["TC07.children_under_1"] - rng.randint(0, 1)
    values["TC02.children_born"] = rng.randint(40, 160)
    values["TC02.registered_on_time"] = values["TC02.children_born"] - rng.randint(0, 1)
    values["TC13.satisfaction"] = rng.choice([82, 85.5, 88, 91.25])
    if not good:
        values["TC07.fully_immunised"] = int(values["TC07.children_under_1"] * 0.85)
        values["TC11.consulted"] = False
        values["TC11.children_clubs"] = False
        values["TC12.play_area"] = False
        values["TC13.satisfaction"] = 62
    return values


def load(sessions: sessionmaker[Session], service: DossierService | None = None) -> dict:
    """Load the demo into an upgraded, empty database. Returns counts."""
    service = service or DossierService(sessions)
    with service.transaction() as s:
        if s.execute(select(User).where(User.username == "admin")).scalar_one_or_none():
            raise AlreadyLoaded(N_("dữ liệu mẫu đã được nạp vào cơ sở dữ liệu này"))
        report = unit_store.import_csv(s, DATA / "units-kontum-2019.csv")
        for unit in s.execute(select(Unit).where(Unit.level == "commune")).scalars():
            s.add(CommuneCategory(unit_id=unit.id, year=YEAR, category=demo_category(unit)))
        for username, code, level, roles, name in USERS:
            add_user(s, username, PASSWORD, code, roles, name, actor="demo", unit_level=level)
    service.set_setting("demo", "allow_sample_documents", True)
    service.set_setting("demo", "current_round", YEAR)
    demo_keys(service)
    if service.settings.base_url:  # `make demo` passes CFC_BASE_URL=http://HOST:PORT; no silent default
        service.set_setting("demo", "public_base_url", service.settings.base_url)
    service.create("commune1", COMMUNE1, YEAR)
    service.create("commune2", COMMUNE2, YEAR)
    rng = random.Random(2024)
    example = example_values()
    made = 2
    for district, count, final in PLAN:
        with service.transaction() as s:
            district_unit = unit_store.find_unit(s, district, "district")
            taken = {u for (u,) in s.execute(select(User.unit_id))}
            communes = [u for u in s.execute(select(Unit).where(Unit.parent_id == district_unit.id)
                                             .order_by(Unit.code)).scalars() if u.id not in taken]
            used = {d for (d,) in s.execute(select(Dossier.commune_id))}
            communes = [u for u in communes if u.id not in used][:count]
            officers = []
            for unit in communes:
                username = f"officer{unit.code}"
                add_user(s, username, PASSWORD, unit.code, ["commune_officer"], f"Cán bộ {unit.name}",
                         actor="demo", unit_level="commune")
                officers.append((username, unit.code))
        chair = "chair1" if district == CITY else "chair2"
        appraiser = "district1" if district == CITY else "district2"
        for username, code in officers:
            _walk(service, username, code, final, rng, appraiser, chair, example)
            made += 1
    return {"units": report.created, "users": len(USERS), "dossiers": made}


def demo_keys(service: DossierService) -> None:
    """A demo certificate authority and a signing key per issuing body (the decisions and the panels of both
    districts) in ``signing/`` of the instance folder, unless the deployment configures its own keys: the
    demo's documents are signed at issuance like real ones, with a signature labelled DEMO."""
    import datetime as dt

    from .issuance.keys_demo import write_demo_keys

    if service.settings.signing_keys_file() is not None:
        return
    since = dt.date(2019, 1, 3)
    bodies = [(CITY, "decision", "UBND Thành phố Kon Tum", since),
              (CITY, "minutes", "Hội đồng xét duyệt Thành phố Kon Tum", since),
              (OTHER_DISTRICT, "decision", "UBND Huyện Đắk Glei", since),
              (OTHER_DISTRICT, "minutes", "Hội đồng xét duyệt Huyện Đắk Glei", since)]
    write_demo_keys(service.settings.instance() / "signing", bodies)


# who signs the demo's decisions (a real deployment configures `signers` in criteria/procedures/documents)
DEMO_SIGNER = "Nguyễn Văn Minh"


def _walk(service: DossierService, officer: str, code: str, final: str, rng: random.Random, appraiser: str,
          chair: str, example: dict) -> None:
    good = final != "not_recognized"
    view = service.create(officer, code, YEAR)
    values = values_for(rng, good, example)
    service.set_values(officer, view.id, values)
    service.transition(officer, view.id, "submit")
    if final == "submitted":
        return
    appraised = dict(values)
    if good:
        appraised["TC02.registered_on_time"] = max(0, values["TC02.registered_on_time"] - 1)
    service.appraise(appraiser, view.id, appraised, {"TC02.registered_on_time": "Đối chiếu sổ hộ tịch"})
    service.transition(chair, view.id, "verify", panel_members=[
        "Phó Chủ tịch UBND (Chủ tịch hội đồng)", "Trưởng phòng LĐTBXH", "Trưởng phòng Y tế", "Trưởng phòng GD&ĐT"])
    if final == "verified":
        return
    if final == "not_recognized":
        service.transition("province", view.id, "reject",
                           reason="Kết quả thẩm định chưa đạt: TC11, TC12, TC13 chưa đạt yêu cầu")
        return
    # a decision is dated on or after the verification (today, as the demo is loaded) and never in the future
    today = audit.local_date(audit.now())
    service.transition("province", view.id, "recognize", decision_number=f"{100 + view.id}/QĐ-UBND",
                       decision_date=today, signer_name=DEMO_SIGNER)
    if final == "revoked":
        service.transition("province", view.id, "revoke", decision_number=f"{500 + view.id}/QĐ-UBND",
                           public_reason="Kết quả kiểm tra sau công nhận: không còn đáp ứng tiêu chí TC07",
                           decision_date=today, signer_name=DEMO_SIGNER,
                           reason="Kiểm tra sau công nhận phát hiện số liệu tiêm chủng không đúng thực tế")
