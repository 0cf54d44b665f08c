"""Golden files: each seed's cleaned copy and findings, compared whole.

``seeds/<case>.txt`` is the input, ``<case>.cleaned.txt`` the expected cleaned
copy and ``<case>.findings.txt`` one line per finding. ``UPDATE_GOLDEN=1 pytest``
rewrites the expected files; review the diff like code. ``seeds/expectations.yml``
lists snippets each seed must keep or drop, robust to small rule changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from cleaner.clean import reconstruct
from cleaner.pipeline import clean_text
from cleaner.rules import load_rules

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CASES = sorted(p for p in SEEDS.glob("*.txt") if not p.name.endswith((".cleaned.txt", ".findings.txt")))
RULES = load_rules()
EXPECTATIONS = yaml.safe_load((SEEDS / "expectations.yml").read_text(encoding="utf-8"))


def findings_text(result) -> str:
    lines = []
    for f in result.findings:
        applied = "applied" if f.applied else "-"
        signals = f" [{','.join(f.signals)}]" if f.signals and f.category == "garbled" else ""
        excerpt = " ".join(f.excerpt.split())[:60]
        lines.append(f"{f.line}:{f.column} {f.rule} {f.severity.value} {f.action.value} {applied}{signals} | {excerpt}")
    return "\n".join(lines) + "\n"


def check_golden(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.exists(), f"{path.name} is missing; run UPDATE_GOLDEN=1 pytest tests/test_golden.py"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case: Path):
    text = case.read_text(encoding="utf-8")
    result = clean_text(text, source=case.name, rules=RULES)
    check_golden(case.with_name(f"{case.stem}.cleaned.txt"), result.cleaned)
    check_golden(case.with_name(f"{case.stem}.findings.txt"), findings_text(result))
    assert reconstruct(result.cleaned, result.edits) == text
    again = clean_text(result.cleaned, rules=RULES)
    assert again.cleaned == result.cleaned, "cleaning the cleaned copy must change nothing"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_expectations(case: Path):
    spec = EXPECTATIONS[case.name]
    result = clean_text(case.read_text(encoding="utf-8"), source=case.name, rules=RULES)
    for snippet in spec.get("keep", []):
        assert snippet in result.cleaned, f"lost article text: {snippet!r}"
    for snippet in spec.get("drop", []):
        assert snippet not in result.cleaned, f"boilerplate left in: {snippet!r}"
    flagged = [result.article.text[f.start:f.end] for f in result.findings if f.category == "garbled"]
    for snippet in spec.get("garbled", []):
        assert any(snippet in s for s in flagged), f"garbled sentence not flagged: {snippet!r}"
    for snippet in spec.get("clean_sentences", []):
        assert not any(snippet in s for s in flagged), f"well-formed sentence flagged: {snippet!r}"
    byline = spec.get("byline")
    if byline:
        assert list(result.byline.declared) == byline["declared"]
        assert list(result.byline.credited) == byline["credited"]
        assert result.byline.mismatch is byline["mismatch"]
