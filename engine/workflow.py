"""The dossier state machine as a table, and the dated procedures that say who performs each step.

States: draft → submit → submitted → verify → verified → recognize → recognized; ``return`` (reason required)
from submitted or verified back to draft; ``reject`` (reason required) from verified to not_recognized; ``revoke``
(reason required) from recognized to revoked.

Guards (*may this happen?*) are pure functions of plain data here; the dossier service supplies the data and
raises ``TransitionRefused`` with every reason. No database and no web in this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from .cycle import RecognitionCycle
from .errors import AccessDenied, CfcError
from .messages import N_
from .models import Strict

STATES = ("draft", "submitted", "verified", "recognized", "not_recognized", "revoked")
LABELS = {
    "draft": N_("Đang soạn"),
    "submitted": N_("Đã nộp"),
    "verified": N_("Đã thẩm định"),
    "recognized": N_("Được công nhận"),
    "not_recognized": N_("Không được công nhận"),
    "revoked": N_("Đã thu hồi"),
}
EVENT_LABELS = {
    "submit": N_("Nộp hồ sơ"),
    "verify": N_("Xác nhận kết quả thẩm định"),
    "recognize": N_("Công nhận"),
    "return": N_("Trả lại"),
    "reject": N_("Không công nhận"),
    "revoke": N_("Thu hồi"),
}

# event → {from state: to state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "submit": {"draft": "submitted"},
    "verify": {"submitted": "verified"},
    "recognize": {"verified": "recognized"},
    "return": {"submitted": "draft", "verified": "draft"},
    "reject": {"verified": "not_recognized"},
    "revoke": {"recognized": "revoked"},
}
EVENTS = tuple(TRANSITIONS)
REASON_REQUIRED = frozenset({"return", "reject", "revoke"})
ROLES = (
    "commune_officer",
    "district_appraiser",
    "district_chair",
    "province_officer",
    "province_approver",
    "rules_admin",
    "sysadmin",
)
Level = Literal["commune", "district", "province"]


class TransitionRefused(CfcError):
    """An event was refused; ``reasons`` says which guard failed and why."""

    def __init__(self, event: str, reasons: list[str]):
        self.event = event
        self.reasons = list(reasons)
        label = EVENT_LABELS.get(event) or ACTION_LABELS.get(event) or event
        super().__init__(N_("%(event)s bị từ chối: %(reasons)s", event=label,
                            reasons=self.reasons))


# Everything a user may do, each a key of a procedure's ``steps``: who (roles), from which level of local
# government, and on dossiers in which states. The transitions' states are the state table's (``TRANSITIONS``);
# the others say theirs in ``states`` (none: the action concerns a round, not a dossier).
TRANSITION_STEPS = ("submit", "verify", "return_submitted", "return_verified", "recognize", "reject", "revoke")
DOSSIER_STEPS = ("read", "edit", "upload_evidence", "delete_evidence", "appraise", "rescore")
ROUND_STEPS = ("import", "export", "report", "criteria_impact")
DOCUMENT_STEPS = ("issue_certificate", "download_certificate", "download_decision", "download_revocation",
                  "download_minutes")
CRITERIA_STEPS = ("edit_criteria", "publish_criteria")  # the rules administrator's: no dossier, no round
ACTIONS = (*DOSSIER_STEPS, *TRANSITION_STEPS, *ROUND_STEPS, *DOCUMENT_STEPS, *CRITERIA_STEPS)
ACTION_LABELS = {
    "read": N_("xem hồ sơ"), "edit": N_("sửa số liệu tự đánh giá"), "upload_evidence": N_("tải lên minh chứng"),
    "delete_evidence": N_("xoá minh chứng"), "appraise": N_("thẩm định"), "import": N_("nhập chỉ số từ tệp"),
    "export": N_("xuất dữ liệu"), "report": N_("báo cáo tỉnh"), "issue_certificate": N_("in giấy công nhận"),
    "download_certificate": N_("tải giấy công nhận"), "download_decision": N_("tải quyết định công nhận"),
    "download_revocation": N_("tải quyết định thu hồi"), "download_minutes": N_("tải biên bản thẩm định"),
    "submit": N_("nộp hồ sơ"), "verify": N_("xác nhận kết quả thẩm định"), "recognize": N_("công nhận"),
    "return": N_("trả lại hồ sơ"), "return_submitted": N_("trả lại hồ sơ"), "return_verified": N_("trả lại hồ sơ"),
    "reject": N_("không công nhận"), "revoke": N_("thu hồi công nhận"),
    "amend-decision": N_("sửa quyết định"),  # not a step of the procedures: an event the service refuses
    "criteria_impact": N_("xem tác động của sửa đổi bộ tiêu chí"),
    "rescore": N_("tính lại điểm theo bộ tiêu chí hiện hành"),
    "edit_criteria": N_("sửa, xác minh giá trị của bộ tiêu chí"), "publish_criteria": N_("công bố bộ tiêu chí"),
}
ROLE_LABELS = {
    "commune_officer": N_("cán bộ xã"), "district_appraiser": N_("thành viên tổ thẩm định huyện"),
    "district_chair": N_("chủ tịch hội đồng thẩm định huyện"), "province_officer": N_("cán bộ tỉnh"),
    "province_approver": N_("lãnh đạo tỉnh phê duyệt"), "rules_admin": N_("quản trị bộ tiêu chí"),
    "sysadmin": N_("quản trị hệ thống"),
}
LEVEL_LABELS = {"commune": N_("xã"), "district": N_("huyện"), "province": N_("tỉnh")}
State = Literal[STATES]  # type: ignore[valid-type]


class Step(Strict):
    roles: list[Literal[ROLES]] = Field(min_length=1)  # type: ignore[valid-type]
    level: Level | list[Level]
    states: list[State] | None = None  # type: ignore[valid-type]

    @property
    def levels(self) -> list[str]:
        return [self.level] if isinstance(self.level, str) else list(self.level)


class Procedure(Strict):
    id: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    source: str
    cycle: RecognitionCycle  # reassessment rounds and how long a recognition stands (engine.cycle)
    steps: dict[Literal[ACTIONS], Step]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _every_action(self) -> Procedure:
        missing = [a for a in ACTIONS if a not in self.steps]
        if missing:
            raise ValueError(f"steps must say who performs every action; missing: {', '.join(missing)}")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def step_for(self, action: str, status: str | None = None) -> Step:
        """The step of an action; ``return`` depends on the state it leaves."""
        key = f"return_{status}" if action == "return" else action
        if key not in self.steps:
            raise CfcError(f"{self.id} does not say who performs {key}")
        return self.steps[key]


def round_date(year: int) -> dt.date:
    """The reference date of an assessment round: rounds happen in November (domain notes, section 4)."""
    return dt.date(year, 11, 1)


def procedures_directory() -> Path:
    from criteria import DIRECTORY

    return DIRECTORY / "procedures"


def load_procedures(directory: Path | None = None) -> list[Procedure]:
    from ruamel.yaml import YAML

    out = []
    for path in sorted((directory or procedures_directory()).glob("*.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        try:
            out.append(Procedure.model_validate(data))
        except ValidationError as exc:
            raise CfcError(f"{path}: {exc}") from None
    return out


def procedure_for(day: dt.date, procedures: list[Procedure] | None = None) -> Procedure:
    for proc in procedures if procedures is not None else load_procedures():
        if proc.covers(day):
            return proc
    raise CfcError(f"no procedure is in force on {day.isoformat()}")


def procedure_by_id(procedure_id: str, procedures: list[Procedure] | None = None) -> Procedure:
    for proc in procedures if procedures is not None else load_procedures():
        if proc.id == procedure_id:
            return proc
    raise CfcError(f"no procedure {procedure_id!r}")


@dataclass(frozen=True)
class GuardContext:
    """What the guards look at, as plain data gathered by the service."""

    missing_self: tuple[str, ...] = ()  # indicators without a valid self-assessed value (with why)
    missing_appraised: tuple[str, ...] = ()  # indicators without a valid appraised value (with why)
    verified_failures: tuple[str, ...] = ()  # failed recognition conditions of the verified score
    provisional: bool = False
    allow_samples: bool = False


def target_state(event: str, status: str) -> str:
    """The state ``event`` leads to from ``status``, or TransitionRefused naming what is possible."""
    if event not in TRANSITIONS:
        raise TransitionRefused(event, [N_("không có thao tác %(event)s (có: %(events)s)", event=repr(event),
                                           events=", ".join(EVENTS))])
    targets = TRANSITIONS[event]
    if status not in targets:
        froms = [N_("«%(state)s»", state=LABELS[s]) for s in targets]
        raise TransitionRefused(event, [N_("hồ sơ đang ở trạng thái «%(state)s»; chỉ %(action)s được từ: %(froms)s",
                                           state=LABELS.get(status, status), froms=_either(froms),
                                           action=ACTION_LABELS.get(event, event))])
    return targets[status]


def step_refusal(procedure: Procedure, action: str, status: str | None, roles: list[str], level: str,
                 who: str) -> str | None:
    """Why ``who`` (with ``roles`` at ``level``) may not perform ``action`` on a dossier in ``status`` (None:
    an action on a round) under ``procedure``; None when the dated procedure gives them the step. The one
    answer to *who may do what*: ``dossiers.authority`` asks it for every page, API call and command."""
    step = procedure.step_for(action, status)
    label = ACTION_LABELS.get(action, action)
    if not set(roles) & set(step.roles):
        has = [ROLE_LABELS.get(r, r) for r in roles]
        return N_("%(action)s: theo quy trình (%(procedure)s) cần vai trò %(needed)s; %(who)s có vai trò %(has)s",
                  action=label, procedure=procedure.title, who=who,
                  needed=_either([ROLE_LABELS.get(r, r) for r in step.roles]),
                  has=_all(has) if has else N_("không vai trò nào"))
    if level not in step.levels:
        return N_("%(action)s: theo quy trình (%(procedure)s) do cấp %(needed)s thực hiện, %(who)s thuộc cấp "
                  "%(level)s", action=label, procedure=procedure.title, who=who,
                  needed=_either([LEVEL_LABELS.get(x, x) for x in step.levels]),
                  level=LEVEL_LABELS.get(level, level))
    return None


def _either(items: list) -> object:
    """«a hoặc b hoặc c», each item rendered in the reader's language."""
    from .messages import Message

    out = items[0] if items else ""
    for item in items[1:]:
        out = N_("%(first)s hoặc %(second)s", first=out, second=item)
    return out if isinstance(out, Message) else Message("%(item)s", item=out)


def _all(items: list) -> object:
    """«a, b, c», each item rendered in the reader's language."""
    from .messages import Message

    out = Message("%(item)s", item=items[0])
    for item in items[1:]:
        out = Message("%(first)s, %(second)s", first=out, second=item)
    return out


def state_refusal(procedure: Procedure, action: str, status: str) -> str | None:
    """Why ``action`` does not apply to a dossier in ``status`` (its step's ``states``); None when it does."""
    step = procedure.step_for(action, status)
    if step.states is None or status in step.states:
        return None
    allowed = _either([N_("«%(state)s»", state=LABELS[s]) for s in step.states])
    # the refusal that carries it names the action already ("tải giấy công nhận bị từ chối: …")
    return N_("hồ sơ đang ở trạng thái «%(state)s»; chỉ làm được khi hồ sơ ở trạng thái %(allowed)s",
              state=LABELS.get(status, status), allowed=allowed)


def authorize(procedure: Procedure, event: str, status: str, roles: list[str], level: str, who: str) -> str:
    """The state ``event`` leads to, after the checks in the service's order: the state table
    (TransitionRefused), then role and level (AccessDenied). Guards come after."""
    new_status = target_state(event, status)
    refusal = step_refusal(procedure, event, status, roles, level, who)
    if refusal:
        raise AccessDenied(refusal)
    return new_status


def guard_reasons(event: str, ctx: GuardContext, reason: str | None) -> list[str]:
    """Every guard of ``event`` that fails, as a sentence; empty when the event may happen."""
    reasons: list[str] = []
    if event in REASON_REQUIRED and not (reason and reason.strip()):
        reasons.append(N_("%(event)s cần ghi rõ lý do", event=EVENT_LABELS[event]))
    if event == "submit" and ctx.missing_self:
        reasons.append(N_("chưa nhập đủ, đúng các chỉ số: %(problems)s", problems=list(ctx.missing_self)))
    if event == "verify" and ctx.missing_appraised:
        reasons.append(N_("chưa thẩm định đủ các chỉ số: %(problems)s", problems=list(ctx.missing_appraised)))
    if event == "recognize":
        if ctx.verified_failures:
            reasons.append(N_("kết quả thẩm định chưa đạt: %(problems)s", problems=list(ctx.verified_failures)))
        if ctx.provisional and not ctx.allow_samples:
            reasons.append(N_(
                "bộ tiêu chí còn tạm thời (chưa đối chiếu văn bản chính thức) và hệ thống không cho phép "
                "ban hành văn bản mẫu (allow_sample_documents)"
            ))
    return reasons
