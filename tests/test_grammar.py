"""Grammar findings from the real LanguageTool server, wired through the pipeline."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import time

import pytest

from cleaner.languagetool import GrammarChecker, find_installation
from cleaner.model import Article
from cleaner.pipeline import Pipeline, clean_article, clean_text, languagetool_options
from cleaner.read import article_from_text, sha256_of
from cleaner.rules import load_rules

RULES = load_rules()


def lt_rule(**params):
    (rule,) = [r for r in RULES if r.id == "grammar.languagetool"]
    return dataclasses.replace(rule, params={**rule.params, **params})


def grammar_findings(result):
    return [f for f in result.findings if f.rule.startswith("languagetool.")]


def test_matches_map_to_original_offsets_past_multibyte_text_and_removed_boilerplate(grammar):
    text = ("Zoë’s café 😀 opened 🎉 on Monday.\n\n[video-embed id=\"x\"]\n\nRelated Articles\n\n"
            "Naïve critics says the menu are too long.\n")
    result = clean_article(article_from_text(text, "x", has_title=False), RULES, grammar)
    found = grammar_findings(result)
    assert found, "LanguageTool should flag the agreement errors"
    for f in found:
        assert text[f.start:f.end] in ("critics says", "says", "menu are", "are", "the menu are", "critics says the")
        assert f.category == "grammar" and f.message.endswith(")")
        assert f.data["lt_rule"] == f.rule.removeprefix("languagetool.")
    assert all(f.start > text.index("Related Articles") for f in found)


def test_one_request_per_article_and_cache(grammar):
    article = article_from_text("Headline\n\nHe go to school. She go home.\n", "x")
    before = grammar.requests
    clean_article(article, RULES, grammar)
    clean_article(article, RULES, grammar)
    assert grammar.requests - before <= 1, "the garbled check and the grammar rule share one request, then the cache"


def test_proper_nouns_are_not_spelling_noise(grammar):
    text = "Vladimir Isachenkov met Yuri Ushakov about the Zircon missile. The recieved letter was late.\n"
    kept = grammar_findings(clean_article(article_from_text(text, "x", has_title=False), RULES, grammar))
    words = [text[f.start:f.end] for f in kept]
    assert "recieved" in words, "a real misspelling is still reported"
    assert not {"Isachenkov", "Ushakov", "Zircon"} & set(words)
    noisy = [lt_rule(proper_nouns="keep")]
    raw = [text[f.start:f.end] for f in grammar_findings(clean_article(article_from_text(text, "x", has_title=False),
                                                                        noisy, grammar))]
    assert {"Isachenkov", "Ushakov"} <= set(raw), "with proper_nouns: keep the names come back"


def test_rule_file_controls_ignored_rules_severity_and_applying(grammar):
    text = "This are the results. He go home.\n"
    article = article_from_text(text, "x", has_title=False)
    base = grammar_findings(clean_article(article, [lt_rule()], grammar))
    assert base
    first = base[0].rule.removeprefix("languagetool.")
    ignored = grammar_findings(clean_article(article, [lt_rule(ignore_rules=[first])], grammar))
    assert first not in {f.rule.removeprefix("languagetool.") for f in ignored}
    relevelled = grammar_findings(clean_article(article, [lt_rule(severity_by_category={base[0].data["lt_category"]: "error"})], grammar))
    assert relevelled[0].severity.value == "error"
    applied = clean_article(article, [lt_rule(apply_rules=[first])], grammar)
    assert applied.cleaned != text and any(f.applied for f in grammar_findings(applied))
    assert not any(f.applied for f in base), "suggestions are not applied unless a rule file says so"


def test_picky_and_disabled_rules_change_the_request():
    install = find_installation()
    assert install is not None
    from cleaner.languagetool import ensure_server

    url = ensure_server().url
    text = 'He said: "hello". This are bad.'
    options = {**languagetool_options(RULES), "disabled_rules": []}
    plain, picky = GrammarChecker(url, **options), GrammarChecker(url, **{**options, "picky": True})
    assert "EN_QUOTES" in {m.rule_id for m in picky.check(text)} - {m.rule_id for m in plain.check(text)}
    rule_id = plain.check(text)[0].rule_id
    disabled = GrammarChecker(url, **{**options, "disabled_rules": [rule_id]})
    assert rule_id not in {m.rule_id for m in disabled.check(text)}
    by_category = GrammarChecker(url, **{**options, "disabled_categories": [plain.check(text)[0].category]})
    assert rule_id not in {m.rule_id for m in by_category.check(text)}


def test_languagetool_signal_feeds_the_garbled_verdict(grammar):
    (garbled,) = [r for r in RULES if r.id == "garbled.sentence"]
    only_lt = dataclasses.replace(garbled, params={**garbled.params, "signals": {"languagetool": 1.0}})
    text = "The council met. Yesterday he have went to the market with they friends.\n"
    result = clean_article(article_from_text(text, "x", has_title=False), [only_lt], grammar)
    (finding,) = result.findings
    assert finding.signals == ("languagetool",)
    assert "languagetool (" in finding.message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_dying_mid_run_continues_without_grammar_and_says_so():
    install = find_installation()
    port = _free_port()
    proc = subprocess.Popen(["java", "-Xmx512m", "-cp", f"{install.lib_dir}/*", "org.languagetool.server.HTTPServer",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        checker = None
        while checker is None:
            try:
                checker = GrammarChecker(f"http://127.0.0.1:{port}", **languagetool_options(RULES))
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        pipeline = Pipeline(RULES, checker)
        first = pipeline.clean(article_from_text("Headline\n\nThis are wrong.\n", "a"))
        assert grammar_findings(first)
        proc.kill()
        proc.wait()
        text = "Headline\n\nThese is wrong too.\n\nBack to top\n"
        second = pipeline.clean(Article("b", text, sha256=sha256_of(text)))
        assert second.cleaned == "Headline\n\nThese is wrong too.\n", "everything but grammar still ran"
        assert any("grammar checking stopped" in n for n in second.notes)
        third = pipeline.clean(article_from_text("Headline\n\nAgain.\n", "c"))
        assert any("grammar checking stopped" in n for n in third.notes)
    finally:
        proc.kill()


def test_grammar_off_is_said_in_the_notes():
    result = clean_text("Headline\n\nText.\n", rules=RULES)
    assert result.notes == ("grammar checking was off for this run",)


@pytest.mark.parametrize("text", ["", "\n\n", "Headline only\n"])
def test_empty_bodies_send_nothing(grammar, text):
    before = grammar.requests
    clean_article(article_from_text(text, "x"), RULES, grammar)
    assert grammar.requests == before
