"""Fuzzing the whole run: arbitrary bytes and text as .txt, .json, .jsonl and .html inputs go through the
real reading, cleaning and output-writing code (``run_batch``, as the CLI calls it, in this process).

Nothing may escape but a ``CleanerError`` (the CLI's one-line user error); every findings file must be
valid JSON, a JSONL input must give one output line per record, and every cleaned copy plus its edits
must rebuild its input. ``CLEANER_FUZZ_EXAMPLES=5000`` runs it longer than the CI default.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.batch import BatchOptions, OutputOptions, PipelineSpec, Worker, run_batch
from cleaner.clean import reconstruct
from cleaner.config import Config
from cleaner.errors import CleanerError
from cleaner.model import Edit
from cleaner.pipeline import Pipeline

EXAMPLES = int(os.environ.get("CLEANER_FUZZ_EXAMPLES", "400"))
SPEC = PipelineSpec.from_paths([], defaults=True, config=Config(), grammar=False)
PIPELINE = Pipeline(SPEC.rules())
OPTS = OutputOptions(records_out=True, cleaned=True, findings="json", html="all", keep_result=True)
TEXT_FIELDS = ("text", "content", "body", "article", "articleBody")

# Text that reaches the odd corners: mojibake, boilerplate lines, markup, controls, lone surrogates.
PIECES = st.sampled_from(["Back to top button", "Related Articles", "cafÃ©", "doesnâ€™t", "By Jane Doe",
                          "<script>alert(1)</script>", "\r\n", "\n\n", "\x00", "\u2028", "\ufeff", "\ud800",
                          "[time-brightcove not-tgx=”true”]", "The council met. ", "may not be able to resolve.",
                          "Jane Doe / AP Photo", "  ", "\t", "…", "é"])
TEXT = st.one_of(st.text(max_size=200), st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=12).map("".join))
JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | TEXT,
                          lambda kids: st.lists(kids, max_size=3) | st.dictionaries(TEXT, kids, max_size=3),
                          max_leaves=6)
RECORD = st.fixed_dictionaries({}, optional={
    "id": st.one_of(TEXT, st.integers()), "title": JSON_VALUE, "author": JSON_VALUE, "url": JSON_VALUE,
    "date": JSON_VALUE, "text": st.one_of(TEXT, JSON_VALUE), "content": TEXT, "html": TEXT, "extra": JSON_VALUE})
LINE = st.one_of(RECORD.map(lambda r: json.dumps(r).encode()), JSON_VALUE.map(lambda v: json.dumps(v).encode()),
                 st.binary(max_size=60), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))


@st.composite
def inputs(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".txt", ".json", ".jsonl", ".html"]))
    if suffix == ".jsonl":
        data = b"\n".join(draw(st.lists(LINE, max_size=6))) + draw(st.sampled_from([b"", b"\n", b"\r\n"]))
    elif suffix == ".json":
        data = draw(st.one_of(RECORD, st.lists(RECORD, max_size=3), JSON_VALUE).map(lambda v: json.dumps(v).encode()))
    elif suffix == ".html":
        data = draw(TEXT.map(lambda t: f"<html><head><title>{t[:30]}</title></head><body><article><p>{t}</p>"
                                       f"<p>{t[::-1]}</p></article></body></html>".encode("utf-8", "surrogatepass")))
    else:
        data = draw(TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
    return suffix, draw(st.one_of(st.just(data), st.binary(max_size=300)))


def run(suffix: str, data: bytes, folder: Path) -> Path:
    (folder / f"in{suffix}").write_bytes(data)
    batch = BatchOptions(report_dir=folder / "out", jobs=1, html_limit=0)
    try:
        run_batch([folder / f"in{suffix}"], SPEC, OPTS, batch, on_failure=lambda m: None,
                  worker=Worker.with_pipeline(PIPELINE, OPTS))
    except CleanerError:  # the user-facing errors, printed as one line by the CLI
        pass
    return folder / "out"


def _edits(entry: dict[str, Any]) -> list[Edit]:
    return [Edit(e["start"], e["end"], e["removed"], e["replacement"], tuple(e["rules"])) for e in entry["edits"]]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json" and text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.split("\n") if line]


def _record_count(data: bytes) -> int | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16: lines are not byte lines
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    return sum(1 for line in lines if line.strip())


def check(suffix: str, data: bytes, out: Path) -> None:
    findings = json.loads((out / "in.findings.json").read_text(encoding="utf-8"))
    entries = findings["files"]
    cleaned_path = out / f"in.cleaned{'.txt' if suffix in ('.txt', '.html') else suffix}"
    for page in out.rglob("*.html"):
        page.read_text(encoding="utf-8")
    if suffix in (".txt", ".html"):
        if not entries:
            assert not cleaned_path.exists()
            return
        (entry,) = entries
        cleaned = cleaned_path.read_bytes().decode("utf-8")
        assert _sha(reconstruct(cleaned, _edits(entry))) == entry["sha256"]
        return
    if not entries and not cleaned_path.exists():
        return  # the file itself could not be read: there are no records to keep
    records = _records(cleaned_path)  # unreadable records come out too, with cleaner.error
    if suffix == ".jsonl" and (count := _record_count(data)) is not None:
        assert len(records) == count, "one output line per input record"
    done = [r for r in records if "error" not in (r.get("cleaner") or {})]
    assert len(done) == len(entries)
    for record, entry in zip(done, entries, strict=True):
        rebuilt = {_sha(reconstruct(record[f], _edits(entry))) for f in TEXT_FIELDS if isinstance(record.get(f), str)}
        assert entry["sha256"] in rebuilt
        assert record["cleaner"]["original_text"] is not None


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])
@given(inputs())
@example((".jsonl", b'{"id": "a", "text": "Hello \\ud800 world.\\n\\nBack to top button"}\n'))
@example((".json", b'[{"text": "One."}, {"text": "Two.\\n\\nRelated Articles"}]'))
@example((".jsonl", b'{"id": "...", "text": "x"}\n{"id": "../../x", "text": "y"}\n'))
@example((".json", b'{"text": "\\u2028"}'))
@example((".jsonl", b'{"text": "a\\u2028b\\u0085c"}\n'))
def test_whole_run_never_crashes_and_outputs_parse(case: tuple[str, bytes]):
    suffix, data = case
    with tempfile.TemporaryDirectory() as tmp:
        out = run(suffix, data, Path(tmp))
        check(suffix, data, out)
