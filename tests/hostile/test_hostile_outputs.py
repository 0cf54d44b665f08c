"""Outputs under hostile conditions: atomic writes, modes, --in-place, no writing over inputs,
no escaping the output folder, and the same bytes from every run."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.clean import reconstruct
from cleaner.cli import app
from cleaner.model import Edit
from cleaner.run import AtomicFile, write_atomic

sys.path.insert(0, str(Path(__file__).parent))
from gen_pages import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
runner = CliRunner()
ARTICLE = "A title\n\nThe council met on Tuesday.\n\nBack to top button\n\nIt approved the budget.\n"


def clean(*args: str):
    return runner.invoke(app, ["clean", "--no-grammar", "-q", *args], catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return tmp_path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- atomic writes and modes ---------------------------------------------------------------------

def test_new_outputs_get_the_umask_mode_and_replaced_ones_keep_theirs(workdir: Path):
    assert clean("a.txt").exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    for path in (workdir / "reports").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path
    findings = workdir / "reports" / "a.findings.json"
    findings.chmod(0o600)
    assert clean("a.txt").exit_code == 0
    assert stat.S_IMODE(findings.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path):
    target = tmp_path / "out.json"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "new \ud800 text")  # a lone surrogate cannot be written as UTF-8
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    half = AtomicFile(tmp_path / "fresh.txt")
    half.write("half of it")
    half.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


# --- never over an input, unless --in-place ------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["a.txt", "-o", "a.txt"],
    ["a.txt", "-o", "./sub/../a.txt"],
    ["a.txt", "-o", "link.txt"],  # a symlink to the input
    ["a.txt", "-o", "hard.txt"],  # a hard link to the input
    ["page.html", "--report-dir", "."],  # the page's report would be page.html
    ["a.txt", "a.findings.json", "--report-dir", "."],  # a.txt's findings file is the other input
    ["in", "--report-dir", "in"],  # an earlier run's index.html is an input now
    ["feed.jsonl", "feed", "--report-dir", "."],  # feed.jsonl's report folder holds the input feed/00001-a.html
])
def test_writing_over_an_input_is_refused_before_any_work(workdir: Path, args: list[str]):
    (workdir / "link.txt").symlink_to("a.txt")
    os.link(workdir / "a.txt", workdir / "hard.txt")
    (workdir / "page.html").write_text("<html><body><p>Hello there, world.</p></body></html>", encoding="utf-8")
    (workdir / "a.findings.json").write_text('{"text": "Named like an output."}', encoding="utf-8")
    (workdir / "in").mkdir()
    (workdir / "in" / "index.html").write_text("<p>an old index</p>", encoding="utf-8")
    (workdir / "feed.jsonl").write_text('{"id": "a", "text": "Hello."}\n', encoding="utf-8")
    (workdir / "feed").mkdir()
    (workdir / "feed" / "00001-a.html").write_text("<p>old report</p>", encoding="utf-8")
    before = tree(workdir)
    result = clean(*args)
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("cleaner error: ") and "input" in line and ("choose another" in line), line
    assert tree(workdir) == before, "nothing was written"


def test_in_place_replaces_each_input_atomically_and_keeps_its_mode(workdir: Path):
    (workdir / "a.txt").chmod(0o640)
    (workdir / "feed.jsonl").write_text('{"id": "r1", "text": "Rain fell.\\n\\nBack to top button"}\n'
                                        '{broken\n', encoding="utf-8")
    (workdir / "feed.jsonl").chmod(0o604)
    result = clean("a.txt", "feed.jsonl", "--in-place", "--report-dir", "rep")
    assert result.exit_code == 1, "the broken record still makes the exit code 1"
    cleaned = (workdir / "a.txt").read_text(encoding="utf-8")
    assert "Back to top button" not in cleaned and "It approved the budget." in cleaned
    assert stat.S_IMODE((workdir / "a.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((workdir / "feed.jsonl").stat().st_mode) == 0o604
    entry = json.loads((workdir / "rep" / "a.findings.json").read_text(encoding="utf-8"))["files"][0]
    edits = [Edit(e["start"], e["end"], e["removed"], e["replacement"], tuple(e["rules"])) for e in entry["edits"]]
    assert reconstruct(cleaned, edits) == ARTICLE, "the findings still rebuild the replaced input"
    lines = (workdir / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["text"] == "Rain fell."
    assert "not valid JSON" in json.loads(lines[1])["cleaner"]["error"]
    assert not list(workdir.glob(".*.tmp")) and not (workdir / "reports").exists()


@pytest.mark.parametrize(("args", "says"), [
    (["a.txt", "--in-place", "-o", "b.txt"], "takes no -o"),
    (["page.html", "--in-place"], "HTML page"),
    (["feed.jsonl.gz", "--in-place"], "compressed"),
    (["-", "--in-place"], "stdin"),
])
def test_in_place_refuses_what_it_cannot_replace(workdir: Path, args: list[str], says: str):
    (workdir / "page.html").write_text("<html><body><p>Hello there.</p></body></html>", encoding="utf-8")
    import gzip

    (workdir / "feed.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n'))
    before = tree(workdir)
    result = clean(*args)
    assert result.exit_code == 2 and says in result.output, result.output
    assert tree(workdir) == before


# --- names cannot escape the output folder ------------------------------------------------------

def test_hostile_names_stay_inside_the_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cases = generate(tmp_path / "in")
    monkeypatch.chdir(tmp_path / "in")
    outside = tree(tmp_path)
    result = clean("traversal", "payloads", "--rules", "rules", "--report-dir", str(tmp_path / "deep" / "out"),
                   "--html-limit", "0", "-j", "1")
    assert result.exit_code == 0, result.output
    after = tree(tmp_path)
    new = {name for name in after if name not in outside}
    assert new and all(name.startswith("deep/out/") for name in new), sorted(new - {"deep/out/"})
    assert all(after[name] == data for name, data in outside.items()), "no input changed"
    out = tmp_path / "deep" / "out"
    names = [p.name for p in out.rglob("*")]
    assert all(len(os.fsencode(n)) <= 255 and n.strip(".") and "\\" not in n for n in names), names
    # Every input has its own findings: same-named inputs do not overwrite each other's outputs.
    findings = sorted(out.glob("*.findings.json"))
    assert len(findings) == sum(1 for c in cases if c.kind != "rules")
    for path in findings:
        json.loads(path.read_text(encoding="utf-8"))
    ids = (tmp_path / "in" / "traversal" / "ids.jsonl").read_text(encoding="utf-8").splitlines()
    cleaned = (out / "ids.cleaned.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(cleaned) == len(ids) and all("cleaner" in json.loads(x) for x in cleaned), "one record out per record in"
    assert len(list((out / "ids").glob("*.html"))) == len(ids)


def test_a_json_list_stays_a_json_list(workdir: Path):
    (workdir / "list.json").write_text(json.dumps([{"text": "One.\n\nBack to top button"}, {"text": "Two."}]),
                                       encoding="utf-8")
    assert clean("list.json").exit_code == 0
    out = json.loads((workdir / "reports" / "list.cleaned.json").read_text(encoding="utf-8"))
    assert [r["text"] for r in out] == ["One.", "Two."]


# --- determinism ---------------------------------------------------------------------------------

def _records(n: int) -> str:
    body = (SEEDS / "ap-biden-putin-spun.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    lines = []
    for i in range(n):
        lines.append('{"id": "bad", "text": ' if i % 11 == 4 else
                     json.dumps({"id": f"r{i}", "title": f"Story {i}", "url": f"https://site{i % 3}.example/{i}",
                                 "text": body.replace("Putin", f"Putin{i % 4}"), "tags": {"b": 1, "a": [i]}}))
    return "\n".join(lines) + "\n"


def test_the_same_input_gives_the_same_bytes(tmp_path: Path):
    """Separate processes, different hash seeds, one worker or two: identical bytes in every output file."""
    generate(tmp_path / "in")
    for name in ("ap-biden-putin-spun.txt", "riverton-flood-barriers.txt", "fivethirtyeight-manchin.html"):
        shutil.copy(SEEDS / name, tmp_path / "in" / "payloads" / name)
    (tmp_path / "in" / "payloads" / "many.jsonl").write_text(_records(40), encoding="utf-8")
    runs = {"one": ("1", "1"), "two": ("2", "2")}
    for out, (seed, jobs) in runs.items():
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-m", "cleaner", "clean", "in/payloads", "in/traversal", "--rules",
                               "in/rules", "--no-grammar", "-q", "--report-dir", out, "--jobs", jobs,
                               "--html-limit", "0"], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 1, proc.stderr  # the broken records
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert len(one) > 40
    different = [name for name in one if one[name] != two[name]]
    assert different == []
