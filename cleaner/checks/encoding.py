"""Encoding: what ftfy repaired, and what still looks like mojibake after it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ftfy.badness import is_bad

from cleaner.checks.registry import check
from cleaner.model import Hit
from cleaner.segment import Document


@check("ftfy_repairs")
def ftfy_repairs(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Each repair ftfy made while normalizing, with the text before and after."""
    for start, end, before, after in doc.repairs:
        yield Hit(start, end, replacement=after, message=f"Broken encoding '{before}' repaired to '{after}'.",
                  data={"before": before, "after": after})


@check("leftover_mojibake")
def leftover_mojibake(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Lines that still look like mojibake after ftfy: it fixes only what it can prove."""
    for line in doc.lines:
        # U+FFFD marks a character already lost (an invalid byte or surrogate): is_bad misses a lone one.
        if line.text and not line.text.isascii() and ("\ufffd" in line.text or is_bad(line.text)):
            yield Hit(line.start, line.end)
