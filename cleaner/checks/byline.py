"""Bylines: who the page says wrote the article versus who the text itself credits.

Declared: the record's author field, a "By X" line, an author-bio block.
Credited: "X reported from Moscow", "Associated Press writers … contributed",
"(AP) —" datelines, "AP Photo" credits. An AP-style dateline ("WILMINGTON, Del. –")
is reported too: wire copy starts that way. A declared author credited nowhere
while the text credits other people is a mismatch: typically a content farm
republishing a wire story under its own staff name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cleaner import patterns
from cleaner.checks.registry import check
from cleaner.model import Byline, Hit
from cleaner.segment import Document

# A name starts a word and its words are of a name's length: without both, a search
# through one long capitalised token (a base64 image, a URL) is quadratic.
PERSON = r"(?<![\w'’-])[A-Z][\w'’-]{1,40}(?: (?:[A-Z]\.|[A-Z][\w'’-]{1,40}|de|van|von|da|al|bin|el)){1,3}"
_PERSON = re.compile(PERSON)

DEFAULTS: dict[str, Any] = {
    "declared_patterns": [
        rf"^[Bb]y (?P<names>{PERSON}(?:(?:,| and| &) {PERSON})*)",
        rf"^(?P<names>{PERSON}) (?:is|was) (?:an?|the) (?:[\w.'’&-]+ ){{0,6}}?"
        r"(?i:reporter|correspondent|journalist|writer|editor|columnist|contributor)\b",
    ],
    "credit_patterns": [
        rf"(?P<names>{PERSON}) (?:reported|wrote this story|contributed) (?:from|this|to)\b",
        r"(?:writers?|reporters?|correspondents?) (?P<names>[^.]{3,300}?),? contributed(?: reporting)? to this report",
        r"^Contributing:? (?P<names>[^.]{3,300})",
        rf"(?:Reporting|Writing|Additional reporting) by (?P<names>{PERSON}(?:(?:,| and| &) {PERSON})*)",
    ],
    "dateline_pattern": r"^(?P<place>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*(?:, [A-Z][\w.'’ ]{1,20}?)?)"
    r"\s*(?:\((?P<agency>AP|Reuters|AFP|UPI|dpa)\))?\s*[-–—]\s",
    "agency_names": {"AP": "Associated Press", "Reuters": "Reuters", "AFP": "AFP", "UPI": "UPI", "dpa": "dpa"},
    "agency_patterns": {
        "Associated Press": [r"\(AP\) ?[-–—]", r"\bAssociated Press\b", r"\bAP Photo\b", r"\bvia AP\b"],
        "Reuters": [r"\(Reuters\) ?[-–—]", r"\bReuters\b"],
        "AFP": [r"\(AFP\) ?[-–—]", r"\bAgence France-Presse\b", r"\bAFP Photo\b"],
    },
}


def _names(text: str) -> list[str]:
    """People named in a credit list ("A in Moscow, B in Washington and C in Kyiv, Ukraine")."""
    out = []
    for chunk in re.split(r",\s*|\s+and\s+|\s*&\s*", text):
        m = _PERSON.match(chunk.strip())
        if m:
            out.append(m.group())
    return out


def _surname(name: str) -> str:
    return name.split()[-1].casefold()


_LAST: list[Any] = [None, None, None, None]  # (text, author, params, result) of the last analysis


def analyze(doc: Document, params: Mapping[str, Any], *, strict: bool = False) -> tuple[Byline, list[Hit]]:
    """The byline verdict and where each side was found (hits at the declared author's places).

    The check and the pipeline's byline summary ask for the same document in a row:
    the last answer is kept, so the work is done once per article. When the
    patterns run out of time the check (``strict``) raises ``PatternTimeout`` so
    the rule is reported; the summary gets an empty verdict.
    """
    text, author, last_params, result = _LAST
    if not (text is doc.text and author == doc.author and last_params == params):
        try:
            with patterns.time_limit():
                result = _analyze(doc, params)
        except patterns.PatternTimeout as exc:
            result = exc
        _LAST[:] = [doc.text, doc.author, dict(params), result]
    if isinstance(result, patterns.PatternTimeout):
        if strict:
            raise result
        return Byline(), []
    return result  # type: ignore[no-any-return]


def _analyze(doc: Document, params: Mapping[str, Any]) -> tuple[Byline, list[Hit]]:
    declared: dict[str, None] = {}
    places: list[Hit] = []
    source = None
    if doc.author:
        for name in _names(doc.author) or [doc.author.strip()]:
            declared[name] = None
        source = "author field"
    body = doc.text[doc.body_start:]
    for line in doc.lines:
        for pattern in params["declared_patterns"]:
            m = patterns.search(patterns.cached(pattern), line.text)
            if m:
                for name in _names(m.group("names")):
                    declared.setdefault(name, None)
                places.append(Hit(line.start + m.start("names"), line.start + m.end("names")))
                source = source or "text"
    credited: dict[str, None] = {}
    for pattern in params["credit_patterns"]:
        for m in patterns.finditer(patterns.cached(pattern, patterns.MULTILINE), body):
            for name in _names(m.group("names")):
                credited.setdefault(name, None)
    agencies = [agency for agency, sources in params["agency_patterns"].items() if patterns.search_any(sources)(body)]
    dateline = None
    first = next((p for p in doc.paragraphs), None)
    m = patterns.match(patterns.cached(params["dateline_pattern"]), first.text) if first else None
    if m:
        dateline = m.group("place")
        named = params["agency_names"].get(m.group("agency") or "")
        if named and named not in agencies:
            agencies.append(named)
    credited_surnames = {_surname(c) for c in credited}
    mismatch = bool(declared and credited) and not any(_surname(d) in credited_surnames for d in declared)
    verdict = Byline(tuple(declared), tuple(credited), tuple(agencies), mismatch, source, dateline)
    return verdict, places


@check("byline_mismatch", regex_params={"declared_patterns": ("names",), "credit_patterns": ("names",),
                                         "dateline_pattern": ("place", "agency"), "agency_patterns": ()}, **DEFAULTS)
def byline_mismatch(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """A declared author that the text's own credits do not name."""
    verdict, places = analyze(doc, params, strict=True)
    if not verdict.mismatch:
        return
    credit = ", ".join(verdict.credited)
    if verdict.agency:
        credit += f" ({', '.join(verdict.agency)})"
    if verdict.dateline:
        credit += f", under an AP-style dateline '{verdict.dateline}'"
    message = f"Declared author {', '.join(verdict.declared)} is not credited by the text, which credits {credit}."
    data = {"declared": list(verdict.declared), "credited": list(verdict.credited), "agency": list(verdict.agency),
            "dateline": verdict.dateline}
    span = places[0] if places else Hit(doc.body_start, doc.body_start)
    yield Hit(span.start, span.end, message=message, data=data)
