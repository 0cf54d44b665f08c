"""Detection quality of cleaner on labelled scrapes, next to the tools people use today.

Usage (from the project folder)::

    .venv/bin/python bench/quality.py                      # both dev corpora, if present
    .venv/bin/python bench/quality.py CORPUS.jsonl [...]   # any corpus in the same format
    .venv/bin/python bench/quality.py --templates          # add the two-pass site-template row

A corpus is a JSONL file of ``{"id", "url", "text", "lines": [{"text", "label"}], "truth"}``
records, as in ``../shared/corpora/extraction-dev/`` (``naive.jsonl``: all visible
text of each page; ``traf.jsonl``: trafilatura's output). The defaults are those two
files, relative to the project folder. Nothing from the corpus is copied into the
project: predictions go to a temporary folder that is deleted afterwards (``--keep``
keeps it and prints where it is).

Rows, all computed in the same run on the same records:

``no cleaning``
    the record's text as it is.
``C4 lines (datatrove)``
    ``datatrove.pipeline.filters.C4QualityFilter`` applied to each record's text; its
    ``filter`` rewrites ``doc.text`` with the kept lines, and that text is the
    prediction. Line-level settings are C4's own: keep only lines that end in terminal
    punctuation (``filter_no_terminal_punct``), with at least 3 words
    (``min_words_per_line``), no word over 1000 characters, no "javascript" and no
    cookie/terms-of-use phrase, Wikipedia-style citations removed. The three
    *document*-level drops are turned off, because they do not clean an article, they
    blank it: ``min_num_sentences=-1`` (C4 drops pages with fewer than 5 sentences; it
    also needs a spaCy/NLTK sentence model), ``filter_lorem_ipsum=False`` and
    ``filter_curly_bracket=False``. When the filter would still reject a document the
    prediction is empty.
``jusText lines``
    ``justext.justext`` over an HTML page made of one ``<p>`` per input line (so each
    line is classified as a paragraph, with jusText's context-sensitive pass over its
    neighbours), default thresholds. The stoplist is the page language's: the jusText
    stoplist with the highest stop-word share in the text, English when none reaches
    5 % (Japanese has none, so Japanese pages use English and lose most lines).
``cleaner``
    ``cleaner.pipeline.clean_text(text, has_title=False)`` with the default rules (body
    only: a record has no title line); the cleaned copy is the prediction.
``cleaner + site templates`` (with ``--templates``)
    the same, with a first pass over the whole corpus that finds lines recurring in
    scrapes of the same domain (``cleaner.templates``) and removes them in the second.

The table comes from the scorer (``--scorer``, default
``../shared/tools/score_extraction.py``, imported as a module): 4-gram token-shingle
precision / recall / F1 against ``truth`` (± bootstrap std), plus line-level
boilerplate-removal precision / recall and the share of content lines kept.

Speed: on the first corpus (the full-visible-text one by default), the *rules stage*
of cleaner (``cleaner.detect.detect`` with all default rules on documents already
read, normalized and segmented) and the C4 line filter (``C4QualityFilter.filter``
on the same texts) are each timed over the whole corpus ``--repeats`` times; the
medians and their ratio are printed (ratio > 1: the rules stage is slower). C4
with datatrove's defaults (which also split every kept line into sentences to count
them, as ``bench/throughput.py`` runs it) is timed too, for reference. The
line-shape rule alone is timed too, and every rule alone (the slowest are listed).
Timings are wall clock: run on a quiet machine.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from cleaner.detect import detect
from cleaner.pipeline import clean_article, prepare
from cleaner.read import article_from_text
from cleaner.rules import Rule, load_rules

DEFAULT_CORPORA = [PROJECT.parent / "shared/corpora/extraction-dev/naive.jsonl",
                   PROJECT.parent / "shared/corpora/extraction-dev/traf.jsonl"]
DEFAULT_SCORER = PROJECT.parent / "shared/tools/score_extraction.py"

Record = dict[str, Any]
Predictor = Callable[[Record], str]


def load_corpus(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: cannot be imported as the scorer")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- baselines --------------------------------------------------------------------------------

def c4_filter() -> Any:
    """C4's line filter from datatrove, with the document-level drops off (see the module doc)."""
    from datatrove.pipeline.filters import C4QualityFilter

    return C4QualityFilter(min_num_sentences=-1, filter_lorem_ipsum=False, filter_curly_bracket=False)


def c4_predictor() -> Predictor:
    from datatrove.data import Document

    flt = c4_filter()

    def predict(record: Record) -> str:
        doc = Document(text=record["text"], id=str(record["id"]))
        verdict = flt.filter(doc)
        keep = verdict[0] if isinstance(verdict, tuple) else verdict
        return doc.text if keep else ""

    return predict


def _stoplists() -> dict[str, frozenset[str]]:
    import justext

    return {name: frozenset(justext.get_stoplist(name)) for name in justext.get_stoplists()}


def page_stoplist(text: str, stoplists: dict[str, frozenset[str]], minimum: float = 0.05) -> str:
    """The jusText stoplist whose words make up the largest share of the text's words."""
    words = [w.casefold() for w in text.split()]
    if not words:
        return "English"
    best, share = "English", 0.0
    for name, stop in stoplists.items():
        s = sum(w in stop for w in words) / len(words)
        if s > share:
            best, share = name, s
    return best if share >= minimum else "English"


def justext_predictor() -> Predictor:
    import justext

    stoplists = _stoplists()

    def predict(record: Record) -> str:
        lines = record["text"].split("\n")
        page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>"
        name = page_stoplist(record["text"], stoplists)
        paragraphs = justext.justext(page.encode("utf-8"), stoplists[name], encoding="utf-8")
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return predict


# --- cleaner ----------------------------------------------------------------------------------

def cleaner_predictor(rules: Sequence[Rule], extra_rules: Callable[[Record], Sequence[Rule]] | None = None) -> Predictor:
    def predict(record: Record) -> str:
        article = article_from_text(record["text"], str(record["id"]), has_title=False)
        more = tuple(extra_rules(record)) if extra_rules else ()
        return clean_article(article, (*rules, *more)).cleaned

    return predict


def template_predictor(rules: Sequence[Rule], records: Sequence[Record]) -> Predictor:
    """Two passes: site templates from all records of the corpus, then clean each with them."""
    from cleaner.templates import TemplateMemory

    memory = TemplateMemory.build((r.get("url"), r["text"]) for r in records)

    def extra(record: Record) -> Sequence[Rule]:
        rule = memory.rule_for(record.get("url"))
        return (rule,) if rule is not None else ()

    return cleaner_predictor(rules, extra)


# --- running and scoring ----------------------------------------------------------------------

def write_predictions(records: Iterable[Record], predict: Predictor, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps({"id": record["id"], "text": predict(record)}, ensure_ascii=False) + "\n")


def score_corpus(corpus: Path, rows: dict[str, Predictor], scorer: ModuleType, workdir: Path,
                 bootstrap: int) -> str:
    records = scorer.load_split(str(corpus))
    ids = [r["id"] for r in records]
    results = {}
    for name, predict in rows.items():
        out = workdir / f"{corpus.stem}.{name.replace(' ', '_').replace('/', '_')}.jsonl"
        write_predictions(records, predict, out)
        found, info = scorer.load_predictions(str(out), ids)
        res = scorer.score(records, found, True, bootstrap, 0, name)
        res.update(info)
        results[name] = res
    return scorer.format_table(str(corpus), results)


def _median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_stages(records: Sequence[Record], rules: Sequence[Rule], repeats: int) -> str:
    """Median seconds of the rules stage, the line-shape rule alone and C4's line filter, and per rule."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter

    prepared = [prepare(article_from_text(r["text"], str(r["id"]), has_title=False)) for r in records]
    shape = [r for r in rules if r.check is not None and r.check.name == "line_shape"]
    flt, flt_defaults = c4_filter(), C4QualityFilter()
    texts = [r["text"] for r in records]

    def run(selected: Sequence[Rule]) -> Callable[[], None]:
        def go() -> None:
            for doc, locator in prepared:
                detect(doc, selected, locator)
        return go

    def c4_stage(f: Any = flt) -> Callable[[], None]:
        def go() -> None:
            for i, text in enumerate(texts):
                f.filter(Document(text=text, id=str(i)))
        return go

    run(rules)(), c4_stage()(), c4_stage(flt_defaults)()  # warm caches (compiled patterns, automata)
    t_rules = _median_time(run(rules), repeats)
    t_shape = _median_time(run(shape), repeats) if shape else float("nan")
    t_c4 = _median_time(c4_stage(), repeats)
    t_c4_defaults = _median_time(c4_stage(flt_defaults), repeats)
    per_rule = sorted(((_median_time(run([r]), max(1, repeats // 2)), r.id) for r in rules), reverse=True)
    lines = sum(len(r["lines"]) for r in records)
    out = [
        f"speed on {len(records)} pages / {lines} lines (median of {repeats} runs, wall clock):",
        f"  C4 line filter (datatrove)  {t_c4 * 1000:8.1f} ms   (as scored above: no sentence count, no document drops)",
        (f"  C4 with datatrove defaults  {t_c4_defaults * 1000:8.1f} ms   (as bench/throughput.py runs it: it also counts"
         f" sentences)   rules-stage speed = {t_c4_defaults / t_rules:.2f} x this"),
        (f"  cleaner rules stage         {t_rules * 1000:8.1f} ms   rules/C4 time = {t_rules / t_c4:.2f}"
         f"   (rules-stage speed = {t_c4 / t_rules:.2f} x C4's; target >= 0.5)"),
        f"  line-shape rule alone       {t_shape * 1000:8.1f} ms   shape/C4 time = {t_shape / t_c4:.2f}",
        "  slowest rules alone: " + ", ".join(f"{rid} {t * 1000:.0f} ms" for t, rid in per_rule[:6]),
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", type=Path, help="labelled JSONL corpora (default: the extraction-dev pair)")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="score_extraction.py to import")
    ap.add_argument("--rules", type=Path, action="append", default=[], help="extra rule file or folder")
    ap.add_argument("--templates", action="store_true", help="add the two-pass site-template row")
    ap.add_argument("--no-baselines", action="store_true", help="only the no-cleaning and cleaner rows")
    ap.add_argument("--repeats", type=int, default=5, help="timing repeats (0: no timing)")
    ap.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamplings for ± std (0: off)")
    ap.add_argument("--keep", action="store_true", help="keep the prediction files")
    args = ap.parse_args(argv)

    corpora = args.corpora or [p for p in DEFAULT_CORPORA if p.exists()]
    if not corpora:
        ap.error("no corpus given and the default extraction-dev corpora are not there")
    if not args.scorer.exists():
        ap.error(f"scorer {args.scorer} does not exist; give one with --scorer")
    scorer = load_scorer(args.scorer)
    rules = load_rules(args.rules)
    workdir = Path(tempfile.mkdtemp(prefix="cleaner-quality-"))
    try:
        for corpus in corpora:
            records = load_corpus(corpus)
            rows: dict[str, Predictor] = {"no cleaning": lambda r: r["text"]}
            if not args.no_baselines:
                rows["C4 lines (datatrove)"] = c4_predictor()
                rows["jusText lines"] = justext_predictor()
            rows["cleaner"] = cleaner_predictor(rules)
            if args.templates:
                rows["cleaner + site templates"] = template_predictor(rules, records)
            print(score_corpus(corpus, rows, scorer, workdir, args.bootstrap))
            print()
        if args.repeats > 0:
            print(time_stages(load_corpus(corpora[0]), rules, args.repeats))
    finally:
        if args.keep:
            print(f"predictions kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
