"""Who issues and signs each document: ``criteria/procedures/documents/*.yaml``, per procedure, dated entries.

Each entry names the body that decides (``decision``) and the one that appraises (``minutes``), at district or
province level, with templates whose placeholders (``PLACEHOLDERS``) are filled with the names of the issuing
unit, its province and the commune. Loading checks every entry and every placeholder, and names the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from engine.errors import CfcError
from engine.models import Strict

from ..models import Unit
from .names import full_name, in_sentence, place_name, province_of


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


def placeholder_values(entry: DocumentsEntry, unit: Unit, commune: Unit) -> dict[str, str]:
    """The value of every placeholder for a document of ``commune`` issued by ``unit``."""
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


def issuer_fields(spec: BodySpec, values: dict[str, str], signer_name: str = "") -> dict:
    """The issuing body of a document as ``certificates.data`` takes it, its templates filled in."""
    return {
        "body": [b.format_map(values) for b in spec.body],
        "parent": [p.format_map(values) for p in spec.parent],
        "place": spec.place.format_map(values),
        "authority": spec.authority.format_map(values),
        "signer_capacity": spec.signer_capacity.format_map(values),
        "signer_title": spec.signer_title.format_map(values),
        "signer_name": signer_name,
    }
