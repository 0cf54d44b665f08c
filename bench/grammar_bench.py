"""Benchmark grammar checking: JVM start, warm-up, per-article cost, memory, server reuse.

Usage: python bench/grammar_bench.py [--articles 40] [--repeats 3] [--files 4] [--corpus PATH]

Prints medians of repeated runs:
- JVM start to port open and to healthy (first successful check) of a fresh LanguageTool server;
- the first request after start versus warm requests;
- seconds per article through the whole pipeline, with and without grammar;
- the server's resident memory after the run;
- `cleaner audit` run once per file (a new process each time) reusing one server
  versus starting a fresh server for every file.
Articles: the seeds, plus article bodies from the extraction corpus when present.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from cleaner.languagetool import GrammarChecker, ensure_server, find_installation
from cleaner.languagetool.server import server_status
from cleaner.pipeline import Pipeline, languagetool_options
from cleaner.read import article_from_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "extraction-dev" / "traf.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_fresh(lib_dir: Path) -> tuple[subprocess.Popen[bytes], str, float, float]:
    """A separate JVM on a free port; returns it, its URL, seconds to port open and to healthy."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(["java", "-Xmx1g", "-cp", f"{lib_dir}/*", "org.languagetool.server.HTTPServer",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    port_open = None
    while True:
        if port_open is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    port_open = time.perf_counter() - t0
        if port_open is not None:
            try:
                data = b"language=en-US&text=Warm+up."
                urllib.request.urlopen(url + "/v2/check", data, timeout=30).read()
                return proc, url, port_open, time.perf_counter() - t0
            except OSError:
                pass
        time.sleep(0.05)


def articles(limit: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))
             if not p.name.endswith((".cleaned.txt", ".findings.txt"))]
    if CORPUS.exists():
        with CORPUS.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh]
    return texts[:limit]


def per_article(pipeline: Pipeline, texts: list[str]) -> list[float]:
    times = []
    for i, text in enumerate(texts):
        article = article_from_text(text, f"a{i}", has_title=False)
        t0 = time.perf_counter()
        pipeline.clean(article)
        times.append(time.perf_counter() - t0)
    return times


def isolated_cache(tmp: Path, install_path: Path) -> dict[str, str]:
    """An environment whose server state is private to this benchmark but shares the install.

    The "fresh server per file" runs stop their server before every file; they must
    never stop the shared server other runs are using.
    """
    cache = tmp / "cache"
    (cache / "languagetool").mkdir(parents=True)
    (cache / "languagetool" / install_path.name).symlink_to(install_path)
    env = {**os.environ, "CLEANER_CACHE_DIR": str(cache)}
    env.pop("CLEANER_LANGUAGETOOL_URL", None)
    return env


def cli_runs(files: list[Path], env: dict[str, str], fresh: bool) -> float:
    stop = [sys.executable, "-c", "from cleaner.languagetool import stop_server; stop_server()"]
    t0 = time.perf_counter()
    for path in files:
        if fresh:
            subprocess.run(stop, env=env, check=True)
        subprocess.run([sys.executable, "-m", "cleaner", "audit", str(path), "--fail-on", "never"],
                       env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--files", type=int, default=4)
    args = ap.parse_args()
    install = find_installation()
    if install is None:
        sys.exit("LanguageTool is not installed; run `cleaner languagetool install`")
    from cleaner.rules import load_rules

    rules = load_rules()
    options = languagetool_options(rules)
    texts = articles(args.articles)

    port_open, healthy, first, warm = [], [], [], []
    for _ in range(args.repeats):
        proc, url, t_port, t_healthy = start_fresh(install.lib_dir)
        try:
            checker = GrammarChecker(url, **options)
            for i, text in enumerate(texts[:6]):
                t0 = time.perf_counter()
                checker.check(text + f"\n{i}")
                (first if i == 0 else warm).append(time.perf_counter() - t0)
            port_open.append(t_port)
            healthy.append(t_healthy)
        finally:
            proc.kill()
            proc.wait()

    server = ensure_server()
    with_grammar, without = [], []
    for _ in range(args.repeats):
        checker = GrammarChecker(server.url, **options)  # a new checker: no cache carried across repeats
        with_grammar.append(statistics.median(per_article(Pipeline(rules, checker), texts)))
        without.append(statistics.median(per_article(Pipeline(rules, None), texts)))
    memory = rss_mb(server.pid) if server.pid else float("nan")

    with tempfile.TemporaryDirectory() as tmp:
        env = isolated_cache(Path(tmp), install.path)
        files = []
        for i, text in enumerate(texts[: args.files]):
            path = Path(tmp) / f"article{i}.txt"
            path.write_text("Headline\n\n" + text, encoding="utf-8")
            files.append(path)
        try:
            cli_runs(files[:1], env, fresh=True)  # start the benchmark's own server
            reuse = statistics.median(cli_runs(files, env, fresh=False) for _ in range(args.repeats))
            fresh = statistics.median(cli_runs(files, env, fresh=True) for _ in range(max(1, args.repeats - 1)))
        finally:
            subprocess.run([sys.executable, "-c", "from cleaner.languagetool import stop_server; stop_server()"],
                           env=env, check=False)

    med = statistics.median
    print(f"articles: {len(texts)}; repeats: {args.repeats}; LanguageTool {install.version}")
    print(f"JVM start -> port open            {med(port_open):8.2f} s")
    print(f"JVM start -> healthy (1st check)  {med(healthy):8.2f} s")
    print(f"first request after healthy       {med(first):8.3f} s")
    print(f"warm request (median)             {med(warm):8.3f} s")
    print(f"per article, rules only           {med(without) * 1000:8.1f} ms")
    print(f"per article, rules + grammar      {med(with_grammar) * 1000:8.1f} ms")
    print(f"server resident memory            {memory:8.0f} MB")
    print(f"{len(files)} CLI runs reusing one server   {reuse:8.2f} s")
    print(f"{len(files)} CLI runs, fresh server each   {fresh:8.2f} s  (reuse is {fresh / reuse:.1f}x faster)")
    status = server_status()
    if status is not None:
        print(f"server left running: {status.url} (stops after its idle timeout)")


if __name__ == "__main__":
    if shutil.which("java") is None:
        sys.exit("Java 17 is needed for LanguageTool")
    main()
