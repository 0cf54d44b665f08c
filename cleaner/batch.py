"""Streaming batch runs: many files or millions of JSONL records, on every core, in bounded memory.

The main process reads the inputs one record at a time and writes the outputs
as results arrive; worker processes (``--jobs``) each hold a warm pipeline (rules
compiled once, one LanguageTool client on the shared server) and turn a record
into finished output strings. Results come back in input order, and only a
bounded number of chunks is ever in flight, so memory stays flat however large
the input is. What the run keeps is counts, never the results themselves.

One bad record (not JSON, no text field, a crash in a check) becomes an output
record with ``cleaner.error`` and an entry in the findings' ``errors``; the run
goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cleaner.config import Config
from cleaner.extract import HTML_SUFFIXES
from cleaner.grammar_units import PARAGRAPH_CACHE, ParagraphChecker
from cleaner.model import Article, ArticleResult, Severity
from cleaner.pipeline import Pipeline, languagetool_options
from cleaner.read import FieldNames, ReadFailure
from cleaner.report.html import render_html
from cleaner.report.index import write_index
from cleaner.report.json_report import JSON_VERSION, json_text, result_to_json
from cleaner.rules import Rule, default_rules_dir, display_path, parse_rule_file, rule_files
from cleaner.run import AtomicFile as _AtomicFile
from cleaner.run import _safe_name, json_is_list, output_record, records_document, safe_stem, write_atomic
from cleaner.sources import RawRecord, Source, expand_inputs, iter_documents, iter_raw_records, parse_record

HTML_MODES = ("all", "flagged", "none")
FINDINGS_FORMATS = ("json", "jsonl")
INDEX_FAILURES = 1000  # unreadable inputs listed on the batch index (all are counted)
INDEX_ROWS = 5000  # articles listed on the batch index, so a huge run keeps bounded memory
CHUNK = 16  # records per task sent to a worker: large enough to amortise pickling, small for latency


# --- what a worker needs to build its pipeline -------------------------------------------------

@dataclass(frozen=True)
class PipelineSpec:
    """Everything needed to rebuild the run's pipeline in another process or on another machine.

    Rule files travel as text, so a worker on a cluster node needs none of the
    driver's files; LanguageTool is reached through the node's own shared server
    (or the configured URL).
    """

    rule_sources: tuple[tuple[str, str], ...]  # (display path, YAML text)
    config: Config = Config()
    grammar: bool = False

    @classmethod
    def from_paths(cls, paths: Sequence[Path], *, defaults: bool, config: Config, grammar: bool) -> PipelineSpec:
        sources = ([default_rules_dir()] if defaults else []) + list(paths)
        files = [f for source in sources for f in rule_files(source)]
        return cls(tuple((display_path(f), f.read_text(encoding="utf-8")) for f in files), config, grammar)

    def rules(self) -> list[Rule]:
        return self.config.apply([r for path, text in self.rule_sources for r in parse_rule_file(text, path)])

    def build(self) -> Pipeline:
        from cleaner.languagetool import open_checker  # the client is only needed with grammar

        from cleaner.errors import CleanerError

        rules = self.rules()
        options = languagetool_options(rules) if self.grammar else {}
        try:
            service = ParagraphChecker(open_checker(url=self.config.languagetool_url, cache_size=PARAGRAPH_CACHE,
                                                    **options)) if options else None
        except CleanerError as exc:  # the run goes on without grammar, and every result says so
            pipeline = Pipeline(rules, None)
            pipeline.grammar_lost = f"grammar checking was unavailable in this worker ({exc})"
            return pipeline
        return Pipeline(rules, service)


@dataclass(frozen=True)
class OutputOptions:
    """What a worker renders for each article (it sends back finished strings, not results)."""

    records_out: bool = True  # JSONL output lines for record inputs
    cleaned: bool = True  # the cleaned text of document inputs
    findings: str | None = "json"  # json | jsonl | None
    html: str = "all"  # all | flagged | none
    audit_lines: bool = False  # `path:line:col: severity rule message` lines
    has_title: bool = True
    fields: FieldNames = FieldNames()
    keep_result: bool = False  # send the ArticleResult back too (CI formats, baselines, the batch index)


@dataclass(frozen=True)
class Outcome:
    """What one article (or failed record) contributes to the outputs and the summary."""

    source: str
    failure: str | None = None  # the one-line message of a record or file that could not be cleaned
    record_line: str | None = None
    cleaned: str | None = None
    entry: str | None = None  # the findings entry, serialised in the run's findings format
    html: str | None = None
    html_name: str | None = None  # a record's id, for its report's file name
    by_severity: tuple[tuple[str, int], ...] = ()
    by_category: tuple[tuple[str, int], ...] = ()
    by_rule: tuple[tuple[str, int], ...] = ()
    edits: int = 0
    audit_lines: tuple[str, ...] = ()
    result: ArticleResult | None = None  # only with OutputOptions.keep_result


@dataclass(frozen=True)
class Marker:
    """A file boundary in the stream of work: outputs of ``source`` open at start and close at end."""

    source: Source
    start: bool


def _indented(entry: dict[str, Any], level: int) -> str:
    pad = " " * level
    # Not splitlines(): U+2028 and U+0085 may stand unescaped inside JSON strings.
    return "\n".join(pad + line for line in json_text(entry, indent=2).split("\n"))


def serialize_entry(entry: dict[str, Any], fmt: str | None) -> str | None:
    if fmt == "jsonl":
        return json_text(entry, sort_keys=True)
    if fmt == "json":
        return _indented(entry, 4)
    return None


def _flagged(result: ArticleResult) -> bool:
    return any(f.severity.rank >= Severity.WARNING.rank for f in result.findings)


def make_outcome(item: Article | ReadFailure, pipeline: Pipeline, opts: OutputOptions) -> Outcome:
    """Clean one article (or pass a read failure on) and render everything the outputs need."""
    if isinstance(item, Article):
        try:
            result = pipeline.clean(item)
        except Exception as exc:  # one article's bug must not stop the batch  # noqa: BLE001
            item = ReadFailure(item.source, f"could not be processed ({type(exc).__name__}: {exc})",
                               record=item.record)
        else:
            return _result_outcome(result, opts)
    entry = serialize_entry({"path": item.source, "message": item.message}, opts.findings)
    line = output_record(item) if opts.records_out and (item.record is not None or item.raw is not None) else None
    return Outcome(item.source, failure=item.message, record_line=line, entry=entry)


def _result_outcome(result: ArticleResult, opts: OutputOptions) -> Outcome:
    article = result.article
    is_record = article.record is not None
    html = None
    if opts.html == "all" or (opts.html == "flagged" and _flagged(result)):
        html = render_html(result)
    record = article.record or {}
    html_name = next((str(record[k]) for k in ("id", "doc_id", "uuid") if k in record), None)
    counts = {name: Counter(str(getattr(f, name)) for f in result.findings)
              for name in ("severity", "category", "rule")}
    return Outcome(
        article.source,
        record_line=output_record(result) if is_record and opts.records_out else None,
        cleaned=result.cleaned if not is_record and opts.cleaned else None,
        entry=serialize_entry(result_to_json(result), opts.findings),
        html=html, html_name=html_name,
        by_severity=tuple(counts["severity"].items()), by_category=tuple(counts["category"].items()),
        by_rule=tuple(counts["rule"].items()), edits=len(result.edits),
        audit_lines=tuple(f"{article.source}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.message}"
                          for f in result.findings) if opts.audit_lines else (),
        result=result if opts.keep_result else None,
    )


# --- workers -------------------------------------------------------------------------------------

Task = RawRecord | Article | ReadFailure | Marker
Done = Outcome | Marker


class Worker:
    """A warm pipeline plus the output options: turns tasks into outcomes."""

    def __init__(self, spec: PipelineSpec | None, opts: OutputOptions, pipeline: Pipeline | None = None) -> None:
        assert spec is not None or pipeline is not None
        self.pipeline = pipeline if pipeline is not None else spec.build()  # type: ignore[union-attr]
        self.opts = opts

    @classmethod
    def with_pipeline(cls, pipeline: Pipeline, opts: OutputOptions) -> Worker:
        """A worker for this process around a pipeline that is already built."""
        return cls(None, opts, pipeline)

    def run(self, tasks: Sequence[Task]) -> list[Done]:
        out: list[Done] = []
        for task in tasks:
            if isinstance(task, Marker):
                out.append(task)
                continue
            item = parse_record(task, self.opts.fields) if isinstance(task, RawRecord) else task
            out.append(make_outcome(item, self.pipeline, self.opts))
        return out


_WORKER: Worker | None = None


def _init_worker(spec: PipelineSpec, opts: OutputOptions) -> None:
    global _WORKER  # one pipeline per worker process, built once  # noqa: PLW0603
    _exit_with_parent()
    _WORKER = Worker(spec, opts)


def _exit_with_parent() -> None:
    """A worker whose run was killed (SIGKILL, OOM) must not go on cleaning for nobody."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_chunk(tasks: Sequence[Task]) -> list[Done]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(tasks)


def _chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _died(chunk: Sequence[Task], why: str) -> list[Done]:
    out: list[Done] = []
    for task in chunk:
        if isinstance(task, Marker):
            out.append(task)
        else:
            source = f"{task.source}:{task.index + 1}" if isinstance(task, RawRecord) else task.source
            raw = task.data.decode("utf-8", errors="replace") if isinstance(task, RawRecord) else None
            out.append(Outcome(source, failure=f"{source}: {why}",
                               record_line=output_record(ReadFailure(source, why, raw=raw)) if raw else None))
    return out


def ordered_outcomes(tasks: Iterable[Task], spec: PipelineSpec, opts: OutputOptions, jobs: int,
                     *, worker: Worker | None = None) -> Iterator[Done]:
    """Outcomes in input order. ``jobs`` 1 runs in this process; more uses a process pool
    with at most ``4 * jobs`` chunks in flight, so memory does not grow with the input.

    If a worker process dies (a crash in a native library, the kernel's OOM killer),
    the chunk it held is retried once in a fresh pool; if it kills that one too, its
    records are reported as failed and the run goes on.
    """
    if jobs <= 1:
        local = worker or Worker(spec, opts)
        for chunk in _chunks(tasks, CHUNK):
            yield from local.run(chunk)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process that has threads

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(spec, opts))

    pool = new_pool()
    pending: deque[tuple[list[Task], Future[list[Done]], int]] = deque()
    try:
        source = _chunks(tasks, CHUNK)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 4 * jobs:
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                pending.append((chunk, pool.submit(_run_chunk, chunk), 0))
            if not pending:
                return
            chunk, future, tries = pending.popleft()
            try:
                yield from future.result()
            except BrokenProcessPool as exc:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                if tries >= 1:
                    yield from _died(chunk, f"a worker process died while cleaning it ({exc or 'crashed'})")
                    retry = list(pending)
                else:
                    retry = [(chunk, None, tries + 1), *pending]  # type: ignore[list-item]
                pending.clear()
                for c, _, t in retry:
                    pending.append((c, pool.submit(_run_chunk, c), t))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- outputs -------------------------------------------------------------------------------------

class FindingsWriter:
    """The JSON findings contract (version 1) written as a stream.

    ``json``: the same document ``report_to_json`` builds, byte for byte, written
    entry by entry; ``errors`` are spooled to a temp file until the end.
    ``jsonl``: one compact line per article or unreadable record.
    """

    def __init__(self, out: IO[str], fmt: str) -> None:
        self.out, self.fmt = out, fmt
        self.count = 0
        self.errors = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.error_count = 0
        self.by_severity: Counter[str] = Counter({s.value: 0 for s in Severity})
        self.by_category: Counter[str] = Counter()
        self.by_rule: Counter[str] = Counter()
        if fmt == "json":
            out.write('{\n  "version": %d,\n  "files": [' % JSON_VERSION)

    def add(self, outcome: Outcome) -> None:
        if outcome.entry is None:
            return
        if self.fmt == "jsonl":
            self.out.write(outcome.entry + "\n")
        elif outcome.failure is not None:
            self.errors.write(("," if self.error_count else "") + "\n" + outcome.entry)
        else:
            self.out.write(("," if self.count else "") + "\n" + outcome.entry)
        if outcome.failure is not None:
            self.error_count += 1
            return
        self.count += 1
        self.by_severity.update(dict(outcome.by_severity))
        self.by_category.update(dict(outcome.by_category))
        self.by_rule.update(dict(outcome.by_rule))

    def summary(self) -> dict[str, Any]:
        return {"files": self.count, "findings": sum(self.by_severity.values()),
                "by_severity": dict(self.by_severity), "by_category": dict(sorted(self.by_category.items())),
                "by_rule": dict(sorted(self.by_rule.items())), "unreadable": self.error_count,
                "baselined": 0}  # a streamed run has no baseline (audit collects results when it has one)

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write(("\n  ]" if self.count else "]") + ',\n  "summary": ')
            self.out.write(json_text(self.summary(), indent=2).replace("\n", "\n  "))
            self.out.write(',\n  "errors": [')
            self.errors.seek(0)
            while block := self.errors.read(1 << 16):
                self.out.write(block)
            self.out.write("\n  ]\n}\n" if self.error_count else "]\n}\n")
        self.errors.close()


@dataclass(frozen=True)
class OutputPlan:
    """Where one input's outputs go; ``check_plans`` refuses any that would write over an input."""

    cleaned: Path | None  # None: no cleaned copy; Path("-"): stdout
    findings: Path | None
    reports: Path | None  # the HTML report (a file) or, for records, a folder of them

    @classmethod
    def for_source(cls, source: Source, report_dir: Path | None, output: Path | None, single: bool,
                   *, write_cleaned: bool, findings: str | None, in_place: bool = False,
                   stem: str | None = None) -> OutputPlan:
        cleaned = None
        stem = stem or safe_stem(source.stem)  # file names can hold "..", backslashes, odd bytes, 255 bytes
        # An HTML page's cleaned copy is its extracted, cleaned text.
        suffix = ".txt" if source.suffix.lower() in HTML_SUFFIXES else source.suffix
        if write_cleaned:
            if in_place and source.path is not None:
                cleaned = source.path
            elif output is None:
                cleaned = (report_dir or Path("reports")) / f"{stem}.cleaned{suffix}"
            elif str(output) == "-" or (single and not output.is_dir() and output.suffix):
                cleaned = output
            else:
                cleaned = output / f"{stem}{suffix}"
        if report_dir is None:
            return cls(cleaned, None, None)
        ext = "findings.jsonl" if findings == "jsonl" else "findings.json"
        reports = report_dir / stem if source.records else report_dir / f"{stem}.html"
        return cls(cleaned, report_dir / f"{stem}.{ext}", reports)


def plan_outputs(sources: Sequence[Source], opts: OutputOptions, batch: BatchOptions) -> dict[Source, OutputPlan]:
    """Every input's plan. Inputs with the same name in different folders (a/x.txt, b/x.txt) would write
    the same outputs, so the later ones get ``x-2``, ``x-3``, … in input order."""
    plans: dict[Source, OutputPlan] = {}
    taken: set[str] = set()
    for source in sources:
        if source in plans:
            continue
        stem = base = safe_stem(source.stem)
        n = 1
        while stem.casefold() in taken:  # casefold: the same file on a case-insensitive file system
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        plans[source] = OutputPlan.for_source(source, batch.report_dir, batch.output, len(sources) == 1,
                                              write_cleaned=opts.cleaned or opts.records_out,
                                              findings=opts.findings, in_place=batch.in_place, stem=stem)
    return plans


class _Inputs:
    """The run's input files, to look up whether an output path is one of them (symlinks and hard links too)."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.by_path: dict[Path, Source] = {}
        self.by_inode: dict[tuple[int, int], Source] = {}
        for source in sources:
            if source.path is not None:
                self.by_path[source.path.resolve()] = source
                with contextlib.suppress(OSError):
                    st = source.path.stat()
                    self.by_inode[(st.st_dev, st.st_ino)] = source

    def find(self, target: Path) -> Source | None:
        found = self.by_path.get(target.resolve())
        if found is None:
            with contextlib.suppress(OSError):
                st = target.stat()
                found = self.by_inode.get((st.st_dev, st.st_ino))
        return found

    def under(self, folder: Path) -> Source | None:
        inside = folder.resolve()
        return next((s for p, s in self.by_path.items() if inside in p.parents), None)


def _in_place_problem(source: Source) -> str | None:
    if source.path is None:
        return "--in-place needs input files, not stdin; write the cleaned records with -o instead"
    name = source.path.name.lower()
    if name.endswith((".gz", ".zst")):
        return f"{source.label}: --in-place cannot rewrite a compressed file; decompress it or use -o"
    if source.suffix.lower() in HTML_SUFFIXES:
        return f"{source.label}: --in-place would replace an HTML page with its extracted text; use -o"
    return None


def check_plans(plans: Sequence[tuple[Source, OutputPlan]], report_dir: Path | None, *, in_place: bool) -> None:
    """Refuse, before any work, outputs that would be written over an input (``--in-place`` aside)."""
    from cleaner.errors import CleanerError
    from cleaner.report.index import INDEX_NAME

    inputs = _Inputs([s for s, _ in plans])
    for source, plan in plans:
        if in_place and (problem := _in_place_problem(source)):
            raise CleanerError(problem)
        named = [(plan.findings, "--report-dir"), (None if source.records else plan.reports, "--report-dir"),
                 (report_dir / INDEX_NAME if report_dir is not None else None, "--report-dir")]
        if not in_place:
            named.append((plan.cleaned, "-o (or pass --in-place to replace each input with its cleaned copy)"))
        for target, option in named:
            if target is not None and str(target) != "-" and (hit := inputs.find(target)) is not None:
                raise CleanerError(f"{target} would be written over the input {hit.label}; choose another {option}")
        if source.records and plan.reports is not None and (hit := inputs.under(plan.reports)) is not None:
            raise CleanerError(f"the report folder {plan.reports} holds the input {hit.label}, which its reports "
                               "could overwrite; choose another --report-dir")


class SourceSink:
    """Writes one input's outputs as its outcomes arrive, in order."""

    def __init__(self, source: Source, plan: OutputPlan, findings_format: str, stdout: IO[str] | None) -> None:
        self.source, self.plan = source, plan
        self.results = 0
        self.failures = 0
        self.edits = 0
        self.severity: Counter[str] = Counter()
        self.reports_written = 0
        self.cleaned_file: _AtomicFile | None = None
        self.stdout = stdout
        self.findings_file = _AtomicFile(plan.findings) if plan.findings else None
        self.findings = FindingsWriter(self.findings_file.fh, findings_format) if self.findings_file else None
        self.document_cleaned: str | None = None
        self.document_html: str | None = None
        self.document_result: ArticleResult | None = None
        self.reports: list[tuple[ArticleResult, Path]] = []  # for the batch index
        # A .json document's records are written as one JSON document at the end (a list stays a list).
        self.json_lines: list[str] | None = [] if source.suffix.lower() == ".json" and not source.records else None

    def _cleaned_out(self) -> IO[str] | None:
        if self.plan.cleaned is None:
            return None
        if str(self.plan.cleaned) == "-":
            return self.stdout
        if self.cleaned_file is None:
            self.cleaned_file = _AtomicFile(self.plan.cleaned)
        return self.cleaned_file.fh

    def add(self, outcome: Outcome) -> None:
        if outcome.failure is None:
            self.results += 1
            self.edits += outcome.edits
            self.severity.update(dict(outcome.by_severity))
        else:
            self.failures += 1
        if self.findings is not None:
            self.findings.add(outcome)
        if outcome.record_line is not None and self.json_lines is not None:
            self.json_lines.append(outcome.record_line)
        elif outcome.record_line is not None and (out := self._cleaned_out()) is not None:
            out.write(outcome.record_line + "\n")
        if outcome.cleaned is not None and self.document_cleaned is None:
            self.document_cleaned = outcome.cleaned
        if outcome.html is not None and self.plan.reports is not None:
            if self.source.records:
                name = f"{self.results:05d}-{_safe_name(outcome.html_name or str(self.results))}.html"
                write_atomic(self.plan.reports / name, outcome.html)
                self.reports_written += 1
                if outcome.result is not None:
                    self.reports.append((outcome.result, self.plan.reports / name))
            elif self.document_html is None:
                self.document_html = outcome.html
                self.document_result = outcome.result

    def close(self) -> list[Path]:
        """Finish the files; returns what was written (as the old one-shot writer did)."""
        written: list[Path] = []
        # Records that could not be read are still written, in place, with cleaner.error: the
        # output keeps every input record even when none of them could be cleaned.
        if self.cleaned_file is not None:
            self.cleaned_file.commit()
            written.append(self.cleaned_file.path)
        elif self.json_lines and self.plan.cleaned is not None:
            as_list = self.source.path is not None and json_is_list(self.source.path)
            self._write_cleaned(records_document(self.json_lines, as_list), written)
        elif self.document_cleaned is not None and self.plan.cleaned is not None:
            self._write_cleaned(self.document_cleaned, written)
        elif self.plan.cleaned is not None and str(self.plan.cleaned) == "-" and self.stdout is not None:
            self.stdout.flush()
        if self.findings is not None and self.findings_file is not None:
            self.findings.close()
            self.findings_file.commit()
            written.append(self.findings_file.path)
        if self.plan.reports is not None:
            if self.source.records and self.reports_written:
                written.append(self.plan.reports)
            elif self.document_html is not None:
                write_atomic(self.plan.reports, self.document_html)
                written.append(self.plan.reports)
                if self.document_result is not None:
                    self.reports.append((self.document_result, self.plan.reports))
        return written

    def _write_cleaned(self, text: str, written: list[Path]) -> None:
        assert self.plan.cleaned is not None
        if str(self.plan.cleaned) == "-":
            if self.stdout is not None:
                self.stdout.write(text)
            return
        write_atomic(self.plan.cleaned, text)
        written.append(self.plan.cleaned)

    def discard(self) -> None:
        """Remove the temp files of an interrupted run (finished outputs of earlier inputs stay)."""
        for atomic in (self.cleaned_file, self.findings_file):
            if atomic is not None:
                atomic.discard()
        if self.findings is not None:
            self.findings.errors.close()

    def describe(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.severity.items()) if n) or "no findings"
        if not self.source.records:
            return f"{self.source.label}: {counts}; {self.edits} edits"
        bad = f" ({self.failures} unreadable)" if self.failures else ""
        return f"{self.source.label}: {self.results} records{bad}: {counts}; {self.edits} edits"


# --- the run -------------------------------------------------------------------------------------

@dataclass
class RunTotals:
    """What a run keeps: counts, never the results."""

    results: int = 0
    failures: int = 0
    findings: int = 0
    worst_rank: int = 0
    edits: int = 0
    written: list[Path] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    reports: list[tuple[ArticleResult, Path]] = field(default_factory=list)  # the batch index's rows
    failed: list[ReadFailure] = field(default_factory=list)  # the first INDEX_FAILURES, for the index

    def add(self, outcome: Outcome) -> None:
        if outcome.failure is not None:
            self.failures += 1
            if len(self.failed) < INDEX_FAILURES:
                self.failed.append(ReadFailure(outcome.source, outcome.failure.removeprefix(f"{outcome.source}: ")))
            return
        self.results += 1
        self.edits += outcome.edits
        for severity, n in outcome.by_severity:
            self.findings += n
            self.worst_rank = max(self.worst_rank, Severity(severity).rank)

    def exit_code(self, fail_on: str) -> int:
        """0: nothing at/above ``fail_on``; 1: findings at/above it or an unreadable input; 2: nothing readable."""
        if self.failures and not self.results:
            return 2
        if self.failures:
            return 1
        if fail_on == "never":
            return 0
        return int(self.worst_rank >= Severity(fail_on).rank)


@dataclass(frozen=True)
class BatchOptions:
    report_dir: Path | None = Path("reports")
    output: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int = 1
    findings: str = "json"
    html_limit: int = 1000  # per run, for record inputs; 0: no limit
    in_place: bool = False  # the cleaned copy replaces each input file


def count_tasks(sources: Sequence[Source]) -> int | None:
    """How many articles the run will see, for the progress bar's ETA (None if unknown: compressed or stdin)."""
    total = 0
    for source in sources:
        if not source.records:
            total += 1
            continue
        if source.path is None or source.path.name.lower().endswith((".gz", ".zst")) or not source.path.is_file():
            return None  # a pipe can be read once only: counting its lines would drain the records
        with open(source.path, "rb") as fh:
            last = b"\n"
            while block := fh.read(1 << 20):
                total += block.count(b"\n")
                last = block[-1:]
            total += last != b"\n"
    return total


def run_batch(paths: Sequence[Path | str], spec: PipelineSpec, opts: OutputOptions, batch: BatchOptions,
              *, on_failure: Callable[[str], None], on_outcome: Callable[[Outcome], None] | None = None,
              progress: Callable[[int | None], Callable[[int], None]] | None = None,
              stdout: IO[str] | None = None, worker: Worker | None = None) -> RunTotals:
    """Clean every input, writing outputs as results arrive; returns the counts."""
    totals = RunTotals()
    inputs = list(expand_inputs(paths, batch.include, batch.exclude))
    sources = [s for s in inputs if isinstance(s, Source)]
    for item in inputs:
        if isinstance(item, ReadFailure):
            failed = Outcome(item.source, failure=item.message,
                             entry=serialize_entry({"path": item.source, "message": item.message}, opts.findings))
            totals.add(failed)
            on_failure(item.message)
            if on_outcome is not None:
                on_outcome(failed)
    if not sources:
        return totals
    plans = plan_outputs(sources, opts, batch)
    check_plans(list(plans.items()), batch.report_dir, in_place=batch.in_place)
    expected = count_tasks(sources)
    jobs = batch.jobs if expected is None else max(1, min(batch.jobs, -(-expected // CHUNK)))
    advance = progress(expected) if progress else None
    html_budget = [batch.html_limit or -1]

    def tasks() -> Iterator[Task]:
        for source in sources:
            yield Marker(source, True)
            if source.records:
                yield from iter_raw_records(source)
            else:
                yield from iter_documents(source, has_title=opts.has_title, fields=opts.fields)
            yield Marker(source, False)

    sink_ref: list[SourceSink] = []  # the input whose outputs are open
    try:
        _consume(tasks(), spec, opts, batch, jobs, worker, totals, on_failure, on_outcome, advance, html_budget,
                 plans=plans, sinks=sink_ref, stdout=stdout)
    except BaseException:  # Ctrl-C or a bug: leave no half-written temp files behind
        for open_sink in sink_ref:
            open_sink.discard()
        raise
    batch_run = any(s.records for s in sources) or len(totals.reports) > 1
    if opts.keep_result and batch.report_dir is not None and totals.reports and batch_run:
        totals.written.append(write_index(batch.report_dir, totals.reports, totals.failed,
                                          run=(totals.results, totals.failures)))
    return totals


def _consume(tasks: Iterable[Task], spec: PipelineSpec, opts: OutputOptions, batch: BatchOptions, jobs: int,
             worker: Worker | None, totals: RunTotals, on_failure: Callable[[str], None],
             on_outcome: Callable[[Outcome], None] | None, advance: Callable[[int], None] | None,
             html_budget: list[int], *, plans: dict[Source, OutputPlan], sinks: list[SourceSink],
             stdout: IO[str] | None) -> None:
    sink: SourceSink | None = None
    for done in ordered_outcomes(tasks, spec, opts, jobs, worker=worker):
        if isinstance(done, Marker):
            if done.start:
                sink = SourceSink(done.source, plans[done.source], batch.findings, stdout)
                sinks[:] = [sink]
            elif sink is not None:
                totals.written.extend(sink.close())
                totals.summaries.append(sink.describe())
                totals.reports.extend(sink.reports[: max(0, INDEX_ROWS - len(totals.reports))])
                sink = None
                sinks.clear()
            continue
        if done.html is not None and sink is not None and sink.source.records:
            if html_budget[0] == 0:
                done = _without_html(done)
                if not totals.notices:
                    totals.notices.append(f"HTML reports were written for the first {batch.html_limit} records "
                                          "only; the findings file has them all (--html-limit 0 writes every one)")
            elif html_budget[0] > 0:
                html_budget[0] -= 1
        totals.add(done)
        if done.failure is not None:
            on_failure(done.failure)
        if sink is not None:
            sink.add(done)
        if on_outcome is not None:
            on_outcome(done)
        if advance is not None:
            advance(1)


def _without_html(outcome: Outcome) -> Outcome:
    from dataclasses import replace

    return replace(outcome, html=None, result=None)
