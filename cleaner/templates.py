"""Site templates: lines that recur across many scrapes of the same site are its boilerplate.

A batch of scrapes from one domain shares the site's template: menus, footers,
"Follow us" lines, legal notices, newsletter prompts. Over the batch, a line that
appears in several different articles of the same domain is template text,
whatever it looks like. This needs two passes: ``recurring_lines`` (or
``TemplateMemory.build``) reads every article first and keeps, per domain, the
fingerprints of recurring lines; then each article is cleaned with one extra
rule (``TemplateMemory.rule_for``) that removes its lines with those fingerprints.

Fingerprints are short hashes of the case-folded, space-collapsed line with
digits masked (so "Updated 10:48" and "Updated 11:05" match), so the memory is
small and holds no article text. Re-scrapes and near-copies of one article
(sharing most of their lines) count once, so an article scraped twice does not
turn its own paragraphs into "template".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cleaner.checks.registry import Check
from cleaner.model import Action, Hit, Scope, Severity
from cleaner.rules import Examples, Rule
from cleaner.segment import Document

_DIGITS = re.compile(r"\d+")
_EDGE = " \t•·*-–—|>»«:.,;!?()[]{}\"'“”‘’"


def domain_of(url: str | None) -> str | None:
    """The site a URL belongs to: its host, lower case, without ``www.`` and port.

    >>> domain_of("https://www.Example.com:443/news/a.html"), domain_of("not a url")
    ('example.com', None)
    """
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


def line_fingerprint(line: str) -> str | None:
    """A short, stable hash of a line for template matching; None for lines with no word character.

    >>> line_fingerprint("Updated: 10:48, Tue") == line_fingerprint(" updated: 11:05,  TUE ")
    True
    """
    folded = " ".join(unicodedata.normalize("NFKC", line).split()).casefold().strip(_EDGE)
    if not any(c.isalnum() for c in folded):
        return None
    return hashlib.blake2b(_DIGITS.sub("0", folded).encode("utf-8"), digest_size=8).hexdigest()


def _fingerprints(text: str, long_words: int) -> tuple[set[str], set[str]]:
    """All line fingerprints of a text, and those of its long lines (prose, where copies show)."""
    every, long = set(), set()
    for line in text.splitlines():
        fp = line_fingerprint(line)
        if fp is not None:
            every.add(fp)
            if len(line.split()) >= long_words:
                long.add(fp)
    return every, long


def recurring_lines(articles: Iterable[tuple[str | None, str]], *, min_articles: int = 2,
                    min_share: float = 0.0, duplicate_overlap: float = 0.5,
                    long_words: int = 8) -> dict[str, frozenset[str]]:
    """Per domain, the fingerprints of lines found in at least ``min_articles`` distinct articles.

    ``articles`` yields ``(url, text)`` pairs; articles without a usable URL are
    skipped. A line must also be in at least ``min_share`` of the domain's
    distinct articles. An article sharing more than ``duplicate_overlap`` of its
    long lines (``long_words`` words or more) with an earlier article of the
    domain is a copy of it and not counted: the template is most of a page's
    short lines, but copies share their prose.
    """
    by_domain: dict[str, list[set[str]]] = defaultdict(list)
    long_lines: dict[str, list[set[str]]] = defaultdict(list)
    for url, text in articles:
        domain = domain_of(url)
        if domain is None:
            continue
        fps, long = _fingerprints(text, long_words)
        if fps and not any(_overlap(long, seen) > duplicate_overlap for seen in long_lines[domain]):
            by_domain[domain].append(fps)
            long_lines[domain].append(long)
    out: dict[str, frozenset[str]] = {}
    for domain, docs in by_domain.items():
        if len(docs) < min_articles:
            continue
        counts = Counter(fp for fps in docs for fp in fps)
        need = max(min_articles, min_share * len(docs))
        recurring = frozenset(fp for fp, n in counts.items() if n >= need)
        if recurring:
            out[domain] = recurring
    return out


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _template_lines(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    wanted = params["fingerprints"]
    for line in doc.lines:
        if line.text.strip() and line_fingerprint(line.text) in wanted:
            yield Hit(line.start, line.end, signals=("site-template",))


SITE_TEMPLATE = Check("site_template", _template_lines, {"fingerprints": frozenset()},
                      "Lines that recur across scrapes of the same site.")


@dataclass(frozen=True)
class TemplateMemory:
    """What a first pass over a batch learned: recurring line fingerprints per domain."""

    domains: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, articles: Iterable[tuple[str | None, str]], **options: Any) -> TemplateMemory:
        """First pass: ``articles`` yields ``(url, text)``; options go to ``recurring_lines``."""
        return cls(recurring_lines(articles, **options))

    def fingerprints_for(self, url: str | None) -> frozenset[str]:
        domain = domain_of(url)
        return self.domains.get(domain, frozenset()) if domain else frozenset()

    def rule_for(self, url: str | None) -> Rule | None:
        """Second pass: the extra removal rule for an article from ``url`` (None if its site has no template)."""
        fingerprints = self.fingerprints_for(url)
        if not fingerprints:
            return None
        return Rule(
            id="boilerplate.site-template", category="boilerplate", severity=Severity.WARNING,
            action=Action.REMOVE, scope=Scope.LINE, path="<site templates>", line=0,
            message="Line '{match}' recurs across scrapes of this site: template, not article.",
            description="Found by a first pass over the batch (cleaner.templates).",
            check=SITE_TEMPLATE, params={"fingerprints": fingerprints},
            examples=Examples(match=("",)), fix_title="Remove the line",
        )
