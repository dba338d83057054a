"""Day arithmetic: intervals of date ordinals (both ends included), merged, clipped, counted.

Pure functions on ordinals; nothing here knows a rule or a year's length.
"""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[int, int]  # date ordinals, both ends included


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge intervals (sorted, overlapping or touching ones joined)."""
    merged: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def clip(intervals: Iterable[Interval], lo: int, hi: int) -> list[Interval]:
    """The parts of the intervals inside ``[lo, hi]``."""
    return [(max(a, lo), min(b, hi)) for a, b in intervals if max(a, lo) <= min(b, hi)]


def length(intervals: Iterable[Interval]) -> int:
    """Days covered, counting each interval in full (merge first to count overlaps once)."""
    return sum(b - a + 1 for a, b in intervals)


def days_in(interval: Interval, lo: int, hi: int) -> int:
    """Days of one interval inside ``[lo, hi]``."""
    return max(0, min(interval[1], hi) - max(interval[0], lo) + 1)


def completion_day(spans: Iterable[Interval], required: int) -> int | None:
    """The day on which ``required`` counted days are reached, walking the spans in order."""
    total = 0
    for a, b in spans:
        if total + (b - a + 1) >= required:
            return a + (required - total) - 1
        total += b - a + 1
    return None
