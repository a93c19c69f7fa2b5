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
