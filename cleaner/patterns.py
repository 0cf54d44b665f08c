"""Regular expressions from rule files, run with a time limit.

A rule file's pattern is user input: one with nested quantifiers, such as
``(a|aa)+b``, can backtrack for hours on an unlucky line. Such patterns are
compiled with the ``regex`` package (``re``-compatible, version 0 behaviour),
whose searches take a ``timeout``. Every search made inside ``time_limit()``
shares one deadline, so a rule gets ``TIME_LIMIT`` seconds per article however
many lines it scans; past it, ``PatternTimeout`` is raised and the detect stage
reports the rule and goes on with the others.

The patterns cleaner ships (built-in rule files, checks' defaults) are reviewed
and tested with the code, and stay with ``re``: measured on the benchmark
articles, ``regex`` with a timeout made their scan about three times slower.
A pattern is trusted by its text, so a user rule that repeats a shipped
pattern runs as fast as the original.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, TypeAlias

import regex

TIME_LIMIT = 1.0  # seconds per rule per article
IGNORECASE = int(re.IGNORECASE)  # the same bit in regex; a plain int, since ~re.IGNORECASE drops regex-only bits
MULTILINE = int(re.MULTILINE)
Pattern: TypeAlias = "re.Pattern[str] | regex.Pattern[str]"
Match: TypeAlias = "re.Match[str] | regex.Match[str]"
error = (re.error, regex.error)  # both carry .pos, and str() ends "at position N"
_PLAIN_FLAGS = {re.Pattern: re.compile("").flags, regex.Pattern: regex.compile("").flags}
_TRUSTED: set[str] = set()
_DEADLINE: ContextVar[float | None] = ContextVar("pattern_deadline", default=None)


class PatternTimeout(Exception):
    """A rule's patterns used up their time on one article."""


def trust(sources: Iterable[str]) -> None:
    """Mark shipped patterns: they compile with ``re`` and run without a time limit."""
    _TRUSTED.update(sources)


def compile_pattern(source: str, flags: int = 0, *, trusted: bool = False) -> Any:
    """Compile a pattern (``re`` if trusted, else ``regex``); raises one of ``error`` when it is not valid."""
    if trusted or source in _TRUSTED:
        return re.compile(source, flags)
    return regex.compile(source, regex.V0 | flags)


@lru_cache(maxsize=512)
def cached(source: str, flags: int = 0) -> Any:
    """``compile_pattern`` for check parameters, which arrive as strings on every call."""
    return compile_pattern(source, flags)


def bounded(pattern: Any) -> bool:
    """True for a pattern whose searches are time-limited."""
    return isinstance(pattern, regex.Pattern)


def has_global_flags(pattern: Any) -> bool:
    """True when the pattern sets flags other than ignore-case, e.g. ``(?x)`` or ``(?s)``.

    Such a pattern cannot share an alternation with others: its inline flags
    could apply to the whole alternation and change what the others match.
    """
    return bool(pattern.flags & ~IGNORECASE != _PLAIN_FLAGS[type(pattern)])


@contextmanager
def time_limit(seconds: float = TIME_LIMIT) -> Iterator[None]:
    """Give the searches inside one deadline; a nested limit never extends an outer one."""
    deadline = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _left() -> float:
    deadline = _DEADLINE.get()
    if deadline is None:
        return TIME_LIMIT  # outside time_limit() each search gets the whole limit
    left = deadline - time.monotonic()
    if left <= 0:
        raise PatternTimeout
    return left


def _bounded(pattern: Any, method: str, text: str) -> Any:
    if not bounded(pattern):
        return getattr(pattern, method)(text)
    try:
        return getattr(pattern, method)(text, timeout=_left())
    except TimeoutError:
        raise PatternTimeout from None


def search(pattern: Any, text: str) -> Any:
    return _bounded(pattern, "search", text)


def match(pattern: Any, text: str) -> Any:
    return _bounded(pattern, "match", text)


def search_any(sources: Sequence[str], flags: int = 0) -> Callable[[str], bool]:
    """A test for "one of ``sources`` is found in the text", compiled once for a scan of many lines.

    One search per pattern, not one alternation: a rule file's pattern may use group
    numbers. Shipped patterns are searched directly; the others keep their time limit.
    """
    compiled = [cached(p, flags) for p in sources]
    plain = [c.search for c in compiled if not bounded(c)]
    timed = [c for c in compiled if bounded(c)]

    def found(text: str) -> bool:
        return any(s(text) for s in plain) or any(search(c, text) for c in timed)
    return found


def finditer(pattern: Any, text: str) -> Iterator[Any]:
    if not bounded(pattern):
        yield from pattern.finditer(text)
        return
    try:
        for found in pattern.finditer(text, timeout=_left()):
            yield found
            _left()  # the timeout bounds each step; the deadline bounds them all
    except TimeoutError:
        raise PatternTimeout from None


_TEMPLATE_ESCAPE = regex.compile(r"\\(?:g<([^>]*)>|([0-9]{1,2})|(.)|$)", regex.DOTALL)


def replacement_error(pattern: Any, template: str) -> str | None:
    """Why ``template`` cannot be a replacement for ``pattern`` (a missing group, a lone backslash), or None.

    Checked when the rule file loads: at match time the same mistake would stop the run.
    """
    for ref in _TEMPLATE_ESCAPE.finditer(template):
        name, number, other = ref.groups()
        if name is not None and not name.isdigit():
            if name not in pattern.groupindex:
                return f"it names group '{name}', which the pattern does not have"
            continue
        number = name if name is not None else number
        if number is not None and int(number) > pattern.groups:
            return f"it refers to group {number}, but the pattern has {pattern.groups} group(s)"
        if name is None and number is None and other is None:
            return "it ends with a lone backslash (write \\\\ for a backslash)"
    return None
