"""Dates as Vietnamese administrative documents write them (Nghị định 30/2020/NĐ-CP)."""

from __future__ import annotations

import datetime as dt


def long_date(day: dt.date) -> str:
    """"ngày 05 tháng 01 năm 2019": a day below 10 and months 1 and 2 take a leading zero (NĐ 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: dt.date) -> str:
    return f"{place}, {long_date(day)}"


def short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


VIETNAM = dt.timezone(dt.timedelta(hours=7))  # one zone, no daylight saving


def local_time(stamp: str) -> str:
    """An ISO date and time (any zone) as Vietnam's local time with the zone said: "03/12/2026 09:47 (giờ Việt
    Nam, UTC+07:00)"; the text as it is when it is no ISO stamp."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") + " (giờ Việt Nam, UTC+07:00)"
