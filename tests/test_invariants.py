"""Properties that hold for every input: nothing is lost, offsets point at the original, cleaning is stable."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.clean import OriginalOffsets, apply_edits, reconstruct
from cleaner.model import Edit
from cleaner.normalize import normalize
from cleaner.pipeline import clean_text
from cleaner.rules import load_rules

RULES = load_rules()

SENTENCES = st.sampled_from([
    "The council met on Tuesday.", "Prices rose 3% in May, officials said.", "“We are ready,” she said.",
    "may not be able to resolve.", "The army bought tanks, and tanks.", "He left. .", "Mr. Smith went to Washington.",
    "Zoë paid 5 € for café au lait.", "Schools stayed shut in the U.S. capital.",
])
BOILERPLATE = st.sampled_from([
    "Back to top button", "Related Articles", "[time-brightcove not-tgx=”true”]", "Share on Facebook",
    "Read more: another story", "Jane Doe / AP Photo A man walks by.", "By Jane Doe", "Advertisement",
])
MOJIBAKE = st.sampled_from(["cafÃ©", "doesnâ€™t", "â€œquotedâ€\x9d", "naÃ¯ve"])
LINE = st.one_of(
    st.lists(SENTENCES, min_size=1, max_size=3).map(" ".join),
    BOILERPLATE,
    st.tuples(SENTENCES, MOJIBAKE).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
)
SEPARATOR = st.sampled_from(["\n", "\n\n", "\n\n\n", "\r\n", "  \n", "\n \n"])


GARBLED = st.sampled_from([
    "may not be able to resolve.", "The army bought tanks, and tanks.", "He left. .",
    "The minister, who visited Kyiv on Monday.", "the talks resumed after a pause.",
])


@st.composite
def mixed_articles(draw: st.DrawFn) -> str:
    """Every article has boilerplate, a garbled sentence and mojibake, in any order, some on one line."""
    parts = [f"{draw(SENTENCES)} {draw(GARBLED)}", f"{draw(SENTENCES)} {draw(MOJIBAKE)}", draw(BOILERPLATE),
             f"{draw(GARBLED)} {draw(MOJIBAKE)}"]
    parts += draw(st.lists(st.one_of(SENTENCES, BOILERPLATE, GARBLED), max_size=4))
    return "".join(part + draw(SEPARATOR) for part in draw(st.permutations(parts)))


ANY_ARTICLE = st.one_of(mixed_articles(), st.deferred(lambda: articles()))
# Once its duplicate sentence was removed, a line repeated the title; a second clean removed it.
SETTLES = ("The army bought tanks, and tanks.\nThe council met on Tuesday. cafÃ©\nBack to top button\n"
           "The army bought tanks, and tanks. The army bought tanks, and tanks.\nThe council met on Tuesday.\n")


@st.composite
def articles(draw: st.DrawFn) -> str:
    lines = draw(st.lists(LINE, min_size=1, max_size=10))
    seps = [draw(SEPARATOR) for _ in lines]
    return "".join(line + sep for line, sep in zip(lines, seps, strict=True))[: draw(st.integers(0, 2000))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_ARTICLE, st.booleans())
@example(SETTLES, True)
def test_cleaned_copy_plus_edits_reconstructs_the_original(text: str, title: bool):
    result = clean_text(text, has_title=title, rules=RULES)
    assert apply_edits(text, result.edits) == result.cleaned
    assert reconstruct(result.cleaned, result.edits) == text
    last = 0
    for edit in result.edits:
        assert last <= edit.start <= edit.end <= len(text)
        assert text[edit.start:edit.end] == edit.removed
        last = edit.end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_ARTICLE, st.booleans())
@example(SETTLES, True)
def test_findings_point_into_the_original(text: str, title: bool):
    result = clean_text(text, has_title=title, rules=RULES)
    lines = text.split("\n")
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert f.excerpt.rstrip("…") in text[f.start:f.end] or f.excerpt == text[f.start:f.end]
        line_start = sum(len(x) + 1 for x in lines[: f.line - 1])
        assert line_start + f.column - 1 == f.start


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_ARTICLE, st.booleans())
@example(SETTLES, True)
def test_removals_cover_only_what_rules_matched(text: str, title: bool):
    result = clean_text(text, has_title=title, rules=RULES)
    removed_by_rules = [(f.start, f.end) for f in result.findings if f.applied]
    for edit in result.edits:
        if edit.replacement.strip() or not edit.removed.strip():
            continue  # replacements and pure whitespace tidying
        # Every non-blank character an edit removes lies inside some applied finding.
        for i, ch in enumerate(edit.removed):
            if not ch.isspace():
                pos = edit.start + i
                assert any(a <= pos < b for a, b in removed_by_rules), (edit, pos)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_ARTICLE, st.booleans())
@example(SETTLES, True)
def test_cleaning_is_idempotent(text: str, title: bool):
    once = clean_text(text, has_title=title, rules=RULES)
    twice = clean_text(once.cleaned, has_title=title, rules=RULES)
    assert twice.cleaned == once.cleaned
    # Findings level: the second clean applies nothing, and flags nothing the first did not.
    assert twice.edits == () and not any(f.applied for f in twice.findings), twice.edits
    first = {f.rule for f in once.findings}
    assert {f.rule for f in twice.findings} <= first, (text, [f for f in twice.findings if f.rule not in first])


@given(st.text(max_size=300))
def test_normalize_offsets_map_back(text: str):
    norm = normalize(text)
    for r, nstart in zip(norm.offsets.repairs, norm.offsets.norm_starts, strict=True):
        assert norm.text[nstart:nstart + len(r.after)] == r.after
        assert norm.offsets.to_original(nstart) == r.start
        assert norm.offsets.to_original(nstart + len(r.after), end=True) == r.end
    assert norm.offsets.to_original(len(norm.text), end=True) == len(text)


@st.composite
def EDITS(draw) -> tuple[str, tuple[Edit, ...]]:
    """An original text and sorted, non-overlapping edits of it (removals, replacements, insertions)."""
    original = draw(st.text(alphabet="ab \n", max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(original)), max_size=12)))
    edits, last = [], -1
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        replacement = draw(st.sampled_from(["", "", "x", "xyz"]))
        if start <= last or (start == end and not replacement):
            continue
        edits.append(Edit(start, end, original[start:end], replacement, ("r",)))
        last = end
    return original, tuple(edits)


@given(EDITS())
def test_original_offsets_point_back_at_the_original_text(case):
    original, edits = case
    back = OriginalOffsets(edits)
    cleaned = apply_edits(original, edits)
    replaced = set()
    shift = 0
    for e in edits:  # a span inside a replacement maps to the whole span the replacement came from
        at = e.start + shift
        assert cleaned[at:at + len(e.replacement)] == e.replacement
        for pos in range(at + 1, at + len(e.replacement)):
            assert (back(pos), back(pos, end=True)) == (e.start, e.end)
        replaced.update(range(at, at + len(e.replacement)))
        shift += len(e.replacement) - (e.end - e.start)
    for pos in set(range(len(cleaned))) - replaced:  # a kept character's span is that very character
        kept_at = back(pos + 1, end=True) - 1
        assert original[kept_at] == cleaned[pos] and back(pos) == kept_at  # not the text deleted before it
