"""Labelled garbled / clean sentences made from clean article bodies, to measure ``cleaner.checks.garbled``.

Usage (from the project folder)::

    .venv/bin/python bench/garbled_set.py                       # writes $TMPDIR/cleaner-garbled-set.jsonl
    .venv/bin/python bench/garbled_set.py --out set.jsonl --seed 1 CORPUS.jsonl

Source: the ``truth`` article bodies of a labelled corpus (default
``../shared/corpora/extraction-dev/naive.jsonl``), English pages only (the
signals are English; a page is English when English stop words make up a fifth
of its words). Each body is cut into sentences with cleaner's own splitter;
sentences of 8-45 words that start with a capital letter and end with . ! or ?
are candidates. Every candidate becomes one example: either left untouched (a
negative, about half of them) or damaged in one of these ways (a positive):

``drop-word``      a word in the middle dropped ("officials said the talks had ended")
``double-word``    a word written twice ("the the", "talks talks")
``double-list``    a list item repeated across a comma ("frigates, and frigates")
``cut-start``      the sentence starts mid-way, in lower case ("may not be able to resolve.")
``lowercase``      the first letter lower-cased
``glued``          the start of this sentence glued to the whole next one, which keeps its capital
                   ("such a move The US action could lead to ...")
``fused``          this sentence up to a comma fused with the part after a comma of another one
``synonym``        a spinner's synonym swap that breaks the grammar ("in order to" -> "so as to",
                   "said" -> "stated that", "people" -> "individuals of")
``stray-mark``     a stray mark after the full stop ("NATO. .")
``broken-quote``   the opening quotation mark of a quote removed

Each example is ``{"id", "page", "kind", "label", "context", "joiner", "sentence"}``:
``context`` is the clean text before it in its paragraph (``joiner`` a space), or the
sentence before it when it opens a paragraph (``joiner`` a blank line), so signals
that look at the previous sentence or at the paragraph's quotes work as in an
article; ``label`` is 1 for damaged, 0 for untouched. The
set is deterministic for a seed and is written outside the project by default:
it is made of the corpus's text.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from cleaner.segment import split_sentences

DEFAULT_CORPUS = PROJECT.parent / "shared/corpora/extraction-dev/naive.jsonl"
DEFAULT_OUT = Path(tempfile.gettempdir()) / "cleaner-garbled-set.jsonl"

KINDS = ("drop-word", "double-word", "double-list", "cut-start", "lowercase", "glued", "fused", "synonym",
         "stray-mark", "broken-quote")

_EN_STOP = frozenset([
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was", "it", "at", "by", "from",
    "be", "this", "are", "have", "has", "had", "not",
])
# Spinner swaps whose replacement no longer fits the grammar around it.
SYNONYMS = {
    "said": "stated that", "says": "states that", "people": "individuals of", "because": "due to",
    "however": "nonetheless that", "about": "regarding of", "also": "likewise too", "help": "assistance",
    "use": "utilization", "show": "display screen", "buy": "acquisition", "big": "massive sized",
    "need": "requirement", "start": "commencement", "end": "finish line", "think": "assume that",
    "want": "wish to desire", "make": "produce make", "get": "acquire obtain", "new": "brand-new fresh",
    "many": "numerous of", "important": "crucial significant", "government": "authorities federal",
    "company": "firm business", "year": "12 months", "years": "12 months years", "week": "7 days",
}


def is_english(text: str) -> bool:
    words = [w.casefold() for w in text.split()]
    return bool(words) and sum(w in _EN_STOP for w in words) / len(words) >= 0.2


def candidate_sentences(body: str) -> list[tuple[str, str, bool]]:
    """``(sentence, text before it in its paragraph, is a candidate)`` for every sentence of ``body``."""
    out = []
    for para in body.split("\n"):
        for a, b in split_sentences(para):
            s = para[a:b].strip()
            n = len(s.split())
            ok = 8 <= n <= 45 and s[:1].isupper() and s[-1:] in ".!?"
            out.append((s, para[:a].strip(), ok))
    return out


def _words(s: str) -> list[str]:
    return s.split(" ")


def damage(kind: str, s: str, other: str, rng: random.Random) -> str | None:
    """``s`` damaged in the way ``kind`` says (``other`` is another sentence of the page), or None."""
    w = _words(s)
    n = len(w)
    inner = [i for i in range(1, n - 1) if re.fullmatch(r"[A-Za-z'’-]+", w[i])]
    if kind == "drop-word" and inner:
        i = rng.choice(inner)
        return " ".join(w[:i] + w[i + 1:])
    if kind == "double-word" and inner:
        i = rng.choice(inner)
        return " ".join(w[: i + 1] + [w[i]] + w[i + 1:])
    if kind == "double-list":
        m = list(re.finditer(r"\b([a-z]{4,})([.,;]?) ", s))
        if m:
            x = rng.choice(m)
            return s[: x.end(1)] + f", and {x.group(1)}" + s[x.end(1):]
        return None
    if kind == "cut-start" and n >= 10:
        i = rng.randint(2, n // 2)
        if w[i][:1].isalpha():
            return " ".join(w[i:])[:1].lower() + " ".join(w[i:])[1:]
        return None
    if kind == "lowercase":
        if len(w[0]) > 1 and w[0][1:].islower() and w[0] not in ("I",):
            return s[:1].lower() + s[1:]
        return None
    if kind == "glued" and other[:1].isupper() and n >= 8:
        i = rng.randint(3, max(3, n // 2))
        return " ".join(w[:i]) + " " + other
    if kind == "fused":
        a, b = s.find(", "), other.find(", ")
        if 10 < a < len(s) - 10 and 10 < b < len(other) - 10:
            return s[:a] + other[b:]
        return None
    if kind == "synonym":
        spots = [i for i in range(1, n) if w[i].lower() in SYNONYMS]
        if spots:
            i = rng.choice(spots)
            return " ".join(w[:i] + [SYNONYMS[w[i].lower()]] + w[i + 1:])
        return None
    if kind == "stray-mark" and s.endswith("."):
        return s + rng.choice([" .", " ,", " ;"])
    if kind == "broken-quote":
        m = re.search(r"[“\"](?=\w)", s)
        if m:
            return s[: m.start()] + s[m.end():]
        return None
    return None


def generate(corpus: Path = DEFAULT_CORPUS, seed: int = 0, negative_share: float = 0.5) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    seen: set[str] = set()
    with corpus.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    for record in records:
        if record["id"] in seen or not is_english(record.get("truth") or ""):
            continue
        seen.add(record["id"])
        sents = candidate_sentences(record["truth"])
        for i, (s, before, ok) in enumerate(sents):
            if i == 0 or not ok:
                continue  # needs a sentence before it
            context = before or sents[i - 1][0]
            other = sents[(i + 1) % len(sents)][0]
            example = {"id": f"{record['id'][:12]}-{i}", "page": record["id"], "context": context,
                       "joiner": " " if before else "\n\n"}
            if rng.random() < negative_share:
                yield {**example, "kind": "clean", "label": 0, "sentence": s}
                continue
            kinds = list(KINDS)
            rng.shuffle(kinds)
            for kind in kinds:
                damaged = damage(kind, s, other, rng)
                if damaged and damaged != s:
                    yield {**example, "kind": kind, "label": 1, "sentence": damaged}
                    break


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--negative-share", type=float, default=0.5)
    args = ap.parse_args(argv)
    if PROJECT in args.out.resolve().parents and os.environ.get("GARBLED_SET_IN_PROJECT") != "1":
        ap.error("the set is made of corpus text: write it outside the project")
    counts: dict[str, int] = {}
    with args.out.open("w", encoding="utf-8") as fh:
        for ex in generate(args.corpus, args.seed, args.negative_share):
            fh.write(json.dumps(ex, ensure_ascii=False) + "\n")
            counts[ex["kind"]] = counts.get(ex["kind"], 0) + 1
    print(f"wrote {sum(counts.values())} examples to {args.out}: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
