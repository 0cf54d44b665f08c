"""Every command and exit code, run as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import __version__
from cleaner.cli import app
from conftest import SEED

runner = CliRunner()
CLEAN_TEXT = "A quiet day\n\nThe council met on Tuesday and approved the budget.\n"


def invoke(*args: str, cwd: Path | None = None):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "calm.txt").write_text(CLEAN_TEXT, encoding="utf-8")
    return tmp_path


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"cleaner {__version__}"


def test_clean_writes_cleaned_copy_report_and_findings(workdir: Path):
    result = invoke("clean", "seed.txt")
    assert result.exit_code == 0, result.output
    cleaned = (workdir / "reports" / "seed.cleaned.txt").read_text(encoding="utf-8")
    assert "Back to top button" not in cleaned and "Putin reacted strongly." in cleaned
    html = (workdir / "reports" / "seed.html").read_text(encoding="utf-8")
    assert "<html" in html and "garbled.sentence" in html
    data = json.loads((workdir / "reports" / "seed.findings.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["files"][0]["path"] == "seed.txt"
    assert "wrote reports/seed.html" in result.output
    assert (workdir / "seed.txt").read_bytes() == SEED.read_bytes(), "the input must never change"


def test_clean_output_file_and_report_dir(workdir: Path):
    result = invoke("clean", "seed.txt", "-o", "out/clean.txt", "--report-dir", "rep")
    assert result.exit_code == 0
    assert (workdir / "out" / "clean.txt").exists() and (workdir / "rep" / "seed.html").exists()


def test_clean_never_overwrites_its_input(workdir: Path):
    result = invoke("clean", "seed.txt", "-o", "seed.txt")
    assert result.exit_code == 2, "an -o that names the input is refused before any work"
    assert "seed.txt would be written over the input seed.txt" in result.output
    assert (workdir / "seed.txt").read_bytes() == SEED.read_bytes()
    assert not (workdir / "reports").exists()


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("error", 1), ("warning", 1), ("info", 1)])
def test_clean_fail_on(workdir: Path, fail_on: str, code: int):
    assert invoke("clean", "seed.txt", "--fail-on", fail_on).exit_code == code


@pytest.mark.parametrize(("path", "fail_on", "code"), [
    ("seed.txt", "error", 1), ("seed.txt", "never", 0), ("calm.txt", "error", 0), ("calm.txt", "info", 0),
])
def test_audit_exit_codes(workdir: Path, path: str, fail_on: str, code: int):
    result = invoke("audit", path, "--fail-on", fail_on)
    assert result.exit_code == code
    assert not (workdir / "reports").exists(), "audit writes nothing unless asked"


def test_audit_text_format_lines(workdir: Path):
    lines = invoke("audit", "seed.txt").output.splitlines()
    assert "seed.txt:8:1: error boilerplate.embed-shortcode Embed shortcode" in lines[2]
    assert all(line.startswith("seed.txt:") for line in lines)


def test_audit_json_contract(workdir: Path):
    result = invoke("audit", "seed.txt", "--format", "json")
    data = json.loads(result.output)
    assert set(data) >= {"version", "files", "summary"}
    (entry,) = data["files"]
    assert set(entry) >= {"path", "sha256", "length", "findings", "byline", "readability"}
    text = (workdir / "seed.txt").read_text(encoding="utf-8")
    assert entry["length"] == len(text)
    for f in entry["findings"]:
        assert set(f) >= {"rule", "category", "severity", "action", "start", "end", "line", "column", "message",
                          "replacement"}
        assert f["excerpt"].rstrip("…") in text[f["start"]:f["end"]]
    assert entry["byline"]["declared"] == ["Aila Slisco"] and entry["byline"]["mismatch"] is True
    assert data["summary"]["findings"] == len(entry["findings"])


def test_jsonl_in_jsonl_out(workdir: Path):
    records = [
        {"id": "a1", "title": "Budget passes", "text": "The council approved it.\n\nRelated Articles", "url": "u"},
        {"id": "a2", "content": "Rain fell.\n\nBack to top", "author": "Kim Lee"},
        "not an object",
        {"id": "a4", "headline": "no text here"},
    ]
    lines = [json.dumps(r) for r in records[:2]] + ["{broken json", json.dumps(records[2]), json.dumps(records[3])]
    (workdir / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("clean", "batch.jsonl")
    assert result.exit_code == 1, "unreadable records make the run exit 1"
    out = [json.loads(x) for x in (workdir / "reports" / "batch.cleaned.jsonl").read_text().splitlines()]
    assert len(out) == 5, "one output record per input line, in order"
    assert out[0]["id"] == "a1" and out[0]["text"] == "The council approved it." and out[0]["url"] == "u"
    assert out[0]["cleaner"]["original_text"] == records[0]["text"]
    assert out[1]["content"] == "Rain fell." and out[1]["author"] == "Kim Lee"
    assert "not valid JSON" in out[2]["cleaner"]["error"]
    assert "is a JSON str" in out[3]["cleaner"]["error"]
    assert out[4]["id"] == "a4" and "no text field" in out[4]["cleaner"]["error"]
    assert "batch.jsonl:3: is not valid JSON" in result.output
    assert len(list((workdir / "reports" / "batch").glob("*.html"))) == 2


def test_folder_input_processes_file_by_file(workdir: Path):
    (workdir / "in").mkdir()
    shutil.copy(workdir / "seed.txt", workdir / "in" / "one.txt")
    shutil.copy(workdir / "calm.txt", workdir / "in" / "two.txt")
    result = invoke("clean", "in", "-o", "cleaned")
    assert result.exit_code == 0
    assert sorted(p.name for p in (workdir / "cleaned").iterdir()) == ["one.txt", "two.txt"]
    assert (workdir / "cleaned" / "two.txt").read_text() == CLEAN_TEXT


def test_unreadable_input_exits_2(workdir: Path):
    (workdir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = invoke("audit", "image.txt")
    assert result.exit_code == 2
    assert "image.txt: is binary, not text" in result.output


def test_missing_input_exits_2(workdir: Path):
    result = invoke("audit", "nope.txt")
    assert result.exit_code == 2 and "nope.txt: does not exist" in result.output


def test_one_bad_file_does_not_stop_the_batch(workdir: Path):
    (workdir / "bad.json").write_text("{not json", encoding="utf-8")
    result = invoke("audit", "bad.json", "calm.txt", "--format", "json")
    assert result.exit_code == 1
    assert "bad.json: is not valid JSON" in result.output


def test_bad_usage_exits_2(workdir: Path):
    assert invoke("audit", "seed.txt", "--fail-on", "sometimes").exit_code == 2
    assert invoke("audit", "seed.txt", "--format", "xml").exit_code == 2


def test_bad_rule_file_is_one_line_error(workdir: Path):
    (workdir / "bad.yml").write_text(
        "rules:\n  - id: my.rule\n    category: boilerplate\n    severity: loud\n    action: flag\n"
        "    message: M.\n    phrases: [x]\n    examples: {match: [x]}\n")
    result = invoke("audit", "calm.txt", "--rules", "bad.yml")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "cleaner error: bad.yml:4: rule 'my.rule': 'severity' must be one of error, warning, info (got 'loud')"
    )


def test_user_rules_add_findings(workdir: Path):
    (workdir / "mine.yml").write_text(
        "rules:\n  - id: site.council\n    category: style\n    severity: info\n    action: flag\n"
        "    scope: sentence\n    message: Council mentioned.\n    phrases: [council]\n    match: anywhere\n"
        "    examples:\n      match: ['The council met.']\n      no_match: ['The board met.']\n")
    result = invoke("audit", "calm.txt", "--rules", "mine.yml", "--fail-on", "info")
    assert result.exit_code == 1 and "info site.council Council mentioned." in result.output


def test_rules_list_and_test_and_explain(workdir: Path):
    listing = invoke("rules", "list")
    assert listing.exit_code == 0 and "boilerplate.embed-shortcode" in listing.output
    tested = invoke("rules", "test")
    assert tested.exit_code == 0 and " 0 failed" in tested.output
    explained = invoke("rules", "explain", "boilerplate.embed-shortcode")
    assert "[sic]" in explained.output
    assert invoke("rules", "explain", "no.such").exit_code == 2


def test_rules_test_fails_on_a_broken_example(workdir: Path):
    (workdir / "mine.yml").write_text(
        "rules:\n  - id: site.council\n    category: style\n    severity: info\n    action: flag\n"
        "    message: Council.\n    phrases: [council]\n    match: anywhere\n"
        "    examples:\n      match: ['The board met.']\n")
    result = invoke("rules", "test", "--rules", "mine.yml", "--no-default-rules")
    assert result.exit_code == 1
    assert "FAIL site.council (mine.yml:2) false negative" in result.output


def test_entry_point_runs_without_traceback(workdir: Path):
    proc = subprocess.run([sys.executable, "-m", "cleaner", "audit", "calm.txt", "--rules", "missing.yml"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "cleaner error: missing.yml: does not exist; give a rule file or a folder of .yml files"
    assert "Traceback" not in proc.stderr


def test_config_file_disables_and_relevels_rules(workdir: Path):
    (workdir / "cleaner.toml").write_text(
        'disable = ["boilerplate.site-chrome"]\nfail_on = "warning"\n[severity]\n"garbled.sentence" = "error"\n')
    result = invoke("audit", "seed.txt")
    assert "boilerplate.site-chrome" not in result.output
    assert "error garbled.sentence" in result.output
    assert "(disabled)" in invoke("rules", "list").output


def test_config_in_pyproject_and_bad_config(workdir: Path):
    (workdir / "pyproject.toml").write_text('[tool.cleaner]\nfail_on = "never"\n')
    assert invoke("audit", "seed.txt").exit_code == 0
    (workdir / "cleaner.toml").write_text('disable = ["no.such-rule"]\n')
    result = invoke("audit", "seed.txt")
    assert result.exit_code == 2
    assert "cleaner.toml: no rule has the id 'no.such-rule'" in result.output
    (workdir / "cleaner.toml").write_text('colour = "red"\n')
    assert "cleaner.toml: unknown key 'colour'" in invoke("audit", "seed.txt").output


def test_config_names_record_fields(workdir: Path):
    (workdir / "cleaner.toml").write_text('[fields]\ntext = ["story"]\nauthor = ["writer"]\n')
    record = {"story": "Rain fell.\n\nRelated Articles", "writer": "Kim Lee", "text": "not this one"}
    (workdir / "r.jsonl").write_text(json.dumps(record) + "\n")
    data = json.loads(invoke("audit", "r.jsonl", "--format", "json", "--no-grammar").output)
    (entry,) = data["files"]
    assert entry["length"] == len(record["story"]) and entry["byline"]["declared"] == ["Kim Lee"]
    (workdir / "cleaner.toml").write_text('[fields]\nheadline = ["h"]\n')
    assert "'fields' must be a table with keys among" in invoke("audit", "r.jsonl").output


def test_grammar_needs_languagetool_or_no_grammar(workdir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(workdir / "empty-cache"))
    monkeypatch.delenv("CLEANER_LANGUAGETOOL_URL", raising=False)
    result = invoke("audit", "calm.txt")
    assert result.exit_code == 2
    assert "LanguageTool 6.6 is not installed; run `cleaner languagetool install`" in result.output
    assert "--no-grammar" in result.output
    assert invoke("audit", "calm.txt", "--no-grammar").exit_code == 0


def test_languagetool_url_points_at_an_existing_server(workdir: Path, monkeypatch: pytest.MonkeyPatch, grammar):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(workdir / "empty-cache"))  # nothing could be started here
    monkeypatch.setenv("CLEANER_LANGUAGETOOL_URL", grammar.url)
    (workdir / "bad.txt").write_text("Headline\n\nThis are the results of the vote.\n", encoding="utf-8")
    result = invoke("audit", "bad.txt", "--fail-on", "never")
    assert result.exit_code == 0 and "languagetool." in result.output
