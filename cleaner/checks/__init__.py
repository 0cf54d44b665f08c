"""The built-in checks a rule file can name with ``check:``; each is a pure function."""

from __future__ import annotations

from cleaner.checks.boilerplate import author_bio, photo_caption, title_repeat
from cleaner.checks.byline import byline_mismatch
from cleaner.checks.encoding import ftfy_repairs, leftover_mojibake
from cleaner.checks.garbled import garbled_sentence
from cleaner.checks.grammar import languagetool
from cleaner.checks.lineshape import line_shape
from cleaner.checks.readability import readability_extreme
from cleaner.checks.registry import Check

BUILTIN_CHECKS: dict[str, Check] = {
    c.name: c
    for c in (
        photo_caption, author_bio, title_repeat, garbled_sentence, byline_mismatch, ftfy_repairs,
        leftover_mojibake, readability_extreme, languagetool, line_shape,
    )
}
