"""The Ray engine on a local Ray instance gives the same records and findings as the local engine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from test_batch import records

ray = pytest.importorskip("ray", reason="the dev extra installs ray[data]")
runner = CliRunner()


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=os.cpu_count() or 2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def sorted_lines(paths: list[Path]) -> list[str]:
    return sorted(line for p in paths for line in p.read_text(encoding="utf-8").splitlines())


def test_ray_matches_local_byte_for_byte(tmp_path: Path, local_ray, grammar):
    lines = records(40)
    lines.insert(3, b'{"id": "latin", "text": "Caf\xe9 opened."}'.decode("latin-1"))  # not UTF-8 once encoded
    data = b"\n".join(line.encode("latin-1") if line.startswith('{"id": "latin"') else line.encode("utf-8")
                      for line in lines) + b"\n"
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    local = runner.invoke(app, ["clean", str(source), "--report-dir", str(tmp_path / "local"), "--findings", "jsonl",
                                "--html", "none", "-j", "1", "--grammar"], catch_exceptions=False)
    assert local.exit_code == 1, local.output
    distributed = runner.invoke(app, ["clean", str(source), "--engine", "ray", "-o", str(tmp_path / "ray"),
                                      "--grammar"], catch_exceptions=False)
    assert distributed.exit_code == 1, distributed.output
    parts = sorted((tmp_path / "ray").glob("part-*.jsonl"))
    assert len(parts) >= 1
    ray_records = sorted_lines(parts)
    local_records = sorted_lines([tmp_path / "local" / "in.cleaned.jsonl"])
    assert len(ray_records) == len(lines) and ray_records == local_records
    ray_findings = sorted_lines(sorted((tmp_path / "ray" / "findings").glob("part-*.jsonl")))
    assert ray_findings == sorted_lines([tmp_path / "local" / "in.findings.jsonl"])
    entries = [json.loads(x) for x in ray_findings]
    assert sum("message" in e for e in entries) == 6, "the broken records are reported, once each"
    assert any(f["rule"].startswith("languagetool.") for e in entries for f in e.get("findings", [])), \
        "the actors checked grammar with a LanguageTool client"
    assert "ray: 35 records (6 unreadable)" in distributed.output


def test_ray_needs_an_output_folder(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_text(records(1)[0] + "\n")
    result = runner.invoke(app, ["clean", str(source), "--engine", "ray", "--no-grammar"])
    assert result.exit_code == 2 and "--engine ray needs --output" in result.output
