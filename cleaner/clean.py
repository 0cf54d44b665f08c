"""Clean stage: apply edits to the original and tidy the whitespace they leave behind.

Edits are kept in ORIGINAL offsets, sorted and non-overlapping, so the cleaned
copy plus the edits always reconstructs the input (``reconstruct``). Whitespace
tidying is itself a list of edits, merged with the ones it touches.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cleaner.model import Edit

TIDY_RULE = "whitespace.tidy"


def merge_edits(edits: Iterable[Edit], original: str) -> tuple[Edit, ...]:
    """Sort edits and merge overlapping ones into one edit covering both.

    Only removals overlap (the decide stage drops replacements that touch a
    removal), so the merged replacement is the outer edit's, plus the inner
    one's when it reaches further.
    """
    out: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e.start, -e.end)):
        if out and e.start < out[-1].end:
            prev = out[-1]
            end = max(prev.end, e.end)
            replacement = prev.replacement if e.end <= prev.end else prev.replacement + e.replacement
            out[-1] = Edit(prev.start, end, original[prev.start:end], replacement, _union(prev.rules, e.rules))
        else:
            out.append(e)
    return tuple(out)


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(r for r in b if r not in a)


def apply_edits(original: str, edits: Sequence[Edit]) -> str:
    """The cleaned text: ``original`` with every (sorted, non-overlapping) edit applied."""
    parts, last = [], 0
    for e in edits:
        parts.append(original[last:e.start])
        parts.append(e.replacement)
        last = e.end
    parts.append(original[last:])
    return "".join(parts)


def reconstruct(cleaned: str, edits: Sequence[Edit]) -> str:
    """Undo ``edits`` on ``cleaned``; returns the original input exactly.

    >>> e = (Edit(0, 5, "Menu\\n", "", ("boilerplate.x",)),)
    >>> reconstruct("Story.", e)
    'Menu\\nStory.'
    """
    parts, pos, shift = [], 0, 0
    for e in edits:
        at = e.start - shift
        parts.append(cleaned[pos:at])
        parts.append(e.removed)
        pos = at + len(e.replacement)
        shift += len(e.removed) - len(e.replacement)
    parts.append(cleaned[pos:])
    return "".join(parts)


@dataclass(frozen=True)
class _Piece:
    start: int  # original offsets
    end: int
    text: str  # text in the cleaned copy
    edit: Edit | None


def _pieces(original: str, edits: Sequence[Edit]) -> list[_Piece]:
    out, last = [], 0
    for e in edits:
        if e.start > last:
            out.append(_Piece(last, e.start, original[last:e.start], None))
        out.append(_Piece(e.start, e.end, e.replacement, e))
        last = e.end
    if last < len(original):
        out.append(_Piece(last, len(original), original[last:], None))
    return out


def rewrite(original: str, edits: Sequence[Edit], cstart: int, cend: int, new: str,
            rule: str | tuple[str, ...]) -> tuple[Edit, ...]:
    """Replace ``cleaned[cstart:cend]`` by ``new``, as one edit in original offsets.

    Edits the range touches are folded into the new edit (their rules are kept),
    so edits stay sorted and non-overlapping.
    """
    pieces = _pieces(original, edits)
    covered: list[tuple[_Piece, int]] = []
    pos = 0
    for p in pieces:
        pend = pos + len(p.text)
        inside = pos < cend and pend > cstart if pend > pos else p.edit is not None and cstart <= pos <= cend
        if inside:
            covered.append((p, pos))
        pos = pend
    new_rules = (rule,) if isinstance(rule, str) else rule
    if not covered:  # an insertion at the very end
        at = len(original)
        return (*edits, Edit(at, at, "", new, new_rules))
    (first, fpos), (last, lpos) = covered[0], covered[-1]
    if first.edit is None:
        ostart, prefix = first.start + (cstart - fpos), ""
    else:
        ostart, prefix = first.start, first.text[: max(cstart - fpos, 0)]
    if last.edit is None:
        oend, suffix = last.start + (cend - lpos), ""
    else:
        oend, suffix = last.end, last.text[max(cend - lpos, 0):]
    rules: tuple[str, ...] = ()
    for p, _ in covered:
        if p.edit is not None:
            rules = _union(rules, p.edit.rules)
    merged = Edit(ostart, oend, original[ostart:oend], prefix + new + suffix, _union(rules, new_rules))
    kept = [e for e in edits if e.end <= ostart or e.start >= oend]
    return tuple(sorted([*kept, merged], key=lambda e: (e.start, e.end)))


_BLANK_RUN = re.compile(r"[ \t]*(?:\r?\n[ \t]*){3,}")
_TRAILING = re.compile(r"[ \t]+(?=\r?\n)")
_LEADING = re.compile(r"\A\s+")
_DOUBLE_SPACE_GAP = re.compile(r"(?<=\S)  +(?=\S)")


def tidy(original: str, edits: tuple[Edit, ...], body_start: int = 0) -> tuple[Edit, ...]:
    """Collapse blank-line runs, trailing spaces and gaps left by removals; returns the new edits."""
    for _ in range(16):  # every pass fixes all it sees; fixes can only meet once or twice
        cleaned = apply_edits(original, edits)
        fixes = _untidy(cleaned, original, edits, body_start)
        if not fixes:
            return edits
        for cs, ce, new in reversed(fixes):  # right to left, so earlier cleaned offsets stay valid
            edits = rewrite(original, edits, cs, ce, new, TIDY_RULE)
    return edits


def cleaned_offset(edits: Sequence[Edit], orig: int) -> int:
    """Where original offset ``orig`` (outside any edit) lands in the cleaned copy."""
    shift = 0
    for e in edits:
        if e.end <= orig:
            shift += len(e.replacement) - (e.end - e.start)
    return orig + shift


class OriginalOffsets:
    """Where a cleaned-copy offset comes from in the original; inside a replacement, the edit's
    start (or its end, for the end of a span), so a span always covers what it came from.

    Built once per list of edits; each lookup is a bisection.
    """

    def __init__(self, edits: Sequence[Edit]) -> None:
        self._edits = tuple(edits)
        self._starts: list[int] = []  # where each edit's replacement starts in the cleaned copy
        self._shifts: list[int] = []  # cleaned minus original offset just after each edit
        shift = 0
        for e in self._edits:
            self._starts.append(e.start + shift)
            shift += len(e.replacement) - (e.end - e.start)
            self._shifts.append(shift)

    def __call__(self, pos: int, *, end: bool = False) -> int:
        # The last edit starting before pos; for a start, one starting at pos too: the first character
        # after a deletion comes after the deleted text, while an end there closes the text before it.
        i = (bisect.bisect_left if end else bisect.bisect_right)(self._starts, pos) - 1
        if i < 0:
            return pos
        e = self._edits[i]
        if pos < self._starts[i] + len(e.replacement):
            return e.end if end else e.start
        return pos - self._shifts[i]


def _edit_bounds(edits: Sequence[Edit]) -> list[int]:
    """Cleaned-copy offsets where each edit's replacement starts and ends."""
    out, shift = [], 0
    for e in edits:
        at = e.start + shift
        out += [at, at + len(e.replacement)]
        shift += len(e.replacement) - (e.end - e.start)
    return out


def _untidy(cleaned: str, original: str, edits: Sequence[Edit], body_start: int) -> list[tuple[int, int, str]]:
    """Every whitespace fix the cleaned copy needs, sorted and non-overlapping."""
    body = cleaned_offset(edits, body_start)
    fixes: list[tuple[int, int, str]] = []
    # The title's own line break counts, so "Title" + blank + removed line collapses to one blank line.
    for m in _BLANK_RUN.finditer(cleaned, max(body - 1, 0)):
        fixes.append((m.start(), m.end(), ("\r\n" if "\r\n" in m.group() else "\n") * 2))
    fixes += [(m.start(), m.end(), "") for m in _TRAILING.finditer(cleaned, body)]
    lead = _LEADING.match(cleaned)
    if body_start == 0 and lead and edits and edits[0].start <= lead.end():
        fixes.append((0, lead.end(), ""))
    end_ws = len(cleaned) - len(cleaned.rstrip())
    want = "\n" if original.endswith("\n") and cleaned.strip() else ""
    if cleaned[len(cleaned) - end_ws:] != want and (end_ws or want):
        fixes.append((len(cleaned) - end_ws, len(cleaned), want))
    bounds = _edit_bounds(edits)
    for m in _DOUBLE_SPACE_GAP.finditer(cleaned, body):
        i = bisect.bisect_left(bounds, m.start())
        if i < len(bounds) and bounds[i] <= m.end():
            fixes.append((m.start(), m.end(), " "))
    out: list[tuple[int, int, str]] = []
    for fix in sorted(fixes):
        if not out or fix[0] >= out[-1][1] and not (fix[0] == fix[1] == out[-1][1]):
            out.append(fix)
    return out
