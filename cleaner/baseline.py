"""Baselines: accept the findings a project already knows about, so only new ones fail CI.

``cleaner audit --write-baseline FILE`` records every current finding by article
and fingerprint (see ``cleaner.fingerprint``); ``--baseline FILE`` marks the
findings it lists as ``"baselined": true``. Baselined findings stay in every
output (suppressed in SARIF, notices in GitHub annotations) but never count
toward the exit code. The file is sorted JSON, meant to be committed and diffed::

    {"version": 1, "kind": "cleaner-baseline",
     "findings": [{"path": "scrapes/a.txt", "fingerprint": "3f0c…", "rule": "garbled.sentence",
                   "line": 10, "excerpt": "may not be able to resolve."}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.errors import CleanerError, json_error_place
from cleaner.fingerprint import result_fingerprints
from cleaner.model import ArticleResult

BASELINE_VERSION = 1
KIND = "cleaner-baseline"


class BaselineError(CleanerError):
    """A baseline file cannot be read or is not a cleaner baseline."""


def source_key(source: str) -> str:
    """How articles are compared across runs: forward slashes, no leading ``./``.

    >>> source_key(".\\\\scrapes\\\\a.txt")
    'scrapes/a.txt'
    """
    key = source.replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    return key


@dataclass(frozen=True)
class Baseline:
    """The (article, fingerprint) pairs a project has accepted."""

    path: Path | None = None
    entries: frozenset[tuple[str, str]] = frozenset()

    def knows(self, source: str, fingerprint: str) -> bool:
        return (source_key(source), fingerprint) in self.entries

    def marks(self, result: ArticleResult) -> tuple[bool, ...]:
        """For each finding of ``result``: is it in the baseline?"""
        if not self.entries:
            return (False,) * len(result.findings)
        return tuple(self.knows(result.article.source, fp) for fp in result_fingerprints(result))

    def __len__(self) -> int:
        return len(self.entries)


def baseline_document(results: Iterable[ArticleResult]) -> dict[str, Any]:
    """The baseline that accepts every finding of ``results``."""
    rows = []
    for result in results:
        for f, fp in zip(result.findings, result_fingerprints(result), strict=True):
            rows.append({"path": source_key(result.article.source), "fingerprint": fp, "rule": f.rule,
                         "line": f.line, "excerpt": " ".join(f.excerpt.split())[:80]})
    rows.sort(key=lambda r: (r["path"], r["line"], r["rule"], r["fingerprint"]))
    return {"version": BASELINE_VERSION, "kind": KIND, "findings": rows}


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; every problem is one line naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: does not exist; write one with `cleaner audit --write-baseline {path}`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: is not valid JSON ({json_error_place(exc, f'line {exc.lineno}')}); "
                            "write it again with --write-baseline") from None
    if not isinstance(data, dict) or data.get("kind") != KIND or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: is not a cleaner baseline (expected a JSON object with "
                            f"\"kind\": \"{KIND}\" and a \"findings\" list)")
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{path}: is baseline version {data.get('version')!r}; this cleaner reads version "
                            f"{BASELINE_VERSION}")
    entries = set()
    for i, row in enumerate(data["findings"]):
        if not (isinstance(row, dict) and isinstance(row.get("path"), str) and isinstance(row.get("fingerprint"), str)):
            raise BaselineError(f"{path}: finding {i + 1} needs a string 'path' and 'fingerprint'")
        entries.add((source_key(row["path"]), row["fingerprint"]))
    return Baseline(path, frozenset(entries))
