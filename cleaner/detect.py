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
from functools import lru_cache, partial

import ahocorasick

from cleaner import patterns
from cleaner.checks.registry import GrammarService
from cleaner.model import Action, Finding, Hit, Scope, Segment, Severity
from cleaner.normalize import OffsetMap
from cleaner.patterns import PatternTimeout, time_limit
from cleaner.rules import Rule
from cleaner.segment import Document
from cleaner.spans import SpanSet

_EDGE_JUNK = " \t\r\n•·*-–—|>»«:.,;!?()[]{}\"'“”‘’"
EXCERPT_CHARS = 80
TIMEOUT_RULE = "cleaner.rule-timeout"


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
    pattern = rule.pattern
    assert pattern is not None
    # A shipped pattern runs directly: the per-line cost of the time-limit wrapper would be paid for nothing.
    finditer = partial(patterns.finditer, pattern) if patterns.bounded(pattern) else pattern.finditer
    for seg in segments:
        for m in finditer(seg.text):
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


def _bounded(rule: Rule, segments: Sequence[Segment]) -> list[Hit] | None:
    """The hits of one pattern rule, or None when it ran out of time on this article."""
    if not patterns.bounded(rule.pattern):
        return list(_pattern_hits(rule, segments))
    try:
        with time_limit():
            return list(_pattern_hits(rule, segments))
    except PatternTimeout:
        return None


def _candidates(combined: patterns.Pattern, segments: Sequence[Segment]) -> list[Segment] | None:
    """The segments the pre-filter matches, or None when it ran out of time."""
    try:
        with time_limit():
            return [seg for seg in segments if patterns.search(combined, seg.text) is not None]
    except PatternTimeout:
        return None


class ScanPlan:
    """All pattern and phrase rules of a rule set, compiled for few passes over the text.

    Per scope, the phrase lists matched ``anywhere`` or at ``line-start`` share one
    Aho-Corasick automaton (one pass per segment instead of one per rule), and the
    regular expressions share one alternation used as a pre-filter: a segment
    none of them matches (most lines) costs one search instead of one per rule;
    only segments it matches are searched rule by rule, so every rule still finds
    exactly what it found alone, overlaps included. Patterns with back-references
    (their group numbers would shift) or global inline flags (they would apply to
    every branch) stay out of the alternation. Each rule has its own time limit
    per article (``cleaner.patterns``); ``run`` names the rules that ran out, and
    takes them out of the alternation for the rest of the run, so one slow rule
    does not make the pre-filter slow for every later article.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self.indexes = {id(r): i for i, r in enumerate(self.rules)}
        by_scope: dict[Scope, list[int]] = {}
        for i, rule in enumerate(self.rules):
            if rule.enabled and rule.check is None:
                by_scope.setdefault(rule.scope, []).append(i)
        self.scopes = by_scope
        # (scope, time-limited?) -> (alternation, its rules): shipped and user patterns use different engines
        self.prefilters: dict[tuple[Scope, bool], tuple[patterns.Pattern, tuple[int, ...]]] = {}
        self.alone: dict[Scope, tuple[int, ...]] = {}
        self.automata: dict[Scope, tuple[ahocorasick.Automaton | None, tuple[int, ...]]] = {}
        for scope, members in by_scope.items():
            pattern_rules = [i for i in members if self.rules[i].pattern is not None]
            for bounded in (False, True):
                self._join(scope, bounded, [i for i in pattern_rules if self._joinable(i)
                                            and patterns.bounded(self.rules[i].pattern) == bounded])
            joined = {i for bounded in (False, True) for i in self.prefilters.get((scope, bounded), (None, ()))[1]}
            self.alone[scope] = tuple(i for i in pattern_rules if i not in joined)
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

    def _joinable(self, i: int) -> bool:
        pattern = self.rules[i].pattern
        return pattern is not None and not _BACKREF.search(pattern.pattern) and not patterns.has_global_flags(pattern)

    def _join(self, scope: Scope, bounded: bool, joinable: Sequence[int]) -> None:
        """Set (or drop) the alternation of ``joinable``; rules left out of it scan alone."""
        self.prefilters.pop((scope, bounded), None)
        if len(joinable) < 2:
            return
        parts = [f"(?{'i' if p.flags & patterns.IGNORECASE else '-i'}:{p.pattern})"
                 for p in (self.rules[i].pattern for i in joinable) if p is not None]
        try:
            combined = patterns.compile_pattern("|".join(parts), trusted=not bounded)
        except patterns.error:  # two parts that only fail together: scan them one by one
            return
        self.prefilters[(scope, bounded)] = (combined, tuple(joinable))

    def run(self, doc: Document, timeouts: set[int] | None = None) -> dict[int, list[Hit]]:
        """The hits of every pattern and phrase rule, by rule index; the index of a rule that
        ran out of time is added to ``timeouts`` (its hits here are empty)."""
        out: dict[int, list[Hit]] = {}
        timed_out = timeouts if timeouts is not None else set()
        for scope, members in self.scopes.items():
            segments = doc.segments(scope)
            alone = self.alone[scope]
            for i in members:
                rule = self.rules[i]
                if rule.phrases and rule.phrase_mode == "line":
                    out[i] = list(_phrase_hits(rule, segments))
                elif rule.pattern is not None and i in alone:
                    self._scan(i, segments, out, timed_out)
            for bounded in (False, True):
                if (scope, bounded) in self.prefilters:
                    self._prefiltered(scope, bounded, segments, out, timed_out)
            auto, phrased = self.automata[scope]
            if auto is not None:
                for i in phrased:
                    out[i] = []
                self._phrases(auto, segments, out)
        return out

    def _scan(self, i: int, segments: Sequence[Segment], out: dict[int, list[Hit]], timed_out: set[int]) -> bool:
        """Scan one pattern rule; False when it ran out of time."""
        hits = _bounded(self.rules[i], segments)
        out[i] = hits or []
        if hits is None:
            timed_out.add(i)
        return hits is not None

    def _prefiltered(self, scope: Scope, bounded: bool, segments: Sequence[Segment], out: dict[int, list[Hit]],
                     timed_out: set[int]) -> None:
        """Scan the rules of one alternation on the segments it matches (on all, if it ran out of time)."""
        combined, filtered = self.prefilters[(scope, bounded)]
        candidates = _candidates(combined, segments)
        slow = {i for i in filtered if not self._scan(i, segments if candidates is None else candidates, out, timed_out)}
        if candidates is not None:
            return
        # From now on the slow rules scan alone, so the alternation stays fast for later articles;
        # with no culprit alone, the alternation itself is slow and is dropped.
        self._join(scope, bounded, [i for i in filtered if i not in (slow or set(filtered))])
        joined = self.prefilters.get((scope, bounded), (None, ()))[1]
        self.alone[scope] += tuple(i for i in filtered if i not in joined)

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


def _check_hits(rule: Rule, doc: Document, grammar: GrammarService | None) -> list[Hit] | None:
    """A check's hits, or None when the patterns of its parameters ran out of time on this article."""
    try:
        with time_limit():
            return list(rule_hits(rule, doc, grammar))
    except PatternTimeout:
        return None


def timeout_finding(rule: Rule) -> Finding:
    """A warning at the start of the article: ``rule`` was stopped there, so its findings are missing."""
    return Finding(
        rule=TIMEOUT_RULE, category="cleaner", severity=Severity.WARNING, action=Action.FLAG,
        start=0, end=0, line=1, column=1, excerpt="", scope=Scope.TEXT.value,
        message=(f"Rule '{rule.id}' ({rule.path}:{rule.line}) was stopped after {patterns.TIME_LIMIT:g} s on this "
                 "article and reports nothing here; simplify its pattern (a repeat of overlapping choices, such as "
                 "(a|aa)+, can backtrack without end)."),
        data={"rule": rule.id, "path": rule.path, "line": rule.line, "seconds": patterns.TIME_LIMIT},
    )


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
    timeouts: set[int] = set()
    scanned = plan.run(doc, timeouts)  # pattern and phrase hits do not depend on what was removed

    def collect(rule: Rule, view: Document, removed_spans: SpanSet) -> None:
        index = plan.indexes.get(id(rule))
        hits = scanned[index] if index is not None and index in scanned else _check_hits(rule, view, grammar)
        if hits is None or index in timeouts:
            # A rule that ran out of time is reported; its partial hits would be arbitrary, so none are kept.
            found[(TIMEOUT_RULE + ":" + rule.id, 0, 0)] = timeout_finding(rule)
            return
        for raw in hits:
            hit = _expand(raw, view, rule.expand)
            if rule.action is Action.REMOVE:
                removed.append((hit.start, hit.end))
            elif rule.scope is not Scope.TEXT and removed_spans.covers(hit.start, hit.end):
                continue
            finding = locator.finding(rule, hit)
            # Two removal rules on the same span are one defect: the first rule names it.
            key = ("", finding.start, finding.end) if rule.action is Action.REMOVE else (finding.rule, finding.start, finding.end)
            found.setdefault(key, finding)

    for rule in enabled:
        if rule.action is Action.REMOVE:
            collect(rule, doc, SpanSet())
    after_removal = dataclasses.replace(doc, removed=tuple(removed))
    removed_spans = SpanSet(removed)
    for rule in enabled:
        if rule.action is not Action.REMOVE:
            collect(rule, after_removal, removed_spans)
    return sorted(found.values(), key=lambda f: (f.start, -f.end, f.rule))
