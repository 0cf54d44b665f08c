"""Rule files are validated with precise errors: file, line, rule id, what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.errors import RuleFileError
from cleaner.pipeline import clean_text
from cleaner.rules import load_rules, parse_rule_file

GOOD = """\
rules:
  - id: site.promo
    category: boilerplate
    severity: error
    action: remove
    scope: line
    message: Promo line.
    phrases: [Buy our mugs]
    examples:
      match: ["Buy our mugs"]
      no_match: ["We bought mugs."]
"""


def error_of(text: str) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        parse_rule_file(text, "my.yml")
    return info.value


def test_good_file_parses():
    (rule,) = parse_rule_file(GOOD, "my.yml")
    assert (rule.id, rule.path, rule.line) == ("site.promo", "my.yml", 2)


@pytest.mark.parametrize(("change", "expected"), [
    (("    severity: error", "    severity: fatal"),
     "my.yml:4: rule 'site.promo': 'severity' must be one of error, warning, info (got 'fatal')"),
    (("    action: remove", "    action: delete"),
     "my.yml:5: rule 'site.promo': 'action' must be one of remove, flag, replace (got 'delete')"),
    (("    scope: line", "    scope: 3"), "my.yml:6: rule 'site.promo': 'scope' must be a string, not number"),
    (("    message: Promo line.\n", "    message: Promo line.\n    colour: red\n"),
     "my.yml:8: rule 'site.promo': unknown key 'colour'"),
    (("    phrases: [Buy our mugs]", "    pattern: '(unclosed'"),
     "my.yml:8: rule 'site.promo': 'pattern' is not a valid regular expression"),
    (("    phrases: [Buy our mugs]", "    phrases: [Buy our mugs]\n    pattern: 'x'"),
     "rule 'site.promo': needs exactly one matcher"),
    (("    phrases: [Buy our mugs]", "    check: no_such_check"),
     "my.yml:8: rule 'site.promo': unknown check 'no_such_check'"),
    (("    phrases: [Buy our mugs]", "    check: title_repeat\n    params: {min_wordz: 3}"),
     "my.yml:9: rule 'site.promo': check 'title_repeat' has no parameter 'min_wordz'"),
    (("    phrases: [Buy our mugs]", "    check: title_repeat\n    params: {min_words: many}"),
     "parameter 'min_words' of check 'title_repeat' must be a number"),
    (("  - id: site.promo", "  - id: Promo"), "my.yml:2: rule 'Promo': id 'Promo' must look like 'category.name'"),
    (("    message: Promo line.\n", ""), "my.yml:2: rule 'site.promo': is missing the required key 'message'"),
    (("      match: [\"Buy our mugs\"]\n", ""), "needs at least one 'examples.match' case"),
    (("    scope: line", "    scope: line\n    scope: text"), "my.yml:7: rule 'site.promo': duplicate key 'scope' (first at line 6)"),
    (("    action: remove", "    action: replace"), "action 'replace' needs a 'replacement'"),
])
def test_invalid_rule_reports_file_line_and_rule(change, expected):
    old, new = change
    assert old in GOOD
    assert expected in str(error_of(GOOD.replace(old, new)))


def test_invalid_yaml_names_the_line():
    err = error_of("rules:\n  - id: a.b\n    message: [unclosed\n")
    assert str(err).startswith("my.yml:")
    assert "is not valid YAML" in str(err)


def test_top_level_must_be_rules_list():
    assert "must be a mapping with a 'rules:' list" in str(error_of("- id: a.b\n"))


def test_duplicate_ids_across_files(tmp_path: Path):
    (tmp_path / "a.yml").write_text(GOOD)
    (tmp_path / "b.yml").write_text(GOOD)
    with pytest.raises(RuleFileError) as info:
        load_rules([tmp_path], defaults=False)
    assert "b.yml:2: rule 'site.promo': duplicate rule id (first defined at" in str(info.value)


def test_user_rule_may_not_reuse_a_default_id(tmp_path: Path):
    (tmp_path / "x.yml").write_text(GOOD.replace("site.promo", "boilerplate.site-chrome"))
    with pytest.raises(RuleFileError, match="duplicate rule id"):
        load_rules([tmp_path])


def test_missing_rule_path():
    with pytest.raises(RuleFileError, match="does not exist"):
        load_rules([Path("/no/such/rules.yml")])


def test_default_rules_load_and_ids_are_unique():
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules) >= 10


def test_shipped_boilerplate_rules_remove_what_they_match():
    # The README promises boilerplate is removed; a rule that only flags leaves chrome in the cleaned copy.
    flagging = [r.id for r in load_rules() if r.category == "boilerplate" and r.action != "remove"]
    assert flagging == []


# Rules that remove a tag from inside a line of prose; every other pattern rule that removes takes its line.
INLINE_REMOVALS = {"boilerplate.embed-shortcode"}
LINE_REMOVERS = [r for r in load_rules()
                 if r.action == "remove" and r.pattern is not None and r.id not in INLINE_REMOVALS]


@pytest.mark.parametrize("rule", LINE_REMOVERS, ids=lambda r: r.id)
def test_a_removed_line_leaves_nothing_behind(rule):
    # A match that stops short of the line's end ("Follow X on Twitter" in "Follow X on Twitter, Facebook and
    # YouTube.") must not leave ", Facebook and YouTube." in the cleaned copy.
    before = "The council met on Monday to discuss the budget for next year, officials said."
    after = "The vote is expected next week, the mayor said on Tuesday."
    for example in rule.examples.match:
        cleaned = clean_text(f"{before}\n\n{example}\n\n{after}", has_title=False, rules=[rule]).cleaned
        assert cleaned.split("\n\n") == [before, after], example
