"""The CI set-ups the project documents really work: the pre-commit hooks and the README workflow."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import ROOT, SEED

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
CALM = "A quiet day\n\nThe council met on Tuesday and approved the budget.\n"


def cleaner(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "scrapes").mkdir()
    shutil.copy(SEED, tmp_path / "scrapes" / "seed.txt")
    (tmp_path / "scrapes" / "calm.txt").write_text(CALM, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_pre_commit_hook_manifest(hook: dict):
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["language"] == "python" and hook["entry"].split()[0] == "cleaner"
    files = re.compile(hook["files"])
    for name in ("a.txt", "b.html", "c.htm", "d.jsonl", "e.json"):
        assert files.search(name), name
    for name in ("setup.py", "notes.md", "a.txt.bak"):
        assert not files.search(name), name


def test_pre_commit_hooks_run_as_pre_commit_would(repo: Path):
    plain, baselined = HOOKS
    command = shlex.split(plain["entry"])[1:] + plain["args"]
    assert cleaner([*command, "scrapes/calm.txt"], repo).returncode == 0
    failing = cleaner([*command, "scrapes/seed.txt", "scrapes/calm.txt"], repo)
    assert failing.returncode == 1 and "scrapes/seed.txt:8:1: error boilerplate.embed-shortcode" in failing.stdout
    assert cleaner(["audit", "--no-grammar", "scrapes/seed.txt", "--write-baseline", "cleaner-baseline.json"],
                   repo).returncode == 1
    command = shlex.split(baselined["entry"])[1:] + baselined["args"]
    assert cleaner([*command, "scrapes/seed.txt"], repo).returncode == 0


def test_readme_workflow_commands(repo: Path):
    block = README[README.index("name: audit scrapes"):]
    block = block[: block.index("```")]
    workflow = yaml.safe_load(block)
    runs = [step["run"] for step in workflow["jobs"]["cleaner"]["steps"] if "run" in step]
    commands = [line.strip() for run in runs for line in run.splitlines() if line.strip().startswith("cleaner ")]
    assert len(commands) == 3
    cleaner(["audit", "--no-grammar", "scrapes/", "--write-baseline", "cleaner-baseline.json"], repo)
    text = (repo / "scrapes" / "seed.txt").read_text(encoding="utf-8")
    (repo / "scrapes" / "seed.txt").write_text(text.replace("Putin reacted strongly.",
                                                            "Putin reacted strongly.\n\nRelated Articles"), "utf-8")
    annotate = cleaner(shlex.split(commands[0])[1:], repo)
    assert annotate.returncode == 1, "one new error fails the job"
    errors = [line for line in annotate.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "Related Articles" in errors[0]
    for command in commands[1:]:
        args, target = command.split(" > ")
        done = cleaner(shlex.split(args)[1:], repo)
        assert done.returncode == 0, done.stderr
        (repo / target).write_text(done.stdout, encoding="utf-8")
    sarif = json.loads((repo / "cleaner.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert "<testsuites" in (repo / "cleaner-junit.xml").read_text(encoding="utf-8")
