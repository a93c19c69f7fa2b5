"""Every value of a criteria version as the rules administrator reads it: grouped by criterion, each object that
carries a provenance (source, verified, note) with its numbers, its legal reference and its locator (the name
``cfc criteria set|verify`` and the edit form use: ``TC07/immunisation/bands/1``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.checks import band_range, unverified
from engine.models import CriteriaVersion, Criterion, YesNo
from engine.numbers import format_number


@dataclass(frozen=True)
class Entry:
    locator: str
    kind: str  # max_total, category, criterion, yes_no, rate, empty, band
    label: str  # what the numbers are about, in the version's own words
    numbers: tuple[tuple[str, object], ...]  # (field, value): the numbers the edit form may change
    source: str
    verified: bool
    note: str | None
    legal_reference: str
    detail: str = ""  # a band's range, as a person reads it

    @property
    def anchor(self) -> str:
        return "v-" + self.locator.replace("/", "-")


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    legal_reference: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for e in self.entries if not e.verified)


def groups(v: CriteriaVersion) -> list[Group]:
    """The version's values: first the total and the thresholds per kind of commune, then one group per
    criterion, in the file's order."""
    basis = f"{v.legal_basis.instrument}, {v.legal_basis.article}"
    first = Group("general", "", basis, [_entry("max_total", "max_total", "", (("points", v.max_total.points),),
                                                v.max_total, basis)])
    for cat in v.categories:
        first.entries.append(_entry(f"categories/{cat.id}", "category", cat.label, (("threshold", cat.threshold),),
                                    cat, basis))
    return [first, *(_criterion(c) for c in v.criteria)]


def _criterion(crit: Criterion) -> Group:
    ref = crit.legal_reference
    out = Group(crit.code, f"{crit.code}. {crit.title}", ref, [
        _entry(crit.code, "criterion", crit.title, (("max_points", crit.max_points), ("met_at", crit.met_at)),
               crit, ref)])
    labels = {i.code: i.label for i in crit.indicators}
    for comp in crit.components:
        at = f"{crit.code}/{comp.id}"
        if isinstance(comp, YesNo):
            out.entries.append(_entry(at, "yes_no", comp.label or labels.get(comp.indicator, comp.indicator),
                                      (("points", comp.points),), comp, ref))
            continue
        if comp.kind == "rate":
            out.entries.append(_entry(at, "rate", comp.label, (("per", comp.per),), comp, ref))
        empty = getattr(comp, "if_denominator_zero", None)
        if empty is not None:
            out.entries.append(_entry(f"{at}/if_denominator_zero", "empty", comp.label, (("points", empty.points),),
                                      empty, ref))
        for b, band in enumerate(comp.bands):
            out.entries.append(_entry(f"{at}/bands/{b}", "band", comp.label,
                                      (("min", band.min), ("max", band.max), ("points", band.points)), band, ref,
                                      detail=band_range(comp.kind, band)))
    return out


def _entry(locator, kind, label, numbers, holder, ref, detail="") -> Entry:
    return Entry(locator, kind, label, tuple(numbers), holder.source, holder.verified, holder.note, ref, detail)


def by_locator(v: CriteriaVersion) -> dict[str, Entry]:
    return {e.locator: e for g in groups(v) for e in g.entries}


def locator_of(v: CriteriaVersion, path: tuple) -> str:
    """The locator of a path into the version (as ``engine.checks.unverified`` gives them)."""
    if path[0] == "max_total":
        return "max_total"
    if path[0] == "categories":
        return f"categories/{v.categories[path[1]].id}"
    crit = v.criteria[path[1]]
    parts = [crit.code]
    if len(path) > 3:
        parts.append(crit.components[path[3]].id)
        parts.extend(str(p) for p in path[4:])
    return "/".join(parts)


def open_values(v: CriteriaVersion) -> list[Entry]:
    """The values that stop publication (``engine.checks.unverified``, the rule ``publish`` applies), in order."""
    entries = by_locator(v)
    return [entries[locator_of(v, path)] for path, _text in unverified(v)]


def shown(value) -> str:
    """A number as the page writes it ("1.000", "97,5"); "—" for an open band edge."""
    return "—" if value is None else format_number(value)
