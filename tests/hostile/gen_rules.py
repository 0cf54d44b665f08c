"""Hostile rule files, each with the outcome cleaner must give.

Outcomes:
  error    the rule file is refused: exit code 2 and one line naming the file, the
           line and (when there is one) the rule id, with the ``fragments`` given;
  timeout  the rule's pattern backtracks without end on the article: the run
           finishes, reports ``cleaner.rule-timeout`` naming ``timeout_rule``, and
           the other rules' findings (``still_found``) are still there;
  runs     the rule file is accepted and the run finishes normally with
           ``still_found`` among the findings (patterns that only look dangerous,
           and flags that must not leak into other rules).

Run standalone: ``python tests/hostile/gen_rules.py DEST`` writes one rule file
(and the article it is run on) per case and prints one line per case.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ARTICLE = "Council approves the budget\n\nThe council met on Tuesday and approved the budget.\n\nBack to top button\n"
MARKER = "MARKER-LINE stays flagged."
BASE_ID = "hostile.rule"


@dataclass(frozen=True)
class RuleCase:
    name: str
    rules: Path  # the rule file
    article: Path  # the text it is run on
    outcome: str  # "error", "timeout" or "runs"
    line: int | None = None  # the line an error names
    rule_id: str | None = None  # the rule an error names
    fragments: tuple[str, ...] = ()  # parts of the error message
    timeout_rule: str | None = None
    still_found: tuple[str, ...] = ()  # rule ids whose findings must be there


def rule(rule_id: str = BASE_ID, matcher: str = "phrases: [Buy our mugs]", example: str = "Buy our mugs",
         extra: str = "") -> str:
    """One rule entry, as a user would write it; ``extra`` lines go before the examples."""
    return (f"  - id: {rule_id}\n    category: boilerplate\n    severity: warning\n    action: flag\n"
            f"    message: Hostile test rule.\n    {matcher}\n{extra}"
            f"    examples:\n      match: [{example!r}]\n")


def rules(*entries: str) -> str:
    return "rules:\n" + "".join(entries)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def _laughs(levels: int) -> str:
    """Nested aliases that stand for 10**levels strings in a file of a few lines (a "billion laughs")."""
    lines = ["      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    lines += [f"      l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, levels)]
    return "".join(lines)


MARKER_RULE = rule("hostile.marker", "pattern: 'MARKER-LINE'", "MARKER-LINE")


def _errors() -> list[tuple[str, bytes, str | None, str | None, tuple[str, ...]]]:
    """(name, file bytes, text on the named line (``#2``: its second line) or None for line 1, rule id,
    fragments)."""
    out: list[tuple[str, bytes, str | None, str | None, tuple[str, ...]]] = []

    def add(name: str, text: str | bytes, needle: str | None, rule_id: str | None, *fragments: str) -> None:
        out.append((name, text.encode() if isinstance(text, str) else text, needle, rule_id, fragments))

    add("invalid-yaml", rules(rule(extra="    description: [unclosed\n")), "examples:", None,
        "is not valid YAML at column")
    add("tab-indent", rules(rule()).replace("    action: flag", "\taction: flag"), "\taction", None, "is not valid YAML")
    add("unknown-key", rules(rule(matcher="paterns: ['x']")), "paterns", BASE_ID, "unknown key 'paterns'",
        "did you mean 'pattern'?")
    add("wrong-type-severity", rules(rule()).replace("severity: warning", "severity: 3"), "severity", BASE_ID,
        "'severity' must be a string, not number")
    add("wrong-type-enabled", rules(rule(extra="    enabled: 'no'\n")), "enabled", BASE_ID,
        "'enabled' must be a boolean, not string")
    add("wrong-type-phrases", rules(rule(matcher="phrases: Buy our mugs")), "phrases", BASE_ID,
        "'phrases' must be a list, not string")
    add("duplicate-id", rules(MARKER_RULE, rule("hostile.marker")), "id: hostile.marker#2", "hostile.marker",
        "duplicate rule id (first defined at duplicate-id.yml:2)")  # the second definition is the one named
    add("duplicate-builtin-id", rules(rule("boilerplate.site-chrome")), "boilerplate.site-chrome",
        "boilerplate.site-chrome", "duplicate rule id (first defined at ", "boilerplate.yml:")
    add("duplicate-key", rules(rule(extra="    severity: error\n")), "severity: error", BASE_ID,
        "duplicate key 'severity' (first at line 4)")
    add("invalid-regex", rules(rule(matcher="pattern: '(unclosed'")), "pattern", BASE_ID,
        "'pattern' is not a valid regular expression", "at position 9")
    add("invalid-regex-range", rules(rule(matcher="pattern: '[z-a]'")), "pattern", BASE_ID, "bad character range",
        "at position 4")
    add("bad-replacement-group", rules(rule(matcher="pattern: '(mugs)'",
                                            extra="    replacement: '\\3'\n")).replace("action: flag", "action: replace"),
        "replacement", BASE_ID, "'replacement' does not fit the pattern", "group 3")
    add("unknown-check", rules(rule(matcher="check: photocaption")), "check:", BASE_ID,
        "unknown check 'photocaption'", "did you mean 'photo_caption'?")
    add("unknown-param", rules(rule(matcher="check: photo_caption\n    params: {label_max_wordz: 3}")),
        "params", BASE_ID, "check 'photo_caption' has no parameter 'label_max_wordz'", "did you mean 'label_max_words'?")
    add("param-wrong-type", rules(rule(matcher="check: photo_caption\n    params: {label_max_words: four}")),
        "params", BASE_ID, "parameter 'label_max_words' of check 'photo_caption' must be a number, not string")
    add("param-item-wrong-type", rules(rule(matcher="check: photo_caption\n    params: {credit_patterns: [1]}")),
        "params", BASE_ID, "item 1 of parameter 'credit_patterns' of check 'photo_caption' must be a string")
    add("param-invalid-regex", rules(rule(matcher="check: photo_caption\n    params:\n"
                                                  "      credit_patterns: ['AP Photo', '(unclosed']")),
        "credit_patterns", BASE_ID, "the pattern '(unclosed' in parameter 'credit_patterns' is not a valid",
        "at position 9")
    add("param-regex-missing-group", rules(rule(matcher="check: byline_mismatch\n    params:\n"
                                                        "      declared_patterns: ['^By (\\w+)']")),
        "declared_patterns", BASE_ID, "needs a group named 'names'")
    add("param-mapping-missing-key", rules(rule(matcher="check: line_shape\n    params:\n"
                                                        "      comments: {min_heads: 3}")),
        "comments", BASE_ID, "parameter 'comments' of check 'line_shape' is missing 'head_patterns'")
    add("examples-not-strings", rules(rule().replace("match: ['Buy our mugs']", "match: [1, 2]")), "examples",
        BASE_ID, "'examples.match' must be a list of strings (found the number 1; quote it)")
    add("examples-not-a-list", rules(rule().replace("match: ['Buy our mugs']", "match: Buy our mugs")),
        "examples", BASE_ID, "'examples.match' must be a list of strings, not string")
    add("empty-file", "", None, None, "is empty")
    add("comments-only", "# nothing here yet\n", None, None, "is empty")
    add("list-not-mapping", rule(), None, None, "must be a mapping with a 'rules:' list, not a list")
    add("scalar-file", "just some words\n", None, None, "must be a mapping with a 'rules:' list, not a string")
    add("rules-not-a-list", "rules: {id: hostile.rule}\n", "rules:", None, "'rules' is a mapping")
    add("rules-entry-string", rules("  - hostile.rule\n"), "- hostile.rule", None,
        "entry 1 under 'rules:' is a string")
    add("unknown-top-level", "rule:\n" + rule(), "rule:", None, "unknown top-level key 'rule'",
        "did you mean 'rules'?")
    add("not-utf8", rules(rule(extra="    description: caf\xe9\n")).encode("latin-1"), "description", None,
        "is not UTF-8 text (byte 0xe9)", "save the file as UTF-8")
    add("control-char", rules(rule(extra="    description: a\x00b\n")), "description", None,
        "contains the character #x0000")
    add("non-string-key", rules(rule(extra="    ? [a, b]\n    : c\n")), "? [a, b]", BASE_ID, "a key is a list")
    add("number-key", rules(rule(extra="    1: one\n")), "1: one", BASE_ID, "unknown key '1'")
    add("alias-bomb", rules(rule(matcher="check: photo_caption\n    params:\n" + _laughs(9))), "l1:", None,
        "uses the YAML alias '*l0'")
    add("recursive-alias", rules(rule(extra="    params: &p {self: *p}\n")), "params", None, "uses the YAML alias '*p'")
    add("deep-nesting", rules(rule(extra="    description: " + "[" * 5000 + "]" * 5000 + "\n")), "description", None,
        "nests lists or mappings too deeply")
    return out


# (name, the rule's pattern or check params, the article line that makes it backtrack, outcome)
CATASTROPHIC = [
    ("nested-plus", "pattern: '(a+)+$'", "a" * 40 + "!", "runs"),  # the engine's own guards keep these linear
    ("overlapping-alternation", "pattern: '(a|aa)+b'", "a" * 40 + "!", "timeout"),
    ("nested-x", "pattern: '(x+x+)+y'", "x" * 40, "runs"),
    ("repeated-dot-star", "pattern: '(.*a){20}'", "a" * 19 + "!" * 30, "runs"),
    ("lazy-repeat", "pattern: '(.*?,){11}P'", "1," * 40, "timeout"),
    ("backreference", "pattern: '((a|aa)+)\\1+b'", "a" * 40 + "!", "timeout"),
    ("anchored-backreference", "pattern: '^(a|aa)+\\1b'", "a" * 40 + "!", "timeout"),
    ("sentence-scope", "pattern: '(a|aa)+b'\n    scope: sentence", "a" * 40 + "!", "timeout"),
    ("text-scope", "pattern: '(a|aa)+b'\n    scope: text", "a" * 40 + "!", "timeout"),
    ("check-param", "check: photo_caption\n    params:\n      credit_patterns: ['(a|aa)+b']", "a" * 40 + "!",
     "timeout"),
]


def _catastrophic(dest: Path) -> list[RuleCase]:
    out = []
    for name, matcher, line, outcome in CATASTROPHIC:
        rule_id = f"hostile.{name}"
        example = "aab" if "(a|aa)" in matcher else "aaa" if "(a+)" in matcher else "xxy" if "x+" in matcher \
            else "a" * 20 if "{20}" in matcher else "1," * 11 + "P"
        if "photo_caption" in matcher:
            example = "aab"
        text = rules(rule(rule_id, matcher, example), MARKER_RULE)
        (dest / f"{name}.yml").write_text(text, encoding="utf-8")
        article = dest / f"{name}.txt"
        article.write_text(ARTICLE + f"\n{line}\n\n{MARKER}\n", encoding="utf-8")
        out.append(RuleCase(name, dest / f"{name}.yml", article, outcome,
                            timeout_rule=rule_id if outcome == "timeout" else None,
                            still_found=("hostile.marker", "boilerplate.site-chrome")))
    return out


def _flags_stay_put(dest: Path) -> RuleCase:
    """A rule with (?x) must not make another rule's spaces insignificant (they share a pre-filter)."""
    text = rules(rule("hostile.verbose", "pattern: '(?x) Buy \\s our \\s mugs'"),
                 rule("hostile.spaced", "pattern: 'approved the budget'", "approved the budget"),
                 rule("hostile.spaced-too", "pattern: 'met on Tuesday'", "met on Tuesday"))
    (dest / "flags-stay-put.yml").write_text(text, encoding="utf-8")
    article = dest / "flags-stay-put.txt"
    article.write_text(ARTICLE + "\nBuy our mugs\n", encoding="utf-8")
    return RuleCase("flags-stay-put", dest / "flags-stay-put.yml", article, "runs",
                    still_found=("hostile.verbose", "hostile.spaced", "hostile.spaced-too"))


def generate(dest: Path) -> list[RuleCase]:
    """Write every case into ``dest`` and return them with their expected outcomes."""
    dest.mkdir(parents=True, exist_ok=True)
    calm = dest / "calm.txt"
    calm.write_text(ARTICLE, encoding="utf-8")
    cases = []
    for name, data, needle, rule_id, fragments in _errors():
        path = dest / f"{name}.yml"
        path.write_bytes(data)
        text = data.decode("utf-8", errors="replace")
        needle, _, nth = (needle or "").partition("#")
        line = line_of(text, needle, int(nth or 1)) if needle else 1
        cases.append(RuleCase(name, path, calm, "error", line, rule_id, (f"{path.name}:{line}:", *fragments)))
    return cases + _catastrophic(dest) + [_flags_stay_put(dest)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-2].strip(), file=sys.stderr)
        return 2
    for case in generate(Path(argv[0])):
        expected = (f"timeout of {case.timeout_rule}" if case.outcome == "timeout" else
                    f"error at line {case.line}" if case.outcome == "error" else "runs")
        print(f"{case.name}: {case.rules.name} -> {expected}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
