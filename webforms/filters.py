"""Template filters: Vietnamese number, time and action formats, and Vietnamese alphabetical order."""

from __future__ import annotations

import datetime as dt
import unicodedata

from flask import Flask

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


def vn_number(value, decimals: int = 1) -> str:
    """1234.5 → "1.234,5" (dot between thousands, comma before decimals)."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}" if isinstance(value, float) else f"{value:,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_sort_key(text: str) -> tuple:
    """Vietnamese alphabetical order: Đ after D (not after Z), tones after the plain letter."""
    base = unicodedata.normalize("NFD", text.replace("Đ", "D\uffff").replace("đ", "d\uffff"))
    plain = "".join(ch for ch in base if not unicodedata.combining(ch)).lower()
    return plain, text


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, vn_date=vn_date, vn_number=vn_number,
        action_label=lambda code: ACTIONS.get(code, code),
    )
