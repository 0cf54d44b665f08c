"""Normalize stage: ftfy repairs mojibake and broken Unicode, one line at a time.

The article's typography is kept (curly quotes, dashes, full-width CJK). Every
repair is recorded as a ``Repair`` on the ORIGINAL offsets, and ``OffsetMap``
maps offsets in the normalized text back to the original, so findings detected
on repaired text still point at the bytes the user has.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

import ftfy

# uncurl_quotes/fix_character_width would change the article's own typography;
# line breaks are the segmenter's business, and offsets must survive them.
FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_character_width=False, fix_line_breaks=False, explain=True,
)


@dataclass(frozen=True)
class Repair:
    """``original[start:end]`` was repaired to ``after``; ``steps`` are ftfy's explanation."""

    start: int
    end: int
    before: str
    after: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class OffsetMap:
    """Maps normalized-text offsets to original offsets through a sorted list of repairs."""

    repairs: tuple[Repair, ...]
    norm_starts: tuple[int, ...]

    @classmethod
    def build(cls, repairs: tuple[Repair, ...]) -> OffsetMap:
        starts, delta = [], 0
        for r in repairs:
            starts.append(r.start + delta)
            delta += len(r.after) - (r.end - r.start)
        return cls(repairs, tuple(starts))

    def to_original(self, pos: int, *, end: bool = False) -> int:
        """Original offset of normalized ``pos``; inside a repair, snap outward to cover it."""
        i = bisect.bisect_right(self.norm_starts, pos) - 1
        if i < 0:
            return pos
        r, nstart = self.repairs[i], self.norm_starts[i]
        nend = nstart + len(r.after)
        if pos == nstart:
            # At a deletion, an end snaps past the deleted text so the repair stays inside the span.
            return r.end if end and nend == nstart else r.start
        if pos < nend:
            return r.end if end else r.start
        return r.end + (pos - nend)

    def to_normalized(self, pos: int) -> int:
        """Normalized offset of original ``pos`` (a position inside a repair maps to its start)."""
        delta = 0
        for r, nstart in zip(self.repairs, self.norm_starts, strict=True):
            if pos < r.end:
                return nstart if pos > r.start else pos + delta
            delta = nstart + len(r.after) - r.end
        return pos + delta


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    repairs: tuple[Repair, ...]
    offsets: OffsetMap


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f&]")


def _needs_fixing(line: str) -> bool:
    if line.isascii():
        return _CONTROL.search(line) is not None  # an entity, an escape or a control character
    return True


def _line_repairs(line: str, base: int) -> list[Repair]:
    fixed, steps = ftfy.fix_and_explain(line, FTFY_CONFIG)
    if fixed == line:
        return []
    explained = tuple(f"{kind}:{name}" for kind, name in (steps or []))
    matcher = difflib.SequenceMatcher(None, line, fixed, autojunk=False)
    ops: list[list[int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if ops and i1 == ops[-1][1]:  # touching pieces are one repair
            ops[-1][1], ops[-1][3] = i2, j2
        else:
            ops.append([i1, i2, j1, j2])
    return [Repair(base + i1, base + i2, line[i1:i2], fixed[j1:j2], explained) for i1, i2, j1, j2 in ops]


def normalize(text: str) -> Normalized:
    """Repair ``text`` line by line and keep the way back to the original.

    >>> n = normalize("Itâ€™s fine.\\n")
    >>> n.text, n.repairs[0].before, n.repairs[0].after
    ('It’s fine.\\n', 'â€™', '’')
    """
    repairs: list[Repair] = []
    pos = 0
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if line and _needs_fixing(line):
            repairs.extend(_line_repairs(line, pos))
        pos += len(raw) + 1
    if not repairs:
        return Normalized(text, text, (), OffsetMap((), ()))
    pieces, last = [], 0
    for r in repairs:
        pieces.append(text[last:r.start])
        pieces.append(r.after)
        last = r.end
    pieces.append(text[last:])
    frozen = tuple(repairs)
    return Normalized(text, "".join(pieces), frozen, OffsetMap.build(frozen))
