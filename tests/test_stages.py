"""Unit tests of the read, normalize, segment and clean stages."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from cleaner.clean import apply_edits, reconstruct, tidy
from cleaner.model import Edit
from cleaner.normalize import normalize
from cleaner.read import ReadFailure, article_from_text, decode_bytes, read_path
from cleaner.segment import segment, split_sentences


# --- read -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "text", "encoding"), [
    ("Café “ok”".encode(), "Café “ok”", "utf-8"),
    (codecs.BOM_UTF8 + "Café".encode(), "Café", "utf-8-sig"),
    ("Café “quoted” text here".encode("utf-16"), "Café “quoted” text here", "utf-16"),
    ("Le café était fermé “hier” à Paris, a-t-il déclaré.".encode("cp1252"),
     "Le café était fermé “hier” à Paris, a-t-il déclaré.", "cp1252"),
])
def test_decode(data: bytes, text: str, encoding: str):
    assert decode_bytes(data, "x") == (text, encoding)


def test_title_and_body_start():
    article = article_from_text("\n  Headline here  \nBody line.\n", "x")
    assert article.title == "Headline here"
    assert article.text[article.title_span.start:article.title_span.end] == "Headline here"
    assert article.text[article.body_start:] == "Body line.\n"


def test_read_json_fields(tmp_path: Path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"body": "Text.", "headline": "H", "byline": ["A B", "C D"], "link": "u"}))
    (article,) = read_path(path)
    assert (article.text, article.title, article.author, article.url) == ("Text.", "H", "A B, C D", "u")


def test_read_failures_are_values_not_exceptions(tmp_path: Path):
    (tmp_path / "deep.json").write_text("[" * 100000 + "]" * 100000)
    (tmp_path / "num.json").write_text(json.dumps({"text": 5}))
    for name, reason in [("deep.json", "nested too deeply"), ("num.json", "field 'text' is a JSON int")]:
        (failure,) = read_path(tmp_path / name)
        assert isinstance(failure, ReadFailure) and reason in failure.reason


# --- normalize ------------------------------------------------------------------------------------

def test_normalize_repairs_and_keeps_typography():
    n = normalize("It’s “fine” — doesnâ€™t matter.\nSecond line: cafÃ©\r\nThird")
    assert n.text == "It’s “fine” — doesn’t matter.\nSecond line: café\r\nThird"
    assert [(r.before, r.after) for r in n.repairs] == [("â€™", "’"), ("Ã©", "é")]
    pos = n.text.index("café")
    assert n.original[n.offsets.to_original(pos):n.offsets.to_original(pos + 4, end=True)] == "cafÃ©"


# --- segment --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "sentences"), [
    ("Mr. Smith met Dr. Jones in Washington, D.C. on Monday.", 1),
    ("WILMINGTON, Del. – Biden spoke. Putin listened.", 2),
    ("The U.S. military flew. George W. Bush spoke. It rained.", 3),
    ("Sales fell in Jan. and rose in Feb. as expected.", 1),
    ("“Really?” he asked. “Yes!” she said.", 2),
    ("It rained... then it stopped. Done.", 2),
    ("Prices rose 3.5 percent. Analysts were surprised.", 2),
])
def test_sentence_split(text: str, sentences: int):
    assert len(split_sentences(text)) == sentences


def test_segments_are_spans_of_the_text():
    text = "Title\n\nFirst para. Second sentence.\nSame para line.\n\n\nLast para.\n"
    doc = segment(text, body_start=6, title=(0, 5))
    assert doc.title.text == "Title"
    assert [p.text for p in doc.paragraphs] == ["First para. Second sentence.\nSame para line.", "Last para."]
    assert [s.text for s in doc.sentences] == ["First para.", "Second sentence.", "Same para line.", "Last para."]
    for seg in (*doc.lines, *doc.paragraphs, *doc.sentences):
        assert text[seg.start:seg.end] == seg.text


def test_hard_wrapped_lines_join_into_one_sentence():
    text = "The council voted on a plan that\nwould double spending. It passed."
    doc = segment(text)
    assert [s.text for s in doc.sentences] == ["The council voted on a plan that\nwould double spending.", "It passed."]


# --- clean ----------------------------------------------------------------------------------------

def test_tidy_merges_blank_lines_left_by_removals():
    original = "Title\n\nMenu\n\nStory.   \n\n\n\nMore story.\nFooter"
    menu, footer = original.index("Menu"), original.index("\nFooter")
    edits = (Edit(menu, menu + 5, "Menu\n", "", ("b",)), Edit(footer, len(original), "\nFooter", "", ("b",)))
    edits = tidy(original, edits, body_start=6)
    cleaned = apply_edits(original, edits)
    assert cleaned == "Title\n\nStory.\n\nMore story."
    assert reconstruct(cleaned, edits) == original


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    ("Café", "cp1252", "cp1252"),
    ("Ünïcödé “quoted”", "cp1252", "cp1252"),
    ("Grüße aus München", "latin-1", "cp1252"),
    ("Привет, как дела? Новости дня.", "cp1251", "cp1251"),
    ("日本語のニュース記事です。", "shift_jis", "cp932"),
])
def test_legacy_encodings_are_detected(text: str, encoding: str, expected: str):
    assert decode_bytes(text.encode(encoding), "x") == (text, expected)
