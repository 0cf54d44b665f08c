"""Every rule's examples are its tests: each 'match' fires, each 'no_match' stays silent."""

from __future__ import annotations

import pytest

from cleaner.rulecheck import run_example
from cleaner.rules import load_rules

RULES = load_rules()
CASES = [(r, e, True) for r in RULES for e in r.examples.match] + [
    (r, e, False) for r in RULES for e in r.examples.no_match
]


@pytest.mark.parametrize(("rule", "example", "should_match"), CASES,
                         ids=[f"{r.id}-{'match' if m else 'no_match'}-{i}" for i, (r, _, m) in enumerate(CASES)])
def test_rule_example(rule, example, should_match, grammar):
    # With the real grammar service, so LanguageTool-backed signals are tested too.
    findings = run_example(rule, example, grammar)
    if should_match:
        assert findings, f"False negative against {rule.id}: {example!r}"
    else:
        assert not findings, f"False positive against {rule.id}: {example!r} -> {[f.excerpt for f in findings]}"


def test_every_rule_has_both_kinds_of_example():
    missing = [r.id for r in RULES if not r.examples.no_match]
    assert not missing, f"rules without no_match examples: {missing}"
