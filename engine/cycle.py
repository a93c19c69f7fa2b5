"""The recognition cycle of a dated procedure: when reassessment rounds happen and how long a recognition stands.

Both are data in the procedure files (``cycle:``), each with its source and whether it was verified against
the legal text. The domain notes give the rounds from a secondary source (November of the 2nd and 4th year of
each 5-year socio-economic plan: 2019, 2022, 2024, 2027, 2029…) and nothing on how long a recognition stands:
a cycle with an unverified part is *provisional*, and every page that shows a date computed from it says so.

Pure functions of plain dates: no database, no web.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from .models import Strict


class Rounds(Strict):
    """Reassessment rounds: in ``month`` of the ``plan_years`` (1 = the first) of each plan period of
    ``plan_length`` years, the periods counted from ``plan_start``."""

    plan_start: int = Field(ge=1900, le=2200)
    plan_length: int = Field(ge=1, le=20)
    plan_years: list[int] = Field(min_length=1)
    month: int = Field(ge=1, le=12)
    verified: bool
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _years_in_period(self) -> Rounds:
        wrong = [y for y in self.plan_years if not 1 <= y <= self.plan_length]
        if wrong:
            raise ValueError(f"plan_years must lie in 1..{self.plan_length}; got {wrong}")
        return self


class Validity(Strict):
    """How long a recognition stands: until the end of the next reassessment round after the round it was
    granted in (``next_round``), or ``years`` from the decision's date."""

    until: Literal["next_round", "years"]
    years: int | None = Field(default=None, ge=1, le=20)
    verified: bool
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _years_when_counted(self) -> Validity:
        if (self.until == "years") != (self.years is not None):
            raise ValueError("years is given exactly when until is 'years'")
        return self


class RecognitionCycle(Strict):
    rounds: Rounds
    validity: Validity

    @property
    def provisional(self) -> bool:
        """Some part of the cycle is not verified against the legal text."""
        return not (self.rounds.verified and self.validity.verified)

    def is_round(self, year: int) -> bool:
        offset = (year - self.rounds.plan_start) % self.rounds.plan_length
        return offset + 1 in self.rounds.plan_years

    def round_end(self, year: int) -> dt.date:
        """The last day of the round's month in ``year``."""
        month = self.rounds.month
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    def next_round_after(self, year: int) -> int:
        """The first reassessment round in a year after ``year``."""
        candidate = year + 1
        while not self.is_round(candidate):
            candidate += 1
        return candidate

    def upcoming_round(self, day: dt.date) -> int:
        """The round under way or next on ``day`` (a round ends on the last day of its month)."""
        year = day.year
        if self.is_round(year) and day <= self.round_end(year):
            return year
        return self.next_round_after(year)

    def validity_end(self, year: int, decision_date: dt.date | None) -> dt.date:
        """The last day a recognition granted in round ``year`` (on ``decision_date``) stands."""
        if self.validity.until == "years":
            start = decision_date or self.round_end(year)
            try:
                return start.replace(year=start.year + self.validity.years) - dt.timedelta(days=1)
            except ValueError:  # 29 February
                return start.replace(year=start.year + self.validity.years, day=28)
        return self.round_end(self.next_round_after(year))

