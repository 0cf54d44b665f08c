"""Fingerprints and baselines: known findings stay visible, only new ones fail the run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.fingerprint import result_fingerprints
from cleaner.pipeline import clean_text
from cleaner.rules import load_rules
from conftest import SEED

runner = CliRunner()
RULES = load_rules()
NEW_DEFECT = "[newsletter-signup list=”daily”]\n"


def audit(*args: str):
    return runner.invoke(app, ["audit", "--no-grammar", *args], catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEED, tmp_path / "seed.txt")
    return tmp_path


def test_baseline_round_trip(workdir: Path):
    first = audit("seed.txt", "--write-baseline", "cleaner-baseline.json")
    assert first.exit_code == 1, "the seed has errors, so the run that records them still fails"
    assert "wrote cleaner-baseline.json (22 findings)" in first.output
    baseline = json.loads((workdir / "cleaner-baseline.json").read_text(encoding="utf-8"))
    assert baseline["kind"] == "cleaner-baseline" and len(baseline["findings"]) == 22

    known = audit("seed.txt", "--baseline", "cleaner-baseline.json", "--format", "json")
    assert known.exit_code == 0, "every finding is known"
    data = json.loads(known.stdout)
    assert all(f["baselined"] for f in data["files"][0]["findings"])
    assert data["summary"]["baselined"] == 22

    # One new defect in the middle of the article: it alone counts.
    text = (workdir / "seed.txt").read_text(encoding="utf-8")
    at = text.index("Putin reacted strongly.")
    (workdir / "seed.txt").write_text(text[:at] + NEW_DEFECT + "\n" + text[at:], encoding="utf-8")
    changed = audit("seed.txt", "--baseline", "cleaner-baseline.json", "--format", "json")
    assert changed.exit_code == 1
    findings = json.loads(changed.stdout)["files"][0]["findings"]
    new = [f for f in findings if not f["baselined"]]
    assert [(f["rule"], f["excerpt"]) for f in new] == [("boilerplate.embed-shortcode", NEW_DEFECT.strip())]
    assert len(findings) == 23

    text_out = audit("seed.txt", "--baseline", "cleaner-baseline.json").stdout.splitlines()
    assert [line for line in text_out if not line.endswith("[baselined]")] == [
        line for line in text_out if "newsletter-signup" in line]


def test_baseline_from_config(workdir: Path):
    audit("seed.txt", "--write-baseline", "known.json")
    (workdir / "cleaner.toml").write_text('baseline = "known.json"\n', encoding="utf-8")
    assert audit("seed.txt").exit_code == 0


def test_a_baselined_warning_does_not_fail_a_warning_threshold(workdir: Path):
    audit("seed.txt", "--write-baseline", "known.json")
    assert audit("seed.txt", "--baseline", "known.json", "--fail-on", "info").exit_code == 0
    assert audit("seed.txt", "--fail-on", "info").exit_code == 1


@pytest.mark.parametrize(("content", "message"), [
    (None, "missing.json: does not exist; write one with `cleaner audit --write-baseline missing.json`"),
    ("{oops", "missing.json: is not valid JSON (Expecting property name enclosed in double quotes at line 1); "
              "write it again with --write-baseline"),
    ('{"version": 1, "findings": []}', 'missing.json: is not a cleaner baseline (expected a JSON object with '
                                       '"kind": "cleaner-baseline" and a "findings" list)'),
    ('{"version": 7, "kind": "cleaner-baseline", "findings": []}',
     "missing.json: is baseline version 7; this cleaner reads version 1"),
    ('{"version": 1, "kind": "cleaner-baseline", "findings": [{"path": 3}]}',
     "missing.json: finding 1 needs a string 'path' and 'fingerprint'"),
])
def test_bad_baseline_is_one_line(workdir: Path, content: str | None, message: str):
    if content is not None:
        (workdir / "missing.json").write_text(content, encoding="utf-8")
    result = audit("seed.txt", "--baseline", "missing.json")
    assert result.exit_code == 2
    assert result.output.strip() == f"cleaner error: {message}"


def test_fingerprints_survive_a_rerun_and_edits_elsewhere():
    text = SEED.read_text(encoding="utf-8")
    first = clean_text(text, rules=RULES)
    again = clean_text(text, rules=RULES)
    assert result_fingerprints(first) == result_fingerprints(again)
    assert len(set(result_fingerprints(first))) == len(first.findings), "fingerprints are unique per article"
    # A paragraph added at the top shifts every offset, but no fingerprint.
    at = text.index("\n\n") + 2
    shifted = clean_text(text[:at] + "An editor's note was added to this story.\n\n" + text[at:], rules=RULES)
    before = {(f.rule, f.excerpt): fp for f, fp in zip(first.findings, result_fingerprints(first), strict=True)}
    after = {(f.rule, f.excerpt): fp for f, fp in zip(shifted.findings, result_fingerprints(shifted), strict=True)}
    same = [key for key in before if key in after and before[key] == after[key]]
    assert len(same) >= len(before) - 1, set(before) - set(same)


def test_repeated_identical_findings_get_distinct_fingerprints():
    text = "Title\n\n" + "The story goes on here today.\n\nShare this article\n\n" * 4 + "The end.\n"
    result = clean_text(text, rules=RULES)
    fps = [fp for f, fp in zip(result.findings, result_fingerprints(result), strict=True)
           if f.excerpt == "Share this article"]
    assert len(fps) == 4 and len(set(fps)) == 4
    # The first three lines have the same text and the same surroundings: order tells them apart.
    assert fps[1:3] == [fps[0] + "-2", fps[0] + "-3"] and "-" not in fps[3]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), st.integers(0, 5))
def test_fingerprint_ignores_spacing_and_case(noise: str, spaces: int):
    from cleaner.fingerprint import fingerprint
    base = "Before the line.\nRelated Articles\nAfter the line."
    start = base.index("Related")
    spaced = base.replace("Related Articles", "RELATED" + " " * (spaces + 1) + "articles")
    end = start + len("RELATED" + " " * (spaces + 1) + "articles")
    assert fingerprint("r", base, start, start + 16) == fingerprint("r", spaced, start, end)
    assert fingerprint("r", base, start, start + 16) != fingerprint("other", base, start, start + 16)
    assert len(fingerprint("r", noise, 0, len(noise))) == 16
