"""A band of a component as a person reads it: ``95 ≤ tỷ lệ % < 98``, ``tỷ suất ≤ 2 → 50 điểm``.

Each is a ``Message`` (``engine.messages``): its text is Vietnamese (the explanations and gaps stored in scores
keep exactly that text) and it is rendered again in a reader's language (``95 ≤ percentage < 98``)."""

from __future__ import annotations

import functools

from .messages import N_, Message
from .models import HIGHER_IS_BETTER


def describe_band(kind: str, band) -> Message:
    """A band as a person reads it, e.g. '95 ≤ tỷ lệ < 98 → 35 điểm'."""
    return N_("%(range)s → %(points)s điểm", range=band_range(kind, band), points=band.points)


def band_range(kind: str, band) -> Message:
    """A band's range as a person reads it, e.g. '95 ≤ tỷ lệ % < 98' (every score shows several)."""
    return _range(kind, band.min, band.max)


_QUANTITIES = {"percentage": N_("tỷ lệ %"), "rate": N_("tỷ suất"), "count": N_("số ca"), "survey": N_("điểm")}


@functools.lru_cache(maxsize=1024)
def _range(kind: str, lo, hi) -> Message:
    """A Message (its text Vietnamese, numbers with Vietnamese separators), rendered again in a reader's language."""
    name = _QUANTITIES[kind]
    if kind in HIGHER_IS_BETTER:
        if lo in (None, 0):
            return N_("mọi %(name)s", name=name) if hi is None else N_("%(name)s < %(hi)s", name=name, hi=hi)
        if hi is None:
            return N_("%(name)s ≥ %(lo)s", name=name, lo=lo)
        return N_("%(lo)s ≤ %(name)s < %(hi)s", lo=lo, name=name, hi=hi)
    if lo is None and hi is None:
        return N_("mọi %(name)s", name=name)
    if lo is None:
        return N_("%(name)s ≤ %(hi)s", name=name, hi=hi) if hi != 0 else N_("%(name)s = 0", name=name)
    if hi is None:
        return N_("%(name)s > %(lo)s", name=name, lo=lo)
    return N_("%(lo)s < %(name)s ≤ %(hi)s", lo=lo, name=name, hi=hi)
