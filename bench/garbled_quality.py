"""Precision and recall of the garbled-sentence signals, per signal and combined.

Usage (from the project folder)::

    .venv/bin/python bench/garbled_quality.py                  # generated set + the seed
    .venv/bin/python bench/garbled_quality.py --set SET.jsonl  # a set written by bench/garbled_set.py
    .venv/bin/python bench/garbled_quality.py --misses 5       # also print 5 missed / wrong examples per kind

Two labelled sets:

``generated``
    sentences made by ``bench/garbled_set.py`` from the clean article bodies of the
    extraction-dev corpus (generated on the fly with ``--seed`` unless ``--set`` is
    given): damaged sentences are positives, untouched ones negatives. Each example
    is checked as a one-line paragraph "<previous sentence> <sentence>", and only
    the sentence itself counts.
``seed``
    ``seeds/ap-biden-putin-spun.txt``: the sentences holding a ``garbled:`` snippet of
    ``seeds/expectations.yml`` are positives, those holding a ``clean_sentences:``
    snippet negatives; every other sentence is unlabelled and not counted.

For each signal of ``cleaner.checks.garbled.SIGNALS`` (but ``languagetool``, which
needs a LanguageTool server and runs only with ``--grammar``) the table gives its precision
and recall when it fires alone; ``combined`` is the ``garbled.sentence`` rule's
verdict (weights and threshold from ``rules/garbled.yml``). Recall is also given
per kind of damage, since a grammar signal cannot see, say, a dropped adjective.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent
for p in (PROJECT, PROJECT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from garbled_set import DEFAULT_CORPUS, generate

from cleaner.checks.garbled import SIGNALS, sentence_signals
from cleaner.checks.registry import GrammarService
from cleaner.pipeline import languagetool_options, prepare
from cleaner.read import article_from_text
from cleaner.rules import check_params, load_rules

SEED = PROJECT / "seeds" / "ap-biden-putin-spun.txt"
EXPECTATIONS = PROJECT / "seeds" / "expectations.yml"


def verdict(names: set[str], params: Mapping[str, Any]) -> bool:
    weights = params["signals"]
    return bool(names) and sum(weights.get(n, 0.0) for n in names) >= params["threshold"]


def fired_in_span(text: str, start: int, end: int, params: Mapping[str, Any], has_title: bool = False,
                  grammar: GrammarService | None = None) -> set[str]:
    """Signals that fired in the sentences of ``text`` overlapping [start, end) (normalized offsets)."""
    doc, _ = prepare(article_from_text(text, "<example>", has_title=has_title))
    out: set[str] = set()
    for sentence, signals in sentence_signals(doc, params, grammar):
        if sentence.end > start and sentence.start < end:
            out |= {s.name for s in signals}
    return out


def generated_outcomes(examples: Iterable[Mapping[str, Any]], params: Mapping[str, Any],
                       grammar: GrammarService | None = None) -> list[tuple[str, int, set[str]]]:
    out = []
    for ex in examples:
        joiner = ex.get("joiner", " ")
        text = f"{ex['context']}{joiner}{ex['sentence']}"
        start = len(ex["context"]) + len(joiner)
        out.append((ex["kind"], int(ex["label"]), fired_in_span(text, start, len(text), params, grammar=grammar)))
    return out


def seed_outcomes(params: Mapping[str, Any], grammar: GrammarService | None = None) -> list[tuple[str, int, set[str]]]:
    spec = yaml.safe_load(EXPECTATIONS.read_text(encoding="utf-8"))[SEED.name]
    doc, _ = prepare(article_from_text(SEED.read_text(encoding="utf-8"), SEED.name))
    out = []
    for sentence, signals in sentence_signals(doc, params, grammar):
        names = {s.name for s in signals}
        if any(snippet in sentence.text for snippet in spec.get("garbled", [])):
            out.append(("seed-garbled", 1, names))
        elif any(snippet in sentence.text for snippet in spec.get("clean_sentences", [])):
            out.append(("clean", 0, names))
    return out


def _pr(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"P {p:5.3f}  R {r:5.3f}  (tp {tp}, fp {fp}, fn {fn})"


def table(name: str, outcomes: Sequence[tuple[str, int, set[str]]], params: Mapping[str, Any]) -> str:
    pos = sum(1 for _, y, _ in outcomes if y)
    lines = [f"{name}: {len(outcomes)} sentences, {pos} garbled, {len(outcomes) - pos} clean"]
    ran = set().union(*(f for _, _, f in outcomes)) if outcomes else set()
    for signal in [*(s for s in SIGNALS if s != "languagetool" or s in ran), "combined"]:
        hits = [(y, verdict(f, params) if signal == "combined" else signal in f) for _, y, f in outcomes]
        tp = sum(1 for y, h in hits if y and h)
        fp = sum(1 for y, h in hits if not y and h)
        fn = sum(1 for y, h in hits if y and not h)
        lines.append(f"  {signal:<20} {_pr(tp, fp, fn)}")
    kinds: dict[str, list[bool]] = defaultdict(list)
    for kind, y, f in outcomes:
        kinds[kind].append(verdict(f, params))
    lines.append("  combined verdict by kind (share flagged; for 'clean' that is the false-positive rate):")
    for kind, flags in sorted(kinds.items()):
        lines.append(f"    {kind:<14} {sum(flags) / len(flags):5.3f}  of {len(flags)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, help="a set written by bench/garbled_set.py (default: generate one)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rules", type=Path, action="append", default=[])
    ap.add_argument("--misses", type=int, default=0, help="print this many misses / false alarms per kind")
    ap.add_argument("--grammar", action="store_true",
                    help="also run the languagetool signal (starts or reuses the local LanguageTool server)")
    args = ap.parse_args(argv)
    rules = load_rules(args.rules)
    params = check_params(rules, "garbled_sentence")
    grammar = None
    if args.grammar:
        from cleaner.languagetool import open_checker

        grammar = open_checker(**languagetool_options(rules))
    if args.set:
        with args.set.open(encoding="utf-8") as fh:
            examples = [json.loads(line) for line in fh if line.strip()]
    elif args.corpus.exists():
        examples = list(generate(args.corpus, args.seed))
    else:
        examples = []
    if examples:
        outcomes = generated_outcomes(examples, params, grammar)
        print(table("generated", outcomes, params))
        if args.misses:
            shown: dict[str, int] = defaultdict(int)
            for ex, (kind, y, f) in zip(examples, outcomes, strict=True):
                if bool(y) != verdict(f, params) and shown[kind] < args.misses:
                    shown[kind] += 1
                    print(f"    {'MISS' if y else 'FALSE'} {kind}: {ex['sentence'][:150]!r} {sorted(f)}")
        print()
    print(table("seed", seed_outcomes(params, grammar), params))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
