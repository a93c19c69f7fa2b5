"""The plain data of each document: certificate, recognition decision, appraisal minutes.

Each ``*_fields`` function returns a dict with the keys of a ``certificates.data`` class (dates as
``datetime.date``); this package does not import ``certificates``: the caller builds the document with
``certificates.data.from_dict``. A document is a sample (``provisional``) when its criteria version is.

Scores are read through the typed model (``engine.result.ScoreResult``). ``certificates`` formats no number: every
number a document prints is handed over as text written by ``engine.numbers`` (``1.000``, ``86,5``; "—" for
none). ``certificate_facts`` keeps them as numbers, for the verification page and its JSON.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.assessment import from_canonical
from engine.errors import CfcError
from engine.loader import Registry
from engine.messages import N_
from engine.models import CriteriaVersion
from engine.numbers import format_number
from engine.result import ScoreResult

from ..audit import last_event, local_date
from ..lookup import read_score
from ..models import Certificate, Dossier, Setting
from ..units import contains
from .issuers import documents_for, issuer_fields, placeholder_values
from .names import commune_names, issuing_unit
from .serials import commune_order, verify_url
from .signers import decision_signer, panel_signers


def version_label(version: CriteriaVersion) -> str:
    basis = version.legal_basis
    return f"{basis.instrument} ngày {basis.date:%d/%m/%Y} ({version.id})"


def appraisal(dossier: Dossier) -> ScoreResult | None:
    """The dossier's appraisal score (None before verification); ``StoredScoreError`` when it cannot be read:
    no document is printed from a score nobody can check."""
    return read_score(dossier.verified_score)


def sample_document(score: ScoreResult | None, version: CriteriaVersion) -> bool:
    """A document is a sample when the score was computed under a provisional version, or the version still is."""
    return score is None or score.provisional or version.provisional


def samples_allowed(session: Session) -> bool:
    """Whether this deployment prints sample documents (the setting ``allow_sample_documents``)."""
    row = session.get(Setting, "allow_sample_documents")
    return bool(row.value) if row is not None else False


def category_label(dossier: Dossier, registry: Registry) -> str:
    category = registry.get(dossier.criteria_version).category(dossier.category)
    return category.label if category else dossier.category


# ------------------------------------------------------------------------------------------- certificate
def certificate_fields(session: Session, cert: Certificate, base_url: str, registry: Registry | None = None,
                       signer_name: str = "", config: dict | None = None) -> dict:
    """The data of a certificate (keys of ``certificates.data.CertificateData``), numbers written as text. The
    signer is who signed the recognition decision (``signers.decision_signer``) unless ``signer_name`` is
    given."""
    facts = certificate_facts(session, cert, base_url, registry, signer_name, config)
    return {**facts, "total": _text(facts["total"]), "max_total": _text(facts["max_total"])}


def _text(value: int | None) -> str | None:
    return None if value is None else format_number(value)


def certificate_facts(session: Session, cert: Certificate, base_url: str, registry: Registry | None = None,
                      signer_name: str = "", config: dict | None = None) -> dict:
    """What a certificate says, numbers as numbers: ``certificate_fields`` writes them for the document, the
    verification page shows them."""
    registry = registry or Registry.load()
    dossier = cert.dossier
    version = registry.get(dossier.criteria_version)
    entry = documents_for(dossier.procedure, cert.decision_date, config)
    unit = issuing_unit(dossier.commune, entry.decision.level)
    values = placeholder_values(entry, unit, dossier.commune)
    score = appraisal(dossier)
    names = commune_names(dossier.commune)
    name, title = decision_signer(dossier, config)
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
        "issuer": issuer_fields(entry.decision, values, signer_name or name, title),
        "total": score.total if score else None,
        "max_total": score.max_total if score else None,
        "provisional": sample_document(score, version),
    }


# ---------------------------------------------------------------------------------------------- decision
def _recognised_commune(dossier: Dossier) -> dict:
    score = appraisal(dossier)
    names = commune_names(dossier.commune)
    total, threshold, max_total = (score.total, score.threshold, score.max_total) if score else (0, 0, 0)
    return {"name": names["commune"], "district": names["district"], "province": names["province"],
            "total": format_number(total), "threshold": format_number(threshold),
            "max_total": format_number(max_total)}


def decision_fields(session: Session, dossier: Dossier, registry: Registry | None = None, signer_name: str = "",
                    config: dict | None = None) -> dict:
    """The decision that recognised ``dossier`` (keys of ``certificates.data.DecisionData``): every dossier of
    the same round with the same decision number and date under the same issuing body, recognised or since
    revoked (the decision listed them). Signed as recorded with the dossier's recognition (``signer_name``
    replaces the name)."""
    registry = registry or Registry.load()
    if not dossier.decision_number or dossier.decision_date is None:
        raise CfcError(N_("hồ sơ %(id)s chưa có quyết định công nhận", id=str(dossier.id)))
    version = registry.get(dossier.criteria_version)
    entry = documents_for(dossier.procedure, dossier.decision_date, config)
    unit = issuing_unit(dossier.commune, entry.decision.level)
    values = placeholder_values(entry, unit, dossier.commune)
    rows = session.execute(
        select(Dossier).where(Dossier.year == dossier.year, Dossier.decision_number == dossier.decision_number,
                              Dossier.decision_date == dossier.decision_date,
                              Dossier.status.in_(("recognized", "revoked")))
        .options(selectinload(Dossier.commune))
    ).scalars()
    listed = sorted((d for d in rows if contains(unit, d.commune)), key=commune_order)
    d = entry.decision
    name, title = decision_signer(dossier, config)
    return {
        "number": dossier.decision_number,
        "date": dossier.decision_date,
        "issuer": issuer_fields(d, values, signer_name or name, title),
        "year": dossier.year,
        "unit_phrase": entry.unit_phrase,
        "grounds": [g.format_map(values) for g in d.grounds],
        "proposal": d.proposal.format_map(values),
        "executors": d.executors.format_map(values),
        "recipients": [r.format_map(values) for r in d.recipients],
        "communes": [_recognised_commune(x) for x in listed],
        "criteria_version": version_label(version),
        "provisional": any(sample_document(appraisal(x), registry.get(x.criteria_version)) for x in listed),
    }


# ----------------------------------------------------------------------------------------------- minutes
def _shown(kind: str, text: str | None) -> str:
    """A stored value as the minutes show it: Có / Không, numbers the Vietnamese way (1.234, 86,5)."""
    if text is None:
        return ""
    if kind == "yes_no":
        return "Có" if text == "true" else "Không"
    return format_number(from_canonical(kind, text))


def _minutes_criteria(dossier: Dossier, version: CriteriaVersion, score: ScoreResult,
                      self_score: ScoreResult | None) -> list[dict]:
    """Each criterion of the minutes: its indicators' values (self-assessed, appraised, comment) and points."""
    indicators = version.indicator_map()
    by_code = {v.code: v for v in dossier.values}
    self_points = {c.code: c.points for c in self_score.criteria} if self_score else {}
    points = {c.code: c.points for c in score.criteria}
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
        criteria.append({"code": crit.code, "title": crit.title,
                         "self_points": format_number(self_points.get(crit.code)),
                         "points": format_number(points.get(crit.code)), "max_points": format_number(crit.max_points),
                         "indicators": rows})
    return criteria


def minutes_fields(session: Session, dossier: Dossier, registry: Registry | None = None,
                   config: dict | None = None) -> dict:
    """The appraisal minutes of a verified (or later) dossier (keys of ``certificates.data.MinutesData``),
    signed by the panel recorded at verification (``signers.panel_signers``)."""
    registry = registry or Registry.load()
    score = appraisal(dossier)
    if score is None:
        raise CfcError(N_("hồ sơ %(id)s chưa có kết quả thẩm định", id=str(dossier.id)))
    self_score = read_score(dossier.self_score)
    verified = last_event(session, dossier.id, "transition.verify")
    day = local_date(verified.at) if verified else local_date(dossier.updated_at)
    version = registry.get(dossier.criteria_version)
    entry = documents_for(dossier.procedure, day, config)
    values = placeholder_values(entry, issuing_unit(dossier.commune, entry.minutes.level), dossier.commune)
    names = commune_names(dossier.commune)
    m = entry.minutes
    chair, members = panel_signers(dossier.panel_members)
    return {
        "dossier_id": dossier.id,
        "appraiser": issuer_fields(m, values, chair),
        "panel": m.panel.format_map(values),
        "date": day,
        "commune": names["commune"],
        "district": names["district"],
        "province": names["province"],
        "year": dossier.year,
        "unit_phrase": entry.unit_phrase,
        "category": category_label(dossier, registry),
        "criteria_version": version_label(version),
        "criteria": _minutes_criteria(dossier, version, score, self_score),
        "self_total": format_number(self_score.total if self_score else None),
        "total": format_number(score.total),
        "max_total": format_number(score.max_total),
        "threshold": format_number(score.threshold),
        "recognised": score.recognized,
        "failed_conditions": [f.message for f in score.failed_conditions],
        "panel_members": list(dossier.panel_members or []),
        "member_signers": members,
        "commune_signer": m.commune_signer.format_map(values),
        "provisional": sample_document(score, version),
    }
