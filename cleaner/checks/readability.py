"""Readability: textstat metrics, with the language set per call rather than process-wide."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import textstat

from cleaner.checks.registry import check
from cleaner.model import Hit, Readability
from cleaner.segment import Document

_NOT_A_WORD = re.compile(r"\S{200,}")


@lru_cache(maxsize=8)  # the readability check and the report's "before" measure the same body
def measure(text: str) -> Readability | None:
    """Flesch reading ease, Flesch–Kincaid grade, sentence and word counts; None for empty text."""
    # A run of hundreds of characters without a space (an inline image, a URL blob) is not a word,
    # and hyphenating a million-character one to count syllables takes minutes.
    text = _NOT_A_WORD.sub(" ", text)
    if not text.strip():
        return None
    return Readability(
        flesch_reading_ease=round(float(textstat.flesch_reading_ease(text)), 2),
        flesch_kincaid_grade=round(float(textstat.flesch_kincaid_grade(text)), 2),
        sentences=int(textstat.sentence_count(text)),
        words=int(textstat.lexicon_count(text)),
    )


@check("readability_extreme", min_words=50, min_reading_ease=-30.0, max_grade=30.0)
def readability_extreme(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Text far harder to read than any edited prose: usually glued paragraphs or link lists."""
    body = doc.text[doc.body_start:]
    metrics = measure(body)
    if metrics is None or metrics.words < params["min_words"]:
        return
    if metrics.flesch_reading_ease < params["min_reading_ease"] or metrics.flesch_kincaid_grade > params["max_grade"]:
        yield Hit(doc.body_start, len(doc.text), message=(
            f"Reading ease {metrics.flesch_reading_ease} and grade {metrics.flesch_kincaid_grade} are beyond edited "
            "prose; look for glued paragraphs or lists of links."))
