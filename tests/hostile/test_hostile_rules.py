"""Hostile rule files through the real CLI: a bad file is one line naming file, line and rule
id (exit code 2, no traceback); a pattern that backtracks without end is stopped, reported by
rule, and every other rule still reports."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.detect import ScanPlan, rule_hits
from cleaner.model import Scope
from cleaner.pipeline import prepare
from cleaner.read import article_from_text
from cleaner.rules import parse_rule_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_rules  # noqa: E402

NO_HANG_SECONDS = 30  # far above the 1 s per rule per article: the point is that the run ends
with tempfile.TemporaryDirectory() as _scratch:
    CASES = {c.name: c for c in gen_rules.generate(Path(_scratch))}
ERRORS = [name for name, c in CASES.items() if c.outcome == "error"]
RUNS = [name for name, c in CASES.items() if c.outcome != "error"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, gen_rules.RuleCase]:
    return {c.name: c for c in gen_rules.generate(tmp_path_factory.mktemp("rules"))}


@pytest.mark.parametrize("name", ERRORS)
def test_bad_rule_file_is_one_line(name: str, corpus: dict[str, gen_rules.RuleCase],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    case = corpus[name]
    monkeypatch.chdir(case.rules.parent)  # paths in messages are shown relative to the working folder
    result = CliRunner().invoke(app, ["audit", case.article.name, "--rules", case.rules.name, "--no-grammar"])
    output = result.output.strip()
    assert result.exit_code == 2, output
    assert "Traceback" not in output and len(output.splitlines()) == 1, output
    assert output.startswith(f"cleaner error: {case.rules.name}:{case.line}:"), output
    if case.rule_id:
        assert f"rule '{case.rule_id}':" in output
    for fragment in case.fragments:
        assert fragment in output


def audit_json(case: gen_rules.RuleCase) -> tuple[dict, float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "cleaner", "audit", case.article.name, "--rules", case.rules.name,
                           "--no-grammar", "--format", "json", "--fail-on", "never"],
                          cwd=case.rules.parent, capture_output=True, text=True, timeout=NO_HANG_SECONDS, check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout), time.monotonic() - start


@pytest.mark.parametrize("name", RUNS)
def test_hostile_pattern_runs_and_reports(name: str, corpus: dict[str, gen_rules.RuleCase]) -> None:
    case = corpus[name]
    report, _ = audit_json(case)
    (entry,) = report["files"]
    findings = entry["findings"]
    found = {f["rule"] for f in findings}
    for rule_id in case.still_found:
        assert rule_id in found, f"{rule_id} missing: {sorted(found)}"
    timeouts = [f for f in findings if f["rule"] == "cleaner.rule-timeout"]
    if case.timeout_rule is None:
        assert timeouts == []
        return
    (timeout,) = timeouts
    assert timeout["severity"] == "warning" and (timeout["start"], timeout["end"]) == (0, 0)
    assert f"'{case.timeout_rule}' ({case.rules.name}:2)" in timeout["message"]
    assert timeout["data"]["rule"] == case.timeout_rule
    assert case.timeout_rule not in found  # a stopped rule reports nothing partial


def test_a_slow_rule_costs_its_time_limit_per_article(corpus: dict[str, gen_rules.RuleCase]) -> None:
    """Articles that each trigger the slow rule: it is stopped on each, and the run ends."""
    case = corpus["overlapping-alternation"]
    folder = case.rules.parent / "many"
    folder.mkdir(exist_ok=True)
    for i in range(4):
        (folder / f"a{i}.txt").write_text(case.article.read_text(encoding="utf-8"), encoding="utf-8")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "cleaner", "audit", "many", "--rules", case.rules.name,
                           "--no-grammar", "--format", "json", "--fail-on", "never", "--jobs", "1"],
                          cwd=case.rules.parent, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    files = json.loads(proc.stdout)["files"]
    assert len(files) == 4 and all(
        any(f["rule"] == "cleaner.rule-timeout" for f in entry["findings"]) for entry in files)
    assert time.monotonic() - start < 120


def test_a_slow_rule_leaves_the_shared_prefilter() -> None:
    """After a rule runs out of time it scans alone, so later articles do not pay for it in the pre-filter."""
    text = gen_rules.rules(gen_rules.rule("hostile.slow", "pattern: '(a|aa)+b'", "aab"), gen_rules.MARKER_RULE)
    rules = parse_rule_file(text, "slow.yml")
    slow, marker = (rules.index(r) for r in rules)
    plan = ScanPlan(rules)
    assert (Scope.LINE, True) in plan.prefilters and slow not in plan.alone[Scope.LINE]
    doc, _ = prepare(article_from_text(gen_rules.ARTICLE + "\n" + "a" * 40 + "!\n\n" + gen_rules.MARKER + "\n", "x"))
    for _ in range(2):
        timeouts: set[int] = set()
        hits = plan.run(doc, timeouts)
        assert timeouts == {slow} and hits[slow] == []
        assert hits[marker] == list(rule_hits(rules[marker], doc)) != []
        assert slow in plan.alone[Scope.LINE]
