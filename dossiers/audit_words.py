"""Audit entries in words: an action's name ("values.set" → "Nhập số liệu") and a time stamp in Vietnam's local
time (dd/mm/yyyy hh:mm), for the pages' history and for the refusals that name who changed a dossier."""

from __future__ import annotations

import datetime as dt

from engine.messages import N_, Message

from .audit import VIETNAM

ACTIONS = {
    "dossier.create": N_("Tạo hồ sơ"),
    "values.set": N_("Nhập số liệu"),
    "values.appraise": N_("Thẩm định số liệu"),
    "values.import": N_("Nhập từ bảng tính"),
    "evidence.add": N_("Thêm minh chứng"),
    "evidence.delete": N_("Xoá minh chứng"),
    "transition.submit": N_("Nộp hồ sơ"),
    "transition.verify": N_("Xác nhận thẩm định"),
    "transition.recognize": N_("Công nhận"),
    "transition.return": N_("Trả lại"),
    "transition.reject": N_("Không công nhận"),
    "transition.revoke": N_("Thu hồi"),
    "certificate.issue": N_("Cấp giấy công nhận"),
    "certificate.reissue": N_("Cấp lại giấy công nhận"),
    "decision.amend": N_("Sửa quyết định công nhận"),
    "dossier.rescore": N_("Tính lại điểm theo bộ tiêu chí hiện hành"),
}


def local_time(stamp: str) -> str:
    """An ISO UTC stamp as Vietnam's local time, dd/mm/yyyy hh:mm."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp or ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def action_words(code: str) -> Message | str:
    """An audit action ("transition.submit") or a workflow event ("submit") as a message; the code itself
    when it has no name."""
    from engine.workflow import ACTION_LABELS, EVENT_LABELS

    return ACTIONS.get(code) or EVENT_LABELS.get(code) or ACTION_LABELS.get(code) or code
