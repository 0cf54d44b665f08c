"""Grammar: LanguageTool matches on the article text, after boilerplate removal.

The body minus removed spans goes to the server in one request; match offsets
come back into the normalized text through the kept pieces, and the detect stage
maps them to the original. News is full of names a spell checker calls typos
(Isachenkov, Ushakov, Zircon), so spelling matches on capitalised words, and on
words the article itself spells the same way twice, are dropped by default.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cleaner.checks.registry import GrammarService, check
from cleaner.model import Action, Hit, Severity
from cleaner.segment import Document

SPELLING_ISSUE_TYPES = ("misspelling",)


def _to_doc(pieces: Sequence[tuple[int, int]], pos: int) -> int:
    starts = [p[0] for p in pieces]
    i = max(bisect.bisect_right(starts, pos) - 1, 0)
    out_start, doc_start = pieces[i]
    return doc_start + (pos - out_start)


def is_proper_noun_noise(match: Any, word: str, counts: Counter[str]) -> bool:
    """A spelling match on a name or term: capitalised, or spelled the same way elsewhere in the article.

    >>> is_proper_noun_noise(type("M", (), {"issue_type": "misspelling"})(), "Isachenkov", Counter())
    True
    """
    if match.issue_type not in SPELLING_ISSUE_TYPES:
        return False
    return word[:1].isupper() or counts[word] > 1


def grammar_matches(doc: Document, grammar: GrammarService) -> tuple[str, list[tuple[int, int, Any]]]:
    """LanguageTool matches on the kept body, as (start, end, match) in normalized offsets."""
    text, pieces = doc.kept_body()
    if not text.strip():
        return text, []
    out = []
    for m in grammar.check(text):
        start = _to_doc(pieces, m.offset)
        end = _to_doc(pieces, max(m.offset, m.offset + m.length - 1)) + (1 if m.length else 0)
        out.append((start, max(start, end), m))
    return text, out


@check(
    "languagetool",
    needs_grammar=True,
    language="en-US",
    disabled_rules=[],
    enabled_rules=[],
    disabled_categories=[],
    enabled_categories=[],
    picky=False,
    ignore_rules=[],
    ignore_categories=[],
    proper_nouns="skip",
    severity_by_category={},
    severity_by_issue_type={"misspelling": "info", "typographical": "info", "style": "info"},
    max_suggestions=3,
    apply_rules=[],
)
def languagetool(doc: Document, params: Mapping[str, Any], grammar: GrammarService | None) -> Iterator[Hit]:
    """Each LanguageTool match on the article text is a finding ``languagetool.<LT rule id>``."""
    if grammar is None:
        return
    _, matches = grammar_matches(doc, grammar)
    counts = Counter(doc.text[s:e] for s, e, _ in matches)
    ignore_rules, ignore_cats = set(params["ignore_rules"]), set(params["ignore_categories"])
    for start, end, m in matches:
        word = doc.text[start:end]
        if m.rule_id in ignore_rules or m.category in ignore_cats:
            continue
        if params["proper_nouns"] == "skip" and is_proper_noun_noise(m, word, counts):
            continue
        level = params["severity_by_category"].get(m.category) or params["severity_by_issue_type"].get(m.issue_type)
        suggestions = list(m.replacements[: params["max_suggestions"]])
        apply = m.rule_id in params["apply_rules"] and bool(suggestions)
        yield Hit(
            start, end, message=f"{m.message} ({m.category})",
            replacement=suggestions[0] if suggestions else None,
            rule=f"languagetool.{m.rule_id}", severity=Severity(level) if level else None,
            action=Action.REPLACE if apply else None,
            data={"lt_rule": m.rule_id, "lt_category": m.category, "issue_type": m.issue_type,
                  "suggestions": suggestions},
        )
