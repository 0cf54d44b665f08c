"""Audit output formats for people and for CI systems.

``text`` (one line per finding), ``json`` (the version-1 contract of
``cleaner.report.json_report``), ``jsonl`` (one JSON object per finding, for
streaming into other tools), ``sarif`` (SARIF 2.1.0, for code-scanning
dashboards), ``github`` (GitHub Actions workflow commands, which annotate the
files of a pull request) and ``junit`` (JUnit XML, one test case per article).

Every format shows baselined findings but marks them: ``[baselined]`` in text,
``"baselined": true`` in JSON/JSONL, a suppression in SARIF, a notice in GitHub
annotations and ``<system-out>`` (never a failure) in JUnit.

Offsets, lines and columns always refer to the article text cleaner audited:
the decoded file, the text field of a JSON/JSONL record, or the text extracted
from an HTML page. For records, CI formats point at the input file and name the
record, since a line in the text field is not a line of the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from cleaner import __version__
from cleaner.baseline import Baseline
from cleaner.fingerprint import result_fingerprints
from cleaner.model import Article, ArticleResult, Finding, Severity
from cleaner.read import ReadFailure
from cleaner.report.json_report import finding_to_json, json_text, report_to_json
from cleaner.rules import Rule

FORMATS = ("text", "json", "jsonl", "sarif", "github", "junit")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "cleanerFingerprint/v1"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Audit:
    """What a format needs: the results, the inputs that failed, the baseline and the threshold."""

    results: Sequence[ArticleResult]
    failures: Sequence[ReadFailure] = ()
    baseline: Baseline = Baseline()
    fail_on: str = "error"
    rules: Sequence[Rule] = ()

    def rows(self) -> list[tuple[ArticleResult, Finding, str, bool]]:
        """Every finding with its article, fingerprint and baseline mark, article by article."""
        out = []
        for r in self.results:
            for f, fp, known in zip(r.findings, result_fingerprints(r), self.baseline.marks(r), strict=True):
                out.append((r, f, fp, known))
        return out

    def counts(self, f: Finding, known: bool) -> bool:
        """Does this finding count toward the exit code?"""
        return not known and self.fail_on != "never" and f.severity.rank >= Severity(self.fail_on).rank


def article_file(article: Article) -> str:
    """The input file an article came from: its source, less any record label (``#id`` or ``:line``).

    >>> article_file(Article("scrapes/day.jsonl#a1", "x", record={"id": "a1"}))
    'scrapes/day.jsonl'
    >>> article_file(Article("scrapes/day.jsonl:3", "x", record={}))
    'scrapes/day.jsonl'
    """
    source = article.source
    if article.record is None:
        return source
    rid = next((article.record[k] for k in ("id", "doc_id", "uuid") if isinstance(article.record, dict)
                and article.record.get(k) not in (None, "")), None)
    if rid is not None and source.endswith(f"#{rid}"):
        return source[: -len(f"#{rid}")]
    return re.sub(r":\d+$", "", source)


def is_record(article: Article) -> bool:
    """True when the article is one record of a file (its offsets are not the file's)."""
    return article.record is not None and article_file(article) != article.source


def end_line_col(text: str, end: int) -> tuple[int, int]:
    """1-based line and column of offset ``end`` in ``text``."""
    line = text.count("\n", 0, end) + 1
    return line, end - (text.rfind("\n", 0, end) + 1) + 1


def render(fmt: str, audit: Audit) -> str:
    """The whole output of ``cleaner audit --format fmt``."""
    return {"text": _text, "json": _json, "jsonl": _jsonl, "sarif": _sarif, "github": _github,
            "junit": _junit}[fmt](audit)


def _text(audit: Audit) -> str:
    lines = []
    for r, f, _, known in audit.rows():
        mark = " [baselined]" if known else ""
        lines.append(f"{r.article.source}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.message}{mark}")
    return "".join(line + "\n" for line in lines)


def _json(audit: Audit) -> str:
    doc = report_to_json(list(audit.results), list(audit.failures), audit.baseline)
    return json_text(doc, indent=2) + "\n"


def _jsonl(audit: Audit) -> str:
    lines = []
    for r, f, fp, known in audit.rows():
        lines.append({"path": r.article.source, **finding_to_json(f), "fingerprint": fp, "baselined": known})
    lines += [{"path": fail.source, "error": fail.reason} for fail in audit.failures]
    return "".join(json_text(row) + "\n" for row in lines)


# --- SARIF 2.1.0 -----------------------------------------------------------------------------------

def _uri(path: str) -> str:
    p = PurePath(path)
    if p.is_absolute():
        return "file://" + quote(p.as_posix())
    return quote(p.as_posix())


def _rule_descriptor(rule_id: str, sample: Finding, known: dict[str, Rule]) -> dict[str, Any]:
    rule = known.get(rule_id)
    short = (rule.fix_title or rule.message) if rule else sample.message
    out: dict[str, Any] = {"id": rule_id, "shortDescription": {"text": short.replace("{match}", "…")}}
    if rule and rule.description:
        out["fullDescription"] = {"text": " ".join(rule.description.split())}
    level = _SARIF_LEVEL[rule.severity if rule else sample.severity]
    out["defaultConfiguration"] = {"level": level}
    out["properties"] = {"category": sample.category, "action": (rule.action if rule else sample.action).value}
    return out


def _sarif(audit: Audit) -> str:
    known = {r.id: r for r in audit.rules}
    order: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    results = []
    baseline_name = str(audit.baseline.path) if audit.baseline.path else "the baseline"
    for r, f, fp, is_known in audit.rows():
        if f.rule not in order:
            order[f.rule] = len(descriptors)
            descriptors.append(_rule_descriptor(f.rule, f, known))
        art = r.article
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(article_file(art))}}}
        if is_record(art):
            location["logicalLocations"] = [{"fullyQualifiedName": art.source, "kind": "object"}]
        else:
            end_line, end_col = end_line_col(art.text, f.end)
            location["physicalLocation"]["region"] = {
                "startLine": f.line, "startColumn": f.column, "endLine": end_line, "endColumn": end_col,
                "charOffset": f.start, "charLength": f.end - f.start, "snippet": {"text": art.text[f.start:f.end]},
            }
        result: dict[str, Any] = {
            "ruleId": f.rule, "ruleIndex": order[f.rule], "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message}, "locations": [location],
            "partialFingerprints": {FINGERPRINT_KEY: fp},
            "properties": {"category": f.category, "action": f.action.value, "applied": f.applied,
                           "source": art.source, "start": f.start, "end": f.end, "line": f.line,
                           "column": f.column, "signals": list(f.signals)},
        }
        if is_known:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": f"Listed in {baseline_name}."}]
        results.append(result)
    notifications = [{"level": "error", "message": {"text": fail.message},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(fail.source)}}}]}
                     for fail in audit.failures]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "cleaner", "version": __version__, "semanticVersion": __version__,
                            "rules": descriptors}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_text(doc, indent=2) + "\n"


# --- GitHub Actions workflow commands ---------------------------------------------------------------

def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(audit: Audit) -> str:
    lines = []
    for r, f, _, known in audit.rows():
        art = r.article
        props = [f"file={_gh_prop(article_file(art))}"]
        message = f.message
        if is_record(art):
            message = f"{art.source} {f.line}:{f.column}: {message}"
        else:
            end_line, end_col = end_line_col(art.text, max(f.end - 1, f.start))
            props += [f"line={f.line}", f"col={f.column}", f"endLine={end_line}", f"endColumn={end_col}"]
        title = f"{f.rule} (baselined)" if known else f.rule
        props.append(f"title={_gh_prop(title)}")
        level = "notice" if known else _GITHUB_LEVEL[f.severity]
        lines.append(f"::{level} {','.join(props)}::{_gh_data(message)}")
    for fail in audit.failures:
        lines.append(f"::error file={_gh_prop(fail.source)},title=unreadable input::{_gh_data(fail.message)}")
    return "".join(line + "\n" for line in lines)


# --- JUnit XML ----------------------------------------------------------------------------------------

def _xml_text(text: str) -> str:
    return _XML_BAD.sub("\ufffd", text)


def _junit(audit: Audit) -> str:
    rows = audit.rows()
    suite = ET.Element("testsuite", name="cleaner audit")
    failures = errors = 0
    for r in audit.results:
        art = r.article
        case = ET.SubElement(suite, "testcase", classname="cleaner", name=_xml_text(art.source))
        mine = [(f, known) for rr, f, _, known in rows if rr is r]
        failing = [f for f, known in mine if audit.counts(f, known)]
        other = [(f, known) for f, known in mine if not audit.counts(f, known)]
        if failing:
            failures += 1
            noun = "finding" if len(failing) == 1 else "findings"
            fail = ET.SubElement(case, "failure", type=audit.fail_on,
                                 message=f"{len(failing)} {noun} at or above {audit.fail_on}")
            fail.text = _xml_text("".join(f"{art.source}:{f.line}:{f.column}: {f.severity.value} {f.rule} "
                                          f"{f.message}\n" for f in failing))
        if other:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("".join(
                f"{art.source}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.message}"
                f"{' [baselined]' if known else ''}\n" for f, known in other))
    for failure in audit.failures:
        errors += 1
        case = ET.SubElement(suite, "testcase", classname="cleaner", name=_xml_text(failure.source))
        ET.SubElement(case, "error", type="unreadable", message=_xml_text(failure.message))
    tests = len(audit.results) + len(audit.failures)
    for key, value in (("tests", tests), ("failures", failures), ("errors", errors), ("skipped", 0)):
        suite.set(key, str(value))
    root = ET.Element("testsuites", name="cleaner", tests=str(tests), failures=str(failures), errors=str(errors))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
