"""The pipeline: read → normalize → segment → detect → decide → clean → report.

This is the only module that knows the order of the stages. ``clean_article``
is the library entry point the CLI calls for every article.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cleaner.checks.byline import analyze as analyze_byline
from cleaner.checks.readability import measure
from cleaner.checks.registry import GrammarService
from cleaner.clean import OriginalOffsets, apply_edits, cleaned_offset, rewrite, tidy
from cleaner.decide import decide
from cleaner.detect import EXCERPT_CHARS, Locator, detect
from cleaner.languagetool.errors import GrammarRequestError, GrammarUnavailable
from cleaner.model import Article, ArticleResult, Byline, Edit, Finding, Span
from cleaner.normalize import normalize
from cleaner.read import article_from_text
from cleaner.rules import Rule, load_rules, rules_for_url
from cleaner.segment import Document, segment


class Pipeline:
    """Everything a run needs, built once: the rules and, optionally, a grammar service.

    If the grammar service fails mid-run (the LanguageTool server died), the run
    goes on without grammar and every later result says so in its notes.
    """

    def __init__(self, rules: Sequence[Rule], grammar: GrammarService | None = None) -> None:
        self.rules = tuple(rules)
        self.grammar = grammar
        self.grammar_lost: str | None = None

    @classmethod
    def load(cls, rule_paths: Sequence[Path] = (), *, defaults: bool = True,
             grammar: GrammarService | None = None) -> Pipeline:
        return cls(load_rules(rule_paths, defaults=defaults), grammar)

    def clean(self, article: Article) -> ArticleResult:
        notes: list[str] = []
        rules = rules_for_url(self.rules, article.url)  # site-scoped rules apply to their sites only
        if self.grammar is not None:
            try:
                return clean_article(article, rules, self.grammar)
            except GrammarUnavailable as exc:
                self.grammar = None
                self.grammar_lost = f"grammar checking stopped during this run ({exc}); no grammar findings from here on"
            except GrammarRequestError as exc:
                notes.append(f"grammar checking failed for this article ({exc}); it has no grammar findings")
        if self.grammar_lost:
            notes.append(self.grammar_lost)
        return clean_article(article, rules, notes=tuple(notes))


def languagetool_options(rules: Sequence[Rule]) -> dict[str, Any]:
    """The LanguageTool request options the rule files set (language, disabled rules, picky, …)."""
    for rule in rules:
        if rule.enabled and rule.check is not None and rule.check.name == "languagetool":
            params = {**rule.check.params, **rule.params}
            return {key: params[key] for key in ("language", "disabled_rules", "enabled_rules",
                                                 "disabled_categories", "enabled_categories", "picky")}
    return {}


def prepare(article: Article) -> tuple[Document, Locator]:
    """Normalize and segment an article; the locator maps normalized offsets back to the original."""
    norm = normalize(article.text)
    to_norm = norm.offsets.to_normalized
    title = (to_norm(article.title_span.start), to_norm(article.title_span.end)) if article.title_span else None
    repairs = tuple(
        (nstart, nstart + len(r.after), r.before, r.after)
        for r, nstart in zip(norm.offsets.repairs, norm.offsets.norm_starts, strict=True)
    )
    doc = segment(norm.text, to_norm(article.body_start), title, repairs, article.author)
    return doc, Locator.build(article.text, norm.offsets)


def _wants_grammar(rules: Sequence[Rule]) -> bool:
    return bool(languagetool_options(rules))


def _byline(doc: Document, rules: Sequence[Rule]) -> Byline:
    for rule in rules:
        if rule.enabled and rule.check is not None and rule.check.name == "byline_mismatch":
            return analyze_byline(doc, {**rule.check.params, **rule.params})[0]
    return Byline()


SETTLE_PASSES = 3  # later passes that may find more; one is nearly always enough


def _settle(article: Article, rules: Sequence[Rule], findings: list[Finding],
            edits: tuple[Edit, ...]) -> tuple[list[Finding], tuple[Edit, ...]]:
    """Clean the cleaned copy again until nothing more is applied, so cleaning is idempotent.

    A removal can leave text a rule removes on a second look (a sentence that, once its duplicate is
    gone, repeats the title). What a later pass applies is folded into the edits and findings in
    ORIGINAL offsets, so the edits still rebuild the input.
    """
    for _ in range(SETTLE_PASSES):
        cleaned = apply_edits(article.text, edits)
        again = dataclasses.replace(article, text=cleaned, body_start=cleaned_offset(edits, article.body_start),
                                    title_span=_moved(article.title_span, edits))
        doc, locator = prepare(again)
        more, more_edits = decide(detect(doc, rules, locator, None), cleaned)
        if not more_edits:
            # What the settled copy is flagged for once cleaning has changed a line's neighbours
            # (a line-shape verdict, say) belongs to this run too: a second run must not raise it anew.
            seen = {(f.rule, f.start, f.end) for f in findings}
            back = _Back(article.text, edits)
            findings = findings + [f for f in map(back, more) if (f.rule, f.start, f.end) not in seen]
            break
        # Map with the edits that made this pass's text, before folding its own edits in.
        back = _Back(article.text, edits)
        findings = findings + [back(f) for f in more if f.applied]
        for e in reversed(more_edits):  # right to left: earlier cleaned offsets stay valid
            edits = rewrite(article.text, edits, e.start, e.end, e.replacement, e.rules)
        edits = tidy(article.text, edits, article.body_start)
    return findings, edits


def _moved(span: Span | None, edits: Sequence[Edit]) -> Span | None:
    return None if span is None else Span(cleaned_offset(edits, span.start), cleaned_offset(edits, span.end))


class _Back:
    """Moves findings of a later pass (offsets into that pass's text) to the original input."""

    def __init__(self, original: str, edits: Sequence[Edit]) -> None:
        self.original = original
        self.offset = OriginalOffsets(edits)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", original)]

    def __call__(self, f: Finding) -> Finding:
        start = self.offset(f.start)
        end = max(self.offset(f.end, end=True), start)
        line = bisect.bisect_right(self.line_starts, start)
        excerpt = self.original[start:end]
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[: EXCERPT_CHARS - 1] + "…"
        return dataclasses.replace(f, start=start, end=end, line=line,
                                   column=start - self.line_starts[line - 1] + 1, excerpt=excerpt)


def clean_article(article: Article, rules: Sequence[Rule], grammar: GrammarService | None = None,
                  notes: tuple[str, ...] = ()) -> ArticleResult:
    """Audit and clean one article with ``rules`` (and grammar checking when a service is given)."""
    doc, locator = prepare(article)
    findings, edits = decide(detect(doc, rules, locator, grammar), article.text)
    edits = tidy(article.text, edits, article.body_start)
    if edits:
        findings, edits = _settle(article, rules, findings, edits)
    cleaned = apply_edits(article.text, edits)
    body_after = cleaned[cleaned_offset(edits, article.body_start):]
    return ArticleResult(
        article=article, findings=tuple(findings), edits=edits, cleaned=cleaned,
        byline=_byline(doc, rules),
        notes=notes or (() if grammar is not None or not _wants_grammar(rules) else
                        ("grammar checking was off for this run",)),
        readability_before=measure(doc.text[doc.body_start:]), readability_after=measure(body_after),
    )


def clean_text(text: str, *, source: str = "<text>", has_title: bool = True,
               rules: Sequence[Rule] | None = None) -> ArticleResult:
    """Convenience for library users: clean a plain-text article with the default rules.

    >>> clean_text("Title\\n\\nStory text.\\n\\nBack to top button\\n").cleaned
    'Title\\n\\nStory text.\\n'
    """
    return clean_article(article_from_text(text, source, has_title=has_title),
                         rules if rules is not None else load_rules())
