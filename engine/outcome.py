"""The outcome of one scoring component: a band matched (with its index), yes, no, or empty (denominator 0).

Both evaluators (``engine.evaluate`` and durable-rules in ``engine.rules``) give an ``Outcome`` per component,
so their results compare with ``==``. In JSON (a stored score, ``cfc score --json``) an outcome is written as
it always was: ``"band:0"``, ``"yes"``, ``"no"``, ``"empty"``; ``Outcome.parse`` reads that text back.
"""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

Kind = Literal["band", "yes", "no", "empty"]


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: Kind
    band: int | None = None  # the index of the matched band (kind "band" only), 0 = the best band

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data):
        return _fields(data) if isinstance(data, str) else data

    @model_validator(mode="after")
    def _band_only_for_bands(self) -> Outcome:
        if (self.kind == "band") != (self.band is not None and self.band >= 0):
            verb = "needs" if self.kind == "band" else "has no"
            raise ValueError(f"an outcome of kind {self.kind!r} {verb} band index")
        return self

    @model_serializer
    def _as_text(self) -> str:
        return str(self)

    def __eq__(self, other) -> bool:  # the evaluators share one object per outcome: identity first
        if self is other:
            return True
        if not isinstance(other, Outcome):
            return NotImplemented
        return self.kind == other.kind and self.band == other.band

    def __hash__(self) -> int:
        return hash((self.kind, self.band))

    def __str__(self) -> str:
        return self.kind if self.band is None else f"band:{self.band}"

    @classmethod
    def parse(cls, text: str) -> Outcome:
        """``"band:2"`` → the outcome of band 2; ``"yes"``, ``"no"``, ``"empty"``."""
        fields = _fields(text)
        return band_outcome(fields["band"]) if fields["kind"] == "band" else _SIMPLE[fields["kind"]]


def _fields(text: str) -> dict:
    kind, colon, index = text.partition(":")
    if kind == "band" and colon and index.isdigit():
        return {"kind": "band", "band": int(index)}
    if kind in ("yes", "no", "empty") and not colon:
        return {"kind": kind}
    raise ValueError(f"not an outcome: {text!r} (expected band:N, yes, no or empty)")


YES = Outcome(kind="yes")
NO = Outcome(kind="no")
EMPTY = Outcome(kind="empty")
_SIMPLE = {"yes": YES, "no": NO, "empty": EMPTY}


@functools.lru_cache(maxsize=256)
def band_outcome(index: int) -> Outcome:
    """The outcome "band ``index`` matched" (one shared object per index)."""
    return Outcome(kind="band", band=index)
