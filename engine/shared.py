"""Indicators that hold the same number (``same_as`` in the criteria: the commune's total number of children,
asked by TC03, TC04 and TC05). A person types it once, at its source; a file or a spreadsheet that carries
every copy must give equal values, and a copy left out takes the source's."""

from __future__ import annotations

from .errors import InputProblem
from .messages import N_
from .models import CriteriaVersion


def shared_sources(version: CriteriaVersion) -> dict[str, str]:
    """Copy code → its source code (``TC04.children`` → ``TC03.children``)."""
    return {ind.code: ind.same_as for _crit, ind in version.indicators() if ind.same_as is not None}


def copies_of(version: CriteriaVersion) -> dict[str, list[str]]:
    """Source code → the codes that copy it."""
    out: dict[str, list[str]] = {}
    for copy, source in shared_sources(version).items():
        out.setdefault(source, []).append(copy)
    return out


def fill_shared(version: CriteriaVersion, values: dict) -> dict:
    """``values`` with each copy that is absent or blank given its source's value (when the source has one)."""
    out = dict(values)
    for copy, source in shared_sources(version).items():
        blank = out.get(copy) is None or (isinstance(out.get(copy), str) and not out[copy].strip())
        if blank and out.get(source) is not None:
            out[copy] = out[source]
    return out


def shared_problems(version: CriteriaVersion, values: dict) -> list[InputProblem]:
    """A copy whose typed value differs from its source's, naming both."""
    out = []
    for copy, source in shared_sources(version).items():
        if values.get(copy) is not None and values.get(source) is not None and values[copy] != values[source]:
            out.append(InputProblem(copy, N_("%(value)s khác %(source)s (%(source_value)s): đây là cùng một số",
                                             value=values[copy], source=source, source_value=values[source])))
    return out
