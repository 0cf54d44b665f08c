"""Write a large JSONL scrape dump for batch runs and benchmarks, with deliberately broken records.

Usage: python bench/make_batch.py OUT.jsonl [--records 10000] [--broken-every 500] [--seed 1]

Articles: the extraction corpus (``../shared/corpora/extraction-dev/*.jsonl``,
read in place, never copied into the repository) when it is present, then
synthetic copies of the seed articles in ``seeds/`` (paragraphs shuffled and
names varied, so no two records are the same text) up to ``--records``. Every
``--broken-every``-th record is broken in one of four ways a real dump has:
truncated JSON, no text field, a text field that is not a string (these three
cannot be cleaned and come out with ``cleaner.error``), and bytes that are not
UTF-8 (decoded by charset detection; the findings entry names the encoding). Compress the output with gzip or zstd to test compressed input.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "extraction-dev"
NAMES = ["Aila Slisco", "Kim Lee", "Maria Santos", "Tom Becker", "Ana Ruiz", "Li Wei", "Sam Okafor"]


def corpus_articles() -> list[dict[str, object]]:
    out = []
    for name in ("naive.jsonl", "traf.jsonl"):
        path = CORPUS / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                out.append({"id": f"{name.split('.')[0]}-{record['id'][:12]}", "url": record["url"],
                            "text": record["text"]})
    return out


def seed_articles() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        if ".cleaned" in path.name or ".findings" in path.name:
            continue
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        out.append((title.strip(), body.strip("\n")))
    return out


def synthetic(rng: random.Random, seeds: list[tuple[str, str]], n: int) -> dict[str, object]:
    title, body = seeds[n % len(seeds)]
    paragraphs = body.split("\n\n")
    head, tail = paragraphs[:2], paragraphs[2:]
    rng.shuffle(tail)
    name = rng.choice(NAMES)
    text = "\n\n".join(head + tail).replace("Putin", rng.choice(["Putin", "Lavrov", "Peskov", "Shoigu"]))
    return {"id": f"syn-{n:07d}", "title": f"{title} ({n})", "author": name,
            "url": f"https://news.example/{n}", "date": "2024-03-01", "text": text + "\n"}


BREAKERS = ("truncated", "no-text", "not-a-string", "not-utf8")


def broken(rng: random.Random, record: dict[str, object], n: int) -> bytes:
    kind = BREAKERS[n % len(BREAKERS)]
    if kind == "truncated":
        line = json.dumps(record, ensure_ascii=False)
        return line[: len(line) // 2].encode()
    if kind == "no-text":
        return json.dumps({k: v for k, v in record.items() if k != "text"}).encode()
    if kind == "not-a-string":
        return json.dumps({**record, "text": {"html": "<p>…</p>"}}).encode()
    return json.dumps({**record, "text": "Caf\udce9"}, ensure_ascii=False).encode("utf-8", "surrogateescape")


def records(count: int, broken_every: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    base = corpus_articles()
    seeds = seed_articles()
    for n in range(count):
        record = base[n] if n < len(base) else synthetic(rng, seeds, n)
        if broken_every and n % broken_every == broken_every - 1:
            yield broken(rng, record, n // broken_every)
        else:
            yield json.dumps(record, ensure_ascii=False).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--broken-every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with open(args.out, "wb") as fh:
        for line in records(args.records, args.broken_every, args.seed):
            fh.write(line + b"\n")
            size += len(line) + 1
    broken_count = args.records // args.broken_every if args.broken_every else 0
    print(f"wrote {args.out}: {args.records} records ({broken_count} broken: {broken_count - broken_count // 4} "
          f"unreadable, {broken_count // 4} not UTF-8), {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
