"""The typed, immutable values that flow between the pipeline stages.

Offsets are always 0-based code-point offsets, end exclusive. Unless a name says
otherwise (``norm_start``), an offset points into the ORIGINAL decoded input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


class Action(StrEnum):
    REMOVE = "remove"
    FLAG = "flag"
    REPLACE = "replace"


class Scope(StrEnum):
    LINE = "line"
    PARAGRAPH = "paragraph"
    SENTENCE = "sentence"
    TEXT = "text"


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class Extraction:
    """How an article was extracted from an HTML page (``cleaner.extract``).

    ``dropped`` lists the page's text blocks that extraction left out (at most a
    few hundred; ``dropped_count`` and ``dropped_chars`` are exact).
    """

    extractor: str
    page_sha256: str
    page_length: int
    page_text_length: int
    site_name: str | None = None
    hostname: str | None = None
    dropped: tuple[str, ...] = ()
    dropped_count: int = 0
    dropped_chars: int = 0


@dataclass(frozen=True)
class Article:
    """One article as read from disk or from a scraper record, before any change.

    ``text`` is the decoded original input the offsets refer to. ``body_start`` is
    where the body begins (after the title line of a ``.txt`` file, 0 otherwise).
    """

    source: str
    text: str
    title: str | None = None
    author: str | None = None
    url: str | None = None
    date: str | None = None
    body_start: int = 0
    title_span: Span | None = None
    encoding: str = "utf-8"
    sha256: str = ""
    record: dict[str, Any] | None = None
    text_field: str | None = None
    extraction: Extraction | None = None  # set when the text was extracted from an HTML page


@dataclass(frozen=True)
class Segment:
    """A title, paragraph, line or sentence of the normalized text (``start``/``end`` normalized)."""

    kind: Scope | str
    start: int
    end: int
    text: str
    index: int


@dataclass(frozen=True)
class Hit:
    """What a check reports, in normalized-text offsets; the detect stage turns it into a Finding."""

    start: int
    end: int
    message: str | None = None
    replacement: str | None = None
    signals: tuple[str, ...] = ()
    data: dict[str, Any] | None = None
    rule: str | None = None  # a sub-rule id, e.g. "languagetool.EN_A_VS_AN" (default: the rule's own)
    severity: Severity | None = None  # overrides the rule's severity for this hit
    action: Action | None = None  # overrides the rule's action for this hit


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    action: Action
    start: int
    end: int
    line: int
    column: int
    message: str
    excerpt: str
    replacement: str | None = None
    scope: str = "text"
    signals: tuple[str, ...] = ()
    applied: bool = False
    data: dict[str, Any] | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True)
class Edit:
    """One change to the original: ``original[start:end]`` becomes ``replacement``.

    ``removed`` keeps the original text so the cleaned copy plus the edits
    reconstructs the input exactly (see ``cleaner.clean.reconstruct``).
    """

    start: int
    end: int
    removed: str
    replacement: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Byline:
    declared: tuple[str, ...] = ()
    credited: tuple[str, ...] = ()
    agency: tuple[str, ...] = ()
    mismatch: bool = False
    declared_source: str | None = None
    dateline: str | None = None  # "WILMINGTON, Del." of an AP-style dateline opening the story


@dataclass(frozen=True)
class Readability:
    flesch_reading_ease: float
    flesch_kincaid_grade: float
    sentences: int
    words: int


@dataclass(frozen=True)
class ArticleResult:
    article: Article
    findings: tuple[Finding, ...]
    edits: tuple[Edit, ...]
    cleaned: str
    byline: Byline
    readability_before: Readability | None
    readability_after: Readability | None
    notes: tuple[str, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.severity.value] = out.get(f.severity.value, 0) + 1
        return out
