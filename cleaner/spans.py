"""A set of character spans, for asking whether a span is covered or touched by it.

Kept sorted and merged, so each question is a bisection: thousands of removals
on one long line cost no more to consult than a handful.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable


class SpanSet:
    """The union of some half-open spans ``[start, end)``."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(spans):
            if self._ends and start <= self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], end)
            else:
                self._starts.append(start)
                self._ends.append(end)

    def _last_starting_by(self, pos: int) -> int:
        return bisect_right(self._starts, pos) - 1

    def covers(self, start: int, end: int) -> bool:
        """Whether every character of ``[start, end)`` lies in the set."""
        i = self._last_starting_by(start)
        return i >= 0 and end <= self._ends[i]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` shares a character with the set."""
        i = self._last_starting_by(start)
        if i >= 0 and self._ends[i] > start:
            return True
        return i + 1 < len(self._starts) and self._starts[i + 1] < end

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none already in the set."""
        i = bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
