"""How documents name administrative units (NĐ 30/2020): the type word kept or lowered in a sentence, dropped
in a date line's place, always written for a province; and the units above a commune."""

from __future__ import annotations

from engine.errors import CfcError

from ..models import Unit

UNIT_TYPES = ("Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Huyện", "Quận", "Xã", "Phường", "Đặc khu")


def split_type(name: str) -> tuple[str, str]:
    """("Huyện", "Đắk Glei") for "Huyện Đắk Glei"; ("", name) when the name starts with no type word."""
    for kind in UNIT_TYPES:
        if name.startswith(kind + " "):
            return kind, name[len(kind) + 1:]
    return "", name


def _proper(rest: str) -> bool:
    """Whether a unit's own name keeps its type word: numbers ("Quận 1") and a person's name."""
    return rest.isdigit() or rest == "Hồ Chí Minh"


def place_name(unit_name: str) -> str:
    """The place of a date line (NĐ 30/2020): "Tỉnh Kon Tum" → "Kon Tum", "Thành phố Hồ Chí Minh" stays."""
    kind, rest = split_type(unit_name)
    return unit_name if not kind or _proper(rest) else rest


def in_sentence(unit_name: str) -> str:
    """A unit's name inside a sentence: "Huyện Đắk Glei" → "huyện Đắk Glei"; "Thành phố Hồ Chí Minh" stays."""
    kind, rest = split_type(unit_name)
    return unit_name if not kind or _proper(rest) else f"{kind.lower()} {rest}"


def full_name(unit: Unit) -> str:
    """A unit's name with its type: the 2025 list names provinces without "Tỉnh" ("Quảng Ngãi"), cities with
    "Thành phố"; documents always write the type ("Tỉnh Quảng Ngãi")."""
    kind, _rest = split_type(unit.name)
    if unit.level == "province" and not kind:
        return f"Tỉnh {unit.name}"
    return unit.name


def ancestor(unit: Unit, level: str) -> Unit | None:
    """The unit itself or the unit above it of ``level``; None when there is none (a commune of 2025)."""
    if unit.level == level:
        return unit
    return next((a for a in unit.ancestors() if a.level == level), None)


def province_of(unit: Unit) -> Unit:
    found = ancestor(unit, "province")
    if found is None:
        raise CfcError(f"{unit.name} ({unit.code}) lies in no province")
    return found


def commune_names(commune: Unit) -> dict[str, str]:
    """The full names of a commune, its district ("" when none) and its province."""
    district = ancestor(commune, "district")
    return {"commune": full_name(commune), "district": full_name(district) if district else "",
            "province": full_name(province_of(commune))}


def issuing_unit(commune: Unit, level: str) -> Unit:
    """The unit of ``level`` whose body issues a commune's document."""
    unit = ancestor(commune, level)
    if unit is None:
        raise CfcError(f"{commune.name} ({commune.code}) has no {level}: the documents configuration names a "
                       f"{level} body, which this commune does not have")
    return unit
