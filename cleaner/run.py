"""Runs over many inputs: find the files, clean every article, write the outputs.

One bad file or record never stops a run: it becomes a ``ReadFailure`` with a
message naming it, and the run goes on.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.baseline import Baseline
from cleaner.extract import HTML_SUFFIXES
from cleaner.model import Article, ArticleResult, Severity
from cleaner.pipeline import Pipeline
from cleaner.read import FieldNames, ReadFailure, read_path
from cleaner.report.html import render_html
from cleaner.report.json_report import report_to_json, result_to_json

INPUT_SUFFIXES = (".txt", ".json", ".jsonl", ".text", ".md", *HTML_SUFFIXES)


def discover(paths: Sequence[Path]) -> Iterator[Path | ReadFailure]:
    """Input files: files as given, folders searched recursively for text/JSON/JSONL files."""
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
            if not found:
                yield ReadFailure(str(path), f"is a folder with no {', '.join(INPUT_SUFFIXES)} files")
            yield from found
        elif path.exists():
            yield path
        else:
            yield ReadFailure(str(path), "does not exist")


@dataclass(frozen=True)
class FileRun:
    """What one input file produced, in input order: a result or a failure per article."""

    path: Path
    items: tuple[ArticleResult | ReadFailure, ...] = ()
    records: bool = False  # JSON/JSONL input: one article per record

    @property
    def results(self) -> tuple[ArticleResult, ...]:
        return tuple(i for i in self.items if isinstance(i, ArticleResult))

    @property
    def failures(self) -> tuple[ReadFailure, ...]:
        return tuple(i for i in self.items if isinstance(i, ReadFailure))


def _clean_one(item: Article | ReadFailure, pipeline: Pipeline) -> ArticleResult | ReadFailure:
    if isinstance(item, ReadFailure):
        return item
    try:
        return pipeline.clean(item)
    except Exception as exc:  # one article's bug must not stop the batch  # noqa: BLE001
        return ReadFailure(item.source, f"could not be processed ({type(exc).__name__}: {exc})", record=item.record)


def run_file(path: Path, pipeline: Pipeline, *, has_title: bool = True, fields: FieldNames = FieldNames()) -> FileRun:
    """Clean every article of one input file."""
    items = tuple(_clean_one(item, pipeline) for item in read_path(path, has_title=has_title, fields=fields))
    return FileRun(path, items, path.suffix.lower() in (".json", ".jsonl"))


@dataclass
class RunSummary:
    results: list[ArticleResult] = field(default_factory=list)
    failures: list[ReadFailure] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def worst(self) -> Severity | None:
        levels = [f.severity for r in self.results for f in r.findings]
        return max(levels, key=lambda s: s.rank) if levels else None

    def exit_code(self, fail_on: str, baseline: Baseline | None = None) -> int:
        """0: nothing at/above ``fail_on``; 1: findings at/above it or an unreadable input; 2: nothing readable.

        Findings listed in ``baseline`` do not count.
        """
        if self.failures and not self.results:
            return 2
        if self.failures:
            return 1
        if fail_on == "never":
            return 0
        threshold = Severity(fail_on).rank
        known = baseline or Baseline()
        return int(any(f.severity.rank >= threshold and not k
                       for r in self.results for f, k in zip(r.findings, known.marks(r), strict=True)))


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file and a rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _safe_name(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._")
    return cleaned[:80] or "record"


@dataclass(frozen=True)
class OutputPlan:
    """Where a file's outputs go. Nothing is ever written over an input."""

    cleaned: Path | None
    findings: Path
    reports: Path  # the HTML report (a file) or, for records, a folder of them

    @classmethod
    def for_input(cls, path: Path, report_dir: Path, output: Path | None, single: bool, records: bool) -> OutputPlan:
        stem = path.stem
        suffix = ".txt" if path.suffix.lower() in HTML_SUFFIXES else path.suffix  # HTML in, extracted text out
        if output is None:
            cleaned = report_dir / f"{stem}.cleaned{suffix}"
        elif single and not output.is_dir() and output.suffix:
            cleaned = output
        else:
            cleaned = output / f"{stem}{suffix}"
        if cleaned.resolve() == path.resolve():
            cleaned = cleaned.with_name(f"{stem}.cleaned{suffix}")
        reports = report_dir / stem if records else report_dir / f"{stem}.html"
        return cls(cleaned, report_dir / f"{stem}.findings.json", reports)


def report_targets(run: FileRun, plan: OutputPlan) -> list[Path]:
    """Where the HTML report of each result of ``run`` goes."""
    if run.records:
        return [plan.reports / f"{i + 1:05d}-{_safe_name(_record_id(r.article, i))}.html"
                for i, r in enumerate(run.results)]
    return [plan.reports] if run.results else []


def write_file_outputs(run: FileRun, plan: OutputPlan, *, write_cleaned: bool = True) -> list[Path]:
    """Write the cleaned copy, the JSON findings and the HTML report(s) of one input file."""
    written: list[Path] = []
    if write_cleaned and plan.cleaned is not None and run.results:
        write_atomic(plan.cleaned, _cleaned_output(run))
        written.append(plan.cleaned)
    write_atomic(plan.findings, json.dumps(report_to_json(list(run.results), list(run.failures)),
                                           ensure_ascii=False, indent=2) + "\n")
    written.append(plan.findings)
    if run.records:
        for result, target in zip(run.results, report_targets(run, plan), strict=True):
            write_atomic(target, render_html(result, input_path=str(run.path)))
        if run.results:
            written.append(plan.reports)
    elif run.results:
        write_atomic(plan.reports, render_html(run.results[0], input_path=str(run.path)))
        written.append(plan.reports)
    return written


def _record_id(article: Article, index: int) -> str:
    record = article.record or {}
    for key in ("id", "doc_id", "uuid"):
        if key in record:
            return str(record[key])
    return str(index + 1)


def _cleaned_output(run: FileRun) -> str:
    if not run.records:
        return run.results[0].cleaned
    return "\n".join(output_record(item) for item in run.items) + "\n"


def output_record(item: ArticleResult | ReadFailure) -> str:
    """One JSONL output line: the input record, its text field cleaned, and a ``cleaner`` summary."""
    if isinstance(item, ReadFailure):
        return _failed_record(item)
    result = item
    record = dict(result.article.record or {})
    field_name = result.article.text_field or "text"
    summary = result_to_json(result)
    record[field_name] = result.cleaned
    record["cleaner"] = {
        "original_text": result.article.text,
        "findings": len(result.findings),
        "by_severity": _count(result, "severity"),
        "by_category": _count(result, "category"),
        "byline": summary["byline"],
        "edits": summary["edits"],
    }
    return json.dumps(record, ensure_ascii=False)


def _failed_record(failure: ReadFailure) -> str:
    """A record that could not be cleaned stays in the output, unchanged, with the reason."""
    if isinstance(failure.record, dict):
        return json.dumps({**failure.record, "cleaner": {"error": failure.message}}, ensure_ascii=False)
    return json.dumps({"cleaner": {"error": failure.message, "raw": failure.raw}}, ensure_ascii=False)


def _count(result: ArticleResult, attr: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in result.findings:
        key = getattr(f, attr)
        key = key.value if isinstance(key, Severity) else key
        out[key] = out.get(key, 0) + 1
    return out
