"""Grammar checking paragraph by paragraph, each distinct paragraph once per run.

Scraped articles from one site repeat whole paragraphs (newsletter pitches, legal
footers, "Follow us on …") that boilerplate rules do not all catch, and a
LanguageTool request costs far more than a dictionary lookup. So the text is cut
into paragraphs (blank lines, or a line that ends a sentence followed by one that
starts a new one; a line hard-wrapped mid-sentence stays with the next) and each
paragraph is checked on its own: the client's cache answers every paragraph it
has seen before, in this process, for the whole run.

Checking a paragraph alone gives the same matches wherever it appears, so results
do not depend on which articles came first, on the worker that cleaned them, or
on the engine (local or Ray). The one difference from checking the whole text in
one request: LanguageTool's few text-level rules (unpaired quotes, repeated
paragraph openings) no longer look across paragraphs.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

PARAGRAPH_CACHE = 50_000  # paragraphs remembered per process (~20 MB): a site's repeats stay in it
_TERMINAL = re.compile(r"[.!?…:;\"'”’)\]]\s*$")


def paragraphs(text: str) -> list[tuple[int, str]]:
    """``(offset, paragraph)`` for each paragraph of ``text``.

    >>> paragraphs("One line.\\nTwo starts\\nwrapped here.\\n\\nThree")
    [(0, 'One line.'), (10, 'Two starts\\nwrapped here.'), (36, 'Three')]
    """
    out: list[tuple[int, str]] = []
    start = end = -1
    pos = 0
    for line in text.split("\n"):
        line_end = pos + len(line)
        if not line.strip():
            if start >= 0:
                out.append((start, text[start:end]))
            start = -1
        elif start >= 0 and not _TERMINAL.search(text[start:end]) and line.lstrip()[:1].islower():
            end = line_end  # hard-wrapped mid-sentence: one paragraph
        else:
            if start >= 0:
                out.append((start, text[start:end]))
            start, end = pos, line_end
        pos = line_end + 1
    if start >= 0:
        out.append((start, text[start:end]))
    return out


class ParagraphChecker:
    """A GrammarService over a :class:`~cleaner.languagetool.GrammarChecker`: paragraph by paragraph."""

    def __init__(self, checker: Any) -> None:
        self.checker = checker
        self.paragraphs = 0  # paragraphs asked about; requests tells how many went to the server

    @property
    def requests(self) -> int:
        return int(self.checker.requests)

    def check(self, text: str) -> list[Any]:
        out = []
        for offset, paragraph in paragraphs(text):
            self.paragraphs += 1
            out.extend(dataclasses.replace(m, offset=m.offset + offset) for m in self.checker.check(paragraph))
        return out

    def close(self) -> None:
        self.checker.close()
