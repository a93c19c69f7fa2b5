"""Strict pydantic models of a criteria version (the schema documented in criteria/README.md).

Every model forbids unknown keys and is frozen. Structural problems are found by pydantic; cross-field problems
(duplicate codes, gapped or overlapping bands, points above a maximum, a threshold above the total) are found by
``engine.checks`` so that all of them are reported together with file and line.
"""

from __future__ import annotations

import datetime as dt
import weakref
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, NonNegativeInt

CATEGORY_IDS = ("ward_central_city", "other", "mountain_island_difficult")
CONDITIONS = ("all_criteria_met", "no_criterion_zero", "total_reaches_threshold")


def _exact_decimal(value: object) -> object:
    """YAML gives floats for 97.5: go through str so 97.5 stays 97.5, never 97.4999…."""
    if isinstance(value, bool):
        return value  # let pydantic refuse it
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    return value


Number = Annotated[Decimal, BeforeValidator(_exact_decimal)]


class Strict(BaseModel):
    """Unknown keys are errors and types are strict: "850" or true is no threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Provenance(Strict):
    """Where the numbers of an object come from and whether they were checked against the official text."""

    source: str = Field(min_length=1)
    verified: bool
    note: str | None = None


class LegalBasis(Strict):
    instrument: str
    date: dt.date
    article: str
    url: str


class MaxTotal(Provenance):
    points: NonNegativeInt


class Category(Provenance):
    id: str
    label: str
    threshold: NonNegativeInt


class Recognition(Strict):
    legal_reference: str
    conditions: list[Literal["all_criteria_met", "no_criterion_zero", "total_reaches_threshold"]]


class Indicator(Strict):
    code: str = Field(pattern=r"^TC\d{2}\.[a-z][a-z0-9_]*$")
    label: str
    type: Literal["yes_no", "count", "score"]
    help: str | None = None
    # the code of an indicator of an earlier criterion that holds the same number (the commune's children):
    # a person types it once; files that carry both must give equal values (engine.shared)
    same_as: str | None = None


class Band(Provenance):
    """A scoring band. Higher-is-better kinds hold min <= v < max; lower-is-better kinds hold min < v <= max."""

    min: Number | None = None
    max: Number | None = None
    points: NonNegativeInt


class EmptyRule(Provenance):
    """Points given when a denominator is zero (for example: no case in the period)."""

    points: NonNegativeInt


class YesNo(Provenance):
    kind: Literal["yes_no"]
    id: str
    indicator: str
    points: NonNegativeInt
    label: str | None = None


class Percentage(Strict):
    kind: Literal["percentage"]
    id: str
    label: str
    numerator: str
    denominator: str
    if_denominator_zero: EmptyRule
    bands: list[Band] = Field(min_length=1)


class Rate(Provenance):
    """Provenance covers ``per`` (rate per N children)."""

    kind: Literal["rate"]
    id: str
    label: str
    cases: str
    population: str
    per: Annotated[int, Field(gt=0)]
    if_denominator_zero: EmptyRule
    bands: list[Band] = Field(min_length=1)


class Count(Strict):
    kind: Literal["count"]
    id: str
    label: str
    count: str
    bands: list[Band] = Field(min_length=1)


class Survey(Strict):
    kind: Literal["survey"]
    id: str
    label: str
    score: str
    bands: list[Band] = Field(min_length=1)


Component = Annotated[YesNo | Percentage | Rate | Count | Survey, Field(discriminator="kind")]

HIGHER_IS_BETTER = {"percentage", "survey"}
LOWER_IS_BETTER = {"rate", "count"}


class Criterion(Provenance):
    code: str = Field(pattern=r"^TC\d{2}$")
    title: str
    legal_reference: str
    max_points: NonNegativeInt
    met_at: NonNegativeInt
    indicators: list[Indicator] = Field(min_length=1)
    components: list[Component] = Field(min_length=1)


class HistoryEntry(Strict):
    on: dt.date
    by: str
    change: str


# id(version) → (a weak reference to it, its indicator map): a version is frozen, so its map never changes; the
# reference tells a live version from one whose id was reused (fields, not the cache, decide equality)
_INDICATOR_MAPS: dict[int, tuple[weakref.ref, dict]] = {}


class CriteriaVersion(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    status: Literal["draft", "provisional", "official"]
    legal_basis: LegalBasis
    effective_from: dt.date
    effective_to: dt.date | None = None
    max_total: MaxTotal
    categories: list[Category] = Field(min_length=1)
    recognition: Recognition
    criteria: list[Criterion] = Field(min_length=1)
    history: list[HistoryEntry] = Field(default_factory=list)

    # Derived views, computed on demand (the model is frozen).
    @property
    def provisional(self) -> bool:
        return self.status != "official"

    def indicators(self) -> list[tuple[Criterion, Indicator]]:
        return [(c, i) for c in self.criteria for i in c.indicators]

    def indicator_map(self) -> dict[str, Indicator]:
        """Code → indicator, in the criteria's order. Made once per version (scoring and every save read it) and
        shared: read it, never change it."""
        made = _INDICATOR_MAPS.get(id(self))
        if made is None or made[0]() is not self:
            if len(_INDICATOR_MAPS) >= 256:
                _INDICATOR_MAPS.clear()
            made = _INDICATOR_MAPS[id(self)] = (weakref.ref(self), {i.code: i for _, i in self.indicators()})
        return made[1]

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def component_max(component: YesNo | Percentage | Rate | Count | Survey) -> int:
    """The most points a component can give."""
    if isinstance(component, YesNo):
        return component.points
    best = max(b.points for b in component.bands)
    empty = getattr(component, "if_denominator_zero", None)
    return max(best, empty.points) if empty else best


def component_inputs(component: YesNo | Percentage | Rate | Count | Survey) -> list[str]:
    """The indicator codes a component reads, in a fixed order."""
    if isinstance(component, YesNo):
        return [component.indicator]
    if isinstance(component, Percentage):
        return [component.numerator, component.denominator]
    if isinstance(component, Rate):
        return [component.cases, component.population]
    if isinstance(component, Count):
        return [component.count]
    return [component.score]
