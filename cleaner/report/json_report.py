"""The JSON findings contract (version 1). Public API: extend by adding fields, never break.

``{"version": 1, "files": [{"path", "sha256", "length", "findings": [...], "byline": {...},
"readability": {...}}], "summary": {...}}``; ``start``/``end`` are code-point offsets
into the decoded original input, end exclusive; ``line``/``column`` are 1-based.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from cleaner.baseline import Baseline
from cleaner.fingerprint import result_fingerprints
from cleaner.model import ArticleResult, Finding, Readability, Severity
from cleaner.read import ReadFailure, sha256_of

JSON_VERSION = 1


# Lone surrogates have no UTF-8 form; U+2028, U+2029 and U+0085 end a line for str.splitlines (and
# for cleaner's own JSONL reader), so a JSONL line holding one raw would read back as two.
_ESCAPED = re.compile("[\\ud800-\\udfff\\u2028\\u2029\\x85]")


def json_text(data: Any, **kwargs: Any) -> str:
    r"""``json.dumps`` whose result can always be written as UTF-8, one line per JSONL record.

    A lone surrogate (a ``"\ud800"`` escape in an input record, a non-UTF-8 byte
    in a file name) has no UTF-8 form, and line separators split a line for
    many readers, so they are written as JSON escapes; they read back as the
    same string.

    >>> json_text({"t": "a\ud800b"})
    '{"t": "a\\ud800b"}'
    """
    text = json.dumps(data, ensure_ascii=False, **kwargs)
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def finding_to_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule, "category": f.category, "severity": f.severity.value, "action": f.action.value,
        "start": f.start, "end": f.end, "line": f.line, "column": f.column, "message": f.message,
        "replacement": f.replacement,
        # Additions to the version-1 contract:
        "excerpt": f.excerpt, "applied": f.applied, "scope": f.scope, "signals": list(f.signals),
    }
    if f.data:
        out["data"] = f.data
    return out


def _readability(r: Readability | None) -> dict[str, Any] | None:
    return dataclasses.asdict(r) if r else None


def result_to_json(result: ArticleResult, baseline: Baseline | None = None) -> dict[str, Any]:
    """One entry of ``files``. Each finding carries its stable ``fingerprint`` and whether
    ``baseline`` lists it (``baselined``)."""
    a, b = result.article, result.byline
    known = (baseline or Baseline()).marks(result)
    findings = [{**finding_to_json(f), "fingerprint": fp, "baselined": k}
                for f, fp, k in zip(result.findings, result_fingerprints(result), known, strict=True)]
    return {
        "path": a.source,
        "sha256": a.sha256,
        "length": len(a.text),
        "findings": findings,
        "byline": {"declared": list(b.declared), "credited": list(b.credited), "agency": list(b.agency),
                   "mismatch": b.mismatch, "declared_source": b.declared_source, "dateline": b.dateline},
        "readability": {"before": _readability(result.readability_before),
                        "after": _readability(result.readability_after)},
        "title": a.title,
        "encoding": a.encoding,
        "cleaned_sha256": sha256_of(result.cleaned),
        "cleaned_length": len(result.cleaned),
        "edits": [{"start": e.start, "end": e.end, "removed": e.removed, "replacement": e.replacement,
                   "rules": list(e.rules)} for e in result.edits],
        "notes": list(result.notes),
        "author": a.author, "url": a.url, "date": a.date,
        # For HTML input: the offsets above refer to the extracted text, and this says what extraction dropped.
        **({"extraction": {**dataclasses.asdict(a.extraction), "dropped": list(a.extraction.dropped),
                           "offsets": "extracted text"}} if a.extraction else {}),
    }


def summarize(results: Iterable[ArticleResult], failures: Iterable[ReadFailure] = (),
              baseline: Baseline | None = None) -> dict[str, Any]:
    by_severity: Counter[str] = Counter({s.value: 0 for s in Severity})
    by_category: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    files = baselined = 0
    for r in results:
        files += 1
        baselined += sum((baseline or Baseline()).marks(r))
        for f in r.findings:
            by_severity[f.severity.value] += 1
            by_category[f.category] += 1
            by_rule[f.rule] += 1
    failed = list(failures)
    return {
        "files": files, "findings": sum(by_severity.values()), "by_severity": dict(by_severity),
        "by_category": dict(sorted(by_category.items())), "by_rule": dict(sorted(by_rule.items())),
        "unreadable": len(failed), "baselined": baselined,
    }


def report_to_json(results: list[ArticleResult], failures: list[ReadFailure] = (),  # type: ignore[assignment]
                   baseline: Baseline | None = None) -> dict[str, Any]:
    """The whole document for a run."""
    return {
        "version": JSON_VERSION,
        "files": [result_to_json(r, baseline) for r in results],
        "summary": summarize(results, failures, baseline),
        "errors": [{"path": f.source, "message": f.message} for f in failures],
    }
