"""Site templates: lines recurring across scrapes of one site, found in a first pass, removed in a second."""

from __future__ import annotations

from cleaner.pipeline import clean_article
from cleaner.read import article_from_text
from cleaner.rules import load_rules
from cleaner.templates import TemplateMemory, domain_of, line_fingerprint, recurring_lines

TEMPLATE = ["Example Times", "Sign in to read more", "© 2024 Example Times Ltd"]


def page(body: list[str]) -> str:
    return "\n".join([TEMPLATE[0], TEMPLATE[1], *body, TEMPLATE[2]])


A = page(["The council met on Tuesday and voted to fund the new library after a long debate.",
          "Work is due to start next spring, the mayor said."])
B = page(["Flood barriers will be built along the river before next winter, officials said.",
          "The plan passed by six votes to one."])
C = page(["A new bakery opened downtown on Saturday, drawing long queues from early morning.",
          "Its owner said she had saved for ten years."])


def test_domain_and_fingerprint():
    assert domain_of("https://www.example.com/a") == domain_of("http://example.com:80/b") == "example.com"
    assert domain_of(None) is None and domain_of("nonsense") is None
    assert line_fingerprint("  Updated 10:48 ") == line_fingerprint("updated 11:05")
    assert line_fingerprint("---") is None


def test_recurring_lines_per_domain():
    found = recurring_lines([("https://example.com/a", A), ("https://example.com/b", B),
                             ("https://other.org/c", C)])
    assert set(found) == {"example.com"}
    assert found["example.com"] == {line_fingerprint(t) for t in TEMPLATE}


def test_copies_of_one_article_do_not_make_a_template():
    found = recurring_lines([("https://example.com/a", A), ("https://example.com/a?x=1", A)])
    assert found == {}


def test_two_pass_cleaning_removes_the_template():
    urls = ["https://example.com/a", "https://example.com/b", "https://example.com/c"]
    memory = TemplateMemory.build(zip(urls, [A, B, C]))
    rules = load_rules()
    rule = memory.rule_for(urls[0])
    assert rule is not None and memory.rule_for("https://elsewhere.net/x") is None
    cleaned = clean_article(article_from_text(A, "a", has_title=False), [*rules, rule]).cleaned
    assert "Sign in to read more" not in cleaned and "Example Times\n" not in cleaned
    assert "voted to fund the new library" in cleaned
