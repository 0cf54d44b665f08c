"""Review decisions: a reviewer overrules the tool, finding by finding.

A decision names a finding by its fingerprint (``cleaner.fingerprint``) and
says ``accept`` (do the action: remove the text, or apply the replacement; for
a finding the tool only flagged, remove it, or apply its suggestion when it has
one) or ``reject`` (keep the text as it is). Findings without a decision keep
the tool's own action. The decisions file, written by the report's "Export
decisions" button or by ``cleaner review``::

    {"kind": "cleaner-decisions", "version": 1,
     "articles": [{"source": "scrapes/a.txt", "input": "scrapes/a.txt", "sha256": "…",
                   "decisions": [{"fingerprint": "3f0c…", "decision": "reject",
                                  "rule": "boilerplate.photo-caption", "line": 23, "excerpt": "…"}]}]}

``apply_decisions`` re-decides an article with them, through the same decide
and clean stages as a normal run, so the result keeps every guarantee: edits
in original offsets, tidy whitespace, and ``reconstruct`` gives the input back.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.baseline import source_key
from cleaner.checks.readability import measure
from cleaner.clean import apply_edits, cleaned_offset, tidy
from cleaner.decide import decide
from cleaner.errors import CleanerError, json_error_place
from cleaner.fingerprint import result_fingerprints
from cleaner.model import Action, ArticleResult, Finding

KIND = "cleaner-decisions"
VERSION = 1
CHOICES = ("accept", "reject")
MAX_DECISIONS = 100_000


class DecisionsError(CleanerError):
    """A decisions file (or a decisions upload) is not valid."""


@dataclass(frozen=True)
class ArticleDecisions:
    source: str
    input: str
    sha256: str = ""
    decisions: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> accept | reject
    details: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # fingerprint -> rule, line, excerpt…


@dataclass(frozen=True)
class Applied:
    """An article re-decided with a reviewer's decisions."""

    result: ArticleResult
    matched: tuple[str, ...]
    unmatched: tuple[str, ...]  # fingerprints that named no finding of this run


def parse_article(obj: Any, where: str) -> ArticleDecisions:
    """Validate one ``articles`` entry; errors name ``where`` and the field."""
    if not isinstance(obj, dict):
        raise DecisionsError(f"{where}: must be a JSON object with 'source' and 'decisions'")
    source = obj.get("source")
    if not isinstance(source, str) or not source:
        raise DecisionsError(f"{where}: 'source' must be the article's source, a non-empty string")
    inp = obj.get("input", source)
    sha = obj.get("sha256", "")
    if not isinstance(inp, str) or not inp or not isinstance(sha, str):
        raise DecisionsError(f"{where}: 'input' and 'sha256' must be strings")
    rows = obj.get("decisions")
    if not isinstance(rows, list) or len(rows) > MAX_DECISIONS:
        raise DecisionsError(f"{where}: 'decisions' must be a list (of at most {MAX_DECISIONS:,})")
    chosen: dict[str, str] = {}
    details: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not isinstance(row.get("fingerprint"), str) or not row["fingerprint"]:
            raise DecisionsError(f"{where}: decision {i} needs a 'fingerprint' string")
        if row.get("decision") not in CHOICES:
            raise DecisionsError(f"{where}: decision {i} must say \"decision\": \"accept\" or \"reject\" "
                                 f"(got {row.get('decision')!r})")
        chosen[row["fingerprint"]] = row["decision"]
        details[row["fingerprint"]] = {k: row[k] for k in ("rule", "action", "line", "column", "excerpt") if k in row}
    return ArticleDecisions(source, inp, sha, chosen, details)


def parse_document(data: Any, where: str) -> list[ArticleDecisions]:
    if not isinstance(data, dict) or data.get("kind") != KIND or not isinstance(data.get("articles"), list):
        raise DecisionsError(f"{where}: is not a cleaner decisions file (expected a JSON object with "
                             f"\"kind\": \"{KIND}\" and an \"articles\" list)")
    if data.get("version") != VERSION:
        raise DecisionsError(f"{where}: is decisions version {data.get('version')!r}; this cleaner reads "
                             f"version {VERSION}")
    return [parse_article(a, f"{where}: article {i}") for i, a in enumerate(data["articles"], 1)]


def load_decisions(paths: Iterable[Path]) -> list[ArticleDecisions]:
    """Read decisions files; a later file's decisions for the same article win."""
    merged: dict[str, ArticleDecisions] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DecisionsError(f"{path}: does not exist; export decisions from a report, or run "
                                 "`cleaner review REPORT_DIR`") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DecisionsError(f"{path}: cannot be read ({exc})") from None
        except json.JSONDecodeError as exc:
            raise DecisionsError(f"{path}: is not valid JSON ({json_error_place(exc, f'line {exc.lineno}')})") from None
        for article in parse_document(data, str(path)):
            key = source_key(article.source)
            if key in merged:
                old = merged[key]
                article = dataclasses.replace(article, decisions={**old.decisions, **article.decisions},
                                              details={**old.details, **article.details})
            merged[key] = article
    return list(merged.values())


def document(articles: Iterable[ArticleDecisions | Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON document for ``articles`` (parsed values or already-valid dicts)."""
    rows = []
    for a in articles:
        if isinstance(a, ArticleDecisions):
            a = {"source": a.source, "input": a.input, "sha256": a.sha256,
                 "decisions": [{"fingerprint": fp, "decision": d, **a.details.get(fp, {})}
                               for fp, d in a.decisions.items()]}
        rows.append(a)
    return {"kind": KIND, "version": VERSION, "articles": rows}


def reviewed_finding(f: Finding, decision: str | None) -> Finding:
    """The finding as the decide stage should see it under ``decision``."""
    if decision == "reject":
        return dataclasses.replace(f, action=Action.FLAG)
    if decision == "accept" and f.action is Action.FLAG:
        return dataclasses.replace(f, action=Action.REPLACE if f.replacement is not None else Action.REMOVE)
    return f


def apply_decisions(result: ArticleResult, decisions: Mapping[str, str]) -> Applied:
    """Re-decide ``result`` with ``decisions`` (fingerprint -> accept/reject)."""
    art = result.article
    fps = result_fingerprints(result)
    reviewed = [reviewed_finding(f, decisions.get(fp)) for f, fp in zip(result.findings, fps, strict=True)]
    marked, edits = decide(reviewed, art.text)
    edits = tidy(art.text, edits, art.body_start)
    cleaned = apply_edits(art.text, edits)
    findings = tuple(dataclasses.replace(f, applied=m.applied) for f, m in zip(result.findings, marked, strict=True))
    matched = tuple(fp for fp in fps if fp in decisions)
    unmatched = tuple(fp for fp in decisions if fp not in set(fps))
    after = measure(cleaned[cleaned_offset(edits, art.body_start):])
    new = dataclasses.replace(result, findings=findings, edits=edits, cleaned=cleaned, readability_after=after)
    return Applied(new, matched, unmatched)


# --- applying a decisions file to the inputs it names ----------------------------------------------

@dataclass
class FileOutcome:
    """One input file re-run with its articles' decisions."""

    path: Path
    run: Any = None  # cleaner.run.FileRun with the reviewed results, or None when the input is missing
    applied: list[tuple[ArticleDecisions, Applied]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one-line messages: missing input, unmatched decisions
    notes: list[str] = field(default_factory=list)


def _resolve(input_path: str, base: Path) -> Path:
    path = Path(input_path)
    if path.exists() or path.is_absolute():
        return path
    alt = base / path
    return alt if alt.exists() else path


def apply_inputs(articles: Iterable[ArticleDecisions], pipeline: Any, *, base: Path, has_title: bool = True,
                 fields: Any = None) -> list[FileOutcome]:
    """Re-run cleaner on every input the decisions name and apply them.

    Inputs are found as recorded (relative to the working folder) or else
    relative to ``base`` (the decisions file's folder). Articles are matched by
    their source; findings by fingerprint.
    """
    from cleaner.read import FieldNames
    from cleaner.run import FileRun, run_file

    groups: dict[str, list[ArticleDecisions]] = {}
    for article in articles:
        groups.setdefault(article.input, []).append(article)
    out = []
    for input_path, group in groups.items():
        path = _resolve(input_path, base)
        outcome = FileOutcome(path)
        out.append(outcome)
        if not path.is_file():
            outcome.problems.append(f"{input_path}: does not exist, so its {len(group)} reviewed article(s) "
                                    "cannot be applied; run `cleaner apply` where the review's inputs are")
            continue
        run = run_file(path, pipeline, has_title=has_title, fields=fields or FieldNames())
        wanted = {str(path) + a.source[len(a.input):] if a.source.startswith(a.input) else a.source: a
                  for a in group}
        items = []
        for item in run.items:
            article = wanted.pop(getattr(getattr(item, "article", None), "source", None), None)
            if article is None or not isinstance(item, ArticleResult):
                items.append(item)
                continue
            applied = apply_decisions(item, article.decisions)
            outcome.applied.append((article, applied))
            items.append(applied.result)
            if article.sha256 and article.sha256 != item.article.sha256:
                outcome.notes.append(f"{item.article.source}: changed since the review; decisions were matched "
                                     "by fingerprint")
            for fp in applied.unmatched:
                d = article.details.get(fp, {})
                what = ", ".join(str(d[k]) for k in ("rule", "line") if k in d)
                outcome.problems.append(f"{item.article.source}: the decision to {article.decisions[fp]} finding "
                                        f"{fp}{f' ({what})' if what else ''} matches no finding of this run; "
                                        "the rules or the input changed")
        for source in wanted:
            outcome.problems.append(f"{source}: no such article in {path}; its decisions were not applied")
        outcome.run = FileRun(path, tuple(items), run.records)
    return out
