"""Stable fingerprints of findings: what decisions and baselines refer to.

A finding's offsets change as soon as anything before it changes, so reviews and
baselines name findings by what they are instead: the rule, the matched text and
a little context on each side, all normalized (Unicode NFKC, case-folded, runs of
whitespace made one space). Re-running cleaner on the same scrape gives the same
fingerprints; so does a re-scrape where only other parts of the page changed.
Two findings that would still collide (the same boilerplate line twice, in the
same surroundings) are told apart by their order: ``…-2``, ``…-3``.

>>> from cleaner.model import Action, Finding, Severity
>>> text = "Story.\\nRelated Articles\\nMore story.\\n"
>>> f = Finding("boilerplate.site-chrome", "boilerplate", Severity.ERROR, Action.REMOVE,
...             7, 23, 2, 1, "m", "Related Articles")
>>> fingerprint(f.rule, text, f.start, f.end) == fingerprint(f.rule, "  " + text, 9, 25)
True
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence

from cleaner.model import ArticleResult, Finding

CONTEXT_CHARS = 24  # normalized characters of context kept on each side
FINGERPRINT_CHARS = 16  # hex digits: 64 bits, ample for the findings of one article


def normalize_for_fingerprint(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: what a fingerprint sees of a text.

    >>> normalize_for_fingerprint("  Related\\u00a0ARTICLES \\n")
    'related articles'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fingerprint(rule: str, text: str, start: int, end: int) -> str:
    """The fingerprint of a ``rule`` finding on ``text[start:end]`` (without the occurrence suffix)."""
    matched = normalize_for_fingerprint(text[start:end])
    # Take generously from the raw text, then trim after normalizing, so the
    # context is a fixed number of normalized characters whatever the spacing.
    before = normalize_for_fingerprint(text[max(0, start - 4 * CONTEXT_CHARS):start])[-CONTEXT_CHARS:]
    after = normalize_for_fingerprint(text[end:end + 4 * CONTEXT_CHARS])[:CONTEXT_CHARS]
    key = "\x1f".join((rule, matched, before, after))
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:FINGERPRINT_CHARS]


def fingerprint_all(findings: Sequence[Finding], text: str) -> tuple[str, ...]:
    """Fingerprints of ``findings`` (in their order), made unique with ``-2``, ``-3`` … suffixes."""
    seen: dict[str, int] = {}
    out = []
    for f in sorted(range(len(findings)), key=lambda i: (findings[i].start, findings[i].end, i)):
        base = fingerprint(findings[f].rule, text, findings[f].start, findings[f].end)
        seen[base] = seen.get(base, 0) + 1
        out.append((f, base if seen[base] == 1 else f"{base}-{seen[base]}"))
    return tuple(fp for _, fp in sorted(out))


def result_fingerprints(result: ArticleResult) -> tuple[str, ...]:
    """The fingerprint of every finding of ``result``, in ``result.findings`` order."""
    return fingerprint_all(result.findings, result.article.text)
