"""Decide stage: which findings become edits of the cleaned copy.

Removals always apply (a rule says ``remove`` only for text that is never the
article's). A replacement applies unless it overlaps a removal or an earlier
replacement. Flags never edit. A removal that leaves its line blank takes the
whole line with it, so no hole is left where the boilerplate was.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Sequence

from cleaner.clean import merge_edits
from cleaner.model import Action, Edit, Finding
from cleaner.spans import SpanSet


class _Lines:
    """Where each line of a text starts and ends, and whether a stretch of it is blank.

    Found by bisection over the newline positions, so thousands of removals on
    one million-character line cost no more than on short lines.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [m.start() for m in _NEWLINE.finditer(text)]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        before = bisect_left(self.breaks, start)
        line_start = self.breaks[before - 1] + 1 if before else 0
        after = bisect_left(self.breaks, end)
        line_end = self.breaks[after] if after < len(self.breaks) else len(self.text)
        return line_start, line_end

    def blank(self, start: int, end: int) -> bool:
        return _NON_SPACE.search(self.text, start, end) is None


_NEWLINE = re.compile("\n")
_NON_SPACE = re.compile(r"\S")


def _whole_lines(lines: _Lines, start: int, end: int) -> tuple[int, int]:
    line_start, line_end = lines.bounds(start, end)
    if not (lines.blank(line_start, start) and lines.blank(end, line_end)):
        return start, end
    if line_end < len(lines.text):
        return line_start, line_end + 1
    return (line_start - 1 if line_start > 0 else line_start), line_end


def decide(findings: Sequence[Finding], original: str) -> tuple[list[Finding], tuple[Edit, ...]]:
    """Mark the findings whose action is applied and return the edits that apply them."""
    removals = [f for f in findings if f.action is Action.REMOVE and f.end > f.start]
    lines = _Lines(original)
    edits = [Edit(*_whole_lines(lines, f.start, f.end), "", "", (f.rule,)) for f in removals]
    edits = [dataclasses.replace(e, removed=original[e.start:e.end]) for e in edits]
    taken = SpanSet((e.start, e.end) for e in edits)
    applied = {id(f) for f in removals}
    for f in sorted((f for f in findings if f.action is Action.REPLACE and f.replacement is not None),
                    key=lambda f: (-f.severity.rank, f.start)):
        if f.end > f.start and not taken.overlaps(f.start, f.end):
            edits.append(Edit(f.start, f.end, original[f.start:f.end], f.replacement or "", (f.rule,)))
            taken.add(f.start, f.end)
            applied.add(id(f))
    marked = [dataclasses.replace(f, applied=id(f) in applied) for f in findings]
    return marked, merge_edits(edits, original)
