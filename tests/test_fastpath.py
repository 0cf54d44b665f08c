"""The compiled scan finds exactly what every rule finds on its own, overlaps included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.detect import ScanPlan, rule_hits
from cleaner.pipeline import prepare
from cleaner.read import article_from_text
from cleaner.rules import load_rules, parse_rule_file
from conftest import SEEDS

EXTRA = parse_rule_file("""
rules:
  - id: t.phrase-anywhere
    category: style
    severity: info
    action: flag
    message: M.
    phrases: [council, city council, "back to top"]
    match: anywhere
    examples: {match: [council]}
  - id: t.phrase-start
    category: style
    severity: info
    action: flag
    message: M.
    phrases: [read more, council]
    match: line-start
    examples: {match: [read more]}
  - id: t.named-a
    category: style
    severity: info
    action: flag
    scope: line
    message: M.
    pattern: '(?P<w>\\bthe)\\s+(?P=w)'
    examples: {match: [the the]}
  - id: t.named-b
    category: style
    severity: info
    action: flag
    scope: line
    message: M.
    pattern: '(?P<w>co)un'
    ignorecase: false
    examples: {match: [coun]}
  - id: t.named-c
    category: style
    severity: info
    action: flag
    scope: line
    message: M.
    pattern: '(?P<w>cil)'
    examples: {match: [cil]}
""", "extra.yml")
RULES = [*load_rules(), *EXTRA]


def assert_same(text: str) -> None:
    doc, _ = prepare(article_from_text(text, "x"))
    plan = ScanPlan(RULES)
    scanned = plan.run(doc)
    for i, rule in enumerate(RULES):
        if i in scanned:
            assert scanned[i] == list(rule_hits(rule, doc)), rule.id


def test_seeds_and_extra_rules():
    for path in SEEDS.glob("*.txt"):
        assert_same(path.read_text(encoding="utf-8"))


words = st.sampled_from(["the", "The", "council", "City Council", "Read more", "back to top", "coun", "cil",
                         "[embed-x id=1]", "By Kim Lee", ",,", " .", "Straße", "ß", "\n", "\n\n", " ", "."])


@settings(max_examples=150, deadline=None)
@given(st.lists(words, min_size=1, max_size=40).map("".join))
def test_generated_texts(text):
    assert_same("Title\n\n" + text)
