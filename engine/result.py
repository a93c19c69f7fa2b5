"""The typed score: what ``engine.scoring.score`` returns, a database stores and ``cfc score --json`` prints.

Every model is strict and frozen. ``ScoreResult.to_dict()`` is the JSON form: every field name of the first,
untyped version is kept (an outcome is still written ``"band:0"``, ``"yes"``, ``"no"`` or ``"empty"``), and
version 2 adds ``schema_version``, ``fingerprint`` (the criteria content the score was computed from) and each
component's exact measured value. ``ScoreResult.from_stored(data)`` reads a stored score of either version
back: one stored before version 2 gets ``schema_version`` 1 and ``fingerprint`` None (unknown).

A component explains itself from its fields (``ComponentResult.describe()``): the indicator values used, the
measured value, the band matched (``outcome.band`` is its index, ``matched`` its range) and the points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import __version__
from .errors import CfcError
from .messages import N_, Message
from .numbers import format_number, format_points
from .outcome import Outcome

SCHEMA_VERSION = 2

# An indicator value as JSON holds it: yes/no, a count, a survey score.
Plain = bool | int | float


def construct(cls, data: dict):
    """An instance of the model ``cls`` from fields already checked, every field given in the model's order:
    what pydantic's ``model_construct`` makes, without its per-field bookkeeping (which costs more than
    validating). The scoring code builds its results this way from validated criteria and values; the tests
    read every score back through ``ScoreResult.from_stored``, which validates strictly."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    _set(obj, "__pydantic_fields_set__", set(data))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_set = object.__setattr__


class StoredScoreError(CfcError):
    """A stored score cannot be read back (not a score, or a field of the wrong type)."""


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ComponentResult(Frozen):
    id: str
    kind: Literal["yes_no", "percentage", "rate", "count", "survey"]
    label: str
    points: int
    max_points: int
    outcome: Outcome
    matched: str  # the band's range ("95 ≤ tỷ lệ % < 98"), "có"/"không", or why the denominator is zero
    values: dict[str, Plain]  # the indicator values used, code → value
    measured: str | None  # the measured value as shown ("97,95…", cut, never rounded up); None: yes/no, empty
    explanation: str  # "TC07/immunisation: " + describe()
    verified: bool
    measured_exact: str | None = None  # the exact measured value, a fraction as text ("98", "4800/49")

    def describe(self, labels: Mapping[str, str] | None = None, per: int | None = None) -> str:
        """The explanation without the component's name, made from the fields (also for version 1 scores);
        with ``labels`` (code → label) the indicators are named by their labels, with ``per`` a rate says
        "trên 1.000 trẻ em". A ``Message``: rendered in the reader's language."""
        if labels is None and per is None:
            return describe(self.kind, self.values, self.measured, self.matched, self.points)
        return explain(self.kind, self.values, self.measured, self.matched, self.points, labels or {}, per)


def describe(kind: str, values: Mapping[str, Plain], measured: str | None, matched: str, points: int) -> str:
    """``TC07.fully_immunised = 49 / TC07.children_under_1 = 50 = 98%: tỷ lệ % ≥ 98 → 50 điểm``."""
    if kind == "yes_no":
        return f"{next(iter(values))} = {matched} → {format_points(points)}"
    inputs = " / ".join(f"{code} = {format_number(value)}" for code, value in values.items())
    shown = ""
    if measured is not None and kind == "percentage":
        shown = f" = {measured}%"
    elif measured is not None and kind == "rate":
        shown = f" = {measured}"
    return f"{inputs}{shown}: {matched} → {format_points(points)}"


def explain(kind: str, values: Mapping[str, Plain], measured: str | None, matched: str, points: int,
            labels: Mapping[str, str], per: int | None = None) -> Message:
    """``«Số trẻ em được tiêm chủng đầy đủ» 49 / «Số trẻ em dưới 1 tuổi» 50 = 98%: tỷ lệ % ≥ 98 → 50 điểm``;
    a rate ``… = 2,5 trên 1.000 trẻ em: …``."""
    named = [Message("«%(label)s» %(value)s", label=labels.get(code, code), value=value)
             for code, value in values.items()]
    if kind == "yes_no":
        answer = N_("có") if matched == "có" else N_("không") if matched == "không" else matched
        return N_("%(indicator)s: %(answer)s → %(points)s", indicator=Message("«%(label)s»", label=labels.get(
            next(iter(values)), next(iter(values)))), answer=answer, points=format_points(points))
    inputs = Message(" / ".join(f"%({i})s" for i in range(len(named))), **{str(i): n for i, n in enumerate(named)})
    if measured is not None and kind == "percentage":
        inputs = Message("%(inputs)s = %(measured)s%%", inputs=inputs, measured=measured)
    elif measured is not None and kind == "rate":
        shown = (N_("%(measured)s trên %(per)s trẻ em", measured=measured, per=per) if per
                 else Message("%(measured)s", measured=measured))
        inputs = Message("%(inputs)s = %(shown)s", inputs=inputs, shown=shown)
    return Message("%(inputs)s: %(matched)s → %(points)s", inputs=inputs, matched=matched,
                   points=format_points(points))


class CriterionResult(Frozen):
    code: str
    title: str
    legal_reference: str
    points: int
    max_points: int
    met_at: int
    met: bool
    explanation: str
    components: list[ComponentResult]


class FailedCondition(Frozen):
    condition: Literal["all_criteria_met", "no_criterion_zero", "total_reaches_threshold"]
    message: str
    criterion: str | None = None


class Gap(Frozen):
    """One indicator to change: to ``target`` (at least, at most, or set to yes) for ``points_added`` more."""

    criterion: str
    component: str
    indicator: str
    current: Plain
    target: Plain
    change: Literal["set", "at_least", "at_most"]
    points_added: int
    message: str


class Plan(Frozen):
    """The fewest band steps that meet every recognition condition, or why there is none."""

    reaches_threshold: bool
    points_needed: int
    steps: list[Gap] = Field(default_factory=list)
    points_added: int = 0
    message: str = ""


class CommuneRef(Frozen):
    code: str
    name: str


class CategoryRef(Frozen):
    id: str
    label: str


class ScoreResult(Frozen):
    criteria_version: str
    provisional: bool
    commune: CommuneRef
    category: CategoryRef
    total: int
    max_total: int
    threshold: int
    recognized: bool
    criteria: list[CriterionResult]
    failed_conditions: list[FailedCondition]
    gaps: list[Gap]
    plan: Plan
    engine: str
    engine_version: str = __version__
    year: int | None = None
    assessed_on: str | None = None  # YYYY-MM-DD
    notices: list[str] = Field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    fingerprint: str | None = None  # the criteria content scored (engine.loader.fingerprint); None: unknown

    def to_dict(self) -> dict:
        """The JSON form (plain dicts, lists, strings, numbers, booleans)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_stored(cls, data: Mapping) -> ScoreResult:
        """A score as ``to_dict`` gave it, now or before version 2; StoredScoreError when it is no score."""
        if not isinstance(data, Mapping):
            raise StoredScoreError(f"a stored score is a mapping, not {type(data).__name__}")
        stored = dict(data)
        stored.setdefault("schema_version", 1)
        try:
            return cls.model_validate(stored)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(score)"
            raise StoredScoreError(f"a stored score cannot be read: {where}: {first['msg']} "
                                   f"({exc.error_count()} problems)") from None

    def criterion(self, code: str) -> CriterionResult | None:
        return next((c for c in self.criteria if c.code == code), None)
