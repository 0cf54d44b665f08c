"""Decide stage: which findings become edits of the cleaned copy.

Removals always apply (a rule says ``remove`` only for text that is never the
article's). A replacement applies unless it overlaps a removal or an earlier
replacement. Flags never edit. A removal that leaves its line blank takes the
whole line with it, so no hole is left where the boilerplate was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from cleaner.clean import merge_edits
from cleaner.model import Action, Edit, Finding


def _whole_lines(original: str, start: int, end: int) -> tuple[int, int]:
    line_start = original.rfind("\n", 0, start) + 1
    line_end = original.find("\n", end)
    line_end = len(original) if line_end < 0 else line_end
    if original[line_start:start].strip() or original[end:line_end].strip():
        return start, end
    if line_end < len(original):
        return line_start, line_end + 1
    return (line_start - 1 if line_start > 0 else line_start), line_end


def decide(findings: Sequence[Finding], original: str) -> tuple[list[Finding], tuple[Edit, ...]]:
    """Mark the findings whose action is applied and return the edits that apply them."""
    removals = [f for f in findings if f.action is Action.REMOVE and f.end > f.start]
    edits = [Edit(*_whole_lines(original, f.start, f.end), "", "", (f.rule,)) for f in removals]
    edits = [dataclasses.replace(e, removed=original[e.start:e.end]) for e in edits]
    taken = [(e.start, e.end) for e in edits]
    applied = {id(f) for f in removals}
    for f in sorted((f for f in findings if f.action is Action.REPLACE and f.replacement is not None),
                    key=lambda f: (-f.severity.rank, f.start)):
        if f.end > f.start and not any(f.start < e and s < f.end for s, e in taken):
            edits.append(Edit(f.start, f.end, original[f.start:f.end], f.replacement or "", (f.rule,)))
            taken.append((f.start, f.end))
            applied.add(id(f))
    marked = [dataclasses.replace(f, applied=id(f) in applied) for f in findings]
    return marked, merge_edits(edits, original)
