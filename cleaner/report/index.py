"""The batch index: one page for a run over a folder or a JSONL file.

One row per article (defect counts by category, byline verdict, readability,
a link to its report), a per-rule and a per-site summary with small bar
charts, and the inputs that could not be read. The tables sort on a click
(a hashed inline script, like the reports); without script they read in input
order, and the page is as self-contained as a report.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, Template

from cleaner.model import ArticleResult
from cleaner.read import ReadFailure
from cleaner.report.html import CATEGORIES, CSP, _slug, no_surrogates
from cleaner.rules import host_of

INDEX_NAME = "index.html"
SORT_JS = """\
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th[data-sort]").forEach(function (th, col) {
    th.tabIndex = 0;
    function sort() {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var idx = Array.prototype.indexOf.call(th.parentNode.children, th);
      var desc = th.getAttribute("aria-sort") !== "descending";
      var numeric = th.getAttribute("data-sort") === "number";
      rows.sort(function (a, b) {
        var x = a.cells[idx].getAttribute("data-v"), y = b.cells[idx].getAttribute("data-v");
        var r = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
        return desc ? -r : r;
      });
      table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sort(); } });
  });
});
"""


@lru_cache(maxsize=1)
def _template() -> Template:
    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(files(__package__).joinpath("index.html.j2").read_text(encoding="utf-8"))


def _href(target: Path, folder: Path) -> str:
    # The file name's own bytes: a name that is not UTF-8 holds surrogates, which only fsencode turns back.
    return quote(os.fsencode(Path(os.path.relpath(target, folder)).as_posix()))


def render_index(entries: Sequence[tuple[ArticleResult, Path]], failures: Sequence[ReadFailure] = (),
                 folder: Path = Path("."), run: tuple[int, int] | None = None) -> str:
    """The index page for ``entries`` (each result with the path of its report); links are relative to ``folder``.

    ``run`` is the whole run's (articles, unreadable) when the page lists only some of them.
    """
    cats = sorted({f.category for r, _ in entries for f in r.findings},
                  key=lambda c: (CATEGORIES.index(c) if c in CATEGORIES else len(CATEGORIES), c))
    rows = []
    by_rule: Counter[str] = Counter()
    rule_articles: Counter[str] = Counter()
    rule_category: dict[str, str] = {}
    sites: dict[str, dict[str, Any]] = {}
    for result, report in entries:
        art = result.article
        counts = Counter(f.category for f in result.findings)
        site = (art.extraction.hostname if art.extraction and art.extraction.hostname else None) or host_of(art.url) or "(no URL)"
        after = result.readability_after
        rows.append({
            "source": art.source, "title": art.title or "", "href": _href(report, folder), "site": site,
            "total": len(result.findings), "counts": [counts.get(c, 0) for c in cats],
            "errors": sum(1 for f in result.findings if f.severity.value == "error"),
            "mismatch": result.byline.mismatch, "declared": ", ".join(result.byline.declared),
            "ease": f"{after.flesch_reading_ease:.1f}" if after else "—",
            "ease_v": after.flesch_reading_ease if after else -999, "words": after.words if after else 0,
        })
        rules_here = Counter(f.rule for f in result.findings)
        by_rule.update(rules_here)
        rule_articles.update(rules_here.keys())
        for f in result.findings:
            rule_category.setdefault(f.rule, f.category)
        s = sites.setdefault(site, {"site": site, "articles": 0, "findings": 0, "rules": Counter()})
        s["articles"] += 1
        s["findings"] += len(result.findings)
        s["rules"].update(rules_here)
    top = max(by_rule.values(), default=1)
    rule_rows = [{"rule": rule, "category": rule_category[rule], "colour": _colour(rule_category[rule]),
                  "count": n, "articles": rule_articles[rule], "pct": round(100 * n / top, 1)}
                 for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))]
    top_site = max((s["findings"] for s in sites.values()), default=1) or 1
    site_rows = [{**s, "per_article": s["findings"] / s["articles"], "pct": round(100 * s["findings"] / top_site, 1),
                  "top": ", ".join(f"{r} ({n})" for r, n in s["rules"].most_common(1)) or "—"}
                 for s in sorted(sites.values(), key=lambda s: (-s["findings"], s["site"]))]
    digest = base64.b64encode(hashlib.sha256(SORT_JS.encode("utf-8")).digest()).decode("ascii")
    return no_surrogates(_template().render(
        csp=CSP + f"; script-src 'sha256-{digest}'", script=SORT_JS, rows=rows,
        categories=[(c, _colour(c)) for c in cats], rule_rows=rule_rows, site_rows=site_rows,
        failures=failures, total=sum(r["total"] for r in rows), legend=[*CATEGORIES, "other"],
        run_articles=run[0] if run else len(rows), run_failures=run[1] if run else len(failures),
    ))


def _colour(category: str) -> str:
    slug = _slug(category)
    return slug if slug in CATEGORIES else "other"


def write_index(report_dir: Path, entries: Sequence[tuple[ArticleResult, Path]],
                failures: Sequence[ReadFailure] = (), run: tuple[int, int] | None = None) -> Path:
    """Write ``index.html`` in ``report_dir`` and return its path."""
    from cleaner.run import write_atomic

    target = report_dir / INDEX_NAME
    write_atomic(target, render_index(entries, failures, report_dir, run))
    return target
