"""HTML input: a scraped page becomes an article by main-text extraction (trafilatura).

trafilatura finds the article body and the page metadata (title, author, date,
site name, canonical URL). The extracted text IS the article cleaner audits:
every finding's offsets refer to it, not to the HTML source. For a ``.html``
file the text is laid out like a ``.txt`` input (title line, blank line, body
paragraphs separated by blank lines); for an ``html`` field of a JSON/JSONL
record it is the body only, like a record's ``text`` field.

Extraction itself drops page text (menus, share bars, bylines, photo credits…).
``Extraction.dropped`` lists those blocks so the report can show what
extraction left out next to what cleaner removed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from functools import cache
from importlib.metadata import version
from typing import Any

from cleaner.errors import InputError
from cleaner.model import Article, Extraction, Span

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
HTML_FIELDS = ("html", "raw_html", "content_html", "page_html")
MAX_DROPPED = 400  # blocks listed in the report; the count is always exact

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas", "math"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "button", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "label", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section",
    "select", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}


@cache
def _trafilatura() -> Any:
    """Import trafilatura once, quietly: its log warnings are about pages, and we report those ourselves."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    return trafilatura


def extractor_name() -> str:
    return f"trafilatura {version('trafilatura')}"


def page_blocks(html: str) -> list[str]:
    """The visible text of a page, one entry per block element, whitespace collapsed."""
    from lxml import etree
    from lxml import html as lhtml

    try:
        root = lhtml.document_fromstring(html, parser=lhtml.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError):
        return []
    parts: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _SKIP or not tag:
                skipping += 1
            elif not skipping:
                if tag in _BLOCK:
                    parts.append("\n")
                parts.append(el.text or "")
            continue
        if tag in _SKIP or not tag:
            skipping -= 1
        elif not skipping and tag in _BLOCK:
            parts.append("\n")
        if not skipping:
            parts.append(el.tail or "")
    blocks = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [b for b in blocks if b]


def dropped_blocks(blocks: list[str], extracted: str) -> list[str]:
    """Page blocks whose text does not appear in the extracted text (repeats listed once)."""
    kept = " ".join(extracted.split())
    out: list[str] = []
    seen: set[str] = set()
    for block in blocks:
        if block not in kept and block not in seen:
            seen.add(block)
            out.append(block)
    return out


def _layout(body: str) -> str:
    """trafilatura's one-paragraph-per-line text, with blank lines between paragraphs (table rows stay together)."""
    lines = [line.rstrip() for line in body.strip("\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        if out and not (line.lstrip().startswith("|") and out[-1].lstrip().startswith("|")):
            out.append("")
        out.append(line)
    return "\n".join(out)


def extract_article(html: str, source: str, *, url: str | None = None, with_title: bool = True,
                    encoding: str = "utf-8") -> Article:
    """Extract the article of one HTML page; raises ``InputError`` when there is none."""
    from cleaner.read import sha256_of

    trafilatura = _trafilatura()
    if not html.strip():
        raise InputError(source, "is an empty HTML page")
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=True, include_images=False, deduplicate=False)
    except Exception as exc:  # a parser failure on a hostile page is this page's problem only  # noqa: BLE001
        raise InputError(source, f"could not be parsed as HTML ({type(exc).__name__}: {exc})") from None
    body = _layout(doc.text or "") if doc is not None else ""
    if not body.strip():
        raise InputError(source, "is an HTML page with no article text that trafilatura could extract")
    title = " ".join((doc.title or "").split()) or None
    if with_title and title:
        text, span, body_start = f"{title}\n\n{body}\n", Span(0, len(title)), len(title) + 2
    else:
        text, span, body_start = body + "\n", None, 0
    blocks = page_blocks(html)
    dropped = dropped_blocks(blocks, body + "\n" + (title or ""))
    extraction = Extraction(
        extractor=extractor_name(), page_sha256=sha256_of(html), page_length=len(html),
        page_text_length=sum(len(b) for b in blocks), site_name=doc.sitename or None,
        hostname=doc.hostname or None, dropped=tuple(dropped[:MAX_DROPPED]), dropped_count=len(dropped),
        dropped_chars=sum(len(b) for b in dropped),
    )
    return Article(
        source=source, text=text, title=title, author=doc.author or None, url=url or doc.url or None,
        date=doc.date or None, body_start=body_start, title_span=span, encoding=encoding,
        sha256=sha256_of(text), extraction=extraction,
    )


def article_from_html_record(record: Mapping[str, Any], source: str, html_field: str,
                             fields: Any) -> Article:
    """A scraper record that carries the page (``html`` field) instead of its text.

    The record's own title/author/url/date win over the page's metadata; the
    cleaned text goes to the record's ``text`` field, the ``html`` field is kept.
    """
    from cleaner.read import _as_text, _first

    html = record[html_field]
    if not isinstance(html, str):
        raise InputError(source, f"field '{html_field}' is a JSON {type(html).__name__}, not a string of HTML")
    url = _as_text(_first(record, fields.url)[1])
    article = extract_article(html, source, url=url, with_title=False)
    own = {"title": _as_text(_first(record, fields.title)[1]), "author": _as_text(_first(record, fields.author)[1]),
           "date": _as_text(_first(record, fields.date)[1])}
    return dataclasses.replace(
        article, title=own["title"] or article.title, author=own["author"] or article.author,
        date=own["date"] or article.date, record=dict(record), text_field="text",
    )
