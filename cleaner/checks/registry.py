"""Built-in checks: small pure functions a rule file names with ``check:``.

A check takes the segmented document and its parameters and yields ``Hit``s in
normalized offsets. It never mutates anything; the detect stage turns hits into
findings; ``cleaner.checks.BUILTIN_CHECKS`` lists them all. ``params`` declares
every parameter with its default, so a rule file that misspells one gets an
error instead of a silently ignored setting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cleaner.model import Hit
from cleaner.segment import Document

CheckFn = Callable[[Document, Mapping[str, Any]], Iterable[Hit]]


@dataclass(frozen=True)
class Check:
    name: str
    fn: CheckFn
    params: Mapping[str, Any] = field(default_factory=dict)
    doc: str = ""
    needs_title: bool = False  # its examples are whole articles whose first line is the title

    def run(self, doc: Document, params: Mapping[str, Any]) -> Iterable[Hit]:
        return self.fn(doc, {**self.params, **params})


def check(name: str, *, needs_title: bool = False, **defaults: Any) -> Callable[[CheckFn], Check]:
    """Turn ``fn`` into the built-in check ``name`` with its parameter defaults (no side effects)."""

    def wrap(fn: CheckFn) -> Check:
        return Check(name, fn, defaults, (fn.__doc__ or "").strip(), needs_title)

    return wrap
