"""Detect stage: run every enabled rule over the segmented document and collect findings.

Rules match the normalized text; each hit is mapped back to ORIGINAL offsets
here, so nothing downstream ever sees a normalized offset.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from cleaner.checks.registry import GrammarService
from cleaner.model import Action, Finding, Hit, Scope, Segment
from cleaner.normalize import OffsetMap
from cleaner.rules import Rule
from cleaner.segment import Document

_EDGE_JUNK = " \t\r\n•·*-–—|>»«:.,;!?()[]{}\"'“”‘’"
EXCERPT_CHARS = 80


def fold_phrase(text: str) -> str:
    """How phrase lists compare lines: case-folded, single-spaced, without edge punctuation.

    >>> fold_phrase("  » Related  Articles:")
    'related articles'
    """
    return " ".join(text.strip(_EDGE_JUNK).split()).casefold()


@lru_cache(maxsize=512)
def _phrase_set(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold_phrase(p) for p in phrases)


@lru_cache(maxsize=512)
def _automaton(phrases: tuple[str, ...]) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for phrase in _phrase_set(phrases):
        auto.add_word(phrase, len(phrase))
    auto.make_automaton()
    return auto


def _is_word_edge(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def _phrase_hits(rule: Rule, segments: Sequence[Segment]) -> Iterator[Hit]:
    if rule.phrase_mode == "line":
        wanted = _phrase_set(rule.phrases)
        for seg in segments:
            if seg.text.strip() and fold_phrase(seg.text) in wanted:
                yield Hit(seg.start, seg.end)
        return
    auto = _automaton(rule.phrases)
    for seg in segments:
        folded = seg.text.casefold()
        if len(folded) != len(seg.text):  # casefold changed lengths (ß → ss): fall back to lower()
            folded = seg.text.lower()
        lead = len(folded) - len(folded.lstrip(_EDGE_JUNK))
        for end, length in auto.iter(folded):
            start = end + 1 - length
            if not _is_word_edge(folded, start, end + 1):
                continue
            if rule.phrase_mode == "line-start":
                if start == lead:
                    yield Hit(seg.start, seg.end)
                    break
            else:
                yield Hit(seg.start + start, seg.start + end + 1)


def _pattern_hits(rule: Rule, segments: Sequence[Segment]) -> Iterator[Hit]:
    assert rule.pattern is not None
    for seg in segments:
        for m in rule.pattern.finditer(seg.text):
            if m.end() > m.start():
                replacement = m.expand(rule.replacement) if rule.replacement is not None else None
                yield Hit(seg.start + m.start(), seg.start + m.end(), replacement=replacement)


def rule_hits(rule: Rule, doc: Document, grammar: GrammarService | None = None) -> Iterator[Hit]:
    """The raw hits of one rule, in normalized offsets."""
    if rule.check is not None:
        yield from rule.check.run(doc, rule.params, grammar)
    elif rule.pattern is not None:
        yield from _pattern_hits(rule, doc.segments(rule.scope))
    else:
        yield from _phrase_hits(rule, doc.segments(rule.scope))


_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


class ScanPlan:
    """All pattern and phrase rules of a rule set, compiled for few passes over the text.

    Per scope, the phrase lists matched ``anywhere`` or at ``line-start`` share one
    Aho-Corasick automaton (one pass per segment instead of one per rule), and the
    regular expressions share one alternation used as a pre-filter: a segment
    none of them matches (most lines) costs one search instead of one per rule;
    only segments it matches are searched rule by rule, so every rule still finds
    exactly what it found alone, overlaps included. Patterns with back-references
    (their group numbers would shift) stay out of the alternation.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self.indexes = {id(r): i for i, r in enumerate(self.rules)}
        by_scope: dict[Scope, list[int]] = {}
        for i, rule in enumerate(self.rules):
            if rule.enabled and rule.check is None:
                by_scope.setdefault(rule.scope, []).append(i)
        self.scopes = by_scope
        self.prefilters: dict[Scope, tuple[re.Pattern[str] | None, tuple[int, ...], tuple[int, ...]]] = {}
        self.automata: dict[Scope, tuple[ahocorasick.Automaton | None, tuple[int, ...]]] = {}
        for scope, members in by_scope.items():
            patterns = [i for i in members if self.rules[i].pattern is not None]
            joinable = [i for i in patterns if not _BACKREF.search(self.rules[i].pattern.pattern)]  # type: ignore[union-attr]
            combined = None
            if len(joinable) > 1:
                parts = [f"(?{'i' if self.rules[i].pattern.flags & re.IGNORECASE else '-i'}:"  # type: ignore[union-attr]
                         f"{self.rules[i].pattern.pattern})" for i in joinable]  # type: ignore[union-attr]
                try:
                    combined = re.compile("|".join(parts))
                except re.error:  # e.g. the same group name in two rules: scan them one by one
                    combined = None
            filtered = tuple(joinable) if combined is not None else ()
            self.prefilters[scope] = (combined, filtered, tuple(i for i in patterns if i not in filtered))
            phrased = [i for i in members if self.rules[i].phrases and self.rules[i].phrase_mode != "line"]
            auto = None
            if phrased:
                auto = ahocorasick.Automaton()
                entries: dict[str, list[tuple[int, int]]] = {}
                for i in phrased:
                    for phrase in _phrase_set(self.rules[i].phrases):
                        entries.setdefault(phrase, []).append((i, len(phrase)))
                for phrase, owners in entries.items():
                    auto.add_word(phrase, tuple(owners))
                auto.make_automaton()
            self.automata[scope] = (auto, tuple(phrased))

    def run(self, doc: Document) -> dict[int, list[Hit]]:
        """The hits of every pattern and phrase rule, by rule index."""
        out: dict[int, list[Hit]] = {}
        for scope, members in self.scopes.items():
            segments = doc.segments(scope)
            combined, filtered, alone = self.prefilters[scope]
            for i in members:
                rule = self.rules[i]
                if rule.phrases and rule.phrase_mode == "line":
                    out[i] = list(_phrase_hits(rule, segments))
                elif rule.pattern is not None and i in alone:
                    out[i] = list(_pattern_hits(rule, segments))
            if combined is not None:
                for i in filtered:
                    out[i] = []
                for seg in segments:
                    if combined.search(seg.text) is None:
                        continue
                    for i in filtered:
                        out[i].extend(_pattern_hits(self.rules[i], (seg,)))
            auto, phrased = self.automata[scope]
            if auto is not None:
                for i in phrased:
                    out[i] = []
                self._phrases(auto, segments, out)
        return out

    def _phrases(self, auto: ahocorasick.Automaton, segments: Sequence[Segment], out: dict[int, list[Hit]]) -> None:
        for seg in segments:
            folded = seg.text.casefold()
            if len(folded) != len(seg.text):  # casefold changed lengths (ß → ss): fall back to lower()
                folded = seg.text.lower()
            lead = len(folded) - len(folded.lstrip(_EDGE_JUNK))
            done: set[int] = set()
            for end, owners in auto.iter(folded):
                for i, length in owners:
                    start = end + 1 - length
                    if i in done or not _is_word_edge(folded, start, end + 1):
                        continue
                    if self.rules[i].phrase_mode == "line-start":
                        if start == lead:
                            out[i].append(Hit(seg.start, seg.end))
                            done.add(i)
                    else:
                        out[i].append(Hit(seg.start + start, seg.start + end + 1))


_PLANS: dict[tuple[int, ...], ScanPlan] = {}


def scan_plan(rules: Sequence[Rule]) -> ScanPlan:
    """The compiled plan of a rule set, built once per set (a run uses one)."""
    key = tuple(id(r) for r in rules)
    plan = _PLANS.get(key)  # the plan holds the rules, so their ids cannot be reused while it is cached
    if plan is None:
        if len(_PLANS) > 32:
            _PLANS.clear()
        plan = _PLANS[key] = ScanPlan(rules)
    return plan


def _expand(hit: Hit, doc: Document, expand: str) -> Hit:
    """Widen a hit to the line, sentence or paragraph (or run of them) it falls in."""
    if expand == "none":
        return hit
    units = doc.segments(Scope(expand))
    starts = doc.starts(Scope(expand))
    i = bisect.bisect_right(starts, hit.start) - 1
    if i < 0 or units[i].end < hit.start:
        return hit  # between units (a blank line): nothing to widen to
    j = max(bisect.bisect_left(starts, hit.end) - 1, i)
    return dataclasses.replace(hit, start=units[i].start, end=max(units[j].end, hit.end))


@dataclass(frozen=True)
class Locator:
    """Turns normalized hits into original offsets and 1-based line/column."""

    original: str
    offsets: OffsetMap
    line_starts: tuple[int, ...]

    @classmethod
    def build(cls, original: str, offsets: OffsetMap) -> Locator:
        starts = [0] + [m.end() for m in re.finditer("\n", original)]
        return cls(original, offsets, tuple(starts))

    def line_col(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.line_starts, pos) - 1
        return i + 1, pos - self.line_starts[i] + 1

    def finding(self, rule: Rule, hit: Hit) -> Finding:
        start = self.offsets.to_original(hit.start)
        end = max(start, self.offsets.to_original(hit.end, end=True))
        excerpt = self.original[start:end]
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[: EXCERPT_CHARS - 1] + "…"
        message = hit.message or rule.message
        if "{match}" in message:
            message = message.replace("{match}", " ".join(excerpt.split()))
        line, column = self.line_col(start)
        return Finding(
            rule=hit.rule or rule.id, category=rule.category, severity=hit.severity or rule.severity,
            action=hit.action or rule.action,
            start=start, end=end, line=line, column=column, message=message, excerpt=excerpt,
            replacement=hit.replacement if hit.replacement is not None else rule.replacement,
            scope=rule.scope.value, signals=hit.signals, data=hit.data,
        )


def _inside(spans: Sequence[tuple[int, int]], hit: Hit) -> bool:
    return any(a <= hit.start and hit.end <= b for a, b in spans)


def detect(doc: Document, rules: Iterable[Rule], locator: Locator,
           grammar: GrammarService | None = None) -> list[Finding]:
    """All findings of all enabled rules, sorted by position, duplicates of one rule removed.

    Removal rules run first. The other rules then see the removed spans
    (``doc.removed``): a line, sentence or paragraph finding inside text already
    removed as boilerplate is dropped, and grammar checks only the article text.
    """
    rules = tuple(rules)
    enabled = [r for r in rules if r.enabled]
    removed: list[tuple[int, int]] = []
    found: dict[tuple[str, int, int], Finding] = {}
    plan = scan_plan(rules)
    scanned = plan.run(doc)  # pattern and phrase hits do not depend on what was removed

    def collect(rule: Rule, view: Document) -> None:
        index = plan.indexes.get(id(rule))
        hits = scanned[index] if index is not None and index in scanned else rule_hits(rule, view, grammar)
        for raw in hits:
            hit = _expand(raw, view, rule.expand)
            if rule.action is Action.REMOVE:
                removed.append((hit.start, hit.end))
            elif rule.scope is not Scope.TEXT and _inside(removed, hit):
                continue
            finding = locator.finding(rule, hit)
            # Two removal rules on the same span are one defect: the first rule names it.
            key = ("", finding.start, finding.end) if rule.action is Action.REMOVE else (finding.rule, finding.start, finding.end)
            found.setdefault(key, finding)

    for rule in enabled:
        if rule.action is Action.REMOVE:
            collect(rule, doc)
    after_removal = dataclasses.replace(doc, removed=tuple(removed))
    for rule in enabled:
        if rule.action is not Action.REMOVE:
            collect(rule, after_removal)
    return sorted(found.values(), key=lambda f: (f.start, -f.end, f.rule))
