"""Per-site rules: rule files scoped to URL domains, and per-site config overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.errors import RuleFileError
from cleaner.rules import host_of, on_site, parse_rule_file

runner = CliRunner()
SITE_RULES = """\
domains: [dailynationtoday.com]
rules:
  - id: dnt.follow-box
    category: boilerplate
    severity: error
    action: remove
    message: "Daily Nation Today follow box."
    phrases: [Get the DNT Morning Edition]
    examples:
      match: ["Get the DNT Morning Edition"]
"""
TEXT = "The council met on Tuesday.\n\nGet the DNT Morning Edition\n\nIt approved the budget."
RECORDS = [
    {"id": "dnt", "url": "https://www.dailynationtoday.com/news/1", "text": TEXT},
    {"id": "other", "url": "https://example.org/story", "text": TEXT},
    {"id": "nourl", "text": TEXT},
    {"id": "lookalike", "url": "https://notdailynationtoday.com/x", "text": TEXT},
]


def run(*args: str):
    return runner.invoke(app, [*args], catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dnt.yml").write_text(SITE_RULES, encoding="utf-8")
    (tmp_path / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return tmp_path


def _rules_by_record(stdout: str) -> dict[str, list[str]]:
    data = json.loads(stdout)
    return {f["path"].split("#")[1]: [x["rule"] for x in f["findings"]] for f in data["files"]}


def test_site_scoped_rule_applies_only_to_its_site(workdir: Path):
    result = run("audit", "batch.jsonl", "--no-grammar", "--rules", "dnt.yml", "--format", "json")
    assert _rules_by_record(result.stdout) == {"dnt": ["dnt.follow-box"], "other": [], "nourl": [], "lookalike": []}


def test_site_scoped_rules_still_run_their_examples(workdir: Path):
    result = run("rules", "test", "--rules", "dnt.yml", "--no-default-rules", "--no-grammar")
    assert result.exit_code == 0 and "1 passed, 0 failed" in result.output


def test_config_sites_scope_rule_files_and_override_rules(workdir: Path):
    (workdir / "site-rules").mkdir()
    (workdir / "site-rules" / "dnt.yml").write_text(SITE_RULES.replace("domains: [dailynationtoday.com]\n", ""),
                                                   encoding="utf-8")
    records = [{"id": "dnt", "url": "https://dailynationtoday.com/a", "text": TEXT + "\n\nRelated Articles"},
               {"id": "other", "url": "https://example.org/b", "text": TEXT + "\n\nRelated Articles"}]
    (workdir / "two.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (workdir / "cleaner.toml").write_text(
        '[sites."dailynationtoday.com"]\nrules = ["site-rules/dnt.yml"]\n'
        'severity = {"boilerplate.site-chrome" = "info"}\n'
        '[sites."example.org"]\ndisable = ["boilerplate.site-chrome"]\n', encoding="utf-8")
    data = json.loads(run("audit", "two.jsonl", "--no-grammar", "--format", "json").stdout)
    by_id = {f["path"].split("#")[1]: {x["rule"]: x["severity"] for x in f["findings"]} for f in data["files"]}
    assert by_id == {"dnt": {"dnt.follow-box": "error", "boilerplate.site-chrome": "info"}, "other": {}}


@pytest.mark.parametrize(("domains", "message"), [
    ("example.com", "dnt.yml:1: 'domains' must be a list of domain names, like [example.com], not a string"),
    ("[]", "dnt.yml:1: 'domains' is empty; remove it to apply these rules to every site"),
    ("['https://www.example.com/news']", "dnt.yml:1: 'domains' entry 'https://www.example.com/news' is not a "
                                        "domain name like example.com (no scheme, path or port); "
                                        "write it as 'www.example.com'"),
    ("['*.example.com']", "dnt.yml:1: 'domains' entry '*.example.com': write 'example.com'; a domain already "
                          "covers its subdomains"),
    ("[42]", "dnt.yml:1: 'domains' entries must be strings (got number 42)"),
    ("{a: b}", "dnt.yml:1: 'domains' must be a list of domain names, like [example.com], not mapping"),
])
def test_bad_domains_are_precise_errors(domains: str, message: str):
    with pytest.raises(RuleFileError) as exc:
        parse_rule_file(SITE_RULES.replace("[dailynationtoday.com]", domains), "dnt.yml")
    assert str(exc.value) == message


def test_domains_are_lower_cased_and_unknown_top_level_keys_named():
    rules = parse_rule_file(SITE_RULES.replace("[dailynationtoday.com]", "[DailyNationToday.COM]"), "dnt.yml")
    assert rules[0].domains == ("dailynationtoday.com",)
    with pytest.raises(RuleFileError, match=r"dnt.yml:1: unknown top-level key 'sites' \(only 'rules' and "
                                            r"'domains' are allowed\)"):
        parse_rule_file(SITE_RULES.replace("domains:", "sites:"), "dnt.yml")


def test_bad_site_in_config_is_one_line(workdir: Path):
    (workdir / "cleaner.toml").write_text('[sites."https://example.org/"]\ndisable = []\n', encoding="utf-8")
    result = run("audit", "batch.jsonl", "--no-grammar")
    assert result.exit_code == 2
    assert result.output.startswith("cleaner error: ") and result.output.count("\n") == 1
    assert result.output.strip().endswith('cleaner.toml: [sites."https://example.org/"] does not name a '
                                          'site; use a domain name like [sites."example.com"] (no scheme, path or port)')
    (workdir / "cleaner.toml").write_text('[sites."example.org"]\ndisable = ["no.such"]\n', encoding="utf-8")
    result = run("audit", "batch.jsonl", "--no-grammar")
    assert result.output.strip().endswith("cleaner.toml: no rule has the id 'no.such' (in "
                                          "[sites.\"example.org\"]); `cleaner rules list` shows them all")


@pytest.mark.parametrize(("url", "domain", "expected"), [
    ("https://www.example.com/a", "example.com", True),
    ("example.com/a", "example.com", True),
    ("https://example.com.evil.net/", "example.com", False),
    ("https://badexample.com/", "example.com", False),
    ("not a url at all", "example.com", False),
    ("", "example.com", False),
])
def test_on_site(url: str, domain: str, expected: bool):
    assert on_site(host_of(url), domain) is expected
