"""Built-in checks: small pure functions a rule file names with ``check:``.

A check takes the segmented document and its parameters and yields ``Hit``s in
normalized offsets. It never mutates anything; the detect stage turns hits into
findings; ``cleaner.checks.BUILTIN_CHECKS`` lists them all. ``params`` declares
every parameter with its default, so a rule file that misspells one gets an
error instead of a silently ignored setting. ``regex_params`` names the
parameters that hold regular expressions (``"comments.head_patterns"`` for one
inside a mapping) and the named groups the check reads from their matches, so a
rule file's pattern is checked when it loads, not when it first matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cleaner import patterns
from cleaner.model import Hit
from cleaner.segment import Document

CheckFn = Callable[..., Iterable[Hit]]


class GrammarService(Protocol):
    """What grammar-aware checks need: LanguageTool matches for a text (one request, cached)."""

    def check(self, text: str) -> list[Any]: ...


@dataclass(frozen=True)
class Check:
    name: str
    fn: CheckFn
    params: Mapping[str, Any] = field(default_factory=dict)
    doc: str = ""
    needs_title: bool = False  # its examples are whole articles whose first line is the title
    uses_grammar: bool = False  # called as fn(doc, params, grammar) with a GrammarService or None
    needs_grammar: bool = False  # finds nothing without a grammar service
    regex_params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # parameter -> groups it must have

    def run(self, doc: Document, params: Mapping[str, Any], grammar: GrammarService | None = None) -> Iterable[Hit]:
        merged = {**self.params, **params}
        return self.fn(doc, merged, grammar) if self.uses_grammar else self.fn(doc, merged)


def check(name: str, *, needs_title: bool = False, uses_grammar: bool = False, needs_grammar: bool = False,
          regex_params: Mapping[str, tuple[str, ...]] | None = None, **defaults: Any) -> Callable[[CheckFn], Check]:
    """Turn ``fn`` into the built-in check ``name`` with its parameter defaults (no side effects)."""

    def wrap(fn: CheckFn) -> Check:
        patterns.trust(_strings([defaults.get(p.split(".")[0]) for p in regex_params or {}]))  # shipped defaults
        return Check(name, fn, defaults, (fn.__doc__ or "").strip(), needs_title,
                     uses_grammar or needs_grammar, needs_grammar, dict(regex_params or {}))

    return wrap


def _strings(value: Any) -> list[str]:
    """Every string inside ``value`` (nested lists and mapping values)."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in _strings(item)]
