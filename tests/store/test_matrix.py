"""Who may do what, in which state: role × status × event for each dated procedure.

The expected tables below are written out by hand from criteria/procedures/procedure-2019.yaml and
procedure-2025.yaml and the state table of the issue (test_tables_follow_the_yaml_and_the_state_table keeps them
honest). The whole matrix is a table test of the pure decision ``engine.workflow.authorize`` (state table, then
role and level of the dated procedure), which the dossier service asks for every page, API call and command; a
database slice then checks, on SQLite and PostgreSQL, that the service's dry run ``check_transition`` gives the
same answer: every allowed cell, and for each actor the first cell of each kind of refusal (outside the
jurisdiction, by state, by role or level). A smaller set of real transitions shows that the dry run says what
really happens.

Order of checks in the service: jurisdiction (AccessDenied), then the state table (TransitionRefused naming the
state), then role and level of the dated procedure (AccessDenied), then the guards. The matrix passes a valid
reason and panel members and uses dossiers whose values are complete and pass, so no guard decides here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from conftest import C1, C2, advance
from sqlalchemy import func, select

from dossiers.audit import local_date, now
from dossiers.models import AuditEntry, User
from dossiers.users import add_user
from engine.errors import AccessDenied
from engine.template import example_values
from engine.workflow import (
    LEVEL_LABELS,
    TRANSITIONS,
    TransitionRefused,
    authorize,
    load_procedures,
    procedure_by_id,
)

P2019, P2025 = "procedure-2019", "procedure-2025"
PROCEDURES = (P2019, P2025)
STATUSES = ("draft", "submitted", "verified", "recognized", "not_recognized", "revoked")
EVENTS = ("submit", "verify", "recognize", "return", "reject", "revoke")
REASON = "Lý do kiểm thử"
PANEL = ["Chủ tịch hội đồng", "Thành viên thư ký"]
DECISION = ("12/QĐ-UBND", local_date(now()))  # not before verification (today)
C3 = "23281"  # Phường Quang Trung, also in Thành phố Kon Tum (608): a third commune for real transitions

# the state table of the issue: (event, from state) → to state; every other pair is refused by state
STATE_TABLE = {
    ("submit", "draft"): "submitted",
    ("verify", "submitted"): "verified",
    ("recognize", "verified"): "recognized",
    ("return", "submitted"): "draft",
    ("return", "verified"): "draft",
    ("reject", "verified"): "not_recognized",
    ("revoke", "recognized"): "revoked",
}
# how a refusal by state names the state the dossier is in
STATE_NAMES = {
    "draft": "Đang soạn",
    "submitted": "Đã nộp",
    "verified": "Đã thẩm định",
    "recognized": "Được công nhận",
    "not_recognized": "Không được công nhận",
    "revoked": "Đã thu hồi",
}

# (event, from state) → the test actors allowed, per procedure (actor names: world.users or EXTRA_USERS)
ALLOWED = {
    # commune → district appraisal panel → province sign-off
    P2019: {
        ("submit", "draft"): {"commune_officer"},
        ("verify", "submitted"): {"district_chair"},
        ("return", "submitted"): {"district_appraiser", "district_chair"},
        ("return", "verified"): {"province_officer", "province_approver"},
        ("recognize", "verified"): {"province_approver"},
        ("reject", "verified"): {"province_approver"},
        ("revoke", "recognized"): {"province_approver"},
    },
    # commune → province appraisal → province sign-off (no district from 01/07/2025)
    P2025: {
        ("submit", "draft"): {"officer_2025"},
        ("verify", "submitted"): {"province_officer_2025"},
        ("return", "submitted"): {"province_officer_2025"},
        ("return", "verified"): {"province_officer_2025", "province_approver_2025"},
        ("recognize", "verified"): {"province_approver_2025"},
        ("reject", "verified"): {"province_approver_2025"},
        ("revoke", "recognized"): {"province_approver_2025"},
    },
}

# actors whose unit contains the matrix dossiers' commune: only state, role and level refuse them
INSIDE = {
    P2019: ("commune_officer", "district_appraiser", "district_chair", "province_officer", "province_approver",
            "rules_admin", "sysadmin", "district_roles_at_province"),
    P2025: ("officer_2025", "province_officer_2025", "province_approver_2025", "province_roles_at_commune_2025"),
}
# actors whose unit does not contain the commune: refused for every event in every state
OUTSIDE = {
    P2019: ("neighbour_officer", "other_district_chair", "other_province_officer_2025"),
    P2025: ("neighbour_officer_2025", "other_officer_2025", "other_province_officer_2025",
            "district_chair"),  # a chair of a former district (Kon Tum, 2019 units) has no 2025 commune
}

# the roles and the level of each inside actor (test_profiles_are_the_users_of_the_database checks them)
PROFILES = {
    "commune_officer": (["commune_officer"], "commune"),
    "district_appraiser": (["district_appraiser"], "district"),
    "district_chair": (["district_chair"], "district"),
    "province_officer": (["province_officer"], "province"),
    "province_approver": (["province_approver"], "province"),
    "rules_admin": (["rules_admin"], "province"),
    "sysadmin": (["sysadmin"], "province"),
    "district_roles_at_province": (["district_appraiser", "district_chair"], "province"),
    "officer_2025": (["commune_officer"], "commune"),
    "province_officer_2025": (["province_officer"], "province"),
    "province_approver_2025": (["province_approver"], "province"),
    "province_roles_at_commune_2025": (["province_officer", "province_approver"], "commune"),
}

# users this module adds to the world: actor → (username, unit, level, roles); "2025:<i>" is the i-th
# commune of the 2025 world (world.communes_2025)
EXTRA_USERS = {
    # right roles for appraisal and verification in 2019, wrong level (province, not district)
    "district_roles_at_province": ("m_dist_at_prov", "62", "province", ["district_appraiser", "district_chair"]),
    # right roles for the 2025 province steps, wrong level (the dossier's own commune)
    "province_roles_at_commune_2025": ("m_prov_at_comm", "2025:0", "commune", ["province_officer",
                                                                              "province_approver"]),
    "officer_c3": ("m_c3", C3, "commune", ["commune_officer"]),
    "neighbour_officer_2025": ("m_c25b", "2025:1", "commune", ["commune_officer"]),
    "officer_2025_c": ("m_c25c", "2025:2", "commune", ["commune_officer"]),
}

# real transitions run on fresh dossiers of other communes of the same district/province: (commune, its officer)
FRESH_COMMUNES = {
    P2019: [(C2, "neighbour_officer"), (C3, "officer_c3")],
    P2025: [("2025:1", "neighbour_officer_2025"), ("2025:2", "officer_2025_c")],
}
STAFF = {  # who walks a fresh dossier to its status (as conftest's world does)
    P2019: {"appraiser": "district_appraiser", "chair": "district_chair", "approver": "province_approver"},
    P2025: {"appraiser": "province_officer_2025", "chair": "province_officer_2025",
            "approver": "province_approver_2025"},
}
COMMUNE_OFFICER = {P2019: "commune_officer", P2025: "officer_2025"}
YEARS = {P2019: range(2019, 2025), P2025: range(2025, 2031)}
PURE_PROCEDURES = load_procedures()


def expected(proc: str, actor: str, event: str, status: str) -> str:
    """The outcome of one cell: the new state, or 'outside', 'state' or 'role' (role or level) for a refusal."""
    if actor in OUTSIDE[proc]:
        return "outside"
    if (event, status) not in STATE_TABLE:
        return "state"
    if actor in ALLOWED[proc][(event, status)]:
        return STATE_TABLE[(event, status)]
    return "role"


TABLE = [
    pytest.param(proc, actor, event, status, id=f"{proc[-4:]}-{actor}-{event}-{status}")
    for proc in PROCEDURES
    for actor in INSIDE[proc]
    for event in EVENTS
    for status in STATUSES
]


def _slice() -> list:
    """Every allowed cell, and per actor the first cell of each kind of refusal."""
    cells = []
    for proc in PROCEDURES:
        for actor in INSIDE[proc] + OUTSIDE[proc]:
            seen = set()
            for event in EVENTS:
                for status in STATUSES:
                    kind = expected(proc, actor, event, status)
                    if kind in ("outside", "state", "role") and kind in seen:
                        continue
                    seen.add(kind)
                    cells.append(pytest.param(proc, actor, event, status,
                                              id=f"{proc[-4:]}-{actor}-{event}-{status}"))
    return cells


SLICE = _slice()
REAL = [
    pytest.param(proc, event, status, actor, id=f"{proc[-4:]}-{actor}-{event}-{status}")
    for proc in PROCEDURES
    for (event, status), actors in ALLOWED[proc].items()
    for actor in sorted(actors)
]


@dataclass
class Matrix:
    users: dict  # actor → username
    dossiers: dict  # procedure → status → dossier id
    commune: dict = field(default_factory=dict)  # "2025:<i>" and other commune codes → code


@pytest.fixture(scope="module")
def m(world) -> Matrix:
    service = world.service
    code = {f"2025:{i}": c for i, c in enumerate(world.communes_2025)}
    users = dict(world.users)
    with service.transaction() as s:
        for actor, (username, unit, level, roles) in EXTRA_USERS.items():
            add_user(s, username, "secret", code.get(unit, unit), roles, unit_level=level)
            users[actor] = username
    dossiers = {
        P2019: {status: world.dossier_2019(status) for status in STATUSES},
        P2025: {status: world.dossier_2025(status) for status in STATUSES},
    }
    # complete, valid values in the draft (self-assessed) and the submitted dossier (appraised), so that submit
    # and verify are decided by state, role and jurisdiction alone
    service.set_values(users["commune_officer"], dossiers[P2019]["draft"], example_values())
    service.set_values(users["officer_2025"], dossiers[P2025]["draft"], example_values())
    service.appraise(users["district_appraiser"], dossiers[P2019]["submitted"], example_values())
    service.appraise(users["province_officer_2025"], dossiers[P2025]["submitted"], example_values())
    for proc in PROCEDURES:
        for status, dossier in dossiers[proc].items():
            view = service.get(users["province_officer" if proc == P2019 else "province_approver_2025"], dossier)
            assert (view.procedure, view.status, view.commune_code) == (
                proc, status, C1 if proc == P2019 else world.communes_2025[0])
    return Matrix(users, dossiers, code)


def test_tables_follow_the_yaml_and_the_state_table(world, m):
    """The hand-written tables say what the YAML and the state table say, for the users of this world."""
    assert {(e, f): t for e, moves in TRANSITIONS.items() for f, t in moves.items()} == STATE_TABLE
    procedures = load_procedures()
    with world.service.transaction() as s:
        people = {a: s.execute(select(User).where(User.username == u)).scalar_one() for a, u in m.users.items()}
        for proc in PROCEDURES:
            procedure = procedure_by_id(proc, procedures)
            for (event, status), allowed in ALLOWED[proc].items():
                step = procedure.step_for(event, status)
                for actor in INSIDE[proc]:
                    user = people[actor]
                    may = bool(set(user.roles) & set(step.roles)) and user.unit.level == step.level
                    assert may == (actor in allowed), (proc, event, status, actor, step)
                # each role of the step is exercised by an allowed actor
                assert set(step.roles) <= {r for a in allowed for r in people[a].roles}, (proc, event, status)


@pytest.mark.parametrize("proc, actor, event, status", TABLE)
def test_table_of_the_decision(proc, actor, event, status):
    """The pure decision, cell by cell, for the actors inside the jurisdiction."""
    roles, level = PROFILES[actor]
    procedure = procedure_by_id(proc, PURE_PROCEDURES)
    outcome = expected(proc, actor, event, status)
    if outcome == "state":
        with pytest.raises(TransitionRefused) as info:
            authorize(procedure, event, status, roles, level, actor)
        assert info.value.event == event
        assert f"«{STATE_NAMES[status]}»" in str(info.value)
    elif outcome == "role":
        with pytest.raises(AccessDenied) as info:
            authorize(procedure, event, status, roles, level, actor)
        assert procedure_by_id(proc).title in str(info.value) and actor in str(info.value)
    else:
        assert authorize(procedure, event, status, roles, level, actor) == outcome


def test_profiles_are_the_users_of_the_database(world, m):
    with world.service.transaction() as s:
        for actor, (roles, level) in PROFILES.items():
            user = s.execute(select(User).where(User.username == m.users[actor])).scalar_one()
            assert (sorted(user.roles), user.unit.level) == (sorted(roles), level), actor


@pytest.mark.parametrize("proc, actor, event, status", SLICE)
def test_the_service_decides_as_the_table(world, m, proc, actor, event, status):
    username = m.users[actor]
    dossier = m.dossiers[proc][status]
    outcome = expected(proc, actor, event, status)

    def dry_run():
        return world.service.check_transition(username, dossier, event, reason=REASON, panel_members=PANEL)

    if outcome == "outside":
        with pytest.raises(AccessDenied, match="không thuộc địa bàn") as info:
            dry_run()
        assert username in str(info.value)
    elif outcome == "state":
        with pytest.raises(TransitionRefused) as info:
            dry_run()
        assert info.value.event == event
        assert f"«{STATE_NAMES[status]}»" in str(info.value)
    elif outcome == "role":
        with pytest.raises(AccessDenied) as info:
            dry_run()
        assert procedure_by_id(proc).title in str(info.value) and username in str(info.value)
    else:
        assert dry_run() == outcome


@pytest.mark.parametrize("proc, actor, event, status, level", [
    (P2019, "district_roles_at_province", "verify", "submitted", "district"),
    (P2019, "district_roles_at_province", "return", "submitted", "district"),
    (P2025, "province_roles_at_commune_2025", "verify", "submitted", "province"),
    (P2025, "province_roles_at_commune_2025", "recognize", "verified", "province"),
    (P2025, "province_roles_at_commune_2025", "return", "verified", "province"),
])
def test_right_role_at_the_wrong_level_is_refused_for_the_level(world, m, proc, actor, event, status, level):
    username = m.users[actor]
    with pytest.raises(AccessDenied) as info:
        world.service.check_transition(username, m.dossiers[proc][status], event, reason=REASON,
                                       panel_members=PANEL)
    assert f"do cấp {LEVEL_LABELS[level]} thực hiện" in str(info.value) and username in str(info.value)


@pytest.mark.parametrize("proc", PROCEDURES)
def test_outside_actors_cannot_even_read_the_dossiers(world, m, proc):
    for actor in OUTSIDE[proc]:
        username = m.users[actor]
        for dossier in m.dossiers[proc].values():
            with pytest.raises(AccessDenied):
                world.service.get(username, dossier)
            with pytest.raises(AccessDenied):
                world.service.history(username, dossier)
        assert not set(m.dossiers[proc].values()) & {v.id for v in world.service.list(username)}


def _snapshot(world, username: str, dossier: int):
    return world.service.get(username, dossier), world.service.history(username, dossier)


def _audit_count(world) -> int:
    with world.service.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_dry_runs_change_nothing(world, m):
    """Every allowed dry run of the matrix leaves every matrix dossier and the audit chain as they were."""
    reader = {P2019: m.users["province_officer"], P2025: m.users["province_approver_2025"]}
    before = {(p, st): _snapshot(world, reader[p], d) for p in PROCEDURES for st, d in m.dossiers[p].items()}
    entries = _audit_count(world)
    for proc in PROCEDURES:
        for (event, status), actors in ALLOWED[proc].items():
            for actor in actors:
                assert world.service.check_transition(m.users[actor], m.dossiers[proc][status], event,
                                                      reason=REASON, panel_members=PANEL)
    after = {(p, st): _snapshot(world, reader[p], d) for p in PROCEDURES for st, d in m.dossiers[p].items()}
    assert after == before
    assert _audit_count(world) == entries


def fresh_dossier(world, m: Matrix, proc: str, status: str) -> tuple[int, str]:
    """A new dossier of another commune of the same unit, walked to ``status``; (id, its commune officer)."""
    officers = {m.commune.get(c, c): officer for c, officer in FRESH_COMMUNES[proc]}
    code, year = world.fresh_slot(list(officers), YEARS[proc])
    staff = {k: m.users[v] for k, v in STAFF[proc].items()}
    officer = m.users[officers[code]]
    dossier = advance(world.service, code, year, status, officer=officer, **staff)
    if status == "draft":
        world.service.set_values(officer, dossier, example_values())
    if status == "submitted":
        world.service.appraise(staff["appraiser"], dossier, example_values())
    return dossier, officer


@pytest.mark.parametrize("proc, event, status, actor", REAL)
def test_real_transition_does_what_the_dry_run_says(world, m, proc, event, status, actor):
    dossier, officer = fresh_dossier(world, m, proc, status)
    # the commune officer of the matrix commune stands for the officer of the fresh dossier's own commune
    username = officer if actor == COMMUNE_OFFICER[proc] else m.users[actor]
    service = world.service
    before, history_before = _snapshot(world, username, dossier)
    assert before.status == status

    dry = service.check_transition(username, dossier, event, reason=REASON, panel_members=PANEL)
    assert dry == STATE_TABLE[(event, status)]
    assert _snapshot(world, username, dossier) == (before, history_before)

    view = service.transition(username, dossier, event, reason=REASON, expected_version=before.lock_version,
                              panel_members=PANEL, decision_number=DECISION[0], decision_date=DECISION[1],
                              signer_name="Nguyễn Văn Ký", public_reason="Công bố: " + REASON)
    assert view.status == dry
    assert view.lock_version == before.lock_version + 1
    stored, history = _snapshot(world, username, dossier)
    assert stored.status == dry and stored.lock_version == view.lock_version
    extra = 1 if event == "recognize" else 0  # the recognition allocates the certificate's serial
    assert len(history) == len(history_before) + 1 + extra
    entry = history[-1 - extra]
    if extra:
        assert history[-1]["action"] == "certificate.issue" and history[-1]["version"] == view.lock_version
    assert (entry["actor"], entry["action"], entry["reason"], entry["version"]) == (
        username, f"transition.{event}", REASON, view.lock_version)
    assert entry["before"]["status"] == status  # the history gives before/after as JSON objects
    if event == "return":  # the return cleared the appraisal; the history keeps it
        assert stored.panel_members is None and stored.verified_score is None
        assert all(v["appraised"] is None and v["comment"] is None for v in stored.values.values())
        if status == "verified":
            assert entry["before"]["panel_members"] and entry["before"]["verified_total"] is not None
    else:
        assert entry["before"] == {"status": status}
    after = entry["after"]
    assert after["status"] == dry
    if event == "verify":
        assert stored.panel_members == PANEL and after["panel_members"] == PANEL
        assert stored.verified_score is not None and after["verified_total"] == stored.verified_score.total
    if event == "recognize":
        assert (stored.decision_number, stored.decision_date) == (DECISION[0], DECISION[1].isoformat())
        assert after["decision"] == {"number": DECISION[0], "date": DECISION[1].isoformat(),
                                     "signer": "Nguyễn Văn Ký", "signer_title": "CHỦ TỊCH"}

    # the same event again is now refused by the state it led to
    with pytest.raises(TransitionRefused, match=f"«{STATE_NAMES[dry]}»"):
        service.transition(username, dossier, event, reason=REASON, panel_members=PANEL)


@pytest.mark.parametrize("proc", PROCEDURES)
def test_officer_of_another_commune_cannot_create_a_dossier_here(world, m, proc):
    """The (commune, year) already has a dossier, so a wrong success would show as ConflictError, not pass."""
    actor, commune = (("neighbour_officer", C1) if proc == P2019 else
                      ("other_officer_2025", world.communes_2025[0]))
    with pytest.raises(AccessDenied, match="không thuộc địa bàn"):
        world.service.create(m.users[actor], commune, YEARS[proc][0])
