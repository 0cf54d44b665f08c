"""The ``cleaner`` command line: parse options, call the library, print, exit.

Exit codes: 0 no findings at or above ``--fail-on``; 1 findings at or above it
(or an unreadable input among readable ones); 2 bad usage or nothing readable.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer

from cleaner import __version__
from cleaner.cli_languagetool import app as languagetool_app
from cleaner.baseline import Baseline, baseline_document, load_baseline
from cleaner.config import Config, load_config
from cleaner.errors import CleanerError
from cleaner.extract import HTML_SUFFIXES
from cleaner.formats import FORMATS, Audit, render
from cleaner.languagetool import open_checker
from cleaner.pipeline import Pipeline, languagetool_options
from cleaner.read import FieldNames, ReadFailure
from cleaner.rulecheck import explain_rule, test_rules
from cleaner.rules import load_rules
from cleaner.model import ArticleResult
from cleaner.report.index import write_index
from cleaner.run import (OutputPlan, RunSummary, discover, report_targets, run_file, write_atomic,
                         write_file_outputs)


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
        service = open_checker(url=config.languagetool_url, **options) if options else None
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


def _run(paths: list[Path], pipeline: Pipeline, *, has_title: bool, fields: FieldNames,
         report_dir: Path | None, output: Path | None, write_cleaned: bool) -> RunSummary:
    summary = RunSummary()
    reports: list[tuple[ArticleResult, Path]] = []  # for the batch index
    batch = False
    inputs = list(discover(paths))
    files = [p for p in inputs if isinstance(p, Path)]
    for item in inputs:
        if isinstance(item, ReadFailure):
            summary.failures.append(item)
            typer.echo(f"cleaner: skipped {item.message}", err=True)
            continue
        run = run_file(item, pipeline, has_title=has_title, fields=fields)
        summary.results.extend(run.results)
        summary.failures.extend(run.failures)
        for failure in run.failures:
            typer.echo(f"cleaner: skipped {failure.message}", err=True)
        if report_dir is not None:
            plan = OutputPlan.for_input(item, report_dir, output, len(files) == 1, run.records)
            summary.written.extend(write_file_outputs(run, plan, write_cleaned=write_cleaned))
            reports.extend(zip(run.results, report_targets(run, plan), strict=True))
            batch = batch or run.records
    if report_dir is not None and (batch or len(reports) > 1):
        summary.written.append(write_index(report_dir, reports, summary.failures))
    return summary


@app.command()
def clean(
    paths: Annotated[list[Path], typer.Argument(help="Text, JSON or JSONL files, or folders of them.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Cleaned copy: a file (one input) "
                                                "or a folder. Default: next to the reports.")] = None,
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
) -> None:
    """Write a cleaned copy of each article, an HTML audit report and the JSON findings."""
    pipeline, cfg = _setup(rules, no_default_rules, config, grammar)
    threshold = _fail_on(fail_on, cfg, "never")
    summary = _run(paths, pipeline, has_title=not no_title, fields=_fields(text_field, cfg),
                   report_dir=report_dir, output=output, write_cleaned=True)
    if not quiet:
        for result in summary.results:
            counts = ", ".join(f"{n} {s}" for s, n in sorted(result.counts().items())) or "no findings"
            edits = sum(1 for e in result.edits)
            typer.echo(f"{result.article.source}: {counts}; {edits} edits")
        for path in summary.written:
            typer.echo(f"wrote {path}")
    raise typer.Exit(summary.exit_code(threshold))


@app.command()
def audit(
    paths: Annotated[list[Path], typer.Argument(help="Text, JSON, JSONL or HTML files, or folders of them.")],
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
) -> None:
    """Report findings without writing a cleaned copy; the exit code gates CI."""
    if output_format not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)} (got '{output_format}')")
    pipeline, cfg = _setup(rules, no_default_rules, config, grammar)
    threshold = _fail_on(fail_on, cfg, "error")
    known = _baseline(baseline or cfg.baseline)
    summary = _run(paths, pipeline, has_title=not no_title, fields=_fields(text_field, cfg),
                   report_dir=report_dir, output=None, write_cleaned=False)
    sys.stdout.write(render(output_format, Audit(summary.results, summary.failures, known, threshold,
                                                 pipeline.rules)))
    if write_baseline is not None:
        write_atomic(write_baseline, json.dumps(baseline_document(summary.results), ensure_ascii=False,
                                                indent=2) + "\n")
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
    stem = path.stem
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
