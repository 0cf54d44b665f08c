"""Boilerplate that needs more than one line to recognise: captions, author bios, a repeated headline."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cleaner import patterns
from cleaner.checks.registry import check
from cleaner.model import Hit, Segment
from cleaner.segment import Document

_NAME_TOKEN = r"[A-Z][\w'’.-]*"


def is_label_line(text: str, max_words: int) -> bool:
    """A short title-cased line with no closing punctuation, like "Biden Putin" or "Ukraine Russia".

    >>> is_label_line("Ukraine Russia", 4), is_label_line("Putin reacted strongly.", 4)
    (True, False)
    """
    words = text.split()
    if not words or len(words) > max_words or text.rstrip()[-1:] in ".!?:;,”\"":
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w in ("&", "-", "–") for w in words)


@check(
    "photo_caption",
    credit_patterns=[
        r"^\(?(?:AP|AFP|Reuters|Getty Images|EPA|Xinhua|Bloomberg|Pool) ?Photos?\s*/",
        r"^[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,3} ?/ ?(?:[A-Z][\w'’.&-]* ){0,4}?"
        r"(?:via (?:AP|AFP|Reuters|Getty Images)|AP|AFP|Reuters|Getty Images|EPA|Shutterstock|Pool|Handout)\b",
        r"^(?:FILE|PHOTO) ?[-–—] ",
        r"^(?:Photo|Image|Picture|Photograph|Credit)s?(?: credit)?: ",
        r"\((?:AP|AFP|Reuters) Photo ?/[^)]*\)\s*$",
        r"^In this (?:\w+ )?(?:photo|image|picture|file photo)\b",
    ],
    label_max_words=4,
    regex_params={"credit_patterns": ()},
)
def photo_caption(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Photo captions and credits, and the short keyword label line right above them."""
    lines = doc.lines
    is_credit = patterns.search_any(params["credit_patterns"])
    for i, line in enumerate(lines):
        text = line.text.strip()
        if not text or not is_credit(text):
            continue
        yield Hit(line.start, line.end, signals=("caption-credit",))
        if i > 0 and lines[i - 1].text.strip() and is_label_line(lines[i - 1].text, params["label_max_words"]):
            above = lines[i - 1]
            yield Hit(above.start, above.end, message="Photo keyword label above a caption.", signals=("caption-label",))


@check(
    "author_bio",
    opener=r"^(?P<name>[A-Z][\w'’-]+(?: [A-Z][\w'’.-]+){1,3}) (?:is|was|has been) (?:an?|the) "
    r"(?:[\w.'’&-]+ ){0,6}?(?i:reporter|correspondent|journalist|writer|editor|columnist|contributor"
    r"|producer|editor-in-chief|blogger|author)\b",
    cues={
        "based-in": r"\bbased in\b",
        "joined-in-year": r"\bjoined \w+(?: \w+)? in (?:19|20)\d\d\b",
        "get-in-touch": r"\b(?:get|be|keep) in touch\b",
        "focus-is": r"\b(?:His|Her|Their) (?:focus|work|reporting|coverage) (?:is|has|includes)\b",
        "graduate-of": r"\bgraduate of\b",
        "languages": r"\bLanguages?:",
        "follow-on": r"\b[Ff]ollow (?:him|her|them) on\b",
        "previously-worked": r"\bpreviously worked\b",
        "has-covered": r"\bhas (?:covered|written|reported)\b",
        "contact-me": r"\b(?:You can|Readers can) (?:reach|contact|email|get in touch)\b",
        "by-emailing": r"\bby emailing\b",
    },
    min_cues=2,
    name_line_max_words=4,
    regex_params={"opener": ("name",), "cues": ()},
)
def author_bio(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An author-bio paragraph ("X is a … reporter based in …") and the bare name line before it."""
    opener = patterns.cached(params["opener"])
    for i, para in enumerate(doc.paragraphs):
        m = patterns.search(opener, para.text)
        if not m:
            continue
        cues = [name for name, cue in params["cues"].items() if patterns.search(patterns.cached(cue), para.text)]
        if len(cues) < params["min_cues"]:
            continue
        name = m.group("name")
        yield Hit(para.start, para.end, signals=("bio-opener", *(f"cue:{c}" for c in cues)), data={"name": name})
        name_line = _name_line_before(doc, i, name, params["name_line_max_words"])
        if name_line is not None:
            yield Hit(name_line.start, name_line.end, message=f"Bare author-name line '{name}' before the author bio.",
                      signals=("bio-name-line",), data={"name": name})


def _name_line_before(doc: Document, para_index: int, name: str, max_words: int) -> Segment | None:
    if para_index == 0:
        return None
    prev = doc.paragraphs[para_index - 1]
    last_line = prev.text.rsplit("\n", 1)[-1]
    if last_line.strip().casefold() == name.casefold() and len(last_line.split()) <= max_words:
        start = prev.end - len(last_line)
        return Segment("line", start, prev.end, last_line, -1)
    return None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@check("title_repeat", needs_title=True, min_words=4)
def title_repeat(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """The headline repeated in the body: alone on a line, or glued after a paragraph's last sentence."""
    if doc.title is None or len(doc.title.text.split()) < params["min_words"]:
        return
    title = _fold(doc.title.text)
    pattern = re.compile(r"(?<=[.!?”\"])\s+(" + r"\s+".join(map(re.escape, doc.title.text.split())) + r")\s*$",
                         re.IGNORECASE)
    for line in doc.lines:
        if _fold(line.text) == title:
            yield Hit(line.start, line.end)
            continue
        m = pattern.search(line.text)
        if m:
            yield Hit(line.start + m.start(), line.start + m.end(1), signals=("glued-after-sentence",))
