"""Certificates of recognised communes: serial numbers, their public status, and the plain data of the documents.

A ``Certificate`` row is issued for a recognised dossier, with a serial number unique per province and round
("62-2024-000123": province code, year of the round, a sequence). Anyone may check a serial: its status is
computed from the dossier, never stored twice:

* ``valid``: the dossier is recognised and the certificate is the current one;
* ``revoked``: the dossier was revoked through the workflow's ``revoke`` event; the date and the reason come from
  that audit entry;
* ``superseded``: a newer certificate replaced this one (``reissue``, e.g. a lost or damaged paper); the new
  serial is given.

The ``*_fields`` functions gather everything a document shows as plain dicts (dates as ``datetime.date``) with
the keys of the ``certificates.data`` classes; this module does not import ``certificates`` (nor may
``certificates`` import ``engine``): the caller builds the document with ``certificates.data.from_dict``.

Who issues and signs comes from ``criteria/procedures/documents/*.yaml``: per procedure, dated entries.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from ..errors import CfcError, NotFound
from ..loader import Registry
from ..models import CriteriaVersion, Strict
from . import audit
from .models import AuditEntry, Base, Dossier, Setting, Unit
from .units import contains, find_unit

VIETNAM = dt.timezone(dt.timedelta(hours=7))
STATUS_LABELS = {
    "valid": "Còn hiệu lực",
    "revoked": "Đã bị thu hồi",
    "superseded": "Đã được thay thế bằng giấy công nhận khác",
    "invalid": "Không có hiệu lực",
}


class Certificate(Base):
    """One issued certificate; its status is computed from its dossier and ``superseded_by``."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("province_code", "year", "seq", name="uq_certificate_province_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    province_code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[str] = mapped_column(String(40))
    issued_by: Mapped[str] = mapped_column(String(80))
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    dossier: Mapped[Dossier] = relationship()
    successor: Mapped[Certificate | None] = relationship(remote_side=[id], foreign_keys=[superseded_by])


def make_serial(province_code: str, year: int, seq: int) -> str:
    return f"{province_code}-{year}-{seq:06d}"


def verify_url(base_url: str, serial: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{serial}"


# ----------------------------------------------------------------------------------------- configuration
class BodySpec(Strict):
    level: Literal["district", "province"]
    body: list[str]
    parent: list[str] = []
    authority: str = ""
    signer_capacity: str = ""
    signer_title: str
    place: str = "{place}"


class DecisionSpec(BodySpec):
    grounds: list[str]
    proposal: str
    executors: str
    recipients: list[str]


class MinutesSpec(BodySpec):
    panel: str
    commune_signer: str


class DocumentsEntry(Strict):
    effective_from: dt.date
    effective_to: dt.date | None = None
    source: str
    verified: bool
    note: str | None = None
    unit_phrase: str
    decision: DecisionSpec
    minutes: MinutesSpec

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


PLACEHOLDERS = ("unit", "unit_upper", "unit_name", "province", "province_upper", "place", "unit_phrase",
                "commune_upper")


def documents_directory() -> Path:
    from criteria import DIRECTORY

    return DIRECTORY / "procedures" / "documents"


def load_documents(directory: Path | None = None) -> dict[str, list[DocumentsEntry]]:
    """procedure id → its dated entries; every template is checked for unknown placeholders."""
    from ruamel.yaml import YAML

    out: dict[str, list[DocumentsEntry]] = {}
    problems = []
    for path in sorted((directory or documents_directory()).glob("*.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        for procedure, entries in data.items():
            for i, raw in enumerate(entries or []):
                try:
                    entry = DocumentsEntry.model_validate(raw)
                except ValidationError as exc:
                    problems.append(f"{path}: {procedure}[{i}]: {exc}")
                    continue
                problems += [f"{path}: {procedure}[{i}]: {p}" for p in _template_problems(entry)]
                out.setdefault(str(procedure), []).append(entry)
    if problems:
        raise CfcError("document configuration is invalid:\n" + "\n".join(problems))
    return out


def _template_problems(entry: DocumentsEntry) -> list[str]:
    sample = {k: k for k in PLACEHOLDERS}
    texts = [entry.unit_phrase]
    for spec in (entry.decision, entry.minutes):
        texts += [*spec.body, *spec.parent, spec.authority, spec.signer_capacity, spec.signer_title, spec.place]
    texts += [*entry.decision.grounds, entry.decision.proposal, entry.decision.executors,
              *entry.decision.recipients, entry.minutes.panel, entry.minutes.commune_signer]
    problems = []
    for text in texts:
        try:
            text.format_map(sample)
        except (KeyError, ValueError, IndexError) as exc:
            problems.append(f"{text!r}: unknown placeholder {exc} (known: {', '.join(PLACEHOLDERS)})")
    return problems


def documents_for(procedure_id: str, day: dt.date, config: dict[str, list[DocumentsEntry]] | None = None
                  ) -> DocumentsEntry:
    """The entry of ``procedure_id`` in force on ``day``. A document dated after the procedure's last entry ended
    (a late appraisal of an old round) keeps that last entry: the procedure that governs a dossier governs its
    documents."""
    config = config if config is not None else load_documents()
    entries = config.get(procedure_id, [])
    for entry in entries:
        if entry.covers(day):
            return entry
    started = [e for e in entries if e.effective_from <= day]
    if started:
        return max(started, key=lambda e: e.effective_from)
    raise CfcError(f"criteria/procedures/documents names no issuing body for {procedure_id} on {day.isoformat()}")


# ------------------------------------------------------------------------------------------------ names
UNIT_TYPES = ("Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Huyện", "Quận", "Xã", "Phường", "Đặc khu")


def _split_type(name: str) -> tuple[str, str]:
    for kind in UNIT_TYPES:
        if name.startswith(kind + " "):
            return kind, name[len(kind) + 1:]
    return "", name


def _proper(rest: str) -> bool:
    """Whether a unit's own name keeps its type word: numbers ("Quận 1") and a person's name."""
    return rest.isdigit() or rest == "Hồ Chí Minh"


def place_name(unit_name: str) -> str:
    """The place of a date line (NĐ 30/2020): "Tỉnh Kon Tum" → "Kon Tum", "Thành phố Hồ Chí Minh" stays."""
    kind, rest = _split_type(unit_name)
    return unit_name if not kind or _proper(rest) else rest


def in_sentence(unit_name: str) -> str:
    """A unit's name inside a sentence: "Huyện Đắk Glei" → "huyện Đắk Glei"; "Thành phố Hồ Chí Minh" stays."""
    kind, rest = _split_type(unit_name)
    return unit_name if not kind or _proper(rest) else f"{kind.lower()} {rest}"


def full_name(unit: Unit) -> str:
    """A unit's name with its type: the 2025 list names provinces without "Tỉnh" ("Quảng Ngãi"), cities with
    "Thành phố"; documents always write the type ("Tỉnh Quảng Ngãi")."""
    kind, _rest = _split_type(unit.name)
    if unit.level == "province" and not kind:
        return f"Tỉnh {unit.name}"
    return unit.name


def ancestor(unit: Unit, level: str) -> Unit | None:
    if unit.level == level:
        return unit
    return next((a for a in unit.ancestors() if a.level == level), None)


def province_of(unit: Unit) -> Unit:
    found = ancestor(unit, "province")
    if found is None:
        raise CfcError(f"{unit.name} ({unit.code}) lies in no province")
    return found


def _names(commune: Unit) -> dict[str, str]:
    district = ancestor(commune, "district")
    return {"commune": full_name(commune), "district": full_name(district) if district else "",
            "province": full_name(province_of(commune))}


def _issuing_unit(commune: Unit, level: str) -> Unit:
    unit = ancestor(commune, level)
    if unit is None:
        raise CfcError(f"{commune.name} ({commune.code}) has no {level}: the documents configuration names a "
                       f"{level} body, which this commune does not have")
    return unit


def _values(entry: DocumentsEntry, unit: Unit, commune: Unit) -> dict[str, str]:
    name, province = full_name(unit), full_name(province_of(commune))
    return {
        "unit": in_sentence(name),
        "unit_upper": name.upper(),
        "unit_name": name,
        "province": in_sentence(province),
        "province_upper": province.upper(),
        "place": place_name(name),
        "unit_phrase": entry.unit_phrase,
        "commune_upper": full_name(commune).upper(),
    }


def _issuer(spec: BodySpec, values: dict[str, str], signer_name: str = "") -> dict:
    return {
        "body": [b.format_map(values) for b in spec.body],
        "parent": [p.format_map(values) for p in spec.parent],
        "place": spec.place.format_map(values),
        "authority": spec.authority.format_map(values),
        "signer_capacity": spec.signer_capacity.format_map(values),
        "signer_title": spec.signer_title.format_map(values),
        "signer_name": signer_name,
    }


def version_label(version: CriteriaVersion) -> str:
    basis = version.legal_basis
    return f"{basis.instrument} ngày {basis.date:%d/%m/%Y} ({version.id})"


def _provisional(dossier: Dossier, version: CriteriaVersion) -> bool:
    """A document is a sample when the score was computed under a provisional version, or the version still is."""
    score = dossier.verified_score or {}
    return bool(score.get("provisional", True)) or version.provisional


def samples_allowed(session: Session) -> bool:
    row = session.get(Setting, "allow_sample_documents")
    return bool(row.value) if row is not None else False


# ---------------------------------------------------------------------------------------------- issuing
def _require_recognised(dossier: Dossier) -> None:
    if dossier.status != "recognized":
        raise CfcError(f"hồ sơ {dossier.id} ({dossier.commune.name}) đang ở trạng thái {dossier.status}: chỉ cấp "
                       "giấy công nhận cho hồ sơ đã được công nhận")
    if not dossier.decision_number or dossier.decision_date is None:
        raise CfcError(f"hồ sơ {dossier.id} ({dossier.commune.name}) chưa có số và ngày quyết định công nhận")


def current_certificate(session: Session, dossier: Dossier) -> Certificate | None:
    return session.execute(
        select(Certificate).where(Certificate.dossier_id == dossier.id, Certificate.superseded_by.is_(None))
        .order_by(Certificate.id.desc())
    ).scalars().first()


def _new_certificate(session: Session, dossier: Dossier, actor: str, at: str) -> Certificate:
    """Insert a certificate with the next free number of its province and round. Concurrent issuers may pick
    the same number: the unique constraint refuses one of them, which rolls back to a savepoint and retries."""
    province_code = province_of(dossier.commune).code
    for _attempt in range(20):
        last = session.execute(
            select(func.max(Certificate.seq)).where(Certificate.province_code == province_code,
                                                     Certificate.year == dossier.year)
        ).scalar()
        seq = (last or 0) + 1
        cert = Certificate(serial=make_serial(province_code, dossier.year, seq), province_code=province_code,
                           year=dossier.year, seq=seq, dossier_id=dossier.id,
                           decision_number=dossier.decision_number, decision_date=dossier.decision_date,
                           issued_at=at, issued_by=actor)
        try:
            with session.begin_nested():
                session.add(cert)
                session.flush()
        except IntegrityError:
            continue
        return cert
    raise CfcError(f"could not allocate a certificate number for province {province_code}, {dossier.year}")


def issue(session: Session, dossier: Dossier, actor: str, *, at: str | None = None) -> Certificate:
    """The dossier's current certificate, issued now when it has none (idempotent: printing twice prints the
    same serial). Runs in the caller's transaction; appends ``certificate.issue`` to the audit trail."""
    _require_recognised(dossier)
    existing = current_certificate(session, dossier)
    if existing is not None:
        return existing
    stamp = at or audit.now()
    cert = _new_certificate(session, dossier, actor, stamp)
    audit.append(session, actor=actor, action="certificate.issue", target=cert.serial,
                 after={"serial": cert.serial, "decision": {"number": cert.decision_number,
                                                            "date": cert.decision_date.isoformat()}},
                 dossier_id=dossier.id, dossier_version=dossier.lock_version, at=stamp)
    return cert


def reissue(session: Session, serial: str, actor: str, reason: str) -> Certificate:
    """Replace a valid certificate by a new one (new serial); the old one becomes ``superseded``."""
    if not (reason and reason.strip()):
        raise CfcError("cấp lại giấy công nhận cần ghi rõ lý do")
    old = lookup(session, serial)
    if old is None:
        raise NotFound(f"không có giấy công nhận số hiệu {serial}")
    if old.superseded_by is not None:
        raise CfcError(f"giấy công nhận {serial} đã được thay thế bằng {old.successor.serial}")
    dossier = old.dossier
    _require_recognised(dossier)
    stamp = audit.now()
    new = _new_certificate(session, dossier, actor, stamp)
    old.superseded_by = new.id
    session.flush()
    audit.append(session, actor=actor, action="certificate.reissue", target=new.serial,
                 before={"serial": old.serial}, after={"serial": new.serial}, reason=reason.strip(),
                 dossier_id=dossier.id, dossier_version=dossier.lock_version, at=stamp)
    return new


def round_dossiers(session: Session, province_code: str, year: int, statuses: tuple[str, ...] = ("recognized",)
                   ) -> list[Dossier]:
    """The dossiers of a province's round in the given states, ordered by district and commune code."""
    rows = session.execute(
        select(Dossier).where(Dossier.year == year, Dossier.status.in_(statuses))
        .options(selectinload(Dossier.commune))
    ).scalars()
    found = [d for d in rows if province_of(d.commune).code == str(province_code)]
    return sorted(found, key=_order)


def _order(dossier: Dossier) -> tuple:
    """District code, then commune code (numerically: the official codes are numbers)."""
    district = ancestor(dossier.commune, "district")
    code = dossier.commune.code
    return (int(district.code) if district and district.code.isdigit() else 0,
            int(code) if code.isdigit() else 0, code)


def issue_round(session: Session, province_code: str, year: int, actor: str) -> list[Certificate]:
    """The current certificate of every recognised dossier of a province's round, issuing the missing ones."""
    find_unit(session, province_code, "province")  # CfcError when there is no such province
    return [issue(session, d, actor) for d in round_dossiers(session, province_code, year)]


# ---------------------------------------------------------------------------------------- verification
@dataclass
class CertificateStatus:
    status: Literal["valid", "revoked", "superseded", "invalid"]
    label: str
    revoked_at: str | None = None  # ISO timestamp of the revocation
    revoked_on: dt.date | None = None  # its date in Vietnam
    revoke_reason: str | None = None
    revoked_by: str | None = None
    superseded_by: str | None = None  # the serial that replaced this one
    superseded_on: dt.date | None = None


def lookup(session: Session, serial: str) -> Certificate | None:
    return session.execute(select(Certificate).where(Certificate.serial == serial.strip())).scalar_one_or_none()


def _local_date(stamp: str) -> dt.date:
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM).date()


def _last_event(session: Session, dossier_id: int, action: str) -> AuditEntry | None:
    return session.execute(
        select(AuditEntry).where(AuditEntry.dossier_id == dossier_id, AuditEntry.action == action)
        .order_by(AuditEntry.seq.desc())
    ).scalars().first()


def status_of(session: Session, cert: Certificate) -> CertificateStatus:
    if cert.superseded_by is not None:
        new = cert.successor
        return CertificateStatus("superseded", STATUS_LABELS["superseded"], superseded_by=new.serial,
                                 superseded_on=_local_date(new.issued_at))
    dossier = cert.dossier
    if dossier.status == "revoked":
        entry = _last_event(session, dossier.id, "transition.revoke")
        if entry is None:
            return CertificateStatus("revoked", STATUS_LABELS["revoked"])
        return CertificateStatus("revoked", STATUS_LABELS["revoked"], revoked_at=entry.at,
                                 revoked_on=_local_date(entry.at), revoke_reason=entry.reason,
                                 revoked_by=entry.actor)
    if dossier.status == "recognized" and dossier.decision_number == cert.decision_number:
        return CertificateStatus("valid", STATUS_LABELS["valid"])
    return CertificateStatus("invalid", STATUS_LABELS["invalid"])


# ------------------------------------------------------------------------------------- document data
def certificate_fields(session: Session, cert: Certificate, base_url: str, registry: Registry | None = None,
                       signer_name: str = "", config: dict | None = None) -> dict:
    """The data of a certificate (keys of ``certificates.data.CertificateData``)."""
    registry = registry or Registry.load()
    dossier = cert.dossier
    version = registry.get(dossier.criteria_version)
    entry = documents_for(dossier.procedure, cert.decision_date, config)
    unit = _issuing_unit(dossier.commune, entry.decision.level)
    values = _values(entry, unit, dossier.commune)
    score = dossier.verified_score or {}
    names = _names(dossier.commune)
    return {
        "serial": cert.serial,
        "verify_url": verify_url(base_url, cert.serial),
        "commune": names["commune"],
        "district": names["district"],
        "province": names["province"],
        "year": dossier.year,
        "unit_phrase": entry.unit_phrase,
        "criteria_version": version_label(version),
        "decision_number": cert.decision_number,
        "decision_date": cert.decision_date,
        "issuer": _issuer(entry.decision, values, signer_name),
        "total": score.get("total"),
        "max_total": score.get("max_total"),
        "provisional": _provisional(dossier, version),
    }


def verification(session: Session, serial: str, base_url: str, registry: Registry | None = None) -> dict | None:
    """Everything the public verification page shows of a serial, or None when no certificate has it."""
    cert = lookup(session, serial)
    if cert is None:
        return None
    registry = registry or Registry.load()
    fields = certificate_fields(session, cert, base_url, registry)
    status = asdict(status_of(session, cert))
    fields.update({
        "status": status,
        "issued_at": cert.issued_at,
        "issued_on": _local_date(cert.issued_at),
        "dossier_id": cert.dossier_id,
        "category": cert.dossier.category,
        "category_label": _category_label(cert.dossier, registry),
        "threshold": (cert.dossier.verified_score or {}).get("threshold"),
    })
    return fields


def _category_label(dossier: Dossier, registry: Registry) -> str:
    category = registry.get(dossier.criteria_version).category(dossier.category)
    return category.label if category else dossier.category


def _recognised_commune(dossier: Dossier) -> dict:
    score = dossier.verified_score or {}
    names = _names(dossier.commune)
    return {"name": names["commune"], "district": names["district"], "province": names["province"],
            "total": score.get("total", 0), "threshold": score.get("threshold", 0),
            "max_total": score.get("max_total", 0)}


def decision_fields(session: Session, dossier: Dossier, registry: Registry | None = None, signer_name: str = "",
                    config: dict | None = None) -> dict:
    """The decision that recognised ``dossier`` (keys of ``certificates.data.DecisionData``): every dossier of
    the same round with the same decision number and date under the same issuing body, recognised or since
    revoked (the decision listed them)."""
    registry = registry or Registry.load()
    if not dossier.decision_number or dossier.decision_date is None:
        raise CfcError(f"hồ sơ {dossier.id} chưa có quyết định công nhận")
    version = registry.get(dossier.criteria_version)
    entry = documents_for(dossier.procedure, dossier.decision_date, config)
    unit = _issuing_unit(dossier.commune, entry.decision.level)
    values = _values(entry, unit, dossier.commune)
    rows = session.execute(
        select(Dossier).where(Dossier.year == dossier.year, Dossier.decision_number == dossier.decision_number,
                              Dossier.decision_date == dossier.decision_date,
                              Dossier.status.in_(("recognized", "revoked")))
        .options(selectinload(Dossier.commune))
    ).scalars()
    listed = sorted((d for d in rows if contains(unit, d.commune)), key=_order)
    d = entry.decision
    return {
        "number": dossier.decision_number,
        "date": dossier.decision_date,
        "issuer": _issuer(d, values, signer_name),
        "year": dossier.year,
        "unit_phrase": entry.unit_phrase,
        "grounds": [g.format_map(values) for g in d.grounds],
        "proposal": d.proposal.format_map(values),
        "executors": d.executors.format_map(values),
        "recipients": [r.format_map(values) for r in d.recipients],
        "communes": [_recognised_commune(x) for x in listed],
        "criteria_version": version_label(version),
        "provisional": any(_provisional(x, registry.get(x.criteria_version)) for x in listed),
    }


def _shown(kind: str, text: str | None) -> str:
    """A stored value as the minutes show it: Có / Không, numbers with a decimal comma."""
    if text is None:
        return ""
    if kind == "yes_no":
        return "Có" if text == "true" else "Không"
    if kind == "count":
        return f"{int(text):,}".replace(",", ".")
    number = Decimal(text)
    whole, _, frac = format(number.normalize(), "f").partition(".")
    return f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")


def minutes_fields(session: Session, dossier: Dossier, registry: Registry | None = None,
                   config: dict | None = None) -> dict:
    """The appraisal minutes of a verified (or later) dossier (keys of ``certificates.data.MinutesData``)."""
    registry = registry or Registry.load()
    score = dossier.verified_score
    if not score:
        raise CfcError(f"hồ sơ {dossier.id} chưa có kết quả thẩm định")
    verified = _last_event(session, dossier.id, "transition.verify")
    day = _local_date(verified.at) if verified else _local_date(dossier.updated_at)
    version = registry.get(dossier.criteria_version)
    entry = documents_for(dossier.procedure, day, config)
    unit = _issuing_unit(dossier.commune, entry.minutes.level)
    values = _values(entry, unit, dossier.commune)
    indicators = version.indicator_map()
    by_code = {v.code: v for v in dossier.values}
    self_points = {c["code"]: c["points"] for c in (dossier.self_score or {}).get("criteria", [])}
    points = {c["code"]: c for c in score.get("criteria", [])}
    criteria = []
    for crit in version.criteria:
        rows = []
        for ind in crit.indicators:
            stored = by_code.get(ind.code)
            rows.append({
                "label": ind.label,
                "self_value": _shown(indicators[ind.code].type, stored.self_value if stored else None),
                "appraised_value": _shown(indicators[ind.code].type, stored.appraised_value if stored else None),
                "comment": (stored.comment or "") if stored else "",
            })
        result = points.get(crit.code, {})
        criteria.append({"code": crit.code, "title": crit.title, "self_points": self_points.get(crit.code),
                         "points": result.get("points"), "max_points": crit.max_points, "indicators": rows})
    names = _names(dossier.commune)
    category = version.category(dossier.category)
    m = entry.minutes
    return {
        "dossier_id": dossier.id,
        "appraiser": _issuer(m, values),
        "panel": m.panel.format_map(values),
        "date": day,
        "commune": names["commune"],
        "district": names["district"],
        "province": names["province"],
        "year": dossier.year,
        "unit_phrase": entry.unit_phrase,
        "category": category.label if category else dossier.category,
        "criteria_version": version_label(version),
        "criteria": criteria,
        "self_total": (dossier.self_score or {}).get("total"),
        "total": score["total"],
        "max_total": score["max_total"],
        "threshold": score["threshold"],
        "recognised": bool(score.get("recognized")),
        "failed_conditions": [f["message"] for f in score.get("failed_conditions", [])],
        "panel_members": list(dossier.panel_members or []),
        "commune_signer": m.commune_signer.format_map(values),
        "provisional": _provisional(dossier, version),
    }


def to_json(fields: dict) -> str:
    """Plain fields as JSON (dates as ISO text), e.g. for an API."""
    return json.dumps(fields, ensure_ascii=False, default=lambda v: v.isoformat() if hasattr(v, "isoformat")
                      else str(v))
