"""Grammar checks against a running LanguageTool server, through language-tool-python.

language-tool-python is used only in remote mode (``remote_server=url``): it then never
downloads or starts anything, it just POSTs to ``/v2/check``. Two of its behaviours need
care, and are handled here rather than by bypassing it:

* Offsets. The HTTP API counts UTF-16 code units (Java strings); Python indexes code
  points, so every character outside the BMP (emoji, math letters) shifts later offsets by one.
  language-tool-python fixes ``Match.offset`` but not ``Match.error_length``, so a match
  that spans such a character comes back one unit too long per character. The length is
  recomputed here by walking the text from the (correct) start in UTF-16 units.
* Its offset fix caches the last text in a class attribute of ``Match``, which is not
  thread-safe; requests from this module are serialised by a lock and the cache is reset.
  Its request timeout (300 s, class attribute ``_TIMEOUT``) is overridden per instance so a
  hung server cannot stall a run for ten minutes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Self

import language_tool_python
from language_tool_python.exceptions import LanguageToolError

from cleaner.languagetool import _runtime
from cleaner.languagetool.errors import GrammarError, GrammarRequestError, GrammarUnavailable
from cleaner.languagetool.install import DEFAULT_VERSION
from cleaner.languagetool.server import DEFAULT_IDLE_TIMEOUT, Keepalive, ensure_server

_MATCH_LOCK = threading.Lock()
_NO_PROXY = {"http": None, "https": None, "all": None}


@dataclass(frozen=True)
class GrammarMatch:
    """One LanguageTool finding; ``text[offset:offset + length]`` is the flagged span."""

    offset: int
    length: int
    rule_id: str
    category: str
    message: str
    replacements: tuple[str, ...]
    issue_type: str | None


def open_checker(version: str = DEFAULT_VERSION, *, url: str | None = None,
                 idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
                 **options: Any) -> GrammarChecker:
    """Reuse or start the shared server (or use ``url`` / ``$CLEANER_LANGUAGETOOL_URL``) and
    return a checker that keeps it from idle-stopping while in use.

    ``options`` are :class:`GrammarChecker` keyword arguments (language, picky, ...).
    """
    info = ensure_server(version, url=url, idle_timeout=idle_timeout)
    return GrammarChecker(info.url, keepalive=Keepalive(info), **options)


class GrammarChecker:
    """Checks texts with one request per new text; repeated texts are answered from a cache.

    ``keepalive`` is called around each request (see :class:`server.Keepalive`) so an
    on-demand server does not idle-stop while in use. If the server cannot be reached,
    :class:`GrammarUnavailable` is raised and the caller continues without grammar.
    """

    def __init__(self, url: str, *, language: str = "en-US",
                 disabled_rules: Iterable[str] = (), enabled_rules: Iterable[str] = (),
                 disabled_categories: Iterable[str] = (), enabled_categories: Iterable[str] = (),
                 picky: bool = False, timeout: float = 60.0, cache_size: int = 10_000,
                 keepalive: Callable[[], None] | None = None) -> None:
        self.url = _runtime.normalize_url(url)
        self.language = language
        self.requests = 0  # HTTP check requests sent (cache hits excluded)
        self._cache: dict[str, tuple[GrammarMatch, ...]] = {}
        self._cache_size = cache_size
        self._keepalive = keepalive or (lambda: None)
        # Loopback must never go through an HTTP(S)_PROXY from the environment.
        proxies = _NO_PROXY if _runtime.is_loopback(self.url) else None
        try:
            # Remote mode: asks /v2/languages once to validate `language`, downloads nothing.
            self._tool = language_tool_python.LanguageTool(
                language, remote_server=self.url, proxies=proxies  # type: ignore[arg-type]
            )
        except LanguageToolError as e:
            raise GrammarUnavailable(f"no LanguageTool server answers at {self.url}") from e
        except ValueError as e:
            raise GrammarError(
                f"language '{language}' is not supported by the LanguageTool server at {self.url}"
            ) from e
        self._tool._TIMEOUT = timeout  # type: ignore[assignment]  # see module docstring
        self._tool.disabled_rules = set(disabled_rules)
        self._tool.enabled_rules = set(enabled_rules)
        self._tool.disabled_categories = set(disabled_categories)
        self._tool.enabled_categories = set(enabled_categories)
        self._tool.picky = picky

    def check(self, text: str) -> list[GrammarMatch]:
        """All findings in ``text``, sorted by offset; offsets are Python string indices."""
        cached = self._cache.get(text)
        if cached is not None:
            return list(cached)
        self._keepalive()
        with _MATCH_LOCK:
            language_tool_python.Match.PREVIOUS_MATCHES_TEXT = None
            try:
                self.requests += 1
                raw = self._tool.check(text)
            except LanguageToolError as e:
                raise self._translate(e) from e
        self._keepalive()
        found = tuple(sorted((_convert(m, text) for m in raw), key=lambda m: (m.offset, m.length)))
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))  # drop the oldest entry
        self._cache[text] = found
        return list(found)

    def close(self) -> None:
        """Release the client (the server itself is managed by :mod:`server`)."""
        self._tool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _translate(self, error: LanguageToolError) -> GrammarError:
        """Connection problems mean the server is gone; anything else is about this text."""
        if isinstance(error.__cause__, OSError):
            reason = type(error.__cause__).__name__
            return GrammarUnavailable(
                f"LanguageTool server at {self.url} stopped answering ({reason}); "
                "continuing without grammar checks"
            )
        detail = " ".join(str(error).split())[:300]
        return GrammarRequestError(f"LanguageTool server at {self.url} rejected a text: {detail}")


def _convert(match: language_tool_python.Match, text: str) -> GrammarMatch:
    start = int(match.offset)  # already converted to code points by language-tool-python
    issue = str(match.rule_issue_type or "") or None
    return GrammarMatch(
        offset=start,
        length=utf16_span_to_len(text, start, int(match.error_length)),
        rule_id=str(match.rule_id),
        category=str(match.category),
        message=str(match.message),
        replacements=tuple(str(r) for r in match.replacements),
        issue_type=issue,
    )


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def utf16_span_to_len(text: str, start: int, units: int) -> int:
    """Code points covered by ``units`` UTF-16 code units of ``text`` starting at ``start``."""
    if not _ASTRAL.search(text, start, start + units):
        return units  # fast path: no surrogate pairs in range, units == code points
    i, seen = start, 0
    while seen < units and i < len(text):
        seen += 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i - start

