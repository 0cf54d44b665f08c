"""Hostile inputs for the output and report-safety tests, built in code.

``generate(dest)`` writes, under ``dest``:

* ``payloads/``: scraper records, a text article, an HTML page and a file whose
  *name* is markup, every field (text, title, author, url, date, ids, extra
  fields) carrying script-injection payloads that set ``window.__pwned``;
* ``rules/hostile.yml``: a rule file whose message and description carry the
  payloads, and whose phrase matches a payload line of the articles;
* ``traversal/``: records whose ids try to escape the report folder, and files
  whose names are only dots, hold backslashes, are 240 bytes long or are not
  UTF-8.

Run it alone to look at the inputs: ``python tests/hostile/gen_pages.py DEST``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

PWNED = "window.__pwned=1"
PAYLOADS = (
    f"<script>{PWNED};alert(1)</script>",
    f"</script><script>{PWNED}</script>",
    f"</textarea><script>{PWNED}</script>",
    f"</title><script>{PWNED}</script>",
    f'<img src=x onerror="{PWNED};alert(1)">',
    f"<svg onload={PWNED}>",
    f'" onmouseover="{PWNED}" x="',
    f"' autofocus onfocus='{PWNED}' x='",
    f"javascript:{PWNED}",
    f'<a href="javascript:{PWNED}">click</a>',
    f'<iframe src="javascript:{PWNED}"></iframe>',
    "</style><style>body{background:url(https://evil.example/x.png)}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
)
PAYLOAD = " ".join(PAYLOADS)
RULE_PHRASE = "Sponsored by Hostile Widgets"  # the hostile rule file's phrase: a line the articles carry


@dataclass(frozen=True)
class PageCase:
    """One generated input: where it is, what kind it is, and what it tries."""

    path: Path
    kind: str  # "records" (JSONL), "document" (.txt/.html/.json) or "rules" (a rule file for --rules)
    attack: str  # what it tries, for test ids and messages
    hostile_text: bool = True  # its fields carry the script payloads


def _body(payload: str) -> str:
    return (f"The council met on Tuesday and approved the budget. {payload}\n\n"
            f"{RULE_PHRASE} {payload}\n\n"
            f"Officials said the vote was close. “{payload}” she said.\n\n"
            f"Back to top button\n\nRelated Articles\n")


def _payload_records() -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for n, payload in enumerate(PAYLOADS):
        records.append({"id": payload, "title": payload, "author": payload, "url": f"javascript:{PWNED}",
                        "date": payload, "text": _body(payload), "site": payload, payload: payload})
    records.append({"id": "all", "title": PAYLOAD, "author": PAYLOAD, "url": PAYLOAD, "date": PAYLOAD,
                    "text": _body(PAYLOAD), "tags": list(PAYLOADS)})
    records.append({"id": "html-record", "html": f"<html><head><title>{_escaped(PAYLOAD)}</title></head><body>"
                    f"<article><h1>{_escaped(PAYLOAD)}</h1><p>{_escaped(_body(PAYLOAD))}</p></article></body></html>",
                    "url": f"https://example.com/{PAYLOAD}"})
    return records


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html_page(payload: str) -> str:
    # The payloads are the page's text (escaped in its source), so extraction hands them to cleaner as text.
    body = "".join(f"<p>{_escaped(p)}</p>" for p in _body(payload).split("\n\n") if p.strip())
    return (f"<!DOCTYPE html><html><head><title>{_escaped(payload)}</title>"
            f'<meta name="author" content="{_escaped(payload).replace(chr(34), "&quot;")}">'
            f"</head><body><article><h1>{_escaped(payload)}</h1>{body * 3}</article></body></html>")


def _rule_file() -> str:
    rule = {
        "id": "hostile.widget",
        "category": "boilerplate",
        "severity": "error",
        "action": "remove",
        "scope": "line",
        "message": f"Widget {PAYLOAD} '{{match}}'",
        "description": PAYLOAD,
        "phrases": [RULE_PHRASE],
        "match": "line-start",
        "examples": {"match": [f"{RULE_PHRASE} today"], "no_match": ["The council met."]},
    }
    return json.dumps({"rules": [rule]}, ensure_ascii=False, indent=2) + "\n"  # JSON is YAML


TRAVERSAL_IDS = ("../../escaped", "/etc/cleaner-escaped", "..\\..\\escaped", "a\x00b", "x" * 600,
                 "...", ".", "", "\udce9\ud800", "𝐀" * 100, "CON", "a/./../b")


def _traversal_records() -> list[dict[str, object]]:
    return [{"id": rid, "title": f"Record {n}", "text": f"Story {n} was filed.\n\nBack to top button\n"}
            for n, rid in enumerate(TRAVERSAL_IDS)]


def _odd_names() -> list[bytes]:
    """File names that must not become paths outside the output folder, or crash the writer."""
    return [b"...jsonl", b"...txt", b"..\\..\\escaped.txt", b"caf\xe9-latin1-name.txt",
            b"L" * 240 + b".txt", b"\xff\xfe.jsonl"]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Lone surrogates reach the inputs only as JSON escapes, never as bytes.
    path.write_bytes(text.encode("utf-8"))
    return path


def _jsonl(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in records)


def generate(dest: Path) -> list[PageCase]:
    """Write every hostile input under ``dest`` and describe each."""
    dest = Path(dest)
    payloads, traversal = dest / "payloads", dest / "traversal"
    cases = [
        PageCase(_write(payloads / "records.jsonl", _jsonl(_payload_records())), "records",
                 "payloads in every record field, extra fields and an html field"),
        PageCase(_write(payloads / "article.txt", f"{PAYLOAD}\n\n{_body(PAYLOAD)}"), "document",
                 "payloads in a text article's title and body"),
        PageCase(_write(payloads / "page.html", _html_page(PAYLOAD)), "document",
                 "payloads as an HTML page's title, author and paragraphs"),
        PageCase(_write(payloads / "single.json", json.dumps({"title": PAYLOAD, "author": PAYLOAD, "url": PAYLOAD,
                                                              "text": _body(PAYLOAD)}) + "\n"), "document",
                 "payloads in a .json record"),
        PageCase(_write(payloads / (PAYLOADS[4].replace("/", "_") + ".txt"), f"Title\n\n{_body('plain')}"),
                 "document", "markup in the input's file name"),
        PageCase(_write(dest / "rules" / "hostile.yml", _rule_file()), "rules",
                 "payloads in a user rule's message and description"),
        PageCase(_write(traversal / "ids.jsonl", _jsonl(_traversal_records())), "records",
                 "record ids that are paths, NULs, dots, surrogates and very long", hostile_text=False),
    ]
    for raw in _odd_names():
        path = traversal / os.fsdecode(raw)
        text = _jsonl(_traversal_records()[:2]) if raw.endswith(b"jsonl") else f"Title\n\n{_body('plain')}"
        cases.append(PageCase(_write(path, text), "records" if raw.endswith(b"jsonl") else "document",
                              f"file name {raw[:40]!r}", hostile_text=False))
    return cases


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile/gen_pages.py DEST")
    for case in generate(Path(sys.argv[1])):
        print(f"{case.kind:9} {case.path}  ({case.attack})")
