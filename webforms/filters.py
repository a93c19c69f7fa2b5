"""Template filters: Vietnamese numbers (written by ``engine.numbers``: ``1.000``, ``86,5``), times and action
names, and Vietnamese alphabetical order."""

from __future__ import annotations

import datetime as dt
import unicodedata

from flask import Flask

from engine.assessment import from_canonical
from engine.numbers import format_number

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")  # Vietnam has one time zone and no daylight saving

ACTIONS = {
    "dossier.create": "Tạo hồ sơ",
    "values.set": "Nhập số liệu",
    "values.appraise": "Thẩm định số liệu",
    "values.import": "Nhập từ bảng tính",
    "evidence.add": "Thêm minh chứng",
    "transition.submit": "Nộp hồ sơ",
    "transition.verify": "Xác nhận thẩm định",
    "transition.recognize": "Công nhận",
    "transition.return": "Trả lại",
    "transition.reject": "Không công nhận",
    "transition.revoke": "Thu hồi",
    "certificate.issue": "Cấp giấy công nhận",
    "certificate.reissue": "Cấp lại giấy công nhận",
    "decision.amend": "Sửa quyết định công nhận",
    "dossier.rescore": "Tính lại điểm theo bộ tiêu chí hiện hành",
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


def vn_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def vn_number(value, decimals: int | None = None) -> str:
    """1234.5 → "1.234,5" (dot between thousands, comma before decimals; ``decimals``: at most that many);
    None → "—"."""
    return format_number(value, decimals)


def vn_value(text: str | None, kind: str) -> str:
    """A stored value (canonical text) as a page shows it: Có / Không, 1.234, 86,5; "—" when empty."""
    if text is None:
        return "—"
    if kind == "yes_no":
        return "Có" if text == "true" else "Không"
    return format_number(from_canonical(kind, text))


def vn_sort_key(text: str) -> tuple:
    """Vietnamese alphabetical order: Đ after D (not after Z), tones after the plain letter."""
    base = unicodedata.normalize("NFD", text.replace("Đ", "D\uffff").replace("đ", "d\uffff"))
    plain = "".join(ch for ch in base if not unicodedata.combining(ch)).lower()
    return plain, text


def may(*actions: str) -> bool:
    """Whether some dated procedure gives the signed-in user one of ``actions``: the navigation offers the pages
    of those actions (each page and action checks again with its dossier or round)."""
    from flask_login import current_user

    from dossiers.authority import roles_for

    from .db import service

    return current_user.is_authenticated and current_user.has(*roles_for(service().procedures, *actions))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["may"] = may
    app.jinja_env.filters.update(
        local_time=local_time, vn_date=vn_date, vn_number=vn_number, vn_value=vn_value,
        action_label=lambda code: ACTIONS.get(code, code),
    )
