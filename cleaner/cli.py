"""The ``cleaner`` command line: parse options, call the library, print, exit.

Exit codes: 0 no findings at or above ``--fail-on``; 1 findings at or above it
(or an unreadable input among readable ones); 2 bad usage or nothing readable.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cleaner import __version__
from cleaner.cli_languagetool import app as languagetool_app
from cleaner.baseline import Baseline, baseline_document, load_baseline
from cleaner.config import Config, load_config
from cleaner.errors import CleanerError
from cleaner.extract import HTML_SUFFIXES
from cleaner.formats import FORMATS, Audit, render
from cleaner.grammar_units import PARAGRAPH_CACHE, ParagraphChecker
from cleaner.languagetool import open_checker
from cleaner.batch import (
    FINDINGS_FORMATS,
    HTML_MODES,
    BatchOptions,
    FindingsWriter,
    Outcome,
    OutputOptions,
    PipelineSpec,
    RunTotals,
    Worker,
    run_batch,
)
from cleaner.pipeline import Pipeline, languagetool_options
from cleaner.read import FieldNames, ReadFailure
from cleaner.rulecheck import explain_rule, test_rules
from cleaner.report.json_report import json_text
from cleaner.rules import load_rules
from cleaner.run import OutputPlan, RunSummary, safe_stem, write_atomic, write_file_outputs


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2


app = typer.Typer(help="Clean and audit scraped news articles.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
rules_app = typer.Typer(help="List, test and explain the rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(languagetool_app, name="languagetool")

FAIL_ON = ("error", "warning", "info", "never")
RulesOpt = Annotated[list[Path] | None, typer.Option("--rules", "-r", help="Extra rule file or folder (repeatable).")]
NoDefaultsOpt = Annotated[bool, typer.Option("--no-default-rules", help="Use only the rules given with --rules.")]
NoTitleOpt = Annotated[bool, typer.Option("--no-title", help="Plain-text input has no title line: it is all body.")]
TextFieldOpt = Annotated[str | None, typer.Option("--text-field", help="JSON/JSONL field holding the article text.")]
FailOnOpt = Annotated[str | None, typer.Option("--fail-on", help="Lowest severity that makes the exit code 1: "
                                               "error, warning, info or never.")]
GrammarOpt = Annotated[bool | None, typer.Option("--grammar/--no-grammar", help="Check grammar with LanguageTool "
                                                 "(default: on; a local server is started or reused).")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Config file (default: ./cleaner.toml or "
                                                "[tool.cleaner] in ./pyproject.toml).")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"cleaner error: {message}", err=True)
    return typer.Exit(ExitCode.USAGE)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Clean and audit scraped news articles: boilerplate, garbled sentences, bylines, encoding."""


def _setup(rules: list[Path] | None, no_defaults: bool, config_path: Path | None,
           grammar: bool | None = False) -> tuple[Pipeline, Config]:
    """Load the config file and the rules it and the options name; connect to LanguageTool if wanted."""
    try:
        config = load_config(config_path)
        paths = [*config.rules, *(rules or [])]
        loaded = config.apply(load_rules(paths, defaults=config.default_rules and not no_defaults))
        wanted = config.grammar if grammar is None else grammar
        options = languagetool_options(loaded) if wanted else {}
        service = ParagraphChecker(open_checker(url=config.languagetool_url, cache_size=PARAGRAPH_CACHE,
                                                **options)) if options else None
        return Pipeline(loaded, service), config
    except CleanerError as exc:
        raise _fail(str(exc)) from None


def _fields(text_field: str | None, config: Config) -> FieldNames:
    name = text_field or config.text_field
    return dataclasses.replace(config.fields, text=(name,)) if name else config.fields


def _fail_on(option: str | None, config: Config, default: str) -> str:
    fail_on = option or config.fail_on or default
    if fail_on not in FAIL_ON:
        raise _fail(f"--fail-on must be one of {', '.join(FAIL_ON)} (got '{fail_on}')")
    return fail_on


JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes "
                                            "(default: all cores).")]
IncludeOpt = Annotated[list[str] | None, typer.Option("--include", help="In folders, take only files matching this "
                                                      "glob, e.g. '*.jsonl.gz' (repeatable).")]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude", help="In folders, skip files matching this glob "
                                                      "(repeatable).")]
FindingsOpt = Annotated[str, typer.Option("--findings", help="Findings file format: json (one document, the "
                                          "version-1 contract) or jsonl (one line per article).")]
HtmlOpt = Annotated[str, typer.Option("--html", help="HTML reports: all, flagged (articles with a warning or "
                                      "error) or none.")]
HtmlLimitOpt = Annotated[int, typer.Option("--html-limit", min=0, help="At most this many HTML reports for "
                                           "JSONL records per run (0: no limit).")]
ProgressOpt = Annotated[bool | None, typer.Option("--progress/--no-progress", help="Progress bar with rate and "
                                                  "ETA (default: on a terminal, off in CI).")]
EngineOpt = Annotated[str, typer.Option("--engine", help="local (this machine, --jobs processes) or ray "
                                        "(a Ray cluster, JSONL input).")]
AddressOpt = Annotated[str | None, typer.Option("--address", help="Ray cluster address (ray://host:10001 or "
                                                "auto); default: a local Ray instance.")]


def _spec(rules: list[Path] | None, no_defaults: bool, pipeline: Pipeline, config: Config) -> PipelineSpec:
    """What worker processes (or Ray actors) need to rebuild this run's pipeline."""
    try:
        return PipelineSpec.from_paths([*config.rules, *(rules or [])],
                                       defaults=config.default_rules and not no_defaults, config=config,
                                       grammar=pipeline.grammar is not None)
    except OSError as exc:
        raise _fail(f"a rule file cannot be read ({exc})") from None


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _fail(f"{name} must be one of {', '.join(allowed)} (got '{value}')")
    return value


class _Console:
    """Messages on stderr, drawn above the progress bar while one is shown (rich, which Typer ships with)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.progress: Any = None

    def echo(self, message: str) -> None:
        if self.progress is not None:
            self.progress.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(message, err=True)

    def start(self, total: int | None) -> Callable[[int], None]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
        from rich.text import Text

        class RateAndEta(ProgressColumn):
            """Average rate since the start: results arrive in ordered bursts, so a recent-window
            rate (rich's default) swings between zero and thousands."""

            def render(self, task: Any) -> Text:
                elapsed = task.elapsed or 0.0
                rate = task.completed / elapsed if elapsed > 1 and task.completed else None
                done = f"{int(elapsed) // 60}:{int(elapsed) % 60:02d}"
                if rate is None:
                    return Text(f"– articles/s  {done} elapsed")
                eta = ""
                if task.total is not None:
                    left = max(task.total - task.completed, 0) / rate
                    eta = f"  ETA {int(left) // 3600}:{int(left) % 3600 // 60:02d}:{int(left) % 60:02d}"
                return Text(f"{rate:,.1f} articles/s  {done} elapsed{eta}")

        self.progress = Progress(TextColumn("cleaning"), BarColumn(), MofNCompleteColumn(), RateAndEta(),
                                 console=Console(stderr=True), transient=False)
        self.progress.start()
        task = self.progress.add_task("clean", total=total)
        return lambda n: self.progress.advance(task, n)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _show_progress(option: bool | None, quiet: bool) -> bool:
    if option is not None:
        return option
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


def _run(paths: list[Path], pipeline: Pipeline, spec: PipelineSpec, opts: OutputOptions, batch: BatchOptions,
         *, progress: bool, on_outcome: Callable[[Outcome], None] | None = None) -> RunTotals:
    console = _Console(progress)

    def terminated(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds: the pool stops, temp files are removed

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        return run_batch(paths, spec, opts, batch, on_failure=lambda m: console.echo(f"cleaner: skipped {m}"),
                         on_outcome=on_outcome, progress=console.start if progress else None,
                         stdout=sys.stdout, worker=Worker.with_pipeline(pipeline, opts))
    except CleanerError as exc:
        raise _fail(str(exc)) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        console.stop()


def _run_ray(paths: list[Path], spec: PipelineSpec, opts: OutputOptions, output: Path | None,
             address: str | None, jobs: int | None, quiet: bool) -> RunTotals:
    from cleaner.engine_ray import RayUnavailable, run_ray

    if output is None:
        raise _fail("--engine ray needs --output: a folder (local or an object-store URI such as s3://bucket/out)")
    try:
        return run_ray([str(p) for p in paths], spec, opts, str(output), address=address, actors=jobs,
                       log=None if quiet else lambda m: typer.echo(m, err=True))
    except RayUnavailable as exc:
        raise _fail(str(exc)) from None


@app.command()
def clean(
    paths: Annotated[list[Path], typer.Argument(help="Text, JSON or JSONL files (also .jsonl.gz/.zst), folders of "
                                                "them, or - for JSONL on stdin.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Cleaned copy: a file (one input), a "
                                                "folder, or - for stdout. Default: next to the reports.")] = None,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where HTML reports and JSON findings go.")]
    = Path("reports"),
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    no_title: NoTitleOpt = False,
    text_field: TextFieldOpt = None,
    fail_on: FailOnOpt = None,
    grammar: GrammarOpt = None,
    config: ConfigOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    jobs: JobsOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    findings: FindingsOpt = "json",
    html: HtmlOpt = "all",
    html_limit: HtmlLimitOpt = 1000,
    progress: ProgressOpt = None,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Replace each input file with its cleaned copy "
                                           "(atomically, keeping its mode); reports still go to --report-dir.")]
    = False,
) -> None:
    """Write a cleaned copy of each article, an HTML audit report and the JSON findings."""
    _choice("--findings", findings, FINDINGS_FORMATS)
    _choice("--html", html, HTML_MODES)
    _choice("--engine", engine, ("local", "ray"))
    pipeline, cfg = _setup(rules, no_default_rules, config, grammar)
    threshold = _fail_on(fail_on, cfg, "never")
    spec = _spec(rules, no_default_rules, pipeline, cfg)
    opts = OutputOptions(records_out=True, cleaned=True, findings=findings, html=html,
                         has_title=not no_title, fields=_fields(text_field, cfg), keep_result=html != "none")
    to_stdout = output is not None and str(output) == "-"
    if in_place and (output is not None or engine == "ray"):
        raise _fail("--in-place writes each cleaned copy over its input, so it takes no -o and no --engine ray")
    if engine == "ray":
        if include or exclude:
            raise _fail("--include/--exclude are for --engine local; give Ray the JSONL files or folders to read")
        totals = _run_ray(paths, spec, dataclasses.replace(opts, html="none"), output, address, jobs, quiet)
    else:
        batch = BatchOptions(report_dir=report_dir, output=output, include=tuple(include or ()),
                             exclude=tuple(exclude or ()), jobs=jobs or os.cpu_count() or 1,
                             findings=findings, html_limit=html_limit, in_place=in_place)
        totals = _run(paths, pipeline, spec, opts, batch, progress=_show_progress(progress, quiet))
    if not quiet:
        say = (lambda m: typer.echo(m, err=True)) if to_stdout else typer.echo
        for line in totals.summaries:
            say(line)
        for path in totals.written:
            say(f"wrote {path}")
        for notice in totals.notices:
            say(f"note: {notice}")
    raise typer.Exit(totals.exit_code(threshold))


@app.command()
def audit(
    paths: Annotated[list[Path], typer.Argument(help="Text, JSON, JSONL (also .jsonl.gz/.zst) or HTML files, "
                                                "folders of them, or - for JSONL on stdin.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help=f"{', '.join(FORMATS)}.")] = "text",
    fail_on: FailOnOpt = None,
    report_dir: Annotated[Path | None, typer.Option("--report-dir", help="Also write HTML reports and JSON "
                                                    "findings here.")] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    no_title: NoTitleOpt = False,
    text_field: TextFieldOpt = None,
    grammar: GrammarOpt = None,
    config: ConfigOpt = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Findings listed in this baseline file "
                                                  "stay visible but do not count toward the exit code.")] = None,
    write_baseline: Annotated[Path | None, typer.Option("--write-baseline", help="Record every current finding "
                                                        "in this baseline file.")] = None,
    jobs: JobsOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    html: HtmlOpt = "all",
    html_limit: HtmlLimitOpt = 1000,
    progress: ProgressOpt = None,
) -> None:
    """Report findings without writing a cleaned copy; the exit code gates CI."""
    if output_format not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)} (got '{output_format}')")
    _choice("--html", html, HTML_MODES)
    pipeline, cfg = _setup(rules, no_default_rules, config, grammar)
    threshold = _fail_on(fail_on, cfg, "error")
    spec = _spec(rules, no_default_rules, pipeline, cfg)
    baseline_path = baseline or cfg.baseline
    # text and json stream with flat memory; the CI formats and baselines need every result at the end.
    streaming = output_format in ("text", "json") and baseline_path is None and write_baseline is None
    opts = OutputOptions(records_out=False, cleaned=False, findings="json" if output_format == "json" or report_dir
                         else None, html=html if report_dir else "none", audit_lines=output_format == "text",
                         has_title=not no_title, fields=_fields(text_field, cfg),
                         keep_result=not streaming or report_dir is not None)
    batch = BatchOptions(report_dir=report_dir, output=None, include=tuple(include or ()),
                         exclude=tuple(exclude or ()), jobs=jobs or os.cpu_count() or 1, html_limit=html_limit)
    if streaming and output_format == "json":
        writer = FindingsWriter(sys.stdout, "json")
        totals = _run(paths, pipeline, spec, opts, batch, progress=_show_progress(progress, True),
                      on_outcome=writer.add)
        writer.close()
        raise typer.Exit(totals.exit_code(threshold))
    if streaming:
        def echo(outcome: Outcome) -> None:
            for line in outcome.audit_lines:
                typer.echo(line)

        totals = _run(paths, pipeline, spec, opts, batch, progress=_show_progress(progress, False),
                      on_outcome=echo)
        raise typer.Exit(totals.exit_code(threshold))
    summary = RunSummary()

    def collect(outcome: Outcome) -> None:
        if outcome.result is not None:
            summary.results.append(outcome.result)
        elif outcome.failure is not None:
            summary.failures.append(ReadFailure(outcome.source, outcome.failure.removeprefix(f"{outcome.source}: ")))

    _run(paths, pipeline, spec, opts, batch, progress=_show_progress(progress, True), on_outcome=collect)
    known = _baseline(baseline_path)
    sys.stdout.write(render(output_format, Audit(summary.results, summary.failures, known, threshold,
                                                 pipeline.rules)))
    if write_baseline is not None:
        write_atomic(write_baseline, json_text(baseline_document(summary.results), indent=2) + "\n")
        typer.echo(f"wrote {write_baseline} ({sum(len(r.findings) for r in summary.results)} findings)", err=True)
    raise typer.Exit(summary.exit_code(threshold, known))


def _baseline(path: Path | None) -> Baseline:
    try:
        return load_baseline(path) if path is not None else Baseline()
    except CleanerError as exc:
        raise _fail(str(exc)) from None


@app.command("apply")
def apply_cmd(
    decisions: Annotated[list[Path], typer.Argument(help="Decisions files (exported from a report, or the "
                                                    "decisions.json `cleaner review` saves).")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The reviewed copy: a file (one input) "
                                                "or a folder. Default: next to the decisions file.")] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    no_title: NoTitleOpt = False,
    text_field: TextFieldOpt = None,
    grammar: GrammarOpt = None,
    config: ConfigOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Write the final cleaned copy of each reviewed article, honouring the reviewer's decisions."""
    from cleaner.decisions import apply_inputs, load_decisions

    try:
        articles = load_decisions(decisions)
    except CleanerError as exc:
        raise _fail(str(exc)) from None
    pipeline, cfg = _setup(rules, no_default_rules, config, grammar)
    outcomes = apply_inputs(articles, pipeline, base=decisions[0].parent, has_title=not no_title,
                            fields=_fields(text_field, cfg))
    problems = 0
    for outcome in outcomes:
        for message in outcome.notes:
            typer.echo(f"cleaner: note: {message}", err=True)
        for message in outcome.problems:
            problems += 1
            typer.echo(f"cleaner: {message}", err=True)
        if outcome.run is None:
            continue
        plan = _reviewed_plan(outcome.path, output, decisions[0].parent, len(outcomes) == 1, outcome.run.records)
        written = write_file_outputs(outcome.run, plan)
        if not quiet:
            for article, applied in outcome.applied:
                kept = sum(1 for fp in applied.matched if article.decisions[fp] == "reject")
                typer.echo(f"{applied.result.article.source}: {len(applied.matched)} decisions applied "
                           f"({len(applied.matched) - kept} accepted, {kept} rejected); "
                           f"{len(applied.result.edits)} edits")
            for path in written:
                typer.echo(f"wrote {path}")
    raise typer.Exit(ExitCode.FINDINGS if problems else ExitCode.OK)


def _reviewed_plan(path: Path, output: Path | None, base: Path, single: bool, records: bool) -> OutputPlan:
    stem = safe_stem(path.stem)  # the path comes from a decisions file, which anyone can edit
    suffix = ".txt" if path.suffix.lower() in HTML_SUFFIXES else path.suffix
    if output is not None and single and output.suffix and not output.is_dir():
        cleaned, folder = output, output.parent
    else:
        folder = output if output is not None else base
        cleaned = folder / f"{stem}.reviewed{suffix}"
    if cleaned.resolve() == path.resolve():
        cleaned = cleaned.with_name(f"{stem}.reviewed{suffix}")
    reports = folder / f"{stem}.reviewed" if records else folder / f"{stem}.reviewed.html"
    return OutputPlan(cleaned, folder / f"{stem}.reviewed.findings.json", reports)


@app.command()
def review(
    path: Annotated[Path, typer.Argument(help="A run's report folder (its --report-dir), or one report.")]
    = Path("reports"),
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (default: any free port).")] = 0,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open the reports in a browser.")] = False,
) -> None:
    """Serve a run's reports on 127.0.0.1; decisions made in them are saved to decisions.json there."""
    from cleaner.review import ReviewServer

    folder = path.parent if path.is_file() else path
    try:
        server = ReviewServer(folder, port)
    except (CleanerError, OSError) as exc:
        raise _fail(str(exc) if isinstance(exc, CleanerError) else f"cannot serve on 127.0.0.1:{port} ({exc})") \
            from None
    url = server.url_for(path) if path.is_file() else server.url
    typer.echo(f"Serving {folder} at {url}")
    typer.echo(f"Decisions are saved to {folder / 'decisions.json'}; "
               f"apply them with: cleaner apply {folder / 'decisions.json'}")
    typer.echo("Press Ctrl-C to stop.")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.httpd.server_close()


@rules_app.command("list")
def rules_list(rules: RulesOpt = None, no_default_rules: NoDefaultsOpt = False, config: ConfigOpt = None) -> None:
    """List every rule: id, category, severity, action and where it is defined."""
    for rule in _setup(rules, no_default_rules, config)[0].rules:
        state = "" if rule.enabled else " (disabled)"
        state += f" (only {', '.join(rule.domains)})" if rule.domains else ""
        typer.echo(f"{rule.id:36} {rule.category:12} {rule.severity.value:8} {rule.action.value:8} "
                   f"{rule.path}:{rule.line}{state}")


@rules_app.command("test")
def rules_test(rules: RulesOpt = None, no_default_rules: NoDefaultsOpt = False, grammar: GrammarOpt = None,
               config: ConfigOpt = None) -> None:
    """Run every rule's examples: each 'match' must fire, each 'no_match' must not."""
    pipeline = _setup(rules, no_default_rules, config, grammar)[0]
    outcomes = test_rules(pipeline.rules, pipeline.grammar)
    failures = [o for o in outcomes if not o.passed]
    skipped = [o for o in outcomes if o.skipped]
    for outcome in failures:
        typer.echo(f"FAIL {outcome.describe()}", err=True)
    if skipped:
        typer.echo(f"skipped {len(skipped)} examples of rules that need LanguageTool (run with --grammar)")
    passed = len(outcomes) - len(failures) - len(skipped)
    typer.echo(f"{passed} passed, {len(failures)} failed, {len(skipped)} skipped ({len(pipeline.rules)} rules)")
    raise typer.Exit(ExitCode.FINDINGS if failures else ExitCode.OK)


@rules_app.command("explain")
def rules_explain(rule_id: str, rules: RulesOpt = None, no_default_rules: NoDefaultsOpt = False,
                  config: ConfigOpt = None) -> None:
    """Print a rule's message, why it exists and its examples."""
    for rule in _setup(rules, no_default_rules, config)[0].rules:
        if rule.id == rule_id:
            typer.echo(explain_rule(rule))
            return
    raise _fail(f"no rule has the id '{rule_id}'; `cleaner rules list` shows them all")


def run() -> None:
    """Entry point that turns user errors into one line and exit code 2, never a traceback."""
    try:
        app()
    except CleanerError as exc:
        typer.echo(f"cleaner error: {exc}", err=True)
        sys.exit(ExitCode.USAGE)
