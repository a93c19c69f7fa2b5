"""Refusals with their reasons: every guard of the workflow, and that a refused event stores nothing.

Each refusal is tried with the dry run (``check_transition``) and then for real (``transition``): both must give
the same refusal, and afterwards the dossier (status, lock_version, values, scores), its history and the whole
audit chain are as they were. The dossiers below are shared by the tests of this module precisely because a
refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from conftest import C1, C2
from sqlalchemy import func, select

from dossiers.audit import local_date, now
from dossiers.models import AuditEntry, IndicatorValue, Setting
from engine.errors import AccessDenied, AssessmentError
from engine.template import example_values
from engine.workflow import LABELS as STATE_LABELS
from engine.workflow import TransitionRefused, procedure_by_id

P2019, P2025 = "procedure-2019", "procedure-2025"
PROCEDURES = (P2019, P2025)
PANEL = ["Chủ tịch hội đồng", "Thành viên thư ký"]
REASON = "Lý do kiểm thử"

# the self-assessment of `draft_partial` leaves these out (criteria order: how the refusal lists them)
MISSING = ("TC05.deaths", "TC12.play_area", "TC13.satisfaction")
# the appraisal of `submitted_partial` leaves these out
UNAPPRAISED = ("TC02.children_born", "TC09.health_checked")
# an appraisal that fails: TC01 at 0 points (fails no_criterion_zero, all_criteria_met and the 850 threshold)
FAILING = {**example_values(), "TC01.officer": False, "TC01.collaborators": False, "TC01.board": False,
           "TC01.budget": False}

# who acts, per procedure (test role names of conftest's world)
PEOPLE = {
    P2019: {"officer": "commune_officer", "appraiser": "district_appraiser", "chair": "district_chair",
            "approver": "province_approver", "returner": "province_officer", "reader": "province_officer"},
    P2025: {"officer": "officer_2025", "appraiser": "province_officer_2025", "chair": "province_officer_2025",
            "approver": "province_approver_2025", "returner": "province_officer_2025",
            "reader": "province_approver_2025"},
}
YEARS = {P2019: range(2019, 2025), P2025: range(2025, 2031)}


@dataclass
class Guards:
    world: object
    dossiers: dict  # procedure → name → id
    officers: dict = field(default_factory=dict)  # dossier id → the officer of its commune

    def user(self, proc: str, who: str) -> str:
        return self.world.users[PEOPLE[proc][who]]

    def actor(self, proc: str, who: str, dossier: int) -> str:
        return self.officers[dossier] if who == "officer" else self.user(proc, who)

    def make(self, proc: str, status: str, self_values: dict | None = None,
             appraised: dict | None = None) -> int:
        """A new dossier walked to ``status`` (draft, submitted, verified, recognized) with the given values
        (default: the example assessment)."""
        self_values = example_values() if self_values is None else self_values
        appraised = example_values() if appraised is None else appraised
        world, service = self.world, self.world.service
        if proc == P2019:
            try:
                code, year = world.fresh_slot([C1], YEARS[proc])
            except RuntimeError:  # C1 is full: its neighbour, with its own officer
                code, year = world.fresh_slot([C2], YEARS[proc])
            officer = world.users["commune_officer" if code == C1 else "neighbour_officer"]
        else:
            code, year = world.fresh_slot([world.communes_2025[0]], YEARS[proc])
            officer = self.user(proc, "officer")
        dossier = service.create(officer, code, year).id
        self.officers[dossier] = officer
        service.set_values(officer, dossier, self_values)
        if status == "draft":
            return dossier
        service.transition(officer, dossier, "submit")
        service.appraise(self.user(proc, "appraiser"), dossier, appraised)
        if status == "submitted":
            return dossier
        service.transition(self.user(proc, "chair"), dossier, "verify", panel_members=PANEL)
        if status == "verified":
            return dossier
        service.transition(self.user(proc, "approver"), dossier, "recognize", decision_number="7/QĐ-UBND",
                           decision_date=local_date(now()), signer_name="Nguyễn Văn Ký")
        assert status == "recognized"
        return dossier


@pytest.fixture(scope="module")
def g(world) -> Guards:
    guards = Guards(world, {})
    partial_self = {k: v for k, v in example_values().items() if k not in MISSING}
    partial_appraisal = {k: v for k, v in example_values().items() if k not in UNAPPRAISED}
    for proc in PROCEDURES:
        guards.dossiers[proc] = {
            "draft_partial": guards.make(proc, "draft", self_values=partial_self),
            "submitted_partial": guards.make(proc, "submitted", appraised=partial_appraisal),
            "submitted": guards.make(proc, "submitted"),
            "verified_failing": guards.make(proc, "verified", appraised=FAILING),
            "verified": guards.make(proc, "verified"),
            "recognized": guards.make(proc, "recognized"),
        }
    return guards


def _audit_count(world) -> int:
    with world.service.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def snapshot(g: Guards, proc: str, dossier: int):
    """Everything a refusal must leave alone: the dossier as stored, its history, the length of the chain."""
    reader = g.user(proc, "reader")
    return (g.world.service.get(reader, dossier), g.world.service.history(reader, dossier), _audit_count(g.world))


def refused(g: Guards, proc: str, dossier: int, exc_type, call, *fragments, dry_run=None) -> Exception:
    """``call()`` (and ``dry_run()`` first, when given) raise ``exc_type`` with the same message holding every
    fragment, and nothing is stored."""
    before = snapshot(g, proc, dossier)
    if dry_run is not None:
        with pytest.raises(exc_type) as dry:
            dry_run()
    with pytest.raises(exc_type) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value)
    if dry_run is not None:
        assert str(dry.value) == str(info.value)
    assert snapshot(g, proc, dossier) == before
    return info.value


def refused_event(g: Guards, proc: str, name: str, who: str, event: str, *fragments, exc_type=TransitionRefused,
                  **kwargs) -> Exception:
    """The dry run and the real event are refused alike, with the same message; returns the real refusal."""
    service, dossier = g.world.service, g.dossiers[proc][name]
    username = g.actor(proc, who, dossier)
    exc = refused(g, proc, dossier, exc_type, lambda: service.transition(username, dossier, event, **kwargs),
                  *fragments, dry_run=lambda: service.check_transition(username, dossier, event, **kwargs))
    if isinstance(exc, TransitionRefused):
        assert exc.event == event
    return exc


# ------------------------------------------------------------------------------------------------ submit
@pytest.mark.parametrize("proc", PROCEDURES)
def test_submit_with_missing_values_lists_the_missing_codes(g, proc):
    exc = refused_event(g, proc, "draft_partial", "officer", "submit")
    assert exc.reasons == [f"chưa nhập đủ, đúng các chỉ số: {len(MISSING)} chỉ số chưa nhập ({', '.join(MISSING)})"]


@pytest.mark.parametrize("proc", PROCEDURES)
def test_values_with_numerator_above_denominator_are_refused_and_not_stored(g, proc):
    service, dossier = g.world.service, g.dossiers[proc]["draft_partial"]
    exc = refused(g, proc, dossier, AssessmentError,
                  lambda: service.set_values(g.officers[dossier], dossier, {"TC02.registered_on_time": 130,
                                                                                "TC13.satisfaction": 90}),
                  "TC02.registered_on_time: 130 lớn hơn «Số trẻ em sinh ra trong kỳ đánh giá» (120)")
    assert [p.code for p in exc.problems] == ["TC02.registered_on_time"]


def test_the_number_of_children_is_one_number_for_the_criteria_that_share_it(g):
    """Given at TC03 alone, TC04 and TC05 (``same_as``) take it; a copy given another value is refused."""
    service = g.world.service
    dossier = g.make(P2019, "draft")
    officer = g.officers[dossier]
    view = service.set_values(officer, dossier, {"TC03.children": "2.500"})
    assert {c: view.values[c]["self"] for c in ("TC03.children", "TC04.children", "TC05.children")} == {
        "TC03.children": "2500", "TC04.children": "2500", "TC05.children": "2500"}
    with pytest.raises(AssessmentError) as info:
        service.set_values(officer, dossier, {"TC05.children": 2499})
    assert [str(p) for p in info.value.problems] == [
        "TC05.children: 2.499 khác TC03.children (2.500): đây là cùng một số"]
    assert service.get(officer, dossier).values["TC05.children"]["self"] == "2500"


def test_submit_refuses_a_stored_numerator_above_denominator(g):
    """Values stored around the service (an old import, a hand repair) are checked again when submitting."""
    proc = P2019
    dossier = g.make(proc, "draft")
    with g.world.service.transaction() as s:
        row = s.execute(select(IndicatorValue).where(IndicatorValue.dossier_id == dossier,
                                                     IndicatorValue.code == "TC02.registered_on_time")).scalar_one()
        row.self_value = "130"
    g.dossiers[proc]["draft_bad_pair"] = dossier
    exc = refused_event(g, proc, "draft_bad_pair", "officer", "submit")
    assert exc.reasons == ["chưa nhập đủ, đúng các chỉ số: TC02.registered_on_time: 130 lớn hơn "
                           "«Số trẻ em sinh ra trong kỳ đánh giá» (120)"]


# ------------------------------------------------------------------------------------------------ verify
@pytest.mark.parametrize("proc", PROCEDURES)
def test_verify_with_unappraised_indicators_lists_them(g, proc):
    exc = refused_event(g, proc, "submitted_partial", "chair", "verify", panel_members=PANEL)
    assert exc.reasons == [
        f"chưa thẩm định đủ các chỉ số: {len(UNAPPRAISED)} chỉ số chưa nhập ({', '.join(UNAPPRAISED)})"]


@pytest.mark.parametrize("panel", [None, []], ids=["none", "empty"])
@pytest.mark.parametrize("proc", PROCEDURES)
def test_verify_without_panel_members_is_refused(g, proc, panel):
    exc = refused_event(g, proc, "submitted", "chair", "verify", panel_members=panel)
    assert exc.reasons == ["cần ghi thành phần hội đồng thẩm định có mặt"]


@pytest.mark.parametrize("proc", PROCEDURES)
def test_verify_with_only_blank_panel_member_names_is_refused(g, proc):
    """Blank names record nobody present, as a blank reason is no reason (the reason guard strips)."""
    exc = refused_event(g, proc, "submitted", "chair", "verify", panel_members=["", "   "])
    assert exc.reasons == ["cần ghi thành phần hội đồng thẩm định có mặt"]


def test_verify_by_the_appraiser_not_the_chair_is_refused_in_2019(g):
    appraiser = g.user(P2019, "appraiser")
    refused_event(g, P2019, "submitted", "appraiser", "verify",
                  f"xác nhận kết quả thẩm định: theo quy trình ({procedure_by_id(P2019).title}) cần vai trò chủ tịch "
                  f"hội đồng thẩm định huyện; {appraiser} có vai trò thành viên tổ thẩm định huyện",
                  exc_type=AccessDenied, panel_members=PANEL)


@pytest.mark.parametrize("proc", PROCEDURES)
def test_every_failing_guard_is_reported_at_once(g, proc):
    exc = refused_event(g, proc, "submitted_partial", "chair", "verify", panel_members=[])
    assert len(exc.reasons) == 2
    assert exc.reasons[0].startswith("chưa thẩm định đủ các chỉ số:")
    assert exc.reasons[1] == "cần ghi thành phần hội đồng thẩm định có mặt"


# ---------------------------------------------------------------------------------------------- reasons
REASONED = [  # (event, dossier, who may do it)
    ("return", "submitted", "chair"),
    ("return", "verified", "returner"),
    ("reject", "verified", "approver"),
    ("revoke", "recognized", "approver"),
]
LABELS = {"return": "Trả lại", "reject": "Không công nhận", "revoke": "Thu hồi"}


@pytest.mark.parametrize("reason", [None, "", "   \n"], ids=["none", "empty", "blank"])
@pytest.mark.parametrize("event, name, who", REASONED, ids=[f"{e}-{n}" for e, n, _ in REASONED])
@pytest.mark.parametrize("proc", PROCEDURES)
def test_events_that_need_a_reason_are_refused_without_one(g, proc, event, name, who, reason):
    exc = refused_event(g, proc, name, who, event, reason=reason)
    assert exc.reasons == [f"{LABELS[event]} cần ghi rõ lý do"]
    # with a reason the same actor may: the reason was the only thing missing
    assert g.world.service.check_transition(g.user(proc, who), g.dossiers[proc][name], event, reason=REASON)


# -------------------------------------------------------------------------------------------- recognize
@pytest.mark.parametrize("proc", PROCEDURES)
def test_recognize_is_refused_when_the_verified_score_fails_a_condition(g, proc):
    exc = refused_event(g, proc, "verified_failing", "approver", "recognize")
    assert len(exc.reasons) == 1
    assert exc.reasons[0].startswith("kết quả thẩm định chưa đạt: ")
    for failure in ("TC01 bị 0 điểm", "TC01 chưa đạt: 0 điểm, cần ít nhất 50", "chưa đạt ngưỡng 850"):
        assert failure in exc.reasons[0]
    # the province may still refuse recognition with a reason
    assert g.world.service.check_transition(g.user(proc, "approver"), g.dossiers[proc]["verified_failing"],
                                            "reject", reason=REASON) == "not_recognized"


SAMPLES_REFUSAL = ("bộ tiêu chí còn tạm thời (chưa đối chiếu văn bản chính thức) và hệ thống không cho phép "
                   "ban hành văn bản mẫu (allow_sample_documents)")


@pytest.mark.parametrize("proc", PROCEDURES)
def test_recognize_under_provisional_criteria_needs_allow_sample_documents(g, proc):
    service, dossier = g.world.service, g.dossiers[proc]["verified"]
    assert service.get(g.user(proc, "reader"), dossier).provisional
    service.set_setting("test", "allow_sample_documents", False)
    try:
        exc = refused_event(g, proc, "verified", "approver", "recognize")
        assert exc.reasons == [SAMPLES_REFUSAL]
        # both failures at once on a failing dossier
        exc = refused_event(g, proc, "verified_failing", "approver", "recognize")
        assert len(exc.reasons) == 2 and exc.reasons[1] == SAMPLES_REFUSAL
    finally:
        service.set_setting("test", "allow_sample_documents", True)
    assert service.check_transition(g.user(proc, "approver"), dossier, "recognize") == "recognized"


def test_allow_sample_documents_is_off_by_default(g):
    service = g.world.service
    with service.transaction() as s:
        s.delete(s.get(Setting, "allow_sample_documents"))
    try:
        exc = refused_event(g, P2019, "verified", "approver", "recognize")
        assert exc.reasons == [SAMPLES_REFUSAL]
    finally:
        service.set_setting("test", "allow_sample_documents", True)


# ------------------------------------------------------------------------------------ edits and appraisal
NOT_DRAFT = ("submitted", "verified", "recognized")


@pytest.mark.parametrize("name", NOT_DRAFT)
@pytest.mark.parametrize("proc", PROCEDURES)
def test_values_of_a_dossier_that_is_not_a_draft_cannot_be_edited(g, proc, name):
    service, dossier = g.world.service, g.dossiers[proc][name]
    officer = g.officers[dossier]
    exc = refused(g, proc, dossier, TransitionRefused,
                  lambda: service.set_values(officer, dossier, {"TC13.satisfaction": 99}), "chỉ sửa khi đang soạn")
    assert exc.event == "edit"
    exc = refused(g, proc, dossier, TransitionRefused,
                  lambda: service.add_evidence(officer, dossier, "TC01", "bien-ban.pdf", b"%PDF-1.4\n%test\n"),
                  "chỉ thêm minh chứng khi hồ sơ đang soạn")
    assert exc.event == "evidence"


@pytest.mark.parametrize("name, status", [("draft_partial", "draft"), ("verified", "verified"),
                                          ("recognized", "recognized")])
@pytest.mark.parametrize("proc", PROCEDURES)
def test_appraisal_outside_submitted_is_refused(g, proc, name, status):
    service, dossier, appraiser = g.world.service, g.dossiers[proc][name], g.user(proc, "appraiser")
    exc = refused(g, proc, dossier, TransitionRefused,
                  lambda: service.appraise(appraiser, dossier, {"TC13.satisfaction": 50},
                                           comments={"TC13.satisfaction": "x"}),
                  f"chỉ thẩm định hồ sơ đã nộp (đang: «{STATE_LABELS[status]}»)")
    assert exc.event == "appraise"


@pytest.mark.parametrize("proc", PROCEDURES)
def test_the_commune_cannot_appraise_its_own_dossier(g, proc):
    service, dossier = g.world.service, g.dossiers[proc]["submitted"]
    officer = g.officers[dossier]
    refused(g, proc, dossier, AccessDenied, lambda: service.appraise(officer, dossier, {"TC13.satisfaction": 99}),
            f"thẩm định: theo quy trình ({procedure_by_id(proc).title}) cần vai trò")


OUTSIDERS = {  # (dossier, who tries, what): each actor holds the right role for another commune or unit
    P2019: [("draft_partial", "neighbour_officer", "set_values"), ("submitted", "other_district_chair", "appraise"),
            ("submitted", "other_province_officer_2025", "appraise")],
    P2025: [("draft_partial", "other_officer_2025", "set_values"),
            ("submitted", "other_province_officer_2025", "appraise")],
}


@pytest.mark.parametrize("proc, name, actor, action",
                         [(p, *case) for p in PROCEDURES for case in OUTSIDERS[p]],
                         ids=[f"{p[-4:]}-{a}-{w}" for p in PROCEDURES for _, a, w in OUTSIDERS[p]])
def test_edits_and_appraisals_from_outside_the_jurisdiction_are_refused(g, proc, name, actor, action):
    service, dossier, username = g.world.service, g.dossiers[proc][name], g.world.users[actor]
    refused(g, proc, dossier, AccessDenied,
            lambda: getattr(service, action)(username, dossier, {"TC13.satisfaction": 99}),
            f"hồ sơ {dossier} không thuộc địa bàn của {username}")


@pytest.mark.parametrize("proc", PROCEDURES)
def test_an_unknown_event_is_refused_naming_the_events(g, proc):
    exc = refused_event(g, proc, "submitted", "chair", "approve", reason=REASON)
    assert exc.reasons == ["không có thao tác 'approve' (có: submit, verify, recognize, return, reject, revoke)"]
