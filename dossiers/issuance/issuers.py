"""Who issues and signs each document: ``criteria/procedures/documents/*.yaml``, per procedure, dated entries.

Each entry names the body that decides (``decision``, and the wording of its ``revocation`` decisions) and the
one that appraises (``minutes``), at district or province level, with templates whose placeholders
(``PLACEHOLDERS``) are filled with the names of the issuing unit, its province and the commune. Loading checks
every entry and every placeholder, and names the file. ``default_signer`` gives who signs when a decision
recorded none.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
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
    signers: dict[str, str] = {}  # issuing unit code → the name of who signs its decisions in this period
    grounds: list[str]
    proposal: str
    executors: str
    recipients: list[str]


class RevocationSpec(Strict):
    """The wording of a revocation decision: issued by the body that decides recognitions (``decision``)."""

    note: str | None = None
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
    revocation: RevocationSpec | None = None
    minutes: MinutesSpec

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


PLACEHOLDERS = ("unit", "unit_upper", "unit_name", "province", "province_upper", "place", "unit_phrase",
                "commune", "commune_upper")


def documents_directory() -> Path:
    from criteria import DIRECTORY

    return DIRECTORY / "procedures" / "documents"


def load_documents(directory: Path | None = None) -> dict[str, list[DocumentsEntry]]:
    """procedure id → its dated entries; every template is checked for unknown placeholders. Read again only
    when a file of the folder changed (a recognition asks for its signer's title: no YAML parse each time)."""
    paths = sorted((directory or documents_directory()).glob("*.yaml"))
    return _parsed(tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths))


@functools.lru_cache(maxsize=8)
def _parsed(files: tuple[tuple[str, int, int], ...]) -> dict[str, list[DocumentsEntry]]:
    from ruamel.yaml import YAML

    out: dict[str, list[DocumentsEntry]] = {}
    problems = []
    for path in (Path(name) for name, _, _ in files):
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
    for wording in (entry.decision, entry.revocation):
        if wording is not None:
            texts += [*wording.grounds, wording.proposal, wording.executors, *wording.recipients]
    texts += [entry.minutes.panel, entry.minutes.commune_signer]
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
        "commune": in_sentence(full_name(commune)),
        "commune_upper": full_name(commune).upper(),
    }


def issuer_fields(spec: BodySpec, values: dict[str, str], signer_name: str = "", signer_title: str = "") -> dict:
    """The issuing body of a document as ``certificates.data`` takes it, its templates filled in. A
    ``signer_title`` recorded with the decision replaces the configured one, in capitals as documents print
    it; a deputy ("Phó Chủ tịch") signs on behalf of the head (NĐ 30/2020: "KT. CHỦ TỊCH" above the title)."""
    title = spec.signer_title.format_map(values)
    capacity = spec.signer_capacity.format_map(values)
    recorded = unicodedata.normalize("NFC", " ".join(signer_title.split())).upper()
    if recorded and recorded != title:
        if recorded.startswith("PHÓ ") and not capacity:
            capacity = f"KT. {title}"
        title = recorded
    return {
        "body": [b.format_map(values) for b in spec.body],
        "parent": [p.format_map(values) for p in spec.parent],
        "place": spec.place.format_map(values),
        "authority": spec.authority.format_map(values),
        "signer_capacity": capacity,
        "signer_title": title,
        "signer_name": signer_name,
    }


def default_signer(dossier, day: dt.date, config: dict[str, list[DocumentsEntry]] | None = None
                   ) -> tuple[str, str]:
    """(name, title) of who signs the decisions on ``dossier`` dated ``day``, as configured: the name from the
    entry's ``decision.signers`` for the issuing unit ("" when none is configured), the title from
    ``decision.signer_title``."""
    from .names import issuing_unit

    entry = documents_for(dossier.procedure, day, config)
    unit = issuing_unit(dossier.commune, entry.decision.level)
    values = placeholder_values(entry, unit, dossier.commune)
    return entry.decision.signers.get(unit.code, ""), entry.decision.signer_title.format_map(values)
