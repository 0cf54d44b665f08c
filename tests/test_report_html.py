"""Tests for the self-contained HTML audit report."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from cleaner.model import (
    Action, Article, ArticleResult, Byline, Edit, Finding, Readability, Severity,
)
from cleaner.report.html import render_html

TEXT = (
    "Storm hits coast\n"
    "By Jane Roe\n\n"
    "The storm arrived on Tuesday and it were very strong, officials said.\n"
    "Winds reached 120 km/h. Colorless green ideas sleep furiously sleep.\n\n"
    "Subscribe to our newsletter for caf\u00c3\u00a9 deals!\n"
    "Residents  were told to stay indoors\u2026"
)


def _at(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


def _finding(text: str, sub: str, rule: str, category: str, **kw: object) -> Finding:
    start, end = _at(text, sub)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    base: dict[str, object] = dict(
        severity=Severity.WARNING, action=Action.FLAG, message=f"{category} issue",
        excerpt=sub,
    )
    base.update(kw)
    return Finding(rule=rule, category=category, start=start, end=end, line=line,
                   column=column, **base)  # type: ignore[arg-type]


def sample_result(text: str = TEXT, hostile: str = "") -> ArticleResult:
    """A hand-built result with nested, overlapping and zero-length findings."""
    para = "Subscribe to our newsletter for caf\u00c3\u00a9 deals!\n"
    moj = "caf\u00c3\u00a9"
    garbled = "Colorless green ideas sleep furiously sleep."
    findings = (
        _finding(text, para, "boilerplate.newsletter", "boilerplate", severity=Severity.ERROR,
                 action=Action.REMOVE, applied=True, scope="paragraph",
                 message="Newsletter promo" + hostile),
        _finding(text, moj, "encoding.mojibake", "encoding", action=Action.REPLACE,
                 replacement="caf\u00e9", applied=True, severity=Severity.INFO,
                 data={"before": moj + hostile, "after": "caf\u00e9"}),
        _finding(text, garbled, "garbled.sentence", "garbled", severity=Severity.ERROR,
                 signals=("word_repeat", "low_lm_score" + hostile), scope="sentence"),
        _finding(text, "sleep furiously sleep", "grammar.repeat", "grammar",
                 replacement="sleep furiously"),
        # overlaps the garbled sentence on the left
        _finding(text, "km/h. Colorless", "punctuation.spacing", "punctuation",
                 severity=Severity.INFO),
        _finding(text, "it were", "grammar.agreement" + hostile, "grammar" + hostile,
                 replacement="it was" + hostile, excerpt="it were" + hostile),
        _finding(text, "By Jane Roe", "byline.mismatch", "byline", severity=Severity.ERROR,
                 data={"declared": ["John Doe" + hostile], "credited": ["Jane Roe"]}),
        _finding(text, "  ", "whitespace.double", "whitespace", action=Action.REPLACE,
                 replacement=" ", applied=True, severity=Severity.INFO),
        _finding(text, "\u2026", "punctuation.ellipsis", "punctuation", action=Action.REPLACE,
                 replacement="...", applied=False, severity=Severity.INFO),
        # same span as another finding, different category
        _finding(text, "it were", "readability.clause", "readability", severity=Severity.INFO),
    )
    zero = text.index(" officials")
    findings += (Finding("punctuation.missing", "punctuation", Severity.INFO, Action.FLAG,
                         zero, zero, 4, 1, "Missing comma?", "", replacement=","),)
    p0, p1 = _at(text, para)
    m0, m1 = _at(text, moj)
    w0, w1 = _at(text, "  ")
    edits = (
        Edit(m0, m1, moj, "caf\u00e9", ("encoding.mojibake",)),
        Edit(p0, p1, para, "", ("boilerplate.newsletter" + hostile,)),
        Edit(w0, w1, "  ", " ", ("whitespace.double",)),
    )
    cleaned = text[:w0] + " " + text[w1:]
    cleaned = cleaned[:p0] + cleaned[p1:]
    article = Article(
        source="data/in/storm" + hostile + ".txt", text=text, title="Storm hits coast" + hostile,
        author="John Doe" + hostile, url="https://example.com/storm?a=1&b=" + hostile,
        date="2024-05-01" + hostile, sha256="ab" * 32,
    )
    return ArticleResult(
        article=article, findings=findings, edits=edits, cleaned=cleaned + hostile,
        byline=Byline(declared=("John Doe" + hostile,), credited=("Jane Roe" + hostile,),
                      agency=("AP" + hostile,), mismatch=True, declared_source="meta" + hostile),
        readability_before=Readability(61.2, 8.4, 4, 40),
        readability_after=Readability(65.0, 7.9, 3, 33),
        notes=("grammar checking was off" + hostile,),
    )


class _Doc(HTMLParser):
    """Collects the original view's text, every element's attributes, and all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # > 0 while inside #original-text
        self.original: list[str] = []
        self.texts: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.elements.append((tag, a))
        if self.depth:
            self.depth += 1
        elif a.get("id") == "original-text":
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self.depth:
            self.original.append(data)


def _parse(html: str) -> _Doc:
    doc = _Doc()
    doc.feed(html)
    doc.close()
    return doc


def test_original_text_round_trips() -> None:
    result = sample_result()
    doc = _parse(render_html(result))
    assert "".join(doc.original) == result.article.text


@pytest.mark.parametrize("text", ["", "x", "a\r\nb\n\n\tc &amp; <b>d</b>\n", "\n\n"])
def test_round_trip_edge_texts(text: str) -> None:
    findings = ()
    if text:
        findings = (Finding("r", "other-cat", Severity.INFO, Action.FLAG, 0, len(text), 1, 1,
                            "m", text),
                    Finding("z", "grammar", Severity.INFO, Action.FLAG, len(text), len(text),
                            1, 1, "end", ""))
    result = ArticleResult(Article("s", text), findings, (), text, Byline(), None, None)
    assert "".join(_parse(render_html(result)).original) == text


def test_every_finding_has_entry_and_highlight() -> None:
    result = sample_result()
    doc = _parse(render_html(result))
    ids = {a.get("id") for _, a in doc.elements}
    hrefs = [a.get("href") for t, a in doc.elements if t == "a"]
    for n in range(1, len(result.findings) + 1):
        assert f"finding-{n}" in ids and f"hl-{n}" in ids
        assert f"#finding-{n}" in hrefs and f"#hl-{n}" in hrefs
    entries = "".join(doc.texts)
    for f in result.findings:
        assert f.rule in entries


def test_pieces_carry_all_covering_findings() -> None:
    result = sample_result()
    html = render_html(result)
    # "sleep furiously sleep" lies inside the garbled sentence: both classes on one piece
    m = re.search(r'<a class="([^"]*)"[^>]*>sleep furiously sleep</a>', html)
    assert m and {"cat-garbled", "cat-grammar"} <= set(m.group(1).split())
    # the encoding fix lies inside the removed paragraph
    m = re.search(r'<a class="([^"]*)"[^>]*>caf\u00c3\u00a9</a>', html)
    assert m and {"cat-boilerplate", "cat-encoding", "removed"} <= set(m.group(1).split())
    assert 'data-r="caf\u00e9"' in html and 'data-r="sleep furiously"' in html


def test_summary_sections() -> None:
    result = sample_result()
    doc = _parse(render_html(result))
    text = " ".join(t.strip() for t in doc.texts if t.strip())
    assert "Mismatch: yes" in text and "John Doe" in text and "Jane Roe" in text and "AP" in text
    assert "61.2" in text and "65.0" in text and "+3.8" in text and "-7" in text
    assert "grammar checking was off" in text
    assert result.article.sha256 in text
    assert "word_repeat" in text and "low_lm_score" in text


HOSTILE = "<script>alert(\"x\")</script>'\"</textarea></style><img src=x onerror=alert(1)>&amp;"


def test_hostile_strings_are_escaped() -> None:
    result = sample_result(TEXT + HOSTILE, hostile=HOSTILE)
    html = render_html(result, title="T" + HOSTILE)
    lowered = html.lower()
    # Only the review data block and the review script; no article text can add or close one.
    assert lowered.count("<script") == 2 and lowered.count("</script") == 2
    assert "</textarea>" not in lowered and "<img" not in lowered
    assert lowered.count("</style>") == 1
    doc = _parse(html)
    assert "".join(doc.original) == result.article.text
    scripts = [attrs for tag, attrs in doc.elements if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "cleaner-data"}, {}]
    for tag, attrs in doc.elements:
        assert tag not in {"img", "textarea", "iframe"}
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    all_text = "".join(doc.texts)
    # each field came out as text: title, source, notes, message, data, byline, cleaned...
    assert all_text.count(HOSTILE) >= 12
    for cls in (a.get("class") or "" for _, a in doc.elements):
        assert "<" not in cls and '"' not in cls


def test_no_external_loads_and_csp() -> None:
    html = render_html(sample_result(hostile="https://evil.example/x.js"))
    doc = _parse(html)
    for _, attrs in doc.elements:
        for key in ("src", "href", "action", "srcset", "poster", "data"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (key, value)
    assert not re.search(r"url\(|@import", html)
    csp = [a["content"] for t, a in doc.elements
           if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(csp) == 1
    assert "default-src 'none'" in csp[0] and "style-src 'unsafe-inline'" in csp[0]
    assert "img-src data:" in csp[0]


def test_title_fallbacks() -> None:
    r = sample_result()
    assert "<h1>Custom</h1>" in render_html(r, title="Custom")
    untitled = ArticleResult(Article("dir/page.txt", "x"), (), (), "x", Byline(), None, None)
    assert "<h1>page.txt</h1>" in render_html(untitled)
