"""Throughput of cleaner against what users would pick instead, on the same articles, in one process.

Usage:
  python bench/throughput.py [--articles 10000] [--repeats 3] [--grammar-articles 120] [--jobs N]
  python bench/throughput.py --memory [--sizes 1000,10000,50000]
  python bench/throughput.py --profile [--articles 300]

Engines, each timed on the same article texts in this process (medians of
``--repeats`` runs; articles/s and MB/s of UTF-8 text):

- ``regex floor``: one compiled regular expression scanned over each text, the
  least any text tool can do;
- ``datatrove C4``, ``datatrove Gopher``: datatrove's C4QualityFilter and
  GopherQualityFilter (datatrove's English splitter is spaCy's blank tokenizer);
- ``jusText``: jusText's paragraph classifier on the same paragraphs (each line
  a ``<p>``; building the HTML is not timed);
- ``cleaner rules``: the whole pipeline without grammar (normalize, segment,
  every rule, decide, clean, the JSONL output line and the findings entry);
- ``cleaner +grammar``: the same with LanguageTool, on the first
  ``--grammar-articles`` articles only (a fresh client each repeat, so the
  paragraph cache starts empty; the shared server is reused).

"1 core" runs in this process; "all cores" runs ``--jobs`` spawned worker
processes through cleaner's own batch engine (``cleaner.batch.ordered_outcomes``)
and, for the peers, a process pool over the same chunks; pool start-up is
included. Peak memory is the peak RSS of a fresh process (plus its workers) that
runs the engine once over ``--memory-articles`` articles. Ratios are cleaner's time over the peer's time on the same
articles: 20x means cleaner takes twenty times as long.

``--memory`` runs ``cleaner clean FILE.jsonl --jobs 2 --no-grammar --html none``
on generated inputs of growing size (bench/make_batch.py) and prints the peak
RSS of the main process and of each worker: flat memory means the numbers do
not grow with the input.

``--profile`` runs ``cleaner rules`` once over the articles under cProfile and
prints the share of the time each stage takes (stages overlap: the settle pass
runs detection again, so its share includes checks listed below it).

Articles: the extraction corpus (``../shared/corpora/extraction-dev/naive.jsonl``,
read in place) when present, then synthetic copies of the seeds up to ``--articles``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import make_batch  # noqa: E402

FLOOR = re.compile(r"^(?:related articles|read more|back to top|share this|subscribe|advertisement)\b|"
                   r"\[[a-z]+-[a-z-]+[^\]]*\]", re.IGNORECASE | re.MULTILINE)


# --- the articles --------------------------------------------------------------------------------

def articles(count: int) -> list[dict[str, Any]]:
    """Corpus pages first (naive extraction: all visible text), then synthetic seed copies; no broken ones."""
    out: list[dict[str, Any]] = []
    corpus = make_batch.CORPUS / "naive.jsonl"
    if corpus.exists():
        for line in corpus.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            out.append({"id": record["id"][:16], "url": record["url"], "text": record["text"]})
    import random

    rng = random.Random(1)
    seeds = make_batch.seed_articles()
    n = len(out)
    while len(out) < count:
        out.append(make_batch.synthetic(rng, seeds, n))
        n += 1
    return out[:count]


# --- engines: each builds its state once, then handles one text -------------------------------------

def make_engine(name: str) -> Callable[[dict[str, Any]], object]:
    if name == "regex floor":
        return lambda a: sum(1 for _ in FLOOR.finditer(a["text"]))
    if name.startswith("datatrove"):
        from datatrove.data import Document
        from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter

        flt = C4QualityFilter() if name == "datatrove C4" else GopherQualityFilter()
        return lambda a: flt.filter(Document(text=a["text"], id=a["id"]))
    if name == "jusText":
        import justext

        stoplist = justext.get_stoplist("English")
        return lambda a: justext.justext(a["html"], stoplist)
    if name.startswith("cleaner"):
        from cleaner.batch import OutputOptions, Worker
        from cleaner.read import article_from_record

        worker = Worker(cleaner_spec(grammar=name.endswith("grammar")), OutputOptions(findings="jsonl", html="none"))
        return lambda a: worker.run([article_from_record({k: v for k, v in a.items() if k != "html"}, a["id"])])
    raise ValueError(name)


def cleaner_spec(grammar: bool) -> Any:
    from cleaner.batch import PipelineSpec
    from cleaner.config import Config

    return PipelineSpec.from_paths([], defaults=True, config=Config(), grammar=grammar)


def with_html(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**a, "html": "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in a["text"].split("\n"))
             + "</body></html>"} for a in items]


_ENGINE: Callable[[dict[str, Any]], object] | None = None


def _init(name: str) -> None:
    global _ENGINE  # noqa: PLW0603
    _ENGINE = make_engine(name)


def _chunk(items: list[dict[str, Any]]) -> int:
    assert _ENGINE is not None
    for a in items:
        _ENGINE(a)
    return len(items)


def run_one_core(name: str, items: list[dict[str, Any]]) -> float:
    engine = make_engine(name)
    engine(items[0])  # warm: lazy imports, compiled patterns, the first request
    start = time.perf_counter()
    for a in items:
        engine(a)
    return time.perf_counter() - start


def run_all_cores(name: str, items: list[dict[str, Any]], jobs: int) -> float:
    start = time.perf_counter()
    if name.startswith("cleaner"):
        from cleaner.batch import OutputOptions, ordered_outcomes
        from cleaner.read import article_from_record

        tasks = (article_from_record({k: v for k, v in a.items() if k != "html"}, a["id"]) for a in items)
        for _ in ordered_outcomes(tasks, cleaner_spec(name.endswith("grammar")),
                                  OutputOptions(findings="jsonl", html="none"), jobs):
            pass
    else:
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_init, initargs=(name,)) as pool:
            chunks = [items[i:i + 16] for i in range(0, len(items), 16)]
            sum(pool.map(_chunk, chunks))
    return time.perf_counter() - start


def peak_rss_mb(name: str, count: int, jobs: int) -> float:
    """Peak RSS (MB) of a fresh process, plus its largest worker, running ``name`` once over ``count`` articles."""
    proc = subprocess.run([sys.executable, __file__, "--_peak", name, "--articles", str(count), "--jobs", str(jobs)],
                          capture_output=True, text=True, check=True)
    return float(proc.stdout.strip().splitlines()[-1])


def _peak_child(name: str, count: int, jobs: int) -> None:
    """Runs in a fresh process: polls the RSS of itself and its workers while the engine runs.

    (ru_maxrss is no use here: Linux carries it over from the parent across fork and exec.)
    """
    import threading

    peak = [0.0]
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(_tree_rss(os.getpid()).values()))
            time.sleep(0.05)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    items = with_html(articles(count)) if name == "jusText" else articles(count)
    if jobs > 1:
        run_all_cores(name, items, jobs)
    else:
        run_one_core(name, items)
    stop.set()
    watcher.join()
    print(f"{peak[0]:.0f}")


# --- the table ---------------------------------------------------------------------------------------

def median_time(fn: Callable[[], float], repeats: int) -> float:
    return statistics.median(fn() for _ in range(repeats))


def benchmark(args: argparse.Namespace) -> None:
    items = articles(args.articles)
    with_markup = with_html(items)
    mb = sum(len(a["text"].encode("utf-8")) for a in items) / 1e6
    grammar_items = items[: args.grammar_articles]
    grammar_mb = sum(len(a["text"].encode("utf-8")) for a in grammar_items) / 1e6
    corpus = sum(1 for a in items if not a["id"].startswith("syn-"))
    print(f"{len(items)} articles ({corpus} from the extraction corpus, {len(items) - corpus} synthetic seed "
          f"copies), {mb:.1f} MB; {args.repeats} repeats, medians; all cores = {args.jobs} processes; "
          f"grammar on the first {len(grammar_items)} articles ({grammar_mb:.2f} MB)\n")
    rows: list[tuple[str, str, int, float, float, float | None]] = []
    engines = ["regex floor", "datatrove C4", "datatrove Gopher", "jusText", "cleaner rules"]
    for name in engines:
        data = with_markup if name == "jusText" else items
        one = median_time(lambda n=name, d=data: run_one_core(n, d), args.repeats)
        rows.append((name, "1 core", len(data), one, mb, None))
        if args.jobs > 1:
            every = median_time(lambda n=name, d=data: run_all_cores(n, d, args.jobs), args.repeats)
            rows.append((name, "all cores", len(data), every, mb, None))
    if not args.no_grammar:
        rows.append(("cleaner rules", "1 core (grammar set)", len(grammar_items),
                     median_time(lambda: run_one_core("cleaner rules", grammar_items), args.repeats), grammar_mb, None))
        for mode in ("1 core", "all cores") if args.jobs > 1 else ("1 core",):
            fn = ((lambda: run_one_core("cleaner +grammar", grammar_items)) if mode == "1 core" else
                  (lambda: run_all_cores("cleaner +grammar", grammar_items, args.jobs)))
            rows.append(("cleaner +grammar", mode, len(grammar_items), median_time(fn, args.repeats), grammar_mb,
                         None))
    if not args.no_memory:
        sample = min(len(items), args.memory_articles)
        rows = [(n, m, c, t, size, peak_rss_mb(n, sample if not n.endswith("grammar") else c,
                                                args.jobs if m == "all cores" else 1)) for n, m, c, t, size, _ in rows]
    times = {(n, m): t / c for n, m, c, t, _, _ in rows}  # seconds per article
    print(f"{'engine':18} {'cores':20} {'articles/s':>11} {'MB/s':>8} {'peak MB':>8}   cleaner rules time / peer time")
    for name, mode, count, seconds, size, peak in rows:
        ratio = ""
        if not name.startswith("cleaner") and ("cleaner rules", mode) in times:
            ratio = f"{times[('cleaner rules', mode)] / times[(name, mode)]:,.1f}x"
        peak_text = f"{peak:8.0f}" if peak is not None else f"{'-':>8}"
        print(f"{name:18} {mode:20} {count / seconds:11,.1f} {size / seconds:8.2f} {peak_text}   {ratio}")
    if ("cleaner +grammar", "1 core") in times:
        same = times[("cleaner rules", "1 core (grammar set)")]
        print(f"\ngrammar costs {times[('cleaner +grammar', '1 core')] / same:.1f}x the rules-only time per article "
              "on one core, on the same articles")


def memory(args: argparse.Namespace) -> None:
    """Peak RSS of `cleaner clean --jobs 2` as the input grows: it must stay flat."""
    cleaner = Path(sys.executable).with_name("cleaner")
    print(f"{'records':>8} {'MB in':>7} {'seconds':>8} {'main MB':>8} {'worker MB':>10} {'total MB':>9}  out == in")
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            src = Path(tmp) / f"in-{size}.jsonl"
            with open(src, "wb") as fh:
                for line in make_batch.records(size, 500, 1):
                    fh.write(line + b"\n")
            start = time.perf_counter()
            proc = subprocess.Popen([str(cleaner), "clean", str(src), "--jobs", "2", "--no-grammar", "--html", "none",
                                     "--no-progress", "-q", "--report-dir", str(Path(tmp) / f"out-{size}")])
            main_peak, worker_peak, total_peak = 0.0, 0.0, 0.0
            while proc.poll() is None:
                tree = _tree_rss(proc.pid)
                if tree:
                    main_peak = max(main_peak, tree.get(proc.pid, 0.0))
                    others = [v for k, v in tree.items() if k != proc.pid]
                    worker_peak = max([worker_peak, *others])
                    total_peak = max(total_peak, sum(tree.values()))
                time.sleep(0.05)
            seconds = time.perf_counter() - start
            out = Path(tmp) / f"out-{size}" / f"in-{size}.cleaned.jsonl"
            lines = sum(1 for _ in open(out, "rb"))
            print(f"{size:8} {src.stat().st_size / 1e6:7.1f} {seconds:8.1f} {main_peak:8.0f} {worker_peak:10.0f} "
                  f"{total_peak:9.0f}  {lines == size}")
            src.unlink()


def _tree_rss(root: int) -> dict[int, float]:
    """RSS in MB of ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 1e6
        except (OSError, IndexError, ValueError):
            continue
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in rss:
            out[pid] = rss[pid]
        todo.extend(children.get(pid, []))
    return out


# (module, function) of each stage --profile reports, in pipeline order
STAGES = (("pipeline", "prepare", "normalize (ftfy) and segment, both passes"),
          ("detect", "detect", "every rule, both passes"),
          ("lineshape", "line_shape", "  line shape with neighbours"),
          ("readability", "measure", "  readability (textstat), check and report"),
          ("garbled", "garbled_sentence", "  garbled-sentence signals"),
          ("byline", "analyze", "  byline analysis"),
          ("pipeline", "_settle", "settle: the second pass on the cleaned copy"),
          ("batch", "_result_outcome", "output JSONL line and findings"))


def profile(items: list[dict[str, Any]]) -> None:
    import cProfile
    import pstats

    engine = make_engine("cleaner rules")
    engine(items[0])  # compile patterns and automata outside the profile
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [engine(a) for a in items])
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values())
    cumulative = {(Path(file).stem, name): ct for (file, _, name), (_, _, _, ct, _) in stats.items()}
    print(f"cleaner rules on {len(items)} articles: {total:.2f} s under cProfile")
    for module, name, label in STAGES:
        seconds = cumulative.get((module, name), 0.0)
        print(f"  {label:<48} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grammar-articles", type=int, default=120)
    parser.add_argument("--memory-articles", type=int, default=500, help="articles for the peak-memory runs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-grammar", action="store_true")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory column")
    parser.add_argument("--memory", action="store_true", help="measure memory as the input grows instead")
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--profile", action="store_true", help="where cleaner's rules-only time goes, by stage")
    parser.add_argument("--_peak", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._peak:
        _peak_child(args._peak, args.articles, args.jobs)
    elif args.memory:
        memory(args)
    elif args.profile:
        profile(articles(args.articles))
    else:
        benchmark(args)


if __name__ == "__main__":
    main()
