"""Render one :class:`ArticleResult` as a self-contained HTML audit report.

The report has no external loads: everything is inline, and the
Content-Security-Policy forbids anything else. The one script (``review.js``:
filters, keyboard navigation, accept/reject decisions, a live cleaned copy) is
allowed by its SHA-256 hash, computed here, never by 'unsafe-inline'. Its data
is a JSON block whose ``<``, ``>`` and ``&`` are escaped, so no text of the
article can close the script element. The report reads fully without the
script; all other data goes through Jinja2 autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import PurePath
from typing import Any

from jinja2 import Environment, Template

from cleaner.fingerprint import result_fingerprints
from cleaner.model import Action, ArticleResult, Finding, Readability, Severity

CATEGORIES = (
    "boilerplate", "garbled", "byline", "encoding",
    "punctuation", "grammar", "readability", "whitespace",
)
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
# Added for the review script: its hash, and fetches to the page's own origin (`cleaner review`).
SCRIPT_CSP = "; script-src '{hash}'; connect-src 'self'"


@dataclass(frozen=True)
class _Item:
    """A finding prepared for display: ``n`` is its 1-based number in text order."""

    n: int
    f: Finding
    start: int
    end: int
    colour: str
    slug: str
    fingerprint: str = ""

    @property
    def removed(self) -> bool:
        return self.f.action == Action.REMOVE and self.f.applied


@lru_cache(maxsize=1)
def review_script() -> tuple[str, str]:
    """The review script and its CSP source (``'sha256-…'``)."""
    js = files(__package__).joinpath("review.js").read_text(encoding="utf-8")
    if "</script" in js.lower():
        raise ValueError("review.js must not contain '</script'")
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    return js, f"sha256-{digest}"


def script_json(data: Any) -> str:
    r"""JSON that is safe inside a ``<script type="application/json">`` element.

    >>> script_json({"t": "</script><b>&"})
    '{"t": "\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_SURROGATE = re.compile("[\\ud800-\\udfff]")


def no_surrogates(html: str) -> str:
    """A lone surrogate (a ``\\ud800`` escape in a record, an odd byte in a file name) has no UTF-8 form,
    so a page shows it as U+FFFD; the page can then always be written."""
    return _SURROGATE.sub("\ufffd", html)


@lru_cache(maxsize=1)
def _template() -> Template:
    env = Environment(autoescape=True, keep_trailing_newline=True)
    source = files(__package__).joinpath("template.html.j2").read_text(encoding="utf-8")
    return env.from_string(source)


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", s.lower()).strip("-") or "other"


def visible(s: str) -> str:
    """Make line breaks and tabs (and spaces, in blank strings) visible in short snippets."""
    if not s:
        return "∅"
    if not s.strip():
        s = s.replace(" ", "␣")
    return s.replace("\r", "␍").replace("\n", "↵").replace("\t", "⇥")


def _shown(s: str) -> str:
    """Text as is, or its visible form when it is only whitespace."""
    return s if s.strip() or not s else visible(s)


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v)) or "—"
    return json.dumps(v, ensure_ascii=False, default=str)


def _items(result: ArticleResult) -> list[_Item]:
    size = len(result.article.text)
    prints = dict(zip(map(id, result.findings), result_fingerprints(result), strict=True))
    order = sorted(result.findings, key=lambda f: (f.start, -f.end, f.rule))
    out = []
    for n, f in enumerate(order, 1):
        start = min(max(f.start, 0), size)
        end = min(max(f.end, start), size)
        slug = _slug(f.category)
        out.append(_Item(n, f, start, end, slug if slug in CATEGORIES else "other", slug, prints[id(f)]))
    return out


def _piece(text: str, cover: list[_Item]) -> dict[str, Any]:
    if not cover:
        return {"kind": "text", "text": text}
    inner = min(cover, key=lambda i: (i.end - i.start, -i.n))
    outer = max(cover, key=lambda i: (i.end - i.start, -i.n))
    classes = ["hl", f"bg-{inner.colour}"]
    classes += sorted({f"cat-{i.slug}" for i in cover}) + [f"f-{i.n}" for i in cover]
    if outer is not inner:
        classes += ["nested", f"ul-{outer.colour}"]
    if any(i.removed for i in cover):
        classes.append("removed")
    tip = "; ".join(f"#{i.n} {i.f.category}: {i.f.rule}" for i in sorted(cover, key=lambda i: i.n))
    return {"kind": "hl", "text": text, "cls": " ".join(classes), "n": inner.n, "tip": tip}


def _tokens(text: str, items: list[_Item]) -> list[dict[str, Any]]:
    """Split ``text`` at every finding boundary; each piece carries every finding covering it."""
    starts: dict[int, list[_Item]] = defaultdict(list)
    ends: dict[int, list[_Item]] = defaultdict(list)
    for it in items:
        starts[it.start].append(it)
        if it.end > it.start:
            ends[it.end].append(it)
    bounds = sorted({0, len(text), *starts, *ends})
    active: list[_Item] = []
    out: list[dict[str, Any]] = []

    def repl(it: _Item) -> None:
        f = it.f
        if f.replacement is not None and not (f.action == Action.REMOVE and not f.replacement):
            shown = visible(f.replacement)
            out.append({"kind": "repl", "n": it.n, "text": shown, "applied": f.applied})

    for k, p in enumerate(bounds):
        for it in ends[p]:
            repl(it)
            active.remove(it)
        for it in starts[p]:
            out.append({"kind": "mark", "n": it.n, "colour": it.colour})
            if it.end == it.start:
                repl(it)
            else:
                active.append(it)
        if k + 1 < len(bounds):
            out.append(_piece(text[p:bounds[k + 1]], active))
    return out


def _readability(before: Readability | None, after: Readability | None) -> list[dict[str, str]]:
    rows = []
    for label, attr, fmt in (
        ("Flesch reading ease", "flesch_reading_ease", "{:.1f}"),
        ("Flesch–Kincaid grade", "flesch_kincaid_grade", "{:.1f}"),
        ("Sentences", "sentences", "{:d}"),
        ("Words", "words", "{:d}"),
    ):
        b = getattr(before, attr) if before else None
        a = getattr(after, attr) if after else None
        diff = "—"
        if a is not None and b is not None:
            d = a - b
            diff = ("{:+.1f}" if isinstance(d, float) else "{:+d}").format(d)
        rows.append({
            "label": label,
            "before": fmt.format(b) if b is not None else "—",
            "after": fmt.format(a) if a is not None else "—",
            "diff": diff,
        })
    return rows


def _finding_view(it: _Item) -> dict[str, Any]:
    f = it.f
    data = dict(f.data or {})
    before_after = None
    if "before" in data and "after" in data:
        before_after = (_fmt(data.pop("before")), _fmt(data.pop("after")))
    if isinstance(data.get("signals"), list):  # garbled signals: "name (detail)" reads better than a dict
        data["signals"] = "; ".join(f"{s.get('name')} ({s.get('detail')})" if isinstance(s, dict) else str(s)
                                    for s in data["signals"])
    return {
        "n": it.n, "f": f, "colour": it.colour, "removed": it.removed, "fingerprint": it.fingerprint,
        "accept_label": "Replace" if f.replacement is not None and f.action != Action.REMOVE else "Remove",
        "severity": _slug(str(f.severity)),
        "replacement": None if f.replacement is None else visible(f.replacement),
        "excerpt": _shown(f.excerpt),
        "before_after": before_after,
        "data": [(str(k), _fmt(v)) for k, v in data.items()],
    }


def _review_data(result: ArticleResult, items: list[_Item], input_path: str | None) -> dict[str, Any]:
    """What the review script needs: the text, the findings and how to name the article."""
    art = result.article
    return {
        "version": 1, "source": art.source, "input": input_path or art.source, "sha256": art.sha256,
        "stem": PurePath(input_path or art.source).stem or "article", "text": art.text,
        "body_start": art.body_start, "cleaned": result.cleaned,
        "findings": [{"n": i.n, "fingerprint": i.fingerprint, "rule": i.f.rule, "category": i.f.category,
                      "severity": i.f.severity.value, "action": i.f.action.value, "applied": i.f.applied,
                      "start": i.start, "end": i.end, "line": i.f.line, "column": i.f.column,
                      "replacement": i.f.replacement, "excerpt": i.f.excerpt} for i in items],
    }


def render_html(result: ArticleResult, *, title: str | None = None, input_path: str | None = None) -> str:
    """Return the complete audit report for ``result`` as one HTML document.

    ``input_path`` names the input file when it differs from the article's
    source (a record of a JSONL file); exported decisions carry it.
    """
    art = result.article
    text = art.text
    items = _items(result)
    js, script_hash = review_script()
    sev = Counter(str(f.severity) for f in result.findings)
    severities = [(s.value, sev.get(s.value, 0)) for s in sorted(Severity, key=lambda s: -s.rank)]
    severities += [(k, v) for k, v in sorted(sev.items()) if k not in {s.value for s in Severity}]
    cats = Counter(f.category for f in result.findings)
    categories = [
        (c, _slug(c) if _slug(c) in CATEGORIES else "other", cats[c]) for c in sorted(cats)
    ]
    edits = [
        {"e": e, "line": text.count("\n", 0, max(e.start, 0)) + 1,
         "removed": _shown(e.removed),
         "replacement": visible(e.replacement) if e.replacement else None}
        for e in sorted(result.edits, key=lambda e: (e.start, e.end))
    ]
    rules = Counter(f.rule for f in result.findings)
    return no_surrogates(_template().render(
        csp=CSP + SCRIPT_CSP.format(hash=script_hash),
        review_js=js,
        data_json=script_json(_review_data(result, items, input_path)),
        rules=sorted(rules.items()),
        extraction=art.extraction,
        removed_blocks=[" ".join(e.removed.split()) for e in sorted(result.edits, key=lambda e: e.start)
                        if e.removed.strip() and not e.replacement.strip()],
        title=title or art.title or PurePath(art.source).name or art.source or "Article",
        art=art,
        lines=text.count("\n") + 1 if text else 0,
        severities=severities,
        categories=categories,
        legend=[*CATEGORIES, "other"],
        notes=result.notes,
        tokens=_tokens(text, items),
        findings=[_finding_view(i) for i in items],
        byline=result.byline,
        readability=_readability(result.readability_before, result.readability_after),
        has_readability=(result.readability_before, result.readability_after) != (None, None),
        cleaned=result.cleaned,
        edits=edits,
    ))
