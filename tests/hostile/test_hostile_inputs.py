"""Bad and hostile inputs give a finding or a one-line message, never a crash, a hang or a lost record.

Each case of ``gen_inputs`` is cleaned on its own through the real CLI (in
process, for speed), then the whole corpus at once in a real subprocess: the
good inputs are cleaned despite the bad ones around them.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import threading
import traceback
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.clean import reconstruct
from cleaner.cli import app
from cleaner.model import Article
from cleaner.read import read_path, sha256_of
from gen_inputs import ARTICLE, InputCase, cases, generate

CLEANER = Path(sys.executable).with_name("cleaner")
CASES = cases()
runner = CliRunner()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    generate(root)
    return root


def clean(*args: str):
    """``cleaner clean`` in this process; a crash fails with its traceback."""
    result = runner.invoke(app, ["clean", *args, "--no-grammar", "--jobs", "1", "--fail-on", "never",
                                 "--no-progress"], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("cleaner crashed:\n" + "".join(traceback.format_exception(result.exception)))
    assert "Traceback" not in result.output
    return result


def shown(path: str) -> str:
    """How messages name a file whose name is not UTF-8: its bad bytes escaped."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def skip_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("cleaner: skipped ")]


def expected_exit(case: InputCase) -> int:
    if case.records == 0:
        return 2  # nothing readable
    return 1 if case.errors else 0


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=[pytest.mark.large] if c.large else [])
                                  for c in CASES])
def test_case(case: InputCase, corpus: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = clean(str(corpus / case.path), "--report-dir", str(reports))
    assert result.exit_code == expected_exit(case), result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert all(line.startswith("cleaner: skipped ") for line in lines), result.stderr
    assert len(lines) == case.errors, result.stderr
    if case.outcome == "skipped":
        assert shown(case.path) in lines[0] and case.message in lines[0], lines[0]
        return
    for fragment in case.messages:
        assert any(fragment in line for line in lines), f"no message with {fragment!r}:\n{result.stderr}"
    (findings_file,) = reports.glob("*.findings.json")
    findings = json.loads(findings_file.read_text(encoding="utf-8"))
    assert len(findings["files"]) == case.records
    assert len(findings["errors"]) == case.errors
    for entry in findings["files"]:
        check_offsets(entry)
    rules = {f["rule"] for entry in findings["files"] for f in entry["findings"]}
    assert set(case.rules) <= rules, sorted(rules)
    if case.path.endswith((".jsonl", ".jsonl.gz")):
        check_jsonl_output(next(reports.glob("*.cleaned.jsonl")), corpus / case.path, case)
    elif case.path.endswith(".txt"):
        cleaned = next(reports.glob("*.cleaned.txt")).read_text(encoding="utf-8")
        original = check_rebuilds(cleaned, findings["files"][0])
        if case.decoded is not None:
            assert original == case.decoded
        if case.contains is not None:
            assert case.contains in cleaned


def check_offsets(entry: dict) -> None:
    """Every finding lies inside the original text."""
    for finding in entry["findings"]:
        assert 0 <= finding["start"] <= finding["end"] <= entry["length"], finding


def check_rebuilds(cleaned: str, entry: dict) -> str:
    """The cleaned copy plus the edits give back the original; every repair is found where it says."""
    original = reconstruct(cleaned, [_edit(e) for e in entry["edits"]])
    assert sha256_of(original) == entry["sha256"] and len(original) == entry["length"]
    assert sha256_of(cleaned) == entry["cleaned_sha256"]
    for finding in entry["findings"]:
        before = (finding.get("data") or {}).get("before")
        if before is not None:
            assert original[finding["start"]:finding["end"]] == before, finding
    return original


def _edit(data: dict):
    from cleaner.model import Edit

    return Edit(data["start"], data["end"], data["removed"], data["replacement"], tuple(data["rules"]))


def check_jsonl_output(output: Path, source: Path, case: InputCase) -> None:
    """One output record per input record, in order; each cleaned one rebuilds its input text."""
    # Split at "\n" only: U+2028 and U+0085 are valid inside a JSON string.
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").split("\n")[:-1]]
    assert len(records) == case.output_records
    inputs = _input_lines(source)
    cleaned = 0
    for index, record in enumerate(records):
        meta = record["cleaner"]
        if "error" in meta:
            continue
        cleaned += 1
        field = "text"
        rebuilt = reconstruct(record[field], [_edit(e) for e in meta["edits"]])
        assert rebuilt == meta["original_text"]
        given = _text_of(inputs[index])
        if given is not None:
            assert meta["original_text"] == given, f"record {index + 1}"
    assert cleaned == case.records


def _input_lines(source: Path) -> list[bytes]:
    if source.suffix == ".gz":
        data = b""
        try:
            with gzip.open(source) as fh:
                for line in fh:
                    data += line
        except EOFError:
            pass
    else:
        data = source.read_bytes()
    return [line for line in data.split(b"\n") if line.strip()]


def _text_of(line: bytes) -> str | None:
    """The text field of an input line, when it is plain UTF-8 JSON (else there is no simple truth)."""
    try:
        text = json.loads(line.decode("utf-8")).get("text")
        text.encode("utf-8")
    except (UnicodeError, ValueError, AttributeError):
        return None
    return text


def test_named_fifo_is_read(tmp_path: Path) -> None:
    """A FIFO named on the command line (a shell's ``<(…)``) is read like a file."""
    fifo = tmp_path / "63"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(ARTICLE, encoding="utf-8"), daemon=True)
    writer.start()
    result = clean(str(fifo), "--report-dir", str(tmp_path / "reports"))
    writer.join(5)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout


def test_named_fifo_of_records_is_not_drained_before_it_is_read(tmp_path: Path) -> None:
    """A JSONL FIFO is read once: counting its lines for the progress bar would lose every record."""
    fifo = tmp_path / "day.jsonl"
    os.mkfifo(fifo)
    lines = "".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in range(3))
    writer = threading.Thread(target=lambda: fifo.write_text(lines, encoding="utf-8"), daemon=True)
    writer.start()
    result = clean(str(fifo), "--report-dir", str(tmp_path / "reports"), "--progress")
    writer.join(5)
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "reports" / "day.cleaned.jsonl").read_text(encoding="utf-8").splitlines()) == 3


@pytest.mark.large
def test_whole_corpus_in_one_run(corpus: Path, tmp_path: Path) -> None:
    """One run over every case: the good inputs are all cleaned, each bad one is named, exit code 1."""
    proc = subprocess.run([str(CLEANER), "clean", str(corpus), "--no-grammar", "--report-dir", str(tmp_path / "r"),
                           "--jobs", "2", "--fail-on", "never", "--no-progress"],
                          capture_output=True, timeout=150, check=False)
    stdout, stderr = (s.decode("utf-8", errors="replace") for s in (proc.stdout, proc.stderr))
    assert "Traceback" not in stdout + stderr, stderr
    assert proc.returncode == 1, stderr
    skipped = skip_lines(stderr)
    # A folder found inside a folder is searched, not reported: only named ones are.
    assert len(skipped) == sum(c.errors for c in CASES if c.kind != "dir"), stderr
    cleaned = Counter(_file_of(entry["path"]) for f in (tmp_path / "r").glob("*.findings.json")
                      for entry in json.loads(f.read_text(encoding="utf-8"))["files"])
    for case in CASES:
        assert cleaned[shown(str(corpus / case.path))] == case.records, case.name
        if case.outcome == "skipped" and case.kind != "dir":
            assert any(shown(case.path) in line and case.message in line for line in skipped), case.name
        for fragment in case.messages:
            assert any(fragment in line for line in skipped), (case.name, fragment)


def _file_of(source: str) -> str:
    """The input file of an article: its source less a record label (``#id`` or ``:line``)."""
    return re.sub(r"(#[^/]*|:\d+)$", "", source)


def test_read_path_ends_records_at_newlines_only(corpus: Path) -> None:
    """U+2028 and U+0085 inside a JSON string do not split its record (``read_path``, the library reader)."""
    first, second = read_path(corpus / "separators.jsonl")
    assert isinstance(first, Article) and isinstance(second, Article)
    assert "\u2028still the same record\u0085" in first.text
