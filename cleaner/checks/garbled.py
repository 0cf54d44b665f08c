"""Garbled sentences: signals of machine spinning and bad extraction, combined per sentence.

Each signal is a small pure function over one sentence (and its paragraph) that
returns what fired and where. The ``garbled_sentence`` check adds up the weights
of the signals that fired in a sentence and flags it at the threshold, naming
every signal, so a reviewer sees why.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cleaner.checks.grammar import grammar_matches
from cleaner.checks.registry import GrammarService, check
from cleaner.model import Hit, Segment
from cleaner.segment import Document
from cleaner.spans import SpanSet


@dataclass(frozen=True)
class Signal:
    name: str
    start: int  # offsets in the normalized text
    end: int
    detail: str


@dataclass(frozen=True)
class Context:
    """What a signal may look at: the sentence, its paragraph, the sentence before it, grammar matches."""

    doc: Document
    sentence: Segment
    paragraph: Segment | None
    previous: Segment | None
    grammar: tuple[tuple[int, int, Any], ...] = ()  # LanguageTool matches (normalized start, end, match)


SignalFn = Callable[[Context, Mapping[str, Any]], list[Signal]]

_OPEN_QUOTE = "“‘"
_LEADING_JUNK = "\"'“‘([ "


def lowercase_start(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """A sentence that starts in lower case right after a full stop ("resolve. may not be able").

    A paragraph that opens in lower case counts too, when it is itself a full
    sentence (list items and labels are not) and the paragraph before it ended a
    sentence, or is a heading or a line cut mid-sentence (two words or more, not
    an ellipsis): "Module efficiency" then "the government also wants ...".

    After "!" or "?" the splitter keeps going (“Really?” he asked), so a lower-case
    word right after an unquoted "!" or "?" inside the sentence counts too
    ("at Marronnier Park! paired with hanbok").
    """
    out = _after_mark(ctx, params)
    text = ctx.sentence.text.lstrip(_LEADING_JUNK)
    if not text[:1].islower():
        return out
    word = re.match(r"[\w'’-]+", text)
    first = word.group() if word else text[:1]
    if first in params["lowercase_words"] or re.match(r"[a-z]+[A-Z]", first):  # "de Blasio", "iPhone"
        return out
    if _URL_START.match(text) or _LIST_MARKER.match(ctx.sentence.text.lstrip()):
        return out  # "http://…", "pic.twitter.com/…": an address; "(b) under the terms …": a list item
    before = ctx.previous.text if ctx.previous is not None else _previous_paragraph_end(ctx)
    if before is None or _ENDS_WITH_ABBREVIATION.search(before.rstrip()) or _LIST_MARKER.fullmatch(before.strip()):
        return out  # "Jordanian-U.S. joint operations", "a Work; ii. moral rights": not a sentence's stop
    ended = before.rstrip().endswith((".", ".”", ".\"", ".’", "!", "?"))
    if ctx.previous is not None:
        if not ended:
            return out
    elif not ctx.sentence.text.rstrip().endswith((".", "!", "?", ".”", ".\"")):
        return out  # a paragraph that is a list item or a label, not a cut sentence
    elif not ended and (len(before.split()) < 2 or before.rstrip().endswith(("...", "…"))):
        return out  # under a one-word list item ("onions") or after a trailing-off "…"
    return [Signal("lowercase-start", ctx.sentence.start, ctx.sentence.start + len(first) + 1,
                   f"starts with '{first}'"), *out]


_URL_START = re.compile(r"[a-z][a-z0-9+.-]*://|www\.|[\w-]+(?:\.[\w-]+)+/")
# A lettered or numbered list item's marker: "(b) ", "a) ", "iv. ", "c." alone.
_MARKER = r"\(?(?:[a-z]|[ivx]{1,4})[.)]"
_LIST_MARKER = re.compile(rf"{_MARKER}(?:\s|\Z)")
# Initialisms ("U.S.", "a.m.") and company suffixes end in a full stop that does not end the sentence,
# and so does the marker of the list item that follows ("… a Work; ii.").
_ENDS_WITH_ABBREVIATION = re.compile(
    rf"(?:(?<![\w.])(?:[A-Za-z]\.){{2,}}|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|Bros|vs)\.|[;:]\s+{_MARKER})\Z")


def _previous_paragraph_end(ctx: Context) -> str | None:
    """The last line before the sentence's paragraph when the sentence opens it (a cut at a paragraph break)."""
    if ctx.paragraph is None or ctx.sentence.start != ctx.paragraph.start:
        return None
    start = max(ctx.doc.body_start, ctx.paragraph.start - 400)  # a line's end is all that is looked at
    before = ctx.doc.text[start:ctx.paragraph.start].rstrip()
    return before.rsplit("\n", 1)[-1] if before else None


_MARK_THEN_LOWER = re.compile(r"(?<=[A-Za-z0-9)])[!?]+ +([a-z][\w'’-]*)")
_QUOTES = "\"“”‘’«»"


def _after_mark(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    out = []
    text = ctx.sentence.text
    for m in _MARK_THEN_LOWER.finditer(text):
        word = m.group(1)
        if any(q in text[: m.start()] for q in _QUOTES) or word in params["lowercase_words"]:
            continue  # “Really?” he asked / 'Yahoo! said' style names stay
        if re.match(r"[a-z]+[A-Z]", word):
            continue
        start = ctx.sentence.start + m.start(1)
        out.append(Signal("lowercase-start", start, start + len(word), f"'{word}' after '{m.group()[0]}'"))
    return out


_SENTENCE_STARTERS = r"The|A|An|This|These|Those|He|She|It|They|We|His|Her|Their|Its|However|Meanwhile"
_GLUED = re.compile(rf"\b([a-z][a-z'’-]*) ({_SENTENCE_STARTERS})(?:['’](?:s|re|ll|ve|d))? ([A-Za-z][\w'’-]*)( [a-z]\w*)?")
# The word before a capitalised word (and a comma), and the words after it (a comma, up to two words).
_WORD_BEFORE = re.compile(r"(?<![\w'’-])([A-Za-z][a-z'’-]*)(,?) \Z")
_WORDS_AFTER = re.compile(r"(,?) ([A-Za-z][\w'’-]*)\b(?: ([A-Za-z][\w'’-]*)\b)?")


@lru_cache(maxsize=8)
def _starter_pattern(starters: tuple[str, ...]) -> re.Pattern[str]:
    """The starters as whole words right after a word (and a comma): rare, so a cheap first scan."""
    words = "|".join(sorted(map(re.escape, starters), key=len, reverse=True))
    # The leading capital lets the scan skip ahead to candidates before the lookbehinds run.
    return re.compile(rf"(?=[A-Z])(?:(?<=[A-Za-z'’-] )|(?<=[A-Za-z'’-], ))(?:{words})(?![\w'’-])")


# Conjunctions and sentence adverbs: glued even before a name ("to taint Yet Schiff seems").
_CONJUNCTIONS = frozenset(["And", "But", "Yet", "So", "Or", "Although", "Though", "Because", "While", "However",
                           "Meanwhile", "Instead", "Indeed"])
# Determiners and pronouns: capitalised after "of", "on", "by" they are a title or a defined term ("of Your choice").
_DETERMINERS = frozenset(["The", "A", "An", "This", "These", "Those", "His", "Her", "Their", "Its", "Our", "My",
                          "Your", "He", "She", "It", "They", "We", "You"])
# Words a title keeps in lower case ("On the Road", "In the Heights").
_MINOR_TITLE_WORDS = frozenset(["the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with", "at", "by"])


def _looks_like_title(after: str, following: str | None) -> bool:
    """The words after a capitalised function word read as a title or a name ("in The Hague", "On the Road")."""
    if after[:1].isupper():
        return True
    return after in _MINOR_TITLE_WORDS and (following is None or following[:1].isupper())


def glued_clause(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """A capitalised clause glued inside a sentence ("such a move The US action could lead").

    Two shapes: a capitalised determiner or pronoun ("The", "He", "He’s", ...) after a
    lower-case word, and a capitalised function word (``glued_starters``: "Many",
    "Each", "And", ...) inside a sentence ("withdrawn, Many of the"). Names and titles
    ("told The Guardian", "The New York Times", "On the Road") are let through. After a
    capitalised word only a clause is glued: a sentence adverb with its comma ("the
    Chargers Instead, they lost") or a function word followed by two lower-case words
    ("the Conservative Party In their first debate").
    """
    out = []
    seen: set[int] = set()
    title_context = params["title_context_words"]
    for m in _GLUED.finditer(ctx.sentence.text):
        before, after, following = m.group(1), m.group(3), m.group(4)
        if after[:1].isupper() and (before in title_context or not (after.isupper() and following)):
            continue  # "told The Guardian", "in The Hague", "The New York Times": a title, not a new clause
        start = ctx.sentence.start + m.start(1)
        seen.add(m.start(2))
        out.append(Signal("glued-clause", start, ctx.sentence.start + m.end(3), f"'{m.string[m.start(1):m.end(3)]}'"))
    adverbs, after_name = params["sentence_adverbs"], params["clause_openers_after_name"]
    text = ctx.sentence.text
    for m in _starter_pattern(tuple(params["glued_starters"])).finditer(text):
        at = m.start()
        b, a = _WORD_BEFORE.search(text, max(0, at - 64), at), _WORDS_AFTER.match(text, m.end())
        if at in seen or b is None or a is None:
            continue
        (before, comma), word, (comma_after, after, following) = b.groups(), m.group(), a.groups()
        adverb_clause = bool(comma_after) and word in adverbs
        if before[:1].isupper():
            clause = (word in after_name and following is not None and after.islower() and following.islower()
                      and not comma_after)
            if not (adverb_clause or clause):
                continue  # "Apocalypse Now", "Made In America", "Plan A", "Liu He": part of a name
        elif not adverb_clause:
            if before in title_context and not comma and (word in _DETERMINERS or _looks_like_title(after, following)):
                continue  # "a star of In the Heights", "told The Guardian", "on Your own behalf" (a defined term)
            if after[:1].isupper() and word not in _CONJUNCTIONS:
                continue  # "in The Hague", "the Many Saints": a name or a title
        start = ctx.sentence.start + b.start(1)
        out.append(Signal("glued-clause", start, ctx.sentence.start + m.end(), f"'{before}{comma} {word} {after}'"))
    return out


_REL_CHUNK = re.compile(r"^(?:who|which|whose|where|whom)\b", re.IGNORECASE)
_PRONOUN_SUBJECT = re.compile(r"\b(?:I|he|she|it|we|they|you|there)\b", re.IGNORECASE)


def _has_verb(chunk: str, verbs: frozenset[str]) -> bool:
    for word in re.findall(r"[A-Za-z'’-]+", chunk):
        low = word.lower()
        if low in verbs or (word.islower() and len(low) > 4 and low.endswith(("ed", "es"))):
            return True
    return bool(_PRONOUN_SUBJECT.search(chunk))


def relative_fragment(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """A subject and a relative clause with no main verb ("Adviser X, who spoke briefly.").

    The part before the relative clause is a subject only when it is short
    (``subject_max_words``). The main clause counts as back when a later
    comma-separated part starts with a lower-case word that is not a relative
    pronoun or a linking word ("Pifer, who served as ambassador, said ...").
    """
    text = ctx.sentence.text.rstrip(" .!?”\"")
    chunks = [c.strip() for c in text.split(",")]
    first_rel = next((i for i, c in enumerate(chunks) if i and _REL_CHUNK.match(c)), None)
    if first_rel is None or _REL_CHUNK.match(chunks[0]):
        return []
    longest = params["subject_max_words"]
    if any(_has_verb(c, params["verbs"]) or len(c.split()) > longest for c in chunks[:first_rel]):
        return []  # a long part before the relative clause holds a verb the list does not know ("cherish")
    linking = params["linking_words"]
    for chunk in chunks[first_rel + 1:]:
        word = chunk.split(" ", 1)[0]
        if word[:1].islower() and not _REL_CHUNK.match(chunk) and word not in linking:
            return []
    return [Signal("relative-fragment", ctx.sentence.start, ctx.sentence.end, "subject and relative clause, no main verb")]


# The word is an atomic group: once a word is read whole, no shorter prefix of it is tried.
_DOUBLED = re.compile(r"\b((?>\w+(?:['’]\w+)?))(?:,\s*(?:and\s+|or\s+)?|\s+)(\1)\b", re.IGNORECASE)


def doubled_word(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """The same word twice in a row, or across a comma and "and"/"or" ("frigates, and frigates").

    ``allowed_repeats`` ("that that", "very, very", "again, and again") are let
    through; so are one-letter words, words in capitals ("AA AA") and short
    names said twice ("Goo Goo Dolls", "Bora Bora"), unless "and"/"or" joins
    them. A repeat across a comma alone is emphasis ("You name it, it …",
    "Prioritize, prioritize").
    """
    allowed, function_words = params["allowed_repeats"], params["glued_starters"]
    out = []
    for m in _DOUBLED.finditer(ctx.sentence.text):
        word, again = m.group(1), m.group(2)
        between = m.string[m.end(1):m.start(2)]
        joined = between.strip(" ,").lower() in ("and", "or")
        if "," in between and not joined:
            continue
        if word.isdigit() or word.lower() in allowed or len(word) == 1 and not joined:
            continue
        if word.isupper() and again.isupper() and not joined:
            continue  # "AA AA", "BOOM BOOM": codes and shouted words
        if word.istitle() and again.istitle() and len(word) <= 4 and word not in function_words and not joined:
            continue  # "Goo Goo Dolls", "Bora Bora": a short name said twice; "The The", "Derek Derek" are doubled
        start = ctx.sentence.start + m.start()
        out.append(Signal("doubled-word", start, ctx.sentence.start + m.end(), f"'{m.group()}'"))
    return out


# Two words that cannot stand side by side without one between them: what bad extraction leaves
# where a link's text was dropped ("the [report] of the agency", "went upstairs to [bed] was") and
# spinning where a word fell out ("alleviates some [of] the"). Nouns that look like function words
# ("the will of", "a can of", "to can tomatoes") are not in the lists.
_MISSING_WORD = re.compile(
    r"(?=[tasmf])(?<![\w’'-])(?:"  # the first letters of the alternatives: the scan skips to them
    r"the (?:a|an|of|to|for|from|with|by|and|or|but|is|are|was|were|has|have|had|would|could|should)"
    r"|an? (?:the|of|to|for|from|with|by|and|or|but|is|are|was|were|has|have|had|would|could|should)"
    r"|to (?:was|were|is|are|has|had|would|could|should|might|must)"
    r"|(?:some|many|most|several|few) (?:the|a|an|his|her|their|our|my|your|its)"
    r"|(?:the|an) ?[.!?;]"
    r")(?![\w’'-])")


def missing_word(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """A word missing between two function words ("the of", "to was", "some the") or after a final "the"."""
    out = []
    for m in _MISSING_WORD.finditer(ctx.sentence.text):
        start = ctx.sentence.start + m.start()
        out.append(Signal("missing-word", start, ctx.sentence.start + m.end(), f"'{m.group()}'"))
    return out


def broken_quote(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """A closing quotation mark with no opening one before it in the paragraph."""
    if ctx.paragraph is None:
        return []
    closers = _unopened_closers(ctx.paragraph.text)
    base = ctx.paragraph.start
    i = bisect.bisect_left(closers, ctx.sentence.start - base)
    out = []
    while i < len(closers) and base + closers[i] < ctx.sentence.end:
        at = base + closers[i]
        out.append(Signal("broken-quote", at, at + 1, "closing quotation mark without an opening one"))
        i += 1
    return out


@lru_cache(maxsize=64)
def _unopened_closers(text: str) -> tuple[int, ...]:
    """Positions of closing quotes with no opening one (cached: every sentence of a paragraph asks)."""
    depth, out = 0, []
    for i, ch in enumerate(text):
        if ch == "“":
            depth += 1
        elif ch == "”":
            if depth == 0:
                out.append(i)
            else:
                depth -= 1
        elif ch == '"':
            prev = text[i - 1] if i else " "
            if prev.isspace() or prev in "([{—–-":
                depth += 1
            elif depth == 0:
                out.append(i)
            else:
                depth -= 1
    return tuple(out)


_STRAY = re.compile(r"(?<=[.!?])[\"”’]?(\s+[.,;])(?![.\w])")


def stray_punctuation(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """A stray mark after the end of a sentence ("NATO. .")."""
    out = []
    for m in _STRAY.finditer(ctx.sentence.text):
        start = ctx.sentence.start + m.start(1)
        out.append(Signal("stray-punctuation", start, ctx.sentence.start + m.end(1), f"'{m.group(1).strip()}'"))
    return out


def languagetool_signal(ctx: Context, params: Mapping[str, Any]) -> list[Signal]:
    """LanguageTool grammar matches inside the sentence (spelling and style do not count)."""
    counted = params["languagetool_categories"]
    out = []
    for start, end, m in ctx.grammar:
        if ctx.sentence.start <= start < ctx.sentence.end and m.category in counted:
            out.append(Signal("languagetool", start, end, f"{m.rule_id}: {m.message}"))
    return out


SIGNALS: dict[str, SignalFn] = {
    "lowercase-start": lowercase_start,
    "glued-clause": glued_clause,
    "relative-fragment": relative_fragment,
    "doubled-word": doubled_word,
    "missing-word": missing_word,
    "broken-quote": broken_quote,
    "stray-punctuation": stray_punctuation,
    "languagetool": languagetool_signal,
}


def _paragraph_of(doc: Document, sentence: Segment, start_index: int) -> tuple[Segment | None, int]:
    i = start_index
    while i < len(doc.paragraphs) and doc.paragraphs[i].end < sentence.start:
        i += 1
    para = doc.paragraphs[i] if i < len(doc.paragraphs) and doc.paragraphs[i].start <= sentence.start else None
    return para, i


# Word-list parameters that every sentence looks words up in.
_WORD_SETS = ("lowercase_words", "english_words", "english_only_signals", "title_context_words", "verbs",
              "linking_words", "allowed_repeats", "sentence_adverbs", "clause_openers_after_name",
              "languagetool_categories")


_WORD = re.compile(r"[^\W\d_]+")


def is_english(text: str, params: Mapping[str, Any]) -> bool:
    """Whether ``english_words`` (the commonest English words) make up ``english_min_share`` of the words.

    The word-list signals read English; on other languages they misfire ("amat amat",
    Indonesian for "very, very", is a doubled word only in English).
    """
    words = _WORD.findall(text[:20_000].lower())
    return bool(words) and sum(w in params["english_words"] for w in words) >= params["english_min_share"] * len(words)


def _with_word_sets(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with its word lists as sets and the starters as a tuple, made once per document."""
    out = dict(params)
    for key in _WORD_SETS:
        out[key] = frozenset(out[key])
    out["glued_starters"] = tuple(out["glued_starters"])
    return out


def sentence_signals(doc: Document, params: Mapping[str, Any], grammar: GrammarService | None = None,
                     skip: Callable[[Segment], bool] | None = None) -> Iterator[tuple[Segment, list[Signal]]]:
    """Every sentence with the signals that fired in it (possibly none); ``skip`` leaves sentences out."""
    params = _with_word_sets(params)
    enabled = {name: SIGNALS[name] for name in params["signals"] if name in SIGNALS and params["signals"][name] > 0}
    looked_at = [skip is None or not skip(sentence) for sentence in doc.sentences]
    # the language is read from the sentences looked at: a page's menus are not its article
    if not is_english(" ".join(s.text for s, k in zip(doc.sentences, looked_at, strict=True) if k), params):
        enabled = {name: fn for name, fn in enabled.items() if name not in params["english_only_signals"]}
    matches: tuple[tuple[int, int, Any], ...] = ()
    if grammar is not None and "languagetool" in enabled:
        matches = tuple(grammar_matches(doc, grammar)[1])
    para_index, previous = 0, None
    for sentence, look in zip(doc.sentences, looked_at, strict=True):
        paragraph, para_index = _paragraph_of(doc, sentence, para_index)
        if previous is not None and paragraph is not None and previous.end < paragraph.start:
            previous = None
        if look:
            ctx = Context(doc, sentence, paragraph, previous, matches)
            yield sentence, [s for fn in enabled.values() for s in fn(ctx, params)]
        previous = sentence


_NON_BLANK = re.compile(r"\S+")


def _all_removed(removed: SpanSet, text: str, start: int, end: int) -> bool:
    """Whether every non-blank character of ``text[start:end]`` is in a removed span.

    Lines are removed one by one, so a "sentence" made of several chrome lines
    ("- Order Reprints", "- Print Article", …) is removed though no single span covers it.
    """
    if removed.covers(start, end):
        return True
    if not removed.overlaps(start, end):
        return False
    return all(removed.covers(m.start(), m.end()) for m in _NON_BLANK.finditer(text, start, end))


def _kept_extent(removed: SpanSet, text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the removed words at its ends: what of the sentence the cleaned copy keeps."""
    kept = [m for m in _NON_BLANK.finditer(text, start, end) if not removed.covers(m.start(), m.end())]
    return (kept[0].start(), kept[-1].end()) if kept else (start, end)


@check(
    "garbled_sentence",
    uses_grammar=True,
    signals={name: 1.0 for name in SIGNALS},
    threshold=1.0,
    languagetool_categories=["GRAMMAR", "CONFUSED_WORDS", "COLLOCATIONS", "SEMANTICS", "MISC"],
    # signals that read English words; on a page in another language they are not run
    english_only_signals=["glued-clause", "relative-fragment", "doubled-word", "missing-word"],
    # none that other languages share ("a", "in", "an", "was", "die")
    english_words=["the", "of", "and", "to", "is", "that", "for", "with", "it", "at", "by", "from", "be", "this",
                   "are", "have", "has", "had", "not", "he", "she", "they", "said", "but", "or", "were", "will",
                   "would", "his", "her", "their", "its", "which", "what", "who", "been", "there"],
    english_min_share=0.05,
    lowercase_words=["de", "van", "von", "da", "al", "bin", "el", "la", "le", "dos", "du", "der", "den"],
    title_context_words=[
        "said", "says", "told", "tells", "in", "of", "from", "by", "at", "on", "to", "for", "with", "and",
        "or", "reported", "wrote", "according", "about", "called", "named", "titled", "dubbed", "via",
        "into", "as", "than", "like", "read", "watch", "see",
    ],
    verbs=[
        "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "will", "would",
        "can", "could", "may", "might", "must", "shall", "should", "said", "says", "say", "told", "tells",
        "went", "got", "made", "took", "gave", "came", "saw", "knew", "thought", "felt", "left", "kept",
        "met", "ran", "won", "lost", "led", "held", "sent", "spent", "began", "became", "brought", "bought",
        "wants", "want", "need", "needs", "seems", "seem", "remains", "remain",
    ],
    subject_max_words=8,
    linking_words=[
        "and", "or", "but", "in", "on", "at", "of", "for", "from", "to", "with", "by", "as", "after",
        "before", "during", "including", "while", "when", "where", "since", "until", "near", "than",
        "a", "an", "the", "his", "her", "their", "its", "our", "this", "that", "these", "those",
    ],
    allowed_repeats=["that", "had", "very", "really", "bye", "yes", "no", "far", "more", "again", "many", "much",
                     "so", "ha", "go", "do", "la", "na", "cha", "knock", "tut", "hush", "pom", "bla", "blah",
                     "boo", "now", "come", "there", "well", "please", "never", "round"],
    glued_starters=[
        "The", "A", "An", "This", "These", "Those", "He", "She", "It", "They", "We", "His", "Her", "Their", "Its",
        "However", "Meanwhile", "And", "But", "Or", "Yet", "So", "Many", "Most", "Some", "Each", "Every", "All",
        "Both", "Several", "Few", "Such", "If", "Although", "Though", "Because", "While", "When", "After",
        "Before", "Since", "Until", "Unless", "There", "Here", "What", "Which", "Who", "Our", "My", "Your",
        "Also", "Still", "Even", "Only", "Just", "Far", "Then", "Now", "Instead", "Indeed", "Despite", "During",
        "In", "On", "At", "For", "With", "From", "Of", "To", "By", "As", "One", "Moreover", "Furthermore",
        "Besides", "Additionally", "Nevertheless", "Nonetheless", "Considering",
    ],
    # followed by a comma inside a sentence, these open a new clause even after a capitalised word
    sentence_adverbs=["However", "Instead", "Meanwhile", "Moreover", "Furthermore", "Additionally", "Nevertheless",
                      "Nonetheless", "Indeed", "Also", "Besides", "Consequently", "Therefore"],
    # followed by two lower-case words after a capitalised word, these open a glued clause; words that are
    # also names or labels ("Plan A", "Liu He", "Air Force One") are left out
    clause_openers_after_name=["The", "This", "These", "Those", "Their", "They", "We", "In", "On", "At", "For",
                               "With", "From", "Many", "Most", "Some", "Although", "Though", "Because", "While",
                               "When", "After", "Before", "Since", "Unless", "If", "But"],
)
def garbled_sentence(doc: Document, params: Mapping[str, Any], grammar: GrammarService | None = None) -> Iterator[Hit]:
    """Sentences whose signals add up to the threshold; the finding lists what fired."""
    weights: Mapping[str, float] = params["signals"]
    removed = SpanSet(doc.removed)

    def gone(sentence: Segment) -> bool:  # a removed sentence is not looked at: most of a page's lines are chrome
        return _all_removed(removed, doc.text, sentence.start, sentence.end)

    for sentence, signals in sentence_signals(doc, params, grammar, skip=gone):
        start, end = sentence.start, sentence.end
        if removed.overlaps(start, end):  # chrome lines the splitter read into the sentence
            signals = [s for s in signals if not _all_removed(removed, doc.text, s.start, s.end)]
            start, end = _kept_extent(removed, doc.text, start, end)
        score = sum(weights.get(name, 0.0) for name in {s.name for s in signals})
        if signals and score >= params["threshold"]:
            names = tuple(dict.fromkeys(s.name for s in signals))
            details = "; ".join(f"{s.name} ({s.detail})" for s in signals)
            yield Hit(start, end, signals=names,
                      message=f"Sentence looks garbled: {details}.",
                      data={"score": score, "signals": [{"name": s.name, "detail": s.detail} for s in signals]})
