"""The facts as stated: a date and its precision, a qualification, a job."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from skillcheck.rules.loader import Level


@dataclass(frozen=True)
class When:
    """A date as said: a year, a month of a year, or a part of a year ('early', 'mid', 'late')."""

    year: int
    month: int | None = None
    part: str | None = None  # 'early' (Jan-Apr), 'mid' (May-Aug), 'late' (Sep-Dec)

    def months(self) -> tuple[int, int]:
        """The first and last month it could mean."""
        if self.month:
            return self.month, self.month
        return PARTS.get(self.part or "", (1, 12))

    def as_start(self) -> date:
        """The latest day it could mean (a start counted conservatively)."""
        month = self.months()[1]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def as_end(self) -> date:
        """The earliest day it could mean (an end counted conservatively)."""
        return date(self.year, self.months()[0], 1)

    def said(self) -> str:
        if self.month:
            return f"{calendar.month_abbr[self.month]} {self.year}"
        return f"{self.part} {self.year}" if self.part else str(self.year)


#: The months a part of a year can mean.
PARTS: dict[str, tuple[int, int]] = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}


@dataclass(frozen=True)
class QualFact:
    """A qualification as stated; None means not said."""

    level: Level
    name: str
    field: str | None = None
    completed: When | None = None
    completed_exact: date | None = None  # from "two months ago"
    in_progress: bool = False
    generic_degree: bool = False


@dataclass(frozen=True)
class JobFact:
    """A job as stated; None means not said."""

    title: str | None = None
    start: When | None = None
    end: When | None = None
    current: bool | None = None
    months: float | None = None  # a duration with no dates
    hours: float | None = None
    hours_said: str | None = None
    paid: bool | None = None
    tasks: tuple[str, ...] = ()
    front_line_retail: bool = False
