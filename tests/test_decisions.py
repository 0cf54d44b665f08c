"""Review decisions applied back: `cleaner apply` honours them through decide and clean."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner.clean import reconstruct
from cleaner.cli import app
from cleaner.decisions import DecisionsError, apply_decisions, load_decisions
from cleaner.fingerprint import result_fingerprints
from cleaner.model import Action
from cleaner.pipeline import clean_text
from cleaner.rules import load_rules
from conftest import SEED

runner = CliRunner()
RULES = load_rules()
TEXT = SEED.read_text(encoding="utf-8")
RESULT = clean_text(TEXT, source="seed.txt", rules=RULES)
PRINTS = dict(zip(map(id, RESULT.findings), result_fingerprints(RESULT), strict=True))


def find(rule: str, snippet: str):
    (f,) = [f for f in RESULT.findings if f.rule == rule and snippet in TEXT[f.start:f.end]]
    return f, PRINTS[id(f)]


def test_no_decisions_changes_nothing():
    applied = apply_decisions(RESULT, {})
    assert applied.result.cleaned == RESULT.cleaned and applied.result.edits == RESULT.edits
    assert [f.applied for f in applied.result.findings] == [f.applied for f in RESULT.findings]


def test_a_rejected_removal_keeps_its_text():
    caption, fp = find("boilerplate.photo-caption", "Adam Schultz / White House via AP")
    assert caption.applied and TEXT[caption.start:caption.end] not in RESULT.cleaned
    applied = apply_decisions(RESULT, {fp: "reject"})
    assert TEXT[caption.start:caption.end] in applied.result.cleaned
    assert "Back to top button" not in applied.result.cleaned, "other removals still apply"
    assert applied.matched == (fp,) and applied.unmatched == ()
    assert reconstruct(applied.result.cleaned, applied.result.edits) == TEXT
    (after,) = [f for f in applied.result.findings if f.start == caption.start and f.rule == caption.rule]
    assert after.applied is False and after.action is Action.REMOVE, "the finding keeps its own action"


def test_an_accepted_flag_removes_the_sentence_and_whitespace_stays_tidy():
    garbled, fp = find("garbled.sentence", "may not be able to resolve.")
    assert not garbled.applied and "may not be able to resolve." in RESULT.cleaned
    applied = apply_decisions(RESULT, {fp: "accept"})
    cleaned = applied.result.cleaned
    assert "may not be able to resolve." not in cleaned
    assert "but also differences.\n" in cleaned, "no trailing space where the sentence was"
    assert reconstruct(cleaned, applied.result.edits) == TEXT


def test_an_accepted_suggestion_replaces_and_a_rejected_replacement_keeps():
    text = "Title\n\nThe council met on Tuesday . The vote was close.\n"
    result = clean_text(text, rules=RULES)
    fixes = [(f, fp) for f, fp in zip(result.findings, result_fingerprints(result), strict=True)
             if f.action is Action.REPLACE]
    assert fixes, "a replace finding in this text"
    f, fp = fixes[0]
    assert f.applied
    kept = apply_decisions(result, {fp: "reject"})
    assert text[f.start:f.end] in kept.result.cleaned and kept.result.cleaned != result.cleaned
    # A flag that carries a suggestion (as LanguageTool findings do): accepting it applies the suggestion.
    flagged = clean_text(text.replace("The vote was close.", "the vote was close."), rules=RULES)
    i = next(i for i, x in enumerate(flagged.findings) if x.category == "garbled")
    suggested = dataclasses.replace(flagged.findings[i], replacement="The vote was close.")
    flagged = dataclasses.replace(flagged, findings=(*flagged.findings[:i], suggested, *flagged.findings[i + 1:]))
    applied = apply_decisions(flagged, {result_fingerprints(flagged)[i]: "accept"})
    assert "The vote was close." in applied.result.cleaned, "accepting a flag with a suggestion applies it"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["accept", "reject", None]), min_size=len(RESULT.findings),
                max_size=len(RESULT.findings)))
def test_any_decisions_keep_the_reconstruction_invariant(choices):
    decisions = {fp: c for fp, c in zip(result_fingerprints(RESULT), choices, strict=True) if c}
    applied = apply_decisions(RESULT, decisions)
    assert reconstruct(applied.result.cleaned, applied.result.edits) == TEXT
    flat = " ".join(applied.result.cleaned.split())
    for f, c in zip(RESULT.findings, choices, strict=True):
        others = [(o, oc) for o, oc in zip(RESULT.findings, choices, strict=True)
                  if o is not f and o.start < f.end and f.start < o.end]
        # A rejected finding's text survives unless another finding over it still takes it out.
        if c == "reject" and not any(oc == "accept" or (o.action is not Action.FLAG and oc is None)
                                     for o, oc in others):
            assert " ".join(TEXT[f.start:f.end].split()) in flat


# --- the command ------------------------------------------------------------------------------------

@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEED, tmp_path / "seed.txt")
    return tmp_path


def decisions_file(path: Path, articles: list[dict]) -> Path:
    path.write_text(json.dumps({"kind": "cleaner-decisions", "version": 1, "articles": articles}), encoding="utf-8")
    return path


def test_apply_writes_the_reviewed_copy(workdir: Path):
    caption, fp = find("boilerplate.photo-caption", "Adam Schultz / White House via AP")
    garbled, gfp = find("garbled.sentence", "may not be able to resolve.")
    (workdir / "review").mkdir()
    decisions_file(workdir / "review" / "decisions.json", [{"source": "seed.txt", "input": "seed.txt",
                   "sha256": RESULT.article.sha256,
                   "decisions": [{"fingerprint": fp, "decision": "reject"}, {"fingerprint": gfp, "decision": "accept"}]}])
    result = runner.invoke(app, ["apply", "review/decisions.json", "--no-grammar"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "seed.txt: 2 decisions applied (1 accepted, 1 rejected); 7 edits" in result.output
    reviewed = (workdir / "review" / "seed.reviewed.txt").read_text(encoding="utf-8")
    assert TEXT[caption.start:caption.end] in reviewed and "may not be able to resolve." not in reviewed
    data = json.loads((workdir / "review" / "seed.reviewed.findings.json").read_text(encoding="utf-8"))
    edits = data["files"][0]["edits"]
    assert reconstruct(reviewed, [type(RESULT.edits[0])(e["start"], e["end"], e["removed"], e["replacement"],
                                                        tuple(e["rules"])) for e in edits]) == TEXT
    assert (workdir / "review" / "seed.reviewed.html").exists()
    out = runner.invoke(app, ["apply", "review/decisions.json", "--no-grammar", "-o", "final.txt"])
    assert out.exit_code == 0 and (workdir / "final.txt").read_text(encoding="utf-8") == reviewed


def test_apply_reports_what_it_could_not_apply(workdir: Path):
    decisions_file(workdir / "d.json", [
        {"source": "seed.txt", "input": "seed.txt", "sha256": "old",
         "decisions": [{"fingerprint": "0123456789abcdef", "decision": "reject", "rule": "garbled.sentence",
                        "line": 4}]},
        {"source": "gone.txt", "input": "gone.txt", "decisions": []},
    ])
    result = runner.invoke(app, ["apply", "d.json", "--no-grammar"], catch_exceptions=False)
    assert result.exit_code == 1
    assert ("seed.txt: the decision to reject finding 0123456789abcdef (garbled.sentence, 4) matches no finding "
            "of this run; the rules or the input changed") in result.output
    assert "gone.txt: does not exist, so its 1 reviewed article(s) cannot be applied" in result.output
    assert "note: seed.txt: changed since the review; decisions were matched by fingerprint" in result.output
    assert (workdir / "seed.reviewed.txt").read_text(encoding="utf-8") == RESULT.cleaned


def test_apply_to_jsonl_records(workdir: Path):
    records = [{"id": "a1", "text": "The council met.\n\nRelated Articles\n\nIt voted."},
               {"id": "a2", "text": "Rain fell.\n\nRelated Articles"}]
    (workdir / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    runner.invoke(app, ["clean", "feed.jsonl", "--no-grammar"], catch_exceptions=False)
    found = json.loads((workdir / "reports" / "feed.findings.json").read_text(encoding="utf-8"))
    fp = found["files"][0]["findings"][0]["fingerprint"]
    decisions_file(workdir / "reports" / "decisions.json", [
        {"source": "feed.jsonl#a1", "input": "feed.jsonl", "decisions": [{"fingerprint": fp, "decision": "reject"}]}])
    result = runner.invoke(app, ["apply", "reports/decisions.json", "--no-grammar"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in (workdir / "reports" / "feed.reviewed.jsonl").read_text().splitlines()]
    assert out[0]["text"] == "The council met.\n\nRelated Articles\n\nIt voted."
    assert out[1]["text"] == "Rain fell.", "records without decisions get the tool's cleaning"


@pytest.mark.parametrize(("content", "message"), [
    ("[1]", 'd.json: is not a cleaner decisions file (expected a JSON object with "kind": "cleaner-decisions" '
            'and an "articles" list)'),
    ('{"kind": "cleaner-decisions", "version": 1, "articles": [{"source": "a", "decisions": [{"fingerprint": "x", '
     '"decision": "maybe"}]}]}',
     "d.json: article 1: decision 1 must say \"decision\": \"accept\" or \"reject\" (got 'maybe')"),
    ('{"kind": "cleaner-decisions", "version": 2, "articles": []}',
     "d.json: is decisions version 2; this cleaner reads version 1"),
    ("{", "d.json: is not valid JSON (Expecting property name enclosed in double quotes at line 1)"),
])
def test_bad_decisions_files_are_one_line(workdir: Path, content: str, message: str):
    (workdir / "d.json").write_text(content, encoding="utf-8")
    with pytest.raises(DecisionsError) as exc:
        load_decisions([workdir / "d.json"])
    assert str(exc.value).endswith(message)
    result = runner.invoke(app, ["apply", "d.json", "--no-grammar"])
    assert result.exit_code == 2 and result.output.startswith("cleaner error: ")
    assert result.output.count("\n") == 1
