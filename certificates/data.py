"""The documents' inputs as plain, frozen dataclasses: names, numbers and dates, nothing else.

Every number a document prints comes as text, written by the application the Vietnamese way ("1.000", "86,5",
"—" for none): this package formats no number. Numbers stay numbers only where a drawing needs them (a bar's
length) or they are no quantity (a year, a dossier number).

Every string is NFC-normalised when an object is made, so a name typed in decomposed form (as some keyboards and
spreadsheets produce) is drawn, measured and extracted exactly like the precomposed one. ``from_dict`` builds an
object from plain dicts (dates as ``datetime.date`` or ISO text), which is how the storage layer hands data over
without either side importing the other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, tuple | list):
        return tuple(_normalise(v) for v in value)
    return value


class _Plain:
    """NFC-normalises every text field (and tuples of text) after construction; lists become tuples."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            fixed = _normalise(value)
            if fixed is not value:
                object.__setattr__(self, f.name, fixed)


@dataclass(frozen=True)
class Issuer(_Plain):
    """The issuing body and its signer, as the procedure in force names them (criteria/procedures/documents).

    ``body``: the lines of the body's name in capitals, e.g. ("ỦY BAN NHÂN DÂN", "TỈNH KON TUM"), drawn bold;
    ``parent``: lines of the body it belongs to, if any, drawn upright above it ("UBND THÀNH PHỐ KON TUM");
    ``place``: the place name of the date line ("Kon Tum"); ``authority``: the line naming who decides, above
    the legal grounds ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH KON TUM"); ``signer_capacity``: "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH" or empty; ``signer_title``: "CHỦ TỊCH"; ``signer_name``: empty leaves room to write it.
    """

    body: tuple[str, ...]
    place: str
    parent: tuple[str, ...] = ()  # the body it belongs to (cơ quan chủ quản), drawn upright above the body
    authority: str = ""
    signer_capacity: str = ""
    signer_title: str = ""
    signer_name: str = ""


@dataclass(frozen=True)
class RecognisedCommune(_Plain):
    name: str  # "Xã Đắk Rơ Wa"
    district: str  # "Thành phố Kon Tum"; empty where there is no district level (from 07/2025)
    province: str
    total: str  # as printed: "905"
    threshold: str
    max_total: str  # "1.000"


@dataclass(frozen=True)
class DecisionData(_Plain):
    """A recognition decision (Quyết định công nhận) listing the communes it recognises."""

    number: str  # "125/QĐ-UBND"
    date: dt.date
    issuer: Issuer
    year: int  # the assessment round
    unit_phrase: str  # "xã, phường, thị trấn" (before 07/2025) or "xã, phường, đặc khu"
    grounds: tuple[str, ...]  # căn cứ, one per line, each ending with ";" (the last ";" too: a proposal follows)
    proposal: str  # "Theo đề nghị của …."
    executors: str  # Điều 3: who carries the decision out
    recipients: tuple[str, ...]  # nơi nhận, without the leading "- " and the trailing ";"
    communes: tuple[RecognisedCommune, ...]
    criteria_version: str  # "Quyết định 06/QĐ-TTg ngày 03/01/2019 (qd06-2019)"
    provisional: bool = False


@dataclass(frozen=True)
class RevocationData(_Plain):
    """A revocation decision (Quyết định thu hồi công nhận) of one commune's recognition."""

    number: str  # "45/QĐ-UBND"
    date: dt.date
    issuer: Issuer  # the body that recognised, and who signs the revocation
    year: int  # the round of the recognition
    unit_phrase: str
    commune: str
    district: str  # empty where there is no district level
    province: str
    recognition_number: str  # the recognition decision it revokes
    recognition_date: dt.date
    reason: str  # why: the public reason given with the revocation (never the internal note); may be empty
    grounds: tuple[str, ...]
    proposal: str
    executors: str  # the last article: who carries the decision out
    recipients: tuple[str, ...]
    certificate_serial: str = ""  # the certificate that loses its validity, if one was issued
    criteria_version: str = ""
    provisional: bool = False


@dataclass(frozen=True)
class CertificateData(_Plain):
    """A certificate (Giấy công nhận) of one commune; ``verify_url`` is what its QR code holds."""

    serial: str  # "62-2024-000123"
    verify_url: str
    commune: str
    district: str
    province: str
    year: int
    unit_phrase: str
    criteria_version: str
    decision_number: str
    decision_date: dt.date
    issuer: Issuer
    total: str | None = None  # as printed: "905"; None: not printed
    max_total: str | None = None  # "1.000"
    provisional: bool = False


@dataclass(frozen=True)
class IndicatorRow(_Plain):
    label: str
    self_value: str  # as shown: "Có", "Không", "49", "86,5"; "" when missing
    appraised_value: str
    comment: str = ""


@dataclass(frozen=True)
class CriterionRow(_Plain):
    code: str
    title: str
    self_points: str  # as printed: "80"; "—" when there is none
    points: str
    max_points: str
    indicators: tuple[IndicatorRow, ...] = ()


@dataclass(frozen=True)
class MinutesData(_Plain):
    """Appraisal minutes (biên bản thẩm định) of one dossier."""

    dossier_id: int
    appraiser: Issuer  # the appraising body (header lines, place) and who signs for the panel
    panel: str  # "Hội đồng xét duyệt … huyện Đắk Glei"
    date: dt.date
    commune: str
    district: str
    province: str
    year: int
    unit_phrase: str
    category: str  # the category's label
    criteria_version: str
    criteria: tuple[CriterionRow, ...]
    self_total: str  # as printed: "935"; "—" when there is none
    total: str
    max_total: str  # "1.000"
    threshold: str
    recognised: bool  # whether the verified result meets every condition
    failed_conditions: tuple[str, ...] = ()
    panel_members: tuple[str, ...] = ()  # as recorded at the verification, one line each (section I)
    member_signers: tuple[str, ...] = ()  # the members who sign besides the chair (``appraiser.signer_name``)
    commune_signer: str = ""  # "ĐẠI DIỆN ỦY BAN NHÂN DÂN XÃ ĐẮK RƠ WA"
    provisional: bool = False


@dataclass(frozen=True)
class Metadata(_Plain):
    """What the PDF's information dictionary says."""

    title: str
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            if arg is type(None):
                continue
            return _convert(arg, value)
    if origin is tuple:
        (item, *_rest) = typing.get_args(hint)
        return tuple(_convert(item, v) for v in value)
    if hint is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return from_dict(hint, value)
    return value


def from_dict(cls: type[T], data: dict) -> T:
    """Build ``cls`` from plain data (nested dicts and lists, ISO dates); unknown keys are an error."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise TypeError(f"{cls.__name__}: unknown fields {', '.join(unknown)}")
    return cls(**{k: _convert(hints[k], v) for k, v in data.items()})
