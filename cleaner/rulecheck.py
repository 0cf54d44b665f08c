"""A rule's examples are its tests: every 'match' must fire, every 'no_match' must stay silent."""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from cleaner.checks.registry import GrammarService
from cleaner.model import Finding
from cleaner.pipeline import clean_article
from cleaner.read import article_from_text
from cleaner.rules import Rule


@dataclass(frozen=True)
class ExampleOutcome:
    rule: Rule
    example: str
    should_match: bool
    findings: tuple[Finding, ...]
    skipped: str | None = None  # why the example could not run (no grammar service)

    @property
    def passed(self) -> bool:
        return self.skipped is not None or bool(self.findings) == self.should_match

    def describe(self) -> str:
        if self.skipped:
            return f"{self.rule.id} ({self.rule.path}:{self.rule.line}) skipped: {self.skipped}"
        kind = "false negative: did not match" if self.should_match else "false positive: matched"
        shown = self.example if len(self.example) < 100 else self.example[:97] + "..."
        return f"{self.rule.id} ({self.rule.path}:{self.rule.line}) {kind} {shown!r}"


def run_example(rule: Rule, example: str, grammar: GrammarService | None = None) -> tuple[Finding, ...]:
    """The findings of ``rule`` alone on ``example`` (an article body, or a whole article if it needs a title)."""
    needs_title = rule.check is not None and rule.check.needs_title
    article = article_from_text(example, "<example>", has_title=needs_title)
    enabled = dataclasses.replace(rule, enabled=True)  # a rule switched off in a project still has valid examples
    # The rule runs alone, so every finding is its own (a grammar rule names each as languagetool.<ID>).
    return clean_article(article, [enabled], grammar).findings


def test_rules(rules: Sequence[Rule], grammar: GrammarService | None = None) -> list[ExampleOutcome]:
    """Run every example; grammar rules' examples are skipped (and say so) without a grammar service."""
    out = []
    for rule in rules:
        cases = [(e, True) for e in rule.examples.match] + [(e, False) for e in rule.examples.no_match]
        for example, should_match in cases:
            if grammar is None and rule.check is not None and rule.check.needs_grammar:
                out.append(ExampleOutcome(rule, example, should_match, (), "needs LanguageTool (--grammar)"))
                continue
            out.append(ExampleOutcome(rule, example, should_match, run_example(rule, example, grammar)))
    return out


def explain_rule(rule: Rule) -> str:
    lines = [
        f"{rule.id}  ({rule.category}, {rule.severity.value}, action: {rule.action.value}, scope: {rule.scope.value})",
        f"defined in {rule.path}:{rule.line}",
        "",
        f"message: {rule.message}",
    ]
    if rule.fix_title:
        lines.append(f"fix: {rule.fix_title}")
    if rule.description:
        lines += ["", textwrap.fill(" ".join(rule.description.split()), 88)]
    matcher = (f"pattern: {rule.pattern.pattern}" if rule.pattern else
               f"phrases ({rule.phrase_mode}): {len(rule.phrases)}" if rule.phrases else
               f"check: {rule.check.name if rule.check else '?'}")
    lines += ["", matcher, "", "examples that match:"]
    lines += [f"  + {e!r}" for e in rule.examples.match]
    if rule.examples.no_match:
        lines.append("examples that must not match:")
        lines += [f"  - {e!r}" for e in rule.examples.no_match]
    return "\n".join(lines)
