"""Segment stage: title, paragraphs, lines and sentences as spans of the normalized text.

Sentences never cross a line break unless the line was hard-wrapped mid-sentence,
and abbreviations ("Del.", "U.S.", "Mr.", initials) do not end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from cleaner.model import Scope, Segment


@dataclass(frozen=True)
class Document:
    """The normalized text of one article cut into segments (all offsets normalized)."""

    text: str
    title: Segment | None
    body_start: int
    lines: tuple[Segment, ...]
    paragraphs: tuple[Segment, ...]
    sentences: tuple[Segment, ...]
    repairs: tuple[tuple[int, int, str, str], ...] = ()  # (start, end, before, after) of ftfy repairs
    author: str | None = None  # the record's declared author, if any
    removed: tuple[tuple[int, int], ...] = ()  # spans removal rules took (set by the detect stage)

    def segments(self, scope: Scope | str) -> tuple[Segment, ...]:
        if scope == Scope.LINE:
            return self.lines
        if scope == Scope.PARAGRAPH:
            return self.paragraphs
        if scope == Scope.SENTENCE:
            return self.sentences
        return (Segment(Scope.TEXT, self.body_start, len(self.text), self.text[self.body_start:], 0),)

    def starts(self, scope: Scope | str) -> tuple[int, ...]:
        """Start offsets of the segments of ``scope``, for bisecting."""
        return tuple(seg.start for seg in self.segments(scope))

    def kept_body(self) -> tuple[str, list[tuple[int, int]]]:
        """The body without removed spans, and for each kept piece (offset in that text, offset here)."""
        pieces, parts, pos, out_len = [], [], self.body_start, 0
        for start, end in sorted(self.removed):
            if end <= pos:
                continue
            if start > pos:
                parts.append(self.text[pos:start])
                pieces.append((out_len, pos))
                out_len += start - pos
            pos = max(pos, end)
        parts.append(self.text[pos:])
        pieces.append((out_len, pos))
        return "".join(parts), pieces


@cache
def abbreviations() -> frozenset[str]:
    """Words that end with a full stop without ending a sentence (data file; case matters)."""
    data = resources.files("cleaner").joinpath("data/abbreviations.txt").read_text(encoding="utf-8")
    words = (w for line in data.splitlines() if not line.startswith("#") for w in line.split())
    return frozenset(w.rstrip(".") for w in words)


# A candidate starts where a run of marks starts, so a line of ten thousand dots is one
# candidate tried once, not ten thousand tried to its end.
_CANDIDATE = re.compile(r"(?<![.!?…])(?:\.{3}|…|[.!?])++[\"'”’)\]]*+(?=\s+\S)")
_NEXT_CHAR = re.compile(r"\s*(\S)")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$")
_TERMINAL = re.compile(r"[.!?…:\"'”’)]\s*$")


def _token_before(text: str, pos: int) -> str:
    start = pos
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"“'‘[":
        start -= 1
    return text[start:pos]


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    mark = match.group()
    after = _NEXT_CHAR.match(text, match.end())
    following = after.group(1) if after else ""
    if mark[0] in "?!…" or mark.startswith("..."):
        # "“Really?” he asked." and "and then... nothing" continue the sentence.
        return not following.islower()
    word = _token_before(text, match.start())
    if not word:
        return True
    if word.rstrip(".") in abbreviations() or _DOTTED.match(word):
        return False
    # A single initial ("George W. Bush") does not end a sentence.
    return not (len(word) == 1 and word.isupper())


def split_sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (offset by ``base``) of one line or wrapped paragraph.

    >>> s = "WILMINGTON, Del. – Mr. Biden spoke. The U.S. said no. it ended."
    >>> [s[a:b] for a, b in split_sentences(s)]
    ['WILMINGTON, Del. – Mr. Biden spoke.', 'The U.S. said no.', 'it ended.']
    """
    spans, start = [], 0
    for m in _CANDIDATE.finditer(text):
        if _is_boundary(text, m):
            spans.append((start, m.end()))
            start = m.end()
    spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        seg = text[a:b]
        if out and not any(c.isalnum() for c in seg):  # "NATO. ." keeps its stray mark
            out[-1] = (out[-1][0], base + b - (len(seg) - len(seg.rstrip())))
            continue
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if b - trail > a + lead:
            out.append((base + a + lead, base + b - trail))
    return out


def _line_spans(text: str, body_start: int) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        stop = end - 1 if raw.endswith("\r") else end
        if pos >= body_start or end > body_start:
            spans.append((max(pos, body_start), stop))
        pos = end + 1
    return spans


def segment(
    text: str, body_start: int = 0, title: tuple[int, int] | None = None,
    repairs: tuple[tuple[int, int, str, str], ...] = (), author: str | None = None,
) -> Document:
    """Cut normalized ``text`` into segments; the body starts at ``body_start``."""
    lines = _line_spans(text, body_start)
    line_segs = tuple(Segment(Scope.LINE, a, b, text[a:b], i) for i, (a, b) in enumerate(lines))
    paragraphs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for a, b in lines:
        if text[a:b].strip():
            current.append((a, b))
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    para_segs = tuple(
        Segment(Scope.PARAGRAPH, p[0][0], p[-1][1], text[p[0][0]:p[-1][1]], i) for i, p in enumerate(paragraphs)
    )
    sentences: list[tuple[int, int]] = []
    for para in paragraphs:
        sentences.extend(_paragraph_sentences(text, para))
    sent_segs = tuple(Segment(Scope.SENTENCE, a, b, text[a:b], i) for i, (a, b) in enumerate(sentences))
    title_seg = Segment("title", title[0], title[1], text[title[0]:title[1]], 0) if title else None
    return Document(text, title_seg, body_start, line_segs, para_segs, sent_segs, repairs, author)


def _paragraph_sentences(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    # Lines of one paragraph are split separately unless a line was hard-wrapped
    # mid-sentence (no closing punctuation, next line starts in lower case).
    out: list[tuple[int, int]] = []
    group_start, group_end = lines[0]
    for a, b in lines[1:]:
        prev = text[group_start:group_end]
        nxt = text[a:b].lstrip()[:1]
        if not _TERMINAL.search(prev) and nxt.islower():
            group_end = b
            continue
        out.extend(split_sentences(text[group_start:group_end], group_start))
        group_start, group_end = a, b
    out.extend(split_sentences(text[group_start:group_end], group_start))
    return out
