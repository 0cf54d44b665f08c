"""The line-shape boilerplate check: page text, extracted text, other languages, and its rule file."""

from __future__ import annotations

import pytest

from cleaner.checks.lineshape import (
    LOCAL_FEATURES,
    comment_blocks,
    document_features,
    interview_lines,
    leading_headline,
    line_features,
    main_block,
    regime,
    schedules,
    score_lines,
    wire_leads,
)
from cleaner.pipeline import clean_text
from cleaner.rules import check_params, load_rules

RULES = load_rules()
SHAPE = next(r for r in RULES if r.id == "boilerplate.line-shape")
PARAMS = check_params([SHAPE], "line_shape")

NAV = ["Home", "News", "Sport", "Business", "Politics", "World", "Health", "Science", "Travel", "Culture",
       "Opinion", "Video", "Weather", "Sign in", "Subscribe", "Local", "Schools", "Obituaries", "Podcasts",
       "Newsletters", "Events", "Jobs"]
ARTICLE = [
    "The city council voted on Tuesday to spend $14 million on flood barriers along the river, a month after record rains.",
    "The barriers, which fold into the riverbank when not in use, will be built by a local firm and should be ready next winter.",
    "Council member Rob Tanaka cast the only vote against the plan, saying the city should first finish a flood study.",
]
FOOTER = ["Most Popular", "Contact Us", "Advertise", "Careers", "Site Map", "Help", "Privacy Policy", "Terms of Use"]


def removed(lines: list[str]) -> list[str]:
    result = clean_text("\n".join(lines), has_title=False, rules=[SHAPE])
    return [result.article.text[f.start:f.end] for f in result.findings]


def test_features_are_a_vector_in_declared_order():
    f = line_features("Putin reacted strongly.")
    assert len(f) == len(LOCAL_FEATURES)
    named = dict(zip(LOCAL_FEATURES, f))
    assert named["terminal"] == 1.0 and named["cjk"] == 0.0


def test_cjk_lines_count_as_long_prose():
    line = "先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで20代の男性が逮捕されたというニュースを耳にしました。"
    named = dict(zip(LOCAL_FEATURES, line_features(line)))
    assert named["words"] > line_features("Short line")[0]
    assert named["terminal"] == 1.0


def test_page_regime_removes_navigation_and_keeps_the_article():
    lines = NAV + ARTICLE + FOOTER
    assert regime(document_features(lines), PARAMS) == "page"
    gone = removed(lines)
    assert "Home" in gone and "Privacy Policy" in gone
    assert not any(a in gone for a in ARTICLE)


def test_cleaned_page_loses_its_chrome_and_keeps_the_article_for_good():
    page = "\n".join(NAV + ARTICLE + FOOTER) + "\n"
    cleaned = clean_text(page, has_title=False).cleaned
    assert cleaned.split("\n")[:3] == ARTICLE
    assert "Home" not in cleaned and "Privacy Policy" not in cleaned
    assert clean_text(cleaned, has_title=False).cleaned == cleaned


def test_a_list_the_article_introduces_is_kept_on_a_page():
    intro = "The festival runs all weekend, and the organisers have published the main stage line-up:"
    acts = ["Friday: The Lumineers", "Saturday: Sigur Rós", "Sunday: Courtney Barnett", "Late show: Khruangbin"]
    story = [
        "Tickets for the three-day festival in Riverside Park sold out within an hour of going on sale in March.",
        "Organisers say this year's event will be the largest since it began, with five stages and about 40,000 visitors a day.",
        "Local hotels report that most rooms in the city centre have been booked for the weekend for several weeks.",
        intro, *acts,
        "Extra trains will run on the night of each show, and the park's north gate will open an hour earlier than last year.",
        "The council has asked residents near the park to expect road closures from Thursday evening until Monday morning.",
    ]
    lines = NAV + story + FOOTER
    gone = removed(lines)
    assert not any(line in gone for line in story)
    assert "Home" in gone and "Privacy Policy" in gone


@pytest.mark.parametrize(("anchors", "block"), [
    # an opening paragraph, a long list (no anchors), then the rest of the article: one block
    ([5.0, 5.0] + [0.0] * 15 + [8.0, 8.0, 8.0], (0, 20)),
    # a lone teaser line far above the article is not its opening
    ([3.0] + [0.0] * 15 + [8.0, 8.0, 8.0], (16, 19)),
    # what comes after the article (comments, other stories) never joins it
    ([8.0, 8.0, 8.0] + [0.0] * 15 + [5.0, 5.0], (0, 3)),
])
def test_main_block_starts_at_the_articles_opening(anchors, block):
    first, end, share = main_block(anchors, gap=10, lead_share=PARAMS["lead_share"])
    assert (first, end) == block
    assert 0 < share <= 1


def test_an_article_cut_by_a_long_list_keeps_its_opening():
    opening = [
        "The diet limits carbohydrates to twenty grams a day for the first two weeks, and many people lose weight fast.",
        "Doctors say it works for some, but it is hard to keep up, and the first days often bring tiredness and headaches.",
    ]
    foods = ["Allowed foods:", "eggs", "fish", "cheese", "chicken", "beef", "lamb", "spinach", "lettuce", "cucumber",
             "olive oil", "butter", "mushrooms", "avocado", "nuts", "seeds", "tea", "coffee"]
    rest = [
        "After two weeks, carbohydrates are added back slowly, five grams at a time, until weight loss stops.",
        "Nutritionists advise drinking plenty of water and eating vegetables at every meal throughout the diet.",
        "People with kidney problems should talk to their doctor before starting, since the diet is high in protein.",
        "Most people who try the diet stop within a year, according to a study published in a medical journal.",
    ]
    gone = removed(NAV + opening + foods + rest + FOOTER)
    assert not any(line in gone for line in opening + rest)
    assert "Home" in gone and "Privacy Policy" in gone


@pytest.mark.parametrize(("line", "lead"), [
    ("SEOUL, South Korea (AP) — North Korea fired two missiles on Thursday.", True),
    ("PARIS (Reuters) - France's finance minister said on Monday that growth would slow.", True),
    ("NEW DELHI (PTI) – The monsoon reached Kerala three days early, the weather office said.", True),
    ("Photo by Ahn Young-joon (AP) — file", False),  # a credit, not a dateline in capitals
    ("Seoul (AP) — lower-case city names are not how wires write datelines", False),
    ("WATCH (AP) VIDEO", False),
])
def test_wire_leads_are_told_by_their_dateline(line, lead):
    assert wire_leads([line], PARAMS["leads"]) == ([0] if lead else [])


def test_a_wire_lead_among_chrome_is_kept():
    lead = "DENVER (AP) — The Latest on the snowstorm moving across the Rocky Mountains (all times local):"
    lines = NAV + ["The Latest: Snowstorm closes highways across Colorado", "Share", "Tweet", lead, "___", "5:20 p.m.",
                   "Colorado officials have closed parts of two interstate highways as heavy snow sweeps the state.",
                   "Denver International Airport says more than 600 flights have been cancelled."] + FOOTER
    assert lead not in removed(lines)


def test_a_q_and_a_interview_keeps_its_short_answers():
    qa = ["Q: Who was your first musical hero?", "A: Nina Simone",
          "Q: What is on your phone's home screen?", "A: Maps, Spotify, Notes",
          "Q: Your favourite city for a show?", "A: Lisbon",
          "Q: What would you tell your younger self about the industry?",
          "A: That the long tours are worth it, and that you should sleep on the bus whenever you can."]
    story = [
        "The singer, whose third album came out on Friday, spoke to us before the first night of her European tour.",
        "She has played more than 200 shows in the past two years and says the new songs were written on the road.",
        *qa,
        "The tour reaches Berlin on Thursday and ends in Madrid at the end of next month, with most dates sold out.",
    ]
    lines = NAV + story + FOOTER
    assert interview_lines(lines, PARAMS["interview"]) == [len(NAV) + 2 + k for k in range(len(qa))]
    gone = removed(lines)
    assert not any(line in gone for line in story)
    assert "Home" in gone and "Privacy Policy" in gone
    assert interview_lines(["Q: Why?", "A: Because.", "Home", "News"], PARAMS["interview"]) == []


@pytest.mark.parametrize(("lines", "kept"), [
    (["Sept. 4 -- Stage 1: Lisbon to Porto", "Sept. 5 -- Stage 2: Porto to Braga",
      "Sept. 7 -- Stage 3: Braga to Vigo"], [0, 1, 2]),
    (["Match 1: 12 août – Lyon", "Match 2: 19 août – Nantes", "Match 3: 26 août – Lille"], [0, 1, 2]),
    (["3 de marzo - Madrid", "10 de marzo - Sevilla", "Home", "17 de marzo - Bilbao"], []),
    (["November 19, 2019 | 4:20am | Updated November 19, 2019 | 9:32pm", "Home"], []),
])
def test_schedules_are_runs_of_dated_lines(lines, kept):
    assert schedules(lines, PARAMS["schedules"]) == kept


def test_a_tour_schedule_among_chrome_is_kept():
    dates = ["March 3 -- Paradiso, Amsterdam", "March 5 -- Roundhouse, London", "March 6 -- Olympia, Dublin",
             "March 9 -- Tempodrom, Berlin", "March 11 -- La Cigale, Paris"]
    story = [*ARTICLE, "The band announced a spring tour on Monday, its first since the drummer's return, with five dates.",
             *dates,
             "Tickets go on sale on Friday morning, and the band said more dates would follow in the summer.",
             ("The group's last tour, in 2019, sold out in under an hour, and fans complained that resale prices "
              "had reached ten times the face value within a day."),
             "This time the band says tickets will carry the buyer's name and can only be resold at face value."]
    gone = removed(NAV + story + FOOTER)
    assert not any(line in gone for line in story)
    assert "Home" in gone and "Privacy Policy" in gone


def test_extract_regime_keeps_short_article_lines():
    lines = [ARTICLE[0], "Putin reacted strongly.", ARTICLE[1], ARTICLE[2]]
    assert regime(document_features(lines), PARAMS) == "extract"
    assert removed(lines) == []


def test_leading_headline_of_an_extract():
    lines = ["Council approves flood barriers after record rains", *ARTICLE, *ARTICLE]
    assert leading_headline(document_features(lines), PARAMS["headline"]) == [0]
    assert removed(lines) == ["Council approves flood barriers after record rains"]
    # too short to have a body: a fix in the next line could flip the verdict, so nothing is flagged
    assert removed(lines[:4]) == []
    # a dateline in capitals or a first line that is prose is not a headline
    assert leading_headline(document_features(["BAAR, SWITZERLAND", *ARTICLE]), PARAMS["headline"]) == []
    assert leading_headline(document_features(ARTICLE), PARAMS["headline"]) == []
    # short lines in between are skipped, not removed
    lines = ["Photos", "Council approves flood barriers after record rains", "0 0 0", *ARTICLE]
    assert leading_headline(document_features(lines), PARAMS["headline"]) == [1]


def test_a_headline_above_a_wire_lead_that_ends_in_a_colon():
    lead = "DENVER (AP) — The Latest on the snowstorm moving across the Rocky Mountains (all times local):"
    lines = ["The Latest: Snowstorm closes highways across Colorado", lead, "5:20 p.m.", *ARTICLE, *ARTICLE]
    assert leading_headline(document_features(lines), PARAMS["headline"]) == []  # the lead alone does not end a block
    assert leading_headline(document_features(lines), PARAMS["headline"], {1}) == [0]
    assert removed(lines) == ["The Latest: Snowstorm closes highways across Colorado"]


def test_reader_comments_are_found_between_headers():
    lines = [*ARTICLE, "joe says:", "November 19, 2019 at 6:44 am", "It is over for this team.",
             "ann says:", "November 19, 2019 at 6:58 am", "Too many mistakes again."]
    blocks = comment_blocks(lines, document_features(lines), PARAMS["comments"])
    assert blocks == [3, 4, 5, 6, 7, 8]


def test_non_english_prose_is_kept():
    pt = ["O conselho aprovou o orçamento na terça-feira, depois de uma longa discussão sobre as obras no centro.",
          "A prefeita disse que as obras devem começar no próximo mês e terminar antes do fim do ano, segundo a nota."]
    ru = ["Совет города в среду утвердил бюджет на следующий год после долгого обсуждения с жителями района.",
          "По словам мэра, работы начнутся весной и завершатся до конца года, если погода позволит строителям."]
    ja = ["先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで20代の男性が逮捕されたというニュースを耳にしました。",
          "報道によると、今回販売されたのは、いわゆる「脱獄」したiPhoneです。"]
    for lines in (pt, ru, ja, pt + ru + ja, NAV + pt + ru + ja + FOOTER):
        gone = removed(lines)
        assert not any(line in gone for line in pt + ru + ja)


def test_scores_are_probabilities():
    probs = score_lines(NAV + ARTICLE, PARAMS)
    assert all(0.0 <= p <= 1.0 for p in probs) and max(probs[:len(NAV)]) < min(probs[len(NAV):])
