"""Which garbled sentences of the seeds LanguageTool flags on its own, which the built-in signals catch.

Usage: python bench/seed_garbled.py   (needs `cleaner languagetool install`)

For every snippet listed under ``garbled:`` in seeds/expectations.yml, prints the
built-in signals that fire in its sentence and LanguageTool's raw matches there
(every category but spelling, before cleaner's filtering), then the well-formed sentences
listed under ``clean_sentences:`` with anything either side reports on them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from cleaner.checks.garbled import SIGNALS, sentence_signals
from cleaner.languagetool import open_checker
from cleaner.pipeline import languagetool_options, prepare
from cleaner.read import article_from_text
from cleaner.rules import check_params, load_rules

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    rules = load_rules()
    params = check_params(rules, "garbled_sentence")
    builtin = {**params, "signals": {k: v for k, v in params["signals"].items() if k != "languagetool"}}
    checker = open_checker(**{**languagetool_options(rules), "disabled_rules": []})
    expectations = yaml.safe_load((SEEDS / "expectations.yml").read_text(encoding="utf-8"))
    rows = []
    spelling_raw = spelling_kept = 0
    for name, spec in expectations.items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        doc, _ = prepare(article_from_text(text, name))
        body = doc.text[doc.body_start:]
        matches = [(doc.body_start + m.offset, m) for m in checker.check(body)]
        signals = {s.start: sig for s, sig in sentence_signals(doc, builtin)}
        words = [doc.text[at:at + m.length] for at, m in matches if m.issue_type == "misspelling"]
        counts = Counter(words)
        spelling_raw += len(words)
        spelling_kept += sum(1 for w in words if not (w[:1].isupper() or counts[w] > 1))
        for kind in ("garbled", "clean_sentences"):
            for snippet in spec.get(kind, []):
                sentence = next(s for s in doc.sentences if snippet in s.text or s.text in snippet)
                fired = sorted({x.name for x in signals.get(sentence.start, [])})
                # Spelling matches in these sentences are names (Ushakov, Danilov): not a garbled signal.
                lt = sorted({m.rule_id for at, m in matches
                             if sentence.start <= at < sentence.end and m.issue_type != "misspelling"})
                rows.append((kind, snippet, fired, lt))
    both = lt_only = builtin_only = neither = 0
    print(f"{'expected':9} {'built-in signals':32} {'LanguageTool rules':40} sentence")
    for kind, snippet, fired, lt in rows:
        label = "garbled" if kind == "garbled" else "clean"
        print(f"{label:9} {', '.join(fired) or '-':32} {', '.join(lt) or '-':40} {snippet[:60]}")
        if kind == "garbled":
            both += bool(fired and lt)
            lt_only += bool(lt and not fired)
            builtin_only += bool(fired and not lt)
            neither += not (fired or lt)
    print(f"\ngarbled sentences: both {both}, LanguageTool only {lt_only}, built-in only {builtin_only}, "
          f"neither {neither}; signals available: {', '.join(SIGNALS)}")
    print(f"spelling matches on the seeds: {spelling_raw} from LanguageTool, {spelling_kept} left after "
          f"proper_nouns: skip (names and words the article spells the same way twice)")


if __name__ == "__main__":
    main()
