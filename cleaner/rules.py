"""Rule files: YAML data that says what to detect and what to do about it.

A rule file holds ``rules:``, a list of rules. Each rule has an ``id``, a
``category``, a ``severity``, a ``message``, an ``action``, a ``scope`` and one
matcher: ``pattern`` (a regular expression), ``phrases`` (a phrase list) or
``check`` (a built-in check, with ``params``). Its ``examples`` (``match`` /
``no_match``) are its tests. Every mistake is reported with the file, the line
and the rule id.

A file may also say ``domains: [example.com]`` at the top: its rules then apply
only to articles whose ``url`` is on one of those sites (or their subdomains),
so one site's template boilerplate never touches another site's scrapes.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from cleaner import patterns
from cleaner.checks import BUILTIN_CHECKS
from cleaner.checks.registry import Check
from cleaner.errors import RuleFileError
from cleaner.model import Action, Scope, Severity

KNOWN_KEYS = frozenset({
    "id", "category", "severity", "message", "description", "action", "scope", "pattern", "phrases",
    "check", "params", "match", "expand", "replacement", "ignorecase", "examples", "enabled", "fix_title",
})
MATCHERS = ("pattern", "phrases", "check")
EXPANDS = ("none", "line", "paragraph", "sentence")
PHRASE_MODES = ("line", "anywhere", "line-start")
_ID = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_-]*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Examples:
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteOverride:
    """A project's change to one rule for one site (``[sites."example.com"]`` in the config)."""

    domain: str
    enabled: bool | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    action: Action
    scope: Scope
    message: str
    path: str
    line: int
    description: str = ""
    pattern: patterns.Pattern | None = None  # see cleaner.patterns: a user's pattern runs with a time limit
    phrases: tuple[str, ...] = ()
    phrase_mode: str = "line"
    check: Check | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    expand: str = "none"
    replacement: str | None = None
    ignorecase: bool = True
    examples: Examples = Examples()
    enabled: bool = True
    fix_title: str = ""
    domains: tuple[str, ...] = ()  # empty: every site; else only articles whose url is on one of these
    sites: tuple[SiteOverride, ...] = ()

    @property
    def matcher_kind(self) -> str:
        return "pattern" if self.pattern else "phrases" if self.phrases else "check"


_MARKS = ("__line__", "__lines__", "__items__")


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping, key and list item; refuses duplicate keys and aliases.

    Aliases are refused because ``*name`` can build a structure that refers to
    itself, or one exponentially larger than the file; rule files never need one.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[no-untyped-call]
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise RuleFileError(self.name, event.start_mark.line + 1,
                                f"uses the YAML alias '*{event.anchor}'; rule files take no aliases, "
                                "write the value out in full")
        return super().compose_node(parent, index)  # type: ignore[no-untyped-call]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        lines: dict[Any, int] = {}
        items: dict[Any, list[int]] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise RuleFileError(self.name, line, f"a key is a {_yaml_type(type(key).__name__)}; "
                                                     "keys are plain words such as 'id'", _id_of(node))
            if key in lines:
                raise RuleFileError(self.name, line, f"duplicate key '{key}' (first at line {lines[key]}); "
                                                     "keep one of them", _id_of(node))
            lines[key] = line
            if isinstance(value_node, yaml.SequenceNode):
                items[key] = [item.start_mark.line + 1 for item in value_node.value]
        mapping = super().construct_mapping(node, deep=True)
        mapping.update(__line__=node.start_mark.line + 1, __lines__=lines, __items__=items)
        return mapping


def _id_of(node: yaml.MappingNode) -> str | None:
    """The ``id:`` of a rule mapping being read, for errors found before it is built."""
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == "id" and isinstance(value_node, yaml.ScalarNode):
            return str(value_node.value)
    return None


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in _MARKS}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def parse_rule_file(text: str, path: str) -> list[Rule]:
    """Parse and validate the YAML text of one rule file."""
    data = _load_yaml(text, path)
    _check_top_level(data, path)
    domains = parse_domains(data["domains"], path, data["__lines__"]["domains"]) if "domains" in data else ()
    rules = []
    shipped = text in _shipped_texts()  # cleaner's own rules: their patterns run without a time limit
    for n, (item, line) in enumerate(zip(data["rules"], data["__items__"]["rules"], strict=True), 1):
        if not isinstance(item, dict):
            raise RuleFileError(path, line, f"entry {n} under 'rules:' is a {_yaml_type(type(item).__name__)}; "
                                            "each rule is a mapping that starts with '- id: category.name'")
        if shipped:
            patterns.trust(_pattern_sources(item))
        rules.append(dataclasses.replace(_build_rule(item, path), domains=domains))
    return rules


def _load_yaml(text: str, path: str) -> Any:
    loader = None
    try:
        loader = _LineLoader(text)  # refuses control characters already
        loader.name = path
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, where = (mark.line + 1, f" at column {mark.column + 1}") if mark else (None, "")
        raise RuleFileError(path, line, f"is not valid YAML{where}: {exc.problem}; fix the syntax there "
                                        "(quote values that contain ': ' or start with [ { * & ! | >)") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise RuleFileError(path, line, f"contains the character #x{exc.character:04x}, which YAML does not "
                                        "allow; remove it") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(path, None, f"is not valid YAML ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise RuleFileError(path, loader.get_mark().line + 1 if loader else None,
                            "nests lists or mappings too deeply to read; a rule file needs only a few levels") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_top_level(data: Any, path: str) -> None:
    """A rule file is a mapping with a ``rules:`` list (and maybe ``domains:``), nothing else."""
    if data is None:
        raise RuleFileError(path, 1, "is empty; it must be a mapping with a 'rules:' list")
    if isinstance(data, list):
        raise RuleFileError(path, 1, "must be a mapping with a 'rules:' list, not a list; put the rules under "
                                     "a top-level 'rules:' key")
    if not isinstance(data, dict):
        raise RuleFileError(path, 1, f"must be a mapping with a 'rules:' list, not a {_yaml_type(type(data).__name__)}")
    extra = sorted((k for k in data if k not in ("rules", "domains", *_MARKS)), key=str)
    if extra:
        key = extra[0]
        raise RuleFileError(path, data["__lines__"][key], f"unknown top-level key '{key}' (only 'rules' and "
                                                          f"'domains' are allowed){_did_you_mean(key, ('rules', 'domains'))}")
    if not isinstance(data.get("rules"), list):
        got = f"is a {_yaml_type(type(data['rules']).__name__)}" if "rules" in data else "is missing"
        raise RuleFileError(path, data["__lines__"].get("rules", 1), f"'rules' {got}; it must be a list of rules "
                                                                     "('- id: …' entries)")


@lru_cache(maxsize=1)
def _shipped_texts() -> frozenset[str]:
    """The texts of the rule files cleaner ships; a file is trusted by its text, wherever it was read."""
    return frozenset(f.read_text(encoding="utf-8") for f in rule_files(default_rules_dir()))


def _pattern_sources(item: dict[str, Any]) -> list[str]:
    """The regular expressions of a rule entry: its pattern and the patterns in its check's parameters."""
    check = BUILTIN_CHECKS.get(item.get("check")) if isinstance(item.get("check"), str) else None
    params = _strip_lines(item.get("params")) if check else None
    sources = [item["pattern"]] if isinstance(item.get("pattern"), str) else []
    for dotted in check.regex_params if check and isinstance(params, dict) else ():
        sources += _strings(_dig(params, dotted))
    return sources


def _did_you_mean(word: Any, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def parse_domains(value: Any, path: str, line: int | None) -> tuple[str, ...]:
    """Validate a ``domains:`` list: bare host names such as ``example.com``, lower-cased."""
    if isinstance(value, str):
        raise RuleFileError(path, line, f"'domains' must be a list of domain names, like [{value}], not a string")
    if not isinstance(value, list):
        raise RuleFileError(path, line, f"'domains' must be a list of domain names, like [example.com], "
                                        f"not {_yaml_type(type(value).__name__)}")
    if not value:
        raise RuleFileError(path, line, "'domains' is empty; remove it to apply these rules to every site")
    out = []
    for entry in value:
        if not isinstance(entry, str):
            raise RuleFileError(path, line, f"'domains' entries must be strings (got {_yaml_type(type(entry).__name__)} "
                                            f"{entry!r})")
        domain = entry.strip().lower().rstrip(".")
        if domain.startswith("*."):
            raise RuleFileError(path, line, f"'domains' entry '{entry}': write '{domain[2:]}'; a domain "
                                            "already covers its subdomains")
        if not _DOMAIN.match(domain):
            host = host_of(entry)
            hint = f"; write it as '{host}'" if host and _DOMAIN.match(host) else ""
            raise RuleFileError(path, line, f"'domains' entry '{entry}' is not a domain name like example.com "
                                            f"(no scheme, path or port){hint}")
        out.append(domain)
    return tuple(out)


def host_of(url: str | None) -> str | None:
    """The lower-case host name of ``url`` (a scheme is optional).

    >>> host_of("https://WWW.Example.com:8080/news/1"), host_of("example.com/a"), host_of(None)
    ('www.example.com', 'example.com', None)
    """
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
        return parts.hostname or None
    except ValueError:
        return None


def on_site(host: str | None, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains."""
    return host is not None and (host == domain or host.endswith("." + domain))


def rules_for_url(rules: Sequence[Rule], url: str | None) -> Sequence[Rule]:
    """The rules as they apply to an article from ``url``: site-scoped rules of other
    sites left out, per-site config overrides applied."""
    if not any(r.domains or r.sites for r in rules):
        return rules
    host = host_of(url)
    out = []
    for rule in rules:
        if rule.domains and not any(on_site(host, d) for d in rule.domains):
            continue
        for override in rule.sites:
            if on_site(host, override.domain):
                changes: dict[str, Any] = {}
                if override.enabled is not None:
                    changes["enabled"] = override.enabled
                if override.severity is not None:
                    changes["severity"] = override.severity
                rule = dataclasses.replace(rule, **changes)
        out.append(rule)
    return out


class _RuleSpec:
    """Reads one rule mapping, raising errors that name the file, line and rule id."""

    def __init__(self, raw: dict[str, Any], path: str) -> None:
        self.raw, self.path = raw, path
        self.lines: dict[str, int] = raw.get("__lines__", {})
        self.rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None

    def fail(self, key: str | None, message: str, line: int | None = None) -> RuleFileError:
        if line is None:
            line = self.lines.get(key, self.raw.get("__line__")) if key else self.raw.get("__line__")
        return RuleFileError(self.path, line, message, self.rule_id)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        if key not in self.raw:
            if required:
                raise self.fail(None, f"is missing the required key '{key}'")
            return default
        value = self.raw[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"'{key}' must be a {_yaml_type(names)}, not {_yaml_type(type(value).__name__)}")
        return value

    def choice(self, key: str, enum: Iterable[str], default: str | None = None) -> str:
        allowed = list(enum)
        value = self.get(key, str, default, required=default is None)
        if value not in allowed:
            raise self.fail(key, f"'{key}' must be one of {', '.join(allowed)} (got '{value}')")
        return value


def _yaml_type(name: str) -> str:
    return {"str": "string", "dict": "mapping", "list": "list", "bool": "boolean", "int": "number",
            "float": "number", "NoneType": "null"}.get(name, name)


def _build_rule(raw: dict[str, Any], path: str) -> Rule:
    spec = _RuleSpec(raw, path)
    unknown = [k for k in raw if k not in KNOWN_KEYS and k not in _MARKS]
    if unknown:
        hint = _did_you_mean(unknown[0], KNOWN_KEYS) or f" (known keys: {', '.join(sorted(KNOWN_KEYS))})"
        raise spec.fail(unknown[0], f"unknown key '{unknown[0]}'{hint}")
    rule_id = spec.get("id", str, required=True)
    if not _ID.match(rule_id):
        raise spec.fail("id", f"id '{rule_id}' must look like 'category.name' (lower case, dots between parts)")
    category = spec.get("category", str, required=True)
    if not _CATEGORY.match(category):
        raise spec.fail("category", f"category '{category}' must be one lower-case word")
    action = Action(spec.choice("action", [a.value for a in Action]))
    matchers = [m for m in MATCHERS if m in raw]
    if len(matchers) != 1:
        raise spec.fail(matchers[1] if len(matchers) > 1 else None,
                        "needs exactly one matcher: 'pattern', 'phrases' or 'check'")
    ignorecase = spec.get("ignorecase", bool, True)
    replacement = spec.get("replacement", str)
    if action is Action.REPLACE and replacement is None and matchers[0] != "check":
        raise spec.fail("action", "action 'replace' needs a 'replacement'")
    kwargs: dict[str, Any] = {}
    if matchers[0] == "pattern":
        kwargs["pattern"] = _compile(spec, spec.get("pattern", str), ignorecase)
        _check_replacement(spec, kwargs["pattern"], replacement)
    elif matchers[0] == "phrases":
        phrases = spec.get("phrases", list)
        if not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise spec.fail("phrases", "'phrases' must be a non-empty list of non-empty strings")
        kwargs["phrases"] = tuple(phrases)
        kwargs["phrase_mode"] = spec.choice("match", PHRASE_MODES, "line")
    else:
        kwargs.update(_check_and_params(spec))
    return Rule(
        id=rule_id, category=category,
        severity=Severity(spec.choice("severity", [s.value for s in Severity])),
        action=action, scope=Scope(spec.choice("scope", [s.value for s in Scope], "line")),
        message=spec.get("message", str, required=True), path=path, line=raw.get("__line__", 0),
        description=spec.get("description", str, ""), expand=spec.choice("expand", EXPANDS, "none"),
        replacement=replacement, ignorecase=ignorecase, examples=_examples(spec),
        enabled=spec.get("enabled", bool, True), fix_title=spec.get("fix_title", str, ""), **kwargs,
    )


def _compile(spec: _RuleSpec, pattern: str, ignorecase: bool) -> patterns.Pattern:
    try:
        return patterns.compile_pattern(pattern, patterns.IGNORECASE if ignorecase else 0)
    except patterns.error as exc:
        raise spec.fail("pattern", f"'pattern' is not a valid regular expression ({exc}); fix it there, or escape "
                                   "a literal character with a backslash") from None


def _check_replacement(spec: _RuleSpec, pattern: patterns.Pattern, replacement: str | None) -> None:
    problem = patterns.replacement_error(pattern, replacement) if replacement is not None else None
    if problem:
        raise spec.fail("replacement", f"'replacement' does not fit the pattern: {problem}")


def _check_and_params(spec: _RuleSpec) -> dict[str, Any]:
    name = spec.get("check", str)
    if name not in BUILTIN_CHECKS:
        raise spec.fail("check", f"unknown check '{name}' (built-in checks: {', '.join(sorted(BUILTIN_CHECKS))})"
                                 f"{_did_you_mean(name, BUILTIN_CHECKS)}")
    check = BUILTIN_CHECKS[name]
    raw = spec.get("params", dict, {})
    params = _strip_lines(raw)
    for key, value in params.items():
        line = raw.get("__lines__", {}).get(key)
        if key not in check.params:
            raise spec.fail("params", f"check '{name}' has no parameter '{key}' (it has: "
                                      f"{', '.join(sorted(check.params)) or 'none'}){_did_you_mean(key, check.params)}", line)
        problem = _shape_problem(check.params[key], value, f"parameter '{key}' of check '{name}'")
        if problem:
            raise spec.fail("params", problem, line)
    for dotted, groups in check.regex_params.items():
        value = _dig(params, dotted)
        for source in _strings(value):
            _check_param_pattern(spec, source, groups, dotted, raw.get("__lines__", {}).get(dotted.split(".")[0]))
    return {"check": check, "params": params}


def _shape_problem(default: Any, value: Any, where: str) -> str | None:
    """Why ``value`` does not have the shape of the parameter's default, or None.

    Kinds must match all the way down: a list's items are like the default's
    first item. A mapping whose default values are all strings or string lists
    (patterns by name) may have any keys; any other mapping needs the default's
    keys, since the check reads each of them.
    """
    if default is None:
        return None
    if not _same_kind(default, value):
        return f"{where} must be a {_yaml_type(type(default).__name__)}, not {_yaml_type(type(value).__name__)}"
    if isinstance(default, list) and default:
        for n, item in enumerate(value, 1):
            problem = _shape_problem(default[0], item, f"item {n} of {where}")
            if problem:
                return problem
    if isinstance(default, dict) and default:
        free = all(isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
                   for v in default.values())
        missing = [k for k in default if k not in value]
        if not free and missing:
            return f"{where} is missing '{missing[0]}' (give all of: {', '.join(map(str, default))})"
        for key, item in value.items():
            problem = _shape_problem(default.get(key, next(iter(default.values()))), item, f"'{key}' of {where}")
            if problem:
                return problem
    return None


def _dig(params: Mapping[str, Any], dotted: str) -> Any:
    value: Any = params
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, dict)):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)


def _check_param_pattern(spec: _RuleSpec, source: str, groups: tuple[str, ...], param: str, line: int | None) -> None:
    try:
        compiled = patterns.compile_pattern(source)
    except patterns.error as exc:
        raise spec.fail("params", f"the pattern {source!r} in parameter '{param}' is not a valid regular "
                                  f"expression ({exc}); fix it there, or escape a literal character with a backslash",
                        line) from None
    missing = [g for g in groups if g not in compiled.groupindex]
    if missing:
        raise spec.fail("params", f"the pattern {source!r} in parameter '{param}' needs a group named "
                                  f"'{missing[0]}' (write (?P<{missing[0]}>...) around that part)", line)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _examples(spec: _RuleSpec) -> Examples:
    raw = _strip_lines(spec.get("examples", dict, required=True))
    extra = sorted(set(raw) - {"match", "no_match"}, key=str)
    if extra:
        raise spec.fail("examples", f"'examples' takes only 'match' and 'no_match' (got '{extra[0]}')")
    match, no_match = raw.get("match", []), raw.get("no_match", [])
    for key, items in (("match", match), ("no_match", no_match)):
        if not isinstance(items, list):
            raise spec.fail("examples", f"'examples.{key}' must be a list of strings, not {_yaml_type(type(items).__name__)}")
        wrong = [i for i in items if not isinstance(i, str)]
        if wrong:
            raise spec.fail("examples", f"'examples.{key}' must be a list of strings (found the "
                                        f"{_yaml_type(type(wrong[0]).__name__)} {wrong[0]!r}; quote it)")
    if not match:
        raise spec.fail("examples", "needs at least one 'examples.match' case (examples are the rule's tests)")
    return Examples(tuple(match), tuple(no_match))


def default_rules_dir() -> Path:
    """The rule files shipped with cleaner (``rules/``, installed as ``cleaner/builtin_rules``)."""
    return Path(str(resources.files("cleaner").joinpath("builtin_rules"))).resolve()


def display_path(path: Path) -> str:
    """A path as users should see it: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    return [path]


def load_rules(paths: Sequence[Path] = (), *, defaults: bool = True) -> list[Rule]:
    """Load the default rules (unless ``defaults=False``) and every rule file under ``paths``.

    A later rule with the same id as an earlier one is an error: ids name findings.
    """
    sources = ([default_rules_dir()] if defaults else []) + list(paths)
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for source in sources:
        if not source.exists():
            raise RuleFileError(str(source), None, "does not exist; give a rule file or a folder of .yml files")
        for file in rule_files(source):
            for rule in parse_rule_file(read_rule_file(file), display_path(file)):
                if rule.id in seen:
                    first = seen[rule.id]
                    raise RuleFileError(rule.path, rule.line, f"duplicate rule id (first defined at {first.path}:"
                                                              f"{first.line}); rename one of them", rule.id)
                seen[rule.id] = rule
                rules.append(rule)
    return rules


def check_params(rules: Iterable[Rule], check: str) -> dict[str, Any]:
    """The parameters the first rule that runs built-in check ``check`` gives it: its defaults, then the rule's."""
    for rule in rules:
        if rule.check is not None and rule.check.name == check:
            return {**rule.check.params, **rule.params}
    raise LookupError(f"no rule runs the check '{check}'")


def read_rule_file(file: Path) -> str:
    """The text of a rule file, which must be UTF-8 (a byte-order mark is allowed)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise RuleFileError(display_path(file), None, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RuleFileError(display_path(file), line, f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                                      "save the file as UTF-8") from None
