"""Streaming batch runs: same outputs as the one-shot writer, compressed and piped input, worker processes."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.read import read_path
from cleaner.report.json_report import report_to_json
from cleaner.run import run_file
from cleaner.sources import expand_inputs, input_suffix
from conftest import ROOT, SEED

runner = CliRunner()


def records(n: int) -> list[str]:
    """``n`` JSONL lines: articles made from the seed, with broken records mixed in."""
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    lines = []
    for i in range(n):
        if i % 13 == 5:
            lines.append('{"id": "bad-%d", "text": ' % i)  # truncated JSON
        elif i % 13 == 9:
            lines.append(json.dumps({"id": f"nt-{i}", "headline": "no text field"}))
        else:
            lines.append(json.dumps({"id": f"r{i}", "title": f"Story {i}", "author": "Aila Slisco",
                                     "text": body.replace("Putin", f"Putin{i % 3}"), "extra": {"n": i}},
                                    ensure_ascii=False))
    return lines


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def clean(*args: str):
    return runner.invoke(app, ["clean", "--no-grammar", *args], catch_exceptions=False)


def test_streamed_outputs_equal_the_one_shot_writer(workdir: Path, pipeline):
    (workdir / "in.jsonl").write_text("\n".join(records(30)) + "\n", encoding="utf-8")
    result = clean("in.jsonl", "--html", "none", "-j", "1")
    assert result.exit_code == 1, "broken records make the exit code 1"
    run = run_file(Path("in.jsonl"), pipeline)
    expected = json.dumps(report_to_json(list(run.results), list(run.failures)), ensure_ascii=False, indent=2) + "\n"
    assert (workdir / "reports" / "in.findings.json").read_text(encoding="utf-8") == expected
    out = (workdir / "reports" / "in.cleaned.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(out) == 30, "one output record per input record"
    assert [json.loads(x).get("id") for x in out[:5]] == ["r0", "r1", "r2", "r3", "r4"]
    assert "not valid JSON" in json.loads(out[5])["cleaner"]["error"]
    assert json.loads(out[0])["extra"] == {"n": 0}, "every input field is kept"
    assert "in.jsonl: 26 records (4 unreadable)" in result.output


def test_worker_processes_give_the_same_bytes_as_one_process(workdir: Path):
    (workdir / "in.jsonl").write_text("\n".join(records(60)) + "\n", encoding="utf-8")
    assert clean("in.jsonl", "--report-dir", "one", "-j", "1", "--html", "none").exit_code == 1
    assert clean("in.jsonl", "--report-dir", "two", "-j", "2", "--html", "none").exit_code == 1
    for name in ("in.cleaned.jsonl", "in.findings.json"):
        assert (workdir / "one" / name).read_bytes() == (workdir / "two" / name).read_bytes(), name


def test_gzip_zstd_and_plain_inputs_agree(workdir: Path):
    data = ("\n".join(records(14)) + "\n").encode()
    (workdir / "plain").mkdir()
    (workdir / "plain" / "day.jsonl").write_bytes(data)
    (workdir / "gz").mkdir()
    (workdir / "gz" / "day.jsonl.gz").write_bytes(gzip.compress(data))
    (workdir / "zst").mkdir()
    (workdir / "zst" / "day.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    outs = []
    for kind in ("plain", "gz", "zst"):
        result = clean(kind, "--report-dir", f"rep-{kind}", "--html", "none")
        assert result.exit_code == 1
        label = {"plain": "plain/day.jsonl", "gz": "gz/day.jsonl.gz", "zst": "zst/day.jsonl.zst"}[kind]
        outs.append((workdir / f"rep-{kind}" / "day.cleaned.jsonl").read_text(encoding="utf-8").replace(label, "X"))
        findings = json.loads((workdir / f"rep-{kind}" / "day.findings.json").read_text(encoding="utf-8"))
        assert findings["summary"]["files"] == 12 and findings["summary"]["unreadable"] == 2
    assert outs[0] == outs[1] == outs[2]


def test_truncated_gzip_keeps_the_records_before_the_damage(workdir: Path):
    rng = random.Random(7)  # records that compress like real ones, not 40:1
    lines = [json.dumps({**json.loads(r), "blob": rng.randbytes(3000).hex()}) if r.endswith("}") else r
             for r in records(12)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    (workdir / "cut.jsonl.gz").write_bytes(data[: len(data) * 2 // 3])
    result = clean("cut.jsonl.gz", "--html", "none")
    assert result.exit_code == 1
    assert "cut.jsonl.gz: could not be read to the end" in result.output
    assert (workdir / "reports" / "cut.cleaned.jsonl").read_text().count("\n") >= 1


def test_stdin_to_stdout(workdir: Path):
    lines = records(8)
    proc = subprocess.run([sys.executable, "-m", "cleaner", "clean", "-", "-o", "-", "--no-grammar", "--html",
                           "none", "--no-progress"], input="\n".join(lines) + "\n", capture_output=True,
                          text=True, cwd=workdir, check=False)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == 8 and json.loads(out[0])["id"] == "r0"
    assert "<stdin>:6: is not valid JSON" in proc.stderr
    assert (workdir / "reports" / "stdin.findings.json").exists()


def test_folder_include_and_exclude_globs(workdir: Path):
    (workdir / "in" / "2024" / "drafts").mkdir(parents=True)
    (workdir / "in" / "2024" / "a.jsonl").write_text(records(1)[0] + "\n")
    (workdir / "in" / "2024" / "drafts" / "b.jsonl").write_text(records(1)[0] + "\n")
    (workdir / "in" / "notes.txt").write_text("Title\n\nBody.\n")
    found = [s.label for s in expand_inputs([workdir / "in"]) if hasattr(s, "records")]
    assert [Path(p).name for p in found] == ["a.jsonl", "b.jsonl", "notes.txt"]
    only = [s.label for s in expand_inputs([workdir / "in"], include=["*.jsonl"], exclude=["drafts/*"])]
    assert [Path(p).name for p in only] == ["a.jsonl"]
    result = clean("in", "--include", "*.txt", "--html", "none")
    assert result.exit_code == 0 and "notes.txt" in result.output and "a.jsonl" not in result.output
    nothing = clean("in", "--include", "*.csv")
    assert nothing.exit_code == 2 and "is a folder with no files matching *.csv" in nothing.output


def test_html_limit_and_flagged(workdir: Path):
    (workdir / "in.jsonl").write_text("\n".join(records(10)) + "\n", encoding="utf-8")
    result = clean("in.jsonl", "--html-limit", "3")
    assert len(list((workdir / "reports" / "in").glob("*.html"))) == 3
    assert "HTML reports were written for the first 3 records only" in result.output
    index = (workdir / "reports" / "index.html").read_text(encoding="utf-8")
    # 10 records, 2 of them broken: the page says it lists only some of the 8 articles, and counts both failures.
    assert "lists the 3 of the run's 8 articles that have an HTML report" in index
    assert "3 articles" in index and "2 unreadable" in index
    (workdir / "calm.jsonl").write_text(json.dumps({"id": "c", "text": "The council met on Tuesday."}) + "\n"
                                        + records(1)[0] + "\n")
    clean("calm.jsonl", "--html", "flagged")
    assert [p.name for p in (workdir / "reports" / "calm").glob("*.html")] == ["00002-r0.html"]


def test_audit_streams_json_and_text(workdir: Path):
    (workdir / "in.jsonl").write_text("\n".join(records(7)) + "\n", encoding="utf-8")
    shutil.copy(SEED, workdir / "seed.txt")
    result = runner.invoke(app, ["audit", "--no-grammar", "in.jsonl", "seed.txt", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["summary"]["files"] == 6 + 1 and data["summary"]["unreadable"] == 1
    assert data["errors"][0]["path"] == "in.jsonl:6"
    text = runner.invoke(app, ["audit", "--no-grammar", "in.jsonl"])
    assert text.exit_code == 1 and "in.jsonl#r0:" in text.output


def test_input_suffixes():
    assert input_suffix("x.ndjson.gz") == ".ndjson.gz" and input_suffix("x.JSONL") == ".jsonl"


def test_utf16_jsonl_reads_like_utf8(workdir: Path):
    text = "\n".join(records(3)) + "\n"
    (workdir / "u8.jsonl").write_text(text, encoding="utf-8")
    (workdir / "u16.jsonl").write_bytes(text.encode("utf-16"))
    assert clean("u8.jsonl", "--html", "none").exit_code == 0
    assert clean("u16.jsonl", "--html", "none").exit_code == 0
    assert (workdir / "reports" / "u16.cleaned.jsonl").read_bytes() == (workdir / "reports" / "u8.cleaned.jsonl").read_bytes()


def test_corpus_records_keep_their_count(workdir: Path):
    corpus = ROOT.parent / "shared" / "corpora" / "extraction-dev" / "traf.jsonl"
    if not corpus.exists():
        pytest.skip("the extraction corpus is not next to this checkout")
    assert sum(1 for _ in read_path(corpus)) == 60
    result = clean(str(corpus), "--html", "none", "--report-dir", "rep", "-j", "2")
    assert result.exit_code == 0
    assert (workdir / "rep" / "traf.cleaned.jsonl").read_text(encoding="utf-8").count("\n") == 60


def test_progress_bar_when_asked_and_never_by_default_off_a_terminal(workdir: Path):
    (workdir / "in.jsonl").write_text("\n".join(records(20)) + "\n", encoding="utf-8")
    shown = clean("in.jsonl", "--html", "none", "--progress")
    assert "cleaning" in shown.stderr and "20/20" in shown.stderr and "articles/s" in shown.stderr
    quiet = clean("in.jsonl", "--html", "none")
    assert "articles/s" not in quiet.stderr


def test_an_interrupted_run_leaves_no_temp_files(workdir: Path, pipeline):
    from cleaner.batch import BatchOptions, OutputOptions, PipelineSpec, Worker, run_batch
    from cleaner.config import Config

    (workdir / "in.jsonl").write_text("\n".join(records(40)) + "\n", encoding="utf-8")
    seen = []

    def stop(outcome):
        seen.append(outcome)
        if len(seen) == 20:
            raise KeyboardInterrupt

    opts = OutputOptions(html="none")
    spec = PipelineSpec.from_paths([], defaults=True, config=Config(), grammar=False)
    with pytest.raises(KeyboardInterrupt):
        run_batch(["in.jsonl"], spec, opts, BatchOptions(), on_failure=lambda m: None, on_outcome=stop,
                  worker=Worker.with_pipeline(pipeline, opts))
    assert not list((workdir / "reports").glob(".*.tmp")) and not list((workdir / "reports").glob("*.jsonl"))


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def test_sigterm_stops_workers_and_removes_temp_files(workdir: Path):
    import signal
    import time

    (workdir / "in.jsonl").write_text("\n".join(records(600)) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "cleaner", "clean", "in.jsonl", "--jobs", "2", "--no-grammar",
                             "--html", "none"], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the pool started"
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    time.sleep(1.5)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()
                and "Z" not in (Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0])]
    assert not list(workdir.glob("reports/.*.tmp"))


def test_a_file_of_only_broken_records_still_comes_out_whole(workdir: Path):
    broken = ['{"id": "a", "text": ', json.dumps({"id": "b", "headline": "no text"}), json.dumps({"id": "c", "text": 7})]
    (workdir / "bad.jsonl").write_text("\n".join(broken) + "\n", encoding="utf-8")
    result = clean("bad.jsonl")
    assert result.exit_code == 2, result.output  # nothing could be read
    out = (workdir / "reports" / "bad.cleaned.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(out) == 3 and all("error" in json.loads(line)["cleaner"] for line in out)
    assert [json.loads(line).get("id") for line in out[1:]] == ["b", "c"]
