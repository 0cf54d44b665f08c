"""Built-in checks on cases they were not written from: positives and negatives per check."""

from __future__ import annotations

import pytest

from cleaner.pipeline import clean_text
from cleaner.rules import load_rules

RULES = load_rules()


def rules_hit(text: str, *, title: bool = False) -> list[tuple[str, str]]:
    result = clean_text(text, has_title=title, rules=RULES)
    return [(f.rule, result.article.text[f.start:f.end]) for f in result.findings]


def fired(text: str, rule: str, *, title: bool = False) -> list[str]:
    return [excerpt for r, excerpt in rules_hit(text, title=title) if r == rule]


# --- garbled sentences -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The council approved the budget on Monday. spending on roads will double next year.",
    "Prices rose sharply in March and then fell again. as analysts had predicted.",
    "The mayor said the plan would work the city council disagreed with the estimate.",  # no signal: run-on
])
def test_lowercase_start(text):
    hits = fired(text, "garbled.sentence")
    if "council disagreed" in text:
        assert hits == []  # a run-on sentence has no lower-case start; not this signal's job
    else:
        assert len(hits) == 1 and hits[0][0].islower()


@pytest.mark.parametrize("text", [
    "The firm, which was founded in Ohio in 1990, makes pumps. iPhone sales rose.",
    "Mayor Bill de Blasio spoke on Monday. de Blasio later left.",
    "He said it was “a disaster.” He left.",
    "They met at 9 a.m. on Tuesday and talked for an hour.",
    "The talks failed. “We tried,” she said.",
])
def test_well_formed_sentences_stay_unflagged(text):
    assert fired(text, "garbled.sentence") == []


@pytest.mark.parametrize(("text", "flagged"), [
    ("Officials warned that the plan The new rules would hurt farmers badly.", True),
    ("The story was first reported by The Washington Post on Sunday.", False),
    ("Lawmakers in The Hague approved the bill.", False),
    ("He told reporters the vote He cast was final.", True),
    # after "said", "to", "with" a capitalised "The" is a title only when a capital follows it
    ("The mayor said The budget would be cut again next year.", True),
    ("Farmers have struggled with The drought has lasted three years.", True),
    ("She told The Guardian that the plan had failed.", False),
    ("The band flew to The Hague for the final show of the tour.", False),
    ("We have plenty of money, but He’s older and has health concerns.", True),
    ("The crowd sang along to It’s Now or Never at the end of the night.", False),
])
def test_glued_clause(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    ("The company’s chief executive, Jane Smith, who joined the firm in 2019 after a decade at a bank.", True),
    ("The mayor, who took office in January, said the budget was balanced.", False),
    ("Smith, who joined in 2019, now runs the bank.", False),
    ("The report, which was released on Monday, found no fraud.", False),
])
def test_relative_fragment(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    ("The army bought tanks, and tanks of every kind.", True),
    ("She said the the deal was done.", True),
    ("He said that that was the plan.", False),
    ("It was very, very cold in the valley.", False),
])
def test_doubled_word(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


def test_broken_quote_and_straight_quotes():
    assert fired("He said the plan “will work if funded.” funded by the state.”", "garbled.sentence")
    assert not fired('He said "it will work" and left.', "garbled.sentence")
    assert fired('He said it will work." Then he left.', "garbled.sentence")


def test_garbled_finding_lists_its_signals():
    result = clean_text("The board met. may vote again, and again later.", has_title=False, rules=RULES)
    (finding,) = [f for f in result.findings if f.rule == "garbled.sentence"]
    assert finding.signals == ("lowercase-start",)
    assert "lowercase-start" in finding.message
    assert finding.data["signals"][0]["name"] == "lowercase-start"


# --- boilerplate ---------------------------------------------------------------------------------

def test_shortcodes_inline_and_on_their_own_line():
    text = "Intro paragraph here.\n\n[gallery-embed ids=\"1,2,3\"]\n\nSee [video-player id=‘9’] now."
    result = clean_text(text, has_title=False, rules=RULES)
    assert "[gallery-embed" not in result.cleaned and "[video-player" not in result.cleaned
    assert "Intro paragraph here." in result.cleaned and "See now." in result.cleaned


def test_captions_with_other_credit_styles():
    text = ("The flood hit on Monday.\n\nFlood Damage\nJohn Locher / AP Residents wade through water in Houston.\n\n"
            "More rain is expected.\n\nFILE – In this 2019 photo, a bridge collapses.\n\nThe city will rebuild.")
    result = clean_text(text, has_title=False, rules=RULES)
    assert result.cleaned == "The flood hit on Monday.\n\nMore rain is expected.\n\nThe city will rebuild."


def test_keyword_line_needs_a_caption_below():
    text = "Flood Damage\nThe river rose two metres overnight, officials said."
    assert fired(text, "boilerplate.photo-caption") == []


def test_author_bio_other_wording():
    text = ("The vote passed 52-48.\n\nMaria Lopez\n\nMaria Lopez is an award-winning health correspondent at the "
            "Daily Planet. She previously worked at the Herald and is a graduate of Columbia University. "
            "Follow her on Twitter.")
    result = clean_text(text, has_title=False, rules=RULES)
    assert result.cleaned == "The vote passed 52-48."


def test_a_sentence_about_a_reporter_is_not_a_bio():
    text = "Jane Roe is a veteran reporter who was detained in Minsk, her editor said on Monday."
    assert fired(text, "boilerplate.author-bio") == []


def test_site_chrome_variants():
    text = "Story text here.\n\n• Share on Facebook\nTweet\nEmail\n\nADVERTISEMENT\n\nMore story text."
    assert clean_text(text, has_title=False, rules=RULES).cleaned == "Story text here.\n\nMore story text."


def test_title_repeat_as_its_own_line():
    text = "Floods close schools across region\n\nSchools stayed shut.\n\nFloods close schools across region\n"
    assert clean_text(text, rules=RULES).cleaned == "Floods close schools across region\n\nSchools stayed shut.\n"


# --- byline ---------------------------------------------------------------------------------------

def test_byline_mismatch_with_author_field_and_reuters_credit():
    from cleaner.model import Article
    from cleaner.pipeline import clean_article
    from cleaner.read import sha256_of

    body = "LONDON (Reuters) - Shares fell.\n\nReporting by Kate Holton and William James; Editing by Jon Boyle"
    article = Article(source="x", text=body, author="Ben Staff", sha256=sha256_of(body))
    result = clean_article(article, RULES)
    assert result.byline.declared == ("Ben Staff",)
    assert result.byline.credited == ("Kate Holton", "William James")
    assert result.byline.agency == ("Reuters",)
    assert result.byline.mismatch
    assert [f.rule for f in result.findings if f.category == "byline"] == ["byline.mismatch"]


def test_byline_match_when_declared_author_is_credited():
    text = "By Kate Holton\n\nLONDON (Reuters) - Shares fell.\n\nReporting by Kate Holton; Editing by Jon Boyle"
    result = clean_text(text, has_title=False, rules=RULES)
    assert result.byline.declared == ("Kate Holton",)
    assert not result.byline.mismatch


# --- encoding and punctuation ---------------------------------------------------------------------

def test_mojibake_is_repaired_with_original_offsets():
    text = "Headline\n\nThe cafÃ© servesâ€”at lastâ€”real coffee."
    result = clean_text(text, rules=RULES)
    assert result.cleaned == "Headline\n\nThe café serves—at last—real coffee."
    enc = [f for f in result.findings if f.category == "encoding"]
    assert [text[f.start:f.end] for f in enc] == ["Ã©", "â€”", "â€”"]
    assert all(f.applied for f in enc)
    assert enc[0].data == {"before": "Ã©", "after": "é"}


def test_curly_quotes_and_dashes_are_kept():
    text = "Headline\n\n“It’s done” — she said, ‘finally’."
    result = clean_text(text, rules=RULES)
    assert result.cleaned == text
    assert [f for f in result.findings if f.category == "encoding"] == []


@pytest.mark.parametrize(("text", "cleaned"), [
    ("The rally ended. .", "The rally ended."),
    ("Voters , officials said, stayed home.", "Voters, officials said, stayed home."),
    ("It rained,, then cleared.", "It rained, then cleared."),
    ("He paused... and went on.", "He paused... and went on."),
])
def test_mechanical_punctuation(text, cleaned):
    assert clean_text(text, has_title=False, rules=RULES).cleaned == cleaned


@pytest.mark.parametrize(("text", "dateline", "agency"), [
    ("MOSCOW (AP) — Talks went on.", "MOSCOW", ("Associated Press",)),
    ("WILMINGTON, Del. – President Biden spoke.", "WILMINGTON, Del.", ()),
    ("LONDON (Reuters) - Shares fell.", "LONDON", ("Reuters",)),
    ("The council met. It was late - very late.", None, ()),
    ("NATO allies met on Monday - and agreed.", None, ()),
])
def test_datelines_and_agencies(text, dateline, agency):
    result = clean_text(text, has_title=False, rules=RULES)
    assert result.byline.dateline == dateline
    assert result.byline.agency == agency


# --- garbled: signals widened for spun and badly extracted text ---------------------------------

@pytest.mark.parametrize(("text", "flagged"), [
    ("The council met on Tuesday.\n\nspending on roads will double next year, officials said.", True),
    ("The council met on Tuesday.\n\niPhone sales rose again in the third quarter, the company said.", False),
    ("The list:\n\napples and pears", False),
    # under a heading, or a line cut mid-sentence: the paragraph's capital was lost
    ("The council met on Tuesday.\n\nRoad budget\n\nspending on roads will double next year, officials said.", True),
    ("Voters in the district were\n\nangry about the closures and the delays, residents said.", True),
    # under a one-word list item, or after a trailing-off ellipsis: not a cut
    ("You need:\n\nonions\n\nsour cream and a few other things from the shop.", False),
    ("He waited and waited…\n\nand then the bus came round the corner at last.", False),
])
def test_lowercase_paragraph_start(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    ("The crowd came to the park! paired with drums, the dancers began.", True),
    ("“Really?” he asked, before leaving the room.", False),
])
def test_lowercase_after_exclamation(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    ("Although the bill was withdrawn, Many of the protesters stayed on the streets.", True),
    ("The only strategy is to taint Yet Schiff seems unaware of the change.", True),
    ("She starred in Some Like It Hot before the war.", False),
    ("The summit in The Hague ended on Monday.", False),
    # a sentence adverb keeps its comma when glued, even after a name
    ("The council voted for the However, the mayor vetoed it on Friday.", True),
    ("Officials expected a deal with Ottawa Instead, talks collapsed in May.", True),
    ("The band opened with Apocalypse Now, a song from its first album.", False),
    # after a capitalised word: a function word and two lower-case words are a clause, not a name
    ("He thanked the Liberal Party In their view the vote was lost.", True),
    ("The shirts were Made In America and sold at the fair.", False),
    ("Vice Premier Liu He said on Friday that talks would go on.", False),
    ("Put Plan A into action before the money runs out.", False),
    ("Air Force One was parked at the end of the runway.", False),
    # after "of", "in", "to": a title only when the next words are a title's
    ("The mayor of On behalf of the city, the council thanked the volunteers.", True),
    ("He played the lead in On the Road last year.", False),
    ("She reread a copy of In Cold Blood on the train.", False),
])
def test_glued_function_word(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


def test_chrome_lines_removed_one_by_one_are_not_a_garbled_sentence():
    # "Comments" and "comments" are two chrome lines the segmenter reads as one sentence; both are removed.
    text = ("The council met on Monday to discuss the budget.\n\nComments\ncomments\n\n"
            "The vote is expected next week, the mayor said.")
    result = clean_text(text, has_title=False, rules=RULES)
    assert "Comments" not in result.cleaned
    assert [f for f in result.findings if f.rule == "garbled.sentence"] == []


@pytest.mark.parametrize(("text", "flagged"), [
    # a dropped word (or a link's dropped text) leaves two function words side by side
    ("The council published the of its inquiry into the floods on Monday.", True),
    ("Rescuers climbed back to was the only way out of the valley.", True),
    ("The new rules will remove some the barriers that small firms face.", True),
    ("Investigators said the cause of the fire was still unknown, and the.", True),
    # nouns and verbs that look like function words
    ("The will of the people was respected, officials said.", False),
    ("She bought a can of paint and a to-do list for the weekend.", False),
    ("Volunteers helped to can tomatoes for the food bank.", False),
    ("You may act only on Your own behalf under this License.", False),
])
def test_missing_word(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    ("Voters could have shown they were tired of of the investigations.", True),
    ("If you’re you’re not a techy person, it is fine.", True),
    ("The band played on and on, and the crowd sang along.", False),
    ("It happened again, and again later.", False),
])
def test_doubled_short_words(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


def test_doubled_codes_in_capitals_are_not_doubled_words():
    assert fired("The bonds were rated AA AA by both agencies last year.", "garbled.sentence") == []


# --- garbled: what real pages hold that is not garbled ------------------------------------------

@pytest.mark.parametrize(("text", "flagged"), [
    # an address after a sentence is not a sentence that lost its capital
    ("The full report is online. http://example.org/reports/2019/floods.html", False),
    ("Video of the launch was shared widely. pic.twitter.com/Ab12Cd34", False),
    ("The full report is online. www.example.org has the data.", False),
    # the splitter stops after an initialism; the sentence goes on in lower case
    ("The plan relies on Japanese-U.S. joint patrols along the coast, officials said.", False),
    ("The budget was approved. spending on schools will rise by a tenth.", True),
    # a lettered or numbered list item opens with its marker, and the sentence before may end in one
    ("The contract lets the buyer:\n\n(a) inspect the goods on delivery.\n\n(b) return them within a month.", False),
    ("The court listed the duties: i. keep records of every sale; ii. report them to the regulator each year.",
     False),
])
def test_lowercase_start_after_addresses_initialisms_and_list_markers(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    # a repeat across a comma alone is emphasis, not a doubled word
    ("If you want it, it is yours, the seller told the buyer.", False),
    ("Location, location, location is still what buyers ask about first.", False),
    # a short name said twice is a name; a longer one doubled is damage
    ("The couple spent their honeymoon in Bora Bora last spring.", False),
    ("The album went platinum, and the Goo Goo Dolls toured for a year.", False),
    ("The report was written by Derek Derek Scissors for the institute.", True),
    ("Officials said The The new rules take effect in May.", True),
])
def test_doubled_word_emphasis_and_names(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    # the word-list signals read English: Indonesian doubles a word for "very", German has "die die"
    ("Penghinaan yang amat amat keji itu terjadi di depan umum kemarin sore.", False),
    ("Das sind die Kinder, die die Schule im Dorf seit einem Jahr besuchen.", False),
    ("The minister said the the meeting was moved to next week.", True),
])
def test_english_signals_are_not_run_on_other_languages(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


@pytest.mark.parametrize(("text", "flagged"), [
    # a long part before "where" holds a verb the verb list does not know
    ("Farmers in the northern valleys cherish the old orchards along the river, where apples grew for centuries.",
     False),
    ("The company’s new chief executive, Jane Smith, who joined the firm in 2019 after a decade at a bank.", True),
])
def test_relative_fragment_needs_a_short_subject(text, flagged):
    assert bool(fired(text, "garbled.sentence")) is flagged


def test_the_language_is_read_from_the_article_not_its_chrome():
    # English promo lines that cleaning removes do not make an Indonesian article English
    prose = ["Penghinaan yang amat amat keji itu terjadi di depan umum kemarin sore, kata polisi setempat.",
             "Warga yang menyaksikan kejadian itu segera melapor kepada petugas keamanan di lokasi acara.",
             "Polisi masih memeriksa sejumlah saksi untuk mengetahui latar belakang peristiwa tersebut."]
    chrome = ["Sign up for our newsletter to get the best of the news in your inbox every morning.",
              "Follow us on Twitter and Facebook for the latest updates from the region.",
              "If you enjoyed this article, please consider supporting us with a donation to keep it free for all.",
              "Click here to subscribe to our YouTube channel for the latest videos."]
    result = clean_text("\n\n".join(prose + chrome), has_title=False, rules=RULES)
    assert result.cleaned.strip() == "\n\n".join(prose)
    assert [f for f in result.findings if f.rule == "garbled.sentence"] == []


@pytest.mark.parametrize("chrome", ["Comments\ncomments\n", "Advertisement\n", "- Order Reprints\n- Print Article\n"])
def test_a_garbled_finding_covers_only_what_the_cleaned_copy_keeps(chrome):
    # the splitter reads chrome lines with no full stop into the next sentence; they are removed
    caption = "the mayor celebrates celebrates the win with fans in the main square on Tuesday."
    text = chrome + caption + "\n\nThe council met on Monday to approve the budget for next year, officials said."
    result = clean_text(text, has_title=False, rules=RULES)
    garbled = [f for f in result.findings if f.rule == "garbled.sentence"]
    assert [(text[f.start:f.end], f.signals) for f in garbled] == [(caption, ("doubled-word",))]
