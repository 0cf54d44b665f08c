"""CI output formats: SARIF against the official schema, GitHub and JUnit on exact text, JSONL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from conftest import SEED

runner = CliRunner()
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
SMALL = "Budget vote\n\nThe council approved the budget on Tuesday. the mayor said it was fine.\n\nRelated Articles\n"
CALM = "A quiet day\n\nThe council met on Tuesday and approved the budget.\n"
PROMO_RULE = """\
rules:
  - id: site.promo
    category: boilerplate
    severity: info
    action: flag
    message: "Promo: 100% off, today only"
    phrases: [Big sale]
    match: anywhere
    scope: sentence
    examples:
      match: ["Big sale on now."]
"""


def audit(*args: str):
    return runner.invoke(app, ["audit", "--no-grammar", *args], catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "small.txt").write_text(SMALL, encoding="utf-8")
    (tmp_path / "calm.txt").write_text(CALM, encoding="utf-8")
    (tmp_path / "news, today.txt").write_text("Sale day\n\nBig sale at the market.\n", encoding="utf-8")
    (tmp_path / "promo.yml").write_text(PROMO_RULE, encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    return tmp_path


def validate_sarif(text: str) -> dict:
    doc = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    return doc


def test_sarif_validates_against_the_official_schema(workdir: Path):
    result = audit("seed.txt", "small.txt", "bad.json", "--format", "sarif")
    assert result.exit_code == 1
    doc = validate_sarif(result.stdout)
    (run,) = doc["runs"]
    results = run["results"]
    assert len(results) == 22 + 2
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["partialFingerprints"]["cleanerFingerprint/v1"]
    first = next(r for r in results if r["ruleId"] == "boilerplate.embed-shortcode")
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 8, "startColumn": 1, "endLine": 8, "endColumn": 33, "charOffset": 883,
                      "charLength": 32, "snippet": {"text": "[time-brightcove not-tgx=”true”]"}}
    assert first["level"] == "error"
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("bad.json: is not valid JSON")


def test_sarif_marks_baselined_findings_as_suppressed(workdir: Path):
    assert audit("seed.txt", "--write-baseline", "base.json").exit_code == 1
    result = audit("seed.txt", "small.txt", "--baseline", "base.json", "--format", "sarif")
    doc = validate_sarif(result.stdout)
    results = doc["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == 22
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "seed.txt" for r in suppressed)
    assert suppressed[0]["suppressions"] == [{"kind": "external", "status": "accepted",
                                              "justification": "Listed in base.json."}]
    assert [r["ruleId"] for r in results if not r.get("suppressions")] == ["garbled.sentence",
                                                                           "boilerplate.site-chrome"]


def test_sarif_for_records_points_at_the_file_and_names_the_record(workdir: Path):
    records = [{"id": "a1", "title": "T", "text": "The council met.\n\nRelated Articles"},
               {"id": "a2", "text": "Rain fell on Tuesday."}]
    (workdir / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    doc = validate_sarif(audit("batch.jsonl", "--format", "sarif").stdout)
    (result,) = doc["runs"][0]["results"]
    location = result["locations"][0]
    assert location["physicalLocation"] == {"artifactLocation": {"uri": "batch.jsonl"}}
    assert location["logicalLocations"] == [{"fullyQualifiedName": "batch.jsonl#a1", "kind": "object"}]
    assert result["properties"]["line"] == 3


def test_github_annotations_exact_text(workdir: Path):
    result = audit("small.txt", "calm.txt", "news, today.txt", "bad.json", "--rules", "promo.yml",
                   "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::warning file=small.txt,line=3,col=45,endLine=3,endColumn=71,title=garbled.sentence"
        "::Sentence looks garbled: lowercase-start (starts with 'the').\n"
        "::error file=small.txt,line=5,col=1,endLine=5,endColumn=16,title=boilerplate.site-chrome"
        "::Site navigation line 'Related Articles' is not part of the article.\n"
        "::notice file=news%2C today.txt,line=3,col=1,endLine=3,endColumn=8,title=site.promo"
        "::Promo: 100%25 off, today only\n"
        "::error file=bad.json,title=unreadable input"
        "::bad.json: is not valid JSON (Expecting property name enclosed in double quotes at line 1, column 2)\n"
    )


def test_github_baselined_findings_are_notices(workdir: Path):
    audit("small.txt", "--write-baseline", "base.json")
    result = audit("small.txt", "--baseline", "base.json", "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "::notice file=small.txt,line=3,col=45,endLine=3,endColumn=71,title=garbled.sentence (baselined)"
        "::Sentence looks garbled: lowercase-start (starts with 'the').",
        "::notice file=small.txt,line=5,col=1,endLine=5,endColumn=16,title=boilerplate.site-chrome (baselined)"
        "::Site navigation line 'Related Articles' is not part of the article.",
    ]


def test_junit_exact_text(workdir: Path):
    result = audit("small.txt", "calm.txt", "news, today.txt", "bad.json", "--rules", "promo.yml",
                   "--format", "junit")
    assert result.exit_code == 1
    assert result.stdout == """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="cleaner" tests="4" failures="1" errors="1">
  <testsuite name="cleaner audit" tests="4" failures="1" errors="1" skipped="0">
    <testcase classname="cleaner" name="small.txt">
      <failure type="error" message="1 finding at or above error">small.txt:5:1: error boilerplate.site-chrome \
Site navigation line 'Related Articles' is not part of the article.
</failure>
      <system-out>small.txt:3:45: warning garbled.sentence Sentence looks garbled: lowercase-start (starts with 'the').
</system-out>
    </testcase>
    <testcase classname="cleaner" name="calm.txt" />
    <testcase classname="cleaner" name="news, today.txt">
      <system-out>news, today.txt:3:1: info site.promo Promo: 100% off, today only
</system-out>
    </testcase>
    <testcase classname="cleaner" name="bad.json">
      <error type="unreadable" message="bad.json: is not valid JSON (Expecting property name enclosed in \
double quotes at line 1, column 2)" />
    </testcase>
  </testsuite>
</testsuites>
"""


def test_junit_escapes_markup_and_control_characters(workdir: Path):
    (workdir / "odd.txt").write_text("Odd <b>&amp;\n\nBig sale \x01 on <script>.\n", encoding="utf-8")
    out = audit("odd.txt", "--rules", "promo.yml", "--format", "junit", "--fail-on", "info").stdout
    import xml.etree.ElementTree as ET
    root = ET.fromstring(out.encode("utf-8"))
    (case,) = root.iter("testcase")
    assert case.get("name") == "odd.txt"
    assert "site.promo" in case.find("failure").text


def test_jsonl_one_finding_per_line(workdir: Path):
    result = audit("small.txt", "calm.txt", "bad.json", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("rule") for r in rows] == ["garbled.sentence", "boilerplate.site-chrome", None]
    assert rows[0]["path"] == "small.txt" and rows[0]["baselined"] is False and len(rows[0]["fingerprint"]) == 16
    assert rows[2] == {"path": "bad.json", "error": "is not valid JSON (Expecting property name enclosed in "
                                                    "double quotes at line 1, column 2)"}


def test_unknown_format_is_a_usage_error(workdir: Path):
    result = audit("small.txt", "--format", "xml")
    assert result.exit_code == 2
    assert "--format must be one of text, json, jsonl, sarif, github, junit (got 'xml')" in result.output


def test_jsonl_and_json_stay_whole_when_a_name_holds_a_line_separator(workdir: Path):
    # U+2028 ends a line for str.splitlines and many JSONL readers: it must be written as an escape.
    odd = "odd\u2028name.txt"
    (workdir / odd).write_text((workdir / "small.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = audit(odd, "--format", "jsonl").stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(r["path"] == odd for r in rows)
    assert "\u2028" not in audit(odd, "--format", "json").stdout
